"""Plan: resolve a Storyboard into the shots of the cut, each with everything it needs.

Defaults are resolved once here (project → scene → shot), seeds derived, prompts composed from
the Jinja2 template in `templates/prompt.j2`, durations decided in whole frames. Code downstream
reads only the plan, never the storyboard's optional fields.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Mapping

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import Problem, StoryboardError, did_you_mean
from .names import display_name
from .spec import (
    TRANSITION_DEFAULT_SECONDS, AudioCue, Footage, GeneratorSpec, Heading, Loc, Shot, Sound, Storyboard,
    resolve_asset,
)
from .edit.ffmpeg import FFmpegError, probe
from .edit.sources import Format
from .edit.transitions import split
from .audio.speakable import ENGLISH, speakable, unread_scripts

CAMERA_WORDS = {
    "static": "", "zoom-in": "slow zoom in", "zoom-out": "slow zoom out", "pan-left": "camera pans left",
    "pan-right": "camera pans right", "tilt-up": "camera tilts up", "tilt-down": "camera tilts down",
    "dolly-in": "dolly in", "dolly-out": "dolly out",
}
SETTING_WORDS = {"INT": "interior", "EXT": "exterior", "INT/EXT": "interior and exterior", "EST": "establishing shot"}
CREDIT_SECONDS_PER_LINE = 0.9   # the credits' unhurried length: 4 s and this per line...
CREDITS_SHARE = 0.14            # ...but no more than this share of the film (a short film's credits stay short)...
CREDIT_READING_CPS = 15.0       # ...and never faster than a reader can follow: each line on screen long enough
CREDIT_MIN_ON_SCREEN = 2.0      # to read it at 15 characters a second, and at least 2 s (a name needs under 1.5 s)
TITLE_TRANSITION = ("fade-black", 1.0)
SILENT_LINE_SECONDS = 1.0   # a line with nothing to say (emoji only): its subtitle's time, as place_cues' minimum


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
class ShotPlan:
    """One clip of the cut, fully resolved."""

    id: str
    kind: str                       # "shot", "title" (opening card), "card" (text card), "credits"
    scene: int                      # 1-based scene number; 0 for the title and credits
    heading: Heading
    generator: GeneratorSpec
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
    sfx: tuple[tuple[Path, int, float], ...] = ()  # (file, frames after the cut-in, gain dB)
    image: Path | None = None
    background: tuple[int, int, int] | None = None   # RGB behind transparent parts of a still or footage
    footage: Footage | None = None
    footage_path: Path | None = None
    sound: Sound = Sound()              # the footage's own sound: its gain on the footage bus, or muted
    card_text: str = ""
    card_subtitle: str = ""
    credits: tuple[tuple[str, tuple[str, ...]], ...] = ()
    continuity: str | None = None
    explicit_duration: bool = False
    continues: str | None = None        # `continuity: previous`: the id of the shot this one continues
    first_frame: Path | None = None     # an image a generated shot starts from
    takes: int = 1
    take: int = 1
    loc: Loc = Loc("", 0)

    @property
    def scene_label(self) -> str:
        return f"SC {self.scene}" if self.scene else self.kind.upper()


@dataclass(frozen=True)
class Plan:
    board: Storyboard
    fmt: Format
    shots: tuple[ShotPlan, ...]
    music: tuple[AudioCue, ...]
    subtitles: str
    preview: bool = False
    warnings: tuple[Problem, ...] = ()   # what may be wrong but cannot be known yet (estimated speech)

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
        return float(frames / self.fmt.fps)

    def only(self, ids: list[str]) -> "Plan":
        """A plan of just the named shots, in story order (for `film build --only`)."""
        known = [s.id for s in self.shots]
        problems = [Problem(str(self.board.source), 0, f"no shot '{i}'{did_you_mean(i, known)}") for i in ids if i not in known]
        if problems:
            raise StoryboardError(problems)
        kept = [i for i, s in enumerate(self.shots) if s.id in ids]
        # A transition survives only between shots that were neighbours in the full cut.
        shots = [self.shots[i] if i + 1 in kept else replace(self.shots[i], transition="cut", transition_frames=0)
                 for i in kept]
        return _with_handles(self, shots)


def derive_seed(project_seed: int, name: str) -> int:
    """A stable 31-bit seed from the project seed and a shot id (or continuity group)."""
    digest = hashlib.sha256(f"{project_seed}/{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@lru_cache(maxsize=1)
def _prompt_template():
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    source = resources.files("pipeline.templates").joinpath("prompt.j2").read_text(encoding="utf-8")
    return env.from_string(source)


def compose_prompt(style: str, heading: Heading, action: str, cast: tuple[tuple[str, str], ...], camera: str) -> str:
    """The generator prompt for a shot, from the sandboxed template."""
    text = _prompt_template().render(
        style=style, setting=SETTING_WORDS.get(heading.setting, ""), location=heading.location.lower(),
        time_of_day=heading.time_of_day.lower(), action=action.rstrip("."), heading=heading.text,
        cast=[{"name": name, "look": look} for name, look in cast], camera=CAMERA_WORDS.get(camera, camera),
    )
    return " ".join(text.split())


# Reading time of writing without spaces between words. Chinese and Japanese subtitles are
# commonly held to about 4 to 7 characters a second (Netflix: Japanese 4, Traditional Chinese 7,
# Simplified Chinese 9 at most); half a word a character gives 5.3 a second at the default 160
# words a minute, and follows `pacing.words_per_minute` as English does. Korean is written in
# words of about three syllables with spaces between: a syllable is a third of a word.
CJK_WORDS_PER_CHARACTER = 0.5
HANGUL_WORDS_PER_SYLLABLE = 1 / 3
_CJK = re.compile("[\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
                  "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uffa0-\uffdc]")


def words(text: str) -> float:
    """How many words `text` is worth to read: its words, with Chinese and Japanese characters
    and Korean syllables counted by the characters (`CJK_WORDS_PER_CHARACTER`)."""
    cjk = len(_CJK.findall(text))
    hangul = len(_HANGUL.findall(text))
    if cjk or hangul:
        text = _HANGUL.sub(" ", _CJK.sub(" ", text))
    return len(re.findall(r"\w+(?:['’]\w+)*", text)) + cjk * CJK_WORDS_PER_CHARACTER \
        + hangul * HANGUL_WORDS_PER_SYLLABLE


def _cast_patterns(board: Storyboard) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """For each character, a pattern that finds them named in an action (as NAME or as the name
    is displayed, not as a lower-case word); made once per film, not once per shot."""
    return tuple((c.name, re.compile(rf"(?<!\w)({re.escape(c.name)}|{re.escape(display_name(c.name))})(?!\w)"))
                 for c in board.cast)


def _cast_in(shot: Shot, board: Storyboard,
             patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> tuple[tuple[str, str], ...]:
    if shot.cast is not None:
        names = list(shot.cast)
    else:
        # Characters the action names and every speaker.
        found = []
        for name, pattern in patterns:
            match = pattern.search(shot.prompt)
            if match:
                found.append((match.start(), name))
        names = [name for _, name in sorted(found)]
        names += [line.character for line in shot.lines if line.character not in names]
    looks = {c.name: c.look for c in board.cast}
    return tuple((name, looks.get(name, "")) for name in dict.fromkeys(names))


def _frames(seconds: float, fps: Fraction) -> int:
    return max(round(Fraction(str(seconds)) * fps), 1)


def spoken_lines(shot: Shot) -> list[tuple[str, str, bool]]:
    """(speaker, text, dual) for what is said in a shot, in order: narration, then dialogue."""
    said = [("", shot.narration, False)] if shot.narration else []
    return said + [(line.character, line.text, line.dual) for line in shot.lines]


def make_plan(board: Storyboard, preview: bool = False,
              speech: Mapping[tuple[str, str], Spoken] | None = None) -> Plan:
    """Resolve `board` into a Plan; raises StoryboardError for problems only timing reveals.

    `speech` maps (speaker, text) to synthesised audio; with it, shots last at least as long
    as what is said in them. Without it, durations are estimated from reading speed.
    """
    project = board.project
    fps = project.fps
    width, height = project.width, project.height
    if preview:
        width, height = max(2 * round(width / 4), 16), max(2 * round(height / 4), 16)
    pacing = project.pacing
    problems: list[Problem] = []
    warnings: list[Problem] = []
    shots: list[ShotPlan] = []
    group_of: dict[str, str] = {}
    seed_of: dict[str, int] = {}

    def reading_frames(texts: list[str]) -> int:
        count = sum(words(t) for t in texts)
        seconds = count * 60.0 / pacing.words_per_minute + (pacing.lead_in + pacing.tail if count else 0)
        return _frames(max(seconds, pacing.min_duration), fps)

    if project.title_card and project.title:
        byline = next((f"{role} {', '.join(names)}" for role, names in project.credits
                       if role.lower().startswith(("a film by", "directed by", "written by", "by"))), "")
        shots.append(ShotPlan(
            id="title", kind="title", scene=0, heading=Heading(), generator=GeneratorSpec("card"),
            prompt="", negative="", action=project.title, seed=derive_seed(project.seed, "title"),
            frames=_frames(project.title_seconds, fps), head=0, tail=0, camera="zoom-in",
            transition=TITLE_TRANSITION[0], transition_frames=_frames(TITLE_TRANSITION[1], fps),
            cast=(), texts=(), card_text=project.title, card_subtitle=byline, loc=project.loc,
        ))

    all_shots = [(n, scene, shot) for n, scene in enumerate(board.scenes, 1) for shot in scene.shots]
    patterns = _cast_patterns(board)
    reads = _readers(board)
    said: dict[tuple[str, str], int] = {}   # how many times each (speaker, text) has been said so far
    for index, (scene_number, scene, shot) in enumerate(all_shots):
        is_last_of_scene = shot is scene.shots[-1]
        transition = shot.transition or (scene.transition if is_last_of_scene else None) or project.transition
        seconds = transition.seconds if transition.seconds is not None else TRANSITION_DEFAULT_SECONDS[transition.name]
        transition_frames = 0 if transition.name == "cut" else _frames(seconds, fps)
        camera = shot.camera or scene.camera or project.camera
        generator = shot.generator or scene.generator or project.generator
        if shot.image:
            generator = GeneratorSpec("still", loc=shot.loc)
        elif shot.footage:
            generator = GeneratorSpec("footage", loc=shot.loc)
        cast = _cast_in(shot, board, patterns)
        texts = ((("", shot.narration),) if shot.narration else ()) + tuple((l.character, l.text) for l in shot.lines)
        kind = "card" if shot.title else "shot"
        if kind == "card":
            generator = GeneratorSpec("card")
        # Seeds: explicit wins; `continuity: previous` joins the previous shot's group; any other
        # continuity value names a group; otherwise the shot is its own group.
        if shot.continuity == "previous":
            if index == 0:
                problems.append(shot.loc.problem("'continuity: previous' on the first shot: there is no previous shot"))
                group = shot.id
            else:
                group = group_of[all_shots[index - 1][2].id]
        elif shot.continuity:
            group = f"group:{shot.continuity}"
        else:
            group = shot.id
        group_of[shot.id] = group
        if shot.seed is not None:
            seed = shot.seed
            seed_of.setdefault(group, seed)
        else:
            seed = seed_of.setdefault(group, derive_seed(project.seed, group))
        placed = _place_speech(shot, speech, pacing, fps, reads, said) if speech is not None else ()
        tail = round(Fraction(str(pacing.tail)) * fps)
        needed = max((p.start + p.frames + (0 if p.recorded else tail) for p in placed), default=0)
        footage_frames = _footage_frames(shot, board, fps, problems) if shot.footage is not None else 0
        if shot.duration is not None:
            frames = _frames(shot.duration, fps)
            if frames < needed and shot.fit != "trim":
                if any(p.estimated for p in placed):
                    warnings.append(shot.at("duration").problem(
                        f"shot '{shot.id}' lasts {float(frames / fps):.2f} s but its speech is estimated to need "
                        f"about {float(needed / fps):.1f} s (with lead-in and tail); film build will know"))
                else:
                    problems.append(shot.at("duration").problem(
                        f"shot '{shot.id}' lasts {float(frames / fps):.2f} s but its speech needs "
                        f"{float(needed / fps):.2f} s (with lead-in and tail); lengthen it or add 'fit: trim'"))
        elif shot.footage is not None:
            frames = max(footage_frames, needed)
        elif placed and placed[0].recorded:
            frames = needed          # a voice-over shot spans its words, so the voice runs on unbroken
        elif speech is not None:
            floor = _frames(pacing.min_duration, fps)
            shown = reading_frames([shot.title]) if shot.title else floor
            frames = max(needed, floor, shown)
        else:
            frames = reading_frames([t for _, t in texts] + ([shot.title] if shot.title else []))
        shots.append(ShotPlan(
            id=shot.id, kind=kind, scene=scene_number, heading=scene.heading, generator=generator,
            prompt=compose_prompt(project.style, scene.heading, shot.prompt or shot.title or "", cast, camera),
            negative=project.negative, action=shot.prompt, seed=seed, frames=frames, head=0, tail=0,
            camera=camera, transition=transition.name, transition_frames=transition_frames, cast=cast, texts=texts,
            speech=placed,
            sfx=tuple((resolve_asset(board.root, e.file), round(Fraction(str(e.at)) * fps), e.gain) for e in shot.sfx),
            image=resolve_asset(board.root, shot.image) if shot.image else None,
            background=shot.background,
            footage=shot.footage,
            footage_path=resolve_asset(board.root, shot.footage.file) if shot.footage else None,
            sound=shot.sound or Sound(),
            card_text=shot.title or "", continuity=group if group != shot.id else None,
            explicit_duration=shot.duration is not None, loc=shot.loc,
            continues=all_shots[index - 1][2].id if shot.continuity == "previous" and index else None,
            first_frame=resolve_asset(board.root, shot.first_frame) if shot.first_frame else None,
            takes=shot.takes, take=shot.take,
        ))

    credits = tuple(project.credits)
    if board.cast:
        credits += (("Cast", tuple(display_name(c.name) for c in board.cast)),)
    if credits and any(shot.generator.name == "animatic" for shot in shots):
        from .generators.drawing.icons import CREDITS_SECTION   # here: the generators import the plan
        credits += (CREDITS_SECTION,)
    if credits and shots:
        rest = sum(shot.frames for shot in shots)
        last = shots[-1]
        if last.transition == "cut" and last.transition_frames == 0:
            shots[-1] = replace(last, transition=TITLE_TRANSITION[0], transition_frames=_frames(TITLE_TRANSITION[1], fps))
        shots.append(ShotPlan(
            id="credits", kind="credits", scene=0, heading=Heading(), generator=GeneratorSpec("card"),
            prompt="", negative="", action="", seed=derive_seed(project.seed, "credits"),
            frames=credits_frames(credits, project.width, project.height, rest, fps), head=0, tail=0, camera="static",
            transition="cut", transition_frames=0, cast=(), texts=(), credits=credits, loc=project.loc,
        ))
    if shots:
        shots[-1] = replace(shots[-1], transition="cut", transition_frames=0)

    shots = _fit_transitions(shots, fps, problems)
    if problems:
        raise StoryboardError(problems)
    music = tuple(replace(cue, file=str(resolve_asset(board.root, cue.file))) if cue.file else cue for cue in board.music)
    plan = Plan(board=board, fmt=Format(width, height, fps), shots=(), music=music,
                subtitles=project.subtitles, preview=preview, warnings=tuple(warnings))
    return _with_handles(plan, shots)


def credits_frames(credits: tuple[tuple[str, tuple[str, ...]], ...], width: int, height: int, rest: int,
                   fps: Fraction) -> int:
    """How long the credits roll, in frames, after `rest` frames of film: 4 s and
    `CREDIT_SECONDS_PER_LINE` a line, but at most `CREDITS_SHARE` of the whole film, unless that
    would scroll a line off the screen before it can be read (at `CREDIT_READING_CPS`, and
    `CREDIT_MIN_ON_SCREEN` at least): readable wins. The roll is laid out at the film's full size
    (a preview rolls for as long as the film does); it moves `height` + its content, and a line
    is wholly on screen while it moves `height` less the line's own height."""
    from .generators.drawing.cards import credits_lines   # here: the generators import the plan

    content, lines = credits_lines(width, height, credits)
    travel = content + height
    readable = max((max(CREDIT_MIN_ON_SCREEN, len(text) / CREDIT_READING_CPS) * travel / max(height - tall, 1)
                    for tall, text in lines), default=CREDIT_MIN_ON_SCREEN)
    unhurried = 4.0 + CREDIT_SECONDS_PER_LINE * len(lines)
    share = math.floor(CREDITS_SHARE / (1 - CREDITS_SHARE) * rest)   # credits / (rest + credits) <= share
    return max(math.ceil(Fraction(str(round(readable, 6))) * fps), min(_frames(unhurried, fps), share), 1)


