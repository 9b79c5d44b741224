"""The example projects build (at preview size, to keep the suite fast) into films whose words,
loudness and length are right."""

from __future__ import annotations

from pathlib import Path

import pysubs2
import pytest

from audio.test_mix import loudness
from conftest import count_frames
from pipeline.audio.asr import Recognizer, cue_offsets, word_error_rate
from pipeline.build import build
from pipeline.plan import spoken_lines

PROJECTS = Path(__file__).resolve().parent.parent / "projects"


@pytest.fixture(scope="module")
def lighthouse(tmp_path_factory):
    return build(PROJECTS / "lighthouse", renders=tmp_path_factory.mktemp("renders"), preview=True)


@pytest.fixture(scope="module")
def voiceover_lesson(tmp_path_factory):
    return build(PROJECTS / "water-cycle" / "water-cycle-voiceover.yaml", renders=tmp_path_factory.mktemp("renders"),
                 preview=True)


def assert_subtitles_in_sync(result) -> None:
    """Every cue starts within 150 ms of its first word as recognised in the film's final mix
    (at least 90% of the cues' first words must be recognised for the check to mean anything)."""
    cues = pysubs2.load(str(result.folder / "subtitles.srt"))
    heard = Recognizer().transcribe(result.output).words
    offsets = cue_offsets([(e.start / 1000, e.plaintext) for e in cues], heard)
    measured = [o for o in offsets if o is not None]
    assert len(measured) >= 0.9 * len(cues), offsets
    late = [(e.start / 1000, e.plaintext, round(o, 3)) for e, o in zip(cues, offsets) if o is not None and abs(o) > 0.15]
    assert not late


def test_the_short_film_says_the_words_of_the_script(lighthouse):
    board = lighthouse.plan.board
    script = " ".join(text for shot in board.shots for _, text, _ in spoken_lines(shot))
    heard = Recognizer().transcribe(lighthouse.output).text
    assert word_error_rate(script, heard) <= 0.10, heard


def test_the_short_films_subtitles_start_with_their_words(lighthouse):
    assert_subtitles_in_sync(lighthouse)


def test_the_short_film_is_on_target(lighthouse):
    plan = lighthouse.plan
    assert count_frames(lighthouse.output) == plan.total
    integrated, peak = loudness(lighthouse.output)
    assert abs(integrated - plan.board.project.mix.loudness) <= 1.0 and peak <= -1.0
    cues = pysubs2.load(str(lighthouse.folder / "subtitles.srt"))
    spoken = [text for shot in plan.board.shots for _, text, _ in spoken_lines(shot)]
    assert " ".join(e.plaintext.replace("\n", " ") for e in cues) == " ".join(spoken)
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:]))
    assert all(len(line) <= 42 for e in cues for line in e.plaintext.splitlines())


def test_the_lesson_builds_with_subtitles_in_sync(tmp_path):
    result = build(PROJECTS / "water-cycle", renders=tmp_path, preview=True)
    assert count_frames(result.output) == result.plan.total
    assert sum(s.kind == "shot" for s in result.plan.shots) >= 6
    assert_subtitles_in_sync(result)


def test_the_voice_over_lessons_subtitles_start_with_their_words(voiceover_lesson):
    assert_subtitles_in_sync(voiceover_lesson)


def test_the_voice_over_lesson_follows_its_recording(voiceover_lesson):
    result = voiceover_lesson
    assert count_frames(result.output) == result.plan.total
    narrated = [s for s in result.plan.shots if s.speech]
    assert len(narrated) == 6 and all(s.speech[0].recorded for s in narrated)
    # the recording's own words ("Every single drop") are the subtitles, not the script's
    cues = pysubs2.load(str(result.folder / "subtitles.srt"))
    assert cues[0].plaintext.lower().startswith("every single drop")
