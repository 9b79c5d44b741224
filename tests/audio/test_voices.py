"""Voices with real Piper: shots last as long as their speech, voices differ, errors are clear."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import write_project
from pipeline.audio.tts import Speaker, VoiceError, available, find_model, speakable
from pipeline.build import prepare
from pipeline.cache import Cache
from pipeline.errors import StoryboardError
from pipeline.parse import load
from pipeline.spec import Voice


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as handle:
        data = np.frombuffer(handle.readframes(handle.getnframes()), np.int16)
        return data.astype(np.float32) / 32768, handle.getframerate()


def test_the_bundled_voice_speaks_offline(tmp_path):
    model = find_model("", tmp_path)
    assert model.name == "joe" and model.model.is_file() and "joe" in available()
    out = tmp_path / "line.wav"
    Speaker().speak("Not tonight. Not on my watch.", Voice(), model, out)
    audio, rate = read_wav(out)
    assert rate == 48000
    assert 1.0 < len(audio) / rate < 4.0
    assert np.sqrt(np.mean(audio ** 2)) > 0.02          # not silent
    assert np.abs(audio).max() < 0.99                   # headroom, no clipping


def test_pitch_rate_and_gain_change_the_voice(tmp_path):
    model = find_model("joe", tmp_path)
    speaker = Speaker()
    text = "The light has not failed in forty years."
    variants = {"plain": Voice(), "fast": Voice(rate=1.3), "low": Voice(pitch=-4), "quiet": Voice(gain=-10)}
    audio = {}
    for name, voice in variants.items():
        speaker.speak(text, voice, model, tmp_path / f"{name}.wav")
        audio[name], _ = read_wav(tmp_path / f"{name}.wav")
    assert len(audio["fast"]) < 0.85 * len(audio["plain"])
    assert abs(len(audio["low"]) - len(audio["plain"])) < 0.05 * len(audio["plain"])   # pitch keeps the timing

    def centroid(samples):
        spectrum = np.abs(np.fft.rfft(samples))
        return float((spectrum * np.arange(len(spectrum))).sum() / spectrum.sum()) / len(samples)

    assert centroid(audio["low"]) < 0.9 * centroid(audio["plain"])
    ratio = np.sqrt(np.mean(audio["quiet"] ** 2) / np.mean(audio["plain"] ** 2))
    assert abs(20 * np.log10(ratio) + 10) < 1.0


def test_parentheticals_and_markup_are_not_spoken():
    assert speakable("*Today*, we   _remember_.") == "Today, we remember."


def test_unknown_voice_lists_the_available_ones(project, tmp_path):
    path = project("""
        cast:
          TOM: {voice: {model: jo}}
        scenes: [{shots: [{prompt: a, lines: [{TOM: hi}]}]}]
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert str(problem) == f"{path}:2: unknown voice 'jo'; bundled voices: joe, or give the path of a Piper .onnx model"


def test_a_voice_file_that_is_not_a_piper_model(project, tmp_path):
    folder = tmp_path / "film"
    folder.mkdir()
    (folder / "fake.onnx").write_bytes(b"nope")
    (folder / "fake.onnx.json").write_text("{}")
    path = project("""
        narrator: {voice: {model: fake.onnx}}
        scenes: [{shots: [{prompt: a, narration: hello}]}]
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: voice model 'fake.onnx' is not a Piper model: fake.onnx.json has no sample rate and phoneme map"]


SPOKEN = """
title_card: false
fps: 24
pacing: {lead_in: 0.5, tail: 0.5, line_gap: 0.25, min_duration: 1}
cast:
  TOM: {voice: {pitch: -2}}
  ELSIE: {voice: {pitch: 3}}
scenes:
  - shots:
      - id: talk
        prompt: a room
        lines:
          - TOM: "Then we give them something to see."
          - ELSIE: "Tom, the Harriet is still out there."
      - id: both
        prompt: a room
        lines:
          - TOM: "Now!"
          - {character: ELSIE, text: "Now!", dual: true}
      - id: short
        prompt: a room
        duration: 1
        fit: trim
        narration: "This narration is far too long for a one second shot."
"""


def test_shots_last_as_long_as_their_speech(project, tmp_path):
    board = load(project(SPOKEN))
    plan, results = prepare(board, Cache(tmp_path / "cache"))
    voiced = [r for r in results if r.kind == "voice"]
    assert len(voiced) == 5                                  # "Now!" in two voices: two jobs
    assert sorted({r.kind for r in results}) == ["voice", "words"]   # and each line aligned to its words
    talk, both, short, credits = plan.shots
    tom, elsie = talk.speech
    assert tom.start == 12                                   # the lead-in
    assert elsie.start == tom.start + tom.frames + 6        # the gap
    assert talk.frames == elsie.start + elsie.frames + 12   # the tail
    first, second = both.speech
    assert first.start == second.start                      # dual dialogue overlaps
    assert short.frames == 24 and short.speech[0].frames > 24   # fit: trim keeps the duration


def test_an_explicit_duration_shorter_than_the_speech_is_an_error(project, tmp_path):
    board = load(project(SPOKEN.replace("        fit: trim\n", "")))
    with pytest.raises(StoryboardError) as caught:
        prepare(board, Cache(tmp_path / "cache"))
    [problem] = caught.value.problems
    assert problem.line == 21                               # the duration key
    assert problem.message.startswith("shot 'short' lasts 1.00 s but its speech needs ")
    assert problem.message.endswith(" s (with lead-in and tail); lengthen it or add 'fit: trim'")
