"""Staging benchmark: how many of the concrete nouns of real screenplay action lines the
animatic's panels draw, and how long a panel takes.

The held set (`benchmarks/data/staging_prompts.tsv`) is 100+ action lines from real screenplays,
each with its heading, its characters and its concrete nouns labelled by reading. For each, the
panel is staged (`staging.stage`) and drawn at 1280x720 (its canvas 1.25x that); a labelled noun
counts as drawn when the panel's composition record lists it in `depicted` (lemmas compared).

    python benchmarks/staging.py [--no-draw] [--show]

Prints the share of labelled nouns depicted (overall, and per prompt on average), the nouns
most often missed, and the time per panel (staging alone, and staging plus drawing).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.generators.drawing import words as W  # noqa: E402
from pipeline.generators.drawing.panel import PanelRequest, render  # noqa: E402
from pipeline.generators.drawing.staging import stage  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "staging_prompts.tsv"
HEADING = re.compile(r"^\.?(?:(INT\.?/EXT|INT|EXT|I/E)\.?\s+)?(.*?)(?:\s+-\s+(.*))?$")


def load() -> list[dict]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, heading, cast, prompt, nouns = line.split("\t")
        m = HEADING.match(heading.strip())
        setting, location, tod = (m.group(1) or "", m.group(2) or "", m.group(3) or "") if m else ("", heading, "")
        rows.append(dict(source=source, setting=setting, location=location, time_of_day=tod,
                         cast=tuple((n.strip(), "") for n in cast.split(",") if n.strip()), prompt=prompt,
                         nouns=[n.strip() for n in nouns.split(",") if n.strip()]))
    return rows


def norm(noun: str) -> str:
    return W.lemma(noun.split()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-draw", action="store_true", help="time staging only")
    ap.add_argument("--show", action="store_true", help="print every prompt's missed nouns")
    args = ap.parse_args()
    rows = load()
    # Scenes: prompts of one source file and heading share a set, as in a film.
    scenes: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        scenes.setdefault((r["source"].split(":")[0], r["location"]), []).append(r["prompt"])
    total = hit = 0
    shares, stage_t, draw_t = [], [], []
    missed: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    t0 = time.perf_counter()
    W.meaning("lighthouse")   # the lexicon's first load, timed apart
    warm = time.perf_counter() - t0
    for r in rows:
        texts = tuple(scenes[(r["source"].split(":")[0], r["location"])])
        t = time.perf_counter()
        comp = stage(r["prompt"], r["setting"], r["location"], r["time_of_day"], r["cast"], 1600, 900, texts)
        stage_t.append(time.perf_counter() - t)
        if not args.no_draw:
            req = PanelRequest(width=1600, height=900, frame_width=1280, frame_height=720, setting=r["setting"],
                               location=r["location"], time_of_day=r["time_of_day"], cast=r["cast"],
                               caption=r["prompt"], scene_label="", shot_id="", camera="static", seed=0,
                               action=r["prompt"], scene_texts=texts)
            t = time.perf_counter()
            render(req, comp)
            draw_t.append(time.perf_counter() - t + stage_t[-1])
        depicted = {norm(d) for d in comp.depicted}
        labels = [norm(n) for n in r["nouns"]]
        got = [n for n in labels if n in depicted]
        total += len(labels)
        hit += len(got)
        sizes[comp.shot_size] += 1
        if labels:
            shares.append(len(got) / len(labels))
        for n in labels:
            if n not in depicted:
                missed[n] += 1
        if args.show and len(got) < len(labels):
            print(f"  {r['source']}: missed {[n for n in labels if n not in depicted]} of {labels}; "
                  f"depicted {sorted(depicted)}")
    print(f"prompts: {len(rows)}   labelled concrete nouns: {total}")
    print(f"depicted: {hit}/{total} = {100 * hit / max(1, total):.1f}% overall "
          f"(mean per prompt {100 * statistics.mean(shares):.1f}%)   target >= 70%")
    print("shot sizes: " + ", ".join(f"{k} {v}" for k, v in sizes.most_common()))
    print("most missed: " + ", ".join(f"{k} ({v})" for k, v in missed.most_common(15)))
    print(f"lexicon first load: {warm * 1000:.0f} ms")
    print(f"staging per panel: mean {1000 * statistics.mean(stage_t):.1f} ms, max {1000 * max(stage_t):.1f} ms")
    if draw_t:
        print(f"staging + drawing per panel (1280x720 frame, 1600x900 canvas): mean "
              f"{1000 * statistics.mean(draw_t):.0f} ms, median {1000 * statistics.median(draw_t):.0f} ms, "
              f"max {1000 * max(draw_t):.0f} ms")


if __name__ == "__main__":
    main()
