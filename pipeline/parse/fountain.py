"""Read a Fountain screenplay (and its `film.yaml` sidecar) into the same `Storyboard` as YAML.

The syntax is `fountain_syntax`'s job; this module maps screenplay elements onto a film:

- a scene heading starts a scene (its INT/EXT and time of day feed the prompt and palette);
- each action paragraph is a shot whose prompt is its text (emphasis markup removed);
- a scene heading with nothing of its own to film (a slug line alone) is an establishing shot;
- dialogue belongs to the shot of the action before it (a scene that opens on dialogue, or
  dialogue after a transition, gets a shot of its own); `NARRATOR` speaks the shot's narration;
  a line marked heard-only (`(V.O.)`, `(O. S.)`, `(PRE-LAP)`, `(FILTERED)`, `REGGIE'S VOICE`,
  see `HEARD_ONLY`) is heard but does not put the character in the picture; `EDWARD AND WILL`
  is both of them speaking at once when both are characters, one voice otherwise;
- a transition (`CUT TO:`, `DISSOLVE TO:`, `FADE OUT.`) is the transition out of the shot
  before it; centered text is a title card (lines of one paragraph make one card); the title
  page gives the title (its line breaks kept) and credits; sections become chapters; synopses,
  page breaks and boneyard are left out;
- `[[key: value]]` notes are shot directives (`duration`, `camera`, `id`, ...), inside an
  action paragraph, or on lines of their own just before it.

Directive values are read by the YAML reader's own shot code (`yaml._shot`), so a screenplay's
`[[duration: soon]]` gets the same message as a storyboard's `duration: soon`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable

import yaml as pyyaml

from .. import transitions
from ..errors import Problem, StoryboardError, did_you_mean
from ..names import display_name
from ..spec import (
    Character, Heading, Line, Loc, Scene, Shot, Storyboard, Version, parse_heading, slug,
)
from .fountain_syntax import Element, Note, Screenplay, plain_text, read_fountain
from .yaml import SIDECAR_KEYS, Ids, Node, Settings, _Reader, _shot, _unique, finish, read_settings

SIDECAR = "film.yaml"

#: Shot keys a note may set. Prompt, lines and narration come from the screenplay itself.
DIRECTIVES = ("id", "duration", "camera", "image", "footage", "continuity", "seed", "transition",
              "fit", "cast", "generator", "sfx", "sound", "title", "first_frame", "takes", "take",
              "background", "when")

NARRATOR = "NARRATOR"
#: Character extensions that mean the speaker is heard, not seen, compared by their letters only
#: (so `V.O.`, `V. O.`, `v.o.`, `VO` and `V/O` are one). `(INTO PHONE)` is seen speaking;
#: `(ON PHONE)`, `(FILTERED)`, `(ON TV)` are a voice through a device, not a person in the room.
HEARD_ONLY = frozenset({
    "VO", "OS", "OC", "OFF", "OFFSCREEN", "OFFCAMERA", "VOICEOVER", "VOICE", "PRELAP", "FILTERED",
    "ONPHONE", "OVERPHONE", "ONTHEPHONE", "PHONE", "ONRADIO", "OVERRADIO", "ONTHERADIO", "RADIO",
    "ONTV", "ONTHETV", "ONSPEAKER", "OVERSPEAKER", "ONINTERCOM", "OVERINTERCOM", "INTERCOM", "OVERPA",
    "ONTAPE", "RECORDING", "ONRECORDING",
})
#: `REGGIE'S VOICE`: Reggie, heard and not seen (a straight or a curly apostrophe).
_VOICE_OF = re.compile(r"(?P<name>.+?)\s*['\u2019]S\s+VOICE")
#: `EDWARD AND WILL`, `BRICK & STEEL`, `ANN, BOB AND CY`: several people speaking one line.
_TOGETHER = re.compile(r"\s*,\s*(?:AND\s+|&\s*)?|\s+AND\s+|\s*&\s*")

#: Screenplay transitions (without their final `:` or `.`) and the film's transition for each:
#: each transition's words in the registry (`pipeline/transitions.py`).
TRANSITIONS = transitions.words()
#: Lines that open a script; they are not shots.
OPENINGS = ("FADE IN", "FADE IN FROM BLACK", "OPEN ON", "COLD OPEN")


_DIRECTIVE = re.compile(r"^\s*(?P<key>[a-z][a-z_]*)\s*:\s*(?P<value>.*?)\s*$", re.DOTALL)
_PAREN = re.compile(r"^\(\s*(.*?)\s*\)$", re.DOTALL)


def character_name(text: str) -> str:
    """A speaker's name as the cast knows it: `MARCUS (CONT'D)` and `Marcus` are `MARCUS`."""
    return " ".join(plain_text(text).split()).upper()


def heard_only(extensions: tuple[str, ...]) -> bool:
    """Whether a cue's extensions (`("V. O.",)`, `("CONT'D", "O.S.")`, `("V.O.; CONT'D",)`) say
    the speaker is heard and not seen."""
    for extension in extensions:
        for part in (extension, *re.split(r"[;,]", extension)):
            if re.sub(r"[^A-Z]", "", part.upper()) in HEARD_ONLY:
                return True
    return False


def find_sidecar(script: Path, config: Path | None = None) -> Path | None:
    """The sidecar named with `--config`, or `film.yaml` beside the script, or None."""
    if config is not None:
        return config
    beside = script.parent / SIDECAR
    return beside if beside.is_file() else None


@dataclass
class _ShotDraft:
    """A shot being gathered from elements, before it is checked and frozen."""

    line: int
    prompt: str = ""
    title: str = ""
    narration: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    off_screen: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)       # speakers with a line not marked heard-only
    notes: list[Note] = field(default_factory=list)
    transition: tuple[str, int] | None = None      # (name, line) from a transition element
    metadata: dict[str, str] = field(default_factory=dict)
    establishing: bool = False                     # a slug line's shot of its location


@dataclass
class _SceneDraft:
    heading: Heading
    line: int
    metadata: dict[str, str] = field(default_factory=dict)
    shots: list[_ShotDraft] = field(default_factory=list)


class _Mapper:
    """Walks the elements once, gathering scenes and shots; problems are collected."""

    def __init__(self, play: Screenplay, r: _Reader, described: frozenset[str] = frozenset()):
        self.play = play
        self.r = r
        self.scenes: list[_SceneDraft] = []
        self.speakers: dict[str, int] = {}             # name → line first heard
        self.written: dict[str, str] = {}              # name → as a forced cue wrote it (`McCLANE`)
        # Everyone with a cue of their own, or in the sidecar's cast: who `REGGIE'S VOICE` and
        # `EDWARD AND WILL` can be.
        self.known = described | {character_name(e.text) for e in play.elements if e.kind == "character"}
        self.warnings: list[Problem] = list(play.warnings)
        self._pending_notes: list[Note] = []
        self._pending_meta: dict[str, str] = {}
        self._speaker: str | None = None
        self._together: tuple[str, ...] = ()          # everyone speaking the cue's lines
        self._cut = False                               # a transition since the last shot began
        self._centered_line = 0                         # line of the last centered text read
        self._speaker_off = False
        self._speaker_dual = False
        self._parenthetical = ""
        self._centered: _ShotDraft | None = None

    # -- where things go ----------------------------------------------------------------------
    @property
    def scene(self) -> _SceneDraft:
        if not self.scenes:
            self.scenes.append(_SceneDraft(Heading(), 1))
        return self.scenes[-1]

    @property
    def last_shot(self) -> _ShotDraft | None:
        for scene in reversed(self.scenes):
            if scene.shots:
                return scene.shots[-1]
        return None

    def new_shot(self, line: int, **fields) -> _ShotDraft:
        shot = _ShotDraft(line=line, **fields)
        shot.notes, self._pending_notes = self._pending_notes, []
        shot.metadata.update(self._pending_meta)
        self._pending_meta = {}
        self.scene.shots.append(shot)
        self._speaker = None
        self._centered = None
        self._cut = False
        return shot

    def current_shot(self, line: int) -> _ShotDraft:
        """The shot dialogue belongs to: the scene's latest, or a new one if it has none, or if
        a card or a transition came after it (what follows a cut is a new shot)."""
        scene = self.scene
        if scene.shots and self._centered is None and not self._cut:
            return scene.shots[-1]
        speaker, together = self._speaker, self._together
        shot = self.new_shot(line)
        self._speaker, self._together = speaker, together
        return shot

    def establish(self) -> None:
        """A scene heading with nothing of its own to film yet is an establishing shot of its
        location (the shortest shot the pacing allows, unless a directive says otherwise)."""
        if self.scenes and not self.scene.shots and self.scene.heading.text:
            self.new_shot(self.scene.line, prompt="Establishing shot", establishing=True)

    def end_scene(self) -> None:
        """Notes left at a scene's end belong to its last shot."""
        self.establish()
        if self._pending_notes:
            target = self.scene.shots[-1] if self.scenes and self.scene.shots else None
            if target is None:
                for note in self._pending_notes:
                    if _directives_in(note):
                        self.warnings.append(Problem(self.play.file, note.line,
                                                     "this note's directives have no shot to apply to"))
            else:
                target.notes.extend(self._pending_notes)
            self._pending_notes = []

    # -- the walk -----------------------------------------------------------------------------
    def run(self) -> None:
        for element in self.play.elements:
            getattr(self, f"on_{element.kind}")(element)
        self.end_scene()

    def on_scene_heading(self, element: Element) -> None:
        if self.scenes:
            self.end_scene()
        heading = parse_heading(plain_text(element.text))
        scene = _SceneDraft(heading, element.line)
        if element.scene_number:
            scene.metadata["scene_number"] = element.scene_number
        scene.metadata.update(self._pending_meta)
        self._pending_meta = {}
        self.scenes.append(scene)
        self._speaker = None
        self._centered = None
        self._cut = False
        self._pending_notes.extend(element.notes)

    def on_action(self, element: Element) -> None:
        text = " ".join(plain_text(element.text).split())
        if not text:
            self._pending_notes.extend(element.notes)
            return
        key = _transition_key(text)
        if key in OPENINGS:
            return
        if key in TRANSITIONS and text.upper() == text:
            # An unforced "FADE OUT." is action to the spec, but no one wants a shot of it.
            self.on_transition(replace(element, text=text))
            return
        shot = self.new_shot(element.line, prompt=text)
        shot.notes.extend(element.notes)

    def on_character(self, element: Element) -> None:
        name = character_name(element.text)
        off = heard_only(element.extensions)
        voice = _VOICE_OF.fullmatch(name)
        if voice:
            off = True      # a voice is heard, not seen; whose it is when it names a character
            if voice["name"] in self.known:
                name = voice["name"]
        together = (name,)
        parts = [p for p in _TOGETHER.split(name) if p]
        if len(parts) > 1 and name not in self.speakers:
            if all(p in self.known for p in parts):
                together = tuple(dict.fromkeys(parts))
            elif any(p in self.known for p in parts):
                strangers = ", ".join(p for p in parts if p not in self.known)
                self.warnings.append(Problem(self.play.file, element.line,
                                             f"'{name}' is read as one voice: {strangers} never speaks alone "
                                             "(give each a cue of their own, or a cast entry, to have them speak together)"))
        written = " ".join(plain_text(element.text).split())
        if element.forced and written != written.upper() and len(together) == 1 and not voice:
            self.written.setdefault(name, written)
        self.current_shot(element.line).notes.extend(element.notes)
        self._speaker = together[0]
        self._together = together
        self._speaker_off = off
        self._speaker_dual = element.dual == "right"
        self._parenthetical = ""
        for speaker in together:
            if speaker != NARRATOR:
                self.speakers.setdefault(speaker, element.line)

    def on_parenthetical(self, element: Element) -> None:
        found = _PAREN.match(element.text.strip())
        self._parenthetical = " ".join((found[1] if found else element.text).split())

    def on_dialogue(self, element: Element) -> None:
        text = " ".join(plain_text(element.text).split())
        if self._speaker is None:
            # Dialogue with no speaker (after a page break, say) is read as action.
            self.on_action(element)
            return
        shot = self.current_shot(element.line)
        shot.notes.extend(element.notes)
        if self._speaker == NARRATOR:
            shot.narration.append(text)
        else:
            for n, speaker in enumerate(self._together):
                # Speakers of one cue say the line together: each after the first is dual.
                shot.lines.append(Line(character=speaker, text=text, parenthetical=self._parenthetical,
                                       dual=self._speaker_dual or n > 0, loc=Loc(self.play.file, element.line)))
                (shot.off_screen if self._speaker_off else shot.seen).add(speaker)
            # A second speech by the same speaker after a parenthetical is not dual again.
            self._speaker_dual = False
        self._parenthetical = ""

    def on_lyrics(self, element: Element) -> None:
        if self._speaker is not None:
            self.on_dialogue(element)
        else:
            shot = self.current_shot(element.line)
            shot.narration.append(" ".join(plain_text(element.text).split()))

    def on_transition(self, element: Element) -> None:
        self._speaker = None
        key = _transition_key(plain_text(element.text))
        if key in OPENINGS:
            return
        name = TRANSITIONS.get(key)
        if name is None:
            name = "cut"
            self.warnings.append(Problem(self.play.file, element.line,
                                         f"transition '{element.text.strip()}' is played as a cut"))
        self.establish()
        shot = self.last_shot
        if shot is not None:
            shot.transition = (name, element.line)
        self._centered = None
        self._cut = True

    def on_centered(self, element: Element) -> None:
        text = plain_text(element.text).strip()
        follows = element.line == self._centered_line + 1
        self._centered_line = element.line
        if (follows and self._centered is not None and self.scene.shots
                and self.scene.shots[-1] is self._centered):
            self._centered.title += "\n" + text      # the lines of one centered paragraph make one card
            return
        card = self.new_shot(element.line, title=text)
        card.notes.extend(element.notes)
        self._centered = card

    def on_note(self, element: Element) -> None:
        self._pending_notes.extend(element.notes or (Note(element.text, element.line),))

    def on_section(self, element: Element) -> None:
        self._pending_meta["chapter"] = plain_text(element.text).strip()

    def on_synopsis(self, element: Element) -> None:
        self._pending_meta["synopsis"] = plain_text(element.text).strip()

    def on_page_break(self, element: Element) -> None:
        self._speaker = None
        self._centered = None


