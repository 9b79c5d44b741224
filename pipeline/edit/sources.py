"""Clip sources: what a generator hands the editor, and how ffmpeg reads any frame range of it.

A shot on the timeline spans frames [-head, frames + tail) in its own time (the handles feed
transitions). A source is asked for `count` frames starting at local frame `start` (counted from
the first handle frame) and answers with ffmpeg inputs and a filter chain that produces exactly
those frames at the project's fps and size. The animatic and stills are images moved by a
camera filter, so their pixels are computed only once, inside the encode of each segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .camera import move_filter, scroll_filter


@dataclass(frozen=True)
class Format:
    """The project's picture format."""

    width: int
    height: int
    fps: Fraction

    @property
    def rate(self) -> str:
        return f"{self.fps.numerator}/{self.fps.denominator}"


@dataclass(frozen=True)
class Graph:
    """ffmpeg input arguments and the filter statements that turn them into one labelled stream."""

    inputs: tuple[str, ...]
    filters: tuple[str, ...]
    count: int  # how many `-i` inputs `inputs` opens


def _still_frames(index: int, count: int, fmt: Format) -> str:
    # Decode the image once and repeat it, rather than re-reading the file for every frame.
    return f"[{index}:v]format=yuv420p,loop=loop={count - 1}:size=1:start=0,setpts=N/({fmt.rate})/TB"


@dataclass(frozen=True)
class ImageMove:
    """A picture moved by a camera move over `total` frames, with an optional fixed overlay
    (the animatic's caption and slate) that the camera does not move."""

    key: str
    image: Path
    move: str
    total: int
    overlay: Path | None = None

    def graph(self, start: int, count: int, fmt: Format, first_input: int, out: str) -> Graph:
        chain = f"{_still_frames(first_input, count, fmt)},{move_filter(self.move, start, self.total, fmt.width, fmt.height)}"
        if self.overlay is None:
            return Graph(("-i", str(self.image)), (f"{chain},setsar=1[{out}]",), 1)
        ov = first_input + 1
        return Graph(
            ("-i", str(self.image), "-i", str(self.overlay)),
            (f"{chain}[{out}_bg]", f"[{out}_bg][{ov}:v]overlay=0:0:format=yuv420,format=yuv420p,setsar=1[{out}]"),
            2,
        )


@dataclass(frozen=True)
class Scroll:
    """A tall picture rolled from top to bottom over `total` frames (end credits)."""

    key: str
    image: Path
    total: int

    def graph(self, start: int, count: int, fmt: Format, first_input: int, out: str) -> Graph:
        chain = f"{_still_frames(first_input, count, fmt)},{scroll_filter(start, self.total, fmt.width, fmt.height)}"
        return Graph(("-i", str(self.image)), (f"{chain},setsar=1[{out}]",), 1)


@dataclass(frozen=True)
class VideoClip:
    """A video file whose frame `start` of this clip is at `offset` seconds of the file (which
    may be negative: a head handle before the file starts holds its first frame); conformed to
    the project's fps and size (cover-cropped), and its last frame held if it runs short."""

    key: str
    path: Path
    offset: float
    total: int

    def graph(self, start: int, count: int, fmt: Format, first_input: int, out: str) -> Graph:
        begin = self.offset + float(start / fmt.fps)
        seek = max(begin, 0.0)
        pad_front = round(-begin * float(fmt.fps)) if begin < 0 else 0
        chain = (
            f"[{first_input}:v]fps={fmt.rate},"
            f"scale={fmt.width}:{fmt.height}:force_original_aspect_ratio=increase,"
            f"crop={fmt.width}:{fmt.height},setsar=1,format=yuv420p,"
            + (f"tpad=start={pad_front}:start_mode=clone," if pad_front else "")
            + f"tpad=stop=-1:stop_mode=clone,trim=end_frame={count},setpts=N/({fmt.rate})/TB[{out}]"
        )
        return Graph(("-ss", f"{seek:.6f}", "-i", str(self.path)), (chain,), 1)


Source = ImageMove | Scroll | VideoClip
