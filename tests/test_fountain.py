"""Fountain screenplays into films: the mapping onto scenes and shots, directives, the sidecar,
`film new --from`, errors, screenplays as writers really format them, the shipped sample
(projects/screenplay) built into a film, and the real scripts in ../shared/fountain/scripts when
that folder is present."""

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
from pipeline.spec import Loc

SCRIPTS = Path(__file__).resolve().parents[1] / ".." / "shared" / "fountain" / "scripts"
needs_scripts = pytest.mark.skipif(not SCRIPTS.is_dir(), reason="../shared/fountain/scripts is not here")
# The screenplay that ships with the project: tests that need only *a* real screenplay read it.
SAMPLE = Path(__file__).resolve().parents[1] / "projects" / "screenplay" / "night-ferry.fountain"
SHARED_NAMES = ["Brick-and-Steel", "The-Last-Birthday-Card", "The-Library-Freak-Out", "Cyber-Bob-ep00001"]

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
    # a voice for each by their name, and none like another's or the narrator's
    assert '\n  TOM: {look: "", voice: {preset: man, pitch: -2, formant: 0.95}}\n' in sidecar
    assert '\n  ELSIE: {look: "", voice: {preset: woman}}\n' in sidecar
    board = load(folder)
    assert board.name == "keeper" and [c.name for c in board.cast] == ["TOM", "ELSIE"]
    assert main(["new", str(tmp_path / "x"), "--from", str(tmp_path / "nope.fountain")]) == 1
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------- real screenplays

@pytest.mark.parametrize("name", [SAMPLE.stem] + [pytest.param(n, marks=needs_scripts) for n in SHARED_NAMES])
def test_real_screenplays_map_scene_for_scene(name):
    path = SAMPLE if name == SAMPLE.stem else SCRIPTS / f"{name}.fountain"
    play = read_fountain(path)
    board = read_screenplay(path, names())
    headings = [e for e in play.elements if e.kind == "scene_heading"]
    assert [s.loc.line for s in board.scenes if s.heading.text] == [e.line for e in headings]
    # a slug line alone is an establishing shot, named after its place
    lone = [s for s in board.scenes if len(s.shots) == 1 and s.shots[0].metadata.get("establishing")]
    assert all(s.shots[0].loc.line == s.loc.line for s in lone)
    # every action paragraph with words (but "FADE IN:" and the like) is a shot, in order
    actions = [e.line for e in play.elements if e.kind == "action" and e.text.strip()]
    shot_lines = [s.loc.line for s in board.shots if s.prompt and not s.metadata.get("establishing")]
    assert set(shot_lines) <= set(actions) and len(shot_lines) >= len(actions) - 3
    spoken = sum(len(s.lines) + bool(s.narration) for s in board.shots)
    assert spoken >= 0.9 * sum(e.kind == "character" for e in play.elements)
    assert make_plan(board).total > 0


def test_the_shipped_screenplay_builds_into_a_film(tmp_path):
    """The sample in projects/screenplay, with its sidecar made small and quick to render."""
    folder = tmp_path / "ferry"
    shutil.copytree(SAMPLE.parent, folder)
    with (folder / "film.yaml").open("a", encoding="utf-8") as sidecar:
        sidecar.write("size: 192x108\nfps: 12\n")
    result = build(folder, renders=tmp_path / "renders")
    plan = result.plan
    assert count_frames(result.output) == plan.total
    shots = [s for s in plan.shots if s.kind == "shot"]
    assert len(shots) == len([s for s in load(folder).shots if not s.title])
    # the slug line alone is in the film: a shot of the pier, the shortest the pacing allows
    pier = next(s for s in plan.shots if s.id == "harrow-pier")
    assert pier.heading.location == "HARROW PIER" and pier.frames == 3 * 12
    # the centred "THE END" is a title card: text on the card's dark ground, mid-card
    end = next(i for i, s in enumerate(plan.shots) if s.kind == "card" and s.source.text == "THE END")
    middle = plan.starts()[end] + plan.shots[end].frames // 2
    frame = frame_at(result.output, middle)
    assert frame.mean() < 60 and frame.max() > 200
    # McBride's voice over the loudspeaker is McBride speaking, and both say "See you tonight."
    speakers = {(p.speaker, p.text) for s in plan.shots for p in s.speech}
    assert ("McBRIDE", "Mind the gap, miss.") in speakers
    assert {("NELL", "See you tonight."), ("JUNE", "See you tonight.")} <= speakers
    assert dict(plan.shots[-1].source.credits)["Cast"] == ("McBride", "Nell", "June")
    # what is said is what the subtitles show; words said together are shown once
    cues = " ".join(e.plaintext.replace("\n", " ") for e in pysubs2.load(str(result.folder / "subtitles.srt")))
    said = [text for shot in plan.shots for text in dict.fromkeys(text for _, text in shot.texts)]
    assert cues == " ".join(said) and "Someone always comes." in cues
    assert cues.count("See you tonight.") == 1


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


