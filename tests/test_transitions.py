"""The transitions registry, and its newest entry, the iris, seen through the real segment path:
the incoming shot opens from a circle at the centre, the cut's length unchanged, and a
screenplay's `IRIS IN:` / `IRIS TO:` played as one."""

from __future__ import annotations

import textwrap
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from conftest import count_frames, frame_at, solid_png
from pipeline import transitions
from pipeline.edit.sources import ImageMove
from pipeline.edit.timeline import Clip, Join, Timeline
from pipeline.errors import StoryboardError
from pipeline.frames import Format
from pipeline.parse import load
from pipeline.parse.fountain import TRANSITIONS as SCREENPLAY_WORDS
from pipeline.testing.timelines import render_timeline

FMT = Format(160, 96, Fraction(24))
RED, BLUE = (230, 20, 20), (20, 20, 230)


# -- the registry ----------------------------------------------------------------------------------

def test_the_registry_keeps_the_order_messages_list():
    assert transitions.names() == ("cut", "dissolve", "fade-black", "wipe-left", "wipe-right", "slide-left",
                                   "slide-right", "iris")


def test_each_entry_says_how_it_is_drawn_and_how_long_it_lasts():
    assert transitions.default_seconds("cut") == 0
    assert transitions.default_seconds("dissolve") == transitions.default_seconds("fade-black") == 1.0
    assert transitions.default_seconds("wipe-left") == transitions.default_seconds("slide-right") == 0.75
    assert transitions.default_seconds("iris") == 1.0
    # fade-black is the renderer's own (through black), every other but the cut one of xfade's
    assert transitions.get("fade-black").renderer == transitions.THROUGH_BLACK
    assert transitions.get("cut").renderer == transitions.CUT
    assert all(transitions.get(name).renderer == transitions.XFADE and transitions.get(name).xfade
               for name in transitions.names() if name not in ("cut", "fade-black"))
    assert transitions.get("iris").xfade == "circleopen"
    assert "xfade=transition=circleopen:duration=0.500000:offset=0" == transitions.xfade("iris", 12, Fraction(24))
    # only through black is each shot seen on its own side of the cut (and its sound with it)
    assert [n for n in transitions.names() if transitions.get(n).sides_apart] == ["fade-black"]
    with pytest.raises(KeyError):
        transitions.get("crossfade")


def test_an_entry_that_says_two_things_about_how_it_is_drawn_is_refused():
    with pytest.raises(ValueError):
        transitions.Transition(1.0, transitions.THROUGH_BLACK, xfade="fade")
    with pytest.raises(ValueError):
        transitions.Transition(1.0)   # an xfade transition without its xfade name
    with pytest.raises(ValueError):
        transitions.Transition(1.0, "morph")


def test_the_screenplay_reads_its_words_from_the_registry():
    table = transitions.words()
    assert SCREENPLAY_WORDS == table
    assert table["DISSOLVE TO"] == "dissolve" and table["FADE OUT"] == "fade-black" and table["CUT TO"] == "cut"
    assert table["IRIS IN"] == table["IRIS TO"] == "iris"
    # an iris out closes the picture to black: through black, not the iris
    assert table["IRIS OUT"] == "fade-black"
    assert transitions.split(12) == (6, 6) and transitions.split(9) == (4, 5)


# -- the iris, rendered ------------------------------------------------------------------------

def clip(tmp_path: Path, name: str, colour, frames: int, head: int, tail: int) -> Clip:
    path = solid_png(tmp_path / f"{name}.png", colour, (200, 120))
    return Clip(name, ImageMove(name, path, "static", head + frames + tail), frames, head, tail)


def render(timeline: Timeline, folder: Path) -> Path:
    """The timeline through the real segment path: one encode per segment, joined by copying."""
    return render_timeline(timeline, folder)


def mean(picture: np.ndarray) -> np.ndarray:
    return picture.reshape(-1, 3).astype(np.float64).mean(axis=0)


