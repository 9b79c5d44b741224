"""Where text goes on a frame, and what a still already has there.

Three things write on the picture and each keeps to its own area: burned subtitles sit in the
bottom band of the title-safe area (SMPTE RP 2046-1: 90% of the frame, a 5% margin each side),
the animatic's caption and slate in the other band, away from them. `SubtitleLook` is the one
account of how large a burned subtitle is and where libass draws it (font size, box padding,
margins), read by the ASS writer and by the placement here.

A still (a diagram, a letter, a photograph with a caption) may have lettering of its own where
a subtitle would go. `StillView` measures it: strong edges (lettering, outlines, fine detail)
per pixel of the picture as the camera frames it at any frame of the shot, and `detail` says
what share of a subtitle's box they fill. `choose_place` keeps the subtitles at the bottom
unless the picture has detail there and leaves a quieter place: the top band, or a band raised
from the bottom (or lowered from the top) in steps. Measured on the picture file (no frame is
rendered), once per still, at a small size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Sequence

if TYPE_CHECKING:   # numpy is imported where a picture is measured: reading a script needs none
    import numpy as np


TITLE_SAFE = 0.05          # the title-safe margin, a fraction of each side
ANALYSIS_WIDTH = 480       # pixels across the canvas a still is measured at
EDGE_LEVEL = 40            # luma step (0-255) between neighbouring pixels that counts as an edge
GLYPH = 9                  # pixels of the window lettering is looked for in (about a glyph, measured)
DENSE = 0.12               # share of edges across, and along, a window that reads as lettering
QUIET = 0.005              # a box with at most this share of lettering covers nothing of note
BETTER = 0.5               # another place must have at most this share of the detail to be taken
STEP = 0.05                # raised (or lowered) places are tried this far apart (of the height)
SHIFT_COST = 0.04          # detail share a place must save per STEP it moves off its band


@dataclass(frozen=True)
class Place:
    """Where a cue's lines sit: "bottom" or "top", `margin` (a fraction of the frame's height)
    from that edge to the text."""

    align: Literal["bottom", "top"] = "bottom"
    margin: float = TITLE_SAFE


@dataclass(frozen=True)
class SubtitleLook:
    """How burned subtitles are drawn on a `width` x `height` frame (pixels): libass sizes a
    font so that its ascent + descent fill `font_size` (one line is that tall), and draws the
    box `padding` beyond the text on every side (BorderStyle 4, the outline width)."""

    width: int
    height: int

    @property
    def font_size(self) -> int:
        # smaller on portrait video, so that 42 characters fit the width
        return round(min(self.height / 18, self.width / 26))

    @property
    def padding(self) -> float:
        return max(1.0, round(self.height / 110, 1))

    @property
    def margin_h(self) -> int:
        return round(self.width * TITLE_SAFE)

    def margin_v(self, margin: float | None = None) -> int:
        return round(self.height * (TITLE_SAFE if margin is None else margin))

    def text_width(self, line: str) -> float:
        """Pixels `line` takes, set in Lato at the em libass draws it at."""
        from .. import fonts

        em = max(1, round(self.font_size * fonts.ass_em(fonts.LATO)))
        return fonts.font(em).getlength(line)

    def box(self, lines: Sequence[str], place: Place) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in pixels of the box a cue of `lines` is drawn in."""
        wide = min(max((self.text_width(line) for line in lines), default=0.0), self.width - 2 * self.margin_h)
        tall = len(lines) * self.font_size
        margin = self.margin_v(place.margin)
        top = margin if place.align == "top" else self.height - margin - tall
        pad = self.padding
        return (self.width - wide) / 2 - pad, top - pad, (self.width + wide) / 2 + pad, top + tall + pad


@dataclass(frozen=True)
class StillView:
    """A still's strong edges on its camera canvas (as `Still` covers the frame's canvas with
    it), and the move that frames it."""

    edges: np.ndarray       # bool, canvas rows x columns
    move: str
    total: int              # frames of the move (the shot with its handles)

    def window(self, frame: int) -> tuple[float, float, float]:
        """The canvas seen at frame `frame` of the move (as `camera.framing` renders it): (left,
        top) as fractions of the canvas, and the zoom (the frame shows 1/zoom of it each way)."""
        from ..camera import framing

        seen = framing(self.move, frame, self.total)
        return seen.left, seen.top, seen.zoom

    def detail(self, box: tuple[float, float, float, float], frames: Sequence[int]) -> float:
        """The largest share of edge pixels inside `box` (left, top, right, bottom: fractions
        of the frame) at any of `frames` (frames of the move)."""
        rows, cols = self.edges.shape
        worst = 0.0
        for frame in frames:
            left, top, zoom = self.window(frame)
            x0, x1 = (left + box[0] / zoom) * cols, (left + box[2] / zoom) * cols
            y0, y1 = (top + box[1] / zoom) * rows, (top + box[3] / zoom) * rows
            region = self.edges[max(0, math.floor(y0)):min(rows, math.ceil(y1)),
                                max(0, math.floor(x0)):min(cols, math.ceil(x1))]
            if region.size:
                worst = max(worst, float(region.mean()))
        return worst


