"""Camera moves as ffmpeg filters: a zoom and a position that ease from start to end.

A move is applied to a canvas larger than the frame (about 1.25x), so pans and zooms never
run off the picture. ffmpeg evaluates the expressions per frame, so no Python runs per frame.
Moves are scaled then cropped (not `zoompan`, which snaps to whole source pixels and shakes).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..spec import CAMERA_MOVES

# How much larger than the frame a canvas for a camera move is drawn.
CANVAS_SCALE = 1.25


@dataclass(frozen=True)
class Move:
    """Zoom (1 = the whole canvas fills the frame) and crop position (0..1) at start and end."""

    zoom: tuple[float, float] = (1.0, 1.0)
    x: tuple[float, float] = (0.5, 0.5)
    y: tuple[float, float] = (0.5, 0.5)


MOVES: dict[str, Move] = {
    "static": Move(),
    "zoom-in": Move(zoom=(1.0, 1.22)),
    "zoom-out": Move(zoom=(1.22, 1.0)),
    # A pan left turns the camera left: the view travels from the right of the canvas to the left.
    "pan-left": Move(zoom=(1.2, 1.2), x=(1.0, 0.0)),
    "pan-right": Move(zoom=(1.2, 1.2), x=(0.0, 1.0)),
    "tilt-up": Move(zoom=(1.2, 1.2), y=(1.0, 0.0)),
    "tilt-down": Move(zoom=(1.2, 1.2), y=(0.0, 1.0)),
    # A dolly travels into the scene: a stronger push than a zoom, drifting a little upward.
    "dolly-in": Move(zoom=(1.0, 1.3), y=(0.5, 0.42)),
    "dolly-out": Move(zoom=(1.3, 1.0), y=(0.42, 0.5)),
}
assert set(MOVES) == set(CAMERA_MOVES)


def canvas_size(width: int, height: int) -> tuple[int, int]:
    """The canvas size (even numbers) for a frame of width x height."""
    return 2 * round(width * CANVAS_SCALE / 2), 2 * round(height * CANVAS_SCALE / 2)


def _lerp(pair: tuple[float, float], eased: str) -> str:
    start, end = pair
    if start == end:
        return f"{start:g}"
    return f"({start:g}+({end - start:g})*{eased})"


def move_filter(move: str, start: int, total: int, width: int, height: int) -> str:
    """Filter chain that moves a canvas into a width x height frame.

    The chain's frame `n` shows frame `start + n` of a move spanning `total` frames, eased
    in and out (smoothstep), so a segment cut from the middle of a shot continues the move.
    """
    spec = MOVES[move]
    span = max(total - 1, 1)
    u = f"clip((n+{start})/{span},0,1)"
    eased = f"({u}*{u}*(3-2*{u}))"
    zoom = _lerp(spec.zoom, eased)
    x, y = _lerp(spec.x, eased), _lerp(spec.y, eased)
    if spec.zoom == (1.0, 1.0) and spec.x == spec.y == (0.5, 0.5):
        return f"scale={width}:{height}"
    return (
        f"scale=w='ceil({width}*{zoom}/2)*2':h='ceil({height}*{zoom}/2)*2':eval=frame,"
        f"crop={width}:{height}:x='(in_w-{width})*{x}':y='(in_h-{height})*{y}'"
    )


def scroll_filter(start: int, total: int, width: int, height: int) -> str:
    """Filter chain that rolls a tall image (credits) from its top to its bottom, linearly."""
    span = max(total - 1, 1)
    return f"scale={width}:-2,crop={width}:{height}:x=0:y='(in_h-{height})*clip((n+{start})/{span},0,1)'"
