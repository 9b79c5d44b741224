"""Content keys, atomic writes, file digests, seals and the manifest that says why a job reran.

A job's key is the SHA-256 of the canonical JSON of everything that affects its output
(including upstream keys, asset digests and the producing code's version). Outputs are stored
under their key and written to a temporary name first, then renamed into place, so an
interrupted build leaves only temporary names, which no build trusts and the next one removes.

A finished output is then *sealed*: its size and SHA-256 are written beside it (`KEY.mp4.seal`,
after the output is in place). An output is reused only when its seal is there and it still
matches: a file cut short, zeroed, replaced or edited by hand, or one whose seal a kill
prevented, is redone, with what was wrong as the reason. Reading a file back costs about a
second a gigabyte (SHA-256 runs at 1.4 GB/s here), so a file (or a folder's files) whose size,
modification time, change time and inode are those it was sealed with is not read again:
writing to a file through the file system sets its change time to the present, which no
program can set back.
"""

from __future__ import annotations

import contextlib
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
SEAL = ".seal"   # the suffix of the record of a finished output's size and digest


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
        if temp.is_dir() and final.is_dir():
            # A folder cannot replace a folder in one rename: move the old one aside first (a
            # reader between the two renames finds no output and waits for the job, never
            # half of one) and remove it after.
            old = temp_name(final)
            os.replace(final, old)
            os.replace(temp, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
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


@dataclass(frozen=True)
class Fingerprint:
    """What an output was when it was sealed: its `size` in bytes (a folder's: its files'
    together), the SHA-256 of its bytes (a folder's: of each file's name and bytes, in name
    order), and its `stamp` (`_stamp`) that lets a later build skip reading it again."""

    size: int
    sha256: str
    stamp: list = dataclasses.field(default_factory=list)


def _stamp(path: Path) -> list:
    """A file's [size, mtime, ctime, inode]; a folder's [name, size, mtime, ctime, inode] for
    each of its files (a file added, removed or written to changes it). JSON as it is."""
    if path.is_file():
        stat = path.stat()
        return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
    found = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        stat = file.stat()
        found.append([file.relative_to(path).as_posix(), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns,
                      stat.st_ino])
    return found


def fingerprint(path: Path) -> Fingerprint:
    """The size and SHA-256 of a file, or of a folder's files. Raises OSError if unreadable."""
    sha = hashlib.sha256()
    size = 0
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        if file != path:
            sha.update(f"{file.relative_to(path).as_posix()}\0".encode())
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
                size += len(block)
    return Fingerprint(size, sha.hexdigest(), _stamp(path))


def seal_of(output: Path) -> Path:
    """Where the seal of `output` lives: beside it, `NAME.seal`."""
    return output.with_name(output.name + SEAL)


def seal(output: Path, found: Fingerprint) -> None:
    """Record that `output` is finished and was `found` (taken before its rename into place; the
    stamp is taken now, as a rename may change a file's change time)."""
    write_text(seal_of(output), json.dumps({"size": found.size, "sha256": found.sha256, "stamp": _stamp(output)}))


def damage(output: Path, refresh: bool = True) -> str:
    """Why `output` cannot be reused ("" when it can): "missing", "not sealed" (a build was
    stopped before it could record it), "cut short: 1,024 of 4,096 bytes", "its bytes changed
    since it was made"; for a folder, naming the file ("speech.wav: cut short: …" — the size
    is the folder's). Reads the output only when its stamp differs from its seal's; then, when
    it is intact and `refresh`, records the new stamp in its seal (the next read is cheap)."""
    if not output.exists():
        return "missing"
    try:
        record = json.loads(seal_of(output).read_text(encoding="utf-8"))
        size, sha, stamp = int(record["size"]), str(record["sha256"]), list(record.get("stamp") or [])
    except (OSError, ValueError, TypeError, KeyError):
        return "not sealed (a build stopped before it finished it)"
    try:
        now = _stamp(output)
        if output.is_file() and now[0] != size:
            return _size_damage(now[0], size)
        if stamp and now == stamp:
            return ""
        found = fingerprint(output)
    except OSError as error:
        return f"unreadable ({error.strerror or error})"
    if found.size != size or found.sha256 != sha:
        what = _size_damage(found.size, size) if found.size != size else "its bytes changed since it was made"
        return (_changed_file(stamp, now) or what) if output.is_dir() else what
    if refresh:
        with contextlib.suppress(OSError):   # intact, copied or touched: remember the new stamp, to read it once
            seal(output, found)
    return ""


def _changed_file(stamp: list, now: list) -> str:
    """What changed in a folder output, by the first of its files whose stamp moved or that came
    or went since it was sealed, in that file's own sizes: `speech.wav: cut short: 100 of 4,104
    bytes`, `speech.wav: its bytes changed since it was made`, `speech.wav gone`; "" if the
    stamps do not tell."""
    then = {entry[0]: entry[1:] for entry in stamp if isinstance(entry, list) and entry}
    if not then:   # a seal with no stamps (a cache copied from elsewhere) tells nothing per file
        return ""
    current = {entry[0]: entry[1:] for entry in now}
    for name in sorted(then.keys() | current.keys()):
        if then.get(name) == current.get(name):
            continue
        if name not in current:
            return f"{name} gone"
        if name not in then:
            return f"{name}: not made by the build"
        made, found = then[name][0], current[name][0]
        if isinstance(made, int) and made != found:
            return f"{name}: {_size_damage(found, made)}"
        return f"{name}: its bytes changed since it was made"
    return ""


def _size_damage(now: int, made: int) -> str:
    return f"cut short: {now:,} of {made:,} bytes" if now < made else f"{now:,} bytes where {made:,} were made"


def unseal(output: Path) -> None:
    """Remove `output` and its seal (a damaged output, or one a user forgets)."""
    seal_of(output).unlink(missing_ok=True)
    discard(output)


def discard(path: Path) -> None:
    """Remove a file, or a folder whole (never what a link points to); nothing if it is gone."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


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

    def __init__(self, root: Path, read_only: bool = False):
        self.root = root
        self.read_only = read_only   # for commands that only read (`status`, `plan`): no seal is rewritten
        self._digest_file = root / "digests.json"
        self._manifest_file = root / "manifest.json"
        self._probe_file = root / "probes.json"
        self._timing_file = root / "timings.json"
        self._timings: dict[str, list] | None = None
        self._digests: dict[str, list] | None = None
        self._manifest: dict[str, dict] | None = None
        self._probes: dict[str, list] | None = None
        self._damage: dict[Path, str] = {}
        self._changed: set[str] = set()   # the memos to write back: a no-op build writes none

    def __getstate__(self) -> dict:
        """A Cache sent to a worker (inside a job) travels without its memos: it needs none."""
        return {**self.__dict__, "_digests": None, "_manifest": None, "_probes": None, "_timings": None,
                "_damage": {}, "_changed": set()}

    def damage(self, output: Path) -> str:
        """Why the output at `output` cannot be reused, "" when it can (`damage`), found once
        per Cache (a build reads each output back at most once)."""
        if output not in self._damage:
            self._damage[output] = damage(output, refresh=not self.read_only)
        return self._damage[output]

    def made(self, output: Path) -> None:
        """`output` was just made and sealed (here or by a worker elsewhere): it is intact."""
        self._damage[output] = ""

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
        memo = _memo(self._digests.get(str(path)))
        if memo and memo[:2] == stamp and isinstance(memo[2], str):
            return memo[2]
        sha = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                sha.update(block)
        self._digests[str(path)] = [*stamp, sha.hexdigest()]
        self._changed.add("digests")
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
        memo = _memo(self._probes.get(f"{kind}:{path}"))
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
        self._changed.add("probes")

    # -- how long each line of speech turned out, by its voice job's key --------------------------
    def timing(self, key: str) -> tuple[float, list] | None:
        """The length (seconds) and word times a voice job with `key` made, if one ever did here:
        its output may be gone (forgotten, damaged), but the same key makes the same speech, so
        `film plan` and `film status` time its shot exactly instead of estimating."""
        if self._timings is None:
            self._timings = _read_json(self._timing_file)
        found = self._timings.get(key)
        if isinstance(found, list) and len(found) == 2 and isinstance(found[0], (int, float)) \
                and isinstance(found[1], list):
            return float(found[0]), found[1]
        return None

    def remember_timing(self, key: str, seconds: float, words: list) -> None:
        """Keep what a voice job with `key` made (saved with the cache)."""
        if self._timings is None:
            self._timings = _read_json(self._timing_file)
        if self._timings.get(key) != [seconds, words]:
            self._timings[key] = [seconds, words]
            self._changed.add("timings")

    # -- the manifest: each job's last key and inputs, to explain reruns -----------------------
    def previous(self, job_id: str) -> dict | None:
        if self._manifest is None:
            self._manifest = _read_json(self._manifest_file)
        found = self._manifest.get(job_id)
        return found if isinstance(found, dict) else None

    def remember(self, job_id: str, key: str, inputs: Any) -> None:
        if self._manifest is None:
            self._manifest = _read_json(self._manifest_file)
        found = self._manifest.get(job_id)
        if isinstance(found, dict) and found.get("key") == key:   # the same key: the same inputs
            return
        self._manifest[job_id] = {"key": key, "inputs": json.loads(canonical(inputs))}
        self._changed.add("manifest")

    def save(self) -> None:
        """Write the digest, probe and timing memos and the manifest (atomically), those that
        changed since they were read."""
        self.root.mkdir(parents=True, exist_ok=True)
        written = {"digests": (self._digest_file, self._digests), "manifest": (self._manifest_file, self._manifest),
                   "probes": (self._probe_file, self._probes), "timings": (self._timing_file, self._timings)}
        for name in sorted(self._changed):
            path, memo = written[name]
            # Compact: with `indent`, json writes in pure Python, ten times slower on a big manifest.
            write_text(path, json.dumps(memo, sort_keys=True, separators=(",", ":")))
        self._changed.clear()


def _read_json(path: Path) -> dict:
    """A memo file's contents; an empty memo when it is missing, unreadable or not a JSON
    object (a memo only saves work: losing it costs a re-hash, never a wrong answer). A place
    that cannot be read at all (not a folder, no permission) is the machine's answer: raised."""
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):   # ValueError: not JSON, or not UTF-8
        return {}
    return found if isinstance(found, dict) else {}