def _readers(board: Storyboard):
    """speaker -> what their voice can read (`speakable.Reader`); None for a voice that is not usable."""
    from .audio import tts

    known: dict[str, object] = {}

    def reads(speaker: str):
        if speaker not in known:
            try:
                known[speaker] = tts.reader(tts.find_model(tts.voice_for(board, speaker).model, board.root))
            except tts.VoiceError:
                known[speaker] = None
        return known[speaker]

    return reads


def _place_speech(shot: Shot, speech: Mapping[tuple, Spoken], pacing, fps: Fraction,
                  reads=lambda speaker: None, said: dict | None = None) -> tuple[SpeechPlan, ...]:
    """Lines one after another after the lead-in, a gap apart; a dual line starts with the one before.

    A line whose voice says nothing of it (emoji only, or written in a script the voice cannot
    read) is a silent beat that keeps its subtitle: at least `SILENT_LINE_SECONDS`, and as long
    as its text takes to read; so is a line the voice says only part of, at least."""
    at = round(Fraction(str(pacing.lead_in)) * fps)
    gap = round(Fraction(str(pacing.line_gap)) * fps)
    placed: list[SpeechPlan] = []
    said = {} if said is None else said
    for speaker, text, dual in spoken_lines(shot):
        # The n-th time a text is said in the film: a recording says it again, at another
        # place (`speech` holds ("", text, n) for each repeat); a synthesised line is the same.
        said[(speaker, text)] = n = said.get((speaker, text), 0) + 1
        audio = speech.get((speaker, text, n)) or speech[(speaker, text)]
        length = math.ceil(Fraction(str(audio.seconds)) * fps)
        if not audio.recorded:
            voice = reads(speaker) or ENGLISH
            if not speakable(text, voice) or unread_scripts(text, voice):
                # Nothing (or not all) to pronounce: its subtitle stays a beat, and long enough to read.
                shown = words(text) * 60.0 / pacing.words_per_minute
                length = max(length, math.ceil(Fraction(str(round(max(SILENT_LINE_SECONDS, shown), 3))) * fps))
        if audio.recorded:  # the recording runs on from shot to shot: no lead-in, no gap
            at, gap_after = 0, 0
        else:
            gap_after = gap
        start = placed[-1].start if dual and placed else at
        placed.append(SpeechPlan(speaker, audio.text or text, start, length, audio.path, audio.words,
                                 audio.offset, audio.recorded, audio.estimated))
        at = max(at, start + length + gap_after)
    return tuple(placed)


