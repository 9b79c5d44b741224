"""Drawing for the animatic: storyboard panels, and the title, text and credits cards.

Pure drawing: every function takes plain values and returns a Pillow image, and the same input
always gives the same bytes (randomness comes only from `random.Random` seeded by the request).
Backgrounds are drawn supersampled and reduced, so edges stay clean from 160x90 to 4K; large
smooth areas (skies, glows, vignettes) are built with numpy at low resolution and scaled up.

`palette` holds the colours, `text` sets type, `scenery` and `figures` draw the setting and the
cast, `panel` composes them into a panel and its overlay, and `cards` draws the cards.
"""

from __future__ import annotations

from .cards import draw_credits, draw_text_card, draw_title_card
from .palette import Palette, figure_colour, palette
from .panel import PanelRequest, draw_background, draw_overlay

__all__ = [
    "PanelRequest", "Palette", "palette", "figure_colour", "draw_background", "draw_overlay",
    "draw_title_card", "draw_text_card", "draw_credits",
]
