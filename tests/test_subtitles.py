"""Subtitles: splitting to 42 chars x 2 lines, timing on a shot, SRT/VTT/ASS output."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pysubs2
import pytest

from pipeline.subtitles import Cue, frames_to_ms, place_cues, split_text, write_ass, write_srt, write_vtt

PARAGRAPH = (
    "The lighthouse keeper had not spoken to anyone in eleven years, and when the boat finally "
    "came he found that he had forgotten how to say his own name. He tried anyway. The words came "
    "out wrong, half-formed, like stones dragged up from the bottom of a well; the boatman only "
    "nodded, as if he had expected nothing else. They sat together on the rocks until the tide "
    "turned — neither of them willing to be the first to leave — and then, without a word, the "
    "boatman stood, untied the rope, and rowed back toward the mainland, where the lights were "
    "already coming on one by one in the dusk."
)

TEXTS = [
    "Hello.",
    "Run!",
    "Yes. We have to leave before the sun rises.",
    "I know. But we have to leave before the sun comes up, or they will find us here.",
    "Listen to me carefully because I am only going to say this once and then I am leaving forever",
    "No. No, no, no. You don't understand what I'm telling you, Margaret: the house is already sold.",
    "Mr. Smith went to Washington. He never came back! Did he? Nobody knows… and nobody cares.",
    "Wait — what did you say? I said: we go tonight; no more waiting.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age "
    "of foolishness, it was the epoch of belief, it was the epoch of incredulity.",
    "  lots   of \n\n whitespace\there   ",
    PARAGRAPH,
    "Supercalifragilisticexpialidociousandevenlongerwordthatneverends is a very long word indeed.",
]


def words(text: str) -> list[str]:
    return text.split()


# --------------------------------------------------------------------------- split_text

@pytest.mark.parametrize("text", TEXTS)
def test_split_respects_limits_and_keeps_every_word(text: str) -> None:
    chunks = split_text(text)
    assert chunks
    for chunk in chunks:
        lines = chunk.split("\n")
        assert 1 <= len(lines) <= 2
        for line in lines:
            assert 0 < len(line) <= 42
            assert line == line.strip() and "  " not in line
    if "Supercali" not in text:
        assert words(" ".join(chunks)) == words(text)


@pytest.mark.parametrize("max_chars,max_lines", [(20, 1), (32, 2), (42, 3), (60, 2)])
def test_split_other_limits(max_chars: int, max_lines: int) -> None:
    chunks = split_text(PARAGRAPH, max_chars=max_chars, max_lines=max_lines)
    assert words(" ".join(chunks)) == words(PARAGRAPH)
    for chunk in chunks:
        lines = chunk.split("\n")
        assert len(lines) <= max_lines
        assert all(len(line) <= max_chars for line in lines)


def test_split_blank_is_empty() -> None:
    assert split_text("") == []
    assert split_text("   \n\t  ") == []


def test_split_normalises_whitespace() -> None:
    assert split_text("  lots   of \n\n whitespace\there   ") == ["lots of whitespace here"]


def test_short_text_stays_on_one_line() -> None:
    assert split_text("Run!") == ["Run!"]
    assert split_text("I'll be right back, don't move.") == ["I'll be right back, don't move."]


def test_long_word_is_hard_split() -> None:
    word = "x" * 100
    chunks = split_text(word)
    pieces = [line for chunk in chunks for line in chunk.split("\n")]
    assert all(len(p) <= 42 for p in pieces)
    assert "".join(pieces) == word


def test_chunks_end_at_sentence_ends_when_sentences_fit() -> None:
    text = ("The storm came in the night. Nobody slept. By morning the harbour was gone, and the "
            "boats with it. We started again the next day, because there was nothing else to do. "
            "It took us years.")
    chunks = split_text(text)
    assert len(chunks) >= 2
    for chunk in chunks:
        assert chunk.endswith((".", "!", "?")), chunk


def test_short_sentences_before_a_long_one_are_not_glued_to_it() -> None:
    chunks = split_text("No. No, no, no. You don't understand what I'm telling you, Margaret: "
                        "the house is already sold, and the buyers arrive on Monday.")
    assert chunks[0] == "No. No, no, no."
    assert chunks[-1].endswith("Monday.")


def test_long_sentence_breaks_at_clause_boundaries() -> None:
    chunks = split_text("It was the best of times, it was the worst of times, it was the age of wisdom, "
                        "it was the age of foolishness, it was the epoch of belief, it was the epoch of "
                        "incredulity, it was the season of Light, it was the season of Darkness.")
    assert len(chunks) > 1
    for chunk in chunks[:-1]:
        assert chunk.endswith(","), chunk


def test_abbreviations_and_pauses_are_not_sentence_ends() -> None:
    from pipeline.subtitles import word_tokens

    tokens = word_tokens('Mr. J. Smith left at 9 a.m. sharp. "Go!" she said. Wait... and then? Yes.', 42)
    ends = [t.word for t in tokens if t.sentence_end]
    assert ends == ["sharp.", "said.", "then?", "Yes."]     # '"Go!" she said.' is one sentence
    assert split_text("Mr. Smith arrived. Dr. Jones left.") == ["Mr. Smith arrived. Dr. Jones left."]


def test_two_lines_are_balanced() -> None:
    assert split_text("Yes. We have to leave before the sun rises.") == ["Yes. We have to leave\nbefore the sun rises."]
    assert split_text("I never wanted any of this to happen to you or to anyone.") == [
        "I never wanted any of this\nto happen to you or to anyone."]
    for text in TEXTS:
        for chunk in split_text(text):
            lines = chunk.split("\n")
            if len(lines) == 2:
                short, long = sorted(map(len, lines))
                # never a long line with a single word under it (or above it); the rest of a
                # word too long for a line, hard-split, is no orphan word
                shorter = min(lines, key=len)
                assert not (" " not in shorter and shorter in text.split() and long > 20), chunk
                assert short >= long / 3, chunk


def test_line_break_prefers_punctuation() -> None:
    (chunk,) = split_text("When the tide turns, we row back to the mainland together.")
    assert chunk == "When the tide turns,\nwe row back to the mainland together."


def test_split_is_deterministic() -> None:
    assert split_text(PARAGRAPH) == split_text(PARAGRAPH)


# --------------------------------------------------------------------------- place_cues

def check_layout(cues: list[Cue], start: int, end: int) -> None:
    for cue in cues:
        assert start <= cue.start < cue.end <= end
        assert isinstance(cue.start, int) and isinstance(cue.end, int)
    for a, b in zip(cues, cues[1:]):
        assert a.end <= b.start


def test_place_cues_in_window_in_order_with_speakers() -> None:
    texts = [("ANNA", PARAGRAPH), ("", "The end."), ("TOM", "Yes. We have to leave before the sun rises.")]
    cues = place_cues(texts, 1000, 1000 + 24 * 40, Fraction(24), lead_in=12, tail=12)
    check_layout(cues, 1012, 1000 + 24 * 40 - 12)
    expected = [(s, c) for s, t in texts for c in split_text(t)]
    assert [(c.speaker, c.text) for c in cues] == expected
    assert cues[0].start == 1012
    assert cues[-1].end == 1000 + 24 * 40 - 12         # time is shared out over the whole window
    assert all(24 <= c.end - c.start <= 168 for c in cues)
    for a, b in zip(cues, cues[1:]):
        assert a.end == b.start


def test_place_cues_time_follows_length() -> None:
    cues = place_cues([("A", "Hi."), ("B", "I have been waiting for you for a very long time.")], 0, 240, Fraction(24))
    short, long = (c.end - c.start for c in cues)
    assert short >= 24 and long > 2 * short
    assert sum(c.end - c.start for c in cues) == 240


def test_place_cues_max_duration_leaves_the_rest_empty() -> None:
    cues = place_cues([("A", "Hi."), ("B", "Yes.")], 0, 24 * 60, Fraction(24))
    assert [(c.start, c.end) for c in cues] == [(0, 168), (168, 336)]


def test_place_cues_min_duration_when_room() -> None:
    texts = [("A", "Hi."), ("B", "A much, much longer line of dialogue than the first one, by far."), ("A", "Ok.")]
    cues = place_cues(texts, 0, 24 * 5, Fraction(24))
    check_layout(cues, 0, 120)
    assert all(c.end - c.start >= 24 for c in cues)


def test_place_cues_too_tight_for_minimum_still_shows_everything() -> None:
    texts = [("A", "Hi there, how are you doing today?"), ("B", "Fine. And you? Tell me everything about it.")]
    cues = place_cues(texts, 50, 80, Fraction(24))
    check_layout(cues, 50, 80)
    assert len(cues) == 2 and sum(c.end - c.start for c in cues) == 30


def test_place_cues_empty_window_falls_back_to_the_shot() -> None:
    cues = place_cues([("A", "Hello.")], 10, 40, Fraction(24), lead_in=20, tail=20)
    assert [(c.start, c.end) for c in cues] == [(10, 40)]


def test_place_cues_ntsc_defaults() -> None:
    fps = Fraction(24000, 1001)
    cues = place_cues([("A", "Hi."), ("B", "Bye.")], 0, 10_000, fps)
    assert [c.end - c.start for c in cues] == [168, 168]      # 7 s at 23.976 fps
    cues = place_cues([("A", "Hi."), ("B", "x " * 40)], 0, 100, fps)
    assert cues[0].end - cues[0].start == 24                  # 1 s


def test_place_cues_nothing_to_say() -> None:
    assert place_cues([], 0, 100, Fraction(24)) == []
    assert place_cues([("A", "  ")], 0, 100, Fraction(24)) == []


def test_place_cues_more_chunks_than_frames_is_an_error() -> None:
    with pytest.raises(ValueError):
        place_cues([("A", PARAGRAPH)], 0, 3, Fraction(24))


def test_place_cues_is_deterministic() -> None:
    args = ([("A", PARAGRAPH), ("B", "Fine.")], 17, 1234, Fraction(25))
    assert place_cues(*args, lead_in=5, tail=7) == place_cues(*args, lead_in=5, tail=7)


# --------------------------------------------------------------------------- writers

CUES = [
    Cue(24, 60, "First line\nsecond line", "ANNA"),
    Cue(1, 12, "Earlier cue", ""),
    Cue(1439, 1500, "A minute in & <counting>", "TOM"),
]


@pytest.mark.parametrize("fps,expected", [
    (Fraction(24), [(42, 500), (1000, 2500), (59958, 62500)]),
    (Fraction(24000, 1001), [(42, 500), (1001, 2502), (60018, 62562)]),
])
def test_srt(tmp_path: Path, fps: Fraction, expected: list[tuple[int, int]]) -> None:
    path = tmp_path / "film.srt"
    path.write_text("old", encoding="utf-8")
    write_srt(CUES, fps, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["film.srt"]

    subs = pysubs2.load(str(path))
    assert [(e.start, e.end) for e in subs] == expected
    assert [(frames_to_ms(c.start, fps), frames_to_ms(c.end, fps)) for c in sorted(CUES, key=lambda c: c.start)] == expected
    assert [e.plaintext for e in subs][:2] == ["Earlier cue", "First line\nsecond line"]

    raw = path.read_text(encoding="utf-8")
    blocks = raw.strip().split("\n\n")
    assert len(blocks) == 3
    for number, (block, (start, end)) in enumerate(zip(blocks, expected), 1):
        lines = block.split("\n")
        assert lines[0] == str(number)
        stamp = lambda ms: f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"
        assert lines[1] == f"{stamp(start)} --> {stamp(end)}"
    assert blocks[1].split("\n")[2:] == ["First line", "second line"]
    # As written, but for a word joiner after '<': players read `<counting>` as a tag and hide it.
    assert blocks[2].split("\n")[2:] == ["A minute in & <\u2060counting>"]
    assert "00:00:01,000 --> 00:00:02,500" in raw if fps == 24 else "00:00:01,001 --> 00:00:02,502" in raw


def test_vtt(tmp_path: Path) -> None:
    fps = Fraction(24000, 1001)
    path = tmp_path / "film.vtt"
    write_vtt(CUES, fps, path)
    raw = path.read_text(encoding="utf-8")
    assert raw.startswith("WEBVTT\n\n")
    assert re.search(r"^00:00:01\.001 --> 00:00:02\.502\nFirst line\nsecond line$", raw, re.M)
    assert "00:01:00.018 --> 00:01:02.562" in raw
    assert "A minute in &amp; &lt;counting&gt;" in raw          # WebVTT needs these escaped
    starts = [m.group(1) for m in re.finditer(r"^(\S+) --> ", raw, re.M)]
    assert starts == sorted(starts)
    subs = pysubs2.load(str(path))
    assert subs.format == "vtt"
    assert [(e.start, e.end) for e in subs] == [(42, 500), (1001, 2502), (60018, 62562)]
    assert subs[1].plaintext == "First line\nsecond line"


def test_write_srt_from_place_cues_round_trip(tmp_path: Path) -> None:
    fps = Fraction(25)
    cues = place_cues([("A", PARAGRAPH)], 0, 25 * 60, fps)
    write_srt(cues, fps, tmp_path / "a.srt")
    subs = pysubs2.load(str(tmp_path / "a.srt"))
    assert [e.plaintext for e in subs] == [c.text for c in cues]
    assert [e.start for e in subs] == [c.start * 40 for c in cues]


def load_ass(path: Path) -> pysubs2.SSAFile:
    return pysubs2.load(str(path), format_="ass")


def test_ass_style_and_text(tmp_path: Path) -> None:
    path = tmp_path / "seg.ass"
    write_ass(CUES, Fraction(24), path, 1920, 1080)
    subs = load_ass(path)
    assert subs.info["PlayResX"] == "1920" and subs.info["PlayResY"] == "1080"
    style = subs.styles["Default"]
    assert style.fontname == "Lato"
    assert style.fontsize == 60
    assert style.primarycolor == pysubs2.Color(255, 255, 255, 0)
    assert style.outline > 0 and style.outlinecolor.r == 0
    assert style.alignment == pysubs2.Alignment.BOTTOM_CENTER
    assert style.marginv == 54
    assert [e.name for e in subs] == ["", "ANNA", "TOM"]
    assert subs[1].text == r"First line\Nsecond line"
    assert r"First line\Nsecond line" in path.read_text(encoding="utf-8")


def test_ass_offset_shifts_drops_and_clips(tmp_path: Path) -> None:
    fps = Fraction(24)
    path = tmp_path / "seg.ass"
    cues = [Cue(0, 10, "gone"), Cue(20, 40, "straddles"), Cue(48, 72, "inside"), Cue(100, 110, "later")]
    write_ass(cues, fps, path, 1280, 720, font_name="Lato", offset=30)
    subs = load_ass(path)
    assert [e.plaintext for e in subs] == ["straddles", "inside", "later"]
    frame_ms = 1000 / 24
    # straddles: clipped to frame 0 .. frame 10 of the segment
    assert subs[0].start == 0
    assert 9 * frame_ms < subs[0].end < 10 * frame_ms
    assert 17 * frame_ms < subs[1].start < 18 * frame_ms      # frame 48 - 30 = 18
    assert 41 * frame_ms < subs[1].end < 42 * frame_ms
    assert 69 * frame_ms < subs[2].start < 70 * frame_ms


@pytest.mark.parametrize("fps", [Fraction(24), Fraction(24000, 1001), Fraction(25), Fraction(30000, 1001), Fraction(60)])
def test_ass_times_fall_between_frames(tmp_path: Path, fps: Fraction) -> None:
    """Each boundary lies strictly inside (frame k-1, frame k], away from both, in whole centiseconds."""
    cues = [Cue(k, k + 1, "x") for k in range(0, 3000, 2)]
    write_ass(cues, fps, tmp_path / "a.ass", 640, 360)
    subs = load_ass(tmp_path / "a.ass")
    assert len(subs) == len(cues)
    for cue, event in zip(cues, subs):
        for frame, ms in ((cue.start, event.start), (cue.end, event.end)):
            assert ms % 10 == 0
            if frame == 0:
                assert ms == 0
            else:
                assert (frame - 1) * 1000 / fps + 1 < ms < frame * 1000 / fps - 1


def test_writers_leave_no_temporary_and_escape_ass_braces(tmp_path: Path) -> None:
    cues = [Cue(0, 24, "He said {quietly} \\n nothing")]
    write_ass(cues, Fraction(24), tmp_path / "a.ass", 640, 360)
    write_srt(cues, Fraction(24), tmp_path / "a.srt")
    write_vtt(cues, Fraction(24), tmp_path / "a.vtt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ass", "a.srt", "a.vtt"]
    (event,) = load_ass(tmp_path / "a.ass")
    # libass shows `\{` as a brace (a bare one would hide "quietly" as an override block)
    assert "\\{quietly\\}" in event.text and "\n" not in event.plaintext     # a literal \n stays literal
    assert "\n" not in pysubs2.load(str(tmp_path / "a.srt"))[0].plaintext


def _ffmpeg_with_libass() -> str | None:
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        filters = subprocess.run([exe, "-hide_banner", "-filters"], capture_output=True, text=True).stdout
    except Exception:
        return None
    return exe if re.search(r"^\s*\S+\s+subtitles\s", filters, re.M) else None


@pytest.mark.parametrize("fps", [Fraction(24000, 1001), Fraction(25)])
def test_ass_burns_in_on_exactly_the_right_frames(tmp_path: Path, fps: Fraction) -> None:
    exe = _ffmpeg_with_libass()
    if exe is None:
        pytest.skip("ffmpeg without the subtitles (libass) filter")
    from pipeline.fonts import FONT_DIR

    frames, offset = 60, 7
    cues = [Cue(3, 10, "A"), Cue(10, 11, "B"), Cue(12, 13, "C\nD"), Cue(40, 41, "E"), Cue(41, 55, "F")]
    write_ass(cues, fps, tmp_path / "s.ass", 160, 90, offset=offset)
    out = tmp_path / "out.raw"
    subprocess.run(
        [exe, "-v", "error", "-y", "-f", "lavfi", "-i", f"color=black:s=160x90:r={fps.numerator}/{fps.denominator}",
         "-frames:v", str(frames), "-vf", f"subtitles=s.ass:fontsdir={FONT_DIR}",
         "-f", "rawvideo", "-pix_fmt", "gray", out.name],
        cwd=tmp_path, check=True, capture_output=True)
    video = np.fromfile(out, np.uint8).reshape(frames, 90, 160)
    lit = [i for i in range(frames) if video[i].max() > 100]
    expected = sorted({f - offset for c in cues for f in range(c.start, c.end) if 0 <= f - offset < frames})
    assert lit == expected


# --------------------------------------------------------------------------- Chinese, Japanese, Korean

ZH = ("在一个寒冷的冬天早晨，渔船在晨雾中慢慢归来，老人站在码头上静静地等待着他的儿子回家。"
      "他已经等了很多年了，每天都来这里，看着大海。")   # 66 characters
JA = "これは長い日本語の文章で、行をまたいで折り返されるかどうかを確かめるためのものです。「はい」と彼は言った。"


@pytest.mark.parametrize("text", [ZH, JA, "我爱Python编程，因为它很简单。I love it, really.", "（注意）这是一个很长很长很长很长很长很长的句子，没有任何空格。"],
                         ids=["chinese", "japanese", "mixed", "brackets"])
def test_cjk_lines_are_measured_in_display_width_and_break_between_characters(text: str) -> None:
    from pipeline.subtitles import display_width

    chunks = split_text(text)
    lines = [line for chunk in chunks for line in chunk.split("\n")]
    assert len(chunks) > 1 or len(lines) > 1
    assert all(display_width(line) <= 42 for line in lines)          # 21 full-width characters
    assert all(len(chunk.split("\n")) <= 2 for chunk in chunks)
    assert "".join(text.split()) == "".join("".join(chunks).split())     # every character, in order
    assert not any(line[0] in "、。，．！？）」』】：；ー" for line in lines)     # no closing punctuation first
    assert not any(line[-1] in "（「『【" for line in lines)                  # no opening bracket last


def test_a_full_width_line_holds_21_characters() -> None:
    chunks = split_text(ZH)
    first = chunks[0].split("\n")[0]
    assert len(first) <= 21
    assert split_text("字" * 21) == ["字" * 21]
    assert split_text("字" * 22) == ["字" * 11 + "\n" + "字" * 11]
    # A Latin line still holds 42 characters.
    assert split_text("a" * 20 + " " + "b" * 21) == ["a" * 20 + " " + "b" * 21]


def test_korean_breaks_between_its_words() -> None:
    text = "안녕하세요 오늘 날씨가 정말 좋네요 그리고 우리는 공원에 갈 거예요 친구들과 함께"
    lines = [line for chunk in split_text(text) for line in chunk.split("\n")]
    assert all(line.split() and all(w in text.split() for w in line.split()) for line in lines)


def test_cues_share_a_word_split_between_them_by_its_characters() -> None:
    """A Chinese sentence is one "word" to the voice; its chunks share its time by characters."""
    from pipeline.subtitles import captions_from_words

    text = "字" * 60      # two chunks of 30 characters (two lines of 15)
    captions = captions_from_words([(text, [(0.0, 6.0)])])
    assert [c.text.replace("\n", "") for c in captions] == ["字" * 30, "字" * 30]
    assert captions[0].start_ms == 0 and abs(captions[1].start_ms - 3000) <= 1


def test_chunks_not_heard_follow_one_another_long_enough_to_read() -> None:
    """A line the voice did not say (zero-length word times): every chunk shows, in turn."""
    from pipeline.subtitles import captions_from_words

    captions = captions_from_words([(ZH, [(0.0, 0.0)])])
    assert len(captions) >= 2 and "".join(c.text.replace("\n", "") for c in captions) == ZH
    assert all(b.start_ms >= a.end_ms > a.start_ms for a, b in zip(captions, captions[1:]))
    assert all(c.end_ms - c.start_ms >= 1000 for c in captions[:-1])


def test_a_cjk_narration_without_speech_is_on_screen_long_enough_to_read(tmp_path: Path) -> None:
    """With `speech: false` the 66-character narration is shown at about 5 characters a second
    (half a word each at 160 words a minute), and its subtitle lines hold 21 characters."""
    from conftest import write_project
    from pipeline.parse import load
    from pipeline.plan import make_plan
    from pipeline.subtitles import cues_for

    path = write_project(tmp_path / "p", f"""
        title: Harbour
        fps: 24
        title_card: false
        speech: false
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - id: a
                prompt: "boats"
                narration: "{ZH}"
    """)
    board = load(path.parent)
    plan = make_plan(board)
    shot = next(s for s in plan.shots if s.id == "a")
    hans = sum(c not in "，。" for c in ZH)                         # 61 characters, 5 commas and stops
    pacing = board.project.pacing
    reading = hans * 0.5 * 60 / pacing.words_per_minute             # 11.4 s
    assert abs(shot.frames / 24 - (reading + pacing.lead_in + pacing.hold)) < 0.1
    cues = [c for c in cues_for(plan)]
    assert "".join(c.text.replace("\n", "") for c in cues) == ZH
    assert all(len(line) <= 21 for c in cues for line in c.text.split("\n"))
    write_srt(cues, Fraction(24), tmp_path / "s.srt")
    first = (tmp_path / "s.srt").read_text(encoding="utf-8").split("\n")[2]
    assert 8 <= len(first) <= 21
