"""Fuzz `film check` with thousands of cases and print what it answered.

    python benchmarks/fuzz.py [--cases 3000] [--seed 0] [--share 0.5] [--show 3]

Half the cases (`--share`) are the example scripts (`lighthouse`, `water-cycle`, the
screenplay) mutated byte by byte as `tests/test_fuzz.py` does; the rest are storyboards built
from the schema by the `hypothesis` strategy of `tests/test_fuzz_schema.py`. Each runs through
`film check` in this process, stopped after 15 s. Prints the cases run, how many exited 0 and 1,
the tracebacks, hangs, other exit codes, broken promises (a stderr line that is not
`file:line: message`, a folder written), cases a second, and each kind of failure with the
first lines of one input that shows it and its error.
"""

from __future__ import annotations

import argparse
import collections
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from hypothesis import HealthCheck, Phase, given, seed as seeded, settings  # noqa: E402

import test_fuzz_schema as schema  # noqa: E402
from test_fuzz import PIECES, PROJECTS, mutated  # noqa: E402

SCRIPTS = [PROJECTS / "lighthouse" / "storyboard.yaml", PROJECTS / "water-cycle" / "storyboard.yaml",
           PROJECTS / "screenplay" / "night-ferry.fountain"]


class Tally:
    def __init__(self) -> None:
        self.codes: collections.Counter = collections.Counter()
        self.kinds: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.failures: dict[str, list[tuple[str, bytes, str]]] = collections.defaultdict(list)
        self.slowest = (0.0, "")
        self.cases = 0

    def add(self, kind: str, label: str, text: bytes, answer: tuple, seconds: float) -> None:
        code, err, script, renders, changed = answer
        self.cases += 1
        self.codes[code] += 1
        self.kinds[kind][code] += 1
        if seconds > self.slowest[0]:
            self.slowest = (seconds, label)
        for wrong in schema.judged(code, err, script, renders, changed):
            self.failures[signature(wrong, err)].append((label, text, err))


def signature(wrong: str, err: str) -> str:
    """A failure's kind: what went wrong, and for a traceback its last line and innermost frame."""
    if wrong == "a traceback":
        frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', err)
        last = [l for l in err.strip().splitlines() if l and not l.startswith(" ")][-1:]
        where = f"{Path(frames[-1][0]).name}:{frames[-1][1]} in {frames[-1][2]}" if frames else "?"
        last = re.sub(r"not [\w.]+$", "not ...", last[0]) if last else "?"
        return f"traceback: {re.sub(r'[0-9]{6,}', 'N', last)[:160]} at {where}"
    return re.sub(r"^\d+ |(, first|').*", "", wrong)[:160]


def mutation_cases(count: int, rng: random.Random, tally: Tally) -> None:
    originals = [(s, s.read_bytes()) for s in SCRIPTS]
    for n in range(count):
        script, original = originals[n % len(originals)]
        data = mutated(original, PIECES[script.suffix], rng)
        start = time.perf_counter()
        answer = schema.outcome(data, script.name, template=script.parent)
        tally.add("mutated", f"mutated {script.parent.name} #{n}", data, answer, time.perf_counter() - start)


def schema_cases(count: int, seed: int, tally: Tally) -> int:
    ran = [0]

    @seeded(seed)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(document=schema.documents, unicode=schema.st.booleans())
    def case(document, unicode):
        text = schema.dump(document, unicode)
        start = time.perf_counter()
        answer = schema.outcome(text)
        tally.add("schema", f"schema #{ran[0]}", text.encode("utf-8"), answer, time.perf_counter() - start)
        ran[0] += 1

    case()
    return ran[0]


def show(text: bytes, lines: int) -> str:
    shown = text.decode("utf-8", "backslashreplace").splitlines()
    return "\n".join(f"    | {l[:160]}" for l in shown[:lines]) + ("\n    | ..." if len(shown) > lines else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000, help="how many cases in all (default 3000)")
    parser.add_argument("--share", type=float, default=0.5, help="the share of byte mutations (default 0.5)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of both kinds of case (default 0)")
    parser.add_argument("--show", type=int, default=2, help="inputs shown for each kind of failure (default 2)")
    parser.add_argument("--keep", metavar="DIR", help="write the first input and error of each kind of failure here")
    args = parser.parse_args()

    tally = Tally()
    mutations = round(args.cases * args.share)
    start = time.perf_counter()
    mutation_cases(mutations, random.Random(f"film-fuzz/{args.seed}"), tally)
    mutation_seconds = time.perf_counter() - start
    schema_cases(args.cases - mutations, args.seed, tally)
    seconds = time.perf_counter() - start

    traceback_count = sum(len(v) for k, v in tally.failures.items() if k.startswith("traceback"))
    others = {c: n for c, n in tally.codes.items() if c not in (0, 1, "traceback", "hang")}
    print(f"cases run:        {tally.cases} ({tally.kinds['mutated'].total()} byte mutations in {mutation_seconds:.1f} s, "
          f"{tally.kinds['schema'].total()} schema storyboards in {seconds - mutation_seconds:.1f} s)")
    for kind in ("mutated", "schema"):
        print(f"  {kind:8}        exit 0: {tally.kinds[kind][0]}, exit 1: {tally.kinds[kind][1]}, "
              f"traceback: {tally.kinds[kind]['traceback']}, hang: {tally.kinds[kind]['hang']}")
    print(f"exit 0:           {tally.codes[0]}")
    print(f"exit 1:           {tally.codes[1]}")
    print(f"tracebacks:       {traceback_count}")
    print(f"hangs (> {schema.SECONDS} s):  {tally.codes['hang']}")
    print(f"other exit codes: {sum(others.values())} {others or ''}")
    print(f"broken promises:  {sum(len(v) for v in tally.failures.values())} in {len(tally.failures)} kind(s)")
    print(f"cases a second:   {tally.cases / seconds:.1f} (slowest case {tally.slowest[0]:.2f} s: {tally.slowest[1]})")
    for number, (kind, cases) in enumerate(sorted(tally.failures.items(), key=lambda kv: -len(kv[1])), 1):
        print(f"\n== {len(cases)} x {kind}")
        if args.keep:
            keep = Path(args.keep)
            keep.mkdir(parents=True, exist_ok=True)
            label, text, err = cases[0]
            suffix = ".fountain" if "screenplay" in label else ".yaml"
            (keep / f"failure-{number}{suffix}").write_bytes(text)
            (keep / f"failure-{number}.txt").write_text(f"{kind}\n{label}\n\n{err}", encoding="utf-8")
        for label, text, err in cases[:args.show]:
            print(f"  -- {label}, input:\n{show(text, 12)}")
            err_lines = err.strip().splitlines()
            print("  -- error:\n" + "\n".join(f"    ! {l[:200]}" for l in err_lines[:4])
                  + ("\n    ! ...\n" + "\n".join(f"    ! {l[:200]}" for l in err_lines[-3:]) if len(err_lines) > 7 else
                     "".join(f"\n    ! {l[:200]}" for l in err_lines[4:])))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
