"""renders/NAME/build.json: the cut (frames, rate, size, each shot's place) and every job of the
build with its key, status, time and the reason it ran."""

from __future__ import annotations

import json
from pathlib import Path

from ..build.run import BuildResult
from ..cache import write_text

FILE = "build.json"


def report(result: BuildResult) -> dict:
    """The report of a build, as build.json holds it."""
    plan = result.plan
    return {
        "project": plan.name,
        "source": str(plan.source),
        "output": str(result.output),
        "frames": plan.total,
        "fps": f"{plan.fmt.fps.numerator}/{plan.fmt.fps.denominator}",
        "duration": round(plan.seconds(plan.total), 3),
        "size": f"{plan.fmt.width}x{plan.fmt.height}",
        "seconds": result.seconds,
        "rendered": result.rendered,
        "cached": result.cached,
        "shots": [{"id": s.id, "start": start, "frames": s.frames, "seed": s.seed, "prompt": s.prompt,
                   "transition": {"name": s.transition, "frames": s.transition_frames}}
                  for s, start in zip(plan.shots, plan.starts())],
        "jobs": [r.record() for r in result.results],
        "missing": [{"kind": f.kind, "id": f.id, "reason": f.reason, "needs": f.needs} for f in result.missing],
    }


def write(result: BuildResult, renders: Path) -> tuple[Path, ...]:
    """Write build.json beside the cut (not for a build of only some shots: it would describe
    a cut that is not the film's)."""
    if result.partial:
        return ()
    write_text(result.folder / FILE, json.dumps(report(result), indent=2))
    return (result.folder / FILE,)
