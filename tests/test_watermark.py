"""The invisible mark (pipeline.watermark): embedded by ffmpeg as a build does it, found again
after a CRF 28, half-size re-encode, and not found in unmarked video."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from pipeline import watermark
from pipeline.edit import ffmpeg

W, H = 1280, 720
ENCODE = ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p",
          "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv"]
CONFORM = ("scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,"
           "setparams=colorspace=bt709:color_primaries=bt709:color_trc=bt709:range=tv")


def make(out: Path, source: str, mark: Path | None, frames: int = 16) -> Path:
    """Encode `frames` frames of the lavfi `source`, with the mark added as a build adds it."""
    args = ["-f", "lavfi", "-i", source]
    if mark is None:
        args += ["-vf", CONFORM]
    else:
        args += ["-loop", "1", "-i", str(mark), "-filter_complex",
                 f"[0:v]{CONFORM}[film];" + watermark.mark_filter("film", "1:v", "marked"), "-map", "[marked]"]
    ffmpeg.run([*args, "-frames:v", str(frames), *ENCODE, str(out)])
    return out


def copy(source: Path, out: Path, crf: int = 28, scale: str = "iw/2:ih/2") -> Path:
    """What a re-upload does: re-encoded with libx264 at `crf`, scaled (default: to half)."""
    ffmpeg.run(["-i", str(source), "-vf", f"scale={scale}", "-c:v", "libx264", "-preset", "ultrafast",
                "-crf", str(crf), "-pix_fmt", "yuv420p", str(out)])
    return out


def luma(path: Path, frames: int = 4) -> np.ndarray:
    raw = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(path), "-frames:v", str(frames),
                          "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, H, W).astype(np.float64)


@pytest.fixture(scope="module")
def films(tmp_path_factory):
    folder = tmp_path_factory.mktemp("watermark")
    payload = watermark.payload_for("the-lighthouse")
    mark = folder / "mark.png"
    watermark.write_mark(mark, W, H, payload)
    source = f"testsrc2=s={W}x{H}:r=8"
    return {"payload": payload, "folder": folder,
            "marked": make(folder / "marked.mp4", source, mark),
            "plain": make(folder / "plain.mp4", source, None)}


def test_mark_found_after_crf28_at_half_size(films):
    small = copy(films["marked"], films["folder"] / "small.mp4")
    found = watermark.detect(small)
    assert found.found and found.payload == films["payload"], found
    assert found.confidence > 2 * watermark.THRESHOLD
    assert watermark.matches(found, films["payload"]) > 2 * watermark.THRESHOLD
    assert watermark.matches(found, watermark.payload_for("another-film")) < watermark.THRESHOLD


@pytest.mark.parametrize("source", ["plain", "flat", "mandelbrot"])
def test_no_mark_in_unmarked_video(films, source):
    folder = films["folder"]
    video = {"plain": lambda: films["plain"],
             "flat": lambda: make(folder / "flat.mp4", f"color=c=0x5a7d9a:s={W}x{H}:r=8", None),
             "mandelbrot": lambda: make(folder / "mandel.mp4", f"mandelbrot=s={W}x{H}:r=8", None)}[source]()
    for candidate in (video, copy(video, folder / f"{source}-small.mp4")):
        result = watermark.detect(candidate)
        assert not result.found and result.payload is None, result
        assert result.confidence < watermark.THRESHOLD
        assert watermark.matches(result, films["payload"]) < watermark.THRESHOLD


def test_mark_is_faint(films):
    offsets = watermark.mark_image(W, H, films["payload"]).astype(np.float64) - 128
    assert 10 * np.log10(255 ** 2 / np.mean(offsets ** 2)) > 45
    assert np.abs(offsets).max() <= 4
    marked, plain = luma(films["marked"]), luma(films["plain"])
    assert 10 * np.log10(255 ** 2 / np.mean((marked - plain) ** 2)) > 42


def test_filter_keeps_chroma_size_and_frames(films, tmp_path):
    mark = tmp_path / "mark.png"
    watermark.write_mark(mark, 64, 48, films["payload"])
    raw = subprocess.run([ffmpeg.exe(), "-v", "error", "-f", "lavfi", "-i", "color=c=0x5a7d9a:s=64x48:r=5:d=1",
                          "-loop", "1", "-i", str(mark), "-filter_complex",
                          f"[0:v]{CONFORM}[v];" + watermark.mark_filter("v", "1:v", "out"), "-map", "[out]",
                          "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, 64 * 48 * 3 // 2)
    assert len(frames) == 5
    y = frames[:, :64 * 48].reshape(-1, 48, 64).astype(int)
    offsets = watermark.mark_image(64, 48, films["payload"]).astype(int) - 128
    assert np.array_equal(y - offsets, np.broadcast_to(y[0, 0, 0] - offsets[0, 0], y.shape))   # exactly the mark
    u, v = frames[:, 64 * 48:64 * 60], frames[:, 64 * 60:]
    assert np.ptp(u) == 0 and np.ptp(v) == 0 and (u[0, 0], v[0, 0]) != (128, 128)             # chroma as it was


def test_payload_and_errors(tmp_path):
    payload = watermark.payload_for("film-1")
    assert payload >> 24 == watermark.SYNC and payload == watermark.payload_for("film-1")
    assert payload != watermark.payload_for("film-2")
    with pytest.raises(ValueError):
        watermark.mark_image(64, 48, 1 << 32)
    bad = tmp_path / "not-a-video.mp4"
    bad.write_bytes(b"nothing here")
    with pytest.raises(ffmpeg.FFmpegError):
        watermark.detect(bad)