def test_a_chapter_after_the_title_starts_where_its_scene_does_in_the_cut_and_in_part_of_it(tmp_path):
    """An MP4's first chapter starts at its first frame: a film that opens on its title card
    has a chapter for the title, so "ACT ONE" starts where its scene does (it was moved to 0)."""
    from pipeline.edit.ffmpeg import run

    script = write(tmp_path, """\
        Title: Tides

        # ACT ONE

        EXT. BEACH - DAY

        Gulls wheel over the sand. [[duration: 2]]

        # ACT TWO

        EXT. BEACH - NIGHT

        Rain lashes the dunes. [[duration: 2]]
    """)
    (tmp_path / "film.yaml").write_text("size: 128x72\nfps: 12\nspeech: false\n", encoding="utf-8")
    for only in (None, ["title", "gulls-wheel-over-the"]):
        result = build(script, renders=tmp_path / "renders", only=only)
        starts = dict(zip((s.id for s in result.plan.shots), result.plan.starts()))
        meta = tmp_path / "meta.txt"
        run(["-y", "-i", str(result.output), "-f", "ffmetadata", str(meta)], what="reading chapters")
        chapters = meta.read_text(encoding="utf-8").split("[CHAPTER]")[1:]
        found = {c.split("title=")[1].splitlines()[0]:
                 int(c.split("START=")[1].split()[0]) * Fraction(c.split("TIMEBASE=")[1].split()[0]) for c in chapters}
        assert found["Tides"] == 0 and found["ACT ONE"] == Fraction(starts["gulls-wheel-over-the"]) / 12


def test_mangled_screenplays_give_errors_never_tracebacks(tmp_path):
    """Real scripts (the shipped sample, and ../shared's when present) with markup, line ends,
    bad bytes and other alphabets spliced in at random (seeded): each one reads into a plan or
    raises StoryboardError, nothing else."""
    import random

    rng = random.Random(7)
    sources = [p.read_bytes() for p in [SAMPLE, *sorted(SCRIPTS.glob("*.fountain"))]]
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
            assert error.problems and all(p.subject for p in error.problems)


# ---------------------------------------------------------------- screenplays as writers really format them

def board_of(tmp_path: Path, text: str, sidecar: str = ""):
    script = write(tmp_path, text)
    if sidecar:
        (tmp_path / "film.yaml").write_text(textwrap.dedent(sidecar), encoding="utf-8")
    return load(script)


def where(board) -> dict[str, str]:
    """Each line of dialogue and each action shot -> the heading of the scene it is filmed in."""
    out = {}
    for scene in board.scenes:
        for shot in scene.shots:
            out.update({line.text: scene.heading.text for line in shot.lines})
            if shot.prompt:
                out[shot.prompt] = scene.heading.text
    return out


TRANSITION_LINES = ["CUT TO:", "SMASH CUT TO:", "DISSOLVE TO:", "MATCH CUT TO:", "> WIPE TO:", "FADE OUT.",
                    "FADE TO BLACK."]
HEADING_LINES = [("INT. KITCHEN - NIGHT", "INT. KITCHEN - NIGHT"), ("EXT. KITCHEN - NIGHT", "EXT. KITCHEN - NIGHT"),
                 ("EST. KITCHEN - NIGHT", "EST. KITCHEN - NIGHT"), ("INT./EXT. KITCHEN - NIGHT", "INT./EXT. KITCHEN - NIGHT"),
                 ("I/E KITCHEN - NIGHT", "I/E KITCHEN - NIGHT"), (".KITCHEN", "KITCHEN")]


@pytest.mark.parametrize("heading, heading_text", HEADING_LINES, ids=[h for h, _ in HEADING_LINES])
@pytest.mark.parametrize("transition", TRANSITION_LINES)
def test_a_transition_right_above_a_heading_cuts_to_the_new_scene(tmp_path, transition, heading, heading_text):
    board = board_of(tmp_path, f"""\
        EXT. HALL - DAY

        A long hall.

        BOB
        Goodnight.

        {transition}
        {heading}

        Mom stirs the soup.

        MOM
        Sit down.
    """)
    assert [s.heading.text for s in board.scenes] == ["EXT. HALL - DAY", heading_text]
    assert where(board) == {"A long hall.": "EXT. HALL - DAY", "Goodnight.": "EXT. HALL - DAY",
                            "Mom stirs the soup.": heading_text, "Sit down.": heading_text}
    assert [c.name for c in board.cast] == ["BOB", "MOM"]
    hall = board.scenes[0].shots[-1]
    want = {"DISSOLVE TO:": "dissolve", "> WIPE TO:": "wipe-left", "FADE OUT.": "fade-black",
            "FADE TO BLACK.": "fade-black"}.get(transition, "cut")
    assert hall.transition.name == want
    if not transition.startswith(">"):
        assert any(w.line == 8 and "no blank line" in w.message for w in board.warnings)


