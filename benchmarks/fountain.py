"""Fountain parse speed: a feature-length script and a very large one, on this machine.

Builds a ~150 KB script (about a 150-page feature) and a ~10 MB one from the shared sample
scripts, repeated, in a temporary folder, then times `read_fountain` on each (best of 3 for the
small one) and prints the figures against the targets (150 KB < 1 s, 10 MB < 10 s).

    python benchmarks/fountain.py [SCRIPTS_FOLDER]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from pipeline.parse.fountain_syntax import read_fountain

SCRIPTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "fountain" / "scripts"
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


def plan_seconds(path: Path) -> float | None:
    """PLANNING TIME GOES HERE: seconds to plan the film from the parsed script at `path`.
    Returns None until the Fountain import builds a plan."""
    return None


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else SCRIPTS
    scripts = sorted(folder.glob("*.fountain"))
    if not scripts:
        sys.exit(f"no .fountain scripts in {folder}")
    with tempfile.TemporaryDirectory() as work:
        for label, size, target, repeats in SIZES:
            path = build(Path(work), scripts, size)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                script = read_fountain(path)
                times.append(time.perf_counter() - started)
            best = min(times)
            print(f"parse {label}: {best:.2f} s (target < {target:g} s)  "
                  f"[{path.stat().st_size / 1e6:.2f} MB, {len(script.elements)} elements, "
                  f"{'best of ' + str(repeats) if repeats > 1 else 'one run'}]")
            plan = plan_seconds(path)
            print(f"plan {label}: " + (f"{plan:.2f} s" if plan is not None else "not measured yet"))


if __name__ == "__main__":
    main()
