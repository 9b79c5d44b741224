"""The Storyboard: typed, frozen dataclasses for a film as written, and their validation.

Both readers (`parse/yaml.py`, `parse/fountain.py`) build this tree; every node keeps the file
and line it came from so that `validate` can report `file:line: message` for every problem at
once. Nothing here resolves defaults: that is `plan.py`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from . import camera as camera_moves, transitions
from .errors import Problem, did_you_mean, did_you_mean_file, one_of, quoted

SUBTITLE_MODES = ("sidecar", "burn", "off")
SUBTITLE_POSITIONS = ("auto", "bottom", "top")
LOCALIZE_MODES = ("retime", "dub")
MUSIC_GENERATORS = ("ambient",)
TIMES_OF_DAY = ("DAY", "NIGHT", "DUSK", "SUNSET", "DAWN", "MORNING", "EVENING", "CONTINUOUS", "LATER")
EMPTY: Mapping[str, Any] = MappingProxyType({})

# The ranges a writer's numbers are held to: wide enough for any film, narrow enough that a
# slip (a shot of 1e6 seconds, a 100 dB gain, 100000 takes) is a `file:line` answer at `film
# check`, not a build that runs until it is killed. Seconds unless said.
LONGEST_SHOT = 3600.0             # a shot, the title card, a transition: an hour
LONGEST_FILM = 24 * 3600.0        # where music starts and ends, a footage in or out point, an effect's `at`
LONGEST_PAUSE = 600.0             # pacing (shortest shot, lead-in, tail, gap), fades, the mix's attack and release
GAIN_RANGE = (-60.0, 20.0)        # dB: a voice, a music bed, an effect, a footage sound
WORDS_PER_MINUTE = (20.0, 1000.0)
MOST_TAKES = 16
LONGEST_TEXT = 10_000             # characters in one text (a prompt, a narration, a line): ten minutes read aloud
SEED_RANGE = (0, 2**32 - 1)
# A shot id names files (a takes sheet is renders/NAME/takes/ID.png): a name, never a path.
SHOT_ID = re.compile(r"[^\W][\w.-]{0,199}")
# The ids of the clips a film adds to the writer's shots: the title card and the credits roll.
TITLE_ID, CREDITS_ID = "title", "credits"
RESERVED_IDS = (TITLE_ID, CREDITS_ID)


@dataclass(frozen=True)
class Loc:
    """Where a node was written."""

    file: str
    line: int

    def problem(self, message: str) -> Problem:
        return Problem(self.file, self.line, message)


@dataclass(frozen=True)
class Voice:
    """How a character or the narrator sounds (used by text-to-speech): a `preset` (`man`,
    `woman`, `girl`, ...: `audio/voices.py`) or a Piper `model`, and `pitch` (semitones) and
    `formant` (a ratio) on top of it."""

    model: str = ""
    speaker: int | None = None
    rate: float = 1.0
    pitch: float = 0.0
    gain: float = 0.0
    loc: Loc = Loc("", 0)
    preset: str = ""
    formant: float = 1.0
    language: str = ""        # the espeak-ng language its words are read as ("": the model's own)


@dataclass(frozen=True)
class Character:
    name: str
    look: str = ""
    voice: Voice = Voice()
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Line:
    """A line of dialogue; `parenthetical` (e.g. "whispering") is direction, never spoken.
    `when`: an expression over the film's `vars:` (`parse/versions.py`); the line is spoken
    only in the versions where it is true ("": always)."""

    character: str
    text: str
    parenthetical: str = ""
    dual: bool = False        # spoken at the same time as the line before (dual dialogue)
    loc: Loc = Loc("", 0)
    when: str = ""


@dataclass(frozen=True)
class Transition:
    """How a shot leads into the next one; `seconds` None means the kind's default."""

    name: str = "cut"
    seconds: float | None = None
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Footage:
    """A user's video file, trimmed to [start, end) seconds of the source."""

    file: str
    start: float = 0.0
    end: float | None = None
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class SoundEffect:
    """A sound effect in a shot, `at` seconds after the shot cuts in."""

    file: str
    at: float = 0.0
    gain: float = 0.0
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Sound:
    """A footage shot's own sound: `gain` in dB on the footage bus, or `mute`d (`sound: off`)."""

    gain: float = 0.0
    mute: bool = False


