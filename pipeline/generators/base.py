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
    subtitles: str = "off"   # the film's subtitles: "burn" draws them over the picture (bottom centre)
    shots: tuple[ShotPlan, ...] = ()   # every shot of the film (a scene's set is drawn from all its shots)
    # Read once from `shots` (every panel asks): each scene's words, and the film's cast.
    _scene_words: dict[tuple, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _cast: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        words: dict[tuple, list[str]] = {}
        seen: dict[str, str] = {}
        for s in self.shots:
            if s.kind == "shot":
                words.setdefault((s.scene, s.heading), []).append(s.action)
            for name, look in s.cast:
                seen.setdefault(name, look)
        object.__setattr__(self, "_scene_words", {k: tuple(v) for k, v in words.items()})
        object.__setattr__(self, "_cast", tuple(seen.items()))

    def scene_texts(self, shot: ShotPlan) -> tuple[str, ...]:
        """The writer's words for every shot of `shot`'s scene, in order (just its own when the
        film's shots are not known)."""
        return self._scene_words.get((shot.scene, shot.heading)) or (shot.action,)

    def film_cast(self) -> tuple[tuple[str, str], ...]:
        """Every (name, look) of the film, in order of first appearance."""
        return self._cast


@dataclass(frozen=True)
class Prepared:
    """A generator's answer for one shot: the clip source, the job that makes its files, and
    for a generated shot every take's job in take order (the cut uses `job`, one of them)."""

    source: Source
    job: Job | None
    takes: tuple[Job, ...] = ()
    last_frame: Path | None = None     # where the shot's last frame will be, for a shot that continues it

    @property
    def extra_jobs(self) -> tuple[Job, ...]:
        """The takes the cut does not use (rendered all the same, so that picking one is free)."""
        return tuple(j for j in self.takes if j is not self.job)


class Generator(Protocol):
    name: str
    version: str

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        """Describe the clip for `shot` and the job (if any) that renders its files."""


def source_identity(source: Source) -> dict[str, Any]:
    """A source's content without file paths (paths follow from keys), for segment keys."""
    return key_fields(source, drop=("image", "overlay", "path"))
