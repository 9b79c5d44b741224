"""The cast: each character as a flat-shaded standing figure in their own colour, with a name tag."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from PIL import Image, ImageDraw

from .palette import RGB, Palette, Point, circle_box, digest, figure_colour, mix, scaled
from .text import draw_text, fit_line, text_width

FEET = 0.80             # where figures stand
FIGURE_HEIGHT = 0.40    # figure height, as a fraction of the canvas height
FIGURE_SPAN = (0.18, 0.82)  # figures stay in this horizontal band so a zoom or pan keeps them in view

_SKIN = ((241, 204, 176), (226, 180, 142), (198, 144, 104), (152, 104, 72), (110, 74, 52), (236, 196, 160))
_HAIR = ((40, 32, 30), (92, 62, 40), (60, 42, 32), (150, 104, 60), (218, 184, 112), (30, 28, 30))


@dataclass(frozen=True)
class _Figure:
    name: str
    look: str
    x: float        # centre, in canvas pixels
    feet: float
    height: float
    tag_width: float  # room for the name tag


def figure_layout(cast: tuple[tuple[str, str], ...], w: int, h: int) -> list[_Figure]:
    """Where each of `cast` (name, look) stands on a `w` x `h` canvas, left to right."""
    n = len(cast)
    if not n:
        return []
    span = (FIGURE_SPAN[1] - FIGURE_SPAN[0]) * w
    spacing = min(w * 0.26, span / (n - 1)) if n > 1 else w * 0.5
    fig_h = min(h * FIGURE_HEIGHT, spacing / 0.42)
    figures = []
    for i, (name, look) in enumerate(cast):
        x = w / 2 + (i - (n - 1) / 2) * spacing
        height = fig_h * (0.72 if _has(look, "CHILD", "BOY", "GIRL", "KID", "TODDLER") else 1.0)
        figures.append(_Figure(name, look, x, h * FEET, height, spacing * 0.94 if n > 1 else w * 0.5))
    return figures


def _has(text: str, *words: str) -> bool:
    upper = text.upper()
    return any(re.search(rf"\b{word}", upper) for word in words)


def _hair(look: str, name: str) -> RGB | None:
    if _has(look, "BALD"):
        return None
    for words, colour in ((("BLOND", "GOLDEN-HAIR", "FAIR-HAIR"), (222, 188, 112)),
                          (("RED HAIR", "RED-HAIR", "REDHEAD", "GINGER", "AUBURN"), (168, 72, 40)),
                          (("GREY", "GRAY", "SILVER", "WHITE-HAIR", "WHITE HAIR", "OLD", "ELDERLY", "AGED"), (196, 196, 200)),
                          (("BLACK HAIR", "BLACK-HAIR", "DARK HAIR", "DARK-HAIR", "RAVEN"), (34, 30, 32)),
                          (("BROWN HAIR", "BROWN-HAIR", "BRUNETTE"), (102, 66, 40))):
        if _has(look, *words):
            return colour
    return _HAIR[digest(name)[4] % len(_HAIR)]


def draw_figures(img: Image.Image, figures: list[_Figure], pal: Palette, ss: int) -> None:
    """Draw the figures supersampled on a layer just big enough for them, and lay it over `img`."""
    w, h = img.size
    left = max(0, math.floor(min(f.x - f.height * 0.3 for f in figures)))
    right = min(w, math.ceil(max(f.x + f.height * 0.3 for f in figures)))
    top = max(0, math.floor(min(f.feet - f.height * 1.1 for f in figures)))
    bottom = min(h, math.ceil(max(f.feet + f.height * 0.05 for f in figures)))
    if right <= left or bottom <= top:
        return
    layer = Image.new("RGBA", ((right - left) * ss, (bottom - top) * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for f in figures:
        x, feet, fh = (f.x - left) * ss, (f.feet - top) * ss, f.height * ss
        draw.ellipse((x - fh * 0.2, feet - fh * 0.025, x + fh * 0.2, feet + fh * 0.025), fill=(0, 0, 0, 70))
    for f in figures:
        _figure(draw, f, pal, ss, (left, top))
    # Reduce premultiplied, or the transparent surround would darken the figures' edges.
    small = layer.convert("RGBa").reduce(ss).convert("RGBA")
    img.paste(small, (left, top), small)


def _figure(draw: ImageDraw.ImageDraw, f: _Figure, pal: Palette, ss: int, origin: Point) -> None:
    """A flat-shaded standing figure: the costume in the character's colour, inked outlines."""
    x, feet, h = (f.x - origin[0]) * ss, (f.feet - origin[1]) * ss, f.height * ss
    d = digest(f.name.strip().upper())
    body = figure_colour(f.name)
    shade = scaled(body, 0.8)
    skin = _SKIN[d[5] % len(_SKIN)]
    legs = mix(scaled(body, 0.45), (48, 50, 60), 0.5)
    ink = pal.ink
    lw = max(1, round(h / 95))
    robe = _has(f.look, "ROBE", "DRESS", "GOWN", "CLOAK", "TOGA", "KIMONO", "CASSOCK", "HABIT", "SARI", "SKIRT")

    head_r = h * 0.085
    head_y = feet - h + head_r
    sh_y = feet - h + head_r * 2 + h * 0.03
    sw, hw = h * 0.15, h * 0.11
    hip_y = feet - h * 0.45
    foot_y = feet - h * 0.035

    if not robe:
        for side in (-1, 1):
            outer, inner = x + side * hw, x + side * h * 0.012
            draw.polygon([(outer, hip_y - h * 0.02), (inner, hip_y - h * 0.02), (x + side * h * 0.02, foot_y),
                          (x + side * h * 0.095, foot_y)], fill=legs, outline=ink, width=lw)
    for side in (-1, 1):
        fx = x + side * h * 0.06
        draw.ellipse((fx - h * 0.055 + side * h * 0.012, foot_y - h * 0.02, fx + h * 0.055 + side * h * 0.012,
                      feet + h * 0.008), fill=ink)

    hem_y, hem_w = (foot_y - h * 0.005, h * 0.17) if robe else (hip_y, hw)
    torso = [(x - sw + h * 0.035, sh_y), (x + sw - h * 0.035, sh_y), (x + sw, sh_y + h * 0.05),
             (x + hem_w, hem_y), (x - hem_w, hem_y), (x - sw, sh_y + h * 0.05)]
    draw.polygon(torso, fill=body)
    k = 0.4
    draw.polygon([(x + (sw - h * 0.035) * k, sh_y), (x + sw - h * 0.035, sh_y), (x + sw, sh_y + h * 0.05),
                  (x + hem_w, hem_y), (x + hem_w * k, hem_y)], fill=shade)
    draw.polygon(torso, outline=ink, width=lw)
    if not robe:  # belt
        draw.line([(x - hw * 1.02, hip_y - h * 0.03), (x + hw * 1.02, hip_y - h * 0.03)], fill=scaled(body, 0.55),
                  width=max(1, round(h * 0.018)))

    # Neck, then arms hanging beside the torso.
    draw.rectangle((x - h * 0.025, sh_y - h * 0.035, x + h * 0.025, sh_y + h * 0.01), fill=skin, outline=ink, width=lw)
    for side in (-1, 1):
        top_out, top_in = x + side * (sw + h * 0.005), x + side * (sw - h * 0.06)
        hand_x = x + side * (sw + h * 0.02)
        hand_y = hip_y + h * 0.035
        sleeve = body if side < 0 else shade
        draw.polygon([(top_in, sh_y + h * 0.015), (top_out, sh_y + h * 0.05), (hand_x + side * h * 0.025, hand_y),
                      (hand_x - side * h * 0.03, hand_y)], fill=sleeve, outline=ink, width=lw)
        draw.ellipse(circle_box(hand_x, hand_y + h * 0.02, h * 0.03), fill=skin, outline=ink, width=lw)

    hair = _hair(f.look, f.name)
    long_hair = hair is not None and _has(f.look, r"LONG[- ](\w+[- ])?HAIR", "PONYTAIL", "BRAID", "CURLS", "PIGTAIL")
    if long_hair:
        draw.rounded_rectangle((x - head_r * 1.12, head_y - head_r * 0.6, x + head_r * 1.12, head_y + head_r * 1.7),
                               radius=head_r * 0.5, fill=hair, outline=ink, width=lw)
    draw.ellipse(circle_box(x, head_y, head_r), fill=skin, outline=ink, width=lw)
    eye = max(1.0, head_r * 0.1)
    for side in (-1, 1):
        draw.ellipse(circle_box(x + side * head_r * 0.36, head_y + head_r * 0.12, eye), fill=ink)
    # The hair's box reaches below the head's centre line so the hairline sits on the forehead.
    top = (x - head_r * 1.06, head_y - head_r * 1.08, x + head_r * 1.06, head_y + head_r * 0.55)
    if _has(f.look, "HELMET", "GLADIATOR", "SOLDIER", "LEGIONARY", "CENTURION", "KNIGHT", "ARMOU?R"):
        metal = (176, 178, 186) if pal.kind != "night" else (130, 134, 150)
        draw.pieslice((top[0], top[1] - head_r * 0.1, top[2], top[3]), 180, 360, fill=metal, outline=ink, width=lw)
        draw.rectangle((x - head_r * 1.1, head_y - head_r * 0.1, x + head_r * 1.1, head_y + head_r * 0.05),
                       fill=metal, outline=ink, width=lw)
        if _has(f.look, "CENTURION", "GLADIATOR", "CREST", "PLUME"):
            draw.chord((x - head_r * 0.9, head_y - head_r * 1.9, x + head_r * 0.9, head_y - head_r * 0.5), 180, 360,
                       fill=(184, 40, 40), outline=ink, width=lw)
    elif _has(f.look, "CROWN", "KING", "QUEEN", "PRINCE", "PRINCESS", "EMPEROR", "EMPRESS"):
        if hair:
            draw.chord(top, 180, 360, fill=hair, outline=ink, width=lw)
        gold = (232, 190, 70)
        cy = head_y - head_r * 0.75
        r = head_r * 0.8
        draw.polygon([(x - r, cy), (x - r, cy - r * 0.7), (x - r * 0.5, cy - r * 0.3), (x, cy - r * 0.85),
                      (x + r * 0.5, cy - r * 0.3), (x + r, cy - r * 0.7), (x + r, cy)], fill=gold, outline=ink, width=lw)
    elif _has(f.look, "HAT", "FEDORA", "CAP", "BOWLER", "STETSON"):
        hat = mix(scaled(body, 0.5), (40, 36, 40), 0.5)
        draw.rectangle((x - head_r * 0.85, head_y - head_r * 1.6, x + head_r * 0.85, head_y - head_r * 0.4),
                       fill=hat, outline=ink, width=lw)
        draw.rectangle((x - head_r * 1.45, head_y - head_r * 0.55, x + head_r * 1.45, head_y - head_r * 0.3),
                       fill=hat, outline=ink, width=lw)
    elif hair:
        draw.chord(top, 180, 360, fill=hair, outline=ink, width=lw)


