"""On-screen text in every script: the bundled faces cover it, Pillow draws glyphs (not boxes),
shaped and right to left, and burned subtitles (libass) draw the same on a machine whose system
has no fonts at all. Glyphs are compared with the face's own `.notdef` box, drawn by asking it
for a character no font has."""

from __future__ import annotations

import re
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pysubs2
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont, features

from conftest import write_project
from pipeline import fonts
from pipeline.edit import ffmpeg
from pipeline.generators.drawing import text as text_module
from pipeline.generators.drawing.text import draw_text, layout, text_width, wrap
from pipeline.subtitles import Cue, write_ass

# One sample per script: what a title, card, caption or subtitle may say.
SAMPLES = {
    "ja": "海辺の朝", "zh": "渔船在晨雾中归来", "ko": "안녕하세요 친구", "ru": "Привет, мир", "el": "Καλημέρα κόσμε",
    "ar": "مرحبا بالعالم", "he": "שלום עולם", "hi": "नमस्ते दुनिया", "th": "สวัสดีครับ", "emoji": "🎉👍🙂👨‍👩‍👧🇯🇵",
    "latin": "Crème brûlée à Łódź, Ångström", "card": "第一章：大海",
}
NO_FONT = chr(0x10FFFD)   # a private-use character of plane 16: no font draws it, so it is .notdef
RAQM = features.check_feature("raqm")
ENGINES = [pytest.param(ImageFont.Layout.RAQM, id="raqm", marks=pytest.mark.skipif(not RAQM, reason="no Raqm")),
           pytest.param(ImageFont.Layout.BASIC, id="basic")]


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch):
    """Lay text out with the given Pillow engine (Raqm, or the basic fallback without it)."""
    monkeypatch.setattr(fonts, "layout_engine", lambda: request.param)
    text_module.layout.cache_clear()
    yield request.param
    text_module.layout.cache_clear()


