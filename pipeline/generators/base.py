"""What every generator shares: the context it renders in and what it hands back."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..cache import Cache, Job, key_fields
from ..edit.sources import Format, Source
from ..plan import ShotPlan


@dataclass(frozen=True)
class Context:
    """What a generator may use: the cache, the picture format, the project's folder, and
    what was prepared for the shots before this one (`continuity: previous` starts from it)."""

    cache: Cache
    fmt: Format
    root: Path
    project_seed: int
    prepared: dict[str, "Prepared"] = field(default_factory=dict)


@dataclass(frozen=True)
class Prepared:
    """A generator's answer for one shot: the clip source, the job that makes its files, and
    jobs the cut does not use but the shot asked for (the other takes)."""

    source: Source
    job: Job | None
    extra_jobs: tuple[Job, ...] = ()
    last_frame: Path | None = None     # where the shot's last frame will be, for a shot that continues it


class Generator(Protocol):
    name: str
    version: str

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        """Describe the clip for `shot` and the job (if any) that renders its files."""


def source_identity(source: Source) -> dict[str, Any]:
    """A source's content without file paths (paths follow from keys), for segment keys."""
    return key_fields(source, drop=("image", "overlay", "path"))
