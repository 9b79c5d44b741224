"""Dubbing: each line of a language fitted into the time its original takes, so that the
picture of the film's own language stays as it is (`localize: dub`).

A translated line rarely lasts as long as the original. Within ±15% (`MOST_TEMPO`) its tempo is
changed to fill the original's time exactly; beyond that it is slowed or sped by 15% and, when
shorter, followed by silence; a line that would still be too long is a problem naming it (the
translation needs shortening, or the film `localize: retime`). Dubbing studios hold a
translation to the original's length by rewriting it; a 15% change of tempo is about what a
listener does not notice in speech (ffmpeg's `atempo` keeps the pitch).

`fit` pairs each line of the language with its original by place (the same shot, the same
position among its lines: `plan.spoken_lines`), which `versions.apply` keeps, and makes a job
per line whose audio is exactly as long as the original's, its word times scaled with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..cache import Cache, Job, make_job
from ..edit import ffmpeg
from ..errors import Problem
from ..plan import Spoken, spoken_lines
from ..spec import Storyboard
from .tts import SAMPLE_RATE

MOST_TEMPO = 0.15   # the most a dubbed line's tempo changes, either way
DUB_VERSION = "1"
DUB_AUDIO, DUB_WORDS = "speech.wav", "words.json"


@dataclass(frozen=True)
class Fit:
    """A line of the language fitted to its original: `tempo` (>1 faster) and the seconds of
    its audio (the original's)."""

    speaker: str
    text: str
    source: Spoken
    seconds: float
    tempo: float


def fits(original: Storyboard, dubbed: Storyboard, said: dict[tuple, Spoken], saying: dict[tuple, Spoken],
         language: str) -> tuple[list[Fit], list[Problem]]:
    """Each line of `dubbed` (its speech `saying`) paired with the line of `original` in its
    place (its speech `said`), and its tempo; a problem for each that cannot fit within
    `MOST_TEMPO`, at the original line's `file:line`."""
    found: dict[tuple, Fit] = {}
    problems: list[Problem] = []
    for shot, twin in zip(original.shots, dubbed.shots):
        for (who, text, _), (_, dub_text, _), loc in zip(spoken_lines(shot), spoken_lines(twin), _places(shot)):
            if (who, dub_text) in found or (who, text) not in said or (who, dub_text) not in saying:
                continue
            target, source = said[(who, text)].seconds, saying[(who, dub_text)]
            if target <= 0 or source.seconds <= 0:
                found[(who, dub_text)] = Fit(who, dub_text, source, max(target, 0.0), 1.0)
                continue
            tempo = source.seconds / target
            if tempo > 1 + MOST_TEMPO:
                problems.append(loc.problem(
                    f"{who or 'the narrator'}'s line in '{language}' lasts {source.seconds:.2f} s, {tempo - 1:.0%} "
                    f"longer than the original's {target:.2f} s, more than the {MOST_TEMPO:.0%} a dub may speed it "
                    f"up: shorten its translation (\"{dub_text[:40]}\"), or make the film 'localize: retime'"))
                continue
            found[(who, dub_text)] = Fit(who, dub_text, source, target, min(max(tempo, 1 - MOST_TEMPO), 1 + MOST_TEMPO))
    return list(found.values()), problems


def _places(shot):
    """Where each line `spoken_lines(shot)` gives was written: the narration, then each line."""
    return [shot.at("narration")] * bool(shot.narration) + [line.loc for line in shot.lines]


def fit_jobs(fitted: list[Fit], cache: Cache) -> tuple[list[Job], callable]:
    """A job per fitted line (its audio `seconds` long, tempo changed), and a function that
    reads them, once run, as the (speaker, text) → Spoken map a plan is timed with."""
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
            spoken[key] = Spoken(job.output / DUB_AUDIO, fit.seconds, tuple((float(a), float(b)) for a, b in words))
        return spoken

    return [job for _, job in jobs.values()], collect


def _fit(fit: Fit, out: Path) -> None:
    """Write the line at its tempo, padded or cut to exactly `fit.seconds`, and its words' times."""
    out.mkdir(parents=True)
    samples = round(fit.seconds * SAMPLE_RATE)
    tempo = [f"atempo={fit.tempo:.6f}"] if abs(fit.tempo - 1) > 1e-6 else []
    ffmpeg.run(["-i", str(fit.source.path), "-af", ",".join([*tempo, f"apad=whole_len={samples}",
                                                              f"atrim=end_sample={samples}"]),
                "-ar", str(SAMPLE_RATE), "-ac", "1", "-c:a", "pcm_s16le", "-f", "wav", str(out / DUB_AUDIO)],
               what="dub")
    words = [[min(a / fit.tempo, fit.seconds), min(b / fit.tempo, fit.seconds)] for a, b in fit.source.words]
    (out / DUB_WORDS).write_text(json.dumps({"text": fit.text, "tempo": fit.tempo, "words": words}), encoding="utf-8")