@dataclass(frozen=True)
class GeneratorSpec:
    """A generator by name and its options (e.g. model, steps for diffusers)."""

    name: str = "animatic"
    options: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Music:
    """A music bed as written under `music:`: a file, or a generated one (`generate: ambient`),
    from `start` to `end` seconds of the film (None: its end). The plan places it on the cut
    as a `plan.Bed`."""

    file: str | None = None
    generate: str | None = None
    gain: float = -14.0
    fade_in: float = 2.0
    fade_out: float = 3.0
    start: float = 0.0
    end: float | None = None
    loop: bool = True
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class VoiceOver:
    """A recorded narration that the pictures follow: each shot's `narration` finds its words
    in the recording, and the shot lasts as long as they do."""

    file: str
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Recognition:
    """The speech recogniser that finds when words are said (subtitle timing, voice-overs)."""

    engine: str = "faster-whisper"
    model: str | None = None    # faster-whisper: a model folder; openai-whisper: a .pt checkpoint or a name
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Signing:
    """The certificate chain (PEM, signing certificate first) and private key that `film build
    --sign` signs the cut's Content Credentials with (`film keys` makes a pair), as written:
    relative to the project folder, or absolute, or from `~`."""

    cert: str
    key: str
    loc: Loc = Loc("", 0)


WATERMARK_POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right", "centre")


@dataclass(frozen=True)
class Watermark:
    """Marks on every frame of the cut: a visible one (`text`, or an `image` file of the
    writer's, at `position` inside the title-safe area, `opacity` 0-1, `size` its height as a
    fraction of the frame's) and, with `invisible`, one no viewer sees that `film verify` finds
    in a copy (`watermark.py`)."""

    text: str = ""
    image: str = ""
    position: str = "top-right"
    opacity: float = 0.5
    size: float = 0.06
    invisible: bool = False
    loc: Loc = Loc("", 0)


class Subtitles(str):
    """The film's subtitles: the mode ("sidecar", "burn" or "off") as the string itself, so that
    `project.subtitles == "burn"` reads as it always has, with how they are set as attributes.

    `position`: "auto" (at the bottom, unless a still has its own lettering or detail there and
    the picture leaves room elsewhere: then at the top, or raised), "bottom" or "top".
    `margin`: from the frame's edge to the subtitles' text, a fraction of the frame's height
    (None: the title-safe 5%). `max_cps`: the most characters a second a cue may ask of a
    reader (None: 17 for a film that is only narrated, a lesson; 20 for one with dialogue).
    """

    position: str
    margin: float | None
    max_cps: float | None

    def __new__(cls, mode: str = "sidecar", position: str = "auto", margin: float | None = None,
                max_cps: float | None = None) -> "Subtitles":
        self = super().__new__(cls, mode)
        object.__setattr__(self, "position", position)
        object.__setattr__(self, "margin", margin)
        object.__setattr__(self, "max_cps", max_cps)
        return self

    @property
    def mode(self) -> str:
        return str.__str__(self)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Subtitles settings are read-only")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Subtitles):
            return self.mode == other.mode and self.settings == other.settings
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__

    @property
    def settings(self) -> tuple[str, float | None, float | None]:
        return self.position, self.margin, self.max_cps

    def __repr__(self) -> str:
        return f"Subtitles({self.mode!r}, position={self.position!r}, margin={self.margin!r}, max_cps={self.max_cps!r})"

    def __reduce__(self):
        return Subtitles, (self.mode, *self.settings)


@dataclass(frozen=True)
class Var:
    """A variable the writer declares under `vars:`, used as `{{ name }}` in any text of the
    script and in `when:` expressions; `default` None means every version must give it
    (`--var name=...`, a column of `--variants`)."""

    name: str
    default: Any = None
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Version:
    """Which version of the film a build makes: `values` for the script's `vars:` (from `--var`
    or a row of `--variants`, read from `origin`, e.g. `viewers.csv:3`), called `name` (its
    folder: renders/NAME/variants/NAME/), in `language` ("": the script's own)."""

    values: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    name: str = ""
    language: str = ""
    origin: str = "--var"
    header: str = ""          # where a table's column names are (`viewers.csv:1`), for a column no var takes

    @property
    def folder(self) -> str:
        """Where this version's outputs go, relative to renders/NAME ("" for the film itself)."""
        return "/".join((["variants", self.name] if self.name else []) + ([self.language] if self.language else []))


@dataclass(frozen=True)
class Pacing:
    """How long shots last when the writer gives no duration, in seconds: `lead_in` before a
    shot's first line, `hold` after its last (written `tail:` under `pacing:`, as editors say
    it), `line_gap` between lines, `min_duration` the shortest shot."""

    words_per_minute: float = 160.0
    min_duration: float = 3.0
    lead_in: float = 0.5
    hold: float = 0.8
    line_gap: float = 0.3


