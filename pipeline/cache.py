"""Content keys, atomic writes, file digests and the manifest that says why a job reran.

A job's key is the SHA-256 of the canonical JSON of everything that affects its output
(including upstream keys, asset digests and the producing code's version). Outputs are stored
under their key and written to a temporary name first, then renamed into place: a file at a
key's path is complete by construction, so "cached" is simply "the output exists". An
interrupted build leaves only temporary names, which no build trusts and the next one removes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
import hashlib
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

TEMP_MARK = ".tmp-"


def _plain(value: Any) -> Any:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot key {type(value).__name__}")


def canonical(inputs: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, dataclasses and fractions spelled out."""
    return json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=_plain, ensure_ascii=False)


def key_fields(item: Any, drop: tuple[str, ...] = (), **replaced: Any) -> dict[str, Any]:
    """A dataclass as key inputs: its type and fields, less `drop`, with `replaced` values
    (e.g. a file path replaced by its digest, so a key follows content, not location)."""
    values = {f.name: getattr(item, f.name) for f in dataclasses.fields(item) if f.name not in drop}
    return {"type": type(item).__name__, **values, **replaced}


def content_key(kind: str, inputs: Any) -> str:
    """The key of a job of `kind` whose output depends on exactly `inputs`."""
    return hashlib.sha256(f"{kind}\n{canonical(inputs)}".encode()).hexdigest()[:24]


def temp_name(final: Path) -> Path:
    """A temporary sibling of `final` that keeps its suffix (ffmpeg picks formats by suffix)."""
    return final.with_name(f".{final.stem}{TEMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}{final.suffix}")


@contextmanager
def atomic(final: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success rename it to `final`, on failure remove it.

    Works for files and for directories (a job that writes several files writes a folder).
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_name(final)
    try:
        yield temp
        if final.is_dir() and temp.is_dir():
            shutil.rmtree(final)
        os.replace(temp, final)
    finally:
        if temp.is_dir():
            shutil.rmtree(temp, ignore_errors=True)
        elif temp.exists():
            temp.unlink()


def write_text(final: Path, text: str) -> None:
    """Write a text file atomically."""
    with atomic(final) as temp:
        temp.write_text(text, encoding="utf-8")


def remove_stale_temps(root: Path) -> int:
    """Remove temporary files left by interrupted builds (their writer is no longer running)."""
    removed = 0
    if not root.exists():
        return 0
    for path in root.rglob(f".*{TEMP_MARK}*"):
        pid = path.name.split(TEMP_MARK, 1)[1].split("-", 1)[0]
        if pid.isdigit() and _running(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        removed += 1
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Cache:
    """The store of one project's outputs: `renders/NAME/cache/`."""

    def __init__(self, root: Path):
        self.root = root
        self._digest_file = root / "digests.json"
        self._manifest_file = root / "manifest.json"
        self._probe_file = root / "probes.json"
        self._digests: dict[str, list] | None = None
        self._manifest: dict[str, dict] | None = None
        self._probes: dict[str, list] | None = None

    def path(self, kind: str, key: str, suffix: str = "") -> Path:
        """Where the output of a `kind` job with `key` lives."""
        return self.root / kind / f"{key}{suffix}"

    # -- file digests, memoised by (size, mtime) so big assets are hashed once ---------------
    def digest(self, path: Path) -> str:
        """SHA-256 of a file's bytes. A job's output here is known by its place instead: its
        name is its content key, and it may not be made yet (`film plan` keys jobs on speech
        that `film build` will synthesise)."""
        if path.is_relative_to(self.root):
            return f"output:{path.relative_to(self.root).as_posix()}"
        if self._digests is None:
            self._digests = _read_json(self._digest_file)
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        memo = self._digests.get(str(path))
        if memo and memo[:2] == stamp:
            return memo[2]
        sha = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
        self._digests[str(path)] = [*stamp, sha.hexdigest()]
        return sha.hexdigest()

    # -- what probing a file found, memoised by (size, mtime) so a rebuild probes nothing ------
    def probed(self, path: Path, kind: str) -> Any | None:
        """What probing `path` for `kind` found last time (JSON), or None if it was never
        probed or the file changed since (its size or modification time)."""
        if self._probes is None:
            self._probes = _read_json(self._probe_file)
        try:
            stat = path.stat()
        except OSError:
            return None
        memo = self._probes.get(f"{kind}:{path}")
        return memo[2] if memo and memo[:2] == [stat.st_size, stat.st_mtime_ns] else None

    def remember_probe(self, path: Path, kind: str, found: Any) -> None:
        """Keep what probing `path` for `kind` found (JSON-able) until the file changes."""
        if self._probes is None:
            self._probes = _read_json(self._probe_file)
        try:
            stat = path.stat()
        except OSError:
            return
        self._probes[f"{kind}:{path}"] = [stat.st_size, stat.st_mtime_ns, found]

    # -- the manifest: each job's last key and inputs, to explain reruns -----------------------
    def previous(self, job_id: str) -> dict | None:
        if self._manifest is None:
            self._manifest = _read_json(self._manifest_file)
        return self._manifest.get(job_id)

    def remember(self, job_id: str, key: str, inputs: Any) -> None:
        if self._manifest is None:
            self._manifest = _read_json(self._manifest_file)
        self._manifest[job_id] = {"key": key, "inputs": json.loads(canonical(inputs))}

    def save(self) -> None:
        """Write the digest and probe memos and the manifest (atomically)."""
        self.root.mkdir(parents=True, exist_ok=True)
        if self._digests is not None:
            write_text(self._digest_file, json.dumps(self._digests))
        if self._manifest is not None:
            write_text(self._manifest_file, json.dumps(self._manifest, indent=1, sort_keys=True))
        if self._probes is not None:
            write_text(self._probe_file, json.dumps(self._probes))


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


@dataclass(frozen=True)
class Reason:
    """Why a job runs (as doit says why a task is not up to date): `kind` is "new" (never run
    here), "forced", "output missing" (run before with these inputs, its output gone) or
    "changed" (its inputs differ from the last run: `changed` names the inputs that did)."""

    kind: str
    changed: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"changed: {', '.join(self.changed)}" if self.changed else self.kind


def why(previous: dict | None, key: str, inputs: Any) -> Reason:
    """Why a job must run, from what the cache remembers of its last run (`Cache.previous`)."""
    if previous is None:
        return Reason("new")
    if previous.get("key") == key:
        return Reason("output missing")
    old, new = previous.get("inputs") or {}, json.loads(canonical(inputs))
    if isinstance(old, dict) and isinstance(new, dict):
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        if changed:
            return Reason("changed", tuple(changed))
    return Reason("changed")


@dataclass
class Job:
    """A unit of work with a content key; `run` writes `output` (given a temporary path)."""

    kind: str
    id: str
    inputs: dict[str, Any]
    output: Path
    run: Callable[[Path], None]
    deps: tuple[str, ...] = ()
    key: str = ""


def make_job(cache: "Cache", kind: str, id: str, inputs: dict[str, Any], run: Callable[[Path], None],
             suffix: str = "", deps: tuple[str, ...] = ()) -> Job:
    """A job whose output lives in the cache under the key of `inputs`."""
    key = content_key(kind, inputs)
    return Job(kind=kind, id=id, inputs=inputs, output=cache.path(kind, key, suffix), run=run, deps=deps, key=key)