def draw_tags(img: Image.Image, figures: list[_Figure], pal: Palette) -> None:
    """A small readable name tag over each figure's head, with a swatch of the figure's colour."""
    w, h = img.size
    draw = ImageDraw.Draw(img)
    size = max(7, round(h / 30))
    for f in figures:
        max_w = max(4.0, min(f.tag_width, w - 4.0))
        pad = max(2, round(size * 0.45))
        swatch = max(3, round(size * 0.6))
        fnt, label = fit_line(f.name, "bold", size, 6, max_w - 3 * pad - swatch)
        text_w = text_width(label, fnt)
        cap_top, cap_bottom = fnt.getbbox("H")[1], fnt.getbbox("H")[3]
        box_h = (cap_bottom - cap_top) + 2 * pad
        box_w = text_w + swatch + 3 * pad
        bottom = f.feet - f.height - h * 0.018
        left = min(max(2.0, f.x - box_w / 2), w - 2 - box_w)
        box = (left, bottom - box_h, left + box_w, bottom)
        draw.rounded_rectangle(box, radius=box_h * 0.3, fill=pal.paper, outline=pal.ink, width=1)
        sy = bottom - box_h / 2
        draw.ellipse((left + pad, sy - swatch / 2, left + pad + swatch, sy + swatch / 2), fill=figure_colour(f.name),
                     outline=pal.ink, width=1)
        # Baseline placed so the capitals sit in the middle of the tag.
        draw_text(draw, (left + 2 * pad + swatch, bottom - pad), label, fnt, pal.ink, "ls")
