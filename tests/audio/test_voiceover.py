"""Voice-over projects: the pictures follow a recorded narration."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pysubs2
import pytest

from conftest import solid_png, write_project
from pipeline.audio.ambient import write_wav
from pipeline.audio.tts import Speaker, find_model
from pipeline.audio.asr import Word
from pipeline.audio.voiceover import AlignmentError, align
from pipeline.build import build
from pipeline.cli import main
from pipeline.errors import StoryboardError
from pipeline.parse import load
from pipeline.spec import Voice


def words(text: str, start: float = 0.0, step: float = 0.4) -> list[Word]:
    return [Word(w, start + n * step, start + n * step + 0.3) for n, w in enumerate(text.split())]


def test_narration_is_found_despite_small_departures():
    heard = words("every single drop of water is on a journey") + words("it starts with 40 clouds", 5.0)
    slices = align(["Every drop of water is on a journey.", "It starts with forty clouds."], heard, 8.0)
    first, second = slices
    # the script's words as written, and the word the speaker added ("single")
    assert first.start == pytest.approx(0.0) and first.text == "Every single drop of water is on a journey."
    assert second.text == "It starts with forty clouds."
    assert first.end == pytest.approx((3.5 + 5.0) / 2)           # halfway through the pause
    assert second.start == first.end and second.end == pytest.approx(6.9 + 0.8)
    assert second.words[0].start == pytest.approx(5.0 - first.end)   # relative to its slice
    assert first.found == 8 and second.found == 5


def test_a_recording_that_does_not_say_the_narration():
    with pytest.raises(AlignmentError, match="no speech found"):
        align(["Hello there."], [], 3.0)
    with pytest.raises(AlignmentError, match="does not match the narration: 0 of 4"):
        align(["Completely different words here."], words("nothing alike at all"), 3.0)


def record(path: Path, paragraphs: list[str]) -> None:
    """Synthesise a one-take recording with pauses between paragraphs, as a test voice-over."""
    speaker, model = Speaker(), find_model("joe", path.parent)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(48000)
        for n, text in enumerate(paragraphs):
            clip = path.with_name(f"p{n}.wav")
            speaker.speak(text, Voice(), model, clip)
            with wave.open(str(clip), "rb") as handle:
                out.writeframes(b"\0\0" * 36000 + handle.readframes(handle.getnframes()))


BOARD = """
title_card: false
fps: 12
size: 64x36
voiceover: narration.wav
scenes:
  - shots:
      - {id: one, image: red.png, narration: "The sun heats the sea."}
      - {id: two, image: blue.png, narration: "Water rises into the air as vapour."}
"""


def test_shots_follow_the_recording_and_subtitles_say_what_was_said(tmp_path):
    folder = tmp_path / "lesson"
    solid_png(folder / "red.png", (200, 0, 0))
    solid_png(folder / "blue.png", (0, 0, 200))
    record(folder / "narration.wav", ["The sun heats the sea.", "Then water rises into the air as vapour."])
    write_project(folder, BOARD)
    result = build(folder, renders=tmp_path / "renders")
    one, two = result.plan.shots
    assert one.speech[0].recorded and two.speech[0].recorded
    # the second shot cuts in during the pause before its words, and spans them
    second_words = two.speech[0].words
    assert second_words and 0 < second_words[0][0] < 1.0
    assert two.frames == pytest.approx(two.speech[0].frames, abs=1)
    cues = pysubs2.load(str(result.folder / "subtitles.srt"))
    said = " ".join(e.plaintext.replace("\n", " ") for e in cues).lower()
    assert "then water rises" in said                     # the recording's words, not the script's
    assert cues[1].start >= one.frames / 12 * 1000 - 1


def test_a_silent_or_unreadable_voice_over_is_an_input_error(tmp_path):
    folder = tmp_path / "silent"
    solid_png(folder / "red.png", (200, 0, 0))
    solid_png(folder / "blue.png", (0, 0, 200))
    write_wav(folder / "narration.wav", np.zeros((48000 * 2, 2), np.float32))
    path = write_project(folder, BOARD)
    with pytest.raises(StoryboardError) as caught:
        build(folder, renders=tmp_path / "renders")
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:4: voice-over 'narration.wav': no speech found in the recording (it is silent, or holds only "
        "a steady sound)"]
    assert not (tmp_path / "renders").exists()             # found before anything is written
    # film check finds it too: silence is measured, not transcribed
    assert main(["check", str(folder), "--out", str(tmp_path / "renders")]) == 1
    assert not (tmp_path / "renders").exists()
    (folder / "narration.wav").write_bytes(b"not audio")
    with pytest.raises(StoryboardError) as caught:
        build(folder, renders=tmp_path / "renders")
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:4: voice-over 'narration.wav' is not a readable audio file"]


def test_subtitles_keep_the_scripts_words_where_the_recogniser_misheard():
    """A low-confidence difference is the recogniser mishearing: the script's words stand, at the
    time the recording says them. A confident one is the speaker's own word: it is kept."""
    from pipeline.audio.voiceover import subtitle_words

    heard = words("the water you drink may once have fallen") + [
        Word("to", 3.2, 3.4, probability=0.2), Word("snow.", 3.4, 3.8, probability=0.9)]
    said = subtitle_words(["The water you drink may once have fallen as snow."], heard)
    assert " ".join(w.text for w in said) == "The water you drink may once have fallen as snow."
    assert said[-2].start == pytest.approx(3.2) and said[-1].end == pytest.approx(3.8)
    # spelling the recogniser normalises ("vapor") is the script's ("vapour") too
    said = subtitle_words(["It rises as vapour."], words("it rises as vapor."))
    assert [w.text for w in said] == ["It", "rises", "as", "vapour."]
    # a confident difference spelled alike is a mishearing too: "into" for "and to"
    said = subtitle_words(["back to lakes and to the sea."], words("back to the lakes into the sea."))
    assert " ".join(w.text for w in said) == "back to the lakes and to the sea."
    # a confident departure is what was said: "That is" for "This is"
    said = subtitle_words(["This is precipitation."], words("that is precipitation."))
    assert [w.text for w in said] == ["that", "is", "precipitation."]


