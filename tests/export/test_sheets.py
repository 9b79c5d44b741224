"""`film export`: the contact sheet of the whole cut, and what the command says when asked for
an export it cannot write."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from pipeline.edit import ffmpeg
from pipeline.errors import FilmError
from pipeline.export import check, contact, editors

from conftest import frames_of, write_project


def test_the_contact_sheet_shows_each_shot_from_its_middle(lighthouse):
    (path,) = contact.write(lighthouse, lighthouse.folder.parent)
    sheet = np.asarray(Image.open(path).convert("RGB"), np.float32)
    plan = lighthouse.plan
    width = contact.THUMB_WIDTH
    info_h = round(plan.fmt.height * width / plan.fmt.width / 2) * 2
    rows = -(-len(plan.shots) // contact.COLUMNS)
    assert sheet.shape[0] == rows * (info_h + 28 + 8) + 8
    middles = [start + shot.frames // 2 for shot, start in zip(plan.shots, plan.starts())]
    frames = frames_of(lighthouse.output, [0, *middles])

    def small(frame):
        return np.asarray(Image.fromarray(frame.astype(np.uint8)).resize((width, info_h), Image.Resampling.BILINEAR),
                          np.float32)

    for n, (shot, middle) in enumerate(zip(plan.shots, middles)):
        left, top = 8 + (n % contact.COLUMNS) * (width + 8), 8 + (n // contact.COLUMNS) * (info_h + 36) + 28
        cell = sheet[top:top + info_h, left:left + width]
        assert np.abs(cell - small(frames[middle])).mean() < 6, shot.id
    # and a cell is not any other shot's frame
    other = small(frames[0])
    assert np.abs(sheet[8 + 28 + info_h + 36:8 + 28 + 2 * info_h + 36, 8:8 + width] - other).mean() > 20


def test_an_unknown_export_is_named_with_the_closest(tmp_path):
    write_project(tmp_path, """
        scenes:
          - shots: [{id: a, prompt: a lighthouse, duration: 1}]
    """)
    done = subprocess.run([sys.executable, "-m", "pipeline", "export", str(tmp_path), "--format", "otoi",
                           "--format", "pdf"], capture_output=True, text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "no export 'otoi' (did you mean 'otio'?)" in done.stderr and "no export 'pdf'" in done.stderr
    assert not (tmp_path / "renders").exists()
    with pytest.raises(FilmError, match="exports describe the whole film"):
        check(("otio",), only=True)
    with pytest.raises(FilmError, match="one of: otio, fcp7xml"):
        check(("lock",))      # written by every build, not asked for


def test_a_format_whose_adapter_is_missing_says_what_to_install(monkeypatch):
    # The adapter packages are installed here (the test extra): their absence is what a user
    # without the `editors` extra sees, so OTIO's list of adapters is emptied for this test.
    import opentimelineio as otio

    monkeypatch.setattr(otio.adapters, "available_adapter_names", lambda: ["otio_json"])
    with pytest.raises(FilmError) as raised:
        check(("otio", "edl"))
    assert "otio-cmx3600-adapter, which is not installed: pip install 'film[editors]'" in str(raised.value.report())
    assert editors.FORMATS["edl"].adapter == "cmx_3600"


def test_a_long_films_frames_are_read_in_one_pass(tmp_path):
    """A review page of a 50-shot film asks 150 frames: more terms than ffmpeg's expression
    parser takes in a flat sum (it stops at 100), so the selection is a balanced tree."""
    video = tmp_path / "long.mp4"
    subprocess.run([ffmpeg.exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36:r=24:d=14", "-c:v", "libx264",
                    "-g", "24", str(video)], check=True)
    wanted = list(range(0, 300, 2))
    frames = contact.frames_at(video, wanted, width=64)
    assert sorted(frames) == wanted
    reference = frames_of(video, [0, 298])
    assert np.abs(np.asarray(frames[298], np.float32) - reference[298]).mean() < 1
    assert np.abs(np.asarray(frames[298], np.float32) - reference[0]).mean() > 5
