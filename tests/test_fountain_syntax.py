"""Fountain syntax: our own cases, then three other projects' suites run through small adapters.

The shared suites live in `../shared/fountain/` (see its README); their tests skip when it is
absent. Each suite's notation differs from our elements, so each adapter normalises both sides
to one comparable form and says what it normalises. Where a suite disagrees with the Fountain
spec (https://fountain.io/syntax) we follow the spec: the case stays in the run, with the
spec's answer written in a table next to the adapter, and the reason why.
"""

from __future__ import annotations

import ast
import csv
import re
import time
from pathlib import Path

import pytest
import yaml

from pipeline.errors import StoryboardError
from pipeline.parse.fountain_syntax import (
    KINDS, Element, Note, Screenplay, TitleField, parse_fountain, plain_text, read_fountain,
)

SHARED = Path(__file__).parents[1] / ".." / "shared" / "fountain"
SCRIPTS = SHARED / "scripts"
JOUVENCE = SHARED / "cases" / "jouvence" / "tests"
WILDWINTER = SHARED / "cases" / "wildwinter-screenplay-tools" / "tests"
NYOUSEFI = SHARED / "cases" / "nyousefi-Fountain"
NO_SHARED = pytest.mark.skip(reason="../shared/fountain (the shared Fountain suites) is not here")
# The screenplay that ships with the project: every test that needs only *a* screenplay reads it.
SAMPLE = Path(__file__).parents[1] / "projects" / "screenplay" / "night-ferry.fountain"


def kinds(screenplay: Screenplay) -> list[str]:
    return [e.kind for e in screenplay.elements]


def parse(text: str) -> Screenplay:
    return parse_fountain(text, "script.fountain")