def ink(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L")) > 96


def glyph(face: fonts.Face, cluster: str, size: int = 48) -> np.ndarray:
    """`cluster` drawn alone in `face`, as a boolean ink mask on a fixed canvas."""
    img = Image.new("L", (size * 4, size * 2), 0)
    ImageDraw.Draw(img).text((size, size * 1.4), cluster, font=fonts.pillow_font(face, size), fill=255, anchor="ls")
    return np.asarray(img) > 96


def cmap(face: fonts.Face) -> set[int]:
    """The face's cmap read by fontTools itself (not by `fonts.coverage`)."""
    font_file = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    try:
        return set(font_file.getBestCmap())
    finally:
        font_file.close()


@pytest.mark.parametrize("script", SAMPLES)
def test_every_script_has_a_covering_face_and_draws_glyphs_not_boxes(script):
    text = SAMPLES[script]
    assert fonts.missing(text) == ""
    for run, face in fonts.runs(text):
        have = cmap(face)
        for cluster in fonts.clusters(run.replace(" ", "")):
            # The chosen face has every character that needs a glyph...
            assert all(ord(c) in have for c in cluster if c not in "\u200d\ufe0f"), (cluster, face.name)
            # ...and what it draws is ink, and not its .notdef box.
            drawn, box = glyph(face, cluster), glyph(face, NO_FONT)
            assert drawn.sum() > 20, (cluster, face.name)
            assert (drawn != box).mean() > 0.002, f"{cluster!r} drawn as a box in {face.name}"


@pytest.mark.parametrize("script", SAMPLES)
def test_a_line_in_any_script_is_drawn_where_it_was_measured(script, engine):
    text = SAMPLES[script]
    f = fonts.font(40)
    width = text_width(text, f)
    img = Image.new("L", (int(width) + 80, 120), 0)
    draw_text(ImageDraw.Draw(img), (40, 60), text, f, 255, "lm")
    cols = np.flatnonzero(ink(img).any(axis=0))
    assert cols.size, "nothing drawn"
    # The ink spans the measured width (a glyph's side bearings leave a few pixels either side).
    assert abs(cols[0] - 40) < 0.12 * width + 6 and abs(cols[-1] - (40 + width)) < 0.12 * width + 6
    rows = np.flatnonzero(ink(img).any(axis=1))
    assert rows[0] < 60 < rows[-1]     # centred on the anchor


def test_characters_no_font_has_are_named():
    assert fonts.missing("ཀ་ 𓀀 abc 海") == "ཀ་𓀀"
    assert fonts.missing("a\u200db\ufe0f \t\n") == ""


def test_lato_draws_every_printable_ascii_character():
    # `missing` answers "" for ASCII text without reading a font: this is why it may.
    printable = {ord(c) for c in map(chr, range(0x20, 0x7F))}
    assert printable <= fonts.coverage(fonts.LATO)


def test_the_cjk_face_follows_the_language_of_the_text():
    assert fonts.runs("海辺の朝")[0][1] == fonts.CJK["JP"]
    assert fonts.runs("渔船在晨雾中归来")[0][1] == fonts.CJK["SC"]
    assert fonts.runs("안녕 海")[0][1] == fonts.CJK["KR"]


def test_emoji_sequences_stay_one_cluster_in_the_emoji_face():
    for sequence in ("👨\u200d👩\u200d👧", "🇯🇵", "👍🏽", "❤\ufe0f", "1\ufe0f\u20e3"):
        assert fonts.clusters(sequence) == [sequence]
        assert fonts.runs(sequence) == ((sequence, fonts.EMOJI),)
    assert fonts.clusters("🇯🇵🇫🇷") == ["🇯🇵", "🇫🇷"]
    # Text presentation (no VS16) stays with a text face where one has it.
    assert fonts.runs("☺")[0][1] == fonts.SYMBOLS


def test_spaces_and_punctuation_stay_in_the_run_around_them():
    (run,) = fonts.runs("مرحبا، بالعالم!")
    assert run[1] == fonts.SCRIPTS[0]
    assert [face for _, face in fonts.runs("Great job 🎉 today")] == [fonts.LATO, fonts.EMOJI, fonts.LATO]


def _widest_stretch_side(mask: np.ndarray) -> str:
    """Which half of the drawn text ("left" or "right") holds its widest unbroken stretch of ink
    columns: the wide first letter of the RTL samples below, the others being thin strokes."""
    inked = mask.any(axis=0)
    cols = np.flatnonzero(inked)
    best, start, best_mid = 0, None, 0.0
    for x in range(cols[0], cols[-1] + 2):
        if x <= cols[-1] and inked[x]:
            start = x if start is None else start
        elif start is not None:
            if x - start > best:
                best, best_mid = x - start, (start + x - 1) / 2
            start = None
    return "right" if best_mid > (cols[0] + cols[-1]) / 2 else "left"


@pytest.mark.parametrize("text", ["שוווו", "شاااا"], ids=["hebrew", "arabic"])
def test_right_to_left_text_starts_on_the_right(text, engine):
    """The first letter written (a wide shin or sheen, then thin vavs or alefs) is drawn rightmost."""
    f = fonts.font(48)
    img = Image.new("L", (400, 120), 0)
    draw_text(ImageDraw.Draw(img), (20, 60), text, f, 255, "lm")
    assert _widest_stretch_side(ink(img)) == "right"
    # The same letters written the other way round put the wide one on the left: the test can fail.
    img = Image.new("L", (400, 120), 0)
    draw_text(ImageDraw.Draw(img), (20, 60), text[::-1], f, 255, "lm")
    assert _widest_stretch_side(ink(img)) == "left"


def test_mixed_directions_keep_each_word_in_its_place(engine):
    """Words in visual order, left to right: an RTL line reads from the right, its Latin word
    kept left to right in the middle; an LTR line keeps its order around the Hebrew word."""
    f = fonts.font(40)
    for text, visual in (("שלום abc עולם", ["עולם", "abc", "שלום"]), ("abc שלום def", ["abc", "שלום", "def"])):
        words = " ".join(p.text for p in layout(text, f)).split()
        assert words == visual


def test_arabic_letters_join(engine):
    """Four joined behs take far less room than four isolated ones (shaping happened)."""
    f = fonts.font(48)
    assert text_width("بببب", f) < 0.75 * 4 * text_width("ب", f)


@pytest.mark.skipif(not RAQM, reason="Indic conjuncts need Raqm")
def test_devanagari_forms_conjuncts():
    f = fonts.font(48)
    assert text_width("क्ष", f) < 0.9 * (text_width("क", f) + text_width("ष", f))


def test_cjk_wraps_between_characters_and_never_before_closing_punctuation():
    f = fonts.font(32)
    text = "これは長い日本語の文章で、行をまたいで折り返されるかどうかを確かめるためのものです。"
    lines = wrap(text, f, 200)
    assert len(lines) >= 4
    assert "".join(lines) == text
    assert all(text_width(line, f) <= 200 for line in lines)
    assert not any(line[0] in "、。" for line in lines)


# ---------------------------------------------------------------------------------------------
# Burned subtitles: libass with only the bundled fonts


@pytest.fixture
def no_system_fonts(tmp_path, monkeypatch):
    """Fontconfig with no fonts at all, as on a fresh machine: libass sees only `fontsdir`."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig></fontconfig>\n')
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


def burn(ass: Path, frames: int, size=(480, 120)) -> np.ndarray:
    """The ASS burned over black through ffmpeg's libass, as grey frames."""
    w, h = size
    result = subprocess.run(
        [ffmpeg.exe(), "-v", "error", "-f", "lavfi", "-i", f"color=black:s={w}x{h}:r=10", "-frames:v", str(frames),
         "-vf", f"subtitles={ffmpeg.filter_path(ass)}:fontsdir={ffmpeg.filter_path(fonts.FONT_DIR)}",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True)
    return np.frombuffer(result.stdout, np.uint8).reshape(frames, h, w)


def test_burned_subtitles_draw_every_script_without_system_fonts(tmp_path, no_system_fonts):
    scripts = ["ja", "zh", "ko", "ru", "ar", "he", "hi", "th", "emoji"]
    cues = [Cue(i, i + 1, SAMPLES[s]) for i, s in enumerate(scripts)]
    write_ass(cues, Fraction(10), tmp_path / "fonts.ass", 960, 540)
    # The same cues with every character in Lato: libass then draws Lato's .notdef boxes.
    boxes = re.sub(r"\\fn[^\\}]*", r"\\fnLato", (tmp_path / "fonts.ass").read_text(encoding="utf-8"))
    (tmp_path / "boxes.ass").write_text(boxes, encoding="utf-8")
    drawn, boxed = (burn(tmp_path / name, len(cues), (960, 540)) for name in ("fonts.ass", "boxes.ass"))
    for i, script in enumerate(scripts):
        text_ink, box_ink = drawn[i] > 128, boxed[i] > 128
        assert text_ink.sum() > 30, f"{script}: nothing drawn"
        assert (text_ink != box_ink).sum() > 0.3 * max(text_ink.sum(), box_ink.sum()), f"{script}: drawn as boxes"


def test_burned_hebrew_reads_right_to_left(tmp_path, no_system_fonts):
    write_ass([Cue(0, 1, "שוווו")], Fraction(10), tmp_path / "he.ass", 960, 540)
    assert _widest_stretch_side(burn(tmp_path / "he.ass", 1, (960, 540))[0] > 128) == "right"


def test_a_cue_in_several_fonts_sits_on_one_even_box(tmp_path, no_system_fonts):
    """One translucent box behind the whole cue: no darker seams where runs in other fonts meet."""
    write_ass([Cue(0, 1, "Hello 海辺の朝 مرحبا 🎉 done\nsecond line")], Fraction(10), tmp_path / "s.ass", 960, 540)
    result = subprocess.run(
        [ffmpeg.exe(), "-v", "error", "-f", "lavfi", "-i", "color=0x808080:s=960x540:r=10", "-frames:v", "1",
         "-vf", f"subtitles={ffmpeg.filter_path(tmp_path / 's.ass')}:fontsdir={ffmpeg.filter_path(fonts.FONT_DIR)}",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True)
    frame = np.frombuffer(result.stdout, np.uint8).reshape(540, 960).astype(int)
    box = (frame < 110) & (frame > 20)          # darker than the grey, not a letter
    rows, cols = np.flatnonzero(box.any(axis=1)), np.flatnonzero(box.any(axis=0))
    inside = frame[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    shade = inside[inside < 110]
    assert np.median(shade) < 100
    # Letters' edges are lighter than the box; a seam (boxes overlapping) is darker.
    assert (shade < np.median(shade) - 4).mean() < 0.003


def test_subtitles_name_the_bundled_face_for_each_run(tmp_path):
    write_ass([Cue(0, 10, "Hello 海辺の朝 مرحبا"), Cue(10, 20, "Plain Latin")], Fraction(10), tmp_path / "s.ass", 640, 360)
    events = [event.text for event in pysubs2.load(str(tmp_path / "s.ass"))]
    # Each run at Lato's em: libass sizes a face by its OS/2 heights (Noto Sans Arabic's em is
    # 0.46 of the size, Lato's 0.83).
    assert events[0] == ("{\\fnLato}Hello {\\fnNoto Sans CJK JP\\fscx121\\fscy121\\b1}海辺の朝 "
                         "{\\fnNoto Sans Arabic\\fscx181\\fscy181\\b0}مرحبا")
    assert events[1] == "Plain Latin"   # text the style's font has is left untagged


def test_the_fonts_folder_holds_every_face_and_is_made_once():
    folder = fonts.FONT_DIR
    names = {p.name for p in folder.iterdir()}
    assert {face.path.name for face in fonts.ALL} <= names
    assert fonts.FONT_DIR == folder


# ---------------------------------------------------------------------------------------------
# film check


def test_check_warns_about_characters_no_font_draws(tmp_path):
    from pipeline.parse import load

    path = write_project(tmp_path / "p", """
        title: "海辺の朝 ཀཁ"
        speech: false
        subtitles: burn
        cast:
          ANNA: {look: "a sailor"}
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - id: a
                prompt: "渔船在晨雾中归来"
                narration: "مرحبا 𓀀"
              - id: b
                title: "第一章：大海"
    """)
    board = load(path.parent)
    warnings = [w for w in board.warnings if "no bundled font" in w.message]
    assert [(w.line, w.message.split(" in ")[-1].split(":")[0]) for w in warnings] == [
        (1, "the title"), (11, "the subtitles")]
    assert "'ཀ' (U+0F40 TIBETAN LETTER KA)" in warnings[0].message and "'ཁ'" in warnings[0].message
    assert "U+13000" in warnings[1].message and "مرحبا" not in warnings[1].message


def test_sidecar_subtitles_are_not_checked(tmp_path):
    from pipeline.parse import load

    path = write_project(tmp_path / "p", """
        title: Plain
        speech: false
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - {id: a, prompt: "boats", narration: "𓀀"}
    """)
    assert not [w for w in load(path.parent).warnings if "no bundled font" in w.message]


def font_warnings(board) -> list[tuple[str, int, str, str]]:
    """(file name, line, what, the characters named) of each glyph warning."""
    out = []
    for w in board.warnings:
        if "no bundled font" in w.message:
            what = w.message.split(" in ")[-1].split(":")[0]
            out.append((Path(w.subject).name, w.line, what, "".join(re.findall(r"'(.)' \(U\+", w.message))))
    return out


def test_a_credit_no_font_draws_is_found_on_its_own_line(tmp_path, capsys):
    from pipeline.cli import main
    from pipeline.parse import load

    path = write_project(tmp_path / "p", """
        speech: false
        title: "Plain ᚠ"
        credits:
          Written by: Ann Lee
          Music: "ཀ Tenzin"
          ཁ Crew:
            - Bo Ray
            - "Cy 𓀀"
          Sound: [Di, "ༀ Ed"]
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - {id: a, prompt: "boats"}
    """)
    assert font_warnings(load(path.parent)) == [
        ("storyboard.yaml", 2, "the title", "ᚠ"), ("storyboard.yaml", 5, "the credits", "ཀ"),
        ("storyboard.yaml", 6, "the credits", "ཁ"), ("storyboard.yaml", 8, "the credits", "𓀀"),
        ("storyboard.yaml", 9, "the credits", "ༀ")]
    # as `film check` prints it
    assert main(["check", str(path.parent), "--out", str(tmp_path / "renders")]) == 0
    assert (f"{path}:5: warning: no bundled font draws 'ཀ' (U+0F40 TIBETAN LETTER KA) in the credits: "
            "they would show as boxes") in capsys.readouterr().err.splitlines()


def test_a_credit_written_wrong_is_an_error_on_its_own_line(tmp_path):
    from pipeline.errors import StoryboardError
    from pipeline.parse import load

    path = write_project(tmp_path / "p", """
        title: Plain
        credits:
          Written by: Ann Lee
          Music:
            - Bo Ray
            - {name: Cy}
          Sound: [Di, [Ed]]
        scenes:
          - shots:
              - {id: a, prompt: "boats"}
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path.parent)
    assert [str(p) for p in caught.value.problems] == [f"{path}:6: credit for Music must be text, got a mapping",
                                                       f"{path}:7: credit for Sound must be text, got a list"]


TITLE_PAGE = """\
Title: The Ferry ᚠ
Credit: Music ཁ by
Author: Ann Lee,
    Bo 𓀀 Ray
Source: Story by Cy ༀ

EXT. PIER - NIGHT

Fog.
"""


@pytest.mark.parametrize("sidecar", [None, "speech: false\n",
                                     "speech: false\ntitle: Plain\ncredits:\n  Music: \"ཀ Tenzin\"\n"],
                         ids=["no-sidecar", "sidecar-without-credits", "sidecar-with-credits"])
def test_a_title_page_credit_no_font_draws_is_found_on_its_own_line(tmp_path, sidecar):
    from pipeline.parse import load

    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "ferry.fountain").write_text(TITLE_PAGE, encoding="utf-8")
    if sidecar is not None:
        (folder / "film.yaml").write_text(sidecar, encoding="utf-8")
    got = [w for w in font_warnings(load(folder / "ferry.fountain")) if w[2] in ("the title", "the credits")]
    if sidecar and "credits" in sidecar:
        # the sidecar's title and credits win over the title page, and are found in the sidecar
        assert got == [("film.yaml", 4, "the credits", "ཀ")]
    else:
        # the title page's, in the script, whether or not a sidecar is beside it
        assert got == [("ferry.fountain", 1, "the title", "ᚠ"), ("ferry.fountain", 2, "the credits", "ཁ"),
                       ("ferry.fountain", 4, "the credits", "𓀀"), ("ferry.fountain", 5, "the credits", "ༀ")]


@pytest.mark.parametrize("text, side", [
    ("שלום עולם!", "left"), ("مرحبا بالعالم!", "left"), ("יש לי 2 כלבים.", "left"), ("מה שלומך?", "left"),
    ("Hello world!", "right"), ("He said שלום.", "right"),
], ids=["hebrew", "arabic", "hebrew-digit", "hebrew-question", "latin", "latin-quoting-hebrew"])
def test_burned_subtitles_end_a_sentence_on_its_own_side(tmp_path, no_system_fonts, text, side):
    """The final punctuation of a right-to-left cue is drawn leftmost (where a reader of Hebrew or
    Arabic finishes), of a left-to-right cue rightmost. The punctuation is coloured red in the
    ASS written by `write_ass` and found in the burned frame, left or right of all the white ink."""
    w, h = 320, 180
    write_ass([Cue(0, 1, text)], Fraction(10), tmp_path / "s.ass", w, h)
    ass = re.sub(r"([!.?])$", r"{\\c&H0000FF&}\1", (tmp_path / "s.ass").read_text(encoding="utf-8"), flags=re.M)
    (tmp_path / "s.ass").write_text(ass, encoding="utf-8")
    result = subprocess.run(
        [ffmpeg.exe(), "-v", "error", "-f", "lavfi", "-i", f"color=black:s={w}x{h}:r=10", "-frames:v", "1",
         "-vf", f"format=rgb24,subtitles={ffmpeg.filter_path(tmp_path / 's.ass')}:"
                f"fontsdir={ffmpeg.filter_path(fonts.FONT_DIR)}",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True)
    frame = np.frombuffer(result.stdout, np.uint8).reshape(h, w, 3).astype(int)
    red = np.flatnonzero(((frame[..., 0] > 40) & (frame[..., 1] < frame[..., 0] // 2)).any(axis=0))
    white = np.flatnonzero((frame.min(axis=-1) > 100).any(axis=0))
    assert red.size and white.size, "nothing drawn"
    if side == "left":
        assert red.max() < white.min()
    else:
        assert red.min() > white.max()


@pytest.mark.parametrize("script", ["ar", "hi", "ru", "zh", "he"])
def test_burned_subtitles_draw_every_script_at_the_size_of_the_latin(tmp_path, no_system_fonts, script):
    """libass sizes each font by its OS/2 heights, which drew Arabic at 55% of the Latin beside
    it (Devanagari 63%, Cyrillic 79%): burned, a script keeps the width it has next to Latin in
    a title (Pillow sizes every face by its em)."""
    w, h = 320, 180
    latin = "Hello world, all"
    write_ass([Cue(0, 1, latin), Cue(1, 2, SAMPLES[script])], Fraction(10), tmp_path / "s.ass", w, h)
    frames = burn(tmp_path / "s.ass", 2, (w, h))
    burned = [np.ptp(np.flatnonzero((f > 96).any(axis=0))) for f in frames]
    f = fonts.font(48)
    titled = [text_width(latin, f), text_width(SAMPLES[script], f)]
    assert burned[1] / burned[0] == pytest.approx(titled[1] / titled[0], rel=0.15)