@pytest.mark.parametrize("text, scenes", [
    ("INT. HOUSE - DAY\n\nEXT. GARDEN - DAY\n\nRoses.\n",
     [("INT. HOUSE - DAY", "house"), ("EXT. GARDEN - DAY", "roses")]),
    ("EST. CEMETERY - DAY\n\n.THE VAULT\n\nDust.\n",
     [("EST. CEMETERY - DAY", "cemetery"), ("THE VAULT", "dust")]),
    ("EXT. PIER - NIGHT\n\nFog.\n\nEXT. ISLAND - DAWN\n",
     [("EXT. PIER - NIGHT", "fog"), ("EXT. ISLAND - DAWN", "island")]),
    ("INT. HOUSE - DAY\n\nCUT TO:\n\nEXT. GARDEN - DAY\n\nRoses.\n",
     [("INT. HOUSE - DAY", "house"), ("EXT. GARDEN - DAY", "roses")]),
    ("INT. HOUSE - DAY #4#\n\nDISSOLVE TO:\nINT./EXT. CAR - DAY\n\nI/E BUS - DAY\n\nRoses.\n",
     [("INT. HOUSE - DAY", "house"), ("INT./EXT. CAR - DAY", "car"), ("I/E BUS - DAY", "roses")]),
], ids=["int-before-ext", "est-before-forced", "at-the-end", "before-a-transition", "three-in-a-row"])
def test_a_slug_line_alone_is_an_establishing_shot_of_its_place(tmp_path, text, scenes):
    board = board_of(tmp_path, text)
    assert [(s.heading.text, s.shots[0].id.split("-")[0]) for s in board.scenes] == scenes
    for scene in board.scenes:
        first = scene.shots[0]
        if first.metadata.get("establishing"):
            assert len(scene.shots) == 1 and first.loc.line == scene.loc.line and not first.lines
    # the shortest shot the pacing allows: 3 s at 24 fps unless a directive says otherwise
    plan = make_plan(board)
    lone = [s for s in plan.shots if s.id in {sc.shots[0].id for sc in board.scenes
                                                if sc.shots[0].metadata.get("establishing")}]
    assert lone and all(s.frames == round(board.project.pacing.min_duration * 24) for s in lone)
    assert all(s.heading.location.lower() in s.prompt.lower() for s in lone)
    before_cut = next((s for s in board.shots if s.transition), None)
    if before_cut is not None:
        assert before_cut.metadata.get("establishing")      # the transition leaves the slug's shot


def test_a_directive_under_a_slug_line_applies_to_its_establishing_shot(tmp_path):
    board = board_of(tmp_path, "EXT. HARBOUR - DAWN\n\n[[duration: 2; camera: pan-left]]\n\nEXT. SHIP - DAY\n\nSails.\n")
    harbour = board.scenes[0].shots[0]
    assert (harbour.id, harbour.duration, harbour.camera) == ("harbour", 2, "pan-left")


@pytest.mark.parametrize("transition", ["CUT TO:", "SMASH CUT TO:", "DISSOLVE TO:", "> CUT TO:", "FADE OUT."])
def test_dialogue_after_a_cut_is_a_new_shot(tmp_path, transition):
    board = board_of(tmp_path, f"""\
        INT. WHEELHOUSE - NIGHT

        Nell takes the wheel.

        JUNE
        Can you see?

        {transition}

        JUNE
        Then what are the lamps for?

        NELL (CONT'D)
        For them.

        The lamps swing.
    """)
    wheel, after, lamps = board.scenes[0].shots
    assert [l.text for l in wheel.lines] == ["Can you see?"]
    assert wheel.transition is not None
    assert [(l.character, l.text) for l in after.lines] == [("JUNE", "Then what are the lamps for?"),
                                                            ("NELL", "For them.")]
    assert after.prompt == "" and after.id == "wheelhouse-june" and after.transition is None
    assert lamps.prompt == "The lamps swing." and not lamps.lines


HEARD = ["V.O.", "V. O.", "O.S.", "O. S.", "O.C.", "v.o.", "PRE-LAP", "ON TV", "FILTERED", "ON PHONE",
         "V.O.; CONT'D", "O.S.) (CONT'D"]
SEEN = ["CONT'D", "CONT\u2019D", "cont'd", "INTO PHONE", "beat"]


