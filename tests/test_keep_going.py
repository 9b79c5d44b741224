"""Failure without losing work: `--keep-going` runs every job that does not need the one that
failed and lists each failure; `--allow-missing` finishes the cut with a slate in place of a
shot that could not be made, so a review can go on.

A shot job that fails for a reason of its own (a model out of memory, a crash in a generator)
cannot be made to happen with real parts here: the animatic draws every panel it is given. So
the tests make one panel's drawing raise (monkeypatch), and everything else is real."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import count_frames, frame_at, write_project
from pipeline import cli
from pipeline.build import build
from pipeline.build.run import JobsFailed
from pipeline.cache import damage
from pipeline.generators.drawing import draw_background, panel

FILM = """
title: Gone Film
title_card: false
fps: 12
size: 160x96
seed: 2
scenes:
  - heading: EXT. PIER - DAY
    shots:
      - id: pier
        prompt: "an empty pier"
        narration: "Nobody fished here any more."
      - id: gull
        prompt: "a gull lands"
        duration: 2
      - id: boat
        prompt: "a boat leaves"
        duration: 2
"""


@pytest.fixture
def gull_fails(monkeypatch):
    """The gull's panel cannot be drawn (as a model that runs out of memory on one shot)."""
    draw = panel.draw_background

    def failing(request):
        if request.shot_id == "gull":
            raise RuntimeError("CUDA out of memory (tried to allocate 2.00 GiB)")
        return draw(request)

    # The animatic's job looks the drawing up when it draws (`drawing` loads it on first use).
    monkeypatch.setattr(panel, "draw_background", failing)


def test_keep_going_runs_every_job_that_does_not_need_the_failed_one(tmp_path, gull_fails):
    folder = tmp_path / "gone"
    write_project(folder, FILM)
    with pytest.raises(JobsFailed) as caught:
        build(folder, renders=tmp_path / "r", keep_going=True)
    failed = {(f.kind, f.id): f for f in caught.value.failed}
    assert failed[("shot", "gull")].reason == "RuntimeError: CUDA out of memory (tried to allocate 2.00 GiB)"
    # what needs the gull was not run: its segments, then the cut
    assert failed[("segment", "body:gull")].needs == "gull"
    assert failed[("final", "final")].needs == "gull"
    # everything else was made, and is kept for the next build
    made = {(r.kind, r.id): r for r in caught.value.results}
    for job in (("shot", "pier"), ("shot", "boat"), ("segment", "body:boat"), ("mix", "soundtrack")):
        assert job in made and damage(Path(made[job].output)) == "", job
    report = caught.value.report().splitlines()
    assert report[0].startswith("error: 1 job failed, ") and "not run for want of them" in report[0]
    assert "  shot gull: RuntimeError: CUDA out of memory (tried to allocate 2.00 GiB)" in report
    assert "  not run: segment body:gull (needs shot gull, which failed)" in report
    assert not (tmp_path / "r" / "gone" / "final.mp4").exists()


def test_allow_missing_finishes_the_cut_with_a_slate_and_the_next_build_mends_it(tmp_path, gull_fails,
                                                                               monkeypatch, capsys):
    folder = tmp_path / "gone"
    write_project(folder, FILM)
    renders = tmp_path / "r"
    code = cli.main(["build", str(folder), "--out", str(renders), "--allow-missing"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "warning: shot gull failed: RuntimeError: CUDA out of memory (tried to allocate 2.00 GiB); its shot is " \
           "a slate in the cut" in err
    assert "final" not in err and "segment" not in err    # made, with the slate in them
    report = json.loads((renders / "gone" / "build.json").read_text())
    assert [(m["kind"], m["id"]) for m in report["missing"]] == [("shot", "gull")]
    # the cut is as long as planned; the gull's time holds the slate, a card, not its panel
    shots = {s["id"]: s for s in report["shots"]}
    final = renders / "gone" / "final.mp4"
    assert count_frames(final) == report["frames"]
    middle = shots["gull"]["start"] + shots["gull"]["frames"] // 2
    slate = frame_at(final, middle)
    assert {(j["kind"], j["id"]) for j in report["jobs"]} >= {("card", "gull"), ("shot", "pier"), ("shot", "boat")}

    # the fault is gone: the next build makes the gull and what shows it, and nothing else
    monkeypatch.setattr(panel, "draw_background", draw_background)
    again = build(folder, renders=renders)
    ran = {(r.kind, r.id) for r in again.results if r.status == "rendered"}
    assert ("shot", "gull") in ran and ("shot", "pier") not in ran and ("shot", "boat") not in ran
    assert all(kind in ("shot", "segment", "final") for kind, _ in ran), ran
    assert not again.missing
    mended = frame_at(again.output, middle)
    assert np.abs(mended.astype(int) - slate.astype(int)).mean() > 10   # the panel, not the slate


def test_a_segment_that_fails_is_a_slate_too_and_a_voice_that_fails_stops_with_every_voice_tried(tmp_path,
                                                                                                  monkeypatch):
    from pipeline.audio import speech
    from pipeline.build import graph

    folder = tmp_path / "gone"
    write_project(folder, FILM.replace("duration: 2\n      - id: boat", "duration: 2\n        narration: \"A gull.\"\n"
                                       "      - id: boat"))
    encode = graph.render_segment
    crashed = []

    def failing(segment, *args, **kwargs):   # the gull's body fails once (the slate's encodes)
        if segment.id == "body:gull" and not crashed:
            crashed.append(segment.id)
            raise RuntimeError("encoder crashed")
        return encode(segment, *args, **kwargs)

    monkeypatch.setattr(graph, "render_segment", failing)
    result = build(folder, renders=tmp_path / "r", allow_missing=True)
    assert [(f.kind, f.id) for f in result.missing] == [("segment", "body:gull")]
    assert count_frames(result.output) == result.plan.total
    monkeypatch.setattr(graph, "render_segment", encode)

    # a voice cannot be made: the shot it is in cannot be timed, so the build stops, having tried every voice
    speak = speech._speak

    def mute(speaker, text, *args):
        if text.startswith("A gull"):
            raise RuntimeError("voice model crashed")
        return speak(speaker, text, *args)

    monkeypatch.setattr(speech, "_speak", mute)
    (folder / "storyboard.yaml").write_text((folder / "storyboard.yaml").read_text()
                                            .replace("Nobody fished here any more.", "Nobody fished here now."))
    with pytest.raises(JobsFailed) as caught:
        build(folder, renders=tmp_path / "r2", allow_missing=True)
    assert [(f.kind, f.reason) for f in caught.value.failed] == [("voice", "RuntimeError: voice model crashed")]
    assert {r.kind for r in caught.value.results} == {"voice"}      # the other line was made
