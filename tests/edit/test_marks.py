"""Watermarks: the visible mark where the writer put it and nowhere else, as they wrote it, and
the storyboard's mistakes about it said as `file:line`."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.build import build
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
        watermark: {text: DRAFT, position: bottom-left, opacity: 1, size: 0.12}
        scenes:
          - shots:
              - {id: a, image: blue.png, duration: 1}
    """)
    result = build(folder, renders=tmp_path / "renders")
    frame = frame_at(result.output, 6).astype(int)
    white = (frame.min(axis=2) > 200)
    ys, xs = np.nonzero(white)
    assert len(ys) > 100, "no white letters"
    # within the bottom-left corner of the title-safe area (5% margins), about 12% of the height tall
    assert xs.min() >= 16 - 2 and ys.max() <= 180 - 9 + 2 and xs.max() < 160 and ys.min() > 120
    # elsewhere the picture is as it was
    assert np.abs(frame[:90] - BLUE).mean() < 4 and np.abs(frame[:, 200:] - BLUE).mean() < 4


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