def test_an_iris_opens_the_incoming_shot_from_the_centre(tmp_path):
    frames = round(transitions.default_seconds("iris") * FMT.fps)   # 24: 12 either side of the cut
    a, b = clip(tmp_path, "a", RED, 36, 0, 12), clip(tmp_path, "b", BLUE, 36, 12, 0)
    timeline = Timeline(FMT, (a, b), (Join("iris", frames),))
    assert [(s.kind, s.start, s.frames) for s in timeline.segments()] == [
        ("body", 0, 24), ("transition", 24, 24), ("body", 48, 24)]
    final = render(timeline, tmp_path / "iris")
    # the film is as long as its shots: the iris is centred on the cut
    assert count_frames(final) == timeline.total == 72
    h, w = FMT.height, FMT.width
    middle = frame_at(final, 36)   # the cut: the iris's midpoint
    centre = mean(middle[h // 2 - 4:h // 2 + 4, w // 2 - 4:w // 2 + 4])
    corners = mean(np.concatenate([middle[:8, :8], middle[:8, -8:], middle[-8:, :8], middle[-8:, -8:]]))
    assert np.allclose(centre, BLUE, atol=15), centre     # the incoming shot, in the circle
    assert np.allclose(corners, RED, atol=15), corners    # the outgoing one, around it
    # the circle grows: how much of the frame is the incoming shot (by its blue) rises through the iris
    def incoming(n: int) -> float:
        return float((mean(frame_at(final, n))[2] - RED[2]) / (BLUE[2] - RED[2]))
    shares = [incoming(n) for n in range(24, 48, 3)]   # frames 24 .. 45 of the iris's 24 .. 47
    assert shares[0] < 0.05 and 0.2 < shares[4] < 0.8 and shares[-1] > 0.95, shares
    assert all(np.diff(shares) > -0.005) and all(np.diff(shares[2:6]) > 0.05), shares
    # outside the transition each shot is itself
    assert np.allclose(mean(frame_at(final, 23)), RED, atol=12)
    assert np.allclose(mean(frame_at(final, 48)), BLUE, atol=12)


def test_a_storyboard_asks_for_an_iris_and_gets_its_default_length(project):
    from pipeline.plan import make_plan

    path = project("""
        title_card: false
        fps: 24
        scenes:
          - shots:
              - {id: a, prompt: a, duration: 3, transition: iris}
              - {id: b, prompt: b, duration: 3, transition: {name: iris, duration: 0.5}}
              - {id: c, prompt: c, duration: 3}
    """)
    a, b, c = make_plan(load(path)).shots
    assert (a.transition, a.transition_frames) == ("iris", 24)
    assert (b.transition, b.transition_frames) == ("iris", 12)
    assert (b.head, b.tail, c.head) == (12, 6, 6)


def test_a_misspelt_iris_is_refused_with_the_registry_listed(project):
    path = project("""
        scenes:
          - shots:
              - {id: a, prompt: a, transition: iriss}
              - {id: b, prompt: b}
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3: unknown transition 'iriss' (did you mean 'iris'?); one of: cut, dissolve, fade-black, "
        "wipe-left, wipe-right, slide-left, slide-right, iris"]


def test_a_screenplay_irises_in_and_to(tmp_path):
    script = tmp_path / "iris.fountain"
    script.write_text(textwrap.dedent("""\
        Title: The Iris

        EXT. GARDEN - DAY

        Roses in the sun.

        IRIS IN:

        A bee lands on a rose.

        IRIS TO:

        EXT. POND - DAY

        A frog on a lily pad.

        IRIS OUT.

        EXT. FIELD - DUSK

        The sun sets.
    """), encoding="utf-8")
    board = load(script)
    shots = [shot for scene in board.scenes for shot in scene.shots]
    assert [s.prompt for s in shots] == ["Roses in the sun.", "A bee lands on a rose.", "A frog on a lily pad.",
                                         "The sun sets."]
    assert [s.transition.name if s.transition else None for s in shots[:3]] == ["iris", "iris", "fade-black"]
    assert not [w for w in board.warnings if "played as a cut" in w.message]


def test_changing_how_an_entry_draws_redraws_what_it_drew_and_nothing_else(project, monkeypatch):
    """A segment's key holds how its transition and camera moves are drawn, not just their
    names: an entry changed in the registry invalidates the segments it drew, no others."""
    from dataclasses import replace

    from pipeline import camera
    from pipeline.build import make_graph
    from pipeline.cache import Cache
    from pipeline.plan import make_plan

    folder = project("""
        speech: false
        title_card: false
        scenes:
          - shots:
              - {id: a, prompt: a harbour, duration: 2, camera: zoom-in, transition: dissolve}
              - {id: b, prompt: a boat, duration: 2, camera: static, transition: wipe-left}
              - {id: c, prompt: a gull, duration: 2}
    """).parent

    def keys() -> dict[str, str]:
        plan = make_plan(load(folder))
        return {job.id: job.key for job in make_graph(plan, Cache(folder / "cache")).jobs if job.kind == "segment"}

    before = keys()
    monkeypatch.setitem(transitions.TRANSITIONS, "dissolve", replace(transitions.get("dissolve"), xfade="fadegrays"))
    after = keys()
    assert {i for i in before if before[i] != after[i]} == {"dissolve:a>b"}
    monkeypatch.setitem(camera.MOVES, "zoom-in", replace(camera.MOVES["zoom-in"], zoom=(1.0, 1.1)))
    moved = keys()
    assert {i for i in after if after[i] != moved[i]} == {"body:a", "dissolve:a>b"}
