"""renders/NAME/lock.json: for every generated shot, the model, its resolved revision, library
versions, dtype, device and seed it renders with, so that `film build --locked` can refuse to
render with anything else (as a package lock file pins what an install resolves to)."""

from __future__ import annotations

import json
from pathlib import Path

from .. import generators as generator_registry
from ..build.run import BuildResult
from ..cache import Cache, write_text
from ..errors import FilmError, Problem
from ..generators.base import Context
from ..plan import Plan

FILE = "lock.json"


def lock_file(renders: Path, plan: Plan) -> Path:
    """Where a film's lock file is: renders/NAME/lock.json, or in its version's folder
    (`Plan.version`: renders/NAME/variants/ROW/lock.json); previews share it."""
    return renders / plan.name / plan.version / FILE


def entries(plan: Plan, cache: Cache) -> dict[str, dict]:
    """Per generated shot id, what its generator says it renders with (`Generator.lock_entry`)."""
    ctx = Context(cache=cache, fmt=plan.fmt, root=plan.root, project_seed=plan.seed)
    found = {}
    for shot in plan.shots:
        entry = generator_registry.get(shot.generator.name).lock_entry(shot, ctx)
        if entry is not None:
            found[shot.id] = entry
    return found


def read(path: Path) -> dict:
    """The lock file's entries ({} when there is none or it is not JSON)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def check(path: Path, wanted: dict[str, dict]) -> None:
    """Raise a FilmError naming every generated shot whose model, revision, versions, dtype,
    device or seed in `wanted` differ from the lock file at `path`."""
    if not path.is_file():
        raise FilmError([Problem(str(path), 0, "no lock file: build once without --locked to write it")])
    locked = read(path)
    problems = []
    for shot, entry in wanted.items():
        if shot not in locked:
            problems.append(Problem(str(path), 0, f"shot '{shot}' is not in the lock file"))
            continue
        for key in sorted(set(entry) | set(locked[shot])):
            if entry.get(key) != locked[shot].get(key):
                problems.append(Problem(str(path), 0, f"shot '{shot}': {key} is {entry.get(key)!r}, "
                                                      f"locked as {locked[shot].get(key)!r}"))
    if problems:
        raise FilmError(problems)


def write(result: BuildResult, renders: Path) -> tuple[Path, ...]:
    """Record the build's generated shots in lock.json (a build of only some shots adds to what
    is there); nothing is written for a film with no generated shots."""
    if not result.locks:
        return ()
    path = lock_file(renders, result.plan)
    previous = read(path) if result.partial else {}
    write_text(path, json.dumps({**previous, **result.locks}, indent=2, sort_keys=True))
    return (path,)
