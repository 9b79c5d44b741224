"""Cards: the opening title, text cards and the credits roll."""

from __future__ import annotations

import math

from PIL import Image, ImageDraw

from ...fonts import font
from .text import DASH, draw_text, fit_block, fit_line, line_height, text_width


def _card_background(width: int, height: int) -> Image.Image:
    """Near-black with a soft lift in the middle and darker corners."""
    import numpy as np

    from .palette import grid, upscale

    xs, ys, gw, gh = grid(width, height, step=16)
    d = np.sqrt(((xs - width / 2) / (width / 2)) ** 2 + ((ys - height * 0.48) / (height / 2)) ** 2)
    t = np.clip(d / 1.45, 0, 1) ** 1.4
    centre, edge = np.array((32, 33, 42), np.float32), np.array((5, 5, 8), np.float32)
    values = centre + (edge - centre) * t[..., None]
    return upscale(values, width, height)


def _lines(text: str) -> str:
    """`text` with spaces collapsed but its line breaks kept: a writer's breaks are the card's."""
    return "\n".join(" ".join(row.split()) for row in text.split("\n") if row.strip())


def draw_title_card(width: int, height: int, title: str, subtitle: str = "") -> Image.Image:
    """The opening title (RGB): the title large and centred on a dark vignette, the subtitle below.

    Text sizes follow the image height and shrink (then wrap, then ellipsise) to stay within the
    middle 70% of the width, so a camera move over the card keeps it in view.
    """
    width, height = max(1, width), max(1, height)
    img = _card_background(width, height)
    draw = ImageDraw.Draw(img)
    max_w = width * 0.7
    tf, tlines = fit_block(_lines(title), "bold", round(height / 8), max(8, round(height / 22)), max_w, 3)
    sub = " ".join(subtitle.split())
    sf, slines = fit_block(sub, "italic", max(7, round(height / 24)), 7, max_w, 2) if sub else (tf, [])
    t_lh, s_lh = round(tf.size * 1.12), round(sf.size * 1.35)
    gap = round(tf.size * 0.55) if slines else 0
    rule = max(1, round(height / 400)) if slines else 0
    total = len(tlines) * t_lh + (2 * gap + rule + len(slines) * s_lh if slines else 0)
    y = (height - total) / 2
    for line in tlines:
        draw_text(draw, (width / 2, y + t_lh / 2), line, tf, (246, 240, 226), "mm")
        y += t_lh
    if slines:
        y += gap
        half = min(max_w / 2, height * 0.08)
        draw.rectangle((width / 2 - half, y, width / 2 + half, y + rule - 1 if rule > 1 else y), fill=(200, 166, 104))
        y += rule + gap
        for line in slines:
            draw_text(draw, (width / 2, y + s_lh / 2), line, sf, (176, 176, 188), "mm")
            y += s_lh
    return img


def draw_text_card(width: int, height: int, text: str) -> Image.Image:
    """A card (RGB) with `text` centred on the title card's dark background, wrapped to fit."""
    width, height = max(1, width), max(1, height)
    img = _card_background(width, height)
    draw = ImageDraw.Draw(img)
    f, lines = fit_block(_lines(text), "bold", round(height / 11), max(8, round(height / 28)), width * 0.7, 5)
    lh = round(f.size * 1.2)
    y = (height - len(lines) * lh) / 2
    for line in lines:
        draw_text(draw, (width / 2, y + lh / 2), line, f, (240, 236, 226), "mm")
        y += lh
    return img


def _credits_layout(width: int, fh: int, sections: tuple[tuple[str, tuple[str, ...]], ...]):
    """Type sizes and where each line of the roll goes: (heading size, name size, max width,
    [(kind, top, text)], content height)."""
    max_w = width * 0.86
    head_size, name_size = max(7, round(fh / 30)), max(8, round(fh / 20))
    # One scale for the whole roll, so a long name shrinks everything rather than standing out.
    widest = 0.0
    for heading, names in sections:
        widest = max(widest, text_width(heading.upper(), font(head_size, "regular")) / max_w)
        for name in names:
            widest = max(widest, text_width(name, font(name_size, "bold")) / max_w)
    if widest > 1:
        head_size, name_size = max(6, int(head_size / widest)), max(7, int(name_size / widest))
    hf, nf = font(head_size, "regular"), font(name_size, "bold")
    head_lh, name_lh = round(line_height(hf) * 1.1), round(line_height(nf) * 1.15)
    gap = round(name_size * 1.6)

    layout: list[tuple[str, float, str, int]] = []
    y = 0.0
    for i, (heading, names) in enumerate(sections):
        if i:
            y += gap
        if heading.strip():
            layout.append(("head", y, heading.strip().upper(), head_lh))
            y += head_lh + round(name_size * 0.35)
        for name in names:
            layout.append(("name", y, name, name_lh))
            y += name_lh
    return head_size, name_size, max_w, layout, math.ceil(y)


def credits_lines(width: int, frame_height: int, sections: tuple[tuple[str, tuple[str, ...]], ...]
                  ) -> tuple[int, tuple[tuple[int, str], ...]]:
    """The roll's content height (pixels, between the black frames `draw_credits` puts before and
    after it) and each line's (height, text) as drawn: what the plan needs to scroll it at a pace
    a reader can follow."""
    _, _, _, layout, content = _credits_layout(max(1, width), max(1, frame_height), sections)
    return content, tuple((height, text) for _, _, text, height in layout)


def draw_credits(width: int, frame_height: int, sections: tuple[tuple[str, tuple[str, ...]], ...]) -> Image.Image:
    """The credits roll (RGB, `width` wide): one frame of black, the sections, one frame of black.

    Each section is a small dim heading over its names in larger light type; a name written
    "ROLE — Actor" is set in two columns either side of the centre. The editor scrolls it
    bottom to top, so it starts and ends on black.
    """
    width, fh = max(1, width), max(1, frame_height)
    head_size, name_size, max_w, layout, content = _credits_layout(width, fh, sections)
    nf, rf = font(name_size, "bold"), font(name_size, "regular")
    img = Image.new("RGB", (width, fh + content + fh), (0, 0, 0))
    draw = ImageDraw.Draw(img)
    cx, col_gap = width / 2, name_size * 0.6
    for kind, y, text, _ in layout:
        top = fh + y
        if kind == "head":
            f, line = fit_line(text, "regular", head_size, 6, max_w)
            draw_text(draw, (cx, top), line, f, (150, 150, 162), "ma")
            continue
        role, sep, actor = text.partition(DASH.strip())
        role, actor = role.strip(), actor.strip()
        half = width / 2 - col_gap / 2 - (width - max_w) / 2
        if sep and role and actor and text_width(role, rf) <= half and text_width(actor, nf) <= half:
            draw_text(draw, (cx - col_gap / 2, top), role, rf, (196, 196, 204), "ra")
            draw_text(draw, (cx + col_gap / 2, top), actor, nf, (244, 242, 236), "la")
        else:
            f, line = fit_line(text, "bold", name_size, 6, max_w)
            draw_text(draw, (cx, top), line, f, (244, 242, 236), "ma")
    return img
