"""Fountain screenplays into films: the mapping onto scenes and shots, directives, the sidecar,
`film new --from`, errors, and the real scripts in ../shared/fountain/scripts built into films."""

from __future__ import annotations

import shutil
import textwrap
from fractions import Fraction
from pathlib import Path

import pysubs2
import pytest

from conftest import count_frames, frame_at
from pipeline.build import build
from pipeline.cli import main
from pipeline.errors import StoryboardError
from pipeline.generators import names
from pipeline.parse import load
from pipeline.parse.fountain import read_screenplay
from pipeline.parse.fountain_syntax import read_fountain
from pipeline.plan import make_plan

SCRIPTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "fountain" / "scripts"
needs_scripts = pytest.mark.skipif(not SCRIPTS.is_dir(), reason="../shared/fountain/scripts is not here")

SCRIPT = """\
Title: **The Keeper**
Credit: Written by
Author: Ada Lovelace
Source: Story by Tom Calloway
Draft date: 1/1/2026

# ACT ONE

= Tom's last night on the rock.

EXT. LIGHTHOUSE - NIGHT #1#

Waves *crash* against the rocks. [[id: waves; duration: 4]]

NARRATOR (V.O.)
For forty years, Tom kept the light.

TOM
(quietly)
Not tonight.

ELSIE (O.S.)
Tom! The boat!

[[camera: dolly-in]]
TOM looks out to sea.

DISSOLVE TO:

INT. LAMP ROOM - CONTINUOUS

TOM (CONT'D)
Light it.

ELSIE ^
Light it!

/* A scene we cut.

EXT. HARBOUR - DAY

Nobody sees this. */

The great lamp turns.

SMASH CUT TO:

.FLASHBACK

Young Tom on the rocks.

> FADE OUT.

>THE END<
"""


def write(folder: Path, text: str, name: str = "keeper.fountain") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def keeper(tmp_path):
    return load(write(tmp_path, SCRIPT))


def test_title_page_gives_title_and_credits(keeper):
    assert keeper.project.title == "The Keeper"
    assert keeper.project.credits == (("Written by", ("Ada Lovelace",)), ("Story by", ("Tom Calloway",)))


def test_scenes_follow_the_headings(keeper):
    assert [s.heading.text for s in keeper.scenes] == [
        "EXT. LIGHTHOUSE - NIGHT", "INT. LAMP ROOM - CONTINUOUS", "FLASHBACK"]
    first = keeper.scenes[0]
    assert (first.heading.setting, first.heading.location, first.heading.time_of_day) == ("EXT", "LIGHTHOUSE", "NIGHT")
    assert first.metadata["scene_number"] == "1"
    assert first.metadata["chapter"] == "ACT ONE"
    assert first.metadata["synopsis"] == "Tom's last night on the rock."
    assert first.loc.line == 11


def test_each_action_is_a_shot_and_dialogue_belongs_to_it(keeper):
    waves, looks = keeper.scenes[0].shots
    assert waves.prompt == "Waves crash against the rocks." and waves.loc.line == 13
    assert (waves.id, waves.duration) == ("waves", 4)
    assert waves.narration == "For forty years, Tom kept the light."
    assert [(l.character, l.text, l.parenthetical) for l in waves.lines] == [
        ("TOM", "Not tonight.", "quietly"), ("ELSIE", "Tom! The boat!", "")]
    assert waves.lines[0].loc.line == 20
    # ELSIE is off screen: heard, not in the picture
    assert waves.cast == ("TOM",)
    assert looks.prompt == "TOM looks out to sea." and looks.camera == "dolly-in"
    assert looks.transition.name == "dissolve"


def test_a_scene_that_opens_on_dialogue_gets_a_shot_and_dual_lines_overlap(keeper):
    spoken, lamp = keeper.scenes[1].shots
    assert spoken.prompt == "" and spoken.id == "lamp-room-tom"
    assert [(l.character, l.text, l.dual) for l in spoken.lines] == [("TOM", "Light it.", False),
                                                                      ("ELSIE", "Light it!", True)]
    # the boneyard is left out: no harbour, nobody sees it
    assert lamp.prompt == "The great lamp turns." and lamp.transition.name == "cut"
    assert all("Nobody" not in s.prompt for s in keeper.shots)


def test_transitions_and_centered_text(keeper):
    young, end = keeper.scenes[2].shots
    assert young.prompt == "Young Tom on the rocks." and young.transition.name == "fade-black"
    assert end.title == "THE END"


def test_everyone_who_speaks_has_a_voice_of_their_own(keeper):
    assert [c.name for c in keeper.cast] == ["TOM", "ELSIE"]
    assert len({c.voice.pitch for c in keeper.cast}) == 2
    plan = make_plan(keeper)
    assert [s.kind for s in plan.shots] == ["title", "shot", "shot", "shot", "shot", "shot", "card", "credits"]


