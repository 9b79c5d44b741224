"""Contact sheets: a shot's takes side by side, so the writer can pick one with `take: K`
(`film takes`), and the whole cut on one sheet, a frame of each shot from its middle
(`film export --format contact`: renders/NAME/contact.png)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from ..cache import atomic
from ..edit import children, ffmpeg
from ..fonts import font

FILE = "contact.png"

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


def frames_at(video: Path, wanted: list[int], width: int = THUMB_WIDTH) -> dict[int, Image.Image]:
    """Frames `wanted` (0-based numbers) of `video`, `width` pixels wide, decoded in one pass
    (a `select` of those frames: no frame is converted or scaled but those). Raises
    ffmpeg.FFmpegError if the file is not readable media or lacks a frame asked for."""
    info = ffmpeg.probe(video)
    height = max(2, round(info.height * width / info.width / 2) * 2)
    numbers = sorted(set(wanted))
    pick = ffmpeg.select_frames(numbers)
    found = children.run([ffmpeg.exe(), "-v", "error", "-i", str(video), "-map", "0:v:0",
                          "-vf", f"select='{pick}',scale={width}:{height}",
                          "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if found.returncode:
        raise ffmpeg.failure(f"frames of {video.name}", found.returncode, found.stderr.decode("utf-8", "replace"))
    frames = np.frombuffer(found.stdout, np.uint8).reshape(-1, height, width, 3)
    if len(frames) != len(numbers):
        raise ffmpeg.FFmpegError(f"frames of {video.name}: {len(frames)} of the {len(numbers)} frames asked for were "
                                 "found (the cut is shorter than its plan)")
    return {n: Image.fromarray(frame) for n, frame in zip(numbers, frames)}


def film_sheet(shots: list[tuple[str, Image.Image]], out: Path, columns: int = COLUMNS) -> None:
    """Every shot's frame in reading order, `columns` to a row, each labelled (its id and when
    it cuts in); written atomically as PNG."""
    width, height = shots[0][1].size
    label = 28
    rows = -(-len(shots) // columns)
    sheet = Image.new("RGB", (columns * width + (columns + 1) * 8, rows * (height + label + 8) + 8), (24, 24, 28))
    draw = ImageDraw.Draw(sheet)
    text_font = font(16)
    for n, (name, frame) in enumerate(shots):
        left, top = 8 + (n % columns) * (width + 8), 8 + (n // columns) * (height + label + 8)
        draw.text((left, top + 4), name, font=text_font, fill=(230, 230, 236))
        sheet.paste(frame, (left, top + label))
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic(out) as temp:
        sheet.save(temp, format="PNG")


def write(result, renders: Path) -> tuple[Path, ...]:
    """renders/NAME/contact.png: a frame from the middle of each shot of the cut, labelled
    `id  m:ss`."""
    from .chapters import clock

    plan = result.plan
    middles = [start + shot.frames // 2 for shot, start in zip(plan.shots, plan.starts())]
    frames = frames_at(result.output, middles)
    labels = [f"{shot.id}  {clock(round(start * 1000 / plan.fmt.fps))}"
              for shot, start in zip(plan.shots, plan.starts())]
    out = result.folder / FILE
    film_sheet([(label, frames[n]) for label, n in zip(labels, middles)], out)
    return (out,)
