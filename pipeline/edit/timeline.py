"""The Timeline: clips and the transitions between them, in integer frames.

Times are whole frames at the project's rate, never float seconds, so cut points, segment
boundaries and subtitle times add up exactly. A clip is on screen for `frames` frames from its
cut in to its cut out; its source also holds `head` frames before and `tail` frames after, which
the centred transitions on either side borrow (see `pipeline/transitions.py`).

Why not OpenTimelineIO as the model: its times are float-valued RationalTime and its graph has no
place for segment cache keys; `export/otio.py` writes the timeline out for editors instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from ..frames import Format
from .sources import Source
from ..transitions import split


@dataclass(frozen=True)
class Clip:
    """A shot placed on the timeline; `source` spans head + frames + tail frames."""

    id: str
    source: Source
    frames: int
    head: int = 0
    tail: int = 0


@dataclass(frozen=True)
class Join:
    """How clip i gives way to clip i+1: a transition name and its length in frames."""

    name: str = "cut"
    frames: int = 0


@dataclass(frozen=True)
class Part:
    """`count` frames of a clip's source, starting at source frame `start`."""

    clip: Clip
    start: int


@dataclass(frozen=True)
class Segment:
    """A run of the cut rendered as one encoded file: a clip's body, or a transition."""

    id: str
    kind: Literal["body", "transition"]
    start: int            # first frame in the cut
    frames: int
    parts: tuple[Part, ...]
    transition: str = ""


@dataclass(frozen=True)
class Timeline:
    fmt: Format
    clips: tuple[Clip, ...]
    joins: tuple[Join, ...]

    def __post_init__(self) -> None:
        if len(self.joins) != max(len(self.clips) - 1, 0):
            raise ValueError("a timeline needs one join between each pair of clips")

    @property
    def total(self) -> int:
        """Length of the cut in frames: transitions are centred on cuts, so they add nothing."""
        return sum(clip.frames for clip in self.clips)

    def starts(self) -> list[int]:
        """The cut-in frame of each clip."""
        return [0, *accumulate(clip.frames for clip in self.clips)][:-1]

    def segments(self) -> list[Segment]:
        """Bodies and transitions in order; they tile [0, total) exactly."""
        segments: list[Segment] = []
        starts = self.starts()
        for i, clip in enumerate(self.clips):
            before_in, after_in = split(self.joins[i - 1].frames) if i > 0 else (0, 0)
            before_out, after_out = split(self.joins[i].frames) if i < len(self.joins) else (0, 0)
            body = clip.frames - after_in - before_out
            if body < 0:
                raise ValueError(f"clip {clip.id} is shorter than the transitions on either side")
            if body:
                segments.append(Segment(
                    id=f"body:{clip.id}", kind="body", start=starts[i] + after_in, frames=body,
                    parts=(Part(clip, clip.head + after_in),),
                ))
            if i < len(self.joins) and self.joins[i].frames:
                join, incoming = self.joins[i], self.clips[i + 1]
                segments.append(Segment(
                    id=f"{join.name}:{clip.id}>{incoming.id}", kind="transition",
                    start=starts[i] + clip.frames - before_out, frames=join.frames,
                    parts=(Part(clip, clip.head + clip.frames - before_out), Part(incoming, incoming.head - before_out)),
                    transition=join.name,
                ))
        return segments
