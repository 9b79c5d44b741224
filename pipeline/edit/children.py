"""Child processes (ffmpeg) that die with the build, however the build dies.

A build killed by SIGKILL runs no handler, so it cannot stop its ffmpeg processes itself, and
they would run on for minutes writing files nobody will read. Linux can send a child a signal
when its parent dies (`PR_SET_PDEATHSIG`), but only from inside the child before it execs, which
from Python means `preexec_fn`: that holds the interpreter lock across `fork()`, and OpenBLAS's
fork handler (numpy's, loaded by the speech and drawing code) then waits for a thread that waits
for that lock — the build hangs. So a *warden* does it instead: a tiny process started once per
build (Python with no imports, before any ffmpeg), told the id of each child as it starts and
ends through a pipe; when the pipe closes (the build is gone, by any means) it kills the
children still running. A normal exit closes the pipe with no child left, and it just exits.

The one gap: a build killed between starting a child and telling the warden (microseconds).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterable, Sequence

# What the warden runs: read "+PID" / "-PID" lines; on end of input kill what is left.
# It ignores Ctrl-C (the terminal sends it to the whole group): it ends when its input does.
WARDEN = r"""
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
alive = set()
for line in sys.stdin.buffer:
    try:
        pid = int(line[1:])
    except ValueError:
        continue
    (alive.add if line[:1] == b"+" else alive.discard)(pid)
for pid in alive:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""

_lock = threading.Lock()
_live: set[subprocess.Popen] = set()   # children running now (for `stop_all`)
_warden: subprocess.Popen | None = None
_warden_pid = 0   # the build process that started it (a forked process needs its own)


def _tell(message: str) -> None:
    """Send the warden one line, starting it first if this process has none; a warden that is
    gone (it cannot be, short of being killed itself) costs only the guarantee."""
    global _warden, _warden_pid
    with _lock:
        if _warden is None or _warden_pid != os.getpid():
            _warden = subprocess.Popen([sys.executable, "-S", "-E", "-c", WARDEN], stdin=subprocess.PIPE,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _warden_pid = os.getpid()
        try:
            _warden.stdin.write(f"{message}\n".encode())
            _warden.stdin.flush()
        except (OSError, ValueError):
            pass


def watch(pids: Iterable[int]) -> None:
    """Have the warden kill these processes too if this one dies (processes it did not start
    through `run`: the helpers of a local Ray instance); `unwatch` them once they have ended."""
    for pid in pids:
        _tell(f"+{pid}")


def unwatch(pids: Iterable[int]) -> None:
    """The processes `watch`ed have ended (their ids may be given to others now)."""
    for pid in pids:
        _tell(f"-{pid}")


def descendants(pid: int | None = None) -> set[int]:
    """The ids of every process descended from `pid` (this one by default), this build's
    warden left out, read from /proc (empty where there is no /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [os.getpid() if pid is None else pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found - ({_warden.pid} if _warden is not None else set())


def run(command: Sequence[str], input: bytes | str | None = None, **options: Any) -> subprocess.CompletedProcess:
    """`subprocess.run(command, input=…, **options)` (no `check`, no `timeout`), with the child
    killed by the warden if this process dies before it ends, and killed here if this thread
    is interrupted (Ctrl-C) while waiting for it."""
    if input is not None:
        options["stdin"] = subprocess.PIPE
    with subprocess.Popen(command, **options) as process:
        _tell(f"+{process.pid}")
        with _lock:
            _live.add(process)
        try:
            out, err = process.communicate(input)
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            with _lock:
                _live.discard(process)
            _tell(f"-{process.pid}")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def stop_all() -> None:
    """Kill every child running now (the build is stopping: Ctrl-C). Each waiting thread then
    sees its child end and raises, so the build stops in a moment, not when they finish."""
    with _lock:
        running = list(_live)
    for process in running:
        try:
            process.kill()
        except OSError:
            pass
