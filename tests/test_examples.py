"""The example projects build (at preview size, to keep the suite fast) into films whose words,
loudness and length are right."""

from __future__ import annotations

from pathlib import Path

import subprocess

import numpy as np
import pysubs2
import pytest

from audio.test_mix import loudness
from conftest import count_frames
from pipeline.audio.asr import Recognizer, cue_offsets, word_error_rate
from pipeline.build import build
from pipeline.edit import ffmpeg
from pipeline.parse import load

PROJECTS = Path(__file__).resolve().parent.parent / "projects"


@pytest.fixture(scope="module")
def voiceover_lesson(tmp_path_factory):
    return build(PROJECTS / "water-cycle" / "water-cycle-voiceover.yaml", renders=tmp_path_factory.mktemp("renders"),
                 preview=True)


def assert_lines_subtitled_when_heard(result) -> None:
    """The first cue of every synthesised line comes on screen when the line is first heard:
    within a frame and 30 ms of where its audio (the line's own file, placed where the plan
    puts it in the cut) first rises above -40 dBFS. Measured on the sound, so no recogniser's
    word times (which move with versions and CPUs) are part of the check."""
    from audio.test_voices import read_wav

    plan = result.plan
    fps = float(plan.fmt.fps)
    cues = pysubs2.load(str(result.folder / "subtitles.srt"))
    checked = 0
    for shot, start in zip(plan.shots, plan.starts()):
        for line in shot.speech:
            if line.recorded:
                continue
            audio, rate = read_wav(line.path)
            frames = len(audio) // (rate // 100)
            db = 10 * np.log10(np.square(audio[:frames * (rate // 100)].astype(np.float64))
                               .reshape(frames, -1).mean(axis=1) + 1e-12)
            heard = (start + line.start) / fps + np.flatnonzero(db > -40)[0] / 100
            first_words = " ".join(line.text.split()[:2])
            cue = min(cues, key=lambda e: abs(e.start / 1000 - heard))
            assert cue.plaintext.replace("\n", " ").startswith(first_words), (heard, cue.plaintext, line.text)
            assert abs(cue.start / 1000 - heard) <= 1 / fps + 0.03, (heard, cue.start, line.text)
            checked += 1
    assert checked == sum(not line.recorded for shot in plan.shots for line in shot.speech) > 0


def assert_subtitles_in_sync(result) -> None:
    """Every cue starts within 150 ms of its first word as recognised in the film's final mix
    (at least 90% of the cues' first words must be recognised for the check to mean anything).
    For a voice-over, whose subtitles are themselves timed by recognising the recording."""
    cues = pysubs2.load(str(result.folder / "subtitles.srt"))
    heard = Recognizer().transcribe(result.output).words
    offsets = cue_offsets([(e.start / 1000, e.plaintext) for e in cues], heard)
    measured = [o for o in offsets if o is not None]
    assert len(measured) >= 0.9 * len(cues), offsets
    late = [(e.start / 1000, e.plaintext, round(o, 3)) for e, o in zip(cues, offsets) if o is not None and abs(o) > 0.15]
    assert not late


def test_the_short_film_says_the_words_of_the_script(lighthouse):
    script = " ".join(text for shot in lighthouse.plan.shots for _, text in shot.texts)
    heard = Recognizer().transcribe(lighthouse.output).text
    assert word_error_rate(script, heard) <= 0.10, heard


def test_the_short_films_subtitles_start_with_their_words(lighthouse):
    assert_lines_subtitled_when_heard(lighthouse)


def test_the_short_film_is_on_target(lighthouse):
    plan = lighthouse.plan
    assert count_frames(lighthouse.output) == plan.total
    integrated, peak = loudness(lighthouse.output)
    assert abs(integrated - plan.mix.loudness) <= 1.0 and peak <= -1.0
    cues = pysubs2.load(str(lighthouse.folder / "subtitles.srt"))
    spoken = [text for shot in plan.shots for _, text in shot.texts]
    assert " ".join(e.plaintext.replace("\n", " ") for e in cues) == " ".join(spoken)
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:]))
    assert all(len(line) <= 42 for e in cues for line in e.plaintext.splitlines())


def test_the_lesson_builds_with_subtitles_in_sync(lesson):
    result = lesson
    assert count_frames(result.output) == result.plan.total
    assert sum(s.kind == "shot" for s in result.plan.shots) >= 6
    assert_lines_subtitled_when_heard(result)


def test_the_lesson_in_spanish_speaks_and_shows_its_translation(lesson):
    """The lesson's Spanish cut (renders/water-cycle/es/, timed to its own speech): its
    subtitles are the PO file's words, each on screen when its line is heard, its sound tagged
    Spanish and on the loudness target; it shares the stills and the music with the English cut."""
    from babel.messages.pofile import read_po

    spanish = lesson.languages["es"]
    assert spanish.folder.parent == lesson.folder.parent / "es"   # renders/water-cycle/es/preview
    assert count_frames(spanish.output) == spanish.plan.total != lesson.plan.total
    with open(PROJECTS / "water-cycle" / "locales" / "es.po", "rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id and m.context == "narrator"}
    said = " ".join(e.plaintext.replace("\n", " ") for e in pysubs2.load(str(spanish.folder / "subtitles.srt")))
    assert said == " ".join(translated[shot.narration] for shot in load(PROJECTS / "water-cycle").shots
                            if shot.narration)
    assert_lines_subtitled_when_heard(spanish)
    tags = subprocess.run([ffmpeg.exe(), "-hide_banner", "-i", str(spanish.output)], capture_output=True,
                          text=True).stderr
    assert "(spa): Audio" in tags and "Español" in tags
    assert abs(loudness(spanish.output)[0] + 16) < 1
    ran = {r.kind for r in spanish.results if r.status == "rendered"}
    assert ran <= {"voice", "card", "segment", "passage", "mix", "subtitles", "final"}
    assert {r.kind for r in spanish.results if r.status == "cached"} >= {"still", "music"}


def test_the_voice_over_lessons_subtitles_start_with_their_words(voiceover_lesson):
    assert_subtitles_in_sync(voiceover_lesson)


def test_the_voice_over_lesson_follows_its_recording(voiceover_lesson):
    result = voiceover_lesson
    assert count_frames(result.output) == result.plan.total
    narrated = [s for s in result.plan.shots if s.speech]
    assert len(narrated) == 6 and all(s.speech[0].recorded for s in narrated)
    # the subtitles are the script's words as written ("vapour", "fallen as snow", even where the
    # recogniser hears "vapor" or "fallen to snow"), with what the speaker added ("single")
    cues = pysubs2.load(str(result.folder / "subtitles.srt"))
    said = " ".join(e.plaintext.replace("\n", " ") for e in cues)
    assert said.startswith("Every single drop of water on Earth is on a journey.")
    assert "invisible vapour." in said and said.endswith("may once have fallen as snow.")