def _footage_frames(shot: Shot, board: Storyboard, fps: Fraction, problems: list[Problem]) -> int:
    """How long footage runs from its `in` to its `out` (or the file's end); checks it is a video."""
    footage = shot.footage
    path = resolve_asset(board.root, footage.file)
    try:
        length = probe(path).duration
    except FFmpegError:
        length = None
    if not length:
        problems.append(footage.loc.problem(f"footage '{footage.file}' is not a readable video"))
        return 1
    if length <= footage.start:
        problems.append(footage.loc.problem(
            f"footage '{footage.file}' is {length:.2f} s long; its in point {footage.start:g} s is past the end"))
        return 1
    return _frames((footage.end or length) - footage.start, fps)


def _fit_transitions(shots: list[ShotPlan], fps: Fraction, problems: list[Problem]) -> list[ShotPlan]:
    """Make every shot long enough for the transitions on both sides (centred on the cuts)."""
    fitted = []
    for i, shot in enumerate(shots):
        after_in = split(shots[i - 1].transition_frames)[1] if i > 0 else 0
        before_out = split(shot.transition_frames)[0]
        need = after_in + before_out + 1
        if shot.frames < need:
            if shot.explicit_duration:
                problems.append(shot.loc.problem(
                    f"shot '{shot.id}' lasts {float(shot.frames / fps):.2f} s but the transitions into and out of it "
                    f"need {float(need / fps):.2f} s; lengthen the shot or shorten the transitions"))
            else:
                shot = replace(shot, frames=need)
        fitted.append(shot)
    return fitted


def _with_handles(plan: Plan, shots: list[ShotPlan]) -> Plan:
    """Set each shot's head and tail handles from its neighbours' transitions."""
    out = []
    for i, shot in enumerate(shots):
        head = split(shots[i - 1].transition_frames)[0] if i > 0 else 0
        tail = split(shot.transition_frames)[1] if i < len(shots) - 1 else 0
        transition = shot if i < len(shots) - 1 else replace(shot, transition="cut", transition_frames=0)
        out.append(replace(transition, head=head, tail=tail))
    return replace(plan, shots=tuple(out))
