"""Running jobs: what is not cached runs, dependencies first, through an executor, and every
step is told to a reporter.

The runner decides (what is cached, what must run and why, what may start now); an executor
only makes a job's output somewhere — threads, processes or a Ray cluster (`executors`) — and
a reporter only hears about it (a progress bar, plain log lines, JSON), as doit separates its
task runner from its reporters. A job's output is written under a temporary name, renamed when
whole and sealed (`executors.make`), so a killed build leaves nothing a later build trusts.
"""

from __future__ import annotations

import traceback
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from ..cache import Cache, Job, Reason, unseal, why, write_text
from ..edit import children
from ..edit.ffmpeg import FFmpegError
from ..errors import DISK_ERRORS, JobError, one_line
from .executors import ThreadExecutor, make

if TYPE_CHECKING:
    from ..plan import Plan
    from .graph import Graph

ERROR_LOG = "error.log"
Status = Literal["cached", "rendered"]


@dataclass
class JobResult:
    """How a job ended: `status` "cached" (its output was there) or "rendered" (it ran, for
    `reason`, in `seconds`), and where its output is."""

    kind: str
    id: str
    key: str
    status: Status
    seconds: float
    output: str
    reason: Reason | None = None

    def record(self) -> dict:
        """The result as build.json lists it (the reason as its words, "" when cached)."""
        return {**vars(self), "reason": str(self.reason or "")}


@dataclass
class BuildResult:
    """A finished build: its plan, the cut (`output`) in `folder`, every job's result, how long
    it took (seconds), what `lock.json` records for its generated shots (`locks`), whether it
    built only some shots (`--only`: `partial`), and the jobs that failed in a build that
    allowed them (`missing`: their shots are slates in the cut). `graph` and `cache` are the
    jobs that made it and where their outputs are, for exports that read them; `exported` the
    files the exports asked for wrote."""

    plan: "Plan"
    output: Path
    folder: Path
    results: list[JobResult] = field(default_factory=list)
    seconds: float = 0.0
    locks: dict[str, dict] = field(default_factory=dict)
    partial: bool = False
    missing: tuple["Failed", ...] = ()
    graph: "Graph | None" = None
    cache: Cache | None = None
    exported: tuple[Path, ...] = ()   # what the exports asked for wrote
    reporter: "Reporter | None" = None   # who watched the build, for exports that run jobs
    languages: dict[str, "BuildResult"] = field(default_factory=dict)   # the film's other languages, by tag

    @property
    def rendered(self) -> int:
        return sum(r.status == "rendered" for r in self.results)

    @property
    def cached(self) -> int:
        return sum(r.status == "cached" for r in self.results)


class Reporter(Protocol):
    """What a build tells whoever watches it. Every method is optional in practice: subclass
    `Reporter` and override what you show."""

    def stage(self, name: str, jobs: int, to_run: int) -> None:
        """A stage of `jobs` jobs begins, `to_run` of them not cached."""

    def started(self, job: Job, reason: Reason) -> None:
        """`job` starts running, for `reason`."""

    def finished(self, done: int, total: int, result: JobResult) -> None:
        """`result`'s job is done (cached or rendered): `done` of the stage's `total`."""

    def failed(self, job: Job, error: BaseException) -> None:
        """`job` failed with `error` (the build stops once running jobs finish)."""

    def waiting(self, why: str) -> None:
        """The build waits before it starts, for `why` (another build of the film is running)."""


class QuietReporter:
    """A reporter that shows nothing (the default)."""

    def stage(self, name: str, jobs: int, to_run: int) -> None:
        pass

    def started(self, job: Job, reason: Reason) -> None:
        pass

    def finished(self, done: int, total: int, result: JobResult) -> None:
        pass

    def failed(self, job: Job, error: BaseException) -> None:
        pass

    def waiting(self, why: str) -> None:
        pass


class Executor(Protocol):
    """Where jobs run (`executors`): `run_job(job)` makes the job's output somewhere
    (`executors.make`) and returns a Future of the seconds it took. An executor with only
    `submit(fn)` (a `concurrent.futures` pool) is given `fn()`, which makes the job there."""

    def run_job(self, job: Job) -> Future: ...

    def shutdown(self, wait: bool = True) -> None: ...


def to_run(jobs: list[Job], cache: Cache, force: bool) -> int:
    """How many of `jobs` will run: all when forced, else those whose output is missing or
    damaged (`Cache.damage`)."""
    return len(jobs) if force else sum(cache.damage(job.output) != "" for job in jobs)