def _memo(value: Any) -> list | None:
    """A memo entry `[size, mtime_ns, found]`, or None for anything else."""
    return value if isinstance(value, list) and len(value) == 3 else None


@dataclass(frozen=True)
class Reason:
    """Why a job runs (as doit says why a task is not up to date): `kind` is "new" (never run
    here), "forced", "output missing" (run before with these inputs, its output gone),
    "damaged" (its output is there but not what was made: `detail` says how) or "changed" (its
    inputs differ from the last run: `changed` names each input that did, as a dotted path into
    the inputs — `panel.prompt`, `parts.0.start` — or `upstream KIND ID` where what changed is
    the key of a job it reads)."""

    kind: str
    changed: tuple[str, ...] = ()
    detail: str = ""

    def __str__(self) -> str:
        if self.changed:
            return f"changed: {', '.join(self.changed)}"
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


MOST_CHANGES = 6   # named in a reason; past them "… N more"


def why(previous: dict | None, key: str, inputs: Any, damage: str = "",
        upstream: Mapping[str, str] | None = None) -> Reason:
    """Why a job must run, from what the cache remembers of its last run (`Cache.previous`),
    what is wrong with the output at its key (`damage`, "" or "missing" when nothing is there)
    and the jobs that upstream keys belong to (`upstream`: key → "KIND ID")."""
    if damage and damage != "missing":
        return Reason("damaged", detail=damage)
    if previous is None:
        return Reason("new")
    if previous.get("key") == key:
        return Reason("output missing")
    changed = _changes(previous.get("inputs"), json.loads(canonical(inputs)), "", upstream or {})
    unique = tuple(dict.fromkeys(changed))
    if len(unique) > MOST_CHANGES:
        unique = unique[:MOST_CHANGES - 1] + (f"… {len(unique) - MOST_CHANGES + 1} more",)
    return Reason("changed", unique)


