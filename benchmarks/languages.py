"""The lesson in two languages (issue: one script, many films): what the second language costs.

Builds `projects/water-cycle` (English, then Spanish from locales/es.po, `localize: retime`)
into a fresh renders folder and prints, for each language, the jobs that ran by kind and the
seconds each took in all. The Spanish build should run only its speech, the segments whose
timing (or burned-in words) changed, the cards whose words are translated, its mix, its
subtitles and its join; the stills and the music are the English build's.

Then the same with sidecar subtitles (`subtitles: sidecar`): no words burned into the picture,
so only the segments whose timing changed are encoded again; and with `localize: dub`, where
no segment is.

    python benchmarks/languages.py [--preview]
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(folder: Path, out: Path, preview: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "build", str(folder), "--out", str(out), *preview], check=True,
                   capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def report(path: Path) -> str:
    jobs = json.loads(path.read_text())["jobs"]
    ran = [j for j in jobs if j["status"] == "rendered"]
    kinds = collections.Counter(j["kind"] for j in ran)
    seconds = sum(j["seconds"] for j in ran)
    return (f"{len(ran):>3} of {len(jobs):>3} jobs ran ({seconds:6.1f} job-seconds): "
            + ", ".join(f"{k} {c}" for k, c in sorted(kinds.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preview", action="store_true", help="half size")
    preview = ["--preview"] if parser.parse_args().preview else []
    sub = "preview" if preview else ""
    with tempfile.TemporaryDirectory() as scratch:
        for setting in ("as written (subtitles: burn)", "subtitles: sidecar", "localize: dub"):
            folder = Path(scratch) / re.sub(r"\W+", "-", setting).strip("-") / "water-cycle"
            shutil.copytree(ROOT / "projects" / "water-cycle", folder, ignore=shutil.ignore_patterns("renders"))
            script = folder / "storyboard.yaml"
            text = script.read_text(encoding="utf-8")
            if setting.startswith("subtitles"):
                text = text.replace("subtitles: burn", setting)
            elif setting.startswith("localize"):
                text = text.replace("languages: [en, es]", f"languages: [en, es]\n{setting}")
            script.write_text(text, encoding="utf-8")
            out = folder.parent / "renders"
            seconds = build(folder, out, preview)
            film = out / "water-cycle"
            print(f"{setting}: both languages in {seconds:.1f} s")
            print(f"  en  {report(film / sub / 'build.json')}")
            print(f"  es  {report(film / 'es' / sub / 'build.json')}")


if __name__ == "__main__":
    main()