@pytest.mark.parametrize("extension, heard", [(e, True) for e in HEARD] + [(e, False) for e in SEEN])
def test_every_spelling_of_an_extension_means_the_same(tmp_path, extension, heard):
    board = board_of(tmp_path, f"""\
        INT. KITCHEN - NIGHT

        Dad reads the paper.

        MOM ({extension})
        Dinner!

        DAD
        Coming.
    """, sidecar="""\
        cast:
          MOM: {look: "woman in a green apron"}
          DAD: {look: "man in glasses"}
    """)
    assert [c.name for c in board.cast] == ["MOM", "DAD"]
    shot = board.shots[0]
    assert [(l.character, l.text) for l in shot.lines] == [("MOM", "Dinner!"), ("DAD", "Coming.")]
    plan = make_plan(board)
    first = next(s for s in plan.shots if s.kind == "shot")
    assert ("green apron" in first.prompt) is not heard and "man in glasses" in first.prompt
    assert ("MOM" in dict(first.cast)) is not heard


@pytest.mark.parametrize("cue", ["REGGIE'S VOICE", "REGGIE\u2019S VOICE", "REGGIE'S VOICE (V.O.)",
                                 "REGGIE'S VOICE (CONT'D)"])
@pytest.mark.parametrize("reggie_first", [True, False])
def test_a_characters_voice_is_that_character_heard_not_seen(tmp_path, cue, reggie_first):
    own = "REGGIE\nI'm here.\n\n"
    voice = f"{cue}\nOver here.\n\n"
    board = board_of(tmp_path, "EXT. WOODS - NIGHT\n\nTom searches the trees.\n\n"
                     + (own + voice if reggie_first else voice + own) + "WOMAN'S VOICE\nWho's there?\n")
    assert [c.name for c in board.cast] == (["REGGIE", "WOMAN'S VOICE"])
    lines = {l.text: l.character for l in board.shots[0].lines}
    assert lines == {"I'm here.": "REGGIE", "Over here.": "REGGIE", "Who's there?": "WOMAN'S VOICE"}
    # heard, not seen: Reggie is in the picture only for her own line; a voice never is
    assert board.shots[0].cast == ("REGGIE",)
    # with no Reggie of her own, the voice is a voice of its own, unless the sidecar casts her
    alone = board_of(tmp_path / "alone", "EXT. WOODS - NIGHT\n\nTom searches.\n\n" + voice)
    assert alone.shots[0].cast == () and alone.shots[0].lines[0].character == cue.split(" (")[0]
    cast = board_of(tmp_path / "cast", "EXT. WOODS - NIGHT\n\nTom searches.\n\n" + voice,
                    sidecar="cast:\n  Reggie: {look: \"red scarf\"}\n")
    assert cast.shots[0].lines[0].character == "REGGIE" and [c.name for c in cast.cast] == ["REGGIE"]
    assert "red scarf" not in make_plan(cast).shots[0].prompt
    voices = {c.name: c.voice.pitch for c in board.cast}
    assert len(set(voices.values())) == 2      # the woman's voice is a voice of its own


@pytest.mark.parametrize("cue, speakers", [
    ("EDWARD AND WILL", ["EDWARD", "WILL"]), ("BRICK & STEEL", ["BRICK", "STEEL"]),
    ("EDWARD, WILL AND BRICK", ["EDWARD", "WILL", "BRICK"]), ("EDWARD & WILL (O.S.)", ["EDWARD", "WILL"]),
])
def test_several_names_on_one_cue_speak_together_when_each_is_a_character(tmp_path, cue, speakers):
    board = board_of(tmp_path, f"""\
        INT. BAR - NIGHT

        The regulars.

        EDWARD
        One.

        WILL
        Two.

        BRICK
        Three.

        STEEL
        Four.

        {cue}
        Cheers!
    """)
    cheers = [l for l in board.shots[0].lines if l.text == "Cheers!"]
    assert [l.character for l in cheers] == speakers
    assert [l.dual for l in cheers] == [False] + [True] * (len(speakers) - 1)     # at the same time
    assert [c.name for c in board.cast] == ["EDWARD", "WILL", "BRICK", "STEEL"]
    assert not board.warnings


@pytest.mark.parametrize("cue, warned", [("EDWARD AND WILL", True), ("PATRONS THREE AND FOUR", False),
                                         ("SIMON & GARFUNKEL", False)])
def test_several_names_that_are_not_all_characters_are_one_voice(tmp_path, cue, warned):
    board = board_of(tmp_path, f"INT. BAR - NIGHT\n\nThe regulars.\n\nEDWARD\nOne.\n\n{cue}\nCheers!\n")
    assert [c.name for c in board.cast] == ["EDWARD", cue]
    assert board.shots[0].lines[-1].character == cue
    assert any(w.line == 8 and "one voice" in w.message for w in board.warnings) is warned


