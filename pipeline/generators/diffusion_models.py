"""Finding and loading diffusers pipelines: offline-aware, once per process, memory options.

`describe` says what a model is (where its files are, its resolved revision, its pipeline
class, the dtype and device it will run with) from its `model_index.json` alone, so planning
never loads weights. `load` loads the pipeline the first time a shot needs it and keeps it for
every later shot of the build (and of later builds in the same process).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import models as model_files
from ..errors import FilmError, Problem
from .diffusion_settings import DiffusionSettings
from .families import FAMILIES, IMAGE_DEFAULTS, Family, family_for

EXTRA = "pip install 'film[diffusers]'"


@dataclass(frozen=True)
class ModelInfo:
    """A model as it will be run: enough to key its outputs and to lock them."""

    model: str              # as the writer named it
    source: str             # the folder the weights are loaded from
    revision: str           # the hub commit, or "local:<digest of the folder's listing>"
    class_name: str         # the pipeline class in model_index.json
    dtype: str
    device: str
    versions: tuple[tuple[str, str], ...]

    def lock_entry(self) -> dict[str, Any]:
        return {"model": self.model, "revision": self.revision, "pipeline": self.class_name,
                "dtype": self.dtype, "device": self.device, "versions": dict(self.versions)}


def _torch():
    try:
        import torch
        import diffusers  # noqa: F401
    except ImportError as error:
        raise FilmError([Problem("generator", 0, f"the diffusers generator needs {error.name}: {EXTRA}")]) from None
    return torch


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


# A Hugging Face hub id, `owner/name`: what a model that is not a folder must look like.
HUB_ID = re.compile(r"[\w-][\w.-]*/[\w-][\w.-]*")


def _local_folder(model: str, root: Path) -> Path | None:
    """The pipeline folder `model` names (inside the project or the user's models folder,
    `pipeline.models.locate`), or None for a hub id. Raises FilmError for a path leading out
    of the project, or one found in neither folder that is not a hub id either."""
    try:
        found = model_files.locate(model, root, "diffusers model")
    except model_files.ModelOutside as error:
        raise FilmError([Problem(model, 0, str(error))]) from None
    except model_files.ModelNotFound as error:
        if HUB_ID.fullmatch(model):
            return None
        looks_like_a_path = model.startswith(".") or model.count("/") > 1
        hint = "" if looks_like_a_path else "; nor is it a hub id (owner/name)"
        raise FilmError([Problem(model, 0, f"{error}{hint}")]) from None
    if not found.is_dir():
        raise FilmError([Problem(model, 0, f"diffusers model '{model}' is a file; a diffusers pipeline is a folder "
                                           "holding model_index.json")])
    return found


def _listing_digest(folder: Path) -> str:
    """What a local model folder holds, cheaply: every file's path and size, and model_index.json."""
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        sha.update(f"{path.relative_to(folder)}\0{path.stat().st_size}\n".encode())
    sha.update((folder / "model_index.json").read_bytes())
    return sha.hexdigest()[:16]


