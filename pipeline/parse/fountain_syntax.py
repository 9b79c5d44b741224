"""Fountain screenplay syntax (https://fountain.io/syntax): text -> title page + elements, with lines.

Why our own parser: the Python Fountain parsers available either drop notes `[[...]]`, which this
project reads as directives, or leave boneyard `/* ... */` text inside the action around it, and
none of them keeps the source line of every element, which our `file:line: message` errors need.
This module knows nothing about films: it turns text into typed elements and nothing more.

It works in linear passes, so a 10 MB script costs about as much per byte as a short one:

1. line endings (LF, CRLF, CR, mixed) become LF; no line is ever added or removed after this, so
   the number of a line is its number in the file;
2. boneyard is cut out, keeping the line breaks it held (so lines it filled read as blank);
3. notes are cut out into a list; each leaves a placeholder (a Unicode noncharacter) where it
   began, so that a line holding only a note does not read as blank, and each of its inner line
   breaks leaves a continuation mark, so that those lines are joined back onto the note's first
   line before classifying (a note spanning lines never splits a paragraph);
4. one pass over the lines classifies them, looking ahead past note-only lines to the next line.

Where the spec leaves a choice, the rule chosen is written beside the code that applies it.
Where real scripts leave out a blank line the spec needs, and what the writer meant is plain
(`CUT TO:` right above `INT. KITCHEN - NIGHT`, a cue or an action line; an action line right
above `CUT TO:`), or write a transition in lower case alone on its line (`cut to:`), the text is
read as a reader would and a warning says so; where it is not plain (a heading-like line with
text right below it), the spec's reading stands, with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import transitions
from ..errors import Problem, StoryboardError

KINDS = ("scene_heading", "action", "character", "dialogue", "parenthetical", "lyrics",
         "transition", "centered", "note", "section", "synopsis", "page_break")


@dataclass(frozen=True)
class Note:
    """A `[[...]]` note: its text without the brackets (stripped) and the line where it starts."""

    text: str
    line: int


@dataclass(frozen=True)
class Element:
    """One screenplay element, starting at `line` (1-based) in the source file.

    `text` has the element's own markup removed (the leading `!`, `@`, `.`, `>`, `~`, `=`, `#`,
    a character's extensions and `^`, a heading's scene number), keeps emphasis markup as written,
    and has inline notes removed (they are in `notes`, in order). `forced` is True when one of
    the force marks `!` `@` `.` `>` made the element what it is.
    """

    kind: str
    text: str
    line: int
    forced: bool = False
    scene_number: str | None = None
    extensions: tuple[str, ...] = ()
    dual: str | None = None
    depth: int = 0
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class TitleField:
    """A `Key: value` of the title page; a multi-line value is its lines, stripped, joined by "\\n".
    `rows` is the line in the file of each of those lines (the key's own line when the value starts
    on it)."""

    key: str
    value: str
    line: int
    rows: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Screenplay:
    """A parsed Fountain file. `warnings` are things read in a way the writer may not expect."""

    file: str
    title_page: tuple[TitleField, ...]
    elements: tuple[Element, ...]
    warnings: tuple[Problem, ...]


# Noncharacters are reserved by Unicode for a program's internal use, so no real text holds them
# (input that does has them replaced, with a warning).
_NOTE = "\ufdd0"   # where a note was cut out
_MORE = "\ufdd1"   # starts a line that continues, after a line break inside a note, the line above
_INTERNAL = re.compile("[\ufdd0-\ufdd4]")

_PAGE_BREAK = re.compile(r"={3,}")
# INT, EXT, EST, INT./EXT, INT/EXT, I/E (and I./E, which the reference parser's tests accept),
# then a dot or a space; case-insensitive.
_HEADING = re.compile(r"(?:INT\.?/EXT|I\.?/E|INT|EXT|EST)[.\s]", re.IGNORECASE)
_SCENE_NUMBER = re.compile(r"#([A-Za-z0-9.\-]+)#$")
_CUE = re.compile(r"(?P<name>[^(^]*?)\s*(?P<ext>(?:\([^()]*\)\s*)*)(?P<dual>\^)?\s*")
_EXTENSION = re.compile(r"\(([^()]*)\)")
_LETTER = re.compile(r"[^\W\d_]")
_TITLE_KEY = re.compile(r"(?P<key>[^\W_][\w \-']*?)[ \t]*:(?P<value>.*)")
_TITLE_MORE = re.compile(r"(?: {3,}|\t)\s*\S")
# A closing line in capitals such as "FADE OUT.", "FADE TO BLACK." or "CUT TO BLACK.".
_CLOSING = re.compile(r"(?:FADE|CUT|SMASH|DISSOLVE|WIPE|IRIS|BURN|MATCH|JUMP|TIME)\b[^a-z]*[.:]")
# A transition written in lower or mixed case ("cut to:", "Dissolve to:", "fade out.", "iris in:"):
# the spec reads it as action; alone in its paragraph, it is read as the transition it names.
# The words are the transitions registry's (one-word ones aside: "Cut." is also a line of action).
_LOWER_TRANSITION = re.compile(
    r"(?=.*[a-z])(?i:(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(transitions.words(), key=len, reverse=True)
                                       if " " in w) + r")\s*[:.])")
# A line break inside a note may not be followed by a blank line, unless that line holds exactly
# two spaces (the spec's way to keep an element going across an empty-looking line).
_BLANK_IN_NOTE = re.compile(r"\n(?!  \n)[ \t]*\n")


def read_fountain(path: str | Path) -> Screenplay:
    """Read and parse a `.fountain` file: UTF-8 (a byte-order mark is dropped); a file that is not
    valid UTF-8 is read as Latin-1, with a warning naming the line of the first bad byte."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StoryboardError([Problem(str(path), 0, f"cannot read the script: {error.strerror or error}")])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    warnings: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as bad:
        text = data.decode("latin-1")
        before = data[:bad.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        warnings.append(Problem(str(path), before.count(b"\n") + 1,
                                f"not valid UTF-8 (byte 0x{data[bad.start]:02X} here); "
                                "read the file as Latin-1, save it as UTF-8 to silence this"))
    if problems := control_characters(text, str(path)):
        raise StoryboardError(problems)
    screenplay = parse_fountain(text, str(path))
    if warnings:
        screenplay = replace(screenplay, warnings=tuple(warnings) + screenplay.warnings)
    return screenplay


# Control characters other than tab, line breaks and form feed (an old page break) have no
# place in a screenplay: a NUL byte means a file that is not text at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
MOST_REPORTED = 20


def control_characters(text: str, file: str) -> list[Problem]:
    """A problem for each line (the first `MOST_REPORTED`) holding a control character."""
    problems: list[Problem] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    bad = [(n, found.group()) for n, line in enumerate(lines, 1) if (found := _CONTROL.search(line))]
    for n, char in bad[:MOST_REPORTED]:
        what = "a NUL byte: this is not a text file" if char == "\0" else f"a control character ({char!r})"
        problems.append(Problem(file, n, f"{what}; a screenplay is plain text"))
    if len(bad) > MOST_REPORTED:
        problems.append(Problem(file, bad[MOST_REPORTED][0], f"and {len(bad) - MOST_REPORTED} more lines "
                                                             "with control characters"))
    return problems


def parse_fountain(text: str, file: str = "<string>") -> Screenplay:
    """Parse Fountain text. Raises `StoryboardError` listing every unterminated boneyard and note,
    each as `file:line: message`; other oddities are returned as `warnings`."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if internal := _INTERNAL.search(text):
        warnings.append(Problem(file, _line_at(text, internal.start()),
                                "Unicode noncharacters U+FDD0..U+FDD4 replaced by U+FFFD"))
        text = _INTERNAL.sub("\ufffd", text)
    text = _cut_boneyard(text, file, problems)
    text, notes = _cut_notes(text, file, problems, warnings)
    if problems:
        raise StoryboardError(sorted(problems, key=lambda p: p.line))
    lines, numbers = _join_note_lines(text)
    parser = _Parser(file, lines, numbers, notes, warnings)
    title_page = parser.title_page()
    parser.body()
    return Screenplay(file, title_page, tuple(d.freeze() for d in parser.drafts), tuple(warnings))


_EMPHASIS = (
    re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*"),
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"\*(?=\S)(.+?)(?<=\S)\*"),
    # Not inside a word, so snake_case_names stay as written.
    re.compile(r"(?<![^\W_])_(?=\S)(.+?)(?<=\S)_(?![^\W_])"),
)
_ESCAPES = {"\\*": "\ufdd2", "\\_": "\ufdd3", "\\\\": "\ufdd4"}


def plain_text(text: str) -> str:
    """`text` with emphasis markup removed (`***bold italic***`, `**bold**`, `*italic*`,
    `_underline_`, nested or not) and escapes resolved (`\\*` -> `*`). Emphasis never spans a line
    break, and a marker only opens before, and closes after, a non-space character."""
    if "*" not in text and "_" not in text and "\\" not in text:
        return text
    if "\\" in text:
        for escape, mark in _ESCAPES.items():
            text = text.replace(escape, mark)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    for escape, mark in _ESCAPES.items():
        text = text.replace(mark, escape[1])
    return text


# -- passes over the whole text -------------------------------------------------------------------

def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _cut_boneyard(text: str, file: str, problems: list[Problem]) -> str:
    """Remove every `/* ... */` (it may start and end mid-line), keeping its line breaks.

    A line left empty is then a blank line like any other. The spec's own boneyard example needs
    that: it hides a whole scene between `CUT TO:` and the next scene heading, and both must stay
    what they are, which needs blank lines around them. (Jouvence instead drops such lines, so
    two action lines around a boneyard stay one paragraph there; here they are two.)"""
    if "/*" not in text:
        return text
    parts: list[str] = []
    done = 0
    while (start := text.find("/*", done)) >= 0:
        end = text.find("*/", start + 2)
        parts.append(text[done:start])
        if end < 0:
            problems.append(Problem(file, _line_at(text, start),
                                    "unterminated boneyard: '/*' opened here has no '*/'"))
            # Everything after an unclosed '/*' is boneyard: read nothing more from it.
            parts.append("\n" * text.count("\n", start))
            return "".join(parts)
        parts.append("\n" * text.count("\n", start, end))
        done = end + 2
    parts.append(text[done:])
    return "".join(parts)


def _cut_notes(text: str, file: str, problems: list[Problem],
               warnings: list[Problem]) -> tuple[str, list[Note]]:
    """Cut out every `[[ ... ]]`, leaving placeholders; return the text and the notes in order."""
    if "[[" not in text:
        return text, []
    parts: list[str] = []
    notes: list[Note] = []
    done = search = 0
    line, counted = 1, 0
    # The next ']]' and the next blank line are cached: while the next '[[' is still before them
    # they are the same for it too, which keeps a file full of stray '[[' linear.
    close = blank = -1
    while (start := text.find("[[", search)) >= 0:
        line += text.count("\n", counted, start)
        counted = start
        if close < start + 2:
            close = text.find("]]", start + 2)
        if close < 0:
            message = "unterminated note: '[[' opened here has no ']]'"
            problems.append(Problem(file, line, message))
            while (start := text.find("[[", start + 2)) >= 0:
                line += text.count("\n", counted, start)
                counted = start
                problems.append(Problem(file, line, message))
            break
        if blank < start:
            found = _BLANK_IN_NOTE.search(text, start)
            blank = found.start() if found else len(text)
        if blank < close:
            # The spec: a note may not contain an empty line (one holding two spaces is fine).
            # Lenient reading: not an error, the brackets stay in the text as written.
            warnings.append(Problem(file, line, "'[[' here is only closed after a blank line, so it "
                                                "is not a note (put two spaces on that line to keep a "
                                                "note going); kept as text"))
            search = start + 2
            continue
        body = text[start + 2:close]
        notes.append(Note(body.strip(), line))
        parts.append(text[done:start])
        parts.append(_NOTE + ("\n" + _MORE) * body.count("\n"))
        done = search = close + 2
    parts.append(text[done:])
    return "".join(parts), notes


def _join_note_lines(text: str) -> tuple[list[str], list[int]]:
    """Split into lines, joining each line that continues a multi-line note onto the line above."""
    raw = text.split("\n")
    if _MORE not in text:
        return raw, list(range(1, len(raw) + 1))
    lines: list[str] = []
    numbers: list[int] = []
    pieces: list[str] = []
    for number, line in enumerate(raw, 1):
        if line.startswith(_MORE) and pieces:
            pieces.append(line[1:])
            continue
        if pieces:
            lines.append("".join(pieces))
        pieces = [line]
        numbers.append(number)
    lines.append("".join(pieces))
    return lines, numbers


# -- the line-by-line pass ------------------------------------------------------------------------

@dataclass
class _Draft:
    """An element being built: lines are joined once, when it is frozen."""

    kind: str
    line: int
    lines: list[str]
    forced: bool = False
    scene_number: str | None = None
    extensions: tuple[str, ...] = ()
    dual: str | None = None
    depth: int = 0
    notes: list[Note] = field(default_factory=list)

    def freeze(self) -> Element:
        lines = self.lines
        if self.kind == "dialogue":
            while len(lines) > 1 and not lines[-1]:   # a trailing two-space line adds nothing
                lines = lines[:-1]
        return Element(self.kind, "\n".join(lines), self.line, self.forced, self.scene_number,
                       self.extensions, self.dual, self.depth, tuple(self.notes))


class _Parser:
    """Classifies lines; `drafts` collects the elements in order."""

    def __init__(self, file: str, lines: list[str], numbers: list[int], notes: list[Note],
                 warnings: list[Problem]):
        self.file = file
        self.lines = lines
        self.numbers = numbers
        self.notes = notes
        self.taken = 0              # notes before this index are placed
        self.warnings = warnings
        self.drafts: list[_Draft] = []
        self.start = 0              # index of the first line after the title page

    def take_notes(self, line: str) -> list[Note]:
        count = line.count(_NOTE)
        taken = self.notes[self.taken:self.taken + count]
        self.taken += count
        return taken

    def note_elements(self, notes: list[Note]) -> None:
        self.drafts.extend(_Draft("note", n.line, [n.text]) for n in notes)

    # -- title page -------------------------------------------------------------------------------
    def title_page(self) -> tuple[TitleField, ...]:
        """`Key: value` lines at the very top, values continued on lines indented by three spaces
        or a tab; it ends at the first blank line, or at the first line that is neither (which
        then starts the script). A first `Key:` with nothing after it and no indented line below
        (`CUT TO:` then a blank line) is not a title page."""
        lines = self.lines
        if not lines:
            return ()
        first = _TITLE_KEY.fullmatch(lines[0].replace(_NOTE, ""))
        if not first or not (first["value"].strip()
                             or (len(lines) > 1 and _TITLE_MORE.match(lines[1].replace(_NOTE, "")))):
            return ()
        fields: list[tuple[str, int, list[str], list[int]]] = []
        notes: list[Note] = []
        index = 0
        while index < len(lines):
            raw = lines[index]
            visible = raw.replace(_NOTE, "") if _NOTE in raw else raw
            if not visible.strip() and _NOTE not in raw:
                index += 1          # the blank line that ends the title page
                break
            more = _TITLE_MORE.match(visible) if fields else None
            key = None if more else _TITLE_KEY.fullmatch(visible)
            if not (more or key):
                break
            notes.extend(self.take_notes(raw))
            if key:
                fields.append((key["key"], self.numbers[index], [key["value"].strip()], [self.numbers[index]]))
            else:
                fields[-1][2].append(visible.strip())
                fields[-1][3].append(self.numbers[index])
            index += 1
        self.start = index
        self.note_elements(notes)
        return tuple(TitleField(key, "\n".join(v for v in values if v), line,
                                tuple(at for v, at in zip(values, rows) if v))
                     for key, line, values, rows in fields)

    # -- body -------------------------------------------------------------------------------------
    def is_blank(self, index: int) -> bool:
        """Whether the next line that is not only notes, from `index` on, is blank (or the end)."""
        lines = self.lines
        while index < len(lines):
            line = lines[index]
            if _NOTE not in line:
                return not line.strip()
            if line.replace(_NOTE, "").strip():
                return False
            index += 1
        return True

    def body(self) -> None:
        lines, numbers, drafts = self.lines, self.numbers, self.drafts
        after_blank = True      # the line before (not counting note-only lines) is blank
        after_transition = False  # the line before is a transition with a heading right below it
        open_kind = None        # "action", "lyrics" or "dialogue": what the next line may continue
        side = None             # "left"/"right" while in a dual dialogue block
        for index in range(self.start, len(lines)):
            raw = lines[index]
            number = numbers[index]
            if _NOTE in raw:
                notes = self.take_notes(raw)
                visible = raw.replace(_NOTE, "")
                if not visible.strip():
                    # A line of notes only: a paragraph of its own when it starts one (each note
                    # an element), else it belongs to the element in progress. Either way it is
                    # transparent: a note above a heading or a cue does not stop it being one.
                    if after_blank or not drafts:
                        self.note_elements(notes)
                    else:
                        drafts[-1].notes.extend(notes)
                    continue
            else:
                notes = []
                visible = raw
            text = visible.strip()
            if not text:
                if raw == "  " and open_kind == "dialogue":
                    if drafts[-1].kind == "dialogue":
                        drafts[-1].lines.append("")     # the spec's two-space empty dialogue line
                    continue
                after_blank, open_kind, side, after_transition = True, None, None, False
                continue

            draft: _Draft | None = None
            ends_paragraph = False
            if open_kind == "dialogue":
                last = drafts[-1]
                if text[0] == "(" and text[-1] == ")":
                    draft = _Draft("parenthetical", number, [text], dual=side)
                elif text[0] == "~":
                    if last.kind == "lyrics":
                        last.lines.append(text[1:].strip())
                        last.notes.extend(notes)
                    else:
                        draft = _Draft("lyrics", number, [text[1:].strip()], dual=side)
                elif last.kind == "dialogue":
                    last.lines.append(text)
                    last.notes.extend(notes)
                else:
                    draft = _Draft("dialogue", number, [text], dual=side)
                if draft:
                    draft.notes.extend(notes)
                    drafts.append(draft)
                after_blank = False
                continue

            first = text[0]
            kind = open_kind
            open_kind = None
            if first == "=" and _PAGE_BREAK.fullmatch(text):
                draft = _Draft("page_break", number, [""])
            elif first == "#":
                body = text.lstrip("#")
                draft = _Draft("section", number, [body.strip()], depth=len(text) - len(body))
            elif first == "=":
                draft = _Draft("synopsis", number, [text[1:].strip()])
            elif first == ">":
                if text[-1] == "<" and len(text) > 1:
                    draft = _Draft("centered", number, [text[1:-1].strip()])
                else:
                    draft = _Draft("transition", number, [text[1:].strip()], forced=True)
                    if not self.is_blank(index + 1):
                        self.warn(number, f"no blank line after the transition '{text[1:].strip()}'; read as "
                                          "a transition, and the line below it as the start of what follows")
            elif first == "~":
                if kind == "lyrics":
                    drafts[-1].lines.append(text[1:].strip())
                    drafts[-1].notes.extend(notes)
                else:
                    draft = _Draft("lyrics", number, [text[1:].strip()])
                open_kind = "lyrics"
            elif first == "!":
                cut = visible.index("!")
                line = visible[:cut] + visible[cut + 1:]
                if kind == "action":
                    drafts[-1].lines.append(line)
                    drafts[-1].notes.extend(notes)
                else:
                    draft = _Draft("action", number, [line], forced=True)
                open_kind = "action"
            # A heading or a cue always follows a blank line, even when forced: this keeps a
            # wrapped line such as ".38 pistol at him." or "@home" inside its paragraph.
            elif after_blank and first == "." and len(text) > 1 and text[1].isalnum():
                draft = self.heading(text[1:], number, forced=True)
            elif after_blank and first == "@" and (cue := self.cue(text[1:], number, forced=True)):
                draft = cue
            elif after_blank and self.is_blank(index + 1) and _HEADING.match(text):
                draft = self.heading(text, number, forced=False)
            elif after_blank and self.is_transition(visible) and self.is_blank(index + 1):
                draft = _Draft("transition", number, [text])
            # Writers often leave out the blank line between a transition and the next heading:
            # to the spec that is a character cue and its dialogue, but what any reader sees is a
            # transition and a new scene. Read so, with a warning. Only a heading in capitals
            # counts, so that a cue's dialogue that merely starts "Int." stays dialogue.
            elif after_blank and self.heading_at(index + 1) and (self.is_transition(visible)
                                                                  or _CLOSING.fullmatch(text)):
                # "FADE OUT." is action to the spec (a transition ends in "TO:"); here it closes
                # its paragraph all the same, so that the heading below it is one.
                draft = _Draft("transition" if self.is_transition(visible) else "action", number, [text])
                ends_paragraph = True
                self.warn(number, f"no blank line between '{text}' and the scene heading below it; "
                                  "read as a transition, then the heading")
            # The same with anything else right below: to the spec `CUT TO:` then `ANN` is a cue
            # named "CUT TO:" (and `CUT TO:` then an action line a cue and its dialogue), but a
            # reader sees a transition, then the cue or the action. Read so, with a warning.
            elif (after_blank and not self.is_blank(index + 1)
                  and (self.is_transition(visible) or _CLOSING.fullmatch(text))):
                draft = _Draft("transition" if self.is_transition(visible) else "action", number, [text])
                ends_paragraph = True
                self.warn(number, f"no blank line after the transition '{text}'; read as a transition, "
                                  "and the line below it as the start of what follows")
            elif after_blank and self.is_blank(index + 1) and _LOWER_TRANSITION.fullmatch(text):
                # The spec needs a transition in capitals; `cut to:` alone is one all the same to
                # anyone reading the script, so it is read as one (a cut, or what it names).
                draft = _Draft("transition", number, [text])
                self.warn(number, f"'{text}' looks like a transition written in lower case, which the spec "
                                  f"reads as action; read as a transition (write it in capitals: "
                                  f"'{' '.join(text.upper().split())}')")
            elif after_transition and self.heading_at(index):
                draft = self.heading(text, number, forced=False)
                self.warn(number, f"no blank line after the scene heading '{text}'; read as a heading, "
                                  "and the line below it as the scene's first")
            elif (after_blank and not self.is_blank(index + 1) and not _HEADING.match(text)
                  and (cue := self.cue(text, number, forced=False))):
                draft = cue
            elif kind == "action" and self.is_transition(visible):
                draft = _Draft("transition", number, [text])
                if self.is_blank(index + 1) or self.heading_at(index + 1):
                    self.warn(number, f"no blank line between the action above and '{text}'; read as a transition")
                else:
                    self.warn(number, f"no blank line between the action above and '{text}', nor after it; read "
                                      "as a transition, and the line below it as the start of what follows")
            elif kind == "action":
                drafts[-1].lines.append(visible)
                drafts[-1].notes.extend(notes)
                open_kind = "action"
            else:
                draft = _Draft("action", number, [visible])
                open_kind = "action"

            if draft:
                draft.notes.extend(notes)
                drafts.append(draft)
                if draft.kind == "character":
                    open_kind = "dialogue"
                    side = draft.dual
            # A transition read with no blank line below it (before a heading) ends its paragraph,
            # and so does the heading it leads to.
            after_transition = ends_paragraph or (
                draft is not None and draft.kind == "transition" and not self.is_blank(index + 1))
            after_blank = after_transition or (
                draft is not None and draft.kind == "scene_heading" and after_blank and not draft.forced)
            if (draft is not None and draft.kind == "action" and not draft.forced and _HEADING.match(text)
                    and self.heading_at(index)):
                self.warn(number, f"'{text}' looks like a scene heading, but the spec needs a blank line "
                                  "after one; read as action (add the blank line to make it a heading)")

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.file, line, message))

    def heading_at(self, index: int) -> bool:
        """Whether the next line that is not only notes, from `index` on, is a scene heading: a
        forced `.HEADING`, or `INT.`/`EXT.`/`EST.`/`INT./EXT.`/`I/E` in capitals."""
        lines = self.lines
        while index < len(lines) and _NOTE in lines[index] and not lines[index].replace(_NOTE, "").strip():
            index += 1
        if index >= len(lines):
            return False
        text = lines[index].replace(_NOTE, "").strip()
        if len(text) > 1 and text[0] == "." and text[1].isalnum():
            return True
        return text == text.upper() and bool(_HEADING.match(text)) and bool(_LETTER.search(text[4:]))

    @staticmethod
    def heading(text: str, number: int, forced: bool) -> _Draft:
        text = text.strip()
        scene = _SCENE_NUMBER.search(text)
        if scene:
            text = text[:scene.start()].rstrip()
        return _Draft("scene_heading", number, [text], forced=forced,
                      scene_number=scene[1] if scene else None)

    @staticmethod
    def is_transition(visible: str) -> bool:
        """Uppercase and ending in `TO:` exactly: trailing spaces make it action (as the spec's
        own examples and the reference parser have it)."""
        text = visible.lstrip()
        return text.endswith("TO:") and text == text.upper()

    def cue(self, text: str, number: int, forced: bool) -> _Draft | None:
        """A character cue: NAME, then extensions in parentheses (any case), then `^` for the
        second speaker of dual dialogue. Unless forced with `@`, the name has no lowercase letter
        and the cue at least one letter (`R2D2` and `23 (O.S.)` are cues, `23` is not)."""
        match = _CUE.fullmatch(text.strip())
        if not match or not match["name"]:
            return None
        name = match["name"]
        if not forced and (name != name.upper() or not _LETTER.search(text)):
            return None
        draft = _Draft("character", number, [name], forced=forced,
                       extensions=tuple(e.strip() for e in _EXTENSION.findall(match["ext"])))
        if match["dual"]:
            self.pair_dual(draft)
        return draft

    def pair_dual(self, second: _Draft) -> None:
        """Mark `second` and the dialogue block before it (character, dialogue, parentheticals,
        lyrics) as the two sides of a dual dialogue."""
        drafts = self.drafts
        index = len(drafts) - 1
        while index >= 0 and drafts[index].kind in ("dialogue", "parenthetical", "lyrics", "note"):
            index -= 1
        if index < 0 or drafts[index].kind != "character" or drafts[index].dual is not None:
            self.warnings.append(Problem(self.file, second.line,
                                         "'^' marks dual dialogue, but no dialogue comes just before "
                                         "it to pair with; read as ordinary dialogue"))
            return
        for draft in drafts[index:]:
            if draft.kind != "note":
                draft.dual = "left"
        second.dual = "right"
