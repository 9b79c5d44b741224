"""The contract between a generator and the rest of the program, and what every generator shares.

A generator is found by name in the registry (`pipeline.generators`) and is asked, through this
contract only:

- `options`: its option schema (`pipeline.values.Options`); a generator with none refuses any;
- `check(spec, root)`: what is wrong with a `generator:` the writer gave (its options, and
  whatever else must hold before a build: an install extra, a model), as `file:line` problems,
  at `film check`, without rendering and without importing heavy libraries it does not need;
- `prepare(shot, ctx)`: the clip source for a shot and the jobs that render its files, with
  one `Take` per take of a generated shot;
- `lock_entry(shot, ctx)`: what a shot is rendered with, for `lock.json` (None: nothing to lock).

Subclass `BaseGenerator`, which gives the defaults, and add the class to the registry.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from ..cache import Cache, Job, key_fields
from ..edit.sources import Source
from ..errors import Problem
from ..frames import Format
from ..plan import ShotPlan
from ..spec import GeneratorSpec
from ..values import Options


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
class Take:
    """One take of a generated shot: the job that renders it, the seed it is rendered with, how
    a contact sheet labels it ("take 2 (seed 123)") and the file the sheet shows (a picture,
    shown as it is, or a clip, sampled), which `job` writes."""

    job: Job
    seed: int
    label: str
    media: Path


@dataclass(frozen=True)
class Prepared:
    """A generator's answer for one shot: the clip source, the job that makes its files, and
    for a generated shot every take in take order (the cut uses `job`, one of theirs)."""

    source: Source
    job: Job | None
    takes: tuple[Take, ...] = ()
    last_frame: Path | None = None     # where the shot's last frame will be, for a shot that continues it

    @property
    def extra_jobs(self) -> tuple[Job, ...]:
        """The jobs of the takes the cut does not use (rendered all the same, so that picking
        one is free)."""
        return tuple(t.job for t in self.takes if t.job is not self.job)


@runtime_checkable
class Generator(Protocol):
    name: str
    version: str
    options: Options
    # How its pictures are made, as the IPTC digital source type names it (`export.provenance`):
    # "trainedAlgorithmicMedia" (a model), "algorithmicMedia" (drawn by code), or "" (the
    # writer's own pictures, whose making film cannot know).
    made_by: str

    def check(self, spec: GeneratorSpec, root: Path) -> list[Problem]:
        """What is wrong with `spec` (a `generator:` the writer gave, in the project at `root`),
        each problem at `spec.loc`; [] when nothing is."""

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        """Describe the clip for `shot` and the job (if any) that renders its files."""

    def lock_entry(self, shot: ShotPlan, ctx: Context) -> dict | None:
        """What `shot` is rendered with, for `lock.json`; None when nothing needs locking."""


class BaseGenerator(ABC):
    """The defaults every generator starts from: no options (so any given is reported as
    unknown), a check of the options alone, and nothing to lock. A subclass sets `name` and
    `version` (part of every job key: raise it when the output changes) and writes `prepare`."""

    name: ClassVar[str]
    version: ClassVar[str]
    options: ClassVar[Options] = Options()
    made_by: ClassVar[str] = ""

    def check(self, spec: GeneratorSpec, root: Path) -> list[Problem]:
        """The spec's options read against `options`: unknown names and wrong values, at `spec.loc`."""
        _, messages = self.options.read(spec.options, self.name)
        return [spec.loc.problem(m) for m in messages]

    @abstractmethod
    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        """Describe the clip for `shot` and the job (if any) that renders its files."""

    def lock_entry(self, shot: ShotPlan, ctx: Context) -> dict | None:
        """Nothing to lock: the output follows from the inputs alone."""
        return None


def source_identity(source: Source) -> dict[str, Any]:
    """A source's content without file paths (paths follow from keys), for segment keys."""
    return key_fields(source, drop=("image", "overlay", "path"))
