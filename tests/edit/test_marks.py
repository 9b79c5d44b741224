"""Watermarks: the visible mark where the writer put it and nowhere else, as they wrote it, and
the storyboard's mistakes about it said as `file:line`."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from pipeline import watermark
from pipeline.build import build
from pipeline.build.graph import film_mark
from pipeline.edit import ffmpeg
from pipeline.errors import StoryboardError
from pipeline.parse import load

from conftest import frame_at, solid_png, write_project

BLUE = (30, 40, 200)


def test_the_visible_mark_sits_in_its_corner_inside_the_safe_area(tmp_path):
    folder = tmp_path / "marked"
    solid_png(folder / "blue.png", BLUE, size=(320, 180))
    write_project(folder, """
        title_card: false
        fps: 12
        size: 320x180
        watermark: {text: DRAFT, position: bottom-left, opacity: 1, size: 0.12, invisible: true}
        scenes:
          - shots:
              - {id: a, image: blue.png, duration: 3}
    """)
    result = build(folder, renders=tmp_path / "renders")
    frame = frame_at(result.output, 6).astype(int)
    white = (frame.min(axis=2) > 200)
    ys, xs = np.nonzero(white)
    assert len(ys) > 100, "no white letters"
    # within the bottom-left corner of the title-safe area (5% margins), about 12% of the height tall
    assert xs.min() >= 16 - 2 and ys.max() <= 180 - 9 + 2 and xs.max() < 160 and ys.min() > 120
    # elsewhere the picture is as it was (but for the invisible mark, a level or two)
    assert np.abs(frame[:90] - BLUE).mean() < 4 and np.abs(frame[:, 200:] - BLUE).mean() < 4
    # the invisible mark carries the film's id, in the cut and in a smaller, re-encoded copy of it
    expected = film_mark(result.plan)
    assert watermark.detect(result.output).payload == expected
    copy = tmp_path / "copy.mp4"
    subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(result.output), "-vf", "scale=160:90", "-c:v", "libx264",
                    "-crf", "28", str(copy)], check=True)
    found = watermark.detect(copy)
    assert found.found and found.payload == expected
    record = json.loads((result.folder / "provenance.json").read_text())
    assert record["watermark"] == {"text": "DRAFT", "image": None, "position": "bottom-left",
                                   "invisible": f"{expected & 0xFFFFFF:06x}"}


@pytest.mark.parametrize("written, said", [
    ("{text: DRAFT, image: logo.png}", "a watermark is a text or an image, not both"),
    ("{position: middle}", "unknown watermark position 'middle'"),
    ("{text: X, opacity: 2}", "watermark opacity"),
    ("{image: lgo.png}", "watermark image 'lgo.png'"),
])
def test_a_wrong_watermark_is_said_at_its_line(tmp_path, written, said):
    solid_png(tmp_path / "logo.png", BLUE)
    write_project(tmp_path, f"""
        watermark: {written}
        scenes:
          - shots: [{{id: a, prompt: x, duration: 1}}]
    """)
    with pytest.raises(StoryboardError) as raised:
        load(tmp_path)
    report = raised.value.report()
    assert "storyboard.yaml:1:" in report and said in report, report


def test_the_invisible_mark_alone_goes_through_every_transition(tmp_path):
    """Without a visible mark, the invisible one follows the transition's own filter directly
    (xfade, whose output format ffmpeg must be told): each kind of transition builds, and the
    mark is found in the cut."""
    folder = tmp_path / "joins"
    solid_png(folder / "blue.png", BLUE, size=(320, 180))
    solid_png(folder / "red.png", (200, 40, 30), size=(320, 180))
    write_project(folder, """
        title_card: false
        fps: 12
        size: 320x180
        watermark: {invisible: true}
        scenes:
          - shots:
              - {id: a, image: blue.png, duration: 1.5, transition: dissolve}
              - {id: b, image: red.png, duration: 1.5, transition: wipe-left}
              - {id: c, image: blue.png, duration: 1.5, transition: fade-black}
              - {id: d, image: red.png, duration: 1.5}
    """)
    result = build(folder, renders=tmp_path / "renders")
    assert watermark.detect(result.output).payload == film_mark(result.plan)


def test_a_watermark_picture_that_is_not_one_is_found_by_check(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"not a picture")
    write_project(tmp_path, """
        watermark: {image: logo.png}
        scenes:
          - shots: [{id: a, prompt: x, duration: 1}]
    """)
    from pipeline.measure import check_media
    with pytest.raises(StoryboardError) as raised:
        check_media(load(tmp_path))
    assert "storyboard.yaml:1: watermark image 'logo.png'" in raised.value.report()
