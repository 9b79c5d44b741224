"""The camera moves: one registry entry per name (`MOVES`), and each as ffmpeg filters, a window
on the picture that eases from one framing to another.

Everything that knows a camera move reads it here: the storyboard's validation (`spec.py`), the
generator prompt's words for it (the plan), and the renderer (`edit/sources.py`). Adding a move
is one entry in `MOVES`. Standard library only: `spec.py` imports this, and `film check` must
stay fast.

A moved picture (a still, a card, an animatic panel) is drawn on a canvas larger than the frame
(about 1.25x), so moves have room. A framing is a window on that canvas: its left, top and size,
as fractions of the canvas, the same fraction across and down (the canvas has the frame's shape).
Every frame of a move is the same function of the frame's number in the shot, whichever segment
renders it, so a transition carries on the move of the body before it exactly.

Two rules hold for every move:

- **Centred and steady.** The window is computed per frame from the move alone and resampled with
  sub-pixel precision (within about 0.1 output pixel) by a crop, swscale and a second crop whose
  integer positions and sizes are searched per frame when the graph is built (`move_filter`);
  every crop position is absolute, and the chain's frames leave it at the frame's size.
- **Nothing that matters leaves the frame.** Every framing contains the picture's *keep box*: by
  default its title-safe area, the central 90% (SMPTE RP 2046-1), where a diagram, a card or a
  letter keeps its text. The widest framing of a move is the whole picture, so a still is seen
  whole; a move that would cut into the keep box is shrunk toward the whole picture as one piece,
  keeping its shape and its easing (see `depth`). A source that knows where its content is can
  give its own box.

No Python runs per frame: a small table of integers per frame is computed once, when the graph
is built, and ffmpeg applies it (`sendcmd`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

# How much larger than the frame a canvas for a camera move is drawn.
CANVAS_SCALE = 1.25
# What every framing keeps in view unless its source says otherwise: the title-safe area.
TITLE_SAFE = 0.9
Box = tuple[float, float, float, float]   # left, top, right, bottom: fractions of the picture
SAFE_BOX: Box = ((1 - TITLE_SAFE) / 2, (1 - TITLE_SAFE) / 2, (1 + TITLE_SAFE) / 2, (1 + TITLE_SAFE) / 2)


@dataclass(frozen=True)
class Move:
    """Zoom (1 = the whole canvas fills the frame) and window position (0..1 of the room the
    zoom leaves: 0 left or top, 1 right or bottom) at the start and the end of the shot; and the
    words a generator prompt uses for the move ("slow zoom in"; none for a still camera). Two
    moves are the same move when they frame alike, whatever their words."""

    zoom: tuple[float, float] = (1.0, 1.0)
    x: tuple[float, float] = (0.5, 0.5)
    y: tuple[float, float] = (0.5, 0.5)
    words: str = field(default="", compare=False)


# The order is the order messages list them in (`one of: static, zoom-in, ...`): add at the end.
MOVES: dict[str, Move] = {
    "static": Move(),
    "zoom-in": Move(zoom=(1.0, 1.22), words="slow zoom in"),
    "zoom-out": Move(zoom=(1.22, 1.0), words="slow zoom out"),
    # A pan left turns the camera left: the view travels from the right of the canvas to the left.
    "pan-left": Move(zoom=(1.2, 1.2), x=(1.0, 0.0), words="camera pans left"),
    "pan-right": Move(zoom=(1.2, 1.2), x=(0.0, 1.0), words="camera pans right"),
    "tilt-up": Move(zoom=(1.2, 1.2), y=(1.0, 0.0), words="camera tilts up"),
    "tilt-down": Move(zoom=(1.2, 1.2), y=(0.0, 1.0), words="camera tilts down"),
    # A dolly travels into the scene: a stronger push than a zoom, drifting a little upward.
    "dolly-in": Move(zoom=(1.0, 1.3), y=(0.5, 0.42), words="dolly in"),
    "dolly-out": Move(zoom=(1.3, 1.0), y=(0.42, 0.5), words="dolly out"),
    # A crane rises: the view travels from the bottom of the picture to its top, as a tilt up
    # does, while the camera pushes gently in (a tilt holds its size). The push is gentle enough
    # that the window's centre rises all the way (a stronger one would hold it down at first).
    "crane-up": Move(zoom=(1.15, 1.3), y=(1.0, 0.0), words="crane shot rising"),
}


def names() -> tuple[str, ...]:
    """Every camera move's name, in the registry's order."""
    return tuple(MOVES)


def words(move: str) -> str:
    """What a generator prompt says for `move` (a name the registry does not hold is said as
    written)."""
    entry = MOVES.get(move)
    return entry.words if entry is not None else move


def canvas_size(width: int, height: int) -> tuple[int, int]:
    """The canvas size (even numbers) for a frame of width x height."""
    return 2 * round(width * CANVAS_SCALE / 2), 2 * round(height * CANVAS_SCALE / 2)


@dataclass(frozen=True)
class Framing:
    """A window on the picture: left, top and size, as fractions of the picture."""

    left: float
    top: float
    size: float

    @property
    def zoom(self) -> float:
        return 1 / self.size

    @property
    def centre(self) -> tuple[float, float]:
        return self.left + self.size / 2, self.top + self.size / 2


def eased(frame: float, total: int) -> float:
    """How far through its move (0..1, smoothstep: eased in and out) frame `frame` of a shot is."""
    u = min(max(frame / max(total - 1, 1), 0.0), 1.0)
    return u * u * (3 - 2 * u)


def _lerp(pair: tuple[float, float], e: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * e


def _raw(spec: Move, e: float) -> Framing:
    """The move's own framing at eased time e, before the keep box shrinks it."""
    size = 1 / _lerp(spec.zoom, e)
    room = 1 - size
    return Framing(room * _lerp(spec.x, e), room * _lerp(spec.y, e), size)


