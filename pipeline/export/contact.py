"""Contact sheets: a shot's takes side by side, so the writer can pick one with `take: K`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..cache import atomic
from ..edit import children, ffmpeg
from ..fonts import font

COLUMNS = 4          # frames shown per take: first, a third in, two thirds in, last
THUMB_WIDTH = 320
PICTURES = (".png", ".jpg", ".jpeg", ".webp")   # a take's media with one of these suffixes is a still


def take_frames(media: Path, count: int = COLUMNS) -> list[Image.Image]:
    """`count` frames spread over one take's media file (`Take.media`): a clip, sampled from
    its first frame to its last, or a picture (by its suffix), repeated. Raises
    ffmpeg.FFmpegError if the clip is not readable media."""
    if media.suffix.lower() in PICTURES:
        with Image.open(media) as image:
            return [image.convert("RGB")] * count
    info = ffmpeg.probe(media)
    width, height = THUMB_WIDTH, round(info.height * THUMB_WIDTH / info.width)
    # Small frames of the whole take, straight from ffmpeg (a take is seconds long).
    found = children.run([ffmpeg.exe(), "-v", "error", "-i", str(media), "-vf", f"scale={width}:{height}",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if found.returncode:
        raise ffmpeg.failure(f"frames of {media.name}", found.returncode, found.stderr.decode("utf-8", "replace"))
    raw = found.stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    picks = [round(i * (len(frames) - 1) / max(count - 1, 1)) for i in range(count)]
    return [Image.fromarray(frames[n]) for n in picks]


def contact_sheet(takes: list[tuple[str, list[Image.Image]]], out: Path) -> None:
    """One row per take, labelled, frames left to right; written atomically as PNG."""
    first = takes[0][1][0]
    width = THUMB_WIDTH
    height = round(first.height * width / first.width)
    label = 28
    sheet = Image.new("RGB", (COLUMNS * width + (COLUMNS + 1) * 8, len(takes) * (height + label + 8) + 8),
                      (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    text_font = font(18)
    for row, (name, frames) in enumerate(takes):
        top = 8 + row * (height + label + 8)
        draw.text((8, top + 4), name, font=text_font, fill=(230, 230, 236))
        for column, frame in enumerate(frames[:COLUMNS]):
            sheet.paste(frame.resize((width, height), Image.Resampling.LANCZOS),
                        (8 + column * (width + 8), top + label))
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic(out) as temp:
        sheet.save(temp, format="PNG")
