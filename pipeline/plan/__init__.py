"""Plan: resolve a Storyboard into the shots of the cut, each with everything it needs.

`make_plan` runs named steps, each a function of its own module that can be tested alone:

1. the picture format and the pacing in frames (`timing.pacing_in_frames`);
2. each shot's settings resolved, project → scene → shot (`defaults.settings`);
3. seeds, shared by continuity groups (`defaults.seed_groups`);
4. its cast, its prompt from the template (`prompt.compose_prompt`) and its typed source
   (`defaults.shot_source`);
5. its speech placed (`timing.place_speech`) and its length decided (`timing.shot_length`);
6. the title card and the credits (`cards`);
7. every shot made long enough for its transitions, and its handles set (`model.with_handles`);
8. the music beds placed on the cut.

Code downstream reads only the `Plan`, never the storyboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Mapping
from pathlib import Path

from ..errors import Problem, StoryboardError
from ..frames import Format, duration_frames, to_frames, to_seconds
from .. import transitions
from ..spec import LONGEST_FILM, LONGEST_SHOT, Scene, Shot, Storyboard, resolve_asset, signing_path
from ..transitions import split
from .cards import TITLE_TRANSITION, credits_card, film_credits, title_card
from .defaults import Seeded, cast_in, cast_patterns, derive_seed, seed_groups, settings, shot_source
from .model import (
    Bed, CardSource, Chapter, DrawnSource, FootageFile, FootageSource, GeneratedSource, Pacing, Plan, ShotPlan, ShotSource,
    SoundEffectPlan, SpeechPlan, Spoken, StillSource, with_handles,
)
from .prompt import compose_prompt
from .timing import Reads, footage_frames, pacing_in_frames, place_speech, shot_length, spoken_lines, voice_readers, words

__all__ = [
    "Bed", "CardSource", "Chapter", "DrawnSource", "FootageFile", "FootageSource", "GeneratedSource", "Pacing", "Plan", "ShotPlan",
    "ShotSource", "SoundEffectPlan", "SpeechPlan", "Spoken", "StillSource", "compose_prompt", "derive_seed",
    "make_plan", "picture_format", "spoken_lines", "words",
]


def picture_format(board: Storyboard, preview: bool) -> Format:
    """The film's picture; a preview is half the size (even, at least 16 pixels)."""
    project = board.project
    width, height = project.width, project.height
    if preview:
        width, height = max(2 * round(width / 4), 16), max(2 * round(height / 4), 16)
    return Format(width, height, project.fps)


@dataclass(frozen=True)
class Planning:
    """What planning each shot reads besides the shot: the film, its rate and pacing, the
    measured speech (None: estimate it) and footage, the seeds, and who can be seen and heard."""

    board: Storyboard
    fps: Fraction
    pacing: Pacing
    speech: Mapping[tuple, Spoken] | None
    footage: Mapping[Path, FootageFile]
    seeds: Mapping[str, Seeded]
    patterns: tuple
    reads: Reads
    said: dict = field(default_factory=dict)   # how many times each (speaker, text) has been said so far


