"""The editor with real ffmpeg: segments tile the cut, joins are frame-exact, transitions blend."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from conftest import count_frames, frame_at, solid_png
from pipeline.edit import ffmpeg
from pipeline.camera import MOVES, move_filter
from pipeline.edit.sources import ImageMove, VideoClip
from pipeline.frames import Format
from pipeline.edit.timeline import Clip, Join, Timeline
from pipeline.testing.timelines import render_timeline

FMT = Format(160, 96, Fraction(24))
RED, BLUE, GREEN = (230, 20, 20), (20, 20, 230), (20, 200, 20)


def image_clip(tmp_path: Path, name: str, colour, frames: int, head: int, tail: int, move="static") -> Clip:
    path = solid_png(tmp_path / f"{name}.png", colour, (200, 120))
    return Clip(name, ImageMove(name, path, move, head + frames + tail), frames, head, tail)


def render(timeline: Timeline, tmp_path: Path) -> Path:
    """The timeline through the real segment path: one encode per segment, joined by copying."""
    return render_timeline(timeline, tmp_path)


def mean(frame: np.ndarray) -> np.ndarray:
    return frame.reshape(-1, 3).mean(axis=0)


def test_segments_tile_the_cut_and_join_frame_exactly(tmp_path):
    a = image_clip(tmp_path, "a", RED, 30, 0, 6)
    b = image_clip(tmp_path, "b", BLUE, 20, 6, 0)
    c = image_clip(tmp_path, "c", GREEN, 10, 0, 0)
    timeline = Timeline(FMT, (a, b, c), (Join("dissolve", 12), Join("cut", 0)))
    segments = timeline.segments()
    assert [(s.kind, s.start, s.frames) for s in segments] == [
        ("body", 0, 24), ("transition", 24, 12), ("body", 36, 14), ("body", 50, 10)]
    final = render(timeline, tmp_path)
    assert count_frames(final) == 60
    # which shot is on screen when: before, after and at the hard cut
    assert np.allclose(mean(frame_at(final, 10)), RED, atol=12)
    assert np.allclose(mean(frame_at(final, 45)), BLUE, atol=12)
    assert np.allclose(mean(frame_at(final, 49)), BLUE, atol=12)
    assert np.allclose(mean(frame_at(final, 50)), GREEN, atol=12)


def test_dissolve_midpoint_is_a_blend_of_both_shots(tmp_path):
    a = image_clip(tmp_path, "a", RED, 24, 0, 6)
    b = image_clip(tmp_path, "b", BLUE, 24, 6, 0)
    final = render(Timeline(FMT, (a, b), (Join("dissolve", 12),)), tmp_path)
    red, _, blue = mean(frame_at(final, 24))       # the cut: the dissolve's midpoint
    assert 0.35 < red / (red + blue) < 0.65
    early, late = mean(frame_at(final, 19)), mean(frame_at(final, 29))
    assert early[0] > red > late[0]                # red fades out through the dissolve
    assert early[2] < blue < late[2]


def test_fade_black_passes_through_black(tmp_path):
    a = image_clip(tmp_path, "a", RED, 24, 0, 6)
    b = image_clip(tmp_path, "b", BLUE, 24, 6, 0)
    final = render(Timeline(FMT, (a, b), (Join("fade-black", 12),)), tmp_path)
    levels = [mean(frame_at(final, n)).max() for n in range(16, 33)]
    darkest = 16 + int(np.argmin(levels))
    assert 23 <= darkest <= 24 and min(levels) < 25           # black at the cut
    assert levels[0] > 200 and levels[-1] > 200               # both shots at full strength outside it
    assert np.all(np.diff(levels[:darkest - 16 + 1]) <= 1)    # fading down to the cut, then up
    assert np.all(np.diff(levels[darkest - 16:]) >= -1)


@pytest.mark.parametrize("name", ["wipe-left", "slide-right"])
def test_wipes_and_slides_split_the_frame(tmp_path, name):
    a = image_clip(tmp_path, "a", RED, 24, 0, 6)
    b = image_clip(tmp_path, "b", BLUE, 24, 6, 0)
    final = render(Timeline(FMT, (a, b), (Join(name, 12),)), tmp_path)
    middle = frame_at(final, 24).astype(int)
    left, right = mean(middle[:, :40]), mean(middle[:, -40:])
    # one side shows the outgoing shot, the other the incoming one
    assert {int(np.argmax(left)), int(np.argmax(right))} == {0, 2}


def test_camera_moves_change_the_picture_over_time(tmp_path):
    from PIL import Image, ImageDraw

    canvas = Image.new("RGB", (200, 120), (40, 40, 40))
    # a white band on the left, in the margin outside the title-safe area that a pan travels
    ImageDraw.Draw(canvas).rectangle([0, 0, 7, 120], fill=(250, 250, 250))
    path = tmp_path / "band.png"
    canvas.save(path)
    clip = Clip("p", ImageMove("p", path, "pan-right", 24), 24)
    final = render(Timeline(FMT, (clip,), ()), tmp_path)
    first, last = frame_at(final, 0), frame_at(final, 23)
    assert first[:, :4].mean() > 200 and last[:, :8].mean() < 100   # the band leaves the frame
    assert set(MOVES) >= {"static", "zoom-in", "zoom-out", "pan-left", "pan-right", "tilt-up", "tilt-down",
                          "dolly-in", "dolly-out", "crane-up"}
    once, per_frame = move_filter("zoom-in", 0, 48, 160, 96)
    assert per_frame != "null" and "scale=160:96" not in per_frame   # moved per frame, not scaled once


def test_a_graph_longer_than_one_argument_is_read_from_a_file(tmp_path, monkeypatch):
    # A two-minute push-in at 1280x720 carries its settings for every frame in its filter graph:
    # longer than Linux takes in one argument (128 KiB), so ffmpeg must read it from a file.
    frames = 24 * 120
    graph = ImageMove("long", tmp_path / "x.png", "dolly-in", frames).graph(0, frames, Format(1280, 720, Fraction(24)), 0, "p0")
    assert sum(len(f) for f in graph.filters) > 128 * 1024
    # The file path, taken here by every graph, makes the same frames as the argument.
    timeline = Timeline(FMT, (image_clip(tmp_path, "push", RED, 48, 0, 0, move="dolly-in"),), ())
    direct = render(timeline, tmp_path / "direct").read_bytes()
    monkeypatch.setattr(ffmpeg, "LONGEST_ARGUMENT", 100)
    commands = []
    real = ffmpeg.children.run
    monkeypatch.setattr(ffmpeg.children, "run", lambda command, **kw: commands.append(command) or real(command, **kw))
    assert render(timeline, tmp_path / "from-file").read_bytes() == direct
    assert any("-/filter_complex" in command for command in commands)


def test_footage_is_trimmed_and_conformed(tmp_path):
    # 2 s of 30 fps 320x240 test footage whose frame number is readable as brightness steps
    source = tmp_path / "source.mp4"
    ffmpeg.run(["-f", "lavfi", "-i", "color=c=black:s=320x240:r=30:d=2", "-vf",
                "drawbox=x=0:y=0:w=320:h=240:color=white@1:t=fill:enable='gte(t,1)'",
                "-c:v", "libx264", "-pix_fmt", "yuv420p", str(source)])
    clip = Clip("f", VideoClip("f", source, 0.5, 24), 24)   # from 0.5 s: black until 1 s, then white
    final = render(Timeline(FMT, (clip,), ()), tmp_path)
    assert count_frames(final) == 24
    first = frame_at(final, 0)
    assert first.shape == (96, 160, 3) and first.mean() < 30
    assert frame_at(final, 11).mean() < 30 and frame_at(final, 13).mean() > 220
    # a clip longer than the footage holds its last frame
    held = Clip("h", VideoClip("h", source, 1.5, 36), 36)
    final = render(Timeline(FMT, (held,), ()), tmp_path / "held" if (tmp_path / "held").mkdir() is None else tmp_path)
    assert count_frames(final) == 36 and frame_at(final, 35).mean() > 220