def _changes(old: Any, new: Any, path: str, upstream: Mapping[str, str]) -> list[str]:
    """The dotted paths at which `new` differs from `old` (leaves, or a list that changed
    length); a string that is an upstream job's key is named as that job."""
    if old == new:
        return []
    if isinstance(new, str) and new in upstream:
        return [f"upstream {upstream[new]}"]
    if isinstance(old, dict) and isinstance(new, dict):
        return [c for k in sorted(old.keys() | new.keys(), key=str)
                for c in _changes(old.get(k), new.get(k), f"{path}.{k}" if path else str(k), upstream)]
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [c for i, (a, b) in enumerate(zip(old, new)) for c in _changes(a, b, f"{path}.{i}", upstream)]
    return [path or "inputs"]


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
    gpus: float = 0.0   # GPUs it renders on (a cluster gives it them; 0: a CPU)


def make_job(cache: "Cache", kind: str, id: str, inputs: dict[str, Any], run: Callable[[Path], None],
             suffix: str = "", deps: tuple[str, ...] = (), gpus: float = 0.0) -> Job:
    """A job whose output lives in the cache under the key of `inputs`."""
    key = content_key(kind, inputs)
    return Job(kind=kind, id=id, inputs=inputs, output=cache.path(kind, key, suffix), run=run, deps=deps, key=key,
               gpus=gpus)