@pytest.mark.parametrize("title_page, credit", [
    ("Author: Aiden Sato, Brandon Imai, and Matthew Young",
     ("Written by", ("Aiden Sato", "Brandon Imai", "Matthew Young"))),
    ("Author: Aiden Sato, Brandon Imai and Matthew Young",
     ("Written by", ("Aiden Sato", "Brandon Imai", "Matthew Young"))),
    ("Authors: Aiden Sato & Matthew Young", ("Written by", ("Aiden Sato", "Matthew Young"))),
    ("Author: Aiden Sato and Matthew Young", ("Written by", ("Aiden Sato", "Matthew Young"))),
    ("Author: Aiden Sato, Brandon Imai, & Matthew Young",
     ("Written by", ("Aiden Sato", "Brandon Imai", "Matthew Young"))),
    ("Author:\n    Aiden Sato\n    Brandon Imai & Matthew Young",
     ("Written by", ("Aiden Sato", "Brandon Imai", "Matthew Young"))),
    ("Credit: Screenplay by\nAuthor: Ann Lee, Jr., and Bo Ray", ("Screenplay by", ("Ann Lee, Jr.", "Bo Ray"))),
    ("Author: Written by Ann Lee and Bo Ray", ("Written by", ("Ann Lee", "Bo Ray"))),
    ("Written by: Ann Lee", ("Written by", ("Ann Lee",))),
    ("Credit: written by\nAuthor: Sandy Anderson", ("Written by", ("Sandy Anderson",))),
], ids=["oxford-comma", "commas-and", "ampersand", "and", "comma-ampersand", "lines", "suffix", "role-in-value",
        "written-by-key", "lower-case-credit"])
def test_title_page_authors_are_each_a_name(tmp_path, title_page, credit):
    board = board_of(tmp_path, f"Title: The Ferry\n{title_page}\n\nEXT. PIER - NIGHT\n\nFog.\n")
    assert board.project.credits == (credit,)


def test_centred_blocks_are_cards_of_their_own_and_a_title_keeps_its_lines(tmp_path):
    board = board_of(tmp_path, """\
        Title:
            _**BRICK & STEEL**_
            _**FULL RETIRED**_

        EXT. PATIO - DAY

        Beer.

        > END ACT ONE <

        ===

        > ACT TWO <

        > BRICK BRADDOCK <
        > & DICK STEEL IN <

        ===
        > THE END <
    """)
    assert [s.title for s in board.shots if s.title] == ["END ACT ONE", "ACT TWO", "BRICK BRADDOCK\n& DICK STEEL IN",
                                                         "THE END"]
    assert board.project.title == "BRICK & STEEL\nFULL RETIRED"
    assert make_plan(board).shots[0].source.text == "BRICK & STEEL\nFULL RETIRED"


def text_rows(image) -> int:
    """How many separate bands of bright (text) rows an image has."""
    import numpy as np

    bright = (np.asarray(image.convert("L")) > 200).any(axis=1)
    return int(np.count_nonzero(bright[1:] & ~bright[:-1]) + bright[0])


def test_a_cards_line_breaks_are_the_writers():
    from pipeline.generators.drawing import draw_text_card, draw_title_card

    # wide enough that the words fit one line: only a written line break makes two
    assert text_rows(draw_title_card(1600, 300, "BRICK & STEEL FULL RETIRED")) == 1
    assert text_rows(draw_title_card(1600, 300, "BRICK & STEEL\nFULL RETIRED")) == 2
    assert text_rows(draw_text_card(1600, 300, "BRICK BRADDOCK\n& DICK STEEL IN")) == 2


CREDITED = [("@McCLANE", "McClane"), ("McCLANE", None), ("MCCLANE", "McClane"), ("WOMAN'S VOICE", "Woman's Voice"),
            ("O'BRIEN", "O'Brien"), ("DE LA CRUZ", "De la Cruz"), ("MACDONALD", "Macdonald"), ("@MacDONALD", "MacDonald"),
            ("R2-D2", "R2-D2"), ("C-3PO", "C-3PO"), ("DR. JONES", "Dr. Jones"), ("JEAN-LUC", "Jean-Luc"),
            ("2ND COP", "2nd Cop"), ("HENRY VIII", "Henry VIII"), ("TV ANNOUNCER", "TV Announcer"),
            ("MAN IN THE HAT", "Man in the Hat"), ("D\u2019ARTAGNAN", "D\u2019Artagnan"), ("@Marcus", "Marcus"),
            ("ZOË", "Zoë")]