def test_subtitles_leave_out_a_passage_the_speaker_skipped_but_keep_a_dropped_word():
    from pipeline.audio.voiceover import subtitle_words

    heard = words("clouds form and the rain falls") + words("on the hills", 4.0)
    said = subtitle_words(["Clouds form, and then after a long while the rain falls on the hills."], heard)
    text = " ".join(w.text for w in said)
    assert text == "Clouds form, and the rain falls on the hills."
    said = subtitle_words(["The sun heats the sea."], words("the sun heats sea."))   # "the" not heard
    assert [w.text for w in said] == ["The", "sun", "heats", "the", "sea."]
    assert said[2].end <= said[3].start <= said[4].start


def test_a_narration_the_recording_never_says_or_says_out_of_order_is_an_error():
    heard = words("the sun heats the sea") + words("water rises into the air", 3.0)
    heard += words("and the rock", 5.0)    # a few of its words, by chance
    with pytest.raises(AlignmentError, match=r"narration 3 \('Volcanoes erupt with molten rock and ash'\) "
                                             r"was not heard in the recording, in the script's order \([0-4] of 10 words\)"):
        align(["The sun heats the sea.", "Water rises into the air.",
               "Volcanoes erupt with molten rock and ash across the valley."], heard, 7.0)
    with pytest.raises(AlignmentError, match="narration [12] .* was not heard"):
        align(["Water rises into the air.", "The sun heats the sea."], heard, 6.0)


def test_a_narration_with_no_words_says_so_and_which_it_is():
    heard = words("the sun heats the sea")
    with pytest.raises(AlignmentError, match=r"narration 2 \('🌧️🌧️'\) has no words to find in the recording") as caught:
        align(["The sun heats the sea.", "🌧️🌧️"], heard, 3.0)
    assert caught.value.narration == 1


def test_a_voice_over_with_speech_turned_off_is_an_input_error(tmp_path):
    folder = tmp_path / "lesson"
    solid_png(folder / "red.png", (200, 0, 0))
    solid_png(folder / "blue.png", (0, 0, 200))
    write_wav(folder / "narration.wav", np.zeros((4800, 2), np.float32))
    path = write_project(folder, BOARD.replace("voiceover: narration.wav", "voiceover: narration.wav\nspeech: false"))
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:4: a voice-over is the film's speech, but 'speech: false' leaves speech out; remove one of them"]


def test_a_narration_said_twice_is_each_its_own_place_in_the_recording(tmp_path):
    """Two shots with the same narration get the two places the recording says it, in order."""
    folder = tmp_path / "twice"
    solid_png(folder / "red.png", (200, 0, 0))
    solid_png(folder / "blue.png", (0, 0, 200))
    record(folder / "narration.wav", ["The sun heats the sea.", "Water rises into the air as vapour.",
                                      "The sun heats the sea."])
    write_project(folder, BOARD + '      - {id: three, image: red.png, narration: "The sun heats the sea."}\n')
    result = build(folder, renders=tmp_path / "renders")
    one, _, three = result.plan.shots
    assert one.speech[0].offset < 2.0 < three.speech[0].offset     # the first saying, then the last
    cues = pysubs2.load(str(result.folder / "subtitles.srt"))
    assert [e.plaintext for e in cues].count("The sun heats the sea.") == 2
