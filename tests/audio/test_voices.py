"""Voices with real Piper: shots last as long as their speech, voices differ, errors are clear."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from conftest import write_project
from pipeline.audio.tts import Speaker, VoiceError, available, find_model, speakable
from pipeline.audio.voices import measure, pitch_track
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

    # four semitones down: the pitch of each frame voiced in both by 2 ** (-4 / 12), the
    # formants where they were
    (plain_f0, plain_voiced), (low_f0, low_voiced) = pitch_track(audio["plain"], 48000), pitch_track(audio["low"], 48000)
    both = plain_voiced & low_voiced
    assert both.sum() > 20
    assert np.median(low_f0[both] / plain_f0[both]) == pytest.approx(2 ** (-4 / 12), rel=0.02)
    plain, low = measure(audio["plain"], 48000, plain_voiced), measure(audio["low"], 48000, plain_voiced)
    assert np.allclose(np.array(low.mean_formants[:2]) / plain.mean_formants[:2], 1, atol=0.06)
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
    assert str(problem) == (f"{path}:2: unknown voice 'jo' (did you mean 'joe'?); bundled voices: joe; "
                            "presets: man, woman, girl, boy, old-man, old-woman; or give the path of a Piper .onnx model")


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
    assert sorted({r.kind for r in results}) == ["voice"]   # word times come with the speech: no recognition
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


def energy(samples: np.ndarray, rate: int, start: float, end: float) -> float:
    """RMS level in dBFS of `samples` between two times (seconds)."""
    piece = samples[int(start * rate):max(int(end * rate), int(start * rate) + 1)]
    return float(10 * np.log10(np.mean(piece.astype(np.float64) ** 2) + 1e-12))


def test_word_times_come_from_the_synthesiser_and_match_the_sound(tmp_path):
    """Each written word's time is where it is heard: sound inside every word, near-silence in
    the pauses between sentences, and the times fit inside the file."""
    text = "Stop. Wait for the Harriet, 1921. Go!"
    out = tmp_path / "line.wav"
    words = Speaker().speak(text, Voice(), find_model("joe", tmp_path), out)
    audio, rate = read_wav(out)
    assert len(words) == len(text.split()) == 7
    assert all(a <= b for a, b in words) and all(words[i][1] <= words[i + 1][0] for i in range(6))
    assert words[-1][1] <= len(audio) / rate + 1e-3
    assert all(energy(audio, rate, a, b) > -35 for a, b in words)            # every word is heard
    # the sentence pauses (after "Stop." and "1921.") are silent and no word is placed in them
    for before, after in ((0, 1), (5, 6)):
        gap = (words[before][1], words[after][0])
        assert gap[1] - gap[0] >= 0.3 and energy(audio, rate, gap[0] + 0.05, gap[1] - 0.05) < -50
    # "1921" is read as several words: its time covers all of them (longer than "Wait")
    assert words[5][1] - words[5][0] > 2 * (words[1][1] - words[1][0])


def test_word_times_hold_at_another_rate_and_pitch(tmp_path):
    model, speaker = find_model("joe", tmp_path), Speaker()
    plain = speaker.speak("Then we give them something to see.", Voice(), model, tmp_path / "a.wav")
    fast = speaker.speak("Then we give them something to see.", Voice(rate=1.5, pitch=-3), model, tmp_path / "b.wav")
    audio, rate = read_wav(tmp_path / "b.wav")
    assert fast[-1][1] == pytest.approx(plain[-1][1] / 1.5, rel=0.15)
    assert fast[-1][1] <= len(audio) / rate + 1e-3
    assert all(energy(audio, rate, a, b) > -35 for a, b in fast)


def test_synthesised_speech_is_never_recognised(project, tmp_path, monkeypatch):
    """Subtitles of synthesised lines are timed by the synthesiser, so they are the same on
    every machine whatever the recogniser would make of them (here it would fail loudly)."""
    from pipeline.audio import asr

    def refuse(*args, **kwargs):
        raise AssertionError("speech recognition ran on a synthesised line")

    monkeypatch.setattr(asr.Recognizer, "transcribe", refuse)
    board = load(project(SPOKEN))
    plan, _ = prepare(board, Cache(tmp_path / "cache"))
    tom = plan.shots[0].speech[0]
    assert len(tom.words) == len("Then we give them something to see.".split())
    assert tom.words[0][0] < 0.2 and tom.words[-1][1] <= tom.frames / 24


def test_check_and_plan_make_no_speech(project, tmp_path):
    """Without synthesis, lines not yet made are estimated from their words, nothing is written,
    and a duration the estimate says may be too short is a warning, not an error."""
    board = load(project(SPOKEN.replace("        fit: trim\n", "")))
    plan, results = prepare(board, Cache(tmp_path / "cache"), synthesise=False)
    assert results == [] and not (tmp_path / "cache").exists()
    assert plan.estimated and all(line.estimated for shot in plan.shots for line in shot.speech)
    [warning] = plan.warnings
    assert warning.line == 21 and "estimated" in warning.message
    # once made, the real lengths are used and the same shot is an error
    with pytest.raises(StoryboardError):
        prepare(board, Cache(tmp_path / "cache"))
    made, _ = prepare(load(project(SPOKEN)), Cache(tmp_path / "cache"), synthesise=False)
    assert not made.estimated


def test_written_words_share_what_the_voice_ran_together():
    """espeak reads "for the" as one word in running speech: both written words share its time
    by their phonemes' length; an emoji (nothing to pronounce) is a zero-length time in place."""
    from pipeline.audio.tts import word_times

    tokens = [["wˈeɪt"], ["fɔːɹ"], ["ðə"], ["hˈæɹiət"], []]
    spoken = [("wˈeɪt", 0.0, 0.4), ("fɚðə", 0.4, 0.6), ("hˈæɹiət", 0.7, 1.1)]
    times = word_times(tokens, spoken)
    assert times[0] == (0.0, 0.4) and times[3] == (0.7, 1.1) and times[4] == (1.1, 1.1)
    assert times[1][0] == 0.4 and times[2][1] == 0.6 and times[1][1] == times[2][0]
    assert times[1][1] - times[1][0] > times[2][1] - times[2][0]       # "for" is longer than "the"
    # counts that agree pair in order, whatever the phonemes
    assert word_times([["a"], ["b"]], [("x", 0.1, 0.2), ("y", 0.3, 0.5)]) == ((0.1, 0.2), (0.3, 0.5))


def test_a_first_build_stopped_by_its_speech_writes_nothing(project, tmp_path):
    """The speech is made to learn that a shot is too short for it (exit 1), and the film's
    first build then leaves nothing under renders/."""
    from pipeline.build import build

    path = project(SPOKEN.replace("        fit: trim\n", "").replace("fps: 24", "fps: 24\nsize: 64x36"))
    with pytest.raises(StoryboardError) as caught:
        build(path, renders=tmp_path / "renders")
    [problem] = caught.value.problems
    assert problem.message.startswith("shot 'short' lasts 1.00 s but its speech needs")
    assert not (tmp_path / "renders").exists() or not any((tmp_path / "renders").iterdir())