def execute(jobs: list[Job], cache: Cache, force: bool = False, workers: int | None = None,
            reporter: Reporter | None = None, executor: Executor | None = None,
            keep_going: bool = False) -> list[JobResult]:
    """Run every job whose output is missing or damaged (or all with `force`), dependencies
    first; returns each job's result in `jobs`' order.

    Raises the first failure once running jobs have finished: a JobError (exit 2) naming the
    job, its traceback written to renders/NAME/error.log; a FilmError as it is; Ctrl-C as it is.
    With `keep_going`, a job that fails stops only the jobs that need it: every other job runs,
    then JobsFailed (exit 2) lists each failure and each job not run for one, with what did run
    (`JobsFailed.results`). Ctrl-C and input errors still stop the build at once.
    """
    reporter = reporter or QuietReporter()
    pool = executor or ThreadExecutor(workers)
    by_id = {job.id: job for job in jobs}
    upstream = {job.key: f"{job.kind} {job.id}" for job in jobs}
    results: dict[str, JobResult] = {}
    pending = list(jobs)
    running: dict[Future, tuple[Job, Reason]] = {}
    failure: BaseException | None = None
    failed: dict[str, Failed] = {}   # with keep_going: each job that failed or could not run

    def start(job: Job, reason: Reason) -> None:
        run_job = getattr(pool, "run_job", None)
        if run_job is not None:
            running[run_job(job)] = (job, reason)
        else:   # a plain pool: the job is made on it
            running[pool.submit(lambda: make(job))] = (job, reason)

    def finish(job: Job, result: JobResult) -> None:
        results[job.id] = result
        cache.remember(job.id, job.key, job.inputs)
        reporter.finished(len(results), len(jobs), result)

    def start_ready() -> None:
        """Every pending job whose dependencies are done: cached, or submitted (in order, so a
        job whose dependency turns out cached in this pass starts in it too). A job that needs
        one that failed is not run (`jobs` lists dependencies first, so one pass finds chains)."""
        for job in list(pending):
            lost = next((dep for dep in job.deps if dep in failed), None)
            if lost is not None:
                pending.remove(job)
                failed[job.id] = Failed(job.kind, job.id, f"needs {failed[lost].kind} {lost}, which "
                                                          f"{'failed' if not failed[lost].needs else 'was not made'}",
                                        needs=failed[lost].needs or lost)
                continue
            if any(dep in by_id and dep not in results for dep in job.deps):
                continue
            pending.remove(job)
            problem = "" if force else cache.damage(job.output)
            if not force and not problem:
                finish(job, JobResult(job.kind, job.id, job.key, "cached", 0.0, str(job.output)))
                continue
            reason = Reason("forced") if force else why(cache.previous(job.id), job.key, job.inputs, problem,
                                                         upstream)
            if reason.kind == "damaged":   # nothing may read it while the job makes it again
                unseal(job.output)
            reporter.started(job, reason)
            start(job, reason)

    try:
        while pending or running:
            if failure is None:
                start_ready()
            else:
                pending.clear()   # after a failure, only what runs already finishes
            if not running:
                if pending and failure is None:
                    continue
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job, reason = running.pop(future)
                try:
                    seconds = future.result()
                    cache.made(job.output)
                    finish(job, JobResult(job.kind, job.id, job.key, "rendered", seconds, str(job.output), reason))
                except BaseException as error:  # noqa: BLE001 - re-raised after running jobs finish
                    reporter.failed(job, error)
                    if keep_going and isinstance(error, JobError):
                        failed[job.id] = Failed(job.kind, job.id, error.reason, details=error.details)
                    else:
                        failure = failure or error
    except BaseException:
        # Stopped (Ctrl-C): what is running is killed and what waits is dropped, so the build
        # ends in a moment; their temporary files are removed as their jobs fail.
        children.stop_all()
        if executor is None:
            pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if executor is None:
            pool.shutdown(wait=True)
    try:
        cache.save()
    except OSError:
        if failure is None and not failed:
            raise
        # The disk that failed the job may fail this too: the job's error is the one to tell.
    if isinstance(failure, JobError) and failure.details:
        log = _write_log(cache, failure.details)
        raise JobError(failure.job, failure.reason, log=log) from None
    if failure is not None:
        raise failure
    if failed:
        log = _write_log(cache, "\n".join(f.details for f in failed.values() if f.details))
        raise JobsFailed(tuple(failed.values()), [results[j.id] for j in jobs if j.id in results], log)
    return [results[job.id] for job in jobs]


def _write_log(cache: Cache, details: str) -> Path | None:
    """Write the tracebacks of failed jobs to renders/NAME/error.log; its path, or None if it
    could not be written (the disk that failed them may refuse it too)."""
    log = cache.root.parent / ERROR_LOG
    try:
        write_text(log, details)
    except OSError:
        return None
    return log


@dataclass(frozen=True)
class Failed:
    """A job that failed (`reason` says why, `details` holds its traceback) or that was not run
    because it `needs` one that failed (the id of the first that did)."""

    kind: str
    id: str
    reason: str
    needs: str = ""
    details: str = ""


class JobsFailed(JobError):
    """Jobs failed in a build that kept going (exit 2): each failure and each job not run for
    one (`failed`), with the results of the jobs that did run or were cached (`results`)."""

    def __init__(self, failed: tuple[Failed, ...], results: list[JobResult], log: Path | None = None):
        self.failed = failed
        self.results = results
        first = next(f for f in failed if not f.needs)
        super().__init__(f"{first.kind} {first.id}", first.reason, log=log)

    def report(self) -> str:
        broken = [f for f in self.failed if not f.needs]
        skipped = [f for f in self.failed if f.needs]
        lines = [f"error: {len(broken)} job{'s' if len(broken) != 1 else ''} failed"
                 + (f", {len(skipped)} not run for want of them" if skipped else "")
                 + (f" (tracebacks in {self.log})" if self.log else "") + ":"]
        lines += [f"  {f.kind} {one_line(f.id)}: {one_line(f.reason.removeprefix(f'{f.kind} {f.id}: '))}"
                  for f in broken]
        lines += [f"  not run: {f.kind} {one_line(f.id)} ({one_line(f.reason)})" for f in skipped]
        return "\n".join(lines)


def job_error(job: Job, error: Exception) -> JobError:
    """`error`, raised inside `job`, as a JobError: the job's kind and id, the exception's type
    and message (ffmpeg's own message as it is), and its traceback kept as `details`."""
    if isinstance(error, FFmpegError):
        reason = str(error)
    elif isinstance(error, OSError) and error.errno in DISK_ERRORS:
        where = f" writing {error.filename}" if error.filename else ""
        reason = f"{DISK_ERRORS[error.errno]}{where}"
    else:
        message = str(error).strip()
        if len(message) > 300:
            message = message[:299] + "…"
        reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
    details = f"job {job.kind} {job.id} failed\n" + "".join(traceback.format_exception(error))
    return JobError(f"{job.kind} {job.id}", reason, details)
