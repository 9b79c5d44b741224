"""Errors that end a command, each carrying its exit code (as click's exceptions do), raised
once where the fault is found and caught once, by the CLI, which prints `report()` and exits
with `exit_code`. `FilmError` is a mistake in the user's input: its problems, one per line as
`file:line: message`, exit 1. `JobError` is a render job that failed, exit 2. Anything else is
a bug and keeps its traceback."""

from __future__ import annotations

import difflib
import errno
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's input: its `subject` is the file it is in (at `line`,
    1-based; 0 when no line applies), or what else it is about: a command-line option
    (`--out`), a setting (`generator`, `engine`)."""

    subject: str
    line: int
    message: str

    def __str__(self) -> str:
        message, subject = one_line(self.message), one_line(self.subject)
        return f"{subject}:{self.line}: {message}" if self.line else f"{subject}: {message}"


# Every character Python (and a terminal) may break a line at: one problem stays on one line,
# a break the writer put in a name or value shown as its escape (`\n`, `\x85`).
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` with every line break in it written as its escape (`\\n`, `\\u2028`)."""
    return _BREAKS.sub(lambda found: repr(found.group())[1:-1], text)


class Failure(Exception):
    """A command that cannot go on: `report()` is what the user is told, `exit_code` how the
    command ends."""

    exit_code = 1

    def report(self) -> str:
        return str(self)


class FilmError(Failure):
    """The user's input is wrong (exit 1); carries every problem found, not just the first."""

    exit_code = 1

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):   # pickled whole: a job run in another process raises it there
        return type(self), (self.problems,)


class StoryboardError(FilmError):
    """The storyboard (YAML or Fountain) could not be read or does not validate."""


class ProjectNotFound(FilmError):
    """The path given on the command line is not a project."""


class JobError(Failure):
    """A render job failed (exit 2): `job` names it (kind and id), `reason` says why in a line
    or a few. `details` keeps the traceback of the fault behind it ('' if none), and `log`
    names the file it was written to, for a bug report."""

    exit_code = 2

    def __init__(self, job: str, reason: str, details: str = "", log: Path | None = None):
        self.job = job
        self.reason = reason
        self.details = details
        self.log = log
        super().__init__(f"job {job} failed: {reason}" + (f" (traceback in {log})" if log else ""))

    def __reduce__(self):   # pickled whole: a job run in another process raises it there
        return JobError, (self.job, self.reason, self.details, self.log)

    def report(self) -> str:
        return f"error: {self}"


# The machine's answers that no change to the film would fix, by errno, said as what to do
# about them: raised in Python (an OSError) or printed by ffmpeg (as `os.strerror` words them).
DISK_ERRORS = {errno.ENOSPC: "the disk is full (no space left on device)",
               errno.EDQUOT: "the disk quota is used up",
               errno.EFBIG: "a file grew past the size limit on files (ulimit -f)",
               errno.EROFS: "the output folder is on a read-only file system"}


def quoted(text: str, most: int = 60) -> str:
    """`text` quoted for a message, its escapes visible, cut to `most` characters and `…`."""
    return repr(text if len(text) <= most else text[:most] + "…")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or '' when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def did_you_mean_file(written: str, path: Path) -> str:
    """` (did you mean 'dir/close.png'?)` for a missing file `path` (written as `written`) when
    its folder holds a file with a close name, or ''."""
    try:
        siblings = [p.name for p in path.parent.iterdir() if p.is_file()]
    except OSError:
        return ""
    close = difflib.get_close_matches(path.name, siblings, n=1, cutoff=0.6)
    return f" (did you mean '{PurePosixPath(written).with_name(close[0])}'?)" if close else ""


def one_of(choices: Iterable[str]) -> str:
    """`one of: a, b, c` for listing valid names in a message."""
    return "one of: " + ", ".join(choices)
