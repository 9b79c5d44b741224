"""The `diffusers` generator's options, read and checked without importing torch.

    generator: {name: diffusers, model: Wan-AI/Wan2.1-T2V-1.3B-Diffusers, steps: 30}

Every option but `model` has a default; a wrong one is a `file:line` problem at `film check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, Mapping

from ..errors import did_you_mean, one_of
from .families import FALLBACKS, TASKS

DTYPES = ("auto", "fp32", "fp16", "bf16")
DEVICES = ("auto", "cpu", "cuda", "mps")
MEMORY = ("auto", "none", "model-offload", "sequential-offload")


@dataclass(frozen=True)
class DiffusionSettings:
    model: str                      # a hub id in the local cache, or a folder (relative to the project)
    revision: str | None = None
    variant: str | None = None      # e.g. "fp16" weight files
    dtype: str = "auto"             # auto: bf16 on a GPU, fp32 on the CPU
    device: str = "auto"            # auto: cuda, else mps, else cpu
    task: str | None = None         # override the task detected from the pipeline
    steps: int | None = None        # default: the family's
    guidance: float | None = None
    size: tuple[int, int] | None = None    # generate at WxH (default: the family's area, project aspect)
    fps: int | None = None          # the model's native fps (default: the family's)
    max_frames: int | None = None   # the longest clip one call makes (default: the family's)
    fallback: str = "slow"          # a shot longer than a clip, when the model cannot chain: slow, loop, hold
    colour_match: bool = True       # match a continued shot's colours to the shot it continues
    memory: str = "auto"            # auto: offload and VAE tiling chosen from free GPU memory
    vae_tiling: bool = False
    vae_slicing: bool = False
    compile: bool = False           # torch.compile the denoiser (opt-in: slow first call)


OPTION_NAMES = tuple(f.name for f in fields(DiffusionSettings))


def read_settings(options: Mapping[str, Any]) -> tuple[DiffusionSettings | None, list[str]]:
    """The settings from a `generator:` mapping (without `name`), and what is wrong with it."""
    problems: list[str] = []
    for key in options:
        if key not in OPTION_NAMES:
            hint = did_you_mean(key, OPTION_NAMES) or f"; options: {', '.join(OPTION_NAMES)}"
            problems.append(f"unknown diffusers option '{key}'{hint}")
    model = options.get("model")
    if not isinstance(model, str) or not model.strip():
        problems.append("the diffusers generator needs a 'model': a Hugging Face hub id or a local folder")
        return None, problems
    values: dict[str, Any] = {"model": model.strip()}

    def choice(key: str, allowed: tuple[str, ...]) -> None:
        if key in options and options[key] is not None:
            value = str(options[key])
            if value not in allowed:
                problems.append(f"diffusers {key} '{value}'{did_you_mean(value, allowed)}; {one_of(allowed)}")
            else:
                values[key] = value

    def number(key: str, kind: type, minimum: float) -> None:
        if key in options and options[key] is not None:
            value = options[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
                problems.append(f"diffusers {key} must be {'a whole number' if kind is int else 'a number'}, "
                                f"got {value!r}")
            elif value < minimum:
                problems.append(f"diffusers {key} must be at least {minimum:g}, got {value!r}")
            else:
                values[key] = kind(value)

    def flag(key: str) -> None:
        if key in options and options[key] is not None:
            if not isinstance(options[key], bool):
                problems.append(f"diffusers {key} must be true or false, got {options[key]!r}")
            else:
                values[key] = options[key]

    for key in ("revision", "variant"):
        if options.get(key) is not None:
            values[key] = str(options[key])
    choice("dtype", DTYPES)
    choice("device", DEVICES)
    choice("task", TASKS)
    choice("fallback", FALLBACKS)
    choice("memory", MEMORY)
    number("steps", int, 1)
    number("guidance", float, 0)
    number("fps", int, 1)
    number("max_frames", int, 1)
    for key in ("colour_match", "vae_tiling", "vae_slicing", "compile"):
        flag(key)
    if options.get("size") is not None:
        found = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(options["size"]))
        if not found or int(found[1]) < 8 or int(found[2]) < 8:
            problems.append(f"diffusers size must be WIDTHxHEIGHT (e.g. 832x480), got {options['size']!r}")
        else:
            values["size"] = (int(found[1]), int(found[2]))
    return DiffusionSettings(**values), problems
