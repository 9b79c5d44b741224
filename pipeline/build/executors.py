"""Where jobs run, by name (`film build --executor NAME`): `threads` (the default), `processes`
(`--jobs N` worker processes: CPU-bound Python such as the animatic's drawing runs N at once,
which threads cannot under the interpreter lock), and `ray` (a Ray cluster, `--address ADDR`,
or a local one started for the build).

An executor is handed whole jobs (`run_job(job)`: a Future of the seconds it took) and runs
`make(job)` wherever it runs things: the job's output is written under a temporary name,
renamed into place and sealed (`cache.seal`) by the worker, into the same content-addressed
cache, so an output is byte for byte what a local build makes. The runner (`run.execute`)
decides what runs and when; an executor decides nothing. Every executor here is one entry of
`EXECUTORS`.

Processes and Ray pickle each job with cloudpickle (a job's `run` is often a closure). A worker
process is reused from job to job, so a model a generator keeps loaded (the diffusers pipeline,
the voice) is loaded once per worker, not once per shot. On Ray, a job that renders on a GPU
(`Job.gpus`) asks for one; the others ask for one CPU.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Callable

from ..cache import Job, atomic, fingerprint, seal
from ..edit import children
from ..errors import FilmError, JobError, Problem

__all__ = ["EXECUTORS", "ProcessExecutor", "RayExecutor", "ThreadExecutor", "make", "named"]


def make(job: Job) -> float:
    """Make `job`'s output: written under a temporary name, renamed into place, then sealed;
    returns the seconds it took. Raises JobError naming the job whatever failed inside it, a
    FilmError as it is, Ctrl-C as it is; what it wrote beside its output is removed."""
    from .run import job_error

    started = time.perf_counter()
    temp = None
    try:
        with atomic(job.output) as temp:
            job.run(temp)
            made = fingerprint(temp)
        seal(job.output, made)
    except BaseException as error:
        if temp is not None:   # what the job wrote beside its output (a concat list, subtitles)
            import glob
            import shutil

            for leftover in temp.parent.glob(glob.escape(temp.stem) + ".*"):
                shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
        # A user error or a job error already says what is wrong; KeyboardInterrupt and
        # SystemExit are not faults of the job. Anything else is this job's failure.
        if isinstance(error, (FilmError, JobError)) or not isinstance(error, Exception):
            raise
        raise job_error(job, error) from None
    return round(time.perf_counter() - started, 3)


class ThreadExecutor:
    """Jobs on a thread pool, one worker per core by default: jobs are mostly ffmpeg processes,
    so threads run them side by side and ffmpeg uses the cores within each job."""

    def __init__(self, workers: int | None = None):
        self.pool = ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2)

    def run_job(self, job: Job) -> Future:
        return self.pool.submit(make, job)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _watch_build(build: int) -> None:
    """In a worker process: end it (and with it, through its warden, its ffmpeg processes) as
    soon as the build that started it is gone, killed or not: a worker of a killed build must
    not go on writing into a cache another build now holds."""
    import threading

    def watch() -> None:
        while True:
            time.sleep(0.2)
            try:
                os.kill(build, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:   # the id taken by another user's process: the build is gone
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-build").start()


def _make_pickled(blob: bytes) -> float:
    import cloudpickle

    return make(cloudpickle.loads(blob))


class ProcessExecutor:
    """Jobs in worker processes (`forkserver`: started clean, not forked from a build that has
    threads), one per core by default; each job pickled with cloudpickle. A worker ends itself
    within 0.2 s of the build's end, however the build ended (`_watch_build`)."""

    def __init__(self, workers: int | None = None):
        import multiprocessing

        self.pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 2,
                                        mp_context=multiprocessing.get_context("forkserver"),
                                        initializer=_watch_build, initargs=(os.getpid(),))

    def run_job(self, job: Job) -> Future:
        import cloudpickle

        return self.pool.submit(_make_pickled, cloudpickle.dumps(job))

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


class RayExecutor:
    """Jobs as Ray tasks: on the cluster at `address` (`ray start --head` prints it), or on a
    Ray instance started here for the build (`workers` CPUs) and stopped after it; joins one
    already running in this process (`ray.init` done by the caller). Raises FilmError (exit 1)
    when Ray is not installed or the cluster cannot be reached."""

    def __init__(self, address: str | None = None, workers: int | None = None):
        try:
            import ray
        except ImportError:
            raise FilmError([Problem("--executor", 0, "ray: Ray is not installed; install it with "
                                                      "pip install -e '.[ray]' in film's folder (or pip install "
                                                      "ray)")]) from None
        self.ray = ray
        self.started = False
        if not ray.is_initialized():
            try:
                ray.init(address=address, num_cpus=None if address else (workers or os.cpu_count() or 2),
                         include_dashboard=False, log_to_driver=False, configure_logging=False)
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise FilmError([Problem("--address", 0, f"cannot join the Ray cluster at {address}: "
                                                         f"{str(error).splitlines()[0]}")]) from None
            self.started = True
        # A local instance's helpers (its store, scheduler, workers) are this build's children:
        # the warden kills them if the build is killed (SIGKILL runs no `ray.shutdown`).
        self.helpers = children.descendants() if self.started and not address else set()
        children.watch(self.helpers)
        self.task = ray.remote(make)

    def run_job(self, job: Job) -> Future:
        return self.task.options(num_cpus=0 if job.gpus else 1, num_gpus=job.gpus,
                                 max_retries=0).remote(job).future()

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        if self.started:
            self.ray.shutdown()
            self.started = False
            children.unwatch(self.helpers)


EXECUTORS: dict[str, Callable[..., object]] = {
    "threads": lambda workers=None, address=None: ThreadExecutor(workers),
    "processes": lambda workers=None, address=None: ProcessExecutor(workers),
    "ray": lambda workers=None, address=None: RayExecutor(address, workers),
}


def named(name: str, workers: int | None = None, address: str | None = None):
    """The executor called `name` (`EXECUTORS`), for `workers` jobs at once; `address` is a Ray
    cluster's. Raises FilmError for an unknown name, or as the executor does."""
    from ..errors import did_you_mean

    if name not in EXECUTORS:
        raise FilmError([Problem("--executor", 0, f"no executor '{name}'{did_you_mean(name, EXECUTORS)}; "
                                                  f"one of: {', '.join(EXECUTORS)}")])
    if address and name != "ray":
        raise FilmError([Problem("--address", 0, "names a Ray cluster: use it with --executor ray")])
    return EXECUTORS[name](workers=workers, address=address)