def _transition_key(text: str) -> str:
    return re.sub(r"[\s.:!]+$", "", " ".join(text.upper().split()))


def _directives_in(note: Note) -> list[tuple[str, str, int]]:
    """(key, value, line) of each `key: value` in a directive note (parts split by `;` or lines);
    a note whose first part is not `key: value` (lower-case key) is a plain note: []."""
    parts: list[tuple[str, int]] = []
    line = note.line
    for row in note.text.split("\n"):
        for part in row.split(";"):
            if part.strip():
                parts.append((part, line))
        line += 1
    if not parts or not _DIRECTIVE.match(parts[0][0]):
        return []
    out = []
    for part, at in parts:
        found = _DIRECTIVE.match(part)
        out.append((found["key"], found["value"], at) if found else ("", part.strip(), at))
    return out


def _value_node(r: _Reader, text: str, line: int) -> Node:
    """A directive's value typed as YAML would type it (`4` a number, `{file: a.mp4}` a mapping)."""
    try:
        composed = pyyaml.compose(text, Loader=pyyaml.SafeLoader) if text else None
    except pyyaml.YAMLError:
        return Node(text, line)
    if composed is None:
        return Node(None, line)
    known = len(r.problems)
    node = r.convert(composed)
    # What the reader found in the value is at the directive's line, not the value's own first.
    r.problems[known:] = [replace(p, line=p.line + line - 1) for p in r.problems[known:]]
    _move(node, line - 1)
    return node