@dataclass(frozen=True)
class MixSettings:
    """How the soundtrack is mixed: loudness target and music ducking under speech."""

    loudness: float = -16.0     # integrated LUFS
    true_peak: float = -1.0     # dBTP
    duck: float = -12.0         # dB of music reduction under speech
    attack: float = 0.2         # seconds for the music to duck before speech
    release: float = 0.6        # seconds for it to come back after


@dataclass(frozen=True)
class Shot:
    id: str
    prompt: str = ""
    camera: str | None = None
    duration: float | None = None
    narration: str = ""
    lines: tuple[Line, ...] = ()
    transition: Transition | None = None
    image: str | None = None
    background: tuple[int, int, int] | None = None   # RGB behind transparent parts of a still or footage
    footage: Footage | None = None
    title: str | None = None
    continuity: str | None = None
    seed: int | None = None
    cast: tuple[str, ...] | None = None
    generator: GeneratorSpec | None = None
    fit: str | None = None    # "trim": an explicit duration may cut the shot's speech short
    first_frame: str | None = None   # an image the generated shot starts from (image-to-video)
    takes: int = 1            # how many seeds to render (generated shots)
    take: int = 1             # which of them the cut uses
    sfx: tuple[SoundEffect, ...] = ()
    sound: Sound | None = None   # the footage's own sound; None: as recorded
    metadata: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    auto_id: bool = False
    loc: Loc = Loc("", 0)
    key_lines: Mapping[str, int] = field(default_factory=lambda: EMPTY)
    when: str = ""            # an expression over `vars:`: the shot is in the versions where it is true

    def at(self, key: str) -> Loc:
        """Where `key` of this shot was written (the shot's own line if unknown)."""
        line = self.key_lines.get(key)
        return Loc(self.loc.file, line) if line else self.loc


@dataclass(frozen=True)
class Heading:
    """A scene heading split into its parts: `EXT. COLOSSEUM - SUNSET`."""

    text: str = ""
    setting: str = ""
    location: str = ""
    time_of_day: str = ""


@dataclass(frozen=True)
class Scene:
    heading: Heading
    shots: tuple[Shot, ...]
    camera: str | None = None
    transition: Transition | None = None
    generator: GeneratorSpec | None = None
    metadata: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Project:
    """Film-wide settings."""

    title: str = ""
    fps: Fraction = Fraction(24)
    width: int = 1280
    height: int = 720
    seed: int = 0
    style: str = ""
    negative: str = ""
    generator: GeneratorSpec = GeneratorSpec()
    camera: str = "static"
    transition: Transition = Transition()
    subtitles: Subtitles = Subtitles("sidecar")   # a str: the mode, with the settings as attributes
    title_card: bool = True
    title_seconds: float = 4.0
    credits: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Where each credit was written: (its role's place, each name's place), in `credits` order;
    # a sidecar's credits are in the sidecar, a title page's in the script.
    credit_locs: tuple[tuple[Loc, tuple[Loc, ...]], ...] = ()
    title_loc: Loc = Loc("", 0)   # where the title was written ("" when it was not)
    narrator: Voice = Voice()
    speech: bool = True       # synthesise narration and dialogue (false: subtitles only)
    voiceover: VoiceOver | None = None
    recognizer: Recognition = Recognition()
    signing: Signing | None = None
    watermark: Watermark | None = None
    pacing: Pacing = Pacing()
    mix: MixSettings = MixSettings()
    metadata: Mapping[str, Any] = field(default_factory=lambda: EMPTY)
    loc: Loc = Loc("", 0)
    vars: tuple[Var, ...] = ()
    # The film's languages, its own first (`locales.py`); how the others are made: "retime"
    # (each times its shots to its own speech) or "dub" (the picture kept, each line fitted
    # into its shot); "" when unsaid (`locales.localize_mode`).
    languages: tuple[str, ...] = ()
    localize: str = ""
    # language -> speaker ("narrator", a cast name, or "" for everyone else) -> voice.
    voices: Mapping[str, Mapping[str, Voice]] = field(default_factory=lambda: EMPTY)
    languages_loc: Loc = Loc("", 0)