def _hub_index(model: str, revision: str | None, local_only: bool = False) -> Path:
    """model_index.json of a hub model from the local Hugging Face cache; when it is not there,
    downloaded, unless `local_only` (what `film check` asks: it never goes to the network) or
    HF_HUB_OFFLINE is set, which make it a FilmError naming the `hf download` command.

    The cache is read with `try_to_load_from_cache`, which only reads files: even with
    `local_files_only`, `hf_hub_download` may ask the hub for other things (its user agent's
    registry) and write them to the user's cache."""
    from huggingface_hub import hf_hub_download, try_to_load_from_cache
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError, RepositoryNotFoundError

    command = f"hf download {model}" + (f" --revision {revision}" if revision else "")
    try:
        cached = try_to_load_from_cache(model, "model_index.json", revision=revision)
    except HFValidationError as error:    # looks like owner/name, but the hub allows no such id ('a..b/c')
        raise FilmError([Problem(model, 0, f"diffusers model '{model}' is not a valid hub id "
                                           f"({_first_line(error)})")]) from None
    except OSError as error:              # a cache folder that cannot be read
        raise FilmError([Problem(model, 0, f"diffusers model '{model}': the local Hugging Face cache cannot be "
                                           f"read ({error.strerror or error})")]) from None
    if isinstance(cached, str):
        return Path(cached)
    if local_only or _offline():
        at = f" at revision '{revision}'" if revision else ""
        if cached is not None:    # the hub said so when it was downloaded: `_CACHED_NO_EXIST`
            raise FilmError([Problem(model, 0, f"diffusers model '{model}'{at} is not a diffusers pipeline: the "
                                               "local Hugging Face cache records that it has no model_index.json")])
        raise FilmError([Problem(model, 0, f"diffusers model '{model}'{at} is not in the local Hugging Face cache; "
                                           f"download it first with: {command}")])
    try:
        return Path(hf_hub_download(model, "model_index.json", revision=revision))
    except (RepositoryNotFoundError, HfHubHTTPError, OSError, ValueError) as error:
        raise FilmError([Problem(model, 0, f"diffusers model '{model}' is not a local folder, not in the local "
                                           f"Hugging Face cache, and could not be fetched ({_first_line(error)}); "
                                           f"download it with: {command}")]) from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _short(value: Any, limit: int = 60) -> str:
    """A value from a file, for a message: a string as it is, anything else as JSON; cut to
    `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pipeline_class(model: str, index: Path) -> str:
    """The pipeline class `index` (a model_index.json) names, when it is one this diffusers
    has: else a FilmError saying what is wrong with the file (what a build would meet later,
    as a traceback or a failed job)."""
    import diffusers

    def wrong(message: str) -> FilmError:
        return FilmError([Problem(model, 0, f"diffusers model '{model}': {message}")])

    try:
        data = json.loads(index.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise wrong(f"model_index.json is not valid JSON (line {error.lineno}: {error.msg})") from None
    except UnicodeDecodeError:
        raise wrong("model_index.json is not UTF-8 text") from None
    except RecursionError:
        raise wrong("model_index.json is nested too deeply to read") from None
    except OSError as error:
        raise wrong(f"model_index.json cannot be read ({error.strerror or error})") from None
    if not isinstance(data, dict):
        raise wrong(f"model_index.json is not a JSON object (it holds {_short(data)})")
    if "_class_name" not in data:
        raise wrong("model_index.json names no pipeline class (_class_name)")
    name = data["_class_name"]
    if not isinstance(name, str) or not name.strip():
        raise wrong(f"model_index.json names no pipeline class (_class_name is {_short(json.dumps(name))}, "
                    "not a class name)")
    try:
        cls = getattr(diffusers, name, None)
    except Exception as error:     # noqa: BLE001 - diffusers imports the class's module lazily, here
        raise wrong(f"pipeline class '{_short(name)}' cannot be imported from diffusers {diffusers.__version__} "
                    f"({_first_line(error)})") from None
    if type(cls).__name__ == "DummyObject":     # diffusers' stand-in for a class whose packages are missing
        needs = ", ".join(getattr(cls, "_backends", ())) or "packages that are not installed"
        raise wrong(f"pipeline class '{name}' needs {needs}, which this install lacks")
    if cls is None:
        raise wrong(f"pipeline class '{_short(name)}' is not in diffusers {diffusers.__version__}"
                    f"{_closest_pipeline(name, diffusers)}")
    base = diffusers.DiffusionPipeline     # the class every pipeline is, but not one itself
    if not (isinstance(cls, type) and issubclass(cls, base)) or cls is base:
        raise wrong(f"'{_short(name)}' (_class_name) is not a pipeline class of diffusers {diffusers.__version__}")
    return name


def _closest_pipeline(name: str, diffusers) -> str:
    """` (did you mean 'WanPipeline'?)` for a pipeline class of diffusers close to `name`, or ''.
    Every name ends in "Pipeline", so only a very close one counts ('NoSuchPipeline' is not
    'MochiPipeline')."""
    pipelines = [n for n in dir(diffusers) if n.endswith("Pipeline")]
    close = [n for n in pipelines if n.lower() == name.lower()] or difflib.get_close_matches(name, pipelines, 1, 0.88)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _dtype_name(setting: str, device: str) -> str:
    if setting != "auto":
        return setting
    if device == "cuda":
        torch = _torch()
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp16" if device == "mps" else "fp32"


def _device_name(setting: str) -> str:
    if setting != "auto":
        return setting
    torch = _torch()
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def describe(settings: DiffusionSettings, root: Path, local_only: bool = False) -> ModelInfo:
    """Where the model's files are and how it will run, without loading any weights. Raises
    FilmError for a model that cannot be found or whose model_index.json a build could not
    load from. `local_only` looks for a hub model in the local cache alone (`film check`)."""
    torch = _torch()
    import diffusers
    import transformers

    folder = _local_folder(settings.model, root)
    if folder is not None:
        index = folder / "model_index.json"
        if not index.is_file():
            raise FilmError([Problem(settings.model, 0, f"diffusers model '{settings.model}' is not a diffusers "
                                                        "pipeline folder (no model_index.json)")])
        try:
            digest = _listing_digest(folder)
        except OSError as error:
            raise FilmError([Problem(settings.model, 0, f"diffusers model '{settings.model}' cannot be read "
                                                        f"({error.strerror or error})")]) from None
        source, revision = str(folder.resolve()), f"local:{digest}"
    else:
        index = _hub_index(settings.model, settings.revision, local_only)
        source, revision = str(index.parent), index.parent.name
    class_name = _pipeline_class(settings.model, index)
    device = _device_name(settings.device)
    versions = (("torch", torch.__version__), ("diffusers", diffusers.__version__),
                ("transformers", transformers.__version__))
    return ModelInfo(settings.model, source, revision, class_name, _dtype_name(settings.dtype, device), device,
                     versions)


@lru_cache(maxsize=None)
def call_parameters(class_name: str) -> tuple[str, ...]:
    """The arguments a pipeline class's `__call__` takes (importing diffusers, not weights)."""
    import inspect

    import diffusers

    cls = getattr(diffusers, class_name, None)
    return tuple(inspect.signature(cls.__call__).parameters) if cls is not None else ()


