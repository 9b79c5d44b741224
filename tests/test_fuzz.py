"""Mutated storyboards and screenplays: `film check` answers every one with exit 0 or 1 and
never a traceback or a hang, and writes nothing. The examples are mutated byte by byte and
by YAML's and Fountain's own punctuation (a fixed seed: the same cases on every run; a
benchmark run can raise COUNT)."""

from __future__ import annotations

import contextlib
import io
import random
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from test_corpus import answered

PROJECTS = Path(__file__).resolve().parent.parent / "projects"
COUNT = 150
PIECES = {".yaml": [b": ", b"- ", b"{", b"}", b"[", b"]", b"&a ", b"*a", b"\n  ", b"\n", b"0", b"-1", b".nan",
                    b"'", b'"', b"<<: ", b"!!", b"#", b"\t", b"\xff", b"\0"],
          ".fountain": [b"\n\n", b"INT. ", b"EXT. ", b"CUT TO:\n", b"> ", b" <", b"@", b"^", b"~", b"(", b")",
                        b"[[", b"]]", b"/*", b"*/", b"#", b"=", b"!", b"\t", b"\xff", b"\0", b"Title:"]}


def mutated(data: bytes, pieces: list[bytes], rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out) or 1)
        roll = rng.random()
        if roll < 0.3 and out:
            out[at] = rng.randrange(256)
        elif roll < 0.6:
            del out[at:at + rng.randint(1, 40)]
        else:
            out[at:at] = rng.choice(pieces)
    return bytes(out)


@pytest.mark.parametrize("script", [PROJECTS / "lighthouse" / "storyboard.yaml",
                                    PROJECTS / "water-cycle" / "storyboard.yaml",
                                    PROJECTS / "screenplay" / "night-ferry.fountain"], ids=lambda p: p.parent.name)
def test_mutated_scripts_get_an_answer_and_never_a_traceback(script, tmp_path):
    rng = random.Random(f"film/{script.name}")
    original = script.read_bytes()
    folder = tmp_path / "project"
    shutil.copytree(script.parent, folder, ignore=shutil.ignore_patterns(script.name, "renders"))
    renders = tmp_path / "renders"
    for n in range(COUNT):
        (folder / script.name).write_bytes(mutated(original, PIECES[script.suffix], rng))
        with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
            code = answered(["check", str(folder / script.name), "--out", str(renders)])
        assert code in (0, 1), f"case {n}: exit {code}\n{err.getvalue()}"
        assert "Traceback" not in err.getvalue(), f"case {n}"
    assert not renders.exists()
