"""What every generator shares: the context it renders in and what it hands back."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

from ..cache import Cache, content_key
from ..edit.sources import Format, Source
from ..plan import ShotPlan


@dataclass
class Job:
    """A unit of work with a content key; `run` writes `output` (given a temporary path)."""

    kind: str
    id: str
    inputs: dict[str, Any]
    output: Path
    run: Callable[[Path], None]
    deps: tuple[str, ...] = ()
    key: str = ""


def make_job(cache: Cache, kind: str, id: str, inputs: dict[str, Any], run: Callable[[Path], None],
             suffix: str = "", deps: tuple[str, ...] = ()) -> Job:
    """A job whose output lives in the cache under the key of `inputs`."""
    key = content_key(kind, inputs)
    return Job(kind=kind, id=id, inputs=inputs, output=cache.path(kind, key, suffix), run=run, deps=deps, key=key)


@dataclass(frozen=True)
class Context:
    """What a generator may use: the cache, the picture format, the project's folder."""

    cache: Cache
    fmt: Format
    root: Path
    project_seed: int


@dataclass(frozen=True)
class Prepared:
    """A generator's answer for one shot: the clip source, and the job that makes its files."""

    source: Source
    job: Job | None


class Generator(Protocol):
    name: str
    version: str

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        """Describe the clip for `shot` and the job (if any) that renders its files."""


def source_identity(source: Source) -> dict[str, Any]:
    """A source's content without file paths (paths follow from keys), for segment keys."""
    fields = {f.name: getattr(source, f.name) for f in dataclasses.fields(source)}
    return {"type": type(source).__name__, **{k: v for k, v in fields.items() if k not in ("image", "overlay", "path")}}