@lru_cache(maxsize=256)
def depth(move: str, keep: Box | None = SAFE_BOX) -> float:
    """How much of the move is made (0..1) so that every framing contains `keep`.

    A framing at depth d is the blend (1 - d) * whole picture + d * the move's framing. Framings
    that contain a box form a convex set holding the whole picture, so one depth for the whole
    move keeps every frame inside it: the move keeps its path and easing, just less far. The
    largest such depth is the smallest, over the move, of each edge's limit (sampled finely; the
    limits are smooth in the move's time).
    """
    spec = MOVES[move]
    if keep is None:
        return 1.0
    x0, y0, x1, y1 = keep
    limit = 1.0
    for step in range(201):
        f = _raw(spec, step / 200)
        # blend: left = d*l, right = 1 - d*(1 - l - s); keep x0 >= left, x1 <= right (same down)
        for low, near in ((x0, f.left), (y0, f.top)):
            if near > 1e-12:
                limit = min(limit, low / near)
        for high, far in ((x1, 1 - f.left - f.size), (y1, 1 - f.top - f.size)):
            if far > 1e-12:
                limit = min(limit, (1 - high) / far)
    return max(limit, 0.0)


def framing(move: str, frame: float, total: int, keep: Box | None = SAFE_BOX) -> Framing:
    """The framing of frame `frame` (counted in the shot's source, handles included) of a move
    spanning `total` frames: what `move_filter` renders, as numbers."""
    d = depth(move, keep)
    raw = _raw(MOVES[move], eased(frame, total))
    return Framing(d * raw.left, d * raw.top, 1 - d * (1 - raw.size))


# The resampling's bounds (see `move_filter`). Source pixels per scaled pixel (`r`) is kept in one
# of these ranges for a whole shot: near a fraction p/q with a small numerator p, the positions a
# crop-scale-crop chain can reach bunch up 1/p of an output pixel apart, so p must stay above 4.
# (0.802, 0.9875) holds none of 1, 4/5, 3/4... and upscales (cheap); (1.0125, 1.33) holds none
# of 1, 4/3, 5/4... and takes moves whose sizes differ by more than 1.23x (up to 1.31x).
_RATIO_RANGES = ((0.802, 0.9875), (1.0125, 1.33))
# How far (scaled pixels) the second crop may sit from the scaled frame's edge: the room the
# search has for sub-pixel offsets (also the most a scaled frame exceeds the output frame by).
_SEARCH = 64
# The picture's edges are repeated this far (picture pixels) so a crop may reach past them.
_PAD = _SEARCH + 8
# The search stops at the first (smallest) scaled size within this error (output pixels).
_GOOD_ENOUGH = 0.04
# The pixel format the per-frame chain works in: crops at odd positions stay exact on every plane.
MOVE_PIX_FMT = "yuv444p"


