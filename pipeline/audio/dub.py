"""Dubbing: each line of a language fitted into the room its original has, so that the picture
of the film's own language stays as it is (`localize: dub`).

A translated line rarely lasts as long as the original. Its room is the time from where the
original line starts to where the next line of the shot starts, or to the shot's cut for its
last line: the pause after a line is the dub's to use, as a dubbing studio uses it. A line that
fits its room is left at its own tempo; one that does not is sped up by at most 15%
(`MOST_TEMPO`, about what a listener does not notice in speech; ffmpeg's `atempo` keeps the
pitch); one that would still run over is a problem naming it (its translation needs
shortening, or the film `localize: retime`).

The language's plan is then the original's: each fitted line is given to the planner with
its original's length (so every shot keeps its length, to the frame), and placed with its own
(`place`), so the mix plays the whole of it and its subtitles follow its words.
`fits` pairs each line of the language with its original by place (the same shot, the same
position among its lines: `plan.spoken_lines`), which `versions.apply` keeps.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from ..cache import Cache, Job, make_job
from ..edit import ffmpeg
from ..errors import Problem
from ..frames import to_seconds
from ..plan import Plan, Spoken, spoken_lines
from ..spec import Storyboard
from .tts import SAMPLE_RATE

MOST_TEMPO = 0.15   # the most a dubbed line is sped up
DUB_VERSION = "2"
DUB_AUDIO, DUB_WORDS = "speech.wav", "words.json"


@dataclass(frozen=True)
class Fit:
    """A line of the language fitted to its original: sped up by `tempo` (1: as it was), then
    `seconds` long (at most its `room`); `planned` is its original's length, which the plan
    times the shot with."""

    speaker: str
    text: str
    source: Spoken
    seconds: float
    tempo: float
    planned: Fraction


def fits(plan: Plan, dubbed: Storyboard, saying: dict[tuple, Spoken], language: str) -> tuple[list[Fit], list[Problem]]:
    """Each line of `dubbed` (its speech `saying`) fitted into the room its original has in
    `plan` (the film's own, with its speech made); a problem for each that cannot fit even
    `MOST_TEMPO` faster, at its `file:line`."""
    fps = plan.fmt.fps
    shots = {shot.id: shot for shot in dubbed.shots}
    found: dict[tuple, Fit] = {}
    problems: list[Problem] = []
    for planned in plan.shots:
        twin = shots.get(planned.id)
        if twin is None:
            continue
        for n, ((who, text, _), loc, original) in enumerate(zip(spoken_lines(twin), _places(twin), planned.speech)):
            source = saying.get((who, text))
            if source is None or (who, text) in found:
                continue
            after = planned.speech[n + 1].start if n + 1 < len(planned.speech) else planned.frames
            room = to_seconds(max(after - original.start, original.frames), fps)
            tempo = max(source.seconds / room, 1.0) if room > 0 else 1.0
            if tempo > 1 + MOST_TEMPO:
                problems.append(loc.problem(
                    f"{who or 'the narrator'}'s line in '{language}' lasts {source.seconds:.2f} s, but its original "
                    f"leaves it {room:.2f} s (until the {'next line' if n + 1 < len(planned.speech) else 'cut'}): "
                    f"{tempo - 1:.0%} faster is more than the {MOST_TEMPO:.0%} a dub may speed it up: shorten its "
                    f"translation (\"{text[:40]}\"), or make the film 'localize: retime'"))
                continue
            # its original's length as an exact fraction: the planner rounds it up to the very frame
            found[(who, text)] = Fit(who, text, source, min(source.seconds / tempo, room), tempo,
                                     Fraction(original.frames) / fps)
    return list(found.values()), problems


def _places(shot):
    """Where each line `spoken_lines(shot)` gives was written: the narration, then each line."""
    return [shot.at("narration")] * bool(shot.narration) + [line.loc for line in shot.lines]


def fit_jobs(fitted: list[Fit], cache: Cache) -> tuple[list[Job], callable]:
    """A job per fitted line, and a function that reads them, once run, as the (speaker, text)
    → Spoken map the language's plan is timed with (each its original's length: `place` then
    gives each its own)."""
    jobs = {}
    for fit in fitted:
        inputs = {"version": DUB_VERSION, "source": cache.digest(fit.source.path), "seconds": round(fit.seconds, 6),
                  "tempo": round(fit.tempo, 6)}
        jobs[(fit.speaker, fit.text)] = (fit, make_job(
            cache, "dub", f"{fit.speaker or 'narrator'}: {fit.text[:40]}", inputs,
            lambda out, fit=fit: _fit(fit, out)))

    def collect() -> dict[tuple, Spoken]:
        spoken = {}
        for key, (fit, job) in jobs.items():
            words = json.loads((job.output / DUB_WORDS).read_text(encoding="utf-8"))["words"]
            spoken[key] = Spoken(job.output / DUB_AUDIO, fit.planned, tuple((float(a), float(b)) for a, b in words))
        return spoken

    return [job for _, job in jobs.values()], collect


def place(plan: Plan, fitted: list[Fit]) -> Plan:
    """`plan` (a dubbed language's, timed as the original) with each fitted line as long as its
    own audio, so the mix plays it whole and its subtitles stay up while it is heard."""
    own = {(fit.speaker, fit.text): math.ceil(fit.seconds * plan.fmt.fps - 1e-6) for fit in fitted}
    shots = tuple(replace(shot, speech=tuple(replace(line, frames=own.get((line.speaker, line.text), line.frames))
                                             for line in shot.speech)) for shot in plan.shots)
    return replace(plan, shots=shots)


def _fit(fit: Fit, out: Path) -> None:
    """Write the line at its tempo, `fit.seconds` long, and its words' times."""
    out.mkdir(parents=True)
    samples = round(fit.seconds * SAMPLE_RATE)
    tempo = [f"atempo={fit.tempo:.6f}"] if abs(fit.tempo - 1) > 1e-6 else []
    ffmpeg.run(["-i", str(fit.source.path), "-af", ",".join([*tempo, f"apad=whole_len={samples}",
                                                              f"atrim=end_sample={samples}"]),
                "-ar", str(SAMPLE_RATE), "-ac", "1", "-c:a", "pcm_s16le", "-f", "wav", str(out / DUB_AUDIO)],
               what="dub")
    words = [[min(a / fit.tempo, fit.seconds), min(b / fit.tempo, fit.seconds)] for a, b in fit.source.words]
    (out / DUB_WORDS).write_text(json.dumps({"text": fit.text, "tempo": fit.tempo, "words": words}), encoding="utf-8")