@dataclass(frozen=True)
class Storyboard:
    """A whole film as written: settings, cast, music and scenes, plus where it lives."""

    name: str
    source: Path
    root: Path
    project: Project
    cast: tuple[Character, ...] = ()
    music: tuple[Music, ...] = ()
    scenes: tuple[Scene, ...] = ()
    warnings: tuple[Problem, ...] = ()     # read, but perhaps not as the writer meant
    version: Version = Version()           # which version of the film this is (`parse/versions.py`)

    @property
    def shots(self) -> tuple[Shot, ...]:
        return tuple(shot for scene in self.scenes for shot in scene.shots)

    def character(self, name: str) -> Character | None:
        return next((c for c in self.cast if c.name == name), None)


_HEADING = re.compile(
    r"^\s*(?P<setting>INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT|I\s*/\s*E|INT|EXT|EST)[.\s]\s*"
    r"(?P<rest>.*?)\s*$",
    re.IGNORECASE,
)
_TIME = re.compile(r"^(?P<location>.*?)\s+[-–—]+\s+(?P<time>[^-–—]+?)\s*$")


def parse_heading(text: str) -> Heading:
    """Split a scene heading into setting (INT, EXT, INT/EXT, EST), location and time of day."""
    text = " ".join(text.split())
    match = _HEADING.match(text)
    if not match:
        return Heading(text=text, location=text.upper())
    setting = re.sub(r"[\s.]", "", match["setting"].upper())
    setting = {"I/E": "INT/EXT", "EXT/INT": "INT/EXT"}.get(setting, setting)
    rest = match["rest"]
    timed = _TIME.match(rest)
    location, time = (timed["location"], timed["time"]) if timed else (rest, "")
    return Heading(text=text, setting=setting, location=location.strip().upper(), time_of_day=time.strip().upper())


SLUG_LENGTH = 40   # an id made from words stays short enough to read in `film plan`


def slug(text: str, words: int = 4) -> str:
    """A short id made of the first words of `text` (`crowds-pour-into-the`), at most
    `SLUG_LENGTH` characters (a long unbroken word is cut), so that it is always a valid id."""
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(tokens[:words])[:SLUG_LENGTH].rstrip("-") or "shot"


def signing_path(root: Path, written: str) -> Path:
    """Where a `signing:` file is: `~` expanded, then relative to the project folder `root`
    (keys usually live outside the project, which may be shared)."""
    return (root / Path(written).expanduser()).resolve()


def resolve_asset(root: Path, relative: str) -> Path:
    """The absolute path of an asset named relative to the project folder."""
    return (root / relative).resolve()