def family_of(info: ModelInfo, settings: DiffusionSettings) -> Family:
    """The family of the model's pipeline, with the writer's fps and max_frames overrides."""
    known = info.class_name in FAMILIES or info.class_name in IMAGE_DEFAULTS
    family = family_for(info.class_name, () if known else call_parameters(info.class_name), settings.task)
    overrides = {k: v for k, v in (("fps", settings.fps), ("max_frames", settings.max_frames)) if v}
    return replace(family, **overrides)


@dataclass
class Loaded:
    """A pipeline loaded once, and the lock that lets one shot at a time use it."""

    pipe: Any
    info: ModelInfo
    family: Family
    lock: threading.Lock = field(default_factory=threading.Lock)
    _chained: Any = None

    def chain_pipeline(self) -> Any | None:
        """The image-to-video pipeline that continues a clip from its last frame, sharing this
        one's components (None when the family cannot)."""
        name = self.family.chain
        if not name:
            return None
        if type(self.pipe).__name__ == name:
            return self.pipe
        if self._chained is None:
            import diffusers

            self._chained = getattr(diffusers, name).from_pipe(self.pipe)
        return self._chained


_LOADED: dict[tuple, Loaded] = {}
_LOADING = threading.Lock()
LOADS: list[str] = []     # every model loaded in this process, in order (for tests and the log)


def load(settings: DiffusionSettings, info: ModelInfo, family: Family) -> Loaded:
    """The pipeline for `info`, loaded on first use and kept for the rest of the process."""
    key = (info.source, info.revision, settings.variant, info.dtype, info.device,
           settings.memory, settings.vae_tiling, settings.vae_slicing, settings.compile)
    with _LOADING:
        if key in _LOADED:
            return _LOADED[key]
        torch = _torch()
        import diffusers
        from diffusers import DiffusionPipeline

        _quiet()
        dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[info.dtype]
        # diffusers renamed torch_dtype to dtype (0.36); pass the name this version reads.
        major, minor = (int(x) for x in diffusers.__version__.split(".")[:2])
        dtype_argument = "dtype" if (major, minor) >= (0, 36) else "torch_dtype"
        if info.revision.startswith("local:"):
            pipe = DiffusionPipeline.from_pretrained(info.source, variant=settings.variant, **{dtype_argument: dtype})
        else:
            # A hub model loads by id at its resolved commit: the hub cache fetches (when online)
            # any component files the snapshot does not hold yet.
            pipe = DiffusionPipeline.from_pretrained(settings.model, revision=info.revision, variant=settings.variant,
                                                     local_files_only=_offline(), **{dtype_argument: dtype})
        pipe.set_progress_bar_config(disable=True)
        _place(pipe, settings, info, torch)
        loaded = _LOADED[key] = Loaded(pipe, info, family)
        LOADS.append(info.model)
        return loaded


def _quiet() -> None:
    """No per-component progress bars or warnings in the build's output."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    diffusers_logging.set_verbosity_error()
    diffusers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()


def _model_bytes(pipe) -> int:
    total = 0
    for component in pipe.components.values():
        parameters = getattr(component, "parameters", None)
        if callable(parameters):
            total += sum(p.numel() * p.element_size() for p in parameters())
    return total


def _place(pipe, settings: DiffusionSettings, info: ModelInfo, torch) -> None:
    """Move the pipeline to its device with the memory options asked for (or, with `memory:
    auto` on a GPU, chosen from its free memory: offload what does not fit, tile the VAE when
    memory is tight)."""
    memory = settings.memory
    tiling = settings.vae_tiling
    if memory == "auto":
        memory = "none"
        if info.device == "cuda":
            free, _ = torch.cuda.mem_get_info()
            need = _model_bytes(pipe)
            if need * 1.25 > free:
                memory = "sequential-offload" if need * 0.5 > free else "model-offload"
            tiling = tiling or need * 2 > free
    if memory == "model-offload":
        pipe.enable_model_cpu_offload()
    elif memory == "sequential-offload":
        pipe.enable_sequential_cpu_offload()
    else:
        pipe.to(info.device)
    vae = getattr(pipe, "vae", None)
    if tiling and hasattr(vae, "enable_tiling"):
        vae.enable_tiling()
    if settings.vae_slicing and hasattr(vae, "enable_slicing"):
        vae.enable_slicing()
    if settings.compile:
        denoiser = getattr(pipe, "transformer", None) or getattr(pipe, "unet", None)
        if denoiser is not None:
            denoiser.compile()


def is_out_of_memory(error: BaseException) -> bool:
    return type(error).__name__ == "OutOfMemoryError" or "out of memory" in str(error).lower()


def enable_vae_tiling(pipe) -> bool:
    """Turn on VAE tiling (for a retry after running out of memory while decoding)."""
    vae = getattr(pipe, "vae", None)
    if hasattr(vae, "enable_tiling"):
        vae.enable_tiling()
        return True
    return False