def make_plan(board: Storyboard, preview: bool = False, speech: Mapping[tuple, Spoken] | None = None,
              footage: Mapping[Path, FootageFile] | None = None) -> Plan:
    """Resolve `board` into a Plan; raises StoryboardError for problems only timing reveals.

    `speech` maps (speaker, text) to synthesised audio; with it, shots last at least as long
    as what is said in them. Without it, durations are estimated from reading speed.
    `footage` maps each footage file (resolved path) to what measuring found it to be
    (`measure.footage_files`); a footage file it lacks is reported as unreadable.
    """
    project = board.project
    problems: list[Problem] = []
    warnings: list[Problem] = []

    # 1. format and pacing
    fmt = picture_format(board, preview)
    pacing = pacing_in_frames(project.pacing, fmt.fps)

    # 2-5. the title card, then each shot in story order
    planning = Planning(board, fmt.fps, pacing, speech, footage or {}, seed_groups(board, problems),
                        cast_patterns(board), voice_readers(board))
    opening = title_card(project, derive_seed(project.seed, "title"), fmt.fps)
    shots = [opening] if opening is not None else []
    shots += [plan_shot(planning, number, scene, shot, problems, warnings)
              for number, scene in enumerate(board.scenes, 1) for shot in scene.shots]

    # 6. the credits
    shots = with_credits(board, shots, fmt.fps)

    # 7. room for the transitions, then the handles; no shot nor the film past its limits
    shots = fit_transitions(shots, fmt.fps, problems)
    problems += overlong(shots, board, fmt.fps)
    if problems:
        raise StoryboardError(problems)
    planned = with_handles(shots)

    # 8. the music beds, placed on the cut
    music = place_beds(board, to_seconds(sum(s.frames for s in planned), fmt.fps))

    # 9. who is heard, and in which voice (what the film records of how it was made)
    speakers = dict.fromkeys(line.speaker for shot in planned for line in shot.speech)
    voices = tuple((who, board.character(who).voice if who and board.character(who) else project.narrator)
                   for who in speakers)
    return Plan(name=board.name, source=board.source, root=board.root, seed=project.seed, fmt=fmt, shots=planned,
                music=music, subtitles=project.subtitles, pacing=pacing, mix=project.mix, preview=preview,
                warnings=tuple(warnings), voices=voices, voiceover=resolve_asset(board.root, project.voiceover.file) if project.voiceover else None,
                signing=(signing_path(board.root, project.signing.cert), signing_path(board.root, project.signing.key))
                if project.signing else None, watermark=project.watermark, version=board.version.folder,
                language=board.version.language or (project.languages[0] if project.languages else ""))


def overlong(shots: list[ShotPlan], board: Storyboard, fps: Fraction) -> list[Problem]:
    """A problem for each shot that speech makes last past `spec.LONGEST_SHOT` seconds, and one
    when the whole cut lasts past `spec.LONGEST_FILM`: limits a number written in the storyboard
    is held to, which a long text would otherwise get round."""
    problems = []
    for shot in shots:
        seconds = to_seconds(shot.frames, fps)
        if seconds > LONGEST_SHOT:
            problems.append(shot.loc.problem(
                f"shot '{shot.id}' would last {seconds / 60:.0f} minutes with what is said in it; a shot may "
                f"last at most {LONGEST_SHOT / 60:.0f} minutes: share its lines out over more shots"))
    total = to_seconds(sum(s.frames for s in shots), fps)
    if total > LONGEST_FILM:
        problems.append(board.project.loc.problem(
            f"the film would last {total / 3600:.1f} hours; a film may last at most {LONGEST_FILM / 3600:.0f} hours"))
    return problems


