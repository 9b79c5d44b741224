"""Whole builds with real ffmpeg on tiny films: what a viewer would notice, and the cache."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pysubs2
import pytest

from conftest import audio_samples, count_frames, frame_at, solid_png, write_project
from pipeline.build import build
from pipeline.cache import Reason, seal_of
from pipeline.edit import ffmpeg

COLOURS = {"red": (220, 30, 30), "green": (30, 200, 30), "blue": (30, 30, 220), "yellow": (230, 220, 30)}

FILM = """
title: Tiny Film
fps: 12
size: 160x96
seed: 5
music: {generate: ambient, gain: -6}
cast:
  ANA: {look: "red coat"}
credits:
  Directed by: Someone
scenes:
  - heading: EXT. BEACH - DAY
    shots:
      - id: beach
        prompt: "ANA walks along the shore"
        narration: "The sea was calm that day."
        transition: {name: dissolve, duration: 0.5}
      - id: photo
        image: red.png
        camera: zoom-in
        duration: 2
        transition: fade-black
  - heading: INT. HOUSE - NIGHT
    shots:
      - id: house
        prompt: "ANA lights a candle"
        lines:
          - ANA: "Nobody comes here anymore."
"""


@pytest.fixture
def film(tmp_path):
    folder = tmp_path / "tiny"
    solid_png(folder / "red.png", COLOURS["red"])
    write_project(folder, FILM)
    return folder


def mean_rgb(frame: np.ndarray) -> np.ndarray:
    return frame.reshape(-1, 3).mean(axis=0)


def statuses(result) -> dict[str, str]:
    return {f"{r.kind}:{r.id}": r.status for r in result.results}


def test_a_tiny_film_end_to_end(film, tmp_path):
    renders = tmp_path / "renders"
    result = build(film, renders=renders)
    plan = result.plan
    final = renders / "tiny" / "final.mp4"
    assert result.output == final and final.is_file()
    # the cut: title, the shots (spoken ones as long as their speech), credits, to the frame
    assert [s.id for s in plan.shots] == ["title", "beach", "photo", "house", "credits"]
    assert count_frames(final) == plan.total
    info = ffmpeg.probe(final)
    assert (info.video_codec, info.audio_codec, info.sample_rate) == ("h264", "aac", 48000)
    assert (info.width, info.height) == (160, 96)
    assert abs(info.duration - plan.total / 12) <= 1 / 12
    # faststart: the index comes before the media data
    head = final.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))
    # the still is on screen in the middle of its shot
    starts = dict(zip([s.id for s in plan.shots], plan.starts()))
    assert np.allclose(mean_rgb(frame_at(final, starts["photo"] + 12)), COLOURS["red"], atol=25)
    # the music is there, not silent, and fades in
    samples = audio_samples(final)
    assert abs(len(samples) / 48000 - plan.total / 12) < 0.05
    rms = float(np.sqrt(np.mean(samples ** 2)))
    assert rms > 0.01
    assert np.abs(samples[:2400]).max() < np.abs(samples[48000 * 4:48000 * 5]).max()
    # subtitles: narration and dialogue, on their shots, in order
    subs = pysubs2.load(str(renders / "tiny" / "subtitles.srt"))
    assert [e.plaintext for e in subs] == ["The sea was calm that day.", "Nobody comes here anymore."]
    shots = {s.id: s for s in plan.shots}
    for cue, name in zip(subs, ("beach", "house")):
        shot_start, shot_end = starts[name] / 12, (starts[name] + shots[name].frames) / 12
        # (a cue stays up until its shot's last frame: times are whole milliseconds)
        assert shot_start * 1000 <= cue.start and cue.end <= round(shot_end * 1000)
    assert (renders / "tiny" / "subtitles.vtt").read_text().startswith("WEBVTT")
    report = json.loads((renders / "tiny" / "build.json").read_text())
    assert report["frames"] == plan.total
    assert {j["status"] for j in report["jobs"]} == {"rendered"}
    assert all({"kind", "id", "key", "status", "seconds", "output"} <= set(j) for j in report["jobs"])


def test_rebuilds_redo_only_what_changed(film, tmp_path):
    renders = tmp_path / "renders"
    build(film, renders=renders)
    again = build(film, renders=renders)
    assert again.rendered == 0 and set(statuses(again).values()) == {"cached"}
    report = json.loads((renders / "tiny" / "build.json").read_text())
    assert {j["status"] for j in report["jobs"]} == {"cached"}

    storyboard = film / "storyboard.yaml"
    storyboard.write_text(storyboard.read_text().replace("ANA walks along the shore", "ANA runs along the shore"))
    changed = build(film, renders=renders)
    rendered = {name for name, status in statuses(changed).items() if status == "rendered"}
    assert rendered == {"shot:beach", "segment:body:beach", "segment:fade-black:title>beach",
                        "segment:dissolve:beach>photo", "final:final"}
    reasons = {r.id: r.reason for r in changed.results if r.status == "rendered"}
    said = "changed: panel.action, panel.caption, panel.scene_texts.0"   # all three are drawn from the action
    assert reasons["beach"] == Reason("changed", ("panel.action", "panel.caption", "panel.scene_texts.0"))
    assert str(reasons["beach"]) == said
    assert {j["id"]: j["reason"] for j in json.loads((renders / "tiny" / "build.json").read_text())["jobs"]}["beach"] \
        == said
    assert count_frames(changed.output) == changed.plan.total


def test_same_input_same_frames(film, tmp_path):
    first = build(film, renders=tmp_path / "one")
    second = build(film, renders=tmp_path / "two")
    panels = sorted((tmp_path / "one").rglob("background.png"))
    assert panels
    for panel in panels:
        twin = tmp_path / "two" / panel.relative_to(tmp_path / "one")
        assert twin.read_bytes() == panel.read_bytes()
    for n in (5, 60, 90):
        assert np.array_equal(frame_at(first.output, n), frame_at(second.output, n))


def test_which_shot_is_on_screen_when(tmp_path):
    folder = tmp_path / "colours"
    for name, colour in COLOURS.items():
        solid_png(folder / f"{name}.png", colour)
    write_project(folder, """
        title_card: false
        fps: 12
        size: 160x96
        scenes:
          - shots:
              - {id: red, image: red.png, duration: 1.5, transition: cut}
              - {id: green, image: green.png, duration: 2, transition: {name: dissolve, duration: 1}}
              - {id: blue, image: blue.png, duration: 1, transition: wipe-right}
              - {id: yellow, image: yellow.png, duration: 1.5}
    """)
    result = build(folder, renders=tmp_path / "renders")
    final = result.output
    assert count_frames(final) == 72
    expected = {0: "red", 17: "red", 18: "green", 35: "green", 48: "blue", 49: "blue", 60: "yellow", 71: "yellow"}
    for index, name in expected.items():
        # The picture itself, in the middle of the frame: a 16:9 picture in this 5:3 film is shown
        # whole, over a darkened copy of itself at the edges.
        frame = frame_at(final, index)
        h, w = frame.shape[:2]
        assert np.allclose(mean_rgb(frame[h // 4:3 * h // 4, w // 4:3 * w // 4]), COLOURS[name], atol=25), (index, name)
    # the dissolve's midpoint (the cut at frame 42) is half green, half blue
    _, green, blue = mean_rgb(frame_at(final, 42))
    assert 0.35 < green / (green + blue) < 0.65


def test_burned_subtitles_show_on_the_picture(tmp_path):
    folder = tmp_path / "burn: it's [a], test;"      # characters that ffmpeg's filter syntax treats specially
    solid_png(folder / "black.png", (0, 0, 0))
    board = """
        title_card: false
        fps: 12
        size: 320x180
        subtitles: {mode}
        scenes:
          - shots:
              - {{id: a, image: black.png, duration: 3, narration: "Words on the screen"}}
    """
    write_project(folder, board.format(mode="burn"))
    burned = build(folder, renders=tmp_path / "r1").output
    write_project(folder, board.format(mode="sidecar"))
    plain = build(folder, renders=tmp_path / "r2").output
    lower_third = (slice(120, 180), slice(0, 320))
    assert frame_at(burned, 18)[lower_third].max() > 200       # white letters during the cue
    assert frame_at(plain, 18)[lower_third].max() < 40
    assert frame_at(burned, 18)[:90].max() < 40                 # and nowhere else


def test_preview_is_half_size_and_cached_apart(film, tmp_path):
    renders = tmp_path / "renders"
    preview = build(film, renders=renders, preview=True)
    assert preview.output == renders / "tiny" / "preview" / "final.mp4"
    assert (ffmpeg.probe(preview.output).width, ffmpeg.probe(preview.output).height) == (80, 48)
    full = build(film, renders=renders)
    assert full.rendered > 0 and ffmpeg.probe(full.output).width == 160


def test_only_builds_the_named_shots(film, tmp_path):
    result = build(film, renders=tmp_path / "renders", only=["photo", "house"])
    assert result.output.name == "only.mp4"
    assert [s.id for s in result.plan.shots] == ["photo", "house"]
    assert count_frames(result.output) == result.plan.total == 24 + result.plan.shots[1].frames
    assert not (tmp_path / "renders" / "tiny" / "final.mp4").exists()


def test_an_interrupted_build_leaves_nothing_trusted(tmp_path):
    folder = tmp_path / "long"
    shots = "\n".join(f"      - {{id: s{n}, prompt: 'shot number {n}', duration: 3, camera: zoom-in}}" for n in range(12))
    write_project(folder, f"title_card: false\nfps: 24\nsize: 640x360\nscenes:\n  - shots:\n{shots}\n")
    renders = tmp_path / "renders"
    command = [sys.executable, "-m", "pipeline", "build", str(folder), "--out", str(renders), "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    segments = renders / "long" / "cache" / "segment"
    deadline = time.time() + 60
    while time.time() < deadline and not (segments.exists() and any(p.suffix == ".mp4" and not p.name.startswith(".")
                                                                      for p in segments.iterdir())):
        assert process.poll() is None, process.stderr.read().decode()
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)     # the build and its ffmpeg processes, mid-render
    process.wait()
    assert not (renders / "long" / "final.mp4").exists()
    # A segment renamed into place but not yet sealed when the kill came is not trusted.
    complete = [p for p in segments.glob("*.mp4") if not p.name.startswith(".") and seal_of(p).exists()]
    assert 0 < len(complete) < 12
    for segment in complete:                   # what the cache holds is whole
        assert count_frames(segment) == 72
    result = build(folder, renders=renders)
    assert count_frames(result.output) == 12 * 72
    assert not [p for p in (renders / "long").rglob(".*.tmp-*")]
    assert sum(r.status == "cached" and r.kind == "segment" for r in result.results) == len(complete)


def test_only_names_an_unknown_shot_with_a_hint(film, tmp_path):
    from pipeline.errors import StoryboardError

    with pytest.raises(StoryboardError) as caught:
        build(film, renders=tmp_path / "renders", only=["phot"])
    assert [p.message for p in caught.value.problems] == ["no shot 'phot' (did you mean 'photo'?)"]


def test_an_input_error_found_only_by_the_speech_leaves_no_renders_folder(tmp_path, capsys):
    """A shot too short for what is said in it is an error once the speech is made: exit 1,
    and the renders folder that build made is gone again (not left empty)."""
    from pipeline.cli import main

    folder = tmp_path / "short"
    write_project(folder, """\
        title_card: false
        scenes:
          - shots:
              - {id: a, prompt: a harbour, duration: 0.5, narration: The boats come home slowly at the end of a long day.}
    """)
    renders = tmp_path / "renders"
    assert main(["build", str(folder), "--out", str(renders), "--preview"]) == 1
    err = capsys.readouterr().err
    assert "storyboard.yaml:4: " in err and "Traceback" not in err
    assert not renders.exists()
