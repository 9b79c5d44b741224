"""Each planning step on its own, as `make_plan` runs them (see `pipeline/plan/__init__.py`)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from conftest import solid_png, write_project
from pipeline.build import build
from pipeline.errors import StoryboardError
from pipeline.parse import load
from pipeline.plan import (
    CardSource, DrawnSource, FootageFile, FootageSource, GeneratedSource, StillSource, derive_seed, make_plan,
)
from pipeline.plan.defaults import seed_groups, settings, shot_source
from pipeline.plan.model import Chapter
from pipeline.plan.timing import pacing_in_frames, place_speech, shot_length
from pipeline.spec import GeneratorSpec, Pacing
from pipeline.plan import Spoken, place_beds

FILM = """
seed: 3
camera: zoom-in
transition: dissolve
music: [{{generate: ambient, start: 2, end: 500}}, {{generate: ambient, start: 900}}]
scenes:
  - heading: EXT. HARBOUR - DAY
    camera: pan-left
    transition: {{name: wipe-left, duration: 0.5}}
    metadata: {{chapter: Arrival}}
    shots:
      - {{id: boats, prompt: boats come home}}
      - {{id: photo, image: red.png, camera: static, background: navy}}
      - {{id: card, title: LATER}}
  - heading: INT. KITCHEN - NIGHT
    generator: {{name: diffusers, model: {model}}}
    shots:
      - {{id: kettle, prompt: a kettle, continuity: previous, takes: 2, take: 2, first_frame: red.png}}
      - {{id: clip, footage: clip.mp4}}