def test_a_sidecar_gives_what_the_screenplay_cannot(tmp_path):
    script = write(tmp_path, SCRIPT)
    (tmp_path / "film.yaml").write_text(textwrap.dedent("""\
        style: "oil painting"
        size: 640x360
        cast:
          Tom: {look: "old keeper, white beard", voice: {pitch: -4}}
    """), encoding="utf-8")
    board = load(script)
    assert board.project.style == "oil painting" and (board.project.width, board.project.height) == (640, 360)
    tom = board.character("TOM")
    assert tom.look == "old keeper, white beard" and tom.voice.pitch == -4
    assert board.character("ELSIE").voice.pitch != -4
    other = tmp_path / "other.yaml"
    other.write_text("title: Another Title\nfps: 25\n", encoding="utf-8")
    board = load(script, config=other)
    assert board.project.title == "Another Title" and board.project.style == ""


def test_mistakes_are_reported_together_with_their_lines(tmp_path, capsys):
    script = write(tmp_path, """\
        EXT. DOCK - DAY

        A boat. [[durration: 4]]

        [[duration: soon; camera: dolly-inn]]
        A gull.

        Unfinished [[note
    """)
    (tmp_path / "film.yaml").write_text("stlye: noir\nscenes: []\n", encoding="utf-8")
    assert main(["check", str(script)]) == 1
    err = capsys.readouterr().err.splitlines()
    side = tmp_path / "film.yaml"
    assert err == [
        f"{side}:1: unknown key 'stlye' in the sidecar (did you mean 'style'?)",
        f"{side}:2: a sidecar holds settings, not scenes: the screenplay has those",
        f"{script}:8: unterminated note: '[[' opened here has no ']]'",
    ]
    # with the note closed, the directive mistakes are all reported
    script.write_text(script.read_text(encoding="utf-8").replace("[[note", "[[a note]]"), encoding="utf-8")
    side.unlink()
    with pytest.raises(StoryboardError) as caught:
        load(script)
    assert [str(p) for p in caught.value.problems] == [
        f"{script}:3: unknown directive 'durration' (did you mean 'duration'?)",
        f"{script}:5: duration in seconds must be a number of seconds, got 'soon'",
        f"{script}:5: unknown camera move 'dolly-inn' (did you mean 'dolly-in'?); one of: "
        + caught.value.problems[2].message.split("one of: ")[1],
    ]


def test_encodings_and_line_endings(tmp_path):
    text = "INT. CAFÉ - DAY\r\n\r\nZoë orders.\r\n\r\nZOË\r\nUn café.\r\n"
    (tmp_path / "crlf.fountain").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    board = load(tmp_path / "crlf.fountain")
    assert board.scenes[0].heading.location == "CAFÉ" and board.shots[0].lines[0].character == "ZOË"
    assert board.shots[0].lines[0].loc.line == 6
    (tmp_path / "latin.fountain").write_bytes(text.replace("\r\n", "\r").encode("latin-1"))
    board = load(tmp_path / "latin.fountain")
    assert board.shots[0].prompt == "Zoë orders."
    assert any("UTF-8" in w.message for w in board.warnings)


def test_film_new_from_a_screenplay(tmp_path, capsys):
    script = write(tmp_path / "drafts", SCRIPT)
    folder = tmp_path / "keeper"
    assert main(["new", str(folder), "--from", str(script)]) == 0
    assert (folder / "keeper.fountain").read_text(encoding="utf-8") == script.read_text(encoding="utf-8")
    sidecar = (folder / "film.yaml").read_text(encoding="utf-8")
    assert '"TOM": {look: "", voice: {model: joe, pitch: 0}}' in sidecar and '"ELSIE"' in sidecar
    board = load(folder)
    assert board.name == "keeper" and [c.name for c in board.cast] == ["TOM", "ELSIE"]
    assert main(["new", str(tmp_path / "x"), "--from", str(tmp_path / "nope.fountain")]) == 1
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------- real screenplays

@needs_scripts
@pytest.mark.parametrize("name", ["Brick-and-Steel", "The-Last-Birthday-Card", "The-Library-Freak-Out",
                                  "Cyber-Bob-ep00001"])