@dataclass(frozen=True)
class Resample:
    """How one frame of a move is drawn from the padded picture, per axis (pixels): crop a
    window `crop` long at `at` (padded picture), scale it to `scaled`, crop the output frame at
    `offset`. Output pixel i's centre then samples the padded picture at
    at + (offset + i + 0.5) * crop / scaled (swscale aligns pixel centres)."""

    at: int
    crop: int
    scaled: int
    offset: int


def _ratio(sizes: list[float]) -> float:
    """Picture pixels per output pixel at size 1 (the once-scaled picture's size over the frame's)
    for a shot whose framings have these sizes: the source pixels per output pixel of every
    framing (size * ratio) lie within the first of `_RATIO_RANGES` that holds them all, spread
    evenly (geometrically) inside it."""
    low, high = min(sizes), max(sizes)
    for bottom, top in _RATIO_RANGES:
        if high / low <= top / bottom or (bottom, top) == _RATIO_RANGES[-1]:
            return (bottom * top) ** 0.5 / (low * high) ** 0.5


def _axis(left: float, size: float, out: int, picture: int) -> tuple[Resample, float]:
    """The crop-scale-crop along one axis (numbers of one frame) that best draws the window
    [left, left + size) (fractions of the picture, which is `picture` pixels long, padded by
    `_PAD` on each side) into `out` output pixels, and its worst position error (output
    pixels): a search over every scaled length out..out+_SEARCH and second-crop offset."""
    import numpy as np   # only the renderer needs it: `film check` imports this module

    a = left * picture + _PAD             # the window's start, padded-picture pixels
    s = size * picture / out              # picture pixels per output pixel
    scaled = np.arange(out, out + _SEARCH + 1)[:, None]
    offset = np.arange(0, _SEARCH + 1)[None, :]
    crop = np.minimum(np.round(s * scaled), picture + 2 * _PAD)
    r = crop / scaled
    # error of output pixel i, less the first crop's position: linear in i, so its ends bound it
    first = (offset + 0.5) * r - a - 0.5 * s
    last = first + (out - 1) * (r - s)
    at = np.round(-(first + last) / 2)
    err = np.maximum(np.abs(at + first), np.abs(at + last)) / s
    fits = (offset + out <= scaled) & (at >= 0) & (at + crop <= picture + 2 * _PAD)
    err = np.where(fits, err, np.inf)
    # the smallest scaled frame that is good enough (the cheapest), else the least error; ties
    # go to the first in order, so the same numbers always give the same choice
    key = np.where(err <= _GOOD_ENOUGH, scaled + err, 1e9 + err)
    i, j = np.unravel_index(np.argmin(key), key.shape)
    return Resample(int(at[i, j]), int(crop[i, 0]), int(scaled[i, 0]), int(offset[0, j])), float(err[i, j])


@lru_cache(maxsize=64)
def resampling(move: str, total: int, width: int, height: int, keep: Box | None = SAFE_BOX
               ) -> tuple[tuple[int, int], tuple[tuple[Resample, Resample, float], ...]]:
    """The once-scaled picture's size (pixels, before padding) and, for every frame 0..total-1
    of the shot, the horizontal and vertical `Resample` and the frame's worst position error
    (output pixels, either axis) against `framing`. Computed for the whole shot, so every
    segment of it uses the same picture and the same numbers."""
    frames = [framing(move, k, total, keep) for k in range(total)]
    ratio = _ratio([f.size for f in frames])
    pw, ph = round(width * ratio), round(height * ratio)
    table = []
    for f in frames:
        across, ex = _axis(f.left, f.size, width, pw)
        down, ey = _axis(f.top, f.size, height, ph)
        table.append((across, down, max(ex, ey)))
    return (pw, ph), tuple(table)


