"""Ten versions of the short film against one (issue: one script, many films).

The example short film (`projects/lighthouse`) copied with two variables: the town in its
first line of narration and the weather of its harbour shot. One cold build of it, then, into
a fresh renders folder, `film build --variants` of ten rows that differ in those two values.
Each extra version should cost only its own line of speech, the segments its setting touches,
its mix and its join: the target is ten versions in at most 3x one build (they would cost 10x
without the shared cache).

Prints the wall seconds of each, the ratio, and from the ten builds' `build.json` how many jobs
each version ran and of which kinds.

    python benchmarks/variants.py [--preview]
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOWNS = ["Gull Point", "Skerry Head", "Black Rock", "Mizen", "Fastnet", "Hook Head", "Loop Head", "Slyne Head",
         "Tory Island", "Wicklow Head"]
WEATHER = ["calm", "fog", "drizzle", "gale", "snow", "sunshine", "hail", "mist", "squalls", "moonlight"]


def project(folder: Path) -> Path:
    """The lighthouse film with `{{ town }}` in its first narration and `{{ weather }}` in the
    harbour shot's prompt; its own folder so its renders are apart."""
    shutil.copytree(ROOT / "projects" / "lighthouse", folder, ignore=shutil.ignore_patterns("renders"))
    script = folder / "storyboard.yaml"
    text = script.read_text(encoding="utf-8")
    text = text.replace("kept the light on Gull Point.", "kept the light on {{ town }}.")
    text = text.replace("rounds the point safely", "rounds the point safely in {{ weather }}")
    text = text.replace("scenes:\n", "vars: {town: Gull Point, weather: calm}\nscenes:\n", 1)
    script.write_text(text, encoding="utf-8")
    rows = folder / "versions.csv"
    rows.write_text("id,town,weather\n" + "".join(f"v{n},{t},{w}\n" for n, (t, w) in enumerate(zip(TOWNS, WEATHER), 1)),
                    encoding="utf-8")
    return folder


def film(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", *args], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preview", action="store_true", help="half size")
    options = parser.parse_args()
    preview = ["--preview"] if options.preview else []
    with tempfile.TemporaryDirectory() as scratch:
        folder = project(Path(scratch) / "lighthouse")
        one = film("build", str(folder), "--out", str(Path(scratch) / "one"), *preview)
        ten = film("build", str(folder), "--out", str(Path(scratch) / "ten"), "--variants", str(folder / "versions.csv"),
                   *preview)
        print(f"one build: {one:.1f} s; ten versions: {ten:.1f} s; ratio {ten / one:.2f}x (target at most 3x, "
              f"10x without sharing)")
        print("version  jobs run  of which")
        for n in range(1, 11):
            base = Path(scratch) / "ten" / "lighthouse" / "variants" / f"v{n}"
            report = json.loads(((base / "preview") if preview else base).joinpath("build.json").read_text())
            ran = [job for job in report["jobs"] if job["status"] == "rendered"]
            kinds = collections.Counter(job["kind"] for job in ran)
            print(f"v{n:<7} {len(ran):>8}  " + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items())))


if __name__ == "__main__":
    main()
