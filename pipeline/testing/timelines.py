"""Timelines rendered through the real segment path, and test cards to render, for tests and
benchmarks that look at what the editor makes of a cut."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ..camera import canvas_size
from ..edit import ffmpeg
from ..edit.render import concat, render_segment
from ..edit.timeline import Timeline
from ..frames import Format


def render_timeline(timeline: Timeline, folder: Path) -> Path:
    """`timeline` as a film: one encode per segment, joined by copying, with a silent track;
    returns folder/final.mp4 (`folder` is made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    outs = []
    for n, segment in enumerate(timeline.segments()):
        outs.append(folder / f"seg{n}.mp4")
        render_segment(segment, timeline.fmt, outs[-1])
    silence = folder / "silence.m4a"
    ffmpeg.run(["-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", str(timeline.fmt.seconds(timeline.total)),
                "-c:a", "aac", str(silence)])
    final = folder / "final.mp4"
    concat(outs, silence, final, folder / "list.txt")
    return final


def marker_card(path: Path, fmt: Format, marks: list[tuple[float, float]], radius: float = 3.5) -> Path:
    """A camera canvas for `fmt` with soft round markers on black, centred at `marks` (fractions
    of the canvas, across and down), written as a PNG at `path`."""
    width, height = canvas_size(fmt.width, fmt.height)
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    level = sum(np.exp(-((xs - mx * width) ** 2 + (ys - my * height) ** 2) / (2 * radius ** 2)) for mx, my in marks)
    Image.fromarray((np.clip(level, 0, 1) * 255).astype(np.uint8)).convert("RGB").save(path)
    return path


def centroids(frame: np.ndarray, around: np.ndarray, radius: int = 12) -> np.ndarray:
    """Brightness-weighted centres (x, y) of the markers of a greyscale `frame` (rows, columns)
    found within `radius` pixels of each of `around` (pixel-centre coordinates, shape (n, 2))."""
    found = []
    for x, y in around:
        x0, y0 = max(int(x) - radius, 0), max(int(y) - radius, 0)
        window = frame[y0:y0 + 2 * radius, x0:x0 + 2 * radius]
        rows, cols = np.mgrid[y0:y0 + window.shape[0], x0:x0 + window.shape[1]] + 0.5
        found.append(((window * cols).sum() / window.sum(), (window * rows).sum() / window.sum()))
    return np.array(found)