def move_filter(move: str, start: int, total: int, width: int, height: int, keep: Box | None = SAFE_BOX,
                count: int | None = None, name: str = "cam") -> tuple[str, str]:
    """Filters that frame a picture (any size, the frame's shape) into a width x height frame:
    (once, per frame). The first runs once on the picture, before its frames are repeated; the
    picture must then be converted to `MOVE_PIX_FMT` (unless the per-frame chain is "null"),
    and the per-frame chain gives yuv420p frames of width x height.

    The per-frame chain's frame n (0-based, n < `count`, default: to the end of the shot) shows
    frame `start + n` of a move spanning `total` frames (`framing` gives the same windows as
    numbers), so a segment cut from the middle of a shot continues the move. `name` makes the
    chain's filter instances unique in a graph (one per chain).

    How: `once` scales the picture to `resampling`'s size (about 0.9 or 1.15 times the frame's;
    see `_RATIO_RANGES`) and repeats its edges outward by `_PAD` pixels. Each frame is then
    crop (integer position and size) -> swscale bilinear to an integer size a little larger than
    the frame -> crop (integer position) to width x height, in yuv444p (so odd crop positions
    are exact on every plane), then yuv420p. The integers are searched per frame when the graph
    is built (`resampling`) so that output pixel i's centre lands within `_GOOD_ENOUGH` (at
    worst about 0.1) output pixel of where the framing puts it, on both axes: sub-pixel
    precision without `perspective`, whose per-pixel interpolation cost about 10 ms a 720p
    frame against about 2 ms for swscale. The numbers reach the filters through `sendcmd`
    (one interval per frame, timestamps restamped to the frame number in seconds; `conform`
    restamps them afterwards). The scaled frame's size changes from frame to frame, but every
    crop position is absolute (nothing is anchored to a size), and the chain's output is always
    width x height.
    """
    spec = MOVES[move]
    d = depth(move, keep)
    if spec == MOVES["static"] or d == 0:
        return f"scale={width}:{height}", "null"
    (pw, ph), table = resampling(move, total, width, height, keep)
    end = total if count is None else start + count
    # frames past the shot's end (none in a timeline) hold its last framing, as `framing` does
    rows = [table[min(max(k, 0), total - 1)] for k in range(start, max(end, start + 1))]
    once = (f"scale={pw}:{ph},pad={pw + 2 * _PAD}:{ph + 2 * _PAD}:{_PAD}:{_PAD},"
            f"fillborders=left={_PAD}:right={_PAD}:top={_PAD}:bottom={_PAD}:mode=smear")

    def values(row):
        x, y, _ = row
        return {(f"crop@{name}_a", "w"): x.crop, (f"crop@{name}_a", "h"): y.crop,
                (f"crop@{name}_a", "x"): x.at, (f"crop@{name}_a", "y"): y.at,
                (f"scale@{name}_s", "w"): x.scaled, (f"scale@{name}_s", "h"): y.scaled,
                (f"crop@{name}_b", "x"): x.offset, (f"crop@{name}_b", "y"): y.offset}

    first = values(rows[0])
    commands = []
    previous = first
    for n, row in enumerate(rows[1:], 1):
        now = values(row)
        changed = [key for key in now if now[key] != previous[key]]
        if any(key[0].startswith("crop@") and key[0].endswith("_a") and key[1] in "wh" for key in changed):
            # a new input size must reach the scaler with a command of its own, which rebuilds it
            changed += [key for key in now if key[0].startswith("scale@") and key not in changed]
        if changed:
            commands.append(f"{n} " + "\\, ".join(f"{target} {option} {now[(target, option)]}"
                                                   for target, option in now if (target, option) in changed))
        previous = now
    x, y, _ = rows[0]
    send = f"sendcmd=c='{';'.join(commands)}'," if commands else ""
    per_frame = (f"settb=1,setpts=N,{send}"
                 f"crop@{name}_a=w={x.crop}:h={y.crop}:x={x.at}:y={y.at}:exact=1,"
                 f"scale@{name}_s=w={x.scaled}:h={y.scaled}:flags=bilinear,"
                 f"crop@{name}_b=w={width}:h={height}:x={x.offset}:y={y.offset}:exact=1,format=yuv420p")
    return once, per_frame


def scroll_filter(start: int, total: int, width: int, height: int) -> tuple[str, str]:
    """Filters that roll a tall image (credits) from its top to its bottom, linearly: (once,
    per frame), as `move_filter`."""
    span = max(total - 1, 1)
    return f"scale={width}:-2", f"crop={width}:{height}:x=0:y='(in_h-{height})*clip((n+{start})/{span},0,1)'"
