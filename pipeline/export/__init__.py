"""Exports: what a finished build writes beside the cut, one module per output, by name.

Each entry names a module with `write(result: BuildResult, renders: Path) -> None`; `film
build` runs them all once the cut is made. Adding an output is one module and one entry here.
Modules are imported on first use, so an export's dependencies cost nothing until it runs.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from ..build.run import BuildResult

EXPORTS: dict[str, str] = {
    "lock": "pipeline.export.lock",       # renders/NAME/lock.json: what each generated shot is rendered with
    "report": "pipeline.export.report",   # renders/NAME/build.json: the cut and every job
}


def names() -> tuple[str, ...]:
    """The exports, in the order a build writes them."""
    return tuple(EXPORTS)


def get(name: str) -> Callable[["BuildResult", Path], None]:
    """The `write` function of the export called `name` (KeyError for an unknown one)."""
    return import_module(EXPORTS[name]).write


def write_all(result: "BuildResult", renders: Path) -> None:
    """Every export of `result`, a finished build whose renders go under `renders`."""
    for name in names():
        get(name)(result, renders)