@pytest.mark.parametrize("cue, credited", CREDITED, ids=[c for c, _ in CREDITED])
def test_credits_name_the_cast_as_written(tmp_path, cue, credited):
    board = board_of(tmp_path, f"INT. BAR - NIGHT\n\nThe regulars.\n\n{cue}\nHello.\n\n{cue}\nAgain.\n")
    plan = make_plan(board)
    last = plan.shots[-1]
    cast = dict(last.source.credits).get("Cast", ()) if last.kind == "credits" else ()
    if credited is None:
        # not a cue (lower case letters, not forced with @): action, and nobody is in the cast
        assert cast == () and not board.cast
        return
    assert cast == (credited,)
    # the cast's name is the one the dialogue and the prompt use
    name = board.cast[0].name
    assert {l.character for l in board.shots[0].lines} == {name}
    in_picture = dict(next(s for s in plan.shots if s.kind == "shot").cast).keys()
    assert in_picture == (set() if "VOICE" in cue else {name})       # a voice is heard, not seen


def test_a_forced_name_and_its_capitals_are_one_person(tmp_path):
    board = board_of(tmp_path, "INT. BAR - NIGHT\n\nMcCLANE drinks.\n\nMCCLANE\nOne.\n\n@McCLANE\nTwo.\n",
                     sidecar="cast:\n  McClane: {look: \"vest, bare feet\"}\n")
    assert [c.name for c in board.cast] == ["McCLANE"] and board.cast[0].look == "vest, bare feet"
    assert [l.character for l in board.shots[0].lines] == ["McCLANE", "McCLANE"]
    assert "vest, bare feet" in make_plan(board).shots[0].prompt


def test_the_shipped_screenplay_reads_checks_and_plans(capsys):
    assert main(["check", str(SAMPLE.parent)]) == 0
    out = capsys.readouterr()
    assert "ok" in out.out and f"{SAMPLE}:32: warning: no blank line" in out.err
    assert main(["plan", str(SAMPLE)]) == 0
    board = load(SAMPLE.parent)
    assert [s.heading.text for s in board.scenes] == ["EXT. HARROW PIER - NIGHT", "EXT. FERRY DECK - NIGHT",
                                                      "INT. WHEELHOUSE - NIGHT", "EXT. ISLAND JETTY - DAWN"]
    assert [c.name for c in board.cast] == ["McBRIDE", "NELL", "JUNE"]
    assert board.project.credits == (("Written by", ("Ada Quill", "Ben Harrow", "Cy Loman")),)
    assert 8 <= len(board.shots) <= 12


@pytest.mark.parametrize("cue, written", [("MCCLANE", "McClane"), ("DE LA CRUZ", "De la Cruz"),
                                          ("TV ANNOUNCER", "TV Announcer"), ("DR. JONES", "Dr. Jones")])
def test_a_character_named_in_the_action_as_a_reader_writes_them_is_in_the_picture(tmp_path, cue, written):
    board = board_of(tmp_path, f"INT. BAR - NIGHT\n\n{written} waits at the bar.\n\nThe door opens.\n\n{cue}\nHello.\n",
                     sidecar=f"cast:\n  \"{cue}\": {{look: \"in a yellow coat\"}}\n")
    waits = make_plan(board).shots[0]
    assert [name for name, _ in waits.cast] == [cue] and "in a yellow coat" in waits.prompt


# ---------------------------------------------------------------- a transition with no blank line after it

CLOSINGS = [("CUT TO:", "CUT TO:", "cut"), ("SMASH CUT TO:", "SMASH CUT TO:", "cut"),
            ("MATCH CUT TO:", "MATCH CUT TO:", "cut"), ("DISSOLVE TO:", "DISSOLVE TO:", "dissolve"),
            ("FADE OUT.", "FADE OUT.", "fade-black"), ("FADE TO BLACK.", "FADE TO BLACK.", "fade-black"),
            ("> WIPE TO:", "WIPE TO:", "wipe-left"), (">CUT TO:", "CUT TO:", "cut")]


def warned(board) -> list[str]:
    return [f"{Path(w.subject).name}:{w.line}: {w.message}" for w in board.warnings]


def no_blank_after(line: int, closing: str) -> str:
    return (f"keeper.fountain:{line}: no blank line after the transition '{closing}'; read as a transition, "
            "and the line below it as the start of what follows")


