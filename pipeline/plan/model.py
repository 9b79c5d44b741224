"""The plan's records: the resolved film that every stage after planning reads.

`Plan` carries every value downstream needs, resolved (the film's name and folder, its seed,
format, pacing in frames, mix settings, chapters, music beds placed on the cut), so nothing
after planning reads the raw `Storyboard`. A `ShotPlan` is one clip of the cut; what it shows
is one typed source payload (`ShotSource`), as OpenTimelineIO gives each clip one typed media
reference: a generator reads the payload it draws from, with nothing to assert.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Union

from ..errors import Problem, StoryboardError, did_you_mean
from ..frames import Format, to_seconds
from ..spec import GeneratorSpec, Heading, Loc, MixSettings, Sound, Subtitles, Voice, Watermark
from ..transitions import split

RGB = tuple[int, int, int]
Credits = tuple[tuple[str, tuple[str, ...]], ...]   # (role, names) in order
ShotKind = Literal["shot", "title", "card", "credits"]


@dataclass(frozen=True)
class Spoken:
    """A line of speech: its audio, how long it lasts, and when its words are heard.

    Synthesised lines are whole files. Narration from a recorded voice-over is a slice of the
    recording starting `offset` seconds in; `text` is then what the recording says.
    """

    path: Path
    seconds: float
    words: tuple[tuple[float, float], ...] = ()   # when each word is heard, seconds into the line
    offset: float = 0.0
    recorded: bool = False
    text: str = ""
    estimated: bool = False   # not synthesised yet: `seconds` is a guess from the words


@dataclass(frozen=True)
class SpeechPlan:
    """A line placed in its shot: `start` frames after the shot's cut-in, `frames` long."""

    speaker: str          # "" for the narrator
    text: str
    start: int
    frames: int
    path: Path
    words: tuple[tuple[float, float], ...] = ()
    offset: float = 0.0      # seconds into `path` where the line begins
    recorded: bool = False   # a slice of a voice-over: the shot is cut to it, no lead-in or tail
    estimated: bool = False  # its length is a guess (`film check`, `film plan` before speech is made)


@dataclass(frozen=True)
class SoundEffectPlan:
    """A sound effect placed in its shot: `file` starts `at` frames after the cut-in, `gain` dB."""

    file: Path
    at: int
    gain: float = 0.0


# -- what a shot shows: one typed payload per kind of source ---------------------------------

@dataclass(frozen=True)
class DrawnSource:
    """A panel drawn from the shot's words (the animatic)."""


@dataclass(frozen=True)
class GeneratedSource:
    """A shot a model generates from its prompt: `takes` seeds rendered, `take` (1-based) cut
    in; it starts from `first_frame` (an image) or from the last frame of the shot `continues`
    names (`continuity: previous`)."""

    takes: int = 1
    take: int = 1
    first_frame: Path | None = None
    continues: str | None = None


@dataclass(frozen=True)
class StillSource:
    """A picture of the writer's, moved by the camera; `background` behind its transparent parts."""

    image: Path
    background: RGB | None = None


@dataclass(frozen=True)
class FootageFile:
    """What measuring found a footage file to be: `seconds` long, with a sound track or not."""

    seconds: float
    audible: bool = False


@dataclass(frozen=True)
class FootageSource:
    """A video of the writer's, from `start` to `end` seconds of the file (None: its end), as
    measured (`file`); `sound` is what to do with its own sound on the footage bus."""

    path: Path
    written: str            # the file as the storyboard names it, for messages
    start: float = 0.0
    end: float | None = None
    file: FootageFile = FootageFile(0.0)
    sound: Sound = Sound()
    background: RGB | None = None


@dataclass(frozen=True)
class CardSource:
    """Text on a card: the title card (`text`, `subtitle` its byline), a text card, or the
    credits roll (`credits`)."""

    text: str = ""
    subtitle: str = ""
    credits: Credits = ()


ShotSource = Union[DrawnSource, GeneratedSource, StillSource, FootageSource, CardSource]


@dataclass(frozen=True)
class ShotPlan:
    """One clip of the cut, fully resolved. Frames are counted at the film's rate."""

    id: str
    kind: ShotKind                  # "shot", "title" (opening card), "card" (text card), "credits"
    scene: int                      # 1-based scene number; 0 for the title and credits
    heading: Heading
    generator: GeneratorSpec
    source: ShotSource
    prompt: str
    negative: str
    action: str                     # the writer's own words for the shot, for captions
    seed: int
    frames: int                     # on screen, cut to cut
    head: int                       # handle frames before, for the incoming transition
    tail: int                       # handle frames after, for the outgoing transition
    camera: str
    transition: str                 # into the next clip
    transition_frames: int
    cast: tuple[tuple[str, str], ...]   # (name, look) of the characters in the shot
    texts: tuple[tuple[str, str], ...]  # (speaker, text) spoken or shown, in order; "" = narrator
    speech: tuple[SpeechPlan, ...] = ()  # the texts as synthesised audio, placed in the shot
    sfx: tuple[SoundEffectPlan, ...] = ()
    continuity: str | None = None   # the seed group, when the shot shares one
    chapter: str = ""               # the chapter its scene belongs to (a screenplay's section)
    explicit_duration: bool = False
    loc: Loc = Loc("", 0)

    @property
    def scene_label(self) -> str:
        return f"SC {self.scene}" if self.scene else self.kind.upper()

    @property
    def span(self) -> int:
        """Frames its source must hold: the handles and the shot."""
        return self.head + self.frames + self.tail

    def heard(self, line: SpeechPlan) -> int:
        """Frames of `line` (one of its `speech`) heard in the cut: `fit: trim` cuts speech at
        the cut, so a line may be heard less than its length, or not at all (0 or less)."""
        return min(line.frames, self.frames - line.start)


