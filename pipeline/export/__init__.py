"""Exports: what a finished build writes beside the cut, one module per output, by name.

Each entry names a module with `write(result: BuildResult, renders: Path) -> tuple[Path, ...]`
(the files it wrote). Those marked `on_build` are written by every `film build` once the cut is
made; the others when asked for (`film export PROJECT --format NAME`), since they cost more
than a look at the plan (shots encoded apart for an editor, frames read for thumbnails).
A module may also have `requires(name)`, raising a FilmError when what the export needs is
not installed, which `film export` asks before it builds anything. Adding an output is one
module and one entry here. Modules are imported on first use, so an export's dependencies cost
nothing until it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..build.run import BuildResult


@dataclass(frozen=True)
class Export:
    """One output: its module, whether every build writes it, and what it is (for --help)."""

    module: str
    on_build: bool
    what: str


EXPORTS: dict[str, Export] = {
    "lock": Export("pipeline.export.lock", True, "lock.json: what each generated shot is rendered with"),
    "report": Export("pipeline.export.report", True, "build.json: the cut and every job"),
    "provenance": Export("pipeline.export.provenance", True,
                         "provenance.json: how each shot was made (generator, model, seed, sources, voices)"),
    "chapters": Export("pipeline.export.chapters", True, "chapters.txt and chapters.vtt: the film's chapters"),
    "otio": Export("pipeline.export.otio", False,
                   "timeline.otio (OpenTimelineIO) with each shot encoded apart, with handles, for an editor"),
    "fcp7xml": Export("pipeline.export.editors", False, "timeline.xml: Final Cut Pro 7 XML (Premiere, Resolve)"),
    "edl": Export("pipeline.export.editors", False, "timeline.edl: a CMX 3600 edit decision list"),
    "kdenlive": Export("pipeline.export.editors", False, "timeline.kdenlive: a Kdenlive project"),
    "review": Export("pipeline.export.review", False,
                     "review.html: the cut with every shot's frames, prompt, lines and status, to share"),
    "contact": Export("pipeline.export.contact", False, "contact.png: every shot of the cut on one sheet"),
}


def names(on_build: bool | None = None) -> tuple[str, ...]:
    """The exports in the order a build writes them; only those `on_build` is (when given)."""
    return tuple(name for name, e in EXPORTS.items() if on_build is None or e.on_build == on_build)


def get(name: str) -> Callable[["BuildResult", Path], tuple[Path, ...]]:
    """The `write` function of the export called `name` (KeyError for an unknown one). A
    module that writes several formats has `writer(name)` instead of one `write`."""
    module = import_module(EXPORTS[name].module)
    return module.writer(name) if hasattr(module, "writer") else module.write


def check(asked: tuple[str, ...], only: bool = False) -> None:
    """Raise a FilmError naming each of `asked` that is not an export one can ask for (with a
    did-you-mean), and any asked of a build of only some shots (`--only`: its cut is not the
    film's)."""
    from ..errors import FilmError, Problem, did_you_mean

    choices = names(on_build=False)
    problems = [Problem("--format", 0, f"no export '{name}'{did_you_mean(name, list(choices))} (one of: "
                                       f"{', '.join(choices)})") for name in asked if name not in choices]
    if only and asked:
        problems.append(Problem("--only", 0, "exports describe the whole film: build it without --only"))
    if problems:
        raise FilmError(problems)
    for name in asked:   # what an export needs installed, known before anything is built
        module = import_module(EXPORTS[name].module)
        if hasattr(module, "requires"):
            module.requires(name)


def write_all(result: "BuildResult", renders: Path) -> None:
    """Every export a build writes of `result` (`on_build`), a finished build whose renders go
    under `renders`."""
    for name in names(on_build=True):
        get(name)(result, renders)
