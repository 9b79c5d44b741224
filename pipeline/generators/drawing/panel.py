"""A storyboard panel: its background (setting, light and cast) and the overlay above it (caption and slate)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from ...fonts import font
from .figures import draw_figures, draw_tags, figure_layout
from .palette import palette
from .scenery import exterior, interior
from .text import DASH, DOT, clamp, draw_text, fit_line, line_height, text_width, wrap


@dataclass(frozen=True)
class PanelRequest:
    """Everything one storyboard panel shows; the canvas is larger than the frame (~1.25x)."""

    width: int
    height: int
    frame_width: int
    frame_height: int
    setting: str
    location: str
    time_of_day: str
    cast: tuple[tuple[str, str], ...]
    caption: str
    scene_label: str
    shot_id: str
    camera: str
    seed: int
    # "bottom", or "top" when subtitles are burned in: they sit at the bottom, and must not cover it
    caption_at: str = "bottom"


# ---------------------------------------------------------------------------------------------
# Backgrounds


def draw_background(req: PanelRequest) -> Image.Image:
    """The panel's canvas (RGB, `req.width` x `req.height`): the setting, its light, and the cast.

    Exteriors get a sky for the time of day over a horizon at 60% height with seed-varied
    silhouettes chosen from the location's words; interiors get a room in one-point perspective
    with a window or door and daylight or lamplight. Each cast member stands as a figure in their
    own colour (see `figure_colour`) with a name tag, inside the central 80% of the canvas.
    """
    width, height = max(1, req.width), max(1, req.height)
    pal = palette(req.setting, req.time_of_day)
    # Small canvases need more supersampling to keep thin shapes.
    ss = 2 if min(width, height) >= 360 else 4
    size = (width * ss, height * ss)
    if pal.interior:
        img, light = interior(size, pal, req.setting, random.Random(f"{req.seed}:room"))
    else:
        img, light = exterior(size, pal, req.location, random.Random(f"{req.seed}:exterior"))
    img = light.apply(img.reduce(ss), ss)
    figures = figure_layout(req.cast, width, height)
    if figures:
        draw_figures(img, figures, pal, ss)
        draw_tags(img, figures, pal)
    return img


# ---------------------------------------------------------------------------------------------
# The overlay


def draw_overlay(req: PanelRequest) -> Image.Image:
    """The static layer over the moving panel (RGBA, frame size): the caption band and the slate.

    The caption is wrapped to at most three lines (ellipsised beyond) on a semi-transparent dark
    band at the bottom (at the top when `caption_at` is "top": burned subtitles take the bottom,
    and the caption must not be covered); no caption draws no band. The slate in the top-left
    corner (below a top band) reads "SC 2 · marcus · DOLLY-IN", with the scene heading below it
    when the frame is large enough. Everything else is fully transparent.
    """
    fw, fh = max(1, req.frame_width), max(1, req.frame_height)
    img = Image.new("RGBA", (fw, fh), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    margin = max(2, round(fh * 0.028))

    caption = " ".join(req.caption.split())
    top = 0   # where the slate may start: below a caption band at the top
    if caption:
        size = max(8, round(fh / 24))
        pad_x, pad_y = max(4, round(size * 1.2)), max(2, round(size * 0.5))
        f = font(size, "regular")
        lines = clamp(wrap(caption, f, fw - 2 * pad_x), f, fw - 2 * pad_x, 3)
        line_h = round(size * 1.3)
        band_h = len(lines) * line_h + 2 * pad_y
        band_top = 0 if req.caption_at == "top" else fh - band_h
        if req.caption_at == "top":
            top = band_h
        draw.rectangle((0, band_top, fw, band_top + band_h), fill=(8, 8, 12, 168))
        ascent = f.getmetrics()[0]
        for i, line in enumerate(lines):
            baseline = band_top + pad_y + i * line_h + (line_h + ascent * 0.72) / 2
            draw_text(draw, (fw / 2, baseline), line, f, (250, 248, 240, 255), "ms")

    slate = DOT.join(part for part in (req.scene_label.strip(), req.shot_id.strip(), req.camera.strip().upper()) if part)
    heading = _heading(req)
    if slate or heading:
        size = max(7, round(fh / 40))
        pad = max(2, round(size * 0.5))
        accent = max(2, round(size * 0.22))
        max_text = fw - 2 * margin - 2 * pad - accent
        rows: list[tuple[ImageFont.FreeTypeFont, str, tuple[int, int, int, int]]] = []
        if slate:
            f, text = fit_line(slate, "bold", size, 6, max_text)
            rows.append((f, text, (250, 248, 240, 255)))
        if heading and fh >= 200:
            f, text = fit_line(heading, "regular", max(6, round(size * 0.8)), 6, max_text)
            rows.append((f, text, (206, 206, 214, 255)))
        if rows:
            heights = [line_height(f) for f, _, _ in rows]
            box_w = max(text_width(t, f) for f, t, _ in rows) + 2 * pad + accent
            box_h = sum(heights) + 2 * pad
            y0 = top + margin
            draw.rectangle((margin, y0, margin + box_w, y0 + box_h), fill=(8, 8, 12, 176))
            draw.rectangle((margin, y0, margin + accent - 1, y0 + box_h), fill=(232, 176, 64, 255))
            y = y0 + pad
            for (f, text, colour), lh in zip(rows, heights):
                draw_text(draw, (margin + accent + pad, y), text, f, colour, "la")
                y += lh
    return img


def _heading(req: PanelRequest) -> str:
    setting = req.setting.strip().upper()
    place = " ".join(req.location.split())
    head = f"{setting}. {place}" if setting and place else setting or place
    tod = req.time_of_day.strip().upper()
    return f"{head}{DASH}{tod}" if head and tod else head
