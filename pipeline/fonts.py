"""The fonts every render uses, shipped by the `font-lato` package so nothing depends on
the fonts a machine happens to have installed (a fresh machine may have none)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import font_lato
from PIL import ImageFont

FONT_DIR = Path(font_lato.__file__).resolve().parent / "files"
REGULAR = FONT_DIR / "Lato-Regular.ttf"
BOLD = FONT_DIR / "Lato-Bold.ttf"
ITALIC = FONT_DIR / "Lato-Italic.ttf"
FAMILY = "Lato"


@lru_cache(maxsize=64)
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    """A Pillow font of `size` pixels; `weight` is `regular`, `bold` or `italic`."""
    path = {"regular": REGULAR, "bold": BOLD, "italic": ITALIC}[weight]
    return ImageFont.truetype(str(path), size)