def _move(node: Node, by: int) -> None:
    node.line += by
    if isinstance(node.value, dict):
        for key, value in node.value.values():
            _move(key, by)
            _move(value, by)
    elif isinstance(node.value, list):
        for item in node.value:
            _move(item, by)


def _shot_node(r: _Reader, draft: _ShotDraft, warnings: list[Problem]) -> Node:
    """The shot as the YAML reader's Node tree: its text plus its directives."""
    items: dict[str, tuple[Node, Node]] = {}

    def put(key: str, value: Node, line: int) -> None:
        items[key] = (Node(key, line), value)

    if draft.prompt:
        put("prompt", Node(draft.prompt, draft.line), draft.line)
    if draft.title:
        put("title", Node(draft.title, draft.line), draft.line)
    if draft.narration:
        put("narration", Node(" ".join(draft.narration), draft.line), draft.line)
    plain_notes = []
    for note in draft.notes:
        directives = _directives_in(note)
        if not directives:
            plain_notes.append(note.text)
            continue
        for key, value, line in directives:
            if not key:
                r.problem(line, f"not a directive: '{value}'; write [[key: value]], parts separated by ';'")
            elif key not in DIRECTIVES:
                hint = did_you_mean(key, DIRECTIVES) or f"; directives: {', '.join(DIRECTIVES)}"
                r.problem(line, f"unknown directive '{key}'{hint}")
            elif key in items and key not in ("prompt", "narration") and items[key][0].line != draft.line:
                r.problem(line, f"directive '{key}' given twice for this shot (first at line {items[key][0].line})")
            else:
                put(key, _value_node(r, value, line), line)
    if plain_notes:
        draft.metadata["notes"] = "\n".join(plain_notes)
    if draft.transition and "transition" not in items:
        name, line = draft.transition
        put("transition", Node(name, line), line)
    return Node(items, draft.line)


