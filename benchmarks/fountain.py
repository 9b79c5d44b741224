"""Fountain parse speed: a feature-length script and a very large one, on this machine.

Builds a ~150 KB script (about a 150-page feature) and a ~10 MB one from the shared sample
scripts, repeated, in a temporary folder, then times `read_fountain` on each (best of 3 for the
small one), then reading it into a Storyboard (syntax, mapping, validation: what `film check`
does before any speech), and for the feature also planning it (durations from reading speed,
as `film plan` does before speech is synthesised). Targets: the 150 KB script read and planned
in under 1 s; the 10 MB one read without error in under 10 s.

Then `film check` as a user runs it (a new process, start-up included, no speech made) on the
longest sample screenplay and on the 150 KB feature: target under 2 s each. Without
`../shared` the screenplay that ships in `projects/screenplay/` is the sample.

    python benchmarks/fountain.py [SCRIPTS_FOLDER]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.generators import names
from pipeline.parse.fountain import read_screenplay
from pipeline.parse.fountain_syntax import read_fountain
from pipeline.plan import make_plan

SCRIPTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "fountain" / "scripts"
SHIPPED = Path(__file__).resolve().parents[1] / "projects" / "screenplay"
CHECK_TARGET = 2.0   # seconds for `film check`, start-up included
SIZES = (("150 KB", 150_000, 1.0, 3), ("10 MB", 10_000_000, 10.0, 1))


def build(folder: Path, scripts: list[Path], size: int) -> Path:
    """A script of about `size` bytes: the first sample whole, then the samples' bodies repeated."""
    samples = [p.read_text(encoding="utf-8") for p in scripts]
    # Past the first, drop each title page (up to the first blank line) so the repeats read as body.
    bodies = [s.split("\n\n", 1)[-1] for s in samples]
    parts, total, n = [samples[0]], len(samples[0]), 0
    while total < size:
        part = "\n\n" + bodies[n % len(bodies)]
        parts.append(part)
        total += len(part)
        n += 1
    path = folder / f"script-{size}.fountain"
    path.write_text("".join(parts), encoding="utf-8")
    return path


def best_of(repeats: int, work) -> tuple[float, object]:
    """The shortest of `repeats` timings of `work()`, and what it returned."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def check_seconds(path: Path, renders: Path, repeats: int = 3) -> float:
    """Wall-clock seconds of `film check PATH` in a new process (best of `repeats`); it must pass."""
    def run():
        done = subprocess.run([sys.executable, "-m", "pipeline", "check", str(path), "--out", str(renders)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"film check {path} failed:\n{done.stderr}")
    return best_of(repeats, run)[0]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SCRIPTS
    if len(sys.argv) == 1 and not folder.is_dir():
        folder = SHIPPED
    scripts = sorted(folder.glob("*.fountain"))
    if not scripts:
        sys.exit(f"no .fountain scripts in {folder}")
    with tempfile.TemporaryDirectory() as work:
        for label, size, target, repeats in SIZES:
            path = build(Path(work), scripts, size)
            parse, script = best_of(repeats, lambda: read_fountain(path))
            how = f"best of {repeats}" if repeats > 1 else "one run"
            print(f"parse {label}: {parse:.2f} s  [{path.stat().st_size / 1e6:.2f} MB, "
                  f"{len(script.elements)} elements, {how}]")
            read, board = best_of(repeats, lambda: read_screenplay(path, names(), config=None))
            print(f"read into a storyboard {label}: {read:.2f} s  [{len(board.scenes)} scenes, "
                  f"{len(board.shots)} shots]" + ("" if label != "10 MB" else f" (target < {target:g} s)"))
            if label == "150 KB":
                planned, plan = best_of(repeats, lambda: make_plan(read_screenplay(path, names(), config=None)))
                print(f"read and plan {label}: {planned:.2f} s (target < {target:g} s)  "
                      f"[{plan.seconds(plan.total) / 60:.0f} minutes of film, {how}]")
                feature = path
        renders = Path(work) / "renders"
        longest = max(scripts, key=lambda p: p.stat().st_size)
        for what, path in ((f"the longest sample, {longest.name}", longest), ("the 150 KB feature", feature)):
            seconds = check_seconds(path, renders)
            print(f"film check {what}: {seconds:.2f} s = {seconds / CHECK_TARGET:.2f}x the {CHECK_TARGET:g} s target "
                  f"[{path.stat().st_size / 1e3:.0f} KB, new process, best of 3]")
        if renders.exists():
            sys.exit("film check wrote under renders/")

if __name__ == "__main__":
    main()
