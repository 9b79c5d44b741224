"""Clip sources: what a generator hands the editor, and how ffmpeg reads any frame range of it.

A shot on the timeline spans frames [-head, frames + tail) in its own time (the handles feed
transitions). A source is asked for `count` frames starting at local frame `start` (counted from
the first handle frame) and answers with ffmpeg inputs and a filter chain that produces exactly
those frames at the project's fps and size. The animatic and stills are images moved by a
camera filter, so their pixels are computed only once, inside the encode of each segment.

Every branch is conformed the same way, whatever its source (an image, a credits roll, footage at
any frame rate, constant or variable, with any pixel aspect, colour matrix or range): converted
once, explicitly, to BT.709 limited-range YUV (`to_film_colour`), and ended by `conform`, which
gives it the film's frame rate, time base, pixel format and square pixels. Two branches can then
meet in `xfade` or `concat`, which refuse inputs that differ in any of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..frames import Format
from . import ffmpeg
from ..camera import MOVE_PIX_FMT, SAFE_BOX, Box, move_filter, scroll_filter


@dataclass(frozen=True)
class Graph:
    """ffmpeg input arguments and the filter statements that turn them into one labelled stream."""

    inputs: tuple[str, ...]
    filters: tuple[str, ...]
    count: int  # how many `-i` inputs `inputs` opens


# The film's colour: BT.709 coefficients, limited (tv) range, tagged on every frame and stream.
COLOUR_TAGS = ("bt709", "bt709", "bt709", "tv")   # matrix, primaries, transfer, range


def to_film_colour(pix_fmt: str = "yuv420p") -> str:
    """Filters converting any picture to the film's colour in `pix_fmt` (a YUV format).

    An explicit `scale` does the conversion because the converter ffmpeg inserts by itself uses
    BT.601 coefficients; the input's own matrix and range (tags, full-range JPEG-style video)
    are read from each frame (`in_color_matrix`/`in_range` default to the frame's tags).
    """
    return f"scale=out_color_matrix=bt709:out_range=tv,format={pix_fmt}"


def conform(fmt: Format) -> str:
    """Filters every branch ends with: the film's frame rate and time base (1/fps), yuv420p,
    square pixels, BT.709 tags.

    The branch's frames must already be the film's frames, one per output frame, in order, and
    converted by `to_film_colour`; this restamps them frame n at n/fps (`fps` then passes each
    through unchanged, and sets the link's rate and time base, which `xfade` compares).
    """
    return (f"settb=AVTB,setpts=N/({fmt.rate})/TB,fps={fmt.rate},format=yuv420p,setsar=1,"
            "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv")


def _still_frames(index: int, count: int, once: str, pix_fmt: str = "yuv420p") -> str:
    # Decode, size (`once`) and convert the image once and repeat it, rather than per frame.
    return f"[{index}:v]{once},{to_film_colour(pix_fmt)},loop=loop={count - 1}:size=1:start=0"


@dataclass(frozen=True)
class ImageMove:
    """A picture moved by a camera move over `total` frames, with an optional fixed overlay
    (the animatic's caption and slate) that the camera does not move."""

    key: str
    image: Path
    move: str
    total: int
    overlay: Path | None = None
    # What every framing of the move keeps in view (fractions of the picture); None: nothing.
    keep: Box | None = SAFE_BOX

    def graph(self, start: int, count: int, fmt: Format, first_input: int, out: str) -> Graph:
        once, per_frame = move_filter(self.move, start, self.total, fmt.width, fmt.height, self.keep,
                                      count=count, name=out)
        # A moving camera crops at odd pixels: its chain works in 4:4:4 and ends in yuv420p.
        pix_fmt = "yuv420p" if per_frame == "null" else MOVE_PIX_FMT
        chain = f"{_still_frames(first_input, count, once, pix_fmt)},{per_frame}"
        if self.overlay is None:
            return Graph(("-i", str(self.image)), (f"{chain},{conform(fmt)}[{out}]",), 1)
        ov = first_input + 1
        # The overlay is converted explicitly too: overlay's own conversion would use BT.601.
        return Graph(
            ("-i", str(self.image), "-i", str(self.overlay)),
            (f"{chain}[{out}_bg]", f"[{ov}:v]{to_film_colour('yuva420p')}[{out}_ov]",
             f"[{out}_bg][{out}_ov]overlay=0:0:format=yuv420,{conform(fmt)}[{out}]"),
            2,
        )


@dataclass(frozen=True)
class Scroll:
    """A tall picture rolled from top to bottom over `total` frames (end credits)."""

    key: str
    image: Path
    total: int

    def graph(self, start: int, count: int, fmt: Format, first_input: int, out: str) -> Graph:
        once, per_frame = scroll_filter(start, self.total, fmt.width, fmt.height)
        chain = f"{_still_frames(first_input, count, once)},{per_frame}"
        return Graph(("-i", str(self.image)), (f"{chain},{conform(fmt)}[{out}]",), 1)


def cover_scale(width: int, height: int) -> str:
    """A `scale` filter that covers width x height with the picture as it is displayed (its
    sample aspect ratio applied, so non-square pixels come out square), to be cropped after."""
    # `sar` is 1 for a source that gives none; ceil keeps both sides at least the frame's.
    factor = f"max({width}/(iw*sar),{height}/ih)"
    return f"scale=w='ceil(iw*sar*{factor}-0.001)':h='ceil(ih*{factor}-0.001)'"


# Formats whose pixels carry no YUV matrix (RGB, greyscale, palette): nothing to assume.
_NO_MATRIX = ("rgb", "bgr", "gbr", "argb", "abgr", "0rgb", "0bgr", "gray", "ya", "pal", "mono")
# Formats with an alpha channel (a palette may hold transparent entries: GIF).
_ALPHA = re.compile(r"^(yuva|rgba|bgra|argb|abgr|gbrap|ya\d|pal8)")
_NOT_MATRIX = {"tv", "pc", "progressive", "top first", "bottom first", "top coded first (swapped)",
               "bottom coded first (swapped)"}


@dataclass(frozen=True)
class StreamLook:
    """How a video file's first video stream stores its pictures, as `ffmpeg -i` reports them."""

    pix_fmt: str
    matrix_tagged: bool   # whether it says which YUV matrix it uses
    width: int
    height: int

    @property
    def alpha(self) -> bool:
        return bool(_ALPHA.match(self.pix_fmt))

    @property
    def untagged_matrix(self) -> str | None:
        """The matrix to read it with when untagged YUV: `bt709` for HD (wider than 1024 or taller
        than 576 pixels), as players show it; None (the tags, or ffmpeg's BT.601) otherwise."""
        if self.matrix_tagged or self.pix_fmt.startswith(_NO_MATRIX):
            return None
        return "bt709" if self.width > 1024 or self.height > 576 else None


def stream_look(path: Path) -> StreamLook | None:
    """`path`'s first video stream (None if ffmpeg finds none), from the header `ffmpeg.header`
    reads once per version of a file per process (segments of one shot share it)."""
    stream = re.search(r"Stream #[^\n]*?Video: [^,\n]*, (\w+)(?:\(([^)]*)\))?[^\n]*?, (\d+)x(\d+)",
                       ffmpeg.header(path))
    if not stream:
        return None
    described = [item.strip() for item in (stream[2] or "").split(",")]
    tags = [item.split("/")[0] for item in described if item and item not in _NOT_MATRIX]
    return StreamLook(stream[1], bool(tags) and tags[0] not in ("unknown", "reserved"), int(stream[3]), int(stream[4]))


def _hex(colour: tuple[int, int, int]) -> str:
    return "0x" + "".join(f"{c:02x}" for c in colour)


@dataclass(frozen=True)
class VideoClip:
    """A video file whose frame `start` of this clip is at `offset` seconds of the file (which
    may be negative: a head handle before the file starts holds its first frame); conformed to
    the project's fps and size (cover-cropped as displayed), and its last frame held if it runs
    short. Colours are read by the file's tags (or as `StreamLook.untagged_matrix` says); a file
    with transparency is composited on `background` (RGB)."""

    key: str
    path: Path
    offset: float
    total: int
    background: tuple[int, int, int] = (255, 255, 255)

    def graph(self, start: int, count: int, fmt: Format, first_input: int, out: str) -> Graph:
        begin = self.offset + float(start / fmt.fps)
        seek = max(begin, 0.0)
        pad_front = round(-begin * float(fmt.fps)) if begin < 0 else 0
        look = stream_look(self.path)
        matrix = look.untagged_matrix if look else None
        # fps first: a variable-frame-rate file becomes the film's frames before anything counts them.
        head = f"[{first_input}:v]fps={fmt.rate},{cover_scale(fmt.width, fmt.height)}" + (
            f":in_color_matrix={matrix}" if matrix else "")
        tail = ((f"tpad=start={pad_front}:start_mode=clone," if pad_front else "")
                + f"tpad=stop=-1:stop_mode=clone,trim=end_frame={count},{conform(fmt)}[{out}]")
        if look is None or not look.alpha:
            chain = (f"{head}:out_color_matrix=bt709:out_range=tv,format=yuv420p,"
                     f"crop={fmt.width}:{fmt.height},{tail}")
            return Graph(("-ss", f"{seek:.6f}", *ffmpeg.media_input(self.path)), (chain,), 1)
        # Transparency: composited in RGB on the background, as the stills are (see still.viewed).
        return Graph(("-ss", f"{seek:.6f}", *ffmpeg.media_input(self.path)), (
            f"{head},format=rgba,crop={fmt.width}:{fmt.height},setpts=PTS-STARTPTS[{out}_fg]",
            f"color=c={_hex(self.background)}:s={fmt.width}x{fmt.height}:r={fmt.rate},format=rgb24[{out}_bg]",
            f"[{out}_bg][{out}_fg]overlay=shortest=1:format=rgb,{to_film_colour()},{tail}",
        ), 1)


Source = ImageMove | Scroll | VideoClip