#: Title page keys that name the writers, and the credit each gives when there is no `Credit`.
AUTHOR_KEYS = {"author": "Written by", "authors": "Written by", "writer": "Written by",
               "writers": "Written by", "written by": "Written by", "screenplay by": "Screenplay by"}
_ROLE = re.compile(r"(?P<role>(?:(?:original\s+)?(?:written|screenplay|teleplay|story|script)\s+)?by)\s+",
                   re.IGNORECASE)
# "A, B, and C", "A, B & C", "A and B", "A & B"; each name on its own line, too.
_AUTHOR_SPLIT = re.compile(r"\s*,\s*(?:(?:and|&)\s+)?|\s+and\s+|\s*&\s*", re.IGNORECASE)
# What follows a comma but is not a name of its own: "Jane Doe, Jr.", "Jo Roe, PhD".
_SUFFIX = re.compile(r"(?:jr|sr|ii|iii|iv|phd|ph\.d|md|m\.d|esq)\.?", re.IGNORECASE)


def authors(text: str) -> tuple[str, ...]:
    """The names in a title page's author value: split at line breaks, commas (an Oxford comma
    too), `and` and `&`; a suffix such as `Jr.` stays with the name before it."""
    return tuple(name for name, _ in _authors_at(text, ()))


def _authors_at(text: str, rows: tuple[int, ...]) -> list[tuple[str, int]]:
    """`authors`, each name with the line it is on: `rows` gives the line of each row of `text`
    (0 for rows it does not cover)."""
    names: list[tuple[str, int]] = []
    for n, row in enumerate(text.split("\n")):
        at = rows[n] if n < len(rows) else (rows[-1] if rows else 0)
        for part in _AUTHOR_SPLIT.split(" ".join(row.split())):
            if not part:
                continue
            if names and _SUFFIX.fullmatch(part):
                names[-1] = (f"{names[-1][0]}, {part}", names[-1][1])
            else:
                names.append((part, at))
    return names


