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
  sub-pixel precision by ffmpeg's `perspective` filter, whose frames keep one size from input to
  output (scaling to a size that changes every frame, then cropping, re-anchors the crop to the
  top-left whenever the size changes, and rounds every size and offset to whole pixels).
- **Nothing that matters leaves the frame.** Every framing contains the picture's *keep box*: by
  default its title-safe area, the central 90% (SMPTE RP 2046-1), where a diagram, a card or a
  letter keeps its text. The widest framing of a move is the whole picture, so a still is seen
  whole; a move that would cut into the keep box is shrunk toward the whole picture as one piece,
  keeping its shape and its easing (see `depth`). A source that knows where its content is can
  give its own box.

No Python runs per frame: ffmpeg evaluates the expressions.
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


def _num(value: float) -> str:
    return f"{value:.9g}"


def _expr_lerp(pair: tuple[float, float], e: str) -> str:
    start, end = pair
    if start == end:
        return _num(start)
    return f"({_num(start)}+({_num(end - start)})*{e})"


def move_filter(move: str, start: int, total: int, width: int, height: int, keep: Box | None = SAFE_BOX) -> tuple[str, str]:
    """Filters that frame a picture (any size, the frame's shape) into a width x height frame:
    (once, per frame). The first runs once on the picture, before its frames are repeated; the
    second on every frame.

    The per-frame chain's frame n (0-based) shows frame `start + n` of a move spanning `total`
    frames (`framing` gives the same windows as numbers), so a segment cut from the middle of a
    shot continues the move. Each frame is resampled through its window with sub-pixel
    precision, and frame size never changes along the chain.
    """
    spec = MOVES[move]
    scale = f"scale={width}:{height}"
    d = depth(move, keep)
    if spec == MOVES["static"] or d == 0:
        return scale, "null"
    # perspective counts the frames it is given from 1 (`in`).
    span = max(total - 1, 1)
    u = f"clip((in-1+{start})/{span},0,1)"
    e = f"({u}*{u}*(3-2*{u}))"
    room = f"(1-1/{_expr_lerp(spec.zoom, e)})"
    size = f"(1-{_num(d)}*{room})"
    left = f"({_num(d)}*{room}*{_expr_lerp(spec.x, e)})"
    top = f"({_num(d)}*{room}*{_expr_lerp(spec.y, e)})"
    # Corners in the input's pixel indices: perspective maps output pixel i to x0 + i*(x1-x0)/W,
    # so a half-pixel shift lines pixel centres up (the window's centre lands on the frame's).
    x0 = f"({left}*W+0.5*{size}-0.5)"
    y0 = f"({top}*H+0.5*{size}-0.5)"
    x1 = f"({x0}+{size}*W)"
    y1 = f"({y0}+{size}*H)"
    return scale, (f"perspective=x0='{x0}':y0='{y0}':x1='{x1}':y1='{y0}':x2='{x0}':y2='{y1}':"
                   f"x3='{x1}':y3='{y1}':interpolation=linear:eval=frame")


def scroll_filter(start: int, total: int, width: int, height: int) -> tuple[str, str]:
    """Filters that roll a tall image (credits) from its top to its bottom, linearly: (once,
    per frame), as `move_filter`."""
    span = max(total - 1, 1)
    return f"scale={width}:-2", f"crop={width}:{height}:x=0:y='(in_h-{height})*clip((n+{start})/{span},0,1)'"
