"""What a build would do now, job by job, and why: `film status`, `film explain` and `film plan`
read it, so that what they say will render is what `film build` renders.

Every job of the film is here: the speech (one voice job per line, the voice-over's transcript),
each shot's own job, the segments, the music, the mix, the subtitles and the cut. A job is
cached when its output is there and intact (`Cache.damage`: it reads back only files whose stat
moved since they were sealed), else it will run, for a `Reason` (`cache.why`): new, output
missing, damaged, or the dotted names of the inputs that changed since its last run.

Nothing is made or written. Speech not synthesised yet is estimated (`Plan.estimated`): the
shots it is in, their segments, the mix and the cut are then said to run, which they will,
though their keys after synthesis are not yet known.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..cache import Cache, Job, Reason, why
from ..plan import Plan
from .graph import Graph


@dataclass(frozen=True)
class JobState:
    """One job as a build would find it: cached, or to run for `reason`."""

    kind: str
    id: str
    key: str
    output: Path
    reason: Reason | None = None    # None: cached

    @property
    def cached(self) -> bool:
        return self.reason is None

    def record(self) -> dict:
        """As `--json` writes it."""
        return {"kind": self.kind, "id": self.id, "key": self.key, "status": "cached" if self.cached else "to run",
                "reason": "" if self.reason is None else str(self.reason), "output": str(self.output)}


@dataclass(frozen=True)
class ShotState:
    """A shot of the plan, with the jobs that make what it shows and says: its lines' voices,
    its own picture job, its body segment and the transition out of it."""

    id: str
    scene: str        # the scene heading ("" for the title and credits)
    start: int        # frames, in the cut
    frames: int
    seed: int
    prompt: str
    jobs: tuple[JobState, ...]

    @property
    def to_run(self) -> tuple[JobState, ...]:
        return tuple(j for j in self.jobs if not j.cached)


@dataclass(frozen=True)
class Status:
    """The film's jobs as a build would find them: per shot (`shots`), then the film's own
    (`film`: the voice-over's transcript, the music, the mix, the subtitles and the cut)."""

    plan: Plan
    shots: tuple[ShotState, ...]
    film: tuple[JobState, ...]

    @property
    def jobs(self) -> tuple[JobState, ...]:
        """Every job once (a voice said in two shots is listed with both)."""
        found = {j.id: j for s in self.shots for j in s.jobs}
        return tuple(found.values()) + self.film

    @property
    def to_run(self) -> tuple[JobState, ...]:
        return tuple(j for j in self.jobs if not j.cached)

    def shot(self, shot_id: str) -> ShotState:
        """The shot with `shot_id` (KeyError if none)."""
        for shot in self.shots:
            if shot.id == shot_id:
                return shot
        raise KeyError(shot_id)


def job_state(job: Job, cache: Cache, upstream: dict[str, str]) -> JobState:
    """`job` as a build would find it (reads its output back only when its stat moved)."""
    problem = cache.damage(job.output)
    reason = why(cache.previous(job.id), job.key, job.inputs, problem, upstream) if problem else None
    return JobState(job.kind, job.id, job.key, job.output, reason)


def status(plan: Plan, graph: Graph, speech: list[Job], cache: Cache) -> Status:
    """Every job of `plan` (its `speech` jobs and `graph`'s) as a build would find it now."""
    everything = [*speech, *graph.jobs]
    upstream = {job.key: f"{job.kind} {job.id}" for job in everything}
    states = {job.id: job_state(job, cache, upstream) for job in everything}
    voice_of = {job.output: job.id for job in speech}
    claimed: set[str] = set()
    shots = []
    for shot, start in zip(plan.shots, plan.starts()):
        ids = [voice_of[line.path.parent] for line in shot.speech if line.path.parent in voice_of]
        ids += list(graph.by_shot.get(shot.id, ()))
        ids = list(dict.fromkeys(i for i in ids if i in states))
        claimed.update(ids)
        shots.append(ShotState(shot.id, shot.heading.text, start, shot.frames, shot.seed, shot.prompt,
                               tuple(states[i] for i in ids)))
    # A voice said in two shots is listed with each; the film's own jobs are the rest.
    film = tuple(states[job.id] for job in everything if job.id not in claimed)
    return Status(plan, tuple(shots), film)


def summary(jobs: tuple[JobState, ...]) -> str:
    """`3 of 26 jobs to run (voice 1, segment 2)`: how many will run, by kind."""
    kinds: dict[str, int] = {}
    for job in jobs:
        if not job.cached:
            kinds[job.kind] = kinds.get(job.kind, 0) + 1
    run = sum(kinds.values())
    by_kind = f" ({', '.join(f'{k} {n}' for k, n in kinds.items())})" if kinds else ""
    return f"{run} of {len(jobs)} jobs to run{by_kind}"