def _credits(play: Screenplay) -> tuple[tuple[tuple[str, tuple[str, ...]], ...],
                                         tuple[tuple[Loc, tuple[Loc, ...]], ...]]:
    """The title page's credit lines: `Credit` + `Author(s)`, then `Source`. A role written at
    the start of the author value (`Author: Written by Ann Lee`) is the credit. Returned with
    where each was written (as `Project.credit_locs`): a role at its key's line, a name at its own."""
    fields = {" ".join(f.key.lower().split()): f for f in play.title_page}
    values = {k: plain_text(f.value) for k, f in fields.items()}
    key = next((k for k in AUTHOR_KEYS if values.get(k, "").strip()), None)
    credits, locs = [], []

    def at(line: int) -> Loc:
        return Loc(play.file, line)

    if key:
        author = fields[key]
        value = values[key].strip()
        rows = author.rows or (author.line,)
        role, role_line = AUTHOR_KEYS[key], author.line
        if values.get("credit", "").strip():
            role, role_line = values["credit"].strip(), fields["credit"].line
        if found := _ROLE.match(value):
            role, value, role_line = found["role"], value[found.end():], rows[0]
            rows = rows[found[0].count("\n"):] or rows[-1:]
        named = _authors_at(value, rows)
        credits.append((role[:1].upper() + role[1:], tuple(name for name, _ in named)))
        locs.append((at(role_line), tuple(at(line) for _, line in named)))
    if values.get("source"):
        source = values["source"]
        role, _, names = source.partition(" by ")
        credits.append((f"{role.strip()} by", (names.strip(),)) if names else ("Source", (source,)))
        locs.append((at(fields["source"].line), (at(fields["source"].line),)))
    return tuple(credits), tuple(locs)


