"""Text for panels and cards in any script: measuring, wrapping, ellipsising, fitting, drawing.

A line is laid out as pieces: `fonts.runs` gives each cluster the first bundled face that covers
it, the Unicode bidirectional algorithm gives each character its level (python-bidi's reference
implementation, `bidi.algorithm`: the Rust `get_display` returns only the reordered string, and
the pieces need the levels), and the pieces are put in visual order (rule L2). Each piece is one
Pillow call in one font. Shaping (Arabic joining, Indic reordering, ligatures) is Pillow's Raqm
layout (HarfBuzz, bundled in Pillow's wheels; FriBiDi is loaded from the system), given each
piece's direction. Where Raqm is missing (no libfribidi on the machine), Pillow's basic layout
is used and right-to-left pieces are shaped with `arabic-reshaper` and reversed cluster by
cluster: Arabic joins and reads right to left, but Indic vowel signs are not reordered.

`font` arguments are the primary (Lato) fonts from `fonts.font`; a piece in another face uses
that face at the same size and weight, and every piece sits on the primary font's baseline.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageDraw, ImageFont, features

from ... import fonts
from ...fonts import font

ELLIPSIS = "\u2026"
DOT = " \u00b7 "
DASH = " \u2014 "
RAQM = features.check_feature("raqm")
# What follows a character that may not start a line (kinsoku), and what may not end one.
_NO_START = set("、。，．・：；？！ー）」』】〕〉》〙〗｝］”’,.;:!?)]}%")
_NO_END = set("（「『【〔〈《〘〖｛［“‘([{")


@dataclass(frozen=True)
class Piece:
    """A stretch of one line in one font and one direction; `text` is in logical order."""

    text: str
    font: ImageFont.FreeTypeFont
    rtl: bool
    width: float


def _raqm(f: ImageFont.FreeTypeFont) -> bool:
    return RAQM and f.layout_engine == ImageFont.Layout.RAQM


def _levels(text: str) -> list[int]:
    """The bidi embedding level of each character (0 throughout for text with no RTL)."""
    if not any(unicodedata.bidirectional(c) in ("R", "AL", "RLE", "RLO", "RLI") for c in text):
        return [0] * len(text)
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    base = uba.get_base_level(text)
    storage["base_level"], storage["base_dir"] = base, ("L", "R")[base]
    uba.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["index"] = i
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels: list[int | None] = [None] * len(text)
    for ch in storage["chars"]:
        levels[ch["index"]] = ch["level"]
    # Characters rule X9 removes (joiners, embeddings) take the level of the one before them.
    out, last = [], base
    for level in levels:
        last = last if level is None else level
        out.append(last)
    return out


def _shape_basic(text: str, rtl: bool) -> str:
    """Without Raqm: Arabic letters in their joined forms, and an RTL piece in visual order."""
    if not rtl:
        return text
    import arabic_reshaper

    from ...fonts import clusters

    return "".join(reversed(clusters(arabic_reshaper.reshape(text))))


def _measure(text: str, f: ImageFont.FreeTypeFont, rtl: bool) -> float:
    if _raqm(f):
        return f.getlength(text, direction="rtl" if rtl else "ltr")
    return f.getlength(_shape_basic(text, rtl))


@lru_cache(maxsize=8192)
def layout(text: str, f: ImageFont.FreeTypeFont) -> tuple[Piece, ...]:
    """`text` (one line) as pieces in visual order, left to right, for primary font `f`."""
    if not text:
        return ()
    weight, size = fonts.weight_of(f), f.size
    levels = _levels(text)
    logical: list[tuple[str, fonts.Face, int]] = []
    i = 0
    for run, face in fonts.runs(text):
        start = i
        for j in range(start, start + len(run)):
            if j > start and levels[j] != levels[j - 1]:
                logical.append((text[start:j], face, levels[start]))
                start = j
        i += len(run)
        logical.append((text[start:i], face, levels[start]))
    # L2: from the highest level down to the lowest odd one, reverse each sequence at or above it.
    order = list(range(len(logical)))
    top = max(level for _, _, level in logical)
    lowest_odd = min((level for _, _, level in logical if level % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        k = 0
        while k < len(order):
            if logical[order[k]][2] >= level:
                end = k
                while end < len(order) and logical[order[end]][2] >= level:
                    end += 1
                order[k:end] = reversed(order[k:end])
                k = end
            else:
                k += 1
    pieces = []
    for n in order:
        run, face, level = logical[n]
        pf = f if face == fonts.LATO and f.layout_engine == fonts.layout_engine() else \
            fonts.pillow_font(face, size, weight, fonts.layout_engine())
        pieces.append(Piece(run, pf, bool(level % 2), _measure(run, pf, bool(level % 2))))
    return tuple(pieces)


def text_width(text: str, f: ImageFont.FreeTypeFont) -> float:
    """The advance width of one line of `text` in pixels, every script in its own face."""
    return sum(p.width for p in layout(text, f))


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, f: ImageFont.FreeTypeFont,
              fill, anchor: str = "la") -> None:
    """Draw one line like `ImageDraw.text(xy, text, font=f, fill=fill, anchor=anchor)`, but with
    each script in a face that has it, shaped, and right-to-left text in its order.

    `anchor` is Pillow's two letters: horizontal `l`, `m` or `r`; vertical `a` (ascender), `t`
    (treated as `a`), `m`, `s` (baseline) or `d` (descender) of the primary font `f`.
    """
    pieces = layout(text, f)
    if not pieces:
        return
    if len(pieces) == 1 and pieces[0].font is f and not pieces[0].rtl:
        draw.text(xy, text, font=f, fill=fill, anchor=anchor)  # one Lato piece: exactly as before
        return
    x, y = xy
    ascent, descent = f.getmetrics()
    width = sum(p.width for p in pieces)
    x0 = {"l": x, "m": x - width / 2, "r": x - width}[anchor[0]]
    baseline = {"a": y + ascent, "t": y + ascent, "m": y + (ascent - descent) / 2, "s": y, "d": y - descent}[anchor[1]]
    for p in pieces:
        if _raqm(p.font):
            draw.text((x0, baseline), p.text, font=p.font, fill=fill, anchor="ls", direction="rtl" if p.rtl else "ltr")
        else:
            draw.text((x0, baseline), _shape_basic(p.text, p.rtl), font=p.font, fill=fill, anchor="ls")
        x0 += p.width


# ---------------------------------------------------------------------------------------------
# Breaking and fitting


def _break_ok(before: str, after: str) -> bool:
    """Whether a line may break between two clusters of a word (CJK, long words, URLs)."""
    return not (after[0] in _NO_START or before[-1] in _NO_END)


def _ellipsise(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> str:
    """`text`, cut at the end (between clusters) with an ellipsis so that it fits `max_width`."""
    if text_width(text, f) <= max_width:
        return text
    parts = fonts.clusters(text)
    lo, hi = 0, len(parts)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if text_width("".join(parts[:mid]).rstrip() + ELLIPSIS, f) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return "".join(parts[:lo]).rstrip() + ELLIPSIS if lo else (ELLIPSIS if text_width(ELLIPSIS, f) <= max_width else "")


def _split_word(word: str, f: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """A word wider than the line, in line-wide pieces cut between clusters (where allowed).

    Each piece is the longest prefix that fits (a prefix is never narrower than a shorter one),
    found by doubling then bisecting, so the measuring costs about O(k log k) per piece of k
    clusters: a long unbroken word takes time in proportion to its length, not its cube."""
    parts = fonts.clusters(word)
    lines = []
    while len(parts) > 1:
        fits, step = 1, 1                 # parts[:fits] is kept whatever its width: one cluster at least
        while fits < len(parts) and text_width("".join(parts[:min(fits + step, len(parts))]), f) <= max_width:
            fits = min(fits + step, len(parts))
            step *= 2
        if fits == len(parts):
            break
        lo, hi = fits, min(fits + step, len(parts)) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if text_width("".join(parts[:mid]), f) <= max_width:
                lo = mid
            else:
                hi = mid - 1
        cut = lo
        while cut > 1 and not _break_ok(parts[cut - 1], parts[cut]):
            cut -= 1
        lines.append("".join(parts[:cut]))
        parts = parts[cut:]
    return lines + ["".join(parts)]


def _words(paragraph: str) -> list[tuple[str, str]]:
    """(separator before, word) pairs: words are split at spaces, and CJK text between any two
    ideographs or kana (which need no space), with the separator "" there."""
    out: list[tuple[str, str]] = []
    for n, chunk in enumerate(paragraph.split()):
        sep = " " if n else ""
        current = ""
        for cluster in fonts.clusters(chunk):
            if current and (_wide(cluster) or _wide(current[-1])) and _break_ok(current, cluster):
                out.append((sep, current))
                sep, current = "", cluster
            else:
                current += cluster
        out.append((sep, current))
    return out


def _wide(cluster: str) -> bool:
    return unicodedata.east_asian_width(cluster[0]) in ("W", "F") and not (0x1F000 <= ord(cluster[0]) <= 0x1FAFF)


def wrap(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy line breaking at spaces and between CJK characters (never before closing or after
    opening punctuation); a word wider than the line is broken between clusters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for sep, word in _words(paragraph):
            candidate = f"{line}{sep}{word}" if line else word
            if text_width(candidate, f) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            *whole, word = _split_word(word, f, max_width)
            lines += whole
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