def _window_mean(a: np.ndarray, size: int) -> np.ndarray:
    """The mean of `a` over a `size` x `size` window round each pixel (summed-area table)."""
    import numpy as np

    table = np.pad(a.astype(np.float32), ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    rows, cols = a.shape
    r = size // 2
    y0, y1 = np.clip(np.arange(rows) - r, 0, rows), np.clip(np.arange(rows) + r + 1, 0, rows)
    x0, x1 = np.clip(np.arange(cols) - r, 0, cols), np.clip(np.arange(cols) + r + 1, 0, cols)
    total = table[y1][:, x1] - table[y0][:, x1] - table[y1][:, x0] + table[y0][:, x0]
    return total / ((y1 - y0)[:, None] * (x1 - x0)[None, :])


@lru_cache(maxsize=32)
def _lettering(path: Path, stamp: tuple[int, int], background: tuple[int, int, int] | None,
               aspect: tuple[int, int]) -> np.ndarray:
    """Where the picture (covering a canvas of `aspect`) has lettering or detail as dense as
    lettering: pixels round which, within a glyph-sized window, strong edges run densely both
    across and along (a border or a horizon, an edge one way only, is not lettering)."""
    import numpy as np

    from ..generators.still import WHITE, load_picture

    width = ANALYSIS_WIDTH
    height = max(2, round(width * aspect[1] / aspect[0]))
    picture = load_picture(path, width, height, background or WHITE)
    luma = np.asarray(picture, dtype=np.float32) @ np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    across = np.zeros(luma.shape, dtype=bool)
    along = np.zeros(luma.shape, dtype=bool)
    across[:, 1:] = np.abs(np.diff(luma, axis=1)) >= EDGE_LEVEL
    along[1:, :] = np.abs(np.diff(luma, axis=0)) >= EDGE_LEVEL
    return (_window_mean(across, GLYPH) >= DENSE) & (_window_mean(along, GLYPH) >= DENSE)


def still_view(path: Path, canvas: tuple[int, int], move: str, total: int,
               background: tuple[int, int, int] | None = None) -> StillView | None:
    """The still at `path` measured on a canvas of `canvas` proportions; None when it cannot be
    read (the still's own job reports that)."""
    try:
        stat = path.stat()
        edges = _lettering(path, (stat.st_mtime_ns, stat.st_size), background, canvas)
    except (OSError, ValueError):
        return None
    return StillView(edges, move, total)


def places(band: Place, look: SubtitleLook, lines: int) -> list[tuple[Place, int]]:
    """The places a cue may take, with how many steps each lies off its band: the film's band
    first, then the other band, then each band moved towards the middle in steps, as long as
    the box stays in its half of the frame."""
    tall = (lines * look.font_size + 2 * look.padding) / look.height
    other = Place("top" if band.align == "bottom" else "bottom", band.margin)
    out = [(band, 0), (other, 0)]
    steps = 1
    while band.margin + steps * STEP + tall <= 0.5:
        out += [(Place(p.align, p.margin + steps * STEP), steps) for p in (band, other)]
        steps += 1
    return out


def choose_place(view: StillView, look: SubtitleLook, band: Place,
                 cues: Sequence[tuple[Sequence[str], Sequence[int]]]) -> Place:
    """Where the cues over one still go: `band` (the film's), unless the still has detail
    under them there and another place has at most `BETTER` of it (each step off a band
    costing `SHIFT_COST`). `cues` holds each cue's lines and the frames of the move it is on
    screen at."""

    def detail(place: Place) -> float:
        return max((view.detail(_fraction(look.box(lines, place), look), frames) for lines, frames in cues),
                   default=0.0)

    here = detail(band)
    if here <= QUIET:
        return band
    most = max((len(lines) for lines, _ in cues), default=1)
    best, score = band, here
    for place, steps in places(band, look, most)[1:]:
        found = detail(place)
        if found <= here * BETTER and found + steps * SHIFT_COST < score:
            best, score = place, found + steps * SHIFT_COST
    return best


def _fraction(box: tuple[float, float, float, float], look: SubtitleLook) -> tuple[float, float, float, float]:
    return box[0] / look.width, box[1] / look.height, box[2] / look.width, box[3] / look.height
