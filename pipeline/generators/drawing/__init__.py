"""Drawing for the animatic: storyboard panels, and the title, text and credits cards.

Pure drawing: every function takes plain values and returns a Pillow image, and the same input
always gives the same bytes (randomness comes only from `random.Random` seeded by the request).
Backgrounds are drawn supersampled and reduced, so edges stay clean from 160x90 to 4K; large
smooth areas (skies, glows, vignettes) are built with numpy at low resolution and scaled up.

`palette` holds the colours, `text` sets type, `scenery` and `figures` draw the setting and the
cast, `panel` composes them into a panel and its overlay, and `cards` draws the cards.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

# The names this package gives, and the module of each. They load on first use (PEP 562): planning
# a film reads a panel's request and a credits roll's layout, and only drawing needs numpy. (The
# function `palette` is not among them: its module's name would hide it once loaded.)
_WHERE = {
    "PanelRequest": "request", "draw_background": "panel", "draw_overlay": "panel",
    "Palette": "palette", "figure_colour": "palette",
    "draw_title_card": "cards", "draw_text_card": "cards", "draw_credits": "cards",
}

__all__ = [
    "PanelRequest", "Palette", "figure_colour", "draw_background", "draw_overlay",
    "draw_title_card", "draw_text_card", "draw_credits",
]

if TYPE_CHECKING:
    from .cards import draw_credits, draw_text_card, draw_title_card
    from .palette import Palette, figure_colour
    from .panel import draw_background, draw_overlay
    from .request import PanelRequest


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
