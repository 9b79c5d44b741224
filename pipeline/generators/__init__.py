"""Generators turn a planned shot into a clip source for the editor, chosen by name.

Each is a `base.BaseGenerator` subclass, and the rest of the program uses it only through the
`base.Generator` contract (options, check, prepare, takes, lock_entry). The registry maps names
to `module:Class` strings so that listing or validating names never imports a generator's
heavy dependencies (torch, diffusers); `get` imports on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Generator

# Names a writer can give in `generator:`; cards (title, credits, text) are chosen by the plan.
REGISTRY: dict[str, str] = {
    "animatic": "pipeline.generators.animatic:Animatic",
    "still": "pipeline.generators.still:Still",
    "footage": "pipeline.generators.footage:Footage",
    "diffusers": "pipeline.generators.diffusers:Diffusers",
}
INTERNAL: dict[str, str] = {
    "card": "pipeline.generators.cards:Cards",
}
# What the plan gives each generator's shots (`plan.ShotSource`), without importing it: the
# drawn ones draw from the shot's words alone; these show a file of the writer's, named by the
# shot key given; every other writer's generator generates (`GeneratedSource`).
DRAWN: tuple[str, ...] = ("animatic",)
SHOWS_FILE: dict[str, str] = {"still": "image", "footage": "footage"}
_loaded: dict[str, "Generator"] = {}


def names() -> tuple[str, ...]:
    """Generator names a storyboard may choose."""
    return tuple(REGISTRY)


def get(name: str) -> "Generator":
    """The generator called `name` (one instance per process), a writer's or an internal one;
    raises KeyError for any other name (validation reports those first)."""
    if name not in _loaded:
        module, _, cls = (REGISTRY.get(name) or INTERNAL[name]).partition(":")
        _loaded[name] = getattr(import_module(module), cls)()
    return _loaded[name]
