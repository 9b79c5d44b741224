"""Music and ambience as stems: a bed's file or an ambience loop decoded once into raw 48 kHz
stereo samples (a part of the mix, `chunks.Parts`), then laid on each chunk of the mix in numpy
(`Layer`), looped, faded and at its level, times the ducking track.

Why our own code rather than ffmpeg's filters: a chunk late in a long film needs its few seconds
of a looped bed exactly, to the sample, so that the chunks join without a seam. ffmpeg reaches
them by decoding from the start (a cost that grows with the film: quadratic over all chunks) or
by seeking, which is exact only where the container's timestamps are (not a VBR MP3's); it also
cannot start a fade part-way through its curve. Indexing decoded samples is exact and costs
only the chunk.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..cache import content_key
from ..edit import ffmpeg
from . import ambient
from .ambient import AMBIENCE_VERSION
from .chunks import SAMPLE_RATE, Parts, Window

STEM_VERSION = "1"    # how a bed or an ambience loop is decoded into a stem
DECODE = f"aresample={SAMPLE_RATE},aformat=channel_layouts=stereo"


@dataclass(frozen=True)
class Stem:
    """A bed's file or an ambience loop as 48 kHz stereo 16-bit samples (a part): `frames` long,
    known by `key`."""

    path: Path
    key: str
    frames: int

    def samples(self):
        """The samples, (frames, 2) int16, read from disk as they are used."""
        import numpy as np

        if not self.frames:
            return np.zeros((0, 2), dtype="<i2")
        return np.memmap(self.path, dtype="<i2", mode="r", shape=(self.frames, 2))


def _stem(store: Parts, inputs: dict, write: Callable[[Path], None]) -> Stem:
    key = content_key("stem", {"version": STEM_VERSION, **inputs})
    path = store.make("stem", key, ".s16", write)
    return Stem(path, key, path.stat().st_size // 4)


def file_stem(store: Parts, file: Path, ident: str) -> Stem:
    """A bed's `file` (any format ffmpeg reads; `ident` names its content) decoded once. Raises
    FFmpegError if it cannot be read."""
    return _stem(store, {"file": ident}, lambda temp: ffmpeg.run(
        [*ffmpeg.media_input(file), "-map", "0:a:0", "-af", DECODE, "-c:a", "pcm_s16le", "-f", "s16le", str(temp)],
        what=f"music {file.name}"))


def ambience_stem(store: Parts, kind: str, seed: int) -> Stem:
    """An ambience loop (`ambient.ambience`: one of its kinds, from `seed`, made at its own
    rate) brought to 48 kHz. Raises FFmpegError if ffmpeg fails."""
    def write(temp: Path) -> None:
        import numpy as np

        loop = ambient.ambience(kind, seed=seed)
        # Resampled three times over and the middle kept: the resampler's filter sees the loop
        # go round at both ends, so the stem still loops without a seam.
        source = temp.with_name(temp.name + ".f32")
        try:
            source.write_bytes(np.tile(loop, (3, 1)).astype(np.float32).data)
            n = len(loop) * SAMPLE_RATE // ambient.AMBIENCE_RATE
            ffmpeg.run(["-f", "f32le", "-ar", str(ambient.AMBIENCE_RATE), "-ac", "2", "-i", str(source), "-af",
                        f"{DECODE},atrim=start_sample={n}:end_sample={2 * n}", "-c:a", "pcm_s16le", "-f", "s16le",
                        str(temp)], what=f"ambience {kind}")
        finally:
            source.unlink(missing_ok=True)

    return _stem(store, {"ambience": kind, "seed": seed, "ambience version": AMBIENCE_VERSION}, write)


@dataclass(frozen=True)
class Layer:
    """A stem laid on the cut: from sample `at` for `length` samples, from `offset` into the
    stem (looped, or silent past its end), faded in and out over `fade_in` and `fade_out`
    samples on `curve` ("tri": linear, as ffmpeg's `afade`; "qsin": equal power), at `volume` dB."""

    stem: Stem
    at: int
    length: int
    loop: bool
    volume: float
    fade_in: int
    fade_out: int
    curve: str = "tri"
    offset: int = 0

    def overlaps(self, window: Window) -> bool:
        """Whether the layer sounds in any sample `window` renders."""
        return self.at < window.last and self.at + self.length > window.first

    def key(self, window: Window) -> list:
        """What the layer puts into `window`, its places counted from the window's first sample:
        only what the window hears, so a bed that a later edit lengthens leaves the windows
        before its fade-out as they were."""
        low, high = max(0, window.first - self.at), min(self.length, window.last - self.at)
        fading_in = [low, self.fade_in] if low < self.fade_in else None
        fading_out = [self.length - low, self.fade_out] if high > self.length - self.fade_out else None
        return [self.stem.key, self.stem.frames, self.loop, self.curve, self.volume, self.at + low - window.first,
                low + self.offset, high - low, fading_in, fading_out]

    def add(self, out, start: int) -> None:
        """Add what the layer plays from sample `start` of the cut into `out` ((n, 2) float32,
        the samples from `start` on): copied from the stem a stretch at a time (a loop's
        repeats), scaled, faded where it fades."""
        import numpy as np

        low, high = max(0, start - self.at), min(self.length, start + len(out) - self.at)
        if high <= low or self.stem.frames == 0:
            return
        stem, frames = self.stem.samples(), self.stem.frames
        scale = np.float32(10 ** (self.volume / 20) / 32768)
        shape = (lambda x: np.sin(np.pi / 2 * x)) if self.curve == "qsin" else (lambda x: x)
        place = low   # where in the layer the next stretch starts
        while place < high:
            at = (place + self.offset) % frames if self.loop else place + self.offset
            if at >= frames:
                break   # past the end of a stem that does not loop: silence
            take = min(frames - at, high - place)
            stretch = np.multiply(stem[at:at + take], scale, dtype=np.float32)
            if place < self.fade_in:
                ramp = np.arange(place, min(place + take, self.fade_in))
                stretch[:len(ramp)] *= shape(ramp / self.fade_in).astype(np.float32)[:, None]
            if place + take > self.length - self.fade_out:
                ramp = np.arange(max(place, self.length - self.fade_out), place + take)
                stretch[take - len(ramp):] *= shape((self.length - ramp) / self.fade_out).astype(np.float32)[:, None]
            begin = self.at + place - start
            out[begin:begin + take] += stretch
            place += take


def track_slice(track, rate: int, window: Window):
    """The values of a gain `track` (`rate` a second, from the film's start) that `window`
    reads, from the one at its first sample."""
    per = SAMPLE_RATE // rate
    return track[window.first // per: -(-window.last // per) + 2]


BLOCK = 1 << 16   # samples laid at a time (512 KB of float32 stereo)


def lay(layers: list[Layer], window: Window, path: Path, track=None, rate: int = 0) -> None:
    """Write the layers' sum over `window` to `path` (raw float32 stereo, `window.length`
    samples), times the gain `track` (`rate` values a second; linear between them) if given,
    a block at a time (so memory does not grow with the chunk). `window.first` must fall on
    one of the track's samples (the chunks' grid does)."""
    import numpy as np

    values = track_slice(track, rate, window) if track is not None else None
    with path.open("wb") as file:
        for begin in range(0, window.length, BLOCK):
            block = np.zeros((min(BLOCK, window.length - begin), 2), dtype=np.float32)
            for layer in layers:
                layer.add(block, window.first + begin)
            if values is not None:
                per = SAMPLE_RATE // rate
                at = (np.arange(begin, begin + len(block)) + window.first % per) / per
                block *= np.interp(at, np.arange(len(values)), values).astype(np.float32)[:, None]
            file.write(block.data)   # not ndarray.tofile: its full-disk error carries no errno
