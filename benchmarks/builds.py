"""Builds at size (issue: builds you can trust, at any size): synthetic projects of 10, 40 and
160 animatic shots, each with a line of narration, under a generated music bed.

Prints one table, measured in this run, each build a new `film` process as a user runs it:
- cold build: wall seconds and CPU seconds (the film process and every process it waited for:
  ffmpeg, the warden), and the peak memory of the largest single process;
- no-op rebuild (nothing changed; target under 1 s at 160 shots) and `film status` (under 0.5 s);
- one narration line edited in the middle: what it costs and how many jobs ran;
- reading the cache back: the seals checked from their stat stamps (what a rebuild does) and
  every output re-hashed (a cache copied to another disk), in seconds for its megabytes;
- the cache's size.
Then `--jobs 2` against `--jobs 1` for the 40-shot cold build (both forced), on threads and on
worker processes (`--executor processes`), and for its 40 panels alone (the jobs that are
CPU-bound Python); the overhead per job of a local Ray instance against
threads (200 jobs that each write a small file, run twice); and the mix alone for 1,000
separate lines of speech (wall, CPU, peak memory), then mixed again after an edit that moves
nothing and after one that moves everything after the middle (CPU seconds of each mix).

    python benchmarks/builds.py [--sizes 10 40 160] [--size 640x360]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("harbour lamp gull rope tide stone bell ferry window candle net boat rain shore lighthouse keeper "
         "morning letter wind coat").split()


def storyboard(shots: int, size: str) -> str:
    """A film of `shots` animatic shots in scenes of eight, each narrated in one sentence."""
    lines = ["title: Scale Film", "fps: 24", f"size: {size}", "seed: 11", "music: {generate: ambient, gain: -8}",
             "scenes:"]
    for n in range(shots):
        if n % 8 == 0:
            lines += [f"  - heading: EXT. HARBOUR {n // 8} - DAY", "    shots:"]
        a, b, c = WORDS[n % len(WORDS)], WORDS[(3 * n + 1) % len(WORDS)], WORDS[(7 * n + 2) % len(WORDS)]
        lines.append(f"      - {{id: s{n}, prompt: 'a {a} by the {b}', narration: 'The {a} waited by the {b} "
                     f"until the {c} came.'}}")
    return "\n".join(lines) + "\n"


# Runs a command and prints its wall time, CPU time and peak memory: the rusage of the children
# of this small process is that of the command and every process it waited for, and no other.
MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([time.perf_counter() - started, used.ru_utime + used.ru_stime, used.ru_maxrss, done.returncode,
                  done.stdout, done.stderr]))
"""


# As a user runs it: Python keeps the compiled modules it reads (a sandbox that turns that off,
# with PYTHONDONTWRITEBYTECODE, would otherwise time compiling every module of the project).
USER_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def measured(command: list[str], cwd: Path | None = None) -> tuple[float, float, int, str]:
    """Run `command`: (wall seconds, CPU seconds of it and its children, peak KB of the largest
    process among them, stdout). Exits naming the command if it fails."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=cwd, capture_output=True, text=True,
                         check=True, env=USER_ENV).stdout
    wall, cpu, peak, code, stdout, stderr = json.loads(out)
    if code:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return wall, cpu, peak, stdout


def film(*args: str, cwd: Path) -> tuple[float, float, int, str]:
    """`film ARGS` in a new process, measured (`measured`)."""
    return measured([sys.executable, "-m", "pipeline", *args], cwd)


def rendered(folder: Path, name: str) -> int:
    report = json.loads((folder / "renders" / name / "build.json").read_text())
    return sum(job["status"] == "rendered" for job in report["jobs"])


def cache_read(cache: Path) -> tuple[float, float, float]:
    """(seconds to check every seal from its stamp, seconds to re-hash every output, MB)."""
    from pipeline.cache import SEAL, damage, seal_of

    outputs = [p.with_name(p.name[: -len(SEAL)]) for p in cache.rglob(f"*{SEAL}")]
    started = time.perf_counter()
    assert all(damage(o) == "" for o in outputs)
    stamped = time.perf_counter() - started
    for output in outputs:   # forget the stamps: a cache copied to another disk reads all back
        record = json.loads(seal_of(output).read_text())
        record["stamp"] = []
        seal_of(output).write_text(json.dumps(record))
    started = time.perf_counter()
    assert all(damage(o) == "" for o in outputs)
    hashed = time.perf_counter() - started
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file()) / 1e6
    return stamped, hashed, size


def mix_alone(lines: int, folder: Path) -> tuple[float, float, int, dict]:
    """The mix of `lines` separate 0.6 s lines, one every 2 s, under a music bed, in a new
    process, then two edits mixed again with the parts kept, as a build does: the middle line
    rewritten to the same length (nothing moves), then a line in the middle made 0.5 s longer
    (every sound after it moves). The dialogue passages are made first, as the build makes them
    (jobs of their own). (wall, CPU seconds, peak KB of the whole; CPU seconds of each mix)."""
    script = f"""
