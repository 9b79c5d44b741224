"""The soundtrack in chunks: fixed windows of the film's time, each mixed, limited and encoded on
its own, kept by what sounds in it, and joined into one AAC track without encoding again.

An edit then costs the chunks it touches. A change that moves nothing (a picture, an effect's
gain, a line rewritten to the same length) costs its own chunk or two; one that moves every
sound after it (a line made longer) costs the chunks after it, not those before: AAC codes
1024-sample frames on one grid from the track's start, so sound that moved by anything but a
whole number of frames must be coded again whatever the chunking.

Why our own code: no library splices AAC. What makes the splice clean is the codec's design:
each frame's MDCT overlaps the next by half, and two encodings of the same samples cancel each
other's aliasing where they overlap. So each chunk is encoded from `PREROLL` before its first
kept frame (the limiter, the compressor, the meter's 400 ms window and the encoder's own state
all settle there) to `POSTROLL` after its last (the limiter and the encoder look ahead), and only
the frames of its window are kept. The first chunk keeps the encoder's priming frame, which the
MP4 skips with an edit list as it would for one encode (ISO/IEC 14496-12 `elst`; the last frame's
duration trims the end), so the track is exactly the film's length.

The grid: a window starts at a multiple of `GRID` (1.6 s), which is a whole number of AAC
frames (75), of the loudness meter's 100 ms steps (ITU-R BS.1770's gating blocks, 400 ms long,
start every 100 ms) and of the ducking track's samples: a chunk metered alone logs the same
blocks as the whole film would, so the programme's loudness is gated from the chunks' blocks.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..cache import atomic, content_key, damage, fingerprint, seal, unseal
from ..edit import ffmpeg

SAMPLE_RATE = 48000
FRAME = 1024                 # samples in an AAC frame
GRID = 76800                 # 1.6 s: 75 AAC frames, 16 meter steps of 100 ms, 320 ducking samples
CHUNK = 18 * GRID            # 28.8 s: a one-line edit that moves nothing costs one or two of these
PREROLL = GRID               # rendered before a window and thrown away: every stateful stage settles
POSTROLL = 4 * FRAME         # rendered after it: the limiter's and the encoder's look ahead
STEP = SAMPLE_RATE // 10     # the meter's step: a momentary (400 ms) reading every 100 ms
SILENT = -120.7              # LUFS the meter reads for digital silence (far under BS.1770's -70 gate)


@dataclass(frozen=True)
class Window:
    """One chunk of the film's time, in samples at `SAMPLE_RATE`: it keeps [`start`, `end`) and
    is rendered over [`first`, `last`) (with its pre- and post-roll, inside the film)."""

    index: int
    start: int
    end: int
    total: int

    @property
    def first(self) -> int:
        """The first sample rendered."""
        return max(0, self.start - PREROLL)

    @property
    def last(self) -> int:
        """One past the last sample rendered."""
        return min(self.total, self.end + POSTROLL)

    @property
    def length(self) -> int:
        """Samples rendered."""
        return self.last - self.first


def windows(total: int) -> list[Window]:
    """The chunks of a track `total` samples long: `CHUNK` samples each, the last shorter."""
    return [Window(i, start, min(start + CHUNK, total), total) for i, start in enumerate(range(0, total, CHUNK))]


def momentary(stderr: str, name: str) -> list[tuple[float, float]]:
    """(seconds, LUFS) of each momentary (400 ms) reading in the frame log of the `ebur128@name`
    meter (`framelog=info`), every 100 ms; `SILENT` where it read no loudness at all (it logs
    -inf or nan there), so every reading is a number JSON can hold."""
    pattern = rf"\[ebur128@{name} @ [^\]]*\] t:\s*([\d.]+)\s+TARGET:\S+ LUFS\s+M:\s*(\S+)"
    return [(float(t), m if math.isfinite(m := float(value)) else SILENT) for t, value in re.findall(pattern, stderr)]


def kept_blocks(stderr: str, window: Window, name: str) -> list[float]:
    """The momentary loudness (LUFS) of each 100 ms step of `window`, from the frame log of the
    `ebur128@name` meter that read its render (`momentary`): the blocks ending inside the
    window, so that the windows' blocks tile the film's once each."""
    return [m for t, m in momentary(stderr, name) if window.start < window.first + round(t * 10) * STEP <= window.end]


def gated_loudness(blocks: Iterable[float]) -> float | None:
    """Integrated loudness (LUFS) from 400 ms blocks' loudness, gated as ITU-R BS.1770-4 gates
    them: blocks under -70 LUFS are dropped, then those 10 LU under the mean of the rest; None
    when nothing is left (silence)."""
    loud = [b for b in blocks if b > -70.0]
    if not loud:
        return None
    power = [10 ** ((b + 0.691) / 10) for b in loud]
    relative = -0.691 + 10 * math.log10(sum(power) / len(power)) - 10.0
    kept = [p for b, p in zip(loud, power) if b > relative]
    return -0.691 + 10 * math.log10(sum(kept) / len(kept))


def packets(data: bytes) -> list[bytes]:
    """An ADTS stream's AAC frames, each with its 7- or 9-byte header. Raises ValueError if
    `data` is not a whole ADTS stream."""
    found, at = [], 0
    while at < len(data):
        if len(data) - at < 7 or data[at] != 0xFF or data[at + 1] & 0xF6 != 0xF0:
            raise ValueError(f"not an ADTS frame at byte {at}")
        size = ((data[at + 3] & 3) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5)
        if size < 7 or at + size > len(data):
            raise ValueError(f"an ADTS frame at byte {at} runs past the end")
        found.append(data[at:at + size])
        at += size
    return found


def window_packets(encoded: bytes, window: Window) -> bytes:
    """The frames of `window` from the ADTS encoding of its render (`first` to `last`): frame
    j decodes to rendered samples [(j-1)·1024, j·1024) (frame 0 is the encoder's priming, kept
    only by the first window). Raises ValueError if the encoding is short of them."""
    frames = packets(encoded)
    begin = 0 if window.start == 0 else (window.start - window.first) // FRAME + 1
    end = -(-(window.end - window.first) // FRAME) + 1
    if len(frames) < end:
        raise ValueError(f"the encoder gave {len(frames)} frames for a chunk that needs {end}")
    return b"".join(frames[begin:end])


def join(chunks: list[Path], total: int, out: Path) -> None:
    """Join the chunks' frames (`window_packets`, in order) into an MP4 audio track exactly
    `total` samples long: the priming frame skipped by the edit list, the last frame's duration
    cut to what the film holds. Raises ValueError if the frames do not add up to the film,
    FFmpegError if ffmpeg fails."""
    stream = out.with_name(out.stem + ".frames.aac")
    try:
        count = 0
        with stream.open("wb") as file:   # a chunk at a time: a feature's track is hundreds of MB
            for chunk in chunks:
                data = chunk.read_bytes()
                count += len(packets(data))
                file.write(data)
        frames = -(-total // FRAME)
        if count != frames + 1:
            raise ValueError(f"the chunks hold {count} AAC frames where {total} samples need {frames + 1}")
        last = total - (frames - 1) * FRAME
        # Timestamps from each frame's index (1024 samples apiece; the priming frame at -1024,
        # which the muxer turns into the edit list), whatever the raw stream's demuxer guessed.
        timing = (f"setts=ts=(N-1)*{FRAME}/{SAMPLE_RATE}/TB:duration=if(eq(N\\,{count - 1})\\,{last}\\,{FRAME})"
                  f"/{SAMPLE_RATE}/TB:time_base=1/{SAMPLE_RATE}")
        ffmpeg.run(["-f", "aac", "-i", str(stream), "-map", "0:a", "-c:a", "copy", "-bsf:a", timing, "-f", "mp4",
                    str(out)], what="audio join")
    finally:
        stream.unlink(missing_ok=True)


class Parts:
    """The mix's parts, kept between builds under `root`: decoded stems, measurements and
    encoded chunks, each named by the key of what made it and sealed as the build's outputs are
    (`cache.seal`): a part cut short or changed is made again, never trusted."""

    def __init__(self, root: Path):
        self.root = root
        self.used: set[Path] = set()

    def path(self, kind: str, key: str, suffix: str) -> Path:
        """Where the part of `kind` with `key` lives."""
        return self.root / kind / f"{key}{suffix}"

    def find(self, kind: str, key: str, suffix: str) -> Path | None:
        """The intact part, or None (a damaged one is removed)."""
        path = self.path(kind, key, suffix)
        if path.exists() and damage(path) == "":
            self.used.add(path)
            return path
        unseal(path)
        return None

    def make(self, kind: str, key: str, suffix: str, write: Callable[[Path], None]) -> Path:
        """The part of `kind` with `key`: found, or written by `write(path)` and sealed."""
        found = self.find(kind, key, suffix)
        if found is not None:
            return found
        path = self.path(kind, key, suffix)
        with atomic(path) as temp:   # as the build makes a job's output (`executors.make`)
            write(temp)
            made = fingerprint(temp)
        seal(path, made)
        self.used.add(path)
        return path

    def recall(self, kind: str, inputs: Any) -> Any | None:
        """A measurement kept under the key of `inputs` (`keep`), or None."""
        path = self.find(kind, content_key(kind, inputs), ".json")
        if path is None:
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))["value"]
        except (OSError, ValueError, KeyError):
            unseal(path)
            return None

    def keep(self, kind: str, inputs: Any, value: Any) -> None:
        """Keep a measurement (JSON) under the key of `inputs`."""
        self.make(kind, content_key(kind, inputs), ".json",
                  lambda temp: temp.write_text(json.dumps({"value": value}, allow_nan=False), encoding="utf-8"))
