"""The picture format and every conversion between seconds and frames.

A leaf module (standard library only): the plan, the editor, the mixer and the subtitles all
count in whole frames at the film's rate, and all of them turn a writer's seconds into frames
here, the same way. Seconds are read through their decimal text (`Fraction(str(0.8))` is
exactly 4/5), so 0.8 s at 30 fps is 24 frames, not 23.999… rounded by chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Format:
    """The film's picture: `width` x `height` pixels at `fps` frames a second (a Fraction:
    30000/1001 for 29.97)."""

    width: int
    height: int
    fps: Fraction

    @property
    def rate(self) -> str:
        """The rate as ffmpeg writes it: `30000/1001`."""
        return f"{self.fps.numerator}/{self.fps.denominator}"

    def frames(self, seconds: float, up: bool = False) -> int:
        """`to_frames` at this format's rate."""
        return to_frames(seconds, self.fps, up)

    def seconds(self, frames: int | Fraction) -> float:
        """`to_seconds` at this format's rate."""
        return to_seconds(frames, self.fps)


def exact(seconds: float | Fraction) -> Fraction:
    """`seconds` as an exact fraction of its decimal text (0.1 → 1/10, not 3602879701896397/2**55)."""
    return seconds if isinstance(seconds, Fraction) else Fraction(str(seconds))


def to_frames(seconds: float | Fraction, fps: Fraction, up: bool = False) -> int:
    """How many frames `seconds` is at `fps`: the nearest whole frame (halves to even, as
    Python rounds), or with `up` the next whole frame (for a sound that must be heard whole)."""
    value = exact(seconds) * fps
    return math.ceil(value) if up else round(value)


def duration_frames(seconds: float | Fraction, fps: Fraction) -> int:
    """A length on screen in frames: `to_frames`, and never less than one frame."""
    return max(to_frames(seconds, fps), 1)


def to_seconds(frames: int | Fraction, fps: Fraction) -> float:
    """The time of `frames` frames at `fps`, in seconds."""
    return float(Fraction(frames) / fps)
