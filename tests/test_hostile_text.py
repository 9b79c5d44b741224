"""Text that means something to a shell, to ffmpeg's filter and metadata syntax, to subtitle
formats or to a template engine is, to film, only text: a build with it shows and says it as
written, and nothing is run or read because of it."""

from __future__ import annotations

import os

import pysubs2
import yaml

from conftest import solid_png
from pipeline.build import build
from pipeline.cli import main
from pipeline.edit.ffmpeg import run

# Each string is a trap for one reader: a shell, ffmpeg's filter graph and option syntax and its
# drawtext expansions, FFMETADATA, SubRip/WebVTT markup, ASS override blocks, Jinja, YAML.
ODD_NAME = "it's; $(touch PWNED) [a],b:c=%d #1"
NARRATION = r"Say {\fs200}BIG and <b>bold</b> & $(touch PWNED) %{localtime} {{ 7*7 }} \N twice."
TITLE = "{% raw %}'; rm -rf ~ #{{ config }}%{pts}:[out]"


def test_metacharacters_in_names_and_words_are_only_text(tmp_path, monkeypatch):
    folder = tmp_path / "odd film"
    folder.mkdir()
    solid_png(folder / f"{ODD_NAME}.png", (40, 90, 160))
    run(["-f", "lavfi", "-i", "sine=f=500:d=0.3", str(folder / f"{ODD_NAME}.wav")])
    board = {
        "title": TITLE, "speech": False,
        "scenes": [{"heading": "EXT. PIER; $(id) - NIGHT", "metadata": {"chapter": "Part=1; #two\\three"},
                    "shots": [
                        {"id": "photo", "image": f"{ODD_NAME}.png", "narration": NARRATION,
                         "sfx": [{"file": f"{ODD_NAME}.wav", "at": 0.2}]},
                        {"id": "card", "title": TITLE, "duration": 1},
                    ]}],
    }
    (folder / "storyboard.yaml").write_text(yaml.safe_dump(board, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = build(folder, renders=tmp_path / "renders", preview=True)

    assert not list(tmp_path.rglob("PWNED")) and not os.path.exists("PWNED")
    # The subtitles say the narration as written: markup shown, not obeyed (SubRip has no
    # escapes: an invisible word joiner after `<` and `{` keeps players from reading tags).
    raw = result.output.with_name("subtitles.srt").read_text(encoding="utf-8")
    assert "<b>" not in raw and "{\\" not in raw
    text = " ".join(raw.split("\n\n")[0].splitlines()[2:]).replace("\u2060", "")
    assert text == NARRATION, text
    assert [e.text for e in pysubs2.SSAFile.from_string(raw)] != []
    vtt = result.output.with_name("subtitles.vtt").read_text(encoding="utf-8")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in vtt and "<b>" not in vtt
    # The chapter's title comes back from the MP4 as written.
    chapters = _chapter_titles(result.output)
    assert "Part=1; #two\\three" in chapters, chapters


def _chapter_titles(video) -> list[str]:
    """The chapter titles an MP4 holds, read back by ffmpeg as FFMETADATA and unescaped."""
    import re
    import subprocess

    from pipeline.edit.ffmpeg import exe

    printed = subprocess.run([exe(), "-v", "error", "-i", str(video), "-f", "ffmetadata", "-"],
                             capture_output=True, text=True, check=True).stdout
    return [re.sub(r"\\(.)", r"\1", line[len("title="):]) for line in printed.splitlines()
            if line.startswith("title=")]


def test_a_screenplay_whose_names_look_like_templates_makes_a_sidecar_that_reads_back(tmp_path, monkeypatch, capsys):
    """`film new --from` writes the cast through a template: names and looks that are Jinja,
    YAML or quotes are written as data and read back unchanged."""
    names = ["{{ 7*7 }}", "O'BRIEN: #1", "{% if x %}"]
    script = tmp_path / "odd.fountain"
    scenes = "\n\n".join(f"@{name}\nHello there." for name in names)
    script.write_text(f"INT. ROOM - DAY\n\nA room, {{{{ lipsum }}}}.\n\n{scenes}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "made", "--from", str(script)]) == 0, capsys.readouterr().err
    sidecar = yaml.safe_load((tmp_path / "made" / "film.yaml").read_text(encoding="utf-8"))
    assert sorted(sidecar["cast"]) == sorted(names)
    assert main(["check", "made", "--out", str(tmp_path / "renders")]) == 0, capsys.readouterr().err
