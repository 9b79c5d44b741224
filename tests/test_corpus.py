"""Careless and hostile input, kept as data: every file under `tests/corpus/<kind>/` is a
storyboard (or screenplay) that `film check` must refuse with exit 1, the message its first line
expects at the line it names, no traceback, nothing written, within seconds.

A case is one script, or a folder with its script and the files it names (a playlist, a
broken picture). The script's first line says what is expected (the rest is the input as a user would write it):

    # expect: exit 1, line 6: duration in seconds must be a finite number

`line *` accepts any line, `line 0` a problem about the whole file. Adding a case is adding a
file; `pytest -k corpus` runs them all in seconds (no builds: `check` answers every one).
"""

from __future__ import annotations

import re
import shutil
import signal
from pathlib import Path

import pytest

from pipeline.cli import main

CORPUS = Path(__file__).resolve().parent / "corpus"
# A case is a script, or a folder holding one script and the files it names.
CASES = sorted([p for p in CORPUS.glob("*/*") if p.suffix in (".yaml", ".fountain")]
               + [p for p in CORPUS.glob("*/*") if p.is_dir()])


def script_of(case: Path) -> Path:
    """The storyboard or screenplay of a case (a folder's one script)."""
    if case.is_file():
        return case
    (script,) = [p for p in case.iterdir() if p.suffix in (".yaml", ".fountain")]
    return script
EXPECT = re.compile(rb"(?:#|/\*) expect: exit (\d), line (\d+|\*): (.*?)(?: \*/)?$")
SECONDS = 15


def expectation(case: Path) -> tuple[int, str, str]:
    first = case.read_bytes().split(b"\n", 1)[0]
    found = EXPECT.match(first)
    assert found, f"{case}: its first line must say '# expect: exit N, line L: message'"
    return int(found[1]), found[2].decode(), found[3].decode()


class TooSlow(Exception):
    pass


def answered(args: list[str]) -> int:
    """`film ARGS` in this process, stopped after `SECONDS` (a hang is a failure, not a stuck suite)."""
    def stop(signum, frame):
        raise TooSlow(f"no answer in {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(SECONDS)
    try:
        return main(args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("case", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_corpus(case: Path, tmp_path, capsys):
    code, line, message = expectation(script_of(case))
    folder = tmp_path / "project"
    if case.is_dir():
        shutil.copytree(case, folder)
        script = folder / script_of(case).name
    else:
        folder.mkdir()
        script = folder / ("storyboard.yaml" if case.suffix == ".yaml" else "script.fountain")
        script.write_bytes(case.read_bytes())
    renders = tmp_path / "renders"
    assert answered(["check", str(folder), "--out", str(renders)]) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    at = {"0": "", "*": r":[0-9]+"}.get(line, f":{line}")
    where = rf"{re.escape(str(script))}{at}: "
    assert re.search(where + r".*" + re.escape(message), err), err
    assert not renders.exists()


def test_a_storyboard_past_the_size_limit_is_refused_unread(tmp_path, capsys):
    """Kept in code, not in the corpus: the case is a 3 MB file."""
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "storyboard.yaml").write_text("# " + "x" * 3_000_000 + "\nscenes: []\n", encoding="utf-8")
    assert answered(["check", str(folder), "--out", str(tmp_path / "r")]) == 1
    assert "3.0 MB: a storyboard may be at most 2 MB" in capsys.readouterr().err


def test_speech_cannot_carry_a_shot_or_the_film_past_their_limits(tmp_path, capsys):
    """Kept in code, for its size. One text under the limit on a text, said seven times in a
    shot, makes a shot of over an hour; 30 such shots (YAML aliases keep the file small) a film
    of over a day."""
    text = " ".join(["the tide turns and the gulls cry"] * 290)          # 9,569 characters
    lines = "".join("          - {character: MAYA, text: *t}\n" for n in range(7))
    shots = "".join(f"      - id: s{n}\n        prompt: a harbour\n        lines:\n{lines}" for n in range(30))
    folder = tmp_path / "long"
    folder.mkdir()
    (folder / "storyboard.yaml").write_text(f"cast: {{MAYA: {{}}}}\nmetadata: {{said: &t {text}}}\nscenes:\n  - shots:\n{shots}",
                                            encoding="utf-8")
    assert answered(["check", str(folder), "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert re.search(r"storyboard.yaml:5: shot 's0' would last 7\d minutes with what is said in it; a shot may "
                     r"last at most 60 minutes", err), err
    assert re.search(r"storyboard.yaml:1: the film would last 3\d\.\d hours; a film may last at most 24 hours", err)
    assert "Traceback" not in err and not (tmp_path / "r").exists()


# The command line, kept as data too: `tests/corpus/cli/NAME.args` holds the expectation, then
# the arguments (split as a shell would), in which {project} is a small valid project, {file} a
# text file, {sound} a second of tone, {out} a renders folder and {tmp} the case's own folder.
COMMANDS = sorted(CORPUS.glob("cli/*.args"))
COMMAND_EXPECT = re.compile(r"# expect: exit (\d): (.*)$")
SMALL = """\
speech: false
scenes:
  - shots:
      - {id: harbour, prompt: a harbour at dawn, duration: 1}
"""


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


@pytest.mark.parametrize("case", COMMANDS, ids=[f"cli/{p.stem}" for p in COMMANDS])
def test_command_line(case: Path, tmp_path, capsys):
    import shlex

    expect, args = (case.read_text(encoding="utf-8").split("\n") + [""])[:2]
    found = COMMAND_EXPECT.match(expect)
    assert found, f"{case}: its first line must say '# expect: exit N: message'"
    places = {"project": tmp_path / "harbour", "file": tmp_path / "notes.txt", "sound": tmp_path / "tone.wav",
              "out": tmp_path / "renders", "tmp": tmp_path}
    (tmp_path / "harbour").mkdir()
    (tmp_path / "harbour" / "storyboard.yaml").write_text(SMALL, encoding="utf-8")
    places["file"].write_text("not a film\n", encoding="utf-8")
    (tmp_path / "script.fountain").write_text("INT. HARBOUR - DAY\n\nBoats come in.\n", encoding="utf-8")
    if "{sound}" in args:
        from pipeline.edit.ffmpeg import run

        run(["-f", "lavfi", "-i", "sine=d=1", str(places["sound"])])
    before = files_under(tmp_path)
    code = answered([part.format(**places) for part in shlex.split(args)])
    err = capsys.readouterr().err
    assert code == int(found[1]), err
    assert found[2].format(**places) in err, err
    assert "Traceback" not in err
    assert files_under(tmp_path) == before       # nothing written, anywhere
