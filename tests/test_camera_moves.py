"""The camera moves registry, and its newest entry, the crane up: the view rises up the picture
with a gentle push in, inside the title-safe area, continuous across the segments that render
it; a storyboard asks for it by name and its prompt says it in words."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline import camera
from pipeline.camera import MOVES, SAFE_BOX, canvas_size, framing, move_filter
from pipeline.edit import ffmpeg
from pipeline.edit.sources import ImageMove
from pipeline.edit.timeline import Clip, Join, Timeline
from pipeline.errors import StoryboardError
from pipeline.frames import Format
from pipeline.parse import load
from pipeline.testing.timelines import centroids, marker_card as marker_card_at, render_timeline

FMT = Format(384, 216, Fraction(24))
MARKS = [(0.12, 0.14), (0.88, 0.14), (0.12, 0.86), (0.88, 0.86), (0.5, 0.5)]


# -- the registry ----------------------------------------------------------------------------------

def test_the_registry_keeps_the_order_messages_list_and_each_moves_words():
    assert camera.names() == ("static", "zoom-in", "zoom-out", "pan-left", "pan-right", "tilt-up", "tilt-down",
                              "dolly-in", "dolly-out", "crane-up")
    assert camera.words("static") == "" and camera.words("zoom-in") == "slow zoom in"
    assert camera.words("crane-up") == "crane shot rising"
    assert camera.words("hand-held") == "hand-held"   # a name the registry does not hold is said as written
    # every move but the still camera has words, and no two moves share them
    spoken = [MOVES[name].words for name in camera.names() if name != "static"]
    assert all(spoken) and len(set(spoken)) == len(spoken)


# -- the crane up, as numbers ----------------------------------------------------------------------

def test_a_crane_rises_up_the_picture_pushing_gently_in_inside_the_title_safe_area():
    total = 97
    frames = [framing("crane-up", k, total) for k in range(total)]
    x0, y0, x1, y1 = SAFE_BOX
    for f in frames:
        assert 0 <= f.left and f.left + f.size <= 1 + 1e-9 and 0 <= f.top and f.top + f.size <= 1 + 1e-9
        assert f.left <= x0 + 1e-9 and f.top <= y0 + 1e-9 and f.left + f.size >= x1 - 1e-9 and f.top + f.size >= y1 - 1e-9
    across = np.array([f.centre[0] for f in frames])
    down = np.array([f.centre[1] for f in frames])
    sizes = np.array([f.size for f in frames])
    assert np.allclose(across, 0.5)                      # straight up: no drift sideways
    assert np.all(np.diff(down) < 0)                     # the view rises every frame, all the way
    assert down[0] > 0.5 > down[-1] and down[0] - down[-1] > 0.03
    assert np.all(np.diff(sizes) < 0)                    # pushing in all the way...
    assert 0.9 < sizes[-1] / sizes[0] < 1                # ...gently
    # the move is made as far as the rule allows: its last framing touches the safe area
    last = frames[-1]
    assert min(y0 - last.top, last.top + last.size - y1) < 1e-6


def test_a_segment_cut_from_the_middle_of_a_crane_carries_it_on():
    """A segment from frame 57 starts on the numbers the whole shot has for frame 57, and its
    picture is scaled and padded the same (the numbers are the shot's, not the segment's)."""
    once, per_frame = move_filter("crane-up", 0, 120, 640, 360)
    later_once, later = move_filter("crane-up", 57, 120, 640, 360, count=20)
    assert once == later_once and once.startswith("scale=")
    (_, _), table = camera.resampling("crane-up", 120, 640, 360)
    x, y, _ = table[57]
    assert f"crop@cam_a=w={x.crop}:h={y.crop}:x={x.at}:y={y.at}:" in later
    assert f"crop@cam_b=w=640:h=360:x={x.offset}:y={y.offset}:" in later


# -- the crane up, rendered ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def marker_card(tmp_path_factory) -> Path:
    """Soft round markers (known centres) on black, on a camera canvas."""
    return marker_card_at(tmp_path_factory.mktemp("card") / "markers.png", FMT, MARKS)


def render(timeline: Timeline, folder: Path) -> np.ndarray:
    """The timeline through the real segment path (one encode per segment, joined by copying),
    decoded: greyscale frames (n, rows, columns) as floats."""
    final = render_timeline(timeline, folder)
    result = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(final), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                            capture_output=True, check=True)
    return np.frombuffer(result.stdout, np.uint8).reshape(-1, FMT.height, FMT.width).astype(np.float64)


def planned(frame: int, total: int) -> np.ndarray:
    """Where the markers are on frame `frame` of the crane, by `camera.framing`."""
    seen = framing("crane-up", frame, total)
    return np.array([((mx - seen.left) / seen.size * FMT.width, (my - seen.top) / seen.size * FMT.height)
                     for mx, my in MARKS])


def test_a_rendered_crane_rises_steadily_across_its_segments(tmp_path, marker_card):
    """The card comes in through a dissolve, holds for a body and goes out through black: every
    frame shows the framing planned for it (to a third of a pixel), the picture slides down the
    frame as the camera rises, and across each joint the markers move no more than the crane
    moves them in a frame."""
    black = tmp_path / "black.png"
    Image.new("RGB", canvas_size(FMT.width, FMT.height)).save(black)
    head, frames, tail = 5, 40, 6
    card = Clip("card", ImageMove("card", marker_card, "crane-up", head + frames + tail), frames, head, tail)
    before = Clip("a", ImageMove("a", black, "static", 14), 10, 0, 4)
    after = Clip("b", ImageMove("b", black, "static", 16), 10, 6, 0)
    timeline = Timeline(FMT, (before, card, after), (Join("dissolve", 8), Join("fade-black", 12)))
    film = render(timeline, tmp_path)
    assert len(film) == timeline.total
    cut_in = timeline.starts()[1]
    seen = {}
    for n in range(cut_in - 4, cut_in + frames + 6):
        expected = planned(n - cut_in + head, card.source.total)
        if film[n].max() < 120:   # too dark to measure closely: the darkest frames of the fades
            continue
        got = centroids(film[n], expected)
        assert np.abs(got - expected).max() < 0.3, (n, got - expected)
        seen[n] = got
    assert len(seen) > 35
    # the camera rises: the centre marker goes down the frame, never back up, and never sideways
    numbers = sorted(seen)
    centre_y = np.array([seen[n][4][1] for n in numbers])
    centre_x = np.array([seen[n][4][0] for n in numbers])
    assert np.all(np.diff(centre_y) > -0.1) and centre_y[-1] - centre_y[0] > 4, centre_y
    assert np.abs(centre_x - FMT.width / 2).max() < 0.3
    # no jump where one segment gives way to the next
    joints = [s.start for s in timeline.segments()][1:]
    checked = 0
    for j in joints:
        if all(k in seen for k in (j - 2, j - 1, j, j + 1)):
            def step(a, b):   # how far the markers move from frame a to frame b, on average
                return np.hypot(*(seen[b] - seen[a]).T).mean()
            assert step(j - 1, j) <= max(step(j - 2, j - 1), step(j, j + 1)) + 0.2, j
            checked += 1
    assert checked >= 2


# -- the storyboard ----------------------------------------------------------------------------

def test_a_storyboard_asks_for_a_crane_and_its_prompt_says_so(project):
    from pipeline.plan import make_plan

    path = project("""
        title_card: false
        style: "oil painting"
        scenes:
          - heading: EXT. HARBOUR - DAWN
            shots:
              - {id: a, prompt: the fishing boats come home, camera: crane-up}
    """)
    (shot,) = make_plan(load(path)).shots
    assert shot.camera == "crane-up" and shot.prompt.endswith("crane shot rising")


def test_a_misspelt_crane_is_refused_with_the_registry_listed(project):
    path = project("""
        scenes:
          - shots:
              - {id: a, prompt: a, camera: crane-upp}
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:3: unknown camera move 'crane-upp' (did you mean 'crane-up'?); one of: static, zoom-in, zoom-out, "
        "pan-left, pan-right, tilt-up, tilt-down, dolly-in, dolly-out, crane-up"]
