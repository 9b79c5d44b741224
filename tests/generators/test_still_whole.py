"""A still is shown whole: a picture not of the frame's shape is fitted inside the part of the canvas
that every framing of its move keeps in view, on a fill drawn from itself, so no edge of it (a
caption on a photograph's paper, a label at a diagram's side) is lost to a crop or to the camera.

The unit tests draw pictures with coloured corner markers and find them on the canvas; the example
test follows "The Lighthouse Keeper"'s old photograph, whose pencilled caption "Gull Point, 1921"
sits at the bottom of the paper (projects/lighthouse/make_assets.py), into the built film.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import frame_at
from pipeline.camera import SAFE_BOX, canvas_size, framing
from pipeline.transitions import split
from pipeline.generators import still
from pipeline.generators.still import fitted_box, load_picture

FRAME = (640, 360)
CW, CH = canvas_size(*FRAME)                       # 800 x 450
MARKERS = {"top-left": (230, 20, 20), "top-right": (20, 200, 20),
           "bottom-left": (20, 40, 230), "bottom-right": (240, 220, 10)}
GREY = (128, 128, 128)


def markers_picture(path: Path, size: tuple[int, int], side: int) -> Path:
    """A grey picture of `size` with a `side`-pixel square of each marker colour in its corners."""
    w, h = size
    picture = Image.new("RGB", size, GREY)
    draw = ImageDraw.Draw(picture)
    corners = {"top-left": (0, 0), "top-right": (w - side, 0), "bottom-left": (0, h - side),
               "bottom-right": (w - side, h - side)}
    for name, (x, y) in corners.items():
        draw.rectangle([x, y, x + side - 1, y + side - 1], fill=MARKERS[name])
    picture.save(path)
    return path


def marker_boxes(canvas: np.ndarray) -> dict[str, tuple[tuple[float, float, float, float], int]]:
    """Each marker's box on the canvas (fractions: left, top, right, bottom, pixel edges) and its
    pixel count; the fill round a fitted picture is blurred and darkened, so it matches no marker."""
    found = {}
    for name, colour in MARKERS.items():
        near = np.abs(canvas.astype(np.int32) - colour).max(axis=2) <= 40
        ys, xs = np.nonzero(near)
        assert len(xs), f"the {name} marker is not on the canvas"
        found[name] = ((xs.min() / CW, ys.min() / CH, (xs.max() + 1) / CW, (ys.max() + 1) / CH), len(xs))
    return found


@pytest.mark.parametrize("size", [(800, 600), (300, 600)], ids=["4:3", "1:2"])
@pytest.mark.parametrize("move", ["zoom-in", "pan-left"])
def test_every_corner_of_a_picture_stays_in_every_framing(tmp_path, size, move):
    side = size[0] // 10
    path = markers_picture(tmp_path / "markers.png", size, side)
    canvas = np.asarray(load_picture(path, CW, CH))
    x0, y0, x1, y1 = fitted_box(size, CW, CH)
    scale = (x1 - x0) / size[0]
    for name, ((left, top, right, bottom), count) in marker_boxes(canvas).items():
        # the whole marker is there (a crop would cut it or drop it), and it is inside the keep box
        assert count == pytest.approx((side * scale) ** 2, rel=0.15), name
        assert SAFE_BOX[0] <= left and SAFE_BOX[1] <= top and right <= SAFE_BOX[2] and bottom <= SAFE_BOX[3], name
        total = 120
        for k in range(total):
            f = framing(move, k, total)
            assert f.left <= left and f.top <= top and right <= f.left + f.size and bottom <= f.top + f.size, \
                (name, move, k)
    # the picture fills the keep box one way (it is as large as it can be)
    assert (x1 - x0) >= 0.9 * CW - 2 or (y1 - y0) >= 0.9 * CH - 2


@pytest.mark.parametrize("size", [(1600, 1000), (300, 600), (1000, 1000), (4000, 600), (77, 1300)])
@pytest.mark.parametrize("canvas", [(800, 450), (1600, 900), (80, 46), (450, 800)])
def test_the_fitted_picture_lies_in_the_keep_box_as_large_as_it_fits(size, canvas):
    width, height = canvas
    x0, y0, x1, y1 = fitted_box(size, width, height)
    assert SAFE_BOX[0] * width <= x0 and x1 <= SAFE_BOX[2] * width
    assert SAFE_BOX[1] * height <= y0 and y1 <= SAFE_BOX[3] * height
    assert (x1 - x0) >= 0.9 * width - 2 or (y1 - y0) >= 0.9 * height - 2
    # its shape kept (to a pixel either way)
    assert abs((x1 - x0) - (y1 - y0) * size[0] / size[1]) <= 1 + size[0] / size[1]


def test_the_fill_is_the_picture_itself_blurred_and_dark(tmp_path):
    """A tall picture, red above and blue below: the pillars beside it are a dim red above and a
    dim blue below (drawn from the picture, not flat bars), darker than the picture."""
    picture = Image.new("RGB", (300, 600), (220, 30, 30))
    ImageDraw.Draw(picture).rectangle([0, 300, 299, 599], fill=(30, 30, 220))
    picture.save(tmp_path / "tall.png")
    canvas = np.asarray(load_picture(tmp_path / "tall.png", CW, CH), np.float64)
    x0, y0, x1, y1 = fitted_box((300, 600), CW, CH)
    pillar = canvas[:, : x0 - 2]
    upper, lower = pillar[: CH // 5].reshape(-1, 3).mean(axis=0), pillar[-CH // 5:].reshape(-1, 3).mean(axis=0)
    assert upper[0] > upper[2] + 30 and lower[2] > lower[0] + 30          # red above, blue below
    assert upper.max() < 140 and lower.max() < 140                          # darkened
    assert pillar.std(axis=0).mean() > 10                                    # not a flat bar
    assert np.allclose(canvas[(y0 + y1) // 4 + y0 // 2, (x0 + x1) // 2], (220, 30, 30), atol=6)   # the picture, as it is


def test_a_picture_of_the_canvass_shape_still_covers_it(tmp_path):
    """Within ASPECT_TOLERANCE nothing is lost to a cover crop: the picture fills the canvas."""
    path = markers_picture(tmp_path / "wide.png", (1608, 900), 100)      # 0.5% wider than 16:9
    canvas = np.asarray(load_picture(path, CW, CH))
    for name, (x, y) in {"top-left": (3, 3), "top-right": (CW - 4, 3), "bottom-left": (3, CH - 4),
                         "bottom-right": (CW - 4, CH - 4)}.items():
        assert np.abs(canvas[y, x].astype(int) - MARKERS[name]).max() <= 12, name


def test_a_small_frames_rounded_canvas_is_still_of_the_frames_shape():
    """A 64x36 frame's canvas is 80x46 (whole, even pixels), 2% taller than 16:9: a 16:9 picture
    covers it still, as a 4:3 one does not."""
    assert still.same_shape(Image.new("RGB", (160, 90)), 80, 46)
    assert still.same_shape(Image.new("RGB", (1920, 1080)), CW, CH)
    assert not still.same_shape(Image.new("RGB", (1600, 1000)), CW, CH)
    assert not still.same_shape(Image.new("RGB", (120, 90)), 80, 46)


def test_showing_a_picture_whole_is_deterministic(tmp_path):
    path = markers_picture(tmp_path / "m.png", (800, 600), 80)
    assert load_picture(path, CW, CH).tobytes() == load_picture(path, CW, CH).tobytes()
    assert still.Still.version != "2"       # stills cached cover-cropped are drawn again


# -- the lighthouse's old photograph, into the film --------------------------------------------------
PHOTO = (1600, 1000)
# The pencilled caption's ink on the 1600x1000 print (make_assets.py pastes the caption, a 700x120
# tile rotated 1.2 degrees, at (88, 870), its text 54 px high from x=10, centred at y=60 of the tile):
# the bounding box of the ink, measured on the asset and checked against it below.
CAPTION = (103, 910, 461, 958)
# Points on the paper border, 20 px in from each edge of the print, halfway along it.
PAPER = {"left": (20, 500), "right": (1579, 500), "top": (800, 20), "bottom": (1200, 979)}


def _on_frame(point, box, f, size):
    """Where print pixel `point` (x, y, its edges) lands on a frame of `size` through framing `f`,
    the print fitted at `box` on the canvas."""
    x0, y0, x1, y1 = box
    cx = (x0 + point[0] * (x1 - x0) / PHOTO[0]) / CW
    cy = (y0 + point[1] * (y1 - y0) / PHOTO[1]) / CH
    return (cx - f.left) / f.size * size[0], (cy - f.top) / f.size * size[1]


def test_the_caption_is_where_make_assets_draws_it():
    photo = np.asarray(Image.open(Path(__file__).resolve().parents[2] / "projects/lighthouse/assets/old-photograph.png")
                       .convert("RGB"), np.float64)
    luma = photo @ [0.2126, 0.7152, 0.0722]
    ys, xs = np.nonzero(luma[852:] < 150)       # below the print's picture (its bottom edge is at 850)
    assert (xs.min(), ys.min() + 852, xs.max() + 1, ys.max() + 853) == CAPTION
    for name, (x, y) in PAPER.items():
        r, g, b = photo[y - 2: y + 3, x - 2: x + 3].reshape(-1, 3).mean(axis=0)
        assert r > 200 and g > 185 and 150 < b < r - 25, name          # light cream card


def test_the_old_photograph_is_seen_whole_caption_and_all(lighthouse, tmp_path):
    result = lighthouse
    plan = result.plan
    width, height = plan.fmt.width, plan.fmt.height
    assert canvas_size(width, height) == (CW, CH)
    index = next(i for i, shot in enumerate(plan.shots) if shot.id == "photograph")
    shot, start = plan.shots[index], plan.starts()[index]
    assert shot.camera == "zoom-in"
    total = shot.head + shot.frames + shot.tail
    body = range(start + split(plan.shots[index - 1].transition_frames)[1],
                 start + shot.frames - split(shot.transition_frames)[0])
    box = fitted_box(PHOTO, CW, CH)
    for n in (body[0], body[len(body) // 2], body[-1]):
        f = framing(shot.camera, shot.head + n - start, total)
        frame = frame_at(result.output, n).astype(np.float64)
        luma = frame @ [0.2126, 0.7152, 0.0722]
        # the whole print is inside the framing
        left, top = _on_frame((0, 0), box, f, (width, height))
        right, bottom = _on_frame(PHOTO, box, f, (width, height))
        assert -0.5 <= left and -0.5 <= top and right <= width + 0.5 and bottom <= height + 0.5, (n, f)
        # the cream paper is seen on all four sides, and where there is room, the dark fill beyond it
        for side, point in PAPER.items():
            x, y = (round(v) for v in _on_frame(point, box, f, (width, height)))
            r, g, b = frame[y - 1: y + 2, x - 1: x + 2].reshape(-1, 3).mean(axis=0)
            assert r > 185 and g > 170 and 120 < b < r - 15, (n, side, (x, y), (r, g, b))
        for side, (x, y) in {"left": (left - 6, height / 2), "right": (right + 6, height / 2),
                             "top": (width / 2, top - 6), "bottom": (width / 2, bottom + 6)}.items():
            if 2 <= x < width - 2 and 2 <= y < height - 2:
                assert luma[round(y), round(x)] < 120, (n, side)
        # the caption is inside the frame, every part of it inked: its left, middle and right,
        # its upper and lower half (the cut that lost its lower half)
        cl, ct = _on_frame(CAPTION[:2], box, f, (width, height))
        cr, cb = _on_frame(CAPTION[2:], box, f, (width, height))
        assert 0 <= cl and 0 <= ct and cr <= width and cb <= height - 4, (n, (cl, ct, cr, cb))
        x0, y0, x1, y1 = int(cl), int(ct), int(np.ceil(cr)), int(np.ceil(cb))
        ink = luma[y0:y1, x0:x1] < 150
        for part in np.array_split(ink, 4, axis=1):
            assert part.any(), n
        for part in np.array_split(ink, 2, axis=0):
            assert part.sum() >= 10, n
        # and nothing inked lies just beyond its box (the box holds all of the caption)
        around = luma[max(y0 - 3, 0): y1 + 3, max(x0 - 3, 0): x1 + 3] < 150
        assert around.sum() <= ink.sum() + 4, n
