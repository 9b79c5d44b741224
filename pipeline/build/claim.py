"""One build at a time in a film's renders folder, and one project per renders folder.

A build claims `renders/NAME/` before it writes anything there: an exclusive `flock` on
`renders/NAME/.build.lock`, which the kernel releases when the holder exits however it exits
(even `kill -9`), so a lock is never left held by a dead build. A second build of the same film
waits for the first and says so. The folder also records which project it belongs to
(`project.json`, the script's absolute path): a different project of the same name sent to the
same `--out` is refused, instead of the two overwriting each other's cut. A recorded project
that no longer exists (moved or renamed) hands the folder over to the one building now, and
so does a renders folder inside the project's own folder (a copied project brings its renders).

`fcntl` is POSIX; where it is missing (Windows) builds are not locked against each other.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..cache import write_text
from ..errors import FilmError, Problem

try:
    import fcntl
except ImportError:   # pragma: no cover - Windows
    fcntl = None

LOCK = ".build.lock"
OWNER = "project.json"


@contextmanager
def claim(folder: Path, script: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold `folder` (renders/NAME) for a build of `script` while inside; `waiting` is told,
    once, when another build holds it and this one waits. Raises FilmError (exit 1) when the
    folder belongs to another project that still exists."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a+", encoding="utf-8") as handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip()
                waiting(f"another build of {folder.name} is running{f' (process {holder})' if holder else ''}; "
                        "waiting for it to finish (Ctrl-C to stop)")
                fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        try:
            own(folder, script)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def foreign(folder: Path, script: Path) -> Path | None:
    """The other project whose builds `folder` holds (one that still exists, the folder outside
    `script`'s own folder), or None: what `own` would refuse, for commands that only read."""
    mine = script.resolve()
    other = owner(folder)
    if other is None or other == mine or not other.exists() or Path(folder).resolve().is_relative_to(mine.parent):
        return None
    return other


def owner(folder: Path) -> Path | None:
    """The script whose builds `folder` holds, as recorded; None if none is."""
    try:
        found = json.loads((folder / OWNER).read_text(encoding="utf-8")).get("script")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(found) if isinstance(found, str) and found else None


def refuse_foreign(folder: Path, script: Path) -> None:
    """Raise FilmError (exit 1) if `folder` holds another project's builds (`foreign`)."""
    other = foreign(folder, script)
    if other is not None:
        raise FilmError([Problem(str(folder), 0, f"holds the builds of {other}, another project named "
                                                 f"'{folder.name}'; build {script} with --out OTHER_FOLDER, or "
                                                 "rename one of them")])


def own(folder: Path, script: Path) -> None:
    """Record that `folder` holds `script`'s builds; raise FilmError if it holds another
    project's that still exists. A folder inside the project's own folder is the project's
    whatever it records (a copy of a project, renders and all, records the original)."""
    mine = script.resolve()
    refuse_foreign(folder, script)
    if owner(folder) != mine:
        write_text(folder / OWNER, json.dumps({"script": str(mine)}))