def plan_shot(planning: Planning, scene_number: int, scene: Scene, shot: Shot, problems: list[Problem],
              warnings: list[Problem]) -> ShotPlan:
    """One shot of scene `scene_number` resolved: its settings, seed, source, prompt, speech and
    length; what is wrong with its length goes to `problems` or `warnings`."""
    board, fps, project = planning.board, planning.fps, planning.board.project
    chosen = settings(board, scene, shot)
    transition = chosen.transition
    seconds = transition.seconds if transition.seconds is not None else transitions.default_seconds(transition.name)
    seeded = planning.seeds[shot.id]
    source, generator = shot_source(shot, chosen.generator, board.root, seeded.continues, planning.footage,
                                    problems)
    cast = cast_in(shot, board, planning.patterns)
    texts = tuple((speaker, text) for speaker, text, _ in spoken_lines(shot))
    placed = () if planning.speech is None else \
        place_speech(shot, planning.speech, planning.pacing, fps, planning.reads, planning.said)
    of_footage = footage_frames(shot, source.file.seconds, fps, problems) if isinstance(source, FootageSource) else 0
    length = shot_length(shot, placed, [t for _, t in texts], planning.pacing, project.pacing, fps, of_footage,
                         timed=planning.speech is not None)
    if length.problem:
        problems.append(shot.at("duration").problem(length.problem))
    if length.warning:
        warnings.append(shot.at("duration").problem(length.warning))
    for effect in shot.sfx:
        if to_frames(effect.at, fps) >= length.frames:
            warnings.append(effect.loc.problem(
                f"sound effect '{effect.file}' at {effect.at:g} s starts after the shot ends "
                f"({to_seconds(length.frames, fps):.2f} s): it is not heard"))
    return ShotPlan(
        id=shot.id, kind="card" if shot.title else "shot", scene=scene_number, heading=scene.heading,
        generator=generator, source=source,
        prompt=compose_prompt(project.style, scene.heading, shot.prompt or shot.title or "", cast, chosen.camera),
        negative=project.negative, action=shot.prompt, seed=seeded.seed, frames=length.frames, head=0, tail=0,
        camera=chosen.camera, transition=transition.name,
        transition_frames=0 if transition.name == "cut" else duration_frames(seconds, fps),
        cast=cast, texts=texts, speech=placed,
        sfx=tuple(SoundEffectPlan(resolve_asset(board.root, e.file), to_frames(e.at, fps), e.gain) for e in shot.sfx),
        continuity=seeded.group, explicit_duration=shot.duration is not None,
        chapter=str(scene.metadata.get("chapter") or ""), loc=shot.loc,
    )


def with_credits(board: Storyboard, shots: list[ShotPlan], fps: Fraction) -> list[ShotPlan]:
    """`shots` and the credits roll after them (after a fade when the film would cut to them);
    the last shot of all cuts out."""
    shots = list(shots)
    credits = film_credits(board, drawn=any(isinstance(s.source, DrawnSource) for s in shots))
    if credits and shots:
        rest = sum(shot.frames for shot in shots)
        last = shots[-1]
        if last.transition == "cut" and last.transition_frames == 0:
            shots[-1] = replace(last, transition=TITLE_TRANSITION[0],
                                transition_frames=duration_frames(TITLE_TRANSITION[1], fps))
        shots.append(credits_card(credits, board.project, derive_seed(board.project.seed, "credits"), rest, fps))
    if shots:
        shots[-1] = replace(shots[-1], transition="cut", transition_frames=0)
    return shots


def fit_transitions(shots: list[ShotPlan], fps: Fraction, problems: list[Problem]) -> list[ShotPlan]:
    """Make every shot long enough for the transitions on both sides (centred on the cuts); a
    shot whose writer gave its duration is not lengthened: that is a problem."""
    fitted = []
    for i, shot in enumerate(shots):
        after_in = split(shots[i - 1].transition_frames)[1] if i > 0 else 0
        before_out = split(shot.transition_frames)[0]
        need = after_in + before_out + 1
        if shot.frames < need:
            if shot.explicit_duration:
                problems.append(shot.loc.problem(
                    f"shot '{shot.id}' lasts {to_seconds(shot.frames, fps):.2f} s but the transitions into and out of "
                    f"it need {to_seconds(need, fps):.2f} s; lengthen the shot or shorten the transitions"))
            else:
                shot = replace(shot, frames=need)
        fitted.append(shot)
    return fitted


def place_beds(board: Storyboard, total: float) -> tuple[Bed, ...]:
    """The storyboard's music beds on a cut `total` seconds long: each from its `start` to its
    `end` (or the film's), clipped to the film; a bed that would not be heard is left out."""
    beds = []
    for cue in board.music:
        start = min(cue.start, total)
        seconds = max(min(cue.end or total, total) - start, 0.0)
        if seconds <= 0:
            continue
        beds.append(Bed(resolve_asset(board.root, cue.file) if cue.file else None, start, seconds, cue.gain,
                        cue.fade_in, cue.fade_out, cue.loop, cue.generate))
    return tuple(beds)