def validate(board: Storyboard, generators: Iterable[str]) -> list[Problem]:
    """Every cross-reference problem in `board`: names, ids, assets. Readers check types."""
    problems: list[Problem] = []
    generator_names = tuple(generators)
    cast_names = [c.name for c in board.cast]
    seen_ids: dict[str, Loc] = {}
    root = board.root.resolve()

    def check_asset(relative: str, loc: Loc, what: str) -> None:
        try:
            path = resolve_asset(root, relative)
            if not path.is_relative_to(root):
                problems.append(loc.problem(f"{what} '{relative}' is outside the project folder {root}"))
            elif not path.is_file():
                problems.append(loc.problem(f"{what} '{relative}' not found (looked in {path.parent})"
                                            f"{did_you_mean_file(relative, path)}"))
        except (OSError, ValueError) as error:   # a name too long for the file system, a NUL
            reason = getattr(error, "strerror", None) or str(error)
            problems.append(loc.problem(f"{what} {quoted(relative)}: not a usable file name ({reason})"))

    def check_generator(spec: GeneratorSpec | None) -> None:
        if spec is not None and spec.name not in generator_names:
            problems.append(spec.loc.problem(
                f"unknown generator '{spec.name}'{did_you_mean(spec.name, generator_names)}; "
                f"{one_of(generator_names)}"))

    def check_camera(camera: str | None, loc: Loc) -> None:
        moves = camera_moves.names()
        if camera is not None and camera not in moves:
            problems.append(loc.problem(
                f"unknown camera move '{camera}'{did_you_mean(camera, moves)}; {one_of(moves)}"))

    def check_transition(transition: Transition | None) -> None:
        names = transitions.names()
        if transition is not None and transition.name not in names:
            problems.append(transition.loc.problem(
                f"unknown transition '{transition.name}'{did_you_mean(transition.name, names)}; "
                f"{one_of(names)}"))

    def check_length(text: str | None, loc: Loc, what: str) -> None:
        if text and len(text) > LONGEST_TEXT:
            problems.append(loc.problem(
                f"{what} is {len(text):,} characters long; a text may be at most {LONGEST_TEXT:,} (about ten "
                "minutes read aloud): share it out over more shots"))

    project = board.project
    check_length(project.title, project.title_loc if project.title_loc.file else project.loc, "the title")
    for key in ("style", "negative"):
        check_length(getattr(project, key), project.loc, key)
    check_generator(project.generator)
    check_camera(project.camera, project.loc)
    check_transition(project.transition)
    for cue in board.music:
        if cue.file:
            check_asset(cue.file, cue.loc, "music file")
    if project.signing:
        for what, written in (("signing cert", project.signing.cert), ("signing key", project.signing.key)):
            path = signing_path(root, written)
            if not path.is_file():
                problems.append(project.signing.loc.problem(
                    f"{what} '{written}' not found{did_you_mean_file(written, path)} (film keys makes a pair)"))
    if project.watermark and project.watermark.image:
        check_asset(project.watermark.image, project.watermark.loc, "watermark image")
    if project.voiceover:
        check_asset(project.voiceover.file, project.voiceover.loc, "voice-over")
        if not project.speech:
            # The recording is the film's speech: without it the shots would be timed by reading
            # speed and the film would be silent.
            problems.append(project.voiceover.loc.problem(
                "a voice-over is the film's speech, but 'speech: false' leaves speech out; remove one of them"))
    for scene in board.scenes:
        check_generator(scene.generator)
        check_camera(scene.camera, scene.loc)
        check_transition(scene.transition)
        for shot in scene.shots:
            if not SHOT_ID.fullmatch(shot.id):
                problems.append(shot.at("id").problem(
                    f"shot id {quoted(shot.id)} is a name, not a path: at most 200 letters, digits, '-', '_' "
                    "and '.' (not first)"))
            if shot.id in RESERVED_IDS:
                problems.append(shot.at("id").problem(
                    f"shot id '{shot.id}' is the {'title card' if shot.id == TITLE_ID else 'credits roll'}'s; "
                    "choose another"))
            if shot.id in seen_ids:
                first = seen_ids[shot.id]
                problems.append(shot.loc.problem(
                    f"duplicate shot id '{shot.id}' (first used at {first.file}:{first.line})"))
            else:
                seen_ids[shot.id] = shot.loc
            for key in ("prompt", "narration", "title", "continuity"):
                check_length(getattr(shot, key), shot.at(key), f"shot '{shot.id}' {key}")
            for line in shot.lines:
                check_length(line.text, line.loc, f"{line.character}'s line")
            check_generator(shot.generator)
            check_camera(shot.camera, shot.at("camera"))
            check_transition(shot.transition)
            if shot.image:
                check_asset(shot.image, shot.at("image"), "image")
            if shot.first_frame:
                check_asset(shot.first_frame, shot.at("first_frame"), "first frame")
            if shot.take > shot.takes:
                problems.append(shot.at("take").problem(
                    f"shot '{shot.id}' has take {shot.take} but only {shot.takes} take(s); raise 'takes' or pick 1 to {shot.takes}"))
            if shot.footage:
                check_asset(shot.footage.file, shot.footage.loc, "footage")
            elif shot.sound is not None:
                problems.append(shot.at("sound").problem(
                    f"shot '{shot.id}' has 'sound' but no footage: 'sound' sets a footage shot's own sound"))
            for effect in shot.sfx:
                check_asset(effect.file, effect.loc, "sound effect")
            sources = [k for k, v in (("image", shot.image), ("footage", shot.footage), ("title", shot.title)) if v]
            if len(sources) > 1:
                problems.append(shot.loc.problem(f"shot '{shot.id}' has both {' and '.join(sources)}; give one"))
            if not (shot.prompt or sources or shot.narration or shot.lines):
                problems.append(shot.loc.problem(
                    f"shot '{shot.id}' has nothing to show: give it a prompt, image, footage or title"))
            for name in shot.cast or ():
                if name not in cast_names:
                    problems.append(shot.at("cast").problem(
                        f"unknown cast member '{name}'{did_you_mean(name, cast_names)}"
                        + (f"; the cast is {', '.join(cast_names)}" if cast_names else "; the storyboard has no cast")))
            for line in shot.lines:
                if line.character not in cast_names:
                    problems.append(line.loc.problem(
                        f"unknown cast member '{line.character}' in dialogue{did_you_mean(line.character, cast_names)}"
                        + (f"; the cast is {', '.join(cast_names)}" if cast_names else "; add them under 'cast:'")))
                if not line.text.strip():
                    problems.append(line.loc.problem(f"empty line of dialogue for {line.character}"))
    return problems