def read_screenplay(path: Path, generators: tuple[str, ...], config: Path | None = None,
                    version: Version = Version(), translate: Callable[[str, str], str] | None = None) -> Storyboard:
    """Read and validate a `.fountain` screenplay with its sidecar, as `version` of the film
    (`versions.apply`); raises StoryboardError listing every problem (the screenplay's and the
    sidecar's together)."""
    path = Path(path)
    sidecar_path = find_sidecar(path, config)
    problems: list[Problem] = []
    try:
        settings = read_settings(sidecar_path)
    except StoryboardError as error:
        problems += error.problems
        settings = read_settings(None)
    problems += settings.problems
    try:
        play = read_fountain(path)
    except StoryboardError as error:
        raise StoryboardError(problems + list(error.problems)) from None

    r = _Reader(str(path))
    mapper = _Mapper(play, r, frozenset(character_name(c.name) for c in settings.cast))
    mapper.run()
    warnings = mapper.warnings

    nodes = [(scene, draft, _shot_node(r, draft, warnings)) for scene in mapper.scenes for draft in scene.shots]
    taken = Ids(str(node.value["id"][1].value) for _, _, node in nodes if "id" in node.value)
    shots_of: dict[int, list[Shot]] = {}
    for scene, draft, node in nodes:
        shot = _shot(r, node, taken)
        if shot.auto_id and draft.establishing:
            taken.discard(shot.id)
            shot = replace(shot, id=_unique(slug(scene.heading.location or scene.heading.text), taken))
            taken.add(shot.id)
        elif shot.auto_id and not (draft.prompt or draft.title or draft.narration):
            # A shot that opens on dialogue is named after its scene and first speaker.
            base = slug(" ".join([scene.heading.location] + [line.character for line in draft.lines[:1]]))
            taken.discard(shot.id)
            shot = replace(shot, id=_unique(base, taken))
            taken.add(shot.id)
        if not (shot.prompt or shot.title or shot.image or shot.footage or shot.narration or draft.lines):
            shot = replace(shot, prompt=display_name(scene.heading.location) or "an empty stage")
        on_screen = None
        if draft.off_screen and shot.cast is None:
            heard_only = draft.off_screen - draft.seen
            on_screen = tuple(name for name in mapper.speakers if name not in heard_only
                              and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", shot.prompt, re.IGNORECASE))
            on_screen += tuple(dict.fromkeys(line.character for line in draft.lines
                                             if line.character not in heard_only and line.character not in on_screen))
        if mapper.written:
            # A name a forced cue wrote in its own case (`@McCLANE`) is the cast's name for it.
            draft.lines = [replace(line, character=mapper.written.get(line.character, line.character))
                           for line in draft.lines]
            if on_screen is not None:
                on_screen = tuple(mapper.written.get(name, name) for name in on_screen)
            elif shot.cast is not None:
                shot = replace(shot, cast=tuple(mapper.written.get(character_name(n), n) for n in shot.cast))
        if draft.establishing:
            shot = replace(shot, metadata=MappingProxyType({**shot.metadata, "establishing": "true"}))
        shot = replace(shot, lines=tuple(draft.lines), cast=on_screen if on_screen is not None else shot.cast,
                       metadata=MappingProxyType({**shot.metadata, **draft.metadata}))
        shots_of.setdefault(id(scene), []).append(shot)

    scenes = tuple(Scene(heading=scene.heading, shots=tuple(shots_of.get(id(scene), ())),
                         metadata=MappingProxyType(dict(scene.metadata)), loc=Loc(str(path), scene.line))
                   for scene in mapper.scenes if shots_of.get(id(scene)))
    if not scenes:
        r.problem(1, "the screenplay has no action, dialogue or scenes to film")

    project = settings.project
    fields = {f.key.strip().lower(): f for f in play.title_page}
    if not project.title and "title" in fields:
        # The title page's own line breaks are where the writer wants the title card's.
        lines = (" ".join(row.split()) for row in plain_text(fields["title"].value).split("\n"))
        project = replace(project, title="\n".join(row for row in lines if row),
                          title_loc=Loc(str(path), fields["title"].line))
    if not project.credits:
        credits, credit_locs = _credits(play)
        project = replace(project, credits=credits, credit_locs=credit_locs)
    if not project.loc.file:
        project = replace(project, loc=Loc(str(path), fields["title"].line if "title" in fields else 1))

    board = Storyboard(
        name=path.stem, source=path, root=path.parent, project=project,
        cast=_cast(mapper.speakers, settings, str(path), warnings, mapper.written, introductions(play)),
        music=settings.music, scenes=scenes,
        warnings=tuple(warnings),
    )
    board, found = finish(board, generators, version, translate)
    problems += r.problems + found
    if problems:
        raise StoryboardError(sorted(problems, key=lambda p: (p.subject != str(path), p.subject, p.line)))
    return board


def introductions(play: Screenplay) -> dict[str, str]:
    """How the action first describes each character, by upper-case name: a screenplay
    introduces a character in capitals with an appositive, `MAYA, a girl of ten in a yellow
    raincoat, runs…`, `TOM (70), weathered, …` or `A little girl, LILY, kneels…`. The words
    become the character's look where the sidecar gives none, so they are drawn and voiced as
    introduced."""
    found: dict[str, str] = {}
    for element in play.elements:
        if element.kind != "action":
            continue
        text = " ".join(plain_text(element.text).split())
        for m in _INTRO_AFTER.finditer(text):
            words = ", ".join(part for part in (m["age"] and f"{m['age']} years old", m["words"]) if part)
            if words:
                found.setdefault(m["name"], words)
        for m in _INTRO_BEFORE.finditer(text):
            found.setdefault(m["name"], m["words"])
    return found


# `NAME (40), a tired nurse,` / `NAME, an old keeper in a navy sweater.`: capitals, then the appositive.
_INTRO_AFTER = re.compile(r"\b(?P<name>[A-Z][A-Z'.\-]+(?: [A-Z][A-Z'.\-]+)?)(?: \((?P<age>\d{1,2})s?\))?"
                          r"(?:, (?P<words>(?:a|an|the|his|her|their|\d{1,2})\b[^,.;:!?]{2,80}))?(?=[,.;:!? ])")
# `a little girl, LILY,`: the appositive before the capitals.
_INTRO_BEFORE = re.compile(r"\b(?P<words>(?:[Aa]n?|[Tt]he) [a-z][a-z' \-]{2,60}), (?P<name>[A-Z][A-Z'.\-]+)\b(?=[,.;:!? ])")


def _cast(speakers: dict[str, int], settings: Settings, file: str, warnings: list[Problem],
          written: dict[str, str] | None = None, introduced: dict[str, str] | None = None) -> tuple[Character, ...]:
    """Everyone who speaks, in order of appearance, as the sidecar describes them; a speaker
    the sidecar gives no voice gets one by their gender and age that no one before them has
    (`voices.assign`). `written` maps a name to the case a forced cue gave it (`MCCLANE` -> `McCLANE`)."""
    from ..audio.voices import assign

    described = {c.name.upper(): c for c in settings.cast}
    shown = written or {}
    cast = []
    introduced = introduced or {}
    for name, line in speakers.items():
        if name in described:
            character = replace(described[name], name=shown.get(name, name))
            cast.append(character if character.look else replace(character, look=introduced.get(name, "")))
        else:
            cast.append(Character(name=shown.get(name, name), look=introduced.get(name, ""), loc=Loc(file, line)))
    for name, character in described.items():
        if name not in speakers:
            cast.append(replace(character, name=name))
            if not any(name == s for s in speakers):
                hint = did_you_mean(name, list(speakers))
                if hint:
                    warnings.append(character.loc.problem(f"cast member '{character.name}' never speaks{hint}"))
    return assign(tuple(cast), settings.project.narrator)


__all__ = ["read_screenplay", "find_sidecar", "character_name", "heard_only", "authors", "DIRECTIVES", "TRANSITIONS", "SIDECAR", "SIDECAR_KEYS"]
