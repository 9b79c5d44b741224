"""Text for panels and cards: measuring, wrapping, ellipsising, and fitting text to a width."""

from __future__ import annotations

from PIL import ImageFont

from ...fonts import font

ELLIPSIS = "\u2026"
DOT = " \u00b7 "
DASH = " \u2014 "


def text_width(text: str, f: ImageFont.FreeTypeFont) -> float:
    return f.getlength(text)


def _ellipsise(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> str:
    """`text`, cut at the end with an ellipsis so that it fits `max_width`."""
    if text_width(text, f) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid].rstrip() + ELLIPSIS, f) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS if lo else (ELLIPSIS if text_width(ELLIPSIS, f) <= max_width else "")


def wrap(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, f) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while text_width(word, f) > max_width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and text_width(word[:cut], f) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    return lines


def clamp(lines: list[str], f: ImageFont.FreeTypeFont, max_width: float, max_lines: int) -> list[str]:
    """At most `max_lines` lines, the last one ellipsised when text was dropped."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    # The dropped text's ellipsis is appended first, so the result always ends with one.
    kept[-1] = _ellipsise(f"{kept[-1]} {lines[max_lines]}{ELLIPSIS}", f, max_width)
    return kept


def fit_block(text: str, weight: str, size: int, min_size: int, max_width: float,
              max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (from `size` down to `min_size`) that sets `text` in `max_lines` lines."""
    size = max(1, size)
    min_size = max(1, min(min_size, size))
    while True:
        f = font(size, weight)
        lines = wrap(text, f, max_width)
        if len(lines) <= max_lines or size <= min_size:
            return f, clamp(lines, f, max_width, max_lines)
        size = max(min_size, int(size * 0.9))


def fit_line(text: str, weight: str, size: int, min_size: int, max_width: float) -> tuple[ImageFont.FreeTypeFont, str]:
    """One line of `text`: shrunk toward `min_size` to fit `max_width`, then ellipsised."""
    size = max(1, size)
    f = font(size, weight)
    width = text_width(text, f)
    if width > max_width and size > min_size:
        size = max(max(1, min_size), int(size * max_width / width))
        f = font(size, weight)
    return f, _ellipsise(text, f, max_width)


def line_height(f: ImageFont.FreeTypeFont) -> int:
    ascent, descent = f.getmetrics()
    return ascent + descent