def problems(text: str) -> list[str]:
    with pytest.raises(StoryboardError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


# -- our own cases --------------------------------------------------------------------------------

def test_every_element_keeps_the_line_it_starts_on():
    script = parse("INT. HOUSE - DAY\n\nA room.\nStill the room.\n\nBOB\n(quietly)\nHello.\nAgain.\n\n"
                   "CUT TO:\n\n# Act\n= summary\n===\n~la la\n> THE END <\n")
    assert [(e.kind, e.line) for e in script.elements] == [
        ("scene_heading", 1), ("action", 3), ("character", 6), ("parenthetical", 7),
        ("dialogue", 8), ("transition", 11), ("section", 13), ("synopsis", 14), ("page_break", 15),
        ("lyrics", 16), ("centered", 17)]
    assert script.elements[1].text == "A room.\nStill the room."
    assert script.elements[4].text == "Hello.\nAgain."


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_numbers_stay_true_after_a_multi_line_boneyard(newline):
    text = newline.join(["Action one.", "", "/* a scene", "", "INT. GONE - DAY", "", "cut */",
                         "", "EXT. KEPT - DAY", "", "BOB", "Hi.", ""])
    script = parse(text)
    assert [(e.kind, e.line, e.text) for e in script.elements] == [
        ("action", 1, "Action one."), ("scene_heading", 9, "EXT. KEPT - DAY"),
        ("character", 11, "BOB"), ("dialogue", 12, "Hi.")]


def test_mixed_line_endings_count_each_break_once():
    script = parse("A.\r\n\r\nB.\n\nC.\r\rD.\r\n")
    assert [(e.text, e.line) for e in script.elements] == [("A.", 1), ("B.", 3), ("C.", 5), ("D.", 7)]


def test_a_boneyard_may_start_and_end_mid_line():
    script = parse("He /* never */ waits.\nShe /* spans\ntwo lines */ leaves.\n")
    assert [(e.text, e.line) for e in script.elements] == [("He  waits.\nShe \n leaves.", 1)]


def test_byte_order_mark_is_dropped(tmp_path):
    path = tmp_path / "bom.fountain"
    path.write_bytes(b"\xef\xbb\xbfTitle: Bom\n\nINT. HOUSE - DAY\n")
    script = read_fountain(path)
    assert script.title_page == (TitleField("Title", "Bom", 1),)
    assert kinds(script) == ["scene_heading"] and not script.warnings
    assert parse("\ufeffINT. HOUSE - DAY\n").elements[0].kind == "scene_heading"


def test_bytes_that_are_not_utf8_are_read_as_latin1_with_a_warning(tmp_path):
    path = tmp_path / "old.fountain"
    path.write_bytes("INT. CAF\u00c9 - DAY\r\n\r\nJos\u00e9 waits.\r\n".encode("latin-1"))
    script = read_fountain(path)
    assert [e.text for e in script.elements] == ["INT. CAF\u00c9 - DAY", "Jos\u00e9 waits."]
    [warning] = script.warnings
    assert warning.subject == str(path) and warning.line == 1 and "Latin-1" in warning.message


def test_unterminated_boneyard_and_note_are_reported_together_with_their_lines():
    found = problems("Fine.\n\nA [[note that never ends\n\nMore.\n\n/* and a boneyard\nthat never ends\n")
    assert found == [
        "script.fountain:3: unterminated note: '[[' opened here has no ']]'",
        "script.fountain:7: unterminated boneyard: '/*' opened here has no '*/'",
    ]


def test_every_unterminated_note_is_reported():
    assert [p.split(":")[1] for p in problems("[[one\n\n[[two\n")] == ["1", "3"]


def test_a_note_crossing_a_truly_blank_line_is_text_with_a_warning():
    script = parse("He waits.[[not\n\na note]] really.\n")
    assert [e.text for e in script.elements] == ["He waits.[[not", "a note]] really."]
    [warning] = script.warnings
    assert warning.line == 1 and "not a note" in warning.message


def test_notes_inline_standalone_and_multi_line():
    script = parse("[[Standalone.]]\n\nHe waits[[inline]] and waits.\n\n"
                   "BOB\nHi.[[Across\n  \nlines.]] Bye.\n\nINT. HOUSE - DAY\n")
    assert [(e.kind, e.text, e.line) for e in script.elements] == [
        ("note", "Standalone.", 1), ("action", "He waits and waits.", 3),
        ("character", "BOB", 5), ("dialogue", "Hi. Bye.", 6), ("scene_heading", "INT. HOUSE - DAY", 10)]
    assert script.elements[1].notes == (Note("inline", 3),)
    assert script.elements[3].notes == (Note("Across\n  \nlines.", 6),)


def test_a_note_line_does_not_stop_a_heading_or_cue_from_being_one():
    script = parse("Before.\n\n[[shot: wide]]\nINT. HOUSE - DAY\n\n[[voice: low]]\nBOB\n[[beat]]\nHi.\n")
    assert [(e.kind, e.line) for e in script.elements] == [
        ("action", 1), ("note", 3), ("scene_heading", 4), ("note", 6), ("character", 7), ("dialogue", 9)]
    assert script.elements[4].notes == (Note("beat", 8),)


def test_dual_dialogue_marks_both_speakers():
    script = parse("BRICK\n(calm)\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\n\nAfter.\n")
    assert [(e.kind, e.dual) for e in script.elements] == [
        ("character", "left"), ("parenthetical", "left"), ("dialogue", "left"),
        ("character", "right"), ("dialogue", "right"), ("action", None)]
    assert script.elements[3].text == "STEEL"


def test_a_caret_with_nothing_to_pair_with_warns():
    script = parse("Action.\n\nSTEEL ^\nAlone.\n")
    assert [e.dual for e in script.elements] == [None, None, None]
    assert "dual dialogue" in script.warnings[0].message


def test_scene_numbers_are_kept_apart_from_the_heading():
    script = parse("INT. HOUSE - DAY #1A#\n\n.FLASHBACK #I-1-A#\n\nEXT. YARD #nope\n")
    assert [(e.text, e.scene_number) for e in script.elements] == [
        ("INT. HOUSE - DAY", "1A"), ("FLASHBACK", "I-1-A"), ("EXT. YARD #nope", None)]


def test_character_extensions_are_kept_apart():
    script = parse("\nSTEEL (V.O.) (CONT'D)\nHi.\n\nHANS (on the radio)\nWhat?\n")
    assert [(e.text, e.extensions) for e in script.elements if e.kind == "character"] == [
        ("STEEL", ("V.O.", "CONT'D")), ("HANS", ("on the radio",))]


def test_forced_elements():
    script = parse("!INT. NOT A HEADING\n\n@McCLANE\nYippee.\n\n.inside\n\n>Burn to white.\n\n"
                   "~Sing it\n\n...not a heading\n\n. not one either\n")
    assert [(e.kind, e.text, e.forced) for e in script.elements] == [
        ("action", "INT. NOT A HEADING", True), ("character", "McCLANE", True),
        ("dialogue", "Yippee.", False), ("scene_heading", "inside", True),
        ("transition", "Burn to white.", True), ("lyrics", "Sing it", False),
        ("action", "...not a heading", False), ("action", ". not one either", False)]


def test_what_is_not_a_heading_cue_or_transition():
    script = parse("INT. HOUSE - DAY\nNo blank line after it.\n\nBOB\n\nNo dialogue follows.\n\n"
                   "CUT TO:  \n\n23\nNumbers only.\n\nHan (O.S.)\nLowercase.\n")
    assert set(kinds(script)) == {"action"}


# -- screenplays as writers really format them ---------------------------------------------------

TRANSITIONS_WRITTEN = ["CUT TO:", "SMASH CUT TO:", "MATCH CUT TO:", "DISSOLVE TO:", "TIME CUT TO:",
                       "> WIPE TO:", ">FADE OUT.", "FADE OUT.", "FADE TO BLACK.", "CUT TO BLACK."]
HEADINGS_WRITTEN = [("INT. KITCHEN - NIGHT", "INT. KITCHEN - NIGHT"), ("EXT. KITCHEN - NIGHT", "EXT. KITCHEN - NIGHT"),
                    ("EST. KITCHEN - NIGHT", "EST. KITCHEN - NIGHT"), ("INT./EXT. CAR - DAY", "INT./EXT. CAR - DAY"),
                    ("I/E CAR - DAY", "I/E CAR - DAY"), ("INT KITCHEN NIGHT", "INT KITCHEN NIGHT"),
                    (".FLASHBACK", "FLASHBACK"), (".KITCHEN - LATER #12A#", "KITCHEN - LATER")]


@pytest.mark.parametrize("after", ["\n", "\n\n"], ids=["action-right-below", "blank-line-then-action"])
@pytest.mark.parametrize("heading, heading_text", HEADINGS_WRITTEN, ids=[h for h, _ in HEADINGS_WRITTEN])
@pytest.mark.parametrize("transition", TRANSITIONS_WRITTEN)
def test_a_transition_right_above_a_heading_is_a_transition_and_a_heading(transition, heading, heading_text, after):
    """Real scripts often have no blank line between `CUT TO:` and the next heading; to the spec
    that is a cue and its dialogue. Read as a script supervisor would, with a warning."""
    script = parse(f"EXT. HALL - DAY\n\nA hall.\n\n{transition}\n{heading}{after}Mom cooks.\n")
    got = [(e.kind, e.text, e.line) for e in script.elements]
    closing = transition.lstrip("> ")
    kind = "transition" if transition.startswith(">") or closing.endswith("TO:") else "action"
    assert got == [("scene_heading", "EXT. HALL - DAY", 1), ("action", "A hall.", 3), (kind, closing, 5),
                   ("scene_heading", heading_text, 6), ("action", "Mom cooks.", 7 if after == "\n" else 8)]
    assert not any(e.kind == "character" for e in script.elements)
    warned = {(w.line, w.message.split(";")[0]) for w in script.warnings}
    if not transition.startswith(">"):
        assert (5, f"no blank line between '{closing}' and the scene heading below it") in warned
    if after == "\n" and not heading.startswith("."):
        assert (6, f"no blank line after the scene heading '{heading_text}'") in warned


@pytest.mark.parametrize("below", ["\n\nINT. KITCHEN - NIGHT\n\n", "\nINT. KITCHEN - NIGHT\n\n", "\n"])
def test_an_action_line_right_above_a_transition_does_not_swallow_it(below):
    script = parse(f"EXT. HALL - DAY\n\nShe leaves.\nCUT TO:{below}")
    assert [(e.kind, e.text) for e in script.elements][:3] == [
        ("scene_heading", "EXT. HALL - DAY"), ("action", "She leaves."), ("transition", "CUT TO:")]
    assert [w.line for w in script.warnings][0] == 4


def test_a_transition_after_a_blank_line_and_a_cue_that_merely_ends_in_to_are_as_the_spec_says():
    script = parse("CUT TO:\n\nINT. KITCHEN - NIGHT\n\nBOB\nWELCOME TO:\nthe kitchen.\n\n"
                   "JANE\nInt. is short for interior.\n")
    assert [e.kind for e in script.elements] == ["transition", "scene_heading", "character", "dialogue",
                                                 "character", "dialogue"]
    assert not script.warnings


@pytest.mark.parametrize("text", ["INT. HOUSE - DAY\nEXT. GARDEN - DAY\n", "EXT. PIER - NIGHT\nThe fog rolls in.\n"])
def test_a_heading_with_no_blank_line_after_it_is_action_as_the_spec_says_with_a_warning(text):
    """The spec (and its reference parser's tests) read these as action; we warn, since a writer
    almost surely meant a heading."""
    script = parse("A.\n\n" + text)
    assert kinds(script) == ["action", "action"]
    assert [(w.line, w.message.split(",")[0]) for w in script.warnings] == [
        (3, f"'{text.split(chr(10))[0]}' looks like a scene heading")]


EXTENSIONS_WRITTEN = ["V.O.", "V. O.", "O.S.", "O. S.", "O.C.", "CONT'D", "CONT\u2019D", "cont'd", "PRE-LAP",
                      "INTO PHONE", "ON TV", "FILTERED", "V.O.; CONT'D"]


@pytest.mark.parametrize("extension", EXTENSIONS_WRITTEN)
def test_every_spelling_of_an_extension_makes_a_cue(extension):
    script = parse(f"INT. HOUSE - DAY\n\nMOM ({extension})\nDinner!\n\nMOM ({extension}) (CONT'D) ^\nNow!\n")
    assert [(e.kind, e.text, e.extensions) for e in script.elements[1:]] == [
        ("character", "MOM", (extension,)), ("dialogue", "Dinner!", ()),
        ("character", "MOM", (extension, "CONT'D")), ("dialogue", "Now!", ())]


def test_sections_keep_their_depth():
    script = parse("# Act\n## Sequence\n### Scene\n\n= A synopsis\n")
    assert [(e.kind, e.text, e.depth) for e in script.elements] == [
        ("section", "Act", 1), ("section", "Sequence", 2), ("section", "Scene", 3), ("synopsis", "A synopsis", 0)]


def test_action_keeps_its_indentation_and_dialogue_its_two_space_lines():
    script = parse("He reads:\n\n    Scott --\n\tPalace Hotel\n\nBOB\nOne.\n  \nTwo.\n")
    assert script.elements[1].text == "    Scott --\n\tPalace Hotel"
    assert script.elements[3].text == "One.\n\nTwo."


def test_title_page():
    script = parse("Title:\n    _**BRICK & STEEL**_\n\tFULL RETIRED\nCredit: Written by\nContact:\n"
                   "   1588 Mission Dr.: Suite 1\n\nINT. HOUSE - DAY\n")
    assert script.title_page == (
        TitleField("Title", "_**BRICK & STEEL**_\nFULL RETIRED", 1), TitleField("Credit", "Written by", 4),
        TitleField("Contact", "1588 Mission Dr.: Suite 1", 5))
    assert [(e.kind, e.line) for e in script.elements] == [("scene_heading", 8)]


def test_a_title_page_ends_at_a_line_that_is_not_part_of_it_and_keeps_its_notes():
    script = parse("Title: Test [[working title]]\nAuthor: Me\n[[a note line]]\nFADE IN:\n")
    assert script.title_page == (TitleField("Title", "Test", 1), TitleField("Author", "Me", 2))
    assert [(e.kind, e.text, e.line) for e in script.elements] == [
        ("note", "working title", 1), ("note", "a note line", 3), ("action", "FADE IN:", 4)]


def test_a_missing_file_is_a_storyboard_error(tmp_path):
    with pytest.raises(StoryboardError) as caught:
        read_fountain(tmp_path / "nope.fountain")
    assert str(caught.value).startswith(f"{tmp_path / 'nope.fountain'}: cannot read")


def test_a_bare_transition_on_the_first_line_is_not_a_title_page():
    script = parse("CUT TO:\n\nINT. HOUSE - DAY\n")
    assert script.title_page == () and kinds(script) == ["transition", "scene_heading"]


def test_plain_text_removes_emphasis_and_resolves_escapes():
    assert plain_text("***a*** **b** *c* _d_ _Steel's *face* here_.") == "a b c d Steel's face here."
    assert plain_text(r"**\*9765\***") == "*9765*"
    assert plain_text("*69 and then *23, snake_case_name") == "*69 and then *23, snake_case_name"
    assert plain_text("*not\nacross lines*") == "*not\nacross lines*"


def test_element_kinds_are_the_documented_ones():
    script = parse("Title: T\n\n# S\n= s\n\nINT. A - DAY\n\nAct.\n\nBOB\n(p)\nD.\n~L\n\nCUT TO:\n\n>C<\n\n[[N]]\n\n===\n")
    assert set(kinds(script)) == set(KINDS)


def test_pathological_input_stays_fast():
    """Guards linearity: stray '[[' everywhere, long paragraphs, long note-only runs."""
    text = ("x [[ y\n\n" * 20_000) + "]]\n" + ("word " * 200 + "\n") * 2_000 + "[[n]]\n" * 20_000
    started = time.perf_counter()
    script = parse(text)
    assert time.perf_counter() - started < 3
    assert len(script.warnings) == 20_000


NEEDS_SCRIPTS = pytest.mark.skipif(not SCRIPTS.is_dir(), reason="../shared/fountain/scripts is not here")


@pytest.mark.parametrize("name, at_least, warned", [
    pytest.param("Brick-and-Steel", {"scene_heading": 6, "character": 20, "dialogue": 20, "transition": 6,
                                     "parenthetical": 4, "centered": 5, "action": 15}, [], marks=NEEDS_SCRIPTS),
    pytest.param("The-Last-Birthday-Card", {"section": 3, "synopsis": 3, "scene_heading": 10, "character": 10,
                                            "dialogue": 10, "action": 20}, [], marks=NEEDS_SCRIPTS),
    pytest.param("The-Library-Freak-Out", {"scene_heading": 2, "character": 3, "dialogue": 3, "note": 1}, [],
                 marks=NEEDS_SCRIPTS),
    pytest.param("Cyber-Bob-ep00001", {"scene_heading": 1, "character": 3, "dialogue": 3, "note": 2}, [],
                 marks=NEEDS_SCRIPTS),
    # The shipped sample leaves out one blank line on purpose, as real scripts do: one warning.
    ("night-ferry", {"scene_heading": 4, "character": 10, "dialogue": 10, "transition": 3, "parenthetical": 2,
                     "centered": 1, "action": 8}, [32]),
])
def test_real_scripts_parse(name, at_least, warned):
    script = read_fountain(SAMPLE if name == SAMPLE.stem else SCRIPTS / f"{name}.fountain")
    counts = {kind: kinds(script).count(kind) for kind in KINDS}
    assert all(counts[kind] >= n for kind, n in at_least.items()), counts
    assert script.title_page and script.title_page[0].key == "Title"
    assert [w.line for w in script.warnings] == warned
    lines = [e.line for e in script.elements]
    assert lines == sorted(lines)


# -- shared form for the suites -------------------------------------------------------------------

def flat(script: Screenplay) -> list[tuple[str, str]]:
    """Elements as (kind, text), notes left out. Action is compared line by line, without blank
    lines: suites differ in whether blank lines split action into paragraphs, merge them, or
    keep them as empty elements; the words and their order are what all of them agree on."""
    out: list[tuple[str, str]] = []
    for e in script.elements:
        if e.kind == "note":
            continue
        if e.kind == "action":
            out += [("action", line) for line in e.text.split("\n") if line.strip()]
        elif e.kind == "character":
            out.append(("character", e.text + "".join(f" ({x})" for x in e.extensions)))
        else:
            out.append((e.kind, e.text))
    return out


# -- ludovicchabant/Jouvence ----------------------------------------------------------------------

JOUVENCE_MARKS = [("<pagebreak>", "page_break"), ("!><", "centered"), ("!", "action"),
                  (".", "scene_heading"), ("@", "character"), ("=", "dialogue"),
                  ("_", "parenthetical"), (">", "transition"), ("~", "lyrics"), ("#", "section"),
                  ("+", "synopsis")]

# Case id -> (why, the expected `out:` per the spec).
# Not listed, because it passes once action is compared line by line: test_boneyard-2, where a
# boneyard filling whole lines between two action lines leaves blank lines, so we read two action
# paragraphs where Jouvence reads one (the spec's boneyard example needs the blank lines; see
# `_cut_boneyard`).
JOUVENCE_SPEC = {
    "test_lyrics-2": ("the spec makes every line starting with '~' a lyric; Jouvence makes a paragraph "
                      "that has a non-lyric line action, '~' included (screenplay-tools agrees with us)",
                      ["~This is lyrics", "!But this is not"]),
}


def jouvence_expected(out: list[str]) -> list[tuple[str, str]]:
    expected = []
    for item in out or []:
        mark, kind = next((m, k) for m, k in JOUVENCE_MARKS if item.startswith(m))
        text = item[len(mark):] if kind != "page_break" else ""
        if kind == "action":
            expected += [("action", line) for line in text.split("\n") if line.strip()]
        else:
            expected.append((kind, text.strip()))
    return expected


def jouvence_cases():
    if not JOUVENCE.is_dir():
        return [pytest.param(None, id="jouvence", marks=NO_SHARED)]
    cases = []
    for path in sorted(JOUVENCE.glob("*.yaml")):
        for n, case in enumerate(c for c in yaml.safe_load_all(path.read_text(encoding="utf-8")) if c):
            cases.append(pytest.param(case, id=f"{path.stem}-{n + 1}"))
    return cases


@pytest.mark.parametrize("case", jouvence_cases())
def test_jouvence(case, request):
    """Jouvence: `in` -> `out` (scene headers flattened into the element list), and `title`."""
    case_id = request.node.callspec.id
    out = JOUVENCE_SPEC[case_id][1] if case_id in JOUVENCE_SPEC else case["out"]
    script = parse(case["in"])
    assert flat(script) == jouvence_expected(out)
    if "title" in case:
        assert {f.key.lower(): f.value for f in script.title_page} == case["title"]


# -- wildwinter/screenplay-tools ------------------------------------------------------------------

WILDWINTER_TYPES = {"HEADING": "scene_heading", "ACTION": "action", "CHARACTER": "character",
                    "DIALOGUE": "dialogue", "PARENTHETICAL": "parenthetical", "LYRIC": "lyrics",
                    "TRANSITION": "transition", "SECTION": "section", "SYNOPSIS": "synopsis",
                    "PAGEBREAK": "page_break"}
ENTRY = re.compile(r"^(?:\[\[\d+\]\]|/\*\d+\*/)?[A-Z]+:\"", re.MULTILINE)
FIELDS = re.compile(r'(?P<type>[A-Z]+):"(?P<text>.*?)"(?P<extra>(?: "[^"]*")*(?: \([^)]*\))*)', re.DOTALL)
PLACEHOLDER = re.compile(r"\[\[\d+\]\]|/\*\d+\*/")
CONTD = re.compile(r"CONT[\u2019']?D|CONT\.?", re.IGNORECASE)

# Case id -> (why, [(text in the expected dump, what the spec says instead)]).
WILDWINTER_SPEC = {
    "Boneyards": ("the spec's own boneyard example is this script: with the boneyard gone, 'CUT TO:' "
                  "stands between blank lines, so it is a transition",
                  [('his is going to be BAD.\n\nCUT TO:\n/*0*/"', 'his is going to be BAD."\nTRANSITION:"CUT TO:"')]),
    "Character": ("the spec: a name needs one letter ('R2D2' works), so '3CPO' is a cue",
                  [('ACTION:"3CPO\nNot work."', 'CHARACTER:"3CPO"\nDIALOGUE:"Not work."')]),
    "Parenthetical": ("the spec: a parenthetical is any (...) line in dialogue, two in a row included",
                      [('DIALOGUE:"(bouncy)\n', 'PARENTHETICAL:"bouncy"\nDIALOGUE:"')]),
    "Sections": ("the spec: a title page needs a key with a value or an indented value (Jouvence and the "
                 "reference parser both read a first 'CUT TO:' as a transition), and a heading needs a "
                 "blank line after it (otherwise its paragraph is action)",
                 [('TITLEENTRY:"CUT TO":""', 'TRANSITION:"CUT TO:"'),
                  ('HEADING:"INT. PALACE HALLWAY - NIGHT"\nACTION:"You',
                   'ACTION:"INT. PALACE HALLWAY - NIGHT\nYou')]),
    "Notes": ("the spec: a note may not hold an empty line, so '[[This ... line.]]' is text, not a note "
              "closed at the blank line; and dialogue ends at a blank line, it does not swallow the "
              "action paragraph after it",
              [('retired?*\n\nHis hand', 'retired?*"\nACTION:"His hand'),
               ("spaces[[3]]\nDefinitely", "spaces[[This\ndoesn't have spaces. Shouldn't work.\nDefinitely"),
               ("[[3]]NOTE:\"This\ndoesn't have spaces. Shouldn't work.\"", "")]),
}
WILDWINTER_NOT_RUN = {
    "Tags": "tags (#tag at line ends) are a screenplay-tools option (useTags), not Fountain syntax",
}


def wildwinter_entries(dump: str) -> list[dict]:
    starts = [m.start() for m in ENTRY.finditer(dump)] + [len(dump)]
    entries = []
    for begin, end in zip(starts, starts[1:]):
        chunk = dump[begin:end].rstrip("\n")
        if chunk.startswith("TITLEENTRY:"):
            key, value = re.fullmatch(r'TITLEENTRY:"(.*?)":"(.*)"', chunk, re.DOTALL).groups()
            entries.append({"type": "TITLEENTRY", "key": key, "text": value, "extra": ""})
            continue
        match = FIELDS.fullmatch(PLACEHOLDER.sub("", chunk, count=1) if chunk[:1] in "[/" else chunk)
        assert match, chunk
        entries.append(match.groupdict())
    return entries


def wildwinter_expected(dump: str) -> tuple[list[tuple], list[str], list[tuple[str, str]]]:
    """(elements, notes, title page) from a dump, in the form `wildwinter_actual` gives."""
    elements: list[tuple] = []
    notes: list[str] = []
    title: list[tuple[str, str]] = []
    for entry in wildwinter_entries(dump):
        kind, extra = entry["type"], entry["extra"]
        text = PLACEHOLDER.sub("", entry["text"])
        if kind == "TITLEENTRY":
            title.append((entry["key"], "\n".join(v.strip() for v in text.split("\n") if v.strip())))
        elif kind == "NOTE":
            notes.append(text)
        elif kind == "BONEYARD":
            continue
        elif kind == "ACTION" and "(centered)" in extra:
            elements.append(("centered", text.strip()))
        elif kind == "ACTION":
            elements += [("action", line) for line in text.split("\n") if line.strip()]
        elif kind == "DIALOGUE" and elements and elements[-1][0] == "dialogue":
            # mergeDialogue = false splits a block into one element per line; join them back
            elements[-1] = ("dialogue", elements[-1][1] + "\n" + text)
        elif kind == "CHARACTER":
            extensions = "".join(f" {e}" for e in re.findall(r'"(\([^"]*\))"', extra))
            elements.append(("character", text + extensions, "(Dual)" in extra.split('"')[-1]))
        elif kind == "HEADING":
            number = re.search(r"\(([^)]*)\)$", extra)
            elements.append(("scene_heading", text, number[1] if number else None))
        elif kind == "SECTION":
            elements.append(("section", text, int(re.search(r"\((\d+)\)", extra)[1])))
        else:
            elements.append((WILDWINTER_TYPES[kind], text.strip()))
    return elements, notes, title


def wildwinter_actual(script: Screenplay) -> tuple[list[tuple], list[str], list[tuple[str, str]]]:
    """Our elements in screenplay-tools' terms: parenthetical text without its parentheses, no
    (CONT'D) extension (screenplay-tools drops it), only the second dual speaker flagged."""
    elements: list[tuple] = []
    for e in script.elements:
        if e.kind == "action":
            elements += [("action", line) for line in e.text.split("\n") if line.strip()]
        elif e.kind == "character":
            extensions = "".join(f" ({x})" for x in e.extensions if not CONTD.fullmatch(x))
            elements.append(("character", e.text + extensions, e.dual == "right"))
        elif e.kind == "scene_heading":
            elements.append(("scene_heading", e.text, e.scene_number))
        elif e.kind == "section":
            elements.append(("section", e.text, e.depth))
        elif e.kind == "parenthetical":
            elements.append(("parenthetical", e.text[1:-1].strip()))
        elif e.kind != "note":
            elements.append((e.kind, e.text))
    notes = sorted((n.line, n.text) for e in script.elements
                   for n in ((Note(e.text, e.line),) if e.kind == "note" else e.notes))
    return elements, [text for _, text in notes], [(f.key, f.value) for f in script.title_page]


def wildwinter_cases():
    if not WILDWINTER.is_dir():
        return [pytest.param(None, None, id="wildwinter", marks=NO_SHARED)]
    cases = []
    for dump in sorted(WILDWINTER.glob("*.txt")):
        source = WILDWINTER / (dump.stem.split("-")[0] + ".fountain")
        if not source.exists() or dump.stem in ("Formatted",):
            continue     # SimpleCallbackParser.txt logs a callback API; Formatted is per line below
        marks = ([pytest.mark.skip(reason=WILDWINTER_NOT_RUN[dump.stem])]
                 if dump.stem in WILDWINTER_NOT_RUN else [])
        cases.append(pytest.param(source, dump, id=dump.stem, marks=marks))
    return cases


@pytest.mark.parametrize("source, dump", wildwinter_cases())
def test_wildwinter(source, dump):
    """screenplay-tools: X.fountain -> X.txt (one element per line of the dump)."""
    text = dump.read_text(encoding="utf-8")
    case = dump.stem.split("-")[0]
    for old, new in WILDWINTER_SPEC.get(case, ("", []))[1]:
        assert old in text, f"the correction for {case} no longer applies"
        text = text.replace(old, new)
    assert wildwinter_actual(read_fountain(source)) == wildwinter_expected(text)


def formatted_cases():
    if not WILDWINTER.is_dir():
        return [pytest.param(None, None, id="Formatted", marks=NO_SHARED)]
    source = (WILDWINTER / "Formatted.fountain").read_text(encoding="utf-8").split("\n")
    styled = (WILDWINTER / "Formatted.txt").read_text(encoding="utf-8").split("\n")
    assert len(source) == len(styled)
    cases = []
    for n, (line, want) in enumerate(zip(source, styled), 1):
        if line.strip():
            marks = ([pytest.mark.xfail(reason=FORMATTED_SPEC[n], strict=True)] if n in FORMATTED_SPEC else [])
            cases.append(pytest.param(line, want, id=f"Formatted-line{n}", marks=marks))
    return cases


# Line -> why the spec disagrees (the test then fails, strictly, so a change is noticed).
FORMATTED_SPEC = {
    6: "the spec's own example nests italic inside underline (_Steel's face FILLS the *Leupold Mark 4* "
       "scope_); screenplay-tools leaves the inner *...* as text",
}


@pytest.mark.parametrize("line, styled", formatted_cases())
def test_wildwinter_formatted(line, styled):
    """FormatHelper output with its <b>/<i>/<u> tags removed is the plain text of the line."""
    assert plain_text(line) == re.sub(r"</?[biu]>", "", styled)


# -- nyousefi/Fountain (the reference parser) -----------------------------------------------------

NYOUSEFI_TYPES = {"scene_heading": "Scene Heading", "action": "Action", "centered": "Action",
                  "character": "Character", "dialogue": "Dialogue", "parenthetical": "Parenthetical",
                  "transition": "Transition", "page_break": "Page Break", "note": "Comment",
                  "lyrics": "Lyrics", "section": "Section Heading", "synopsis": "Synopsis"}
BONEYARD_ONLY = re.compile(r"^[ \t]*/\*.*?\*/[ \t]*$", re.MULTILINE | re.DOTALL)

# Row id -> why the spec disagrees (strict xfail: the row is run and must still disagree).
NYOUSEFI_SPEC = {
    "Transitions-testFadeToBlack-2": "the spec: a transition ends in 'TO:' ('FADE TO BLACK.' needs '>')",
    "Brick_And_Steel-testPreserveSpaces-27": "the spec: leading tabs and spaces are kept in action only; "
                                             "elsewhere (this is dialogue) they are ignored",
}
NYOUSEFI_NOT_RUN = {
    "FountainWriterTests.testSimpleReadWrite": "tests the reference writer; we have no writer",
    "FNScriptTests.testScriptDescription": "tests the reference writer; we have no writer "
                                           "(testElementDescription checks the same input parsed)",
}


def nyousefi_flat(script: Screenplay, source: str) -> list[tuple[str, Element | None]]:
    """The reference parser's flat list: our elements, plus a Boneyard element for each boneyard
    that stands on lines of its own (we remove boneyard; the reference parser keeps it)."""
    flat = [(e.line, 0, NYOUSEFI_TYPES[e.kind], e) for e in script.elements]
    for match in BONEYARD_ONLY.finditer(source):
        flat.append((source.count("\n", 0, match.start()) + 1, -1, "Boneyard", None))
    return [(kind, e) for _, _, kind, e in sorted(flat, key=lambda f: f[:2])]


def nyousefi_cases():
    if not NYOUSEFI.is_dir():
        return [pytest.param(None, id="nyousefi", marks=NO_SHARED)]
    with open(NYOUSEFI / "EXPECTATIONS.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    cases = []
    for row in rows:
        name = Path(row["fixture"]).stem.replace(" ", "_") if not row["fixture"].startswith("(") else "inline"
        case_id = f"{name}-{row['test'].split('.')[-1]}-{row['element_index']}"
        if any(c.id == case_id for c in cases):
            case_id += "-" + row["check"].split()[0]
        marks = []
        if case_id in NYOUSEFI_SPEC:
            marks = [pytest.mark.xfail(reason=NYOUSEFI_SPEC[case_id], strict=True)]
        elif row["test"] in NYOUSEFI_NOT_RUN:
            marks = [pytest.mark.skip(reason=NYOUSEFI_NOT_RUN[row["test"]])]
        cases.append(pytest.param(row, id=case_id, marks=marks))
    return cases


@pytest.mark.parametrize("row", nyousefi_cases())
def test_nyousefi(row):
    """One assertion of the reference parser's unit tests (EXPECTATIONS.tsv), on its fixture."""
    check, want = row["check"], row["expected"]
    if row["fixture"].startswith("(inline)"):
        return nyousefi_inline(row)
    path = NYOUSEFI / "FountainTests" / row["fixture"]
    script = read_fountain(path)
    if check == "titlePage.count ==":
        assert len(script.title_page) == int(want)
        return
    if check == "titlePage[0].title line count ==":
        assert script.title_page[0].key == "Title" and len(script.title_page[0].value.split("\n")) == int(want)
        return
    if check == "stringFromTitlePage ==":
        assert "".join(f"{f.key}: {f.value}\n" for f in script.title_page) == ast.literal_eval(want)
        return
    kind, element = nyousefi_flat(script, path.read_text(encoding="utf-8"))[int(row["element_index"])]
    if check == "type ==":
        assert kind == want
    elif check == "type !=":
        assert kind != want
    elif check == "text ==":
        # The reference keeps the space before a scene number ('INT. HOUSE - DAY #1#'); we strip it.
        expected = ast.literal_eval(want)
        assert element.text == (expected.rstrip() if element.kind == "scene_heading" else expected)
    elif check == "sceneNumber ==":
        assert element.scene_number == ast.literal_eval(want)
    elif check == "sectionDepth ==":
        assert element.kind == "section" and element.depth == int(want)
    elif check == "isCentered":
        assert element.kind == "centered"
    elif check == "isDualDialogue":
        assert element.dual in ("left", "right")
    else:
        raise AssertionError(f"unknown check {check!r}")


def quoted(text: str) -> str:
    """A '...' string as the TSV writes it: \\n and \\t escapes, quotes inside not escaped."""
    assert text[0] == text[-1] == "'"
    return text[1:-1].replace("\\n", "\n").replace("\\t", "\t")


def nyousefi_inline(row: dict) -> None:
    source = quoted(row["fixture"].removeprefix("(inline) "))
    if row["test"] == "FNScriptTests.testElementDescription":
        script = parse(source)
        described = [f"{NYOUSEFI_TYPES[e.kind]}{' (centered)' if e.kind == 'centered' else ''}: {e.text}"
                     for e in script.elements]
        assert described == ast.literal_eval(row["expected"])
    elif row["test"] in ("FNScriptTests.testTitlesWithoutColons", "FNScriptTests.testTitlesWithColons"):
        # The round trip's reading half: the indented lines are one multi-line Title value.
        lines = source.split("\n")
        script = parse(source)
        assert script.title_page == (TitleField("Title", "\n".join(l.strip() for l in lines[1:]), 1),)
        assert script.elements == ()
    else:
        raise AssertionError(f"unknown inline test {row['test']!r}")


# -- a transition with no blank line after it (tests/test_fountain.py has what the film makes of it) --

BELOW_A_TRANSITION = [("ANN\nHello?\n", [("character", "ANN", 6, ()), ("dialogue", "Hello?", 7, ())]),
                      ("ANN (V.O.)\nHello?\n", [("character", "ANN", 6, ("V.O.",)), ("dialogue", "Hello?", 7, ())]),
                      ("@McCLANE\nYippee.\n", [("character", "McCLANE", 6, ()), ("dialogue", "Yippee.", 7, ())]),
                      ("The beach at dawn.\n", [("action", "The beach at dawn.", 6, ())])]


@pytest.mark.parametrize("below, read", [b for b in BELOW_A_TRANSITION], ids=["cue", "cue-vo", "forced-cue", "action"])
@pytest.mark.parametrize("transition", TRANSITIONS_WRITTEN)
def test_a_transition_right_above_a_cue_or_action_is_a_transition_then_that(transition, below, read):
    """To the spec `CUT TO:` then `ANN` is a cue named "CUT TO:" whose dialogue is "ANN Hello?"."""
    script = parse(f"EXT. HALL - DAY\n\nA hall.\n\n{transition}\n{below}")
    closing = transition.lstrip("> ")
    kind = "transition" if transition.startswith(">") or closing.endswith("TO:") else "action"
    assert [(e.kind, e.text, e.line, e.extensions) for e in script.elements] == [
        ("scene_heading", "EXT. HALL - DAY", 1, ()), ("action", "A hall.", 3, ()), (kind, closing, 5, ()), *read]
    assert [(w.line, w.message) for w in script.warnings] == [
        (5, f"no blank line after the transition '{closing}'; read as a transition, and the line below it as the "
            "start of what follows")]


def test_an_action_line_above_a_transition_and_a_cue_below_it():
    script = parse("She leaves.\nCUT TO:\nANN\nHello?\n")
    assert [(e.kind, e.text, e.line) for e in script.elements] == [
        ("action", "She leaves.", 1), ("transition", "CUT TO:", 2), ("character", "ANN", 3), ("dialogue", "Hello?", 4)]
    assert [w.line for w in script.warnings] == [2]


@pytest.mark.parametrize("text", ["cut to:", "Cut To:", "SMASH cut to:", "dissolve  to:", "fade out.", "Iris out.",
                                  "fade to black.", "intercut with:", "back to:"])
def test_a_lower_case_transition_alone_is_a_transition_with_a_warning(text):
    script = parse(f"A.\n\n{text}\n\nB.\n")
    assert [(e.kind, e.text, e.line) for e in script.elements] == [("action", "A.", 1), ("transition", text, 3),
                                                                    ("action", "B.", 5)]
    assert [(w.line, w.message.split(";")[0]) for w in script.warnings] == [
        (3, f"'{text}' looks like a transition written in lower case, which the spec reads as action")]


@pytest.mark.parametrize("text", ["He turns to:", "Time passes.", "Cut the rope.", "Fade in:\nThe sun.",
                                  "cut to:\nThe sun.", "She cuts to:"])
def test_lower_case_text_that_is_not_a_transition_alone_stays_action(text):
    script = parse(f"A.\n\n{text}\n\nB.\n")
    assert kinds(script) == ["action"] * 3 and not script.warnings


def test_a_title_page_value_keeps_the_line_of_each_of_its_rows():
    script = parse("Title:\n    THE FERRY\n\n")
    assert script.title_page[0].rows == (2,)
    script = parse("Title: Ferry\nAuthor: Ann Lee,\n    Bo Ray [[a\nnote]]\n\tCy Loman\nSource: Story by Di\n\nA.\n")
    assert [(f.key, f.value, f.line, f.rows) for f in script.title_page] == [
        ("Title", "Ferry", 1, (1,)), ("Author", "Ann Lee,\nBo Ray\nCy Loman", 2, (2, 3, 5)),
        ("Source", "Story by Di", 6, (6,))]
