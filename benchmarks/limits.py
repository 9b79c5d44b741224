"""How fast `film` refuses or reads what is near its limits (issue: careless and hostile input).

Prints, measured in this run:
- `film check` of a storyboard just under the 2 MB limit (9,800 shots), in a new process as a
  user runs it, and the same file composed by PyYAML's pure-Python parser and by libyaml (which
  `film` uses): the ratio is what the switch bought;
- setting a title card of one unbroken 500-, 2,000- and 8,000-character word (it took 18 s at
  500 when every cut measured every prefix);
- `film check` of a YAML alias bomb and of a 10,000-deep nesting (answered, not hung).

    python benchmarks/limits.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def storyboard_near_the_limit(folder: Path) -> Path:
    lines = ["title: Big", "speech: false", "scenes:"]
    size, scene = 0, 0
    while size < 1_950_000:
        block = [f"  - heading: INT. ROOM {scene} - DAY", "    shots:"]
        block += [f"      - {{id: s{scene}-{n}, prompt: 'a man walks across a room with a lamp, slowly', duration: 2}}"
                  for n in range(5)]
        lines += block
        size += sum(len(line) + 1 for line in block)
        scene += 1
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "storyboard.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seconds(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    return time.perf_counter() - started, done.returncode


def main() -> None:
    from pipeline.generators.drawing import draw_title_card

    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        big = storyboard_near_the_limit(work / "big")
        text = big.read_text(encoding="utf-8")
        took, code = seconds([sys.executable, "-m", "pipeline", "check", str(big.parent), "--out", str(work / "r")])
        print(f"film check, {big.stat().st_size / 1e6:.2f} MB storyboard ({text.count('- {id:')} shots): "
              f"{took:.2f} s (exit {code}; 61 s before this issue)")
        started = time.perf_counter()
        yaml.compose(text, Loader=yaml.SafeLoader)
        pure = time.perf_counter() - started
        started = time.perf_counter()
        yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        fast = time.perf_counter() - started
        print(f"  composing it: pure-Python PyYAML {pure:.2f} s, libyaml {fast:.2f} s = {pure / fast:.1f}x faster")

        for length in (500, 2000, 8000):
            started = time.perf_counter()
            draw_title_card(1280, 720, "W" * length, "")
            print(f"title card of one {length}-character word: {time.perf_counter() - started:.3f} s")

        bomb = work / "bomb"
        bomb.mkdir()
        laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        laughs += [f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]" for n in range(8)]
        (bomb / "storyboard.yaml").write_text("\n".join(laughs) + "\nscenes: []\n", encoding="utf-8")
        took, code = seconds([sys.executable, "-m", "pipeline", "check", str(bomb), "--out", str(work / "r")])
        print(f"film check of a billion-laughs alias bomb: {took:.2f} s (exit {code})")
        deep = work / "deep"
        deep.mkdir()
        (deep / "storyboard.yaml").write_text("scenes: " + "[" * 10000 + "]" * 10000 + "\n", encoding="utf-8")
        took, code = seconds([sys.executable, "-m", "pipeline", "check", str(deep), "--out", str(work / "r")])
        print(f"film check of a 10,000-deep nesting: {took:.2f} s (exit {code})")


if __name__ == "__main__":
    main()