@dataclass(frozen=True)
class Pacing:
    """The film's pacing in frames: `lead_in` before the first line of a shot, `hold` after its
    last, `line_gap` between lines, `min_frames` the shortest shot; `words_per_minute` the
    reading speed that times lines not yet spoken."""

    words_per_minute: float
    lead_in: int
    hold: int
    line_gap: int
    min_frames: int


@dataclass(frozen=True)
class Bed:
    """A music bed placed on the cut: `file` (None until a generated bed is made: `generate`
    names its generator) plays from `start` for `seconds`, its loudness `gain` LU relative to
    the programme's (the speech's), fading in and out over `fade_in` and `fade_out` seconds."""

    file: Path | None
    start: float
    seconds: float
    gain: float
    fade_in: float
    fade_out: float
    loop: bool
    generate: str | None = None


@dataclass(frozen=True)
class Chapter:
    """A chapter marker: `title` from frame `start` to frame `end` (exclusive) of the cut."""

    start: int
    end: int
    title: str


@dataclass(frozen=True)
class Plan:
    """The film, resolved: its shots in order and everything the build needs besides."""

    name: str                # the project's name: its outputs go to renders/NAME
    source: Path             # the script it was planned from
    root: Path               # the project folder assets are found in
    seed: int
    fmt: Format
    shots: tuple[ShotPlan, ...]
    music: tuple[Bed, ...]
    subtitles: Subtitles
    pacing: Pacing
    mix: MixSettings
    preview: bool = False
    warnings: tuple[Problem, ...] = ()   # what may be wrong but cannot be known yet (estimated speech)
    voices: tuple[tuple[str, Voice], ...] = ()   # (speaker, voice) of each who speaks; "" the narrator
    voiceover: Path | None = None        # the narrator's recording, when the narration is recorded
    signing: tuple[Path, Path] | None = None   # (certificate chain, key) to sign the cut with, if given
    watermark: Watermark | None = None   # marks on every frame (its image relative to `root`)
    version: str = ""        # which version of the film (`spec.Version.folder`): its outputs' folder in renders/NAME
    language: str = ""       # the language it speaks, when the film lists its languages ("" when it does not)

    @property
    def estimated(self) -> bool:
        """Whether any shot's length rests on speech not yet synthesised."""
        return any(line.estimated for shot in self.shots for line in shot.speech)

    @property
    def total(self) -> int:
        """Frames in the cut."""
        return sum(shot.frames for shot in self.shots)

    def starts(self) -> list[int]:
        """Frame at which each shot cuts in."""
        out, at = [], 0
        for shot in self.shots:
            out.append(at)
            at += shot.frames
        return out

    def seconds(self, frames: int) -> float:
        return to_seconds(frames, self.fmt.fps)

    def chapters(self) -> list[Chapter]:
        """Each chapter from the first shot of its scene to the next chapter, or the end."""
        opened: list[tuple[int, str]] = []
        previous_scene = 0
        for shot, start in zip(self.shots, self.starts()):
            if shot.scene and shot.scene != previous_scene and shot.chapter:
                opened.append((start, shot.chapter))
            previous_scene = shot.scene
        ends = [start for start, _ in opened[1:]] + [self.total]
        return [Chapter(start, end, title) for (start, title), end in zip(opened, ends)]

    def only(self, ids: list[str]) -> "Plan":
        """A plan of just the named shots, in story order (for `film build --only`); raises
        StoryboardError naming each id that is not a shot."""
        problems = unknown_shots(self.source, ids, [s.id for s in self.shots])
        if problems:
            raise StoryboardError(problems)
        kept = [i for i, s in enumerate(self.shots) if s.id in ids]
        # A transition survives only between shots that were neighbours in the full cut.
        shots = [self.shots[i] if i + 1 in kept else replace(self.shots[i], transition="cut", transition_frames=0)
                 for i in kept]
        return replace(self, shots=with_handles(shots))


def unknown_shots(source: Path, ids: list[str], known: list[str]) -> list[Problem]:
    """A problem (about the script `source`) for each of `ids` that is not one of `known`, with
    the closest known id as a did-you-mean."""
    return [Problem(str(source), 0, f"no shot '{i}'{did_you_mean(i, known)}") for i in ids if i not in known]


def with_handles(shots: list[ShotPlan]) -> tuple[ShotPlan, ...]:
    """`shots` with each one's head and tail handles set from its neighbours' transitions, and
    the last one cut (nothing follows it)."""
    out = []
    for i, shot in enumerate(shots):
        head = split(shots[i - 1].transition_frames)[0] if i > 0 else 0
        tail = split(shot.transition_frames)[1] if i < len(shots) - 1 else 0
        last = shot if i < len(shots) - 1 else replace(shot, transition="cut", transition_frames=0)
        out.append(replace(last, head=head, tail=tail))
    return tuple(out)