@pytest.mark.parametrize("cue, heard", [("ANN", False), ("ANN (V.O.)", True), ("ANN (CONT'D)", False)])
@pytest.mark.parametrize("transition, closing, name", CLOSINGS, ids=[t for t, _, _ in CLOSINGS])
def test_a_cue_right_below_a_transition_speaks_after_the_cut(tmp_path, transition, closing, name, cue, heard):
    """`CUT TO:` then `ANN` with no blank line is, to the spec, a character named "CUT TO:"; a
    reader sees a cut and then Ann speaking, in a new shot."""
    board = board_of(tmp_path, f"""\
        INT. KITCHEN - NIGHT

        The kettle boils.

        {transition}
        {cue}
        Hello?
    """)
    kettle, after = board.shots
    assert (kettle.prompt, kettle.lines) == ("The kettle boils.", ())
    assert (kettle.transition.name, kettle.transition.loc.line) == (name, 5)
    assert [(l.character, l.text, l.loc.line) for l in after.lines] == [("ANN", "Hello?", 7)]
    assert after.id == "kitchen-ann" and after.transition is None
    assert [c.name for c in board.cast] == ["ANN"]
    assert warned(board) == [no_blank_after(5, closing)]
    plan = make_plan(board)
    shots = [s for s in plan.shots if s.kind == "shot"]
    assert [s.texts for s in shots] == [(), (("ANN", "Hello?"),)]          # what the voice says and the subtitle shows
    assert [name for name, _ in shots[1].cast] == ([] if heard else ["ANN"])   # who stands in the shot
    assert dict(plan.shots[-1].source.credits)["Cast"] == ("Ann",)


@pytest.mark.parametrize("transition, closing, name", CLOSINGS, ids=[t for t, _, _ in CLOSINGS])
def test_an_action_line_right_below_a_transition_is_the_next_shot(tmp_path, transition, closing, name):
    board = board_of(tmp_path, f"""\
        INT. KITCHEN - NIGHT

        The kettle boils.

        {transition}
        The beach at dawn.
    """)
    assert [(s.prompt, s.transition.name if s.transition else None) for s in board.shots] == [
        ("The kettle boils.", name), ("The beach at dawn.", None)]
    assert not board.cast and warned(board) == [no_blank_after(5, closing)]


def test_a_transition_with_no_blank_line_on_either_side_still_cuts(tmp_path):
    board = board_of(tmp_path, "INT. KITCHEN - NIGHT\n\nThe kettle boils.\nCUT TO:\nANN\nHello?\n")
    kettle, after = board.shots
    assert kettle.prompt == "The kettle boils." and kettle.transition.name == "cut"
    assert [(l.character, l.text) for l in after.lines] == [("ANN", "Hello?")]
    assert warned(board) == ["keeper.fountain:4: no blank line between the action above and 'CUT TO:', nor after "
                             "it; read as a transition, and the line below it as the start of what follows"]


@pytest.mark.parametrize("written, name", [("cut to:", "cut"), ("Cut To:", "cut"), ("smash cut to:", "cut"),
                                           ("Dissolve to:", "dissolve"), ("fade out.", "fade-black"),
                                           ("Fade to black.", "fade-black"), ("wipe to:", "wipe-left"),
                                           ("iris in:", "iris"), ("Iris out.", "fade-black")])
def test_a_transition_in_lower_case_alone_on_its_line_is_a_transition_with_a_warning(tmp_path, written, name):
    """The spec reads `cut to:` as action (transitions are in capitals); a script supervisor reads
    a cut. No shot is captioned "cut to:"."""
    board = board_of(tmp_path, f"INT. KITCHEN - NIGHT\n\nThe kettle boils.\n\n{written}\n\nThe beach at dawn.\n")
    assert [(s.prompt, s.transition.name if s.transition else None) for s in board.shots] == [
        ("The kettle boils.", name), ("The beach at dawn.", None)]
    capitals = " ".join(written.upper().split())
    assert warned(board) == [f"keeper.fountain:5: '{written}' looks like a transition written in lower case, which "
                             f"the spec reads as action; read as a transition (write it in capitals: '{capitals}')"]


@pytest.mark.parametrize("text", ["He turns to:", "Time passes.", "Cut the rope.", "Back to work."])
def test_lower_case_lines_that_only_resemble_a_transition_stay_action(tmp_path, text):
    board = board_of(tmp_path, f"INT. KITCHEN - NIGHT\n\nThe kettle boils.\n\n{text}\n\nThe beach at dawn.\n")
    assert [s.prompt for s in board.shots] == ["The kettle boils.", text, "The beach at dawn."]
    assert not board.shots[0].transition and not board.warnings


# ---------------------------------------------------------------- film new --from: the cast as YAML

BAR = """\
INT. BAR - NIGHT

The regulars.

REGGIE'S VOICE
Last orders.

JOSÉ
Una más.

李明
再来一杯。

COP #2
Closing time.

DR. NO: THE SEQUEL
No.

"BIG" JIM
Fine.

NO
Yes.

007 (O.S.)
Shaken.

@McCLANE
Yippee.

BRICK & STEEL
Hi.
"""