"""


@pytest.fixture
def board(tmp_path):
    solid_png(tmp_path / "film" / "red.png", (200, 30, 30), size=(64, 36))
    (tmp_path / "film" / "clip.mp4").write_bytes(b"")   # never opened: only named
    write_project(tmp_path / "film", FILM.format(model="none"))
    from pipeline.parse.yaml import read_yaml
    from pipeline.generators import names

    # read without `load`'s model and media checks: these steps only read the storyboard
    return read_yaml(tmp_path / "film" / "storyboard.yaml", names())


def test_settings_cascade_from_shot_to_scene_to_film(board):
    harbour, kitchen = board.scenes
    boats, photo, card = harbour.shots
    assert settings(board, harbour, boats).camera == "pan-left"          # the scene's
    assert settings(board, harbour, photo).camera == "static"            # the shot's own
    assert settings(board, kitchen, kitchen.shots[0]).camera == "zoom-in"  # the film's
    # a scene's transition is the way out of its last shot only
    assert settings(board, harbour, boats).transition.name == "dissolve"
    assert settings(board, harbour, card).transition.name == "wipe-left"
    assert settings(board, kitchen, kitchen.shots[0]).generator.name == "diffusers"


def test_seed_groups_follow_continuity(board):
    problems = []
    seeds = seed_groups(board, problems)
    assert not problems
    assert seeds["boats"].seed == derive_seed(3, "boats") and seeds["boats"].group is None
    # `continuity: previous` joins the shot before it (across a scene's end) and says which it continues
    assert seeds["kettle"].seed == seeds["card"].seed and seeds["kettle"].continues == "card"


def test_each_shot_has_one_typed_source(board, tmp_path):
    root = tmp_path / "film"
    harbour, kitchen = board.scenes
    boats, photo, card = harbour.shots
    kettle, clip = kitchen.shots
    animatic, diffusers = GeneratorSpec("animatic"), GeneratorSpec("diffusers")
    assert shot_source(boats, animatic, root, None, {}) == (DrawnSource(), animatic)
    source, generator = shot_source(photo, animatic, root, None, {})
    assert source == StillSource((root / "red.png").resolve(), (0, 0, 128)) and generator.name == "still"
    assert shot_source(card, animatic, root, None, {})[0] == CardSource(text="LATER")
    source, generator = shot_source(kettle, diffusers, root, "card", {})
    assert source == GeneratedSource(2, 2, (root / "red.png").resolve(), "card") and generator is diffusers
    measured = {(root / "clip.mp4").resolve(): FootageFile(4.5, audible=True)}
    source, generator = shot_source(clip, animatic, root, None, measured)
    assert isinstance(source, FootageSource) and source.file == FootageFile(4.5, True) and generator.name == "footage"


def test_speech_is_placed_after_the_lead_in_a_gap_apart(board, tmp_path):
    fps = Fraction(24)
    pacing = pacing_in_frames(Pacing(lead_in=0.5, hold=0.8, line_gap=0.25), fps)
    assert (pacing.lead_in, pacing.hold, pacing.line_gap, pacing.min_frames) == (12, 19, 6, 72)
    shot = board.scenes[0].shots[0]
    from dataclasses import replace

    from pipeline.spec import Line

    shot = replace(shot, narration="Boats.", lines=(Line("ANN", "Home."), Line("BO", "At last.", dual=True)))
    speech = {("", "Boats."): Spoken(Path("a.wav"), 1.0), ("ANN", "Home."): Spoken(Path("b.wav"), 0.51),
              ("BO", "At last."): Spoken(Path("c.wav"), 2.0)}
    placed = place_speech(shot, speech, pacing, fps)
    # 12 lead-in, 24 of narration, 6 of gap; 0.51 s is 12.24 frames, heard whole: 13; a dual line starts with it
    assert [(p.speaker, p.start, p.frames) for p in placed] == [("", 12, 24), ("ANN", 42, 13), ("BO", 42, 48)]
    length = shot_length(shot, placed, [], pacing, Pacing(), fps, 0, timed=True)
    assert length.frames == 42 + 48 + 19 and not length.problem     # the longest line, then the hold
    short = shot_length(replace(shot, duration=2.0), placed, [], pacing, Pacing(), fps, 0, timed=True)
    assert short.frames == 48 and "needs 4.54 s" in short.problem


def test_music_beds_are_placed_on_the_cut(board):
    first, second = place_beds(board, 1000.0)
    assert (first.start, first.seconds) == (2, 498)         # from its start to its end
    assert (second.start, second.seconds) == (900, 100)     # no end: to the film's
    assert first.file is None and first.generate == "ambient"
    (only,) = place_beds(board, 30.0)                       # a film that ends before the second bed starts
    assert (only.start, only.seconds) == (2, 28)            # clipped to the film


def test_chapters_run_from_their_first_shot_to_the_next(tmp_path):
    write_project(tmp_path / "c", """
        speech: false
        scenes:
          - {heading: ONE, metadata: {chapter: Morning}, shots: [{id: a, prompt: x, duration: 2}, {id: b, prompt: y, duration: 2}]}
          - {heading: TWO, shots: [{id: c, prompt: z, duration: 2}]}
          - {heading: THREE, metadata: {chapter: Night}, shots: [{id: d, prompt: w, duration: 1}]}
    """)
    plan = make_plan(load(tmp_path / "c"))
    starts = dict(zip((s.id for s in plan.shots), plan.starts()))
    assert plan.chapters() == [Chapter(starts["a"], starts["d"], "Morning"), Chapter(starts["d"], plan.total, "Night")]
    # a cut of some shots keeps the chapters of the shots it has
    assert [c.title for c in plan.only(["c", "d"]).chapters()] == ["Night"]


def test_only_is_checked_before_any_speech_is_made(tmp_path):
    folder = write_project(tmp_path / "o", """
        scenes:
          - shots: [{id: photo, prompt: a photo, narration: "Words that would take time to say."}]
    """).parent
    with pytest.raises(StoryboardError, match=r"no shot 'phot' \(did you mean 'photo'\?\)"):
        build(folder, renders=tmp_path / "renders", only=["phot"])
    assert not (tmp_path / "renders").exists()    # nothing made, not even the speech


def test_a_generator_that_shows_a_file_needs_the_file(tmp_path):
    """`generator: still` or `footage` on a shot with no picture or video: `film check` says so
    at the generator's line (it once passed, and the build failed with a traceback)."""
    from pipeline.cli import main

    folder = write_project(tmp_path / "g", """
        speech: false
        scenes:
          - generator: footage
            shots:
              - {id: a, prompt: a cat, generator: still}
              - {id: b, prompt: a dog}
    """).parent
    with pytest.raises(StoryboardError) as caught:
        make_plan(load(folder))
    assert [(p.line, p.message.split(",")[0]) for p in caught.value.problems] == [
        (5, "generator 'still' shows a shot's 'image:'"), (3, "generator 'footage' shows a shot's 'footage:'")]
    assert main(["check", str(folder), "--out", str(tmp_path / "r")]) == 1 and not (tmp_path / "r").exists()


def test_a_sound_effect_after_its_shot_ends_is_a_warning(tmp_path, capsys):
    """An effect placed past the end of its shot would be silently left out of the mix."""
    from pipeline.cli import main
    from pipeline.edit.ffmpeg import run

    folder = tmp_path / "late"
    folder.mkdir()
    run(["-f", "lavfi", "-i", "sine=d=0.3", str(folder / "door.wav")])
    (folder / "storyboard.yaml").write_text(
        "speech: false\ntitle_card: false\nscenes:\n  - shots:\n"
        "      - {id: a, prompt: a door, duration: 2, sfx: [{file: door.wav, at: 1.5}, {file: door.wav, at: 5}]}\n",
        encoding="utf-8")
    assert main(["check", str(folder), "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{folder / 'storyboard.yaml'}:5: warning: sound effect 'door.wav' at 5 s starts after the shot "
                   "ends (2.00 s): it is not heard"]
