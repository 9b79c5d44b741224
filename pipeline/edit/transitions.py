"""Transition names → ffmpeg `xfade` transitions, and how a transition sits on the cut.

A transition is centred on the cut between two shots, as in an editing suite: it borrows
frames past the end of the outgoing shot and before the start of the incoming one (handles),
so transitions never change the film's length or when a shot's cut falls.
"""

from __future__ import annotations

from fractions import Fraction

# fade-black is not here: xfade's "fadeblack" reaches black well before its midpoint, so the
# renderer fades the outgoing shot out before the cut and the incoming one in after it.
XFADE = {
    "dissolve": "fade",          # xfade's own "dissolve" is a pixel dither; a film dissolve is a blend
    "wipe-left": "wipeleft",
    "wipe-right": "wiperight",
    "slide-left": "slideleft",
    "slide-right": "slideright",
}


def split(frames: int) -> tuple[int, int]:
    """(frames before the cut, frames after the cut) for a transition `frames` long."""
    before = frames // 2
    return before, frames - before


def xfade(name: str, frames: int, fps: Fraction) -> str:
    """The `xfade` filter for a transition of `frames` frames over two `frames`-long inputs."""
    return f"xfade=transition={XFADE[name]}:duration={float(frames / fps):.6f}:offset=0"