def test_real_screenplays_map_scene_for_scene(name):
    path = SCRIPTS / f"{name}.fountain"
    play = read_fountain(path)
    board = read_screenplay(path, names())
    headings = [e for e in play.elements if e.kind == "scene_heading"]
    assert [s.loc.line for s in board.scenes if s.heading.text] == [e.line for e in headings]
    # every action paragraph with words (but "FADE IN:" and the like) is a shot, in order
    actions = [e.line for e in play.elements if e.kind == "action" and e.text.strip()]
    shot_lines = [s.loc.line for s in board.shots if s.prompt]
    assert set(shot_lines) <= set(actions) and len(shot_lines) >= len(actions) - 3
    spoken = sum(len(s.lines) + bool(s.narration) for s in board.shots)
    assert spoken >= 0.9 * sum(e.kind == "character" for e in play.elements)
    assert make_plan(board).total > 0


@needs_scripts
def test_brick_and_steel_builds_into_a_film(tmp_path):
    """The official sample, with a sidecar for a small, quick render (the default generator)."""
    folder = tmp_path / "brick"
    folder.mkdir()
    shutil.copy(SCRIPTS / "Brick-and-Steel.fountain", folder)
    (folder / "film.yaml").write_text("size: 256x144\nfps: 12\n", encoding="utf-8")
    result = build(folder, renders=tmp_path / "renders")
    plan = result.plan
    assert count_frames(result.output) == plan.total
    shots = [s for s in plan.shots if s.kind == "shot"]
    assert len(shots) == len([s for s in result.plan.board.shots if not s.title])
    # the centred "THE END" is a title card: text on the card's dark ground, mid-card
    end = next(i for i, s in enumerate(plan.shots) if s.card_text == "THE END")
    middle = plan.starts()[end] + plan.shots[end].frames // 2
    frame = frame_at(result.output, middle)
    assert frame.mean() < 60 and frame.max() > 200
    # what the characters say is what the subtitles show
    cues = " ".join(e.plaintext.replace("\n", " ") for e in pysubs2.load(str(result.folder / "subtitles.srt")))
    said = [line.text for shot in result.plan.board.shots for line in shot.lines]
    assert cues == " ".join(said) and "Beer's ready!" in cues and "To destiny!" not in cues


def test_sections_become_chapters_of_the_film(tmp_path):
    from pipeline.edit.ffmpeg import run

    script = write(tmp_path, """\
        # ACT ONE

        EXT. BEACH - DAY

        Gulls wheel over the sand. [[duration: 2]]

        # ACT TWO; THE STORM

        EXT. BEACH - NIGHT

        Rain lashes the dunes. [[duration: 2]]
    """)
    (tmp_path / "film.yaml").write_text("size: 128x72\nfps: 12\ntitle_card: false\nspeech: false\n", encoding="utf-8")
    result = build(script, renders=tmp_path / "renders")
    plan = result.plan
    second = plan.starts()[[s.scene for s in plan.shots].index(2)]
    meta = tmp_path / "meta.txt"
    run(["-i", str(result.output), "-f", "ffmetadata", str(meta)], what="reading chapters")
    chapters = meta.read_text(encoding="utf-8").split("[CHAPTER]")[1:]
    assert len(chapters) == 2
    assert "title=ACT ONE" in chapters[0] and "title=ACT TWO\\; THE STORM" in chapters[1]
    def seconds(chapter: str) -> Fraction:
        base = Fraction(chapter.split("TIMEBASE=")[1].split()[0])
        return int(chapter.split("START=")[1].split()[0]) * base

    assert [seconds(c) for c in chapters] == [0, Fraction(second) / plan.fmt.fps]


@needs_scripts
def test_mangled_screenplays_give_errors_never_tracebacks(tmp_path):
    """Real scripts with markup, line ends, bad bytes and other alphabets spliced in at random
    (seeded): each one reads into a plan or raises StoryboardError, nothing else."""
    import random

    rng = random.Random(7)
    sources = [p.read_bytes() for p in sorted(SCRIPTS.glob("*.fountain"))]
    pieces = [b"\n", b"\r\n", b"\r", b"[[", b"]]", b"/*", b"*/", b"^", b"@", b"~", b">", b"<", b"#", b"=",
              b"===", b"INT. ", b"CUT TO:", b"(V.O.)", b"  \n", b"\t", b"*", b"_", b"\\", b"\xff", b"\xc3",
              "Жизнь".encode(), "東京".encode(), "שלום".encode(), b"[[duration: x]]", b"[[id: a]]", b"Title:"]
    for n in range(120):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 30)):
            at = rng.randrange(len(data) + 1)
            if rng.random() < 0.6:
                data[at:at] = rng.choice(pieces)
            else:
                del data[at:at + rng.randint(1, 40)]
        path = tmp_path / f"mangled-{n}.fountain"
        path.write_bytes(bytes(data))
        try:
            make_plan(read_screenplay(path, names()))
        except StoryboardError as error:
            assert error.problems and all(p.file for p in error.problems)