import json, resource, sys
import numpy as np
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from pipeline.audio.ambient import pad_loop, write_wav
from pipeline.audio.mix import Passage, PlacedLine, mix, mix_passage, passage_span, passages
from pipeline.plan import Bed
folder = Path({str(folder)!r})
t = np.arange(round(0.6 * 48000)) / 48000
write_wav(folder / "word.wav", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32))
write_wav(folder / "other.wav", (0.3 * np.sin(2 * np.pi * 550 * t)).astype(np.float32))
write_wav(folder / "pad.wav", pad_loop(seed=1))

def cpu():
    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))

def mixed(lines, total, name):
    spoken = []
    for i, run in enumerate(passages(lines)):
        made = folder / f"{{name}}-passage-{{i}}.wav"
        mix_passage(run, made)
        spoken.append(Passage(made, *passage_span(run)))
    bed = Bed(folder / "pad.wav", 0.0, total, gain=-8, fade_in=1, fade_out=1, loop=True)
    before = cpu()
    mix([bed], lines, total, folder / f"{{name}}.m4a", spoken=spoken, parts=folder / "parts")
    return cpu() - before

n = {lines}
total = 2.0 * n + 2
lines = [PlacedLine(folder / "word.wav", 1.0 + 2.0 * i, 0.6) for i in range(n)]
costs = {{"cold": mixed(lines, total, "cold")}}
same = [PlacedLine(folder / "other.wav", l.start, l.seconds) if i == n // 2 else l for i, l in enumerate(lines)]
costs["same length"] = mixed(same, total, "same")
longer = [PlacedLine(l.path, l.start + 0.5 * (i > n // 2), l.seconds) for i, l in enumerate(same)]
costs["longer"] = mixed(longer, total + 0.5, "longer")
print(json.dumps(costs))
"""
    wall, cpu, peak, out = measured([sys.executable, "-c", script])
    return wall, cpu, peak, json.loads(out)


def python_jobs(folder: Path) -> dict[tuple[str, int], float]:
    """Seconds to draw every animatic panel of the (built) film in `folder` again (its shot
    jobs alone: CPU-bound Python), on each executor with 1 and 2 jobs at once."""
    from pipeline.build import make_graph, prepare
    from pipeline.build.executors import ProcessExecutor, ThreadExecutor
    from pipeline.build.run import execute
    from pipeline.cache import Cache
    from pipeline.parse import load

    board = load(folder)
    cache = Cache(folder / "renders" / board.name / "cache")
    plan, _ = prepare(board, cache)
    shots = [job for job in make_graph(plan, cache).jobs if job.kind == "shot"]
    took = {}
    for name, make in (("threads", ThreadExecutor), ("processes", ProcessExecutor)):
        for n in (1, 2):
            executor = make(n)
            # a first pass starts the workers and fills their caches (fonts, pictograms); the second is timed
            execute(shots, cache, force=True, executor=executor)
            started = time.perf_counter()
            execute(shots, cache, force=True, executor=executor)
            took[name, n] = time.perf_counter() - started
            executor.shutdown()
    return took


def executor_overhead(jobs: int, folder: Path) -> tuple[float, float]:
    """Seconds per job on threads and on a local Ray instance (2 CPUs, started first and not
    counted), for `jobs` jobs that each write a small file; the second of two runs of each."""
    import ray

    from pipeline.build.executors import RayExecutor, ThreadExecutor
    from pipeline.build.run import execute
    from pipeline.cache import Cache, make_job

    def batch(tag: str) -> tuple[list, Cache]:
        cache = Cache(folder / tag)
        return [make_job(cache, "note", f"n{i}", {"n": i, "tag": tag}, lambda out, i=i: out.write_text(str(i)),
                         suffix=".txt") for i in range(jobs)], cache

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    per_job = []
    try:
        for name, executor in (("threads", ThreadExecutor(2)), ("ray", RayExecutor())):
            took = 0.0
            for attempt in range(2):
                work, cache = batch(f"{name}{attempt}")
                started = time.perf_counter()
                execute(work, cache, executor=executor)
                took = time.perf_counter() - started
            executor.shutdown()
            per_job.append(took / jobs)
    finally:
        ray.shutdown()
    return per_job[0], per_job[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 40, 160])
    parser.add_argument("--size", default="640x360", help="frame size of the films")
    parser.add_argument("--mix-lines", type=int, default=1000)
    parser.add_argument("--films-only", action="store_true", help="only the table of films (no --jobs, Ray or mix)")
    parser.add_argument("--mix-only", action="store_true", help="only the mix alone, and after two edits")
    args = parser.parse_args()
    if args.mix_only:
        args.sizes = []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for shots in args.sizes:
            folder = Path(tmp) / f"scale{shots}"
            folder.mkdir()
            script = folder / "storyboard.yaml"
            script.write_text(storyboard(shots, args.size), encoding="utf-8")
            name = folder.name
            cold = film("build", str(folder), cwd=folder)
            seconds = json.loads((folder / "renders" / name / "build.json").read_text())["duration"]
            # The quick commands: the least of three runs (the machine's other work only adds).
            noop = min((film("build", str(folder), cwd=folder) for _ in range(3)), key=lambda run: run[0])
            status = min((film("status", str(folder), cwd=folder) for _ in range(3)), key=lambda run: run[0])
            middle = shots // 2
            text = script.read_text()
            old = next(line for line in text.splitlines() if f"id: s{middle}," in line)
            script.write_text(text.replace(old, old.replace("waited by", "slept by")), encoding="utf-8")
            edit = film("build", str(folder), cwd=folder)
            edited = rendered(folder, name)
            stamped, hashed, size = cache_read(folder / "renders" / name / "cache")
            rows.append((shots, seconds, cold, noop, status, edit, edited, stamped, hashed, size))
            print(f"{shots} shots done", file=sys.stderr, flush=True)
        jobs = {}
        if args.mix_only:
            mixed = mix_alone(args.mix_lines, Path(tmp))
            print(f"mix alone, {args.mix_lines} lines: {mixed[0]:.1f} s wall, {mixed[1]:.1f} CPU-s, peak "
                  f"{mixed[2] / 1024:.0f} MB; " + ", ".join(f"{k} {v:.1f} CPU-s" for k, v in mixed[3].items()))
            return
        if args.films_only:
            print_films(args.size, rows)
            return
        forty = Path(tmp) / f"scale{40}"
        if not forty.exists():
            forty.mkdir()
            (forty / "storyboard.yaml").write_text(storyboard(40, args.size), encoding="utf-8")
        for executor in ("threads", "processes"):
            for n in (1, 2):
                jobs[executor, n] = film("build", str(forty), "--force", "--jobs", str(n), "--executor", executor,
                                         cwd=forty)
        drawing = python_jobs(forty)
        overhead = executor_overhead(200, Path(tmp) / "overhead")
        mixed = mix_alone(args.mix_lines, Path(tmp))

    print_films(args.size, rows)
    for executor in ("threads", "processes"):
        one, two = jobs[executor, 1][0], jobs[executor, 2][0]
        print(f"\n--executor {executor}: --jobs 2 against --jobs 1, 40 shots forced: {one:.1f} s / {two:.1f} s = "
              f"{one / two:.2f}x")
    for executor in ("threads", "processes"):
        one, two = drawing[executor, 1], drawing[executor, 2]
        print(f"--executor {executor}: the 40 panels alone (CPU-bound Python), --jobs 2 against --jobs 1: "
              f"{one:.1f} s / {two:.1f} s = {one / two:.2f}x")
    print(f"per job: threads {overhead[0] * 1000:.1f} ms, local Ray {overhead[1] * 1000:.1f} ms "
          f"(overhead {1000 * (overhead[1] - overhead[0]):.1f} ms a job)")
    costs = mixed[3]
    print(f"mix alone, {args.mix_lines} separate lines ({2 * args.mix_lines / 60:.0f} min), three mixes and their "
          f"passages: {mixed[0]:.1f} s wall, {mixed[1]:.1f} CPU-s, peak {mixed[2] / 1024:.0f} MB; the mix itself: "
          f"{costs['cold']:.1f} CPU-s; again with the middle line rewritten to the same length "
          f"{costs['same length']:.1f} CPU-s ({costs['same length'] / costs['cold']:.0%} of it); with a line in the "
          f"middle made 0.5 s longer {costs['longer']:.1f} CPU-s ({costs['longer'] / costs['cold']:.0%})")


def print_films(frame_size: str, rows: list) -> None:
    print(f"\nfilms of animatic shots at {frame_size}, 24 fps, one narrated sentence a shot, a generated music bed; "
          f"{os.cpu_count()} cores")
    print("| shots | film | cold build: wall / CPU / peak | no-op rebuild | film status | one line edited "
          "| seals read (stamps / re-hash) | cache |")
    print("|---|---|---|---|---|---|---|---|")
    for shots, seconds, cold, noop, status, edit, edited, stamped, hashed, size in rows:
        print(f"| {shots} | {seconds:.0f} s | {cold[0]:.1f} s / {cold[1]:.1f} CPU-s / {cold[2] / 1024:.0f} MB "
              f"| {noop[0]:.2f} s ({noop[1]:.2f} CPU-s) | {status[0]:.2f} s | {edit[0]:.1f} s, {edit[1]:.1f} CPU-s, "
              f"{edited} jobs | {stamped * 1000:.0f} ms / {hashed * 1000:.0f} ms | {size:.0f} MB |")


if __name__ == "__main__":
    main()
