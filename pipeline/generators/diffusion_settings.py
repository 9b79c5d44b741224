"""The `diffusers` generator's options, read and checked without importing torch.

    generator: {name: diffusers, model: Wan-AI/Wan2.1-T2V-1.3B-Diffusers, steps: 30}

Every option but `model` has a default; a wrong one is a `file:line` problem at `film check`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..values import Choice, Flag, Number, Options, Required, Size, Text
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


NEEDS_MODEL = "the diffusers generator needs a 'model': a Hugging Face hub id or a local folder"

# Checked, and their messages given, in this order.
OPTIONS = Options.of(
    model=Required(Text(), NEEDS_MODEL),
    revision=Text(),
    variant=Text(),
    dtype=Choice(DTYPES),
    device=Choice(DEVICES),
    task=Choice(TASKS),
    fallback=Choice(FALLBACKS),
    memory=Choice(MEMORY),
    steps=Number(whole=True, minimum=1),
    guidance=Number(minimum=0),
    fps=Number(whole=True, minimum=1),
    max_frames=Number(whole=True, minimum=1),
    colour_match=Flag(),
    vae_tiling=Flag(),
    vae_slicing=Flag(),
    compile=Flag(),
    size=Size(minimum=8, example="832x480"),
)
OPTION_NAMES = OPTIONS.names


def read_settings(options: Mapping[str, Any]) -> tuple[DiffusionSettings | None, list[str]]:
    """The settings from a `generator:` mapping (without `name`), and what is wrong with it:
    messages such as `diffusers steps must be at least 1, got 0`. None without a `model`."""
    values, problems = OPTIONS.read(options, "diffusers")
    if "model" not in values:
        return None, problems
    return DiffusionSettings(**values), problems