def test_film_new_writes_the_cast_as_a_person_writes_yaml_and_reads_it_back(tmp_path):
    import yaml

    script = write(tmp_path / "drafts", BAR, "bar.fountain")
    names = [c.name for c in load(script).cast]
    assert names == ["REGGIE'S VOICE", "JOSÉ", "李明", "COP #2", "DR. NO: THE SEQUEL", '"BIG" JIM', "NO", "007",
                     "McCLANE", "BRICK & STEEL"]
    assert main(["new", str(tmp_path / "bar"), "--from", str(script)]) == 0
    sidecar = (tmp_path / "bar" / "film.yaml").read_text(encoding="utf-8")
    keys = [row.split(": {look", 1)[0].strip() for row in sidecar.splitlines() if ": {look" in row]
    # as written where that reads back the same; quoted where '#' would start a comment, ': ' a
    # value, '"' a quoted string, NO a boolean and 007 a number; never \u escapes
    assert keys == ["REGGIE'S VOICE", "JOSÉ", "李明", "'COP #2'", "'DR. NO: THE SEQUEL'", "'\"BIG\" JIM'", "'NO'",
                    "'007'", "McCLANE", "BRICK & STEEL"]
    assert "\\u" not in sidecar
    assert list(yaml.safe_load(sidecar)["cast"]) == names
    board = load(tmp_path / "bar")
    assert [c.name for c in board.cast] == names and not [w for w in board.warnings if "never speaks" in w.message]
    assert len({c.voice.pitch for c in board.cast}) == len(names)


@pytest.mark.parametrize("title_page, credits, lines", [
    ("Credit: Written by\nAuthor: Ann Lee\n    Bo Ray\nSource: Story by Cy Loman",
     (("Written by", ("Ann Lee", "Bo Ray")), ("Story by", ("Cy Loman",))), ((2, (3, 4)), (5, (5,)))),
    ("Author: Written by\n    Ann Lee & Bo Ray\n    Cy Loman",
     (("Written by", ("Ann Lee", "Bo Ray", "Cy Loman")),), ((2, (3, 3, 4)),)),
    ("Author: Ann Lee, Jr.,\n\tBo Ray", (("Written by", ("Ann Lee, Jr.", "Bo Ray")),), ((2, (2, 3)),)),
], ids=["credit-author-source", "role-on-its-own-row", "suffix-and-tab"])
def test_title_page_credits_keep_the_line_of_each_name(tmp_path, title_page, credits, lines):
    board = board_of(tmp_path, f"Title: The Ferry\n{title_page}\n\nEXT. PIER - NIGHT\n\nFog.\n")
    assert board.project.credits == credits
    script = str(tmp_path / "keeper.fountain")
    assert board.project.credit_locs == tuple((Loc(script, role), tuple(Loc(script, n) for n in names))
                                              for role, names in lines)
    assert board.project.title_loc == Loc(script, 1)


def test_fade_in_right_above_the_first_action_opens_the_film_and_is_no_one_speaking(tmp_path):
    board = board_of(tmp_path, "FADE IN:\nA dark room.\n\nANN\nHello?\n")
    assert [(s.prompt, [(l.character, l.text) for l in s.lines]) for s in board.shots] == [
        ("A dark room.", [("ANN", "Hello?")])]
    assert [c.name for c in board.cast] == ["ANN"] and warned(board) == [no_blank_after(1, "FADE IN:")]


def test_a_character_is_drawn_and_voiced_as_the_action_introduces_them(tmp_path):
    """`MAYA, a girl of ten in a yellow raincoat, runs…`: the screenplay's introduction is her
    look where the sidecar gives none, so `film new` and a build without a sidecar make her a
    girl (voice preset `girl`), and `A little girl, LILY,` reads the same way round."""
    script = tmp_path / "garden.fountain"
    script.write_text(
        "EXT. GARDEN - DAY\n\nMAYA, a girl of ten in a yellow raincoat, runs across the lawn.\n\n"
        "A little girl, LILY, kneels by the roses.\n\n"
        "MAYA\nWhy do the flowers close at night?\n\nLILY\nThey sleep.\n", encoding="utf-8")
    board = read_screenplay(script, names(), config=None)
    cast = {c.name: c for c in board.cast}
    assert cast["MAYA"].look == "a girl of ten in a yellow raincoat"
    assert cast["LILY"].look == "A little girl"
    assert cast["MAYA"].voice.preset == "girl" and cast["LILY"].voice.preset == "girl"
    assert (cast["MAYA"].voice.pitch, cast["MAYA"].voice.formant) != (cast["LILY"].voice.pitch, cast["LILY"].voice.formant)
