"""Figures: what a viewer would notice about the cast in a panel, measured on drawn pixels."""

from __future__ import annotations

import colorsys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from pipeline.generators.drawing.palette import palette
from pipeline.generators.drawing.figures import (
    FACINGS, POSES, FigureSpec, character_look, draw_cast, draw_figures, draw_tags, figure_box, figure_layout,
)
from pipeline.generators.drawing.palette import colour_word, figure_colour

ROOT = Path(__file__).resolve().parents[2]
BACKDROP = (200, 214, 226)
PAL = palette("EXT", "DAY")


def lighthouse_cast() -> tuple[tuple[str, str], ...]:
    board = yaml.safe_load((ROOT / "projects/lighthouse/storyboard.yaml").read_text())
    return tuple((name, entry["look"]) for name, entry in board["cast"].items())


def render(spec: FigureSpec, film_cast: tuple[tuple[str, str], ...] = (), size=(600, 700), tags=False) -> np.ndarray:
    img = Image.new("RGB", size, BACKDROP)
    draw_cast(img, [spec], film_cast or ((spec.name, spec.look),), PAL, 2, tags=tags)
    return np.asarray(img, dtype=np.int16)


def mask(a: np.ndarray) -> np.ndarray:
    """Where the figure is: not the backdrop (the ground shadow is faint and left out)."""
    return np.abs(a - np.array(BACKDROP)).sum(axis=-1) > 60


def bbox(m: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(m)
    return xs.min(), ys.min(), xs.max(), ys.max()


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return (a & b).sum() / max(1, (a | b).sum())


def dominant(a: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    """The commonest colour in a window of the picture."""
    x0, y0, x1, y1 = box
    pixels = a[y0:y1, x0:x1].reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    return tuple(int(c) for c in colours[counts.argmax()])


def hsv(rgb) -> tuple[float, float, float]:
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    return h * 360, s, v


def hue_gap(a: float, b: float) -> float:
    d = abs(a - b) % 360
    return min(d, 360 - d)


STAND = dict(pose="standing", facing="front", x=300.0, feet=660.0, height=600.0)


def torso_window(spec: FigureSpec, dx0: float, dx1: float, y0: float, y1: float) -> tuple[int, int, int, int]:
    """A window given in fractions of the figure's height from its centre and its feet."""
    h = spec.height * character_look(spec.name, spec.look).height
    return (round(spec.x + dx0 * h), round(spec.feet - y1 * h), round(spec.x + dx1 * h), round(spec.feet - y0 * h))


# --- colours, garments, hair, age ---

def test_navy_wool_sweater_draws_a_navy_torso():
    spec = FigureSpec("SAM", "navy wool sweater", **STAND)
    colour = dominant(render(spec), torso_window(spec, -0.06, 0.0, 0.58, 0.72))
    h, s, v = hsv(colour)
    assert hue_gap(h, 240) < 6 and s > 0.8, colour          # CSS navy is (0, 0, 128)
    assert max(abs(c - n) for c, n in zip(colour, (0, 0, 128))) < 24, colour


def test_the_lighthouse_keeper_wears_navy_under_his_coat_and_elsie_green():
    cast = lighthouse_cast()
    tom = FigureSpec("TOM", dict(cast)["TOM"], **STAND)
    a = render(tom, cast)
    sweater = dominant(a, torso_window(tom, -0.012, 0.012, 0.66, 0.74))
    assert hue_gap(hsv(sweater)[0], 240) < 6 and hsv(sweater)[1] > 0.8, sweater
    coat = dominant(a, torso_window(tom, -0.075, -0.03, 0.3, 0.4))
    assert 35 < hsv(coat)[0] < 60, coat                      # oilskins are yellow when no colour is named
    elsie = FigureSpec("ELSIE", dict(cast)["ELSIE"], **STAND)
    coat = dominant(render(elsie, cast), torso_window(elsie, -0.075, -0.03, 0.3, 0.4))
    h, s, v = hsv(coat)
    assert hue_gap(h, 120) < 10 and s > 0.6, coat            # "green coat": CSS green (0, 128, 0)


def test_the_words_are_read_into_a_look():
    tom, elsie = (character_look(n, l, lighthouse_cast()) for n, l in lighthouse_cast())
    assert (tom.age, tom.torso, tom.torso_colour, tom.outer, tom.beard) == ("elderly", "sweater", (0, 0, 128), "coat", "beard")
    assert tom.beard_colour == tom.hair and min(tom.hair) > 200   # "white beard": the old man's hair is white too
    assert (elsie.age, elsie.sex, elsie.outer, elsie.outer_colour, elsie.hair_style) == ("elderly", "f", "coat", (0, 128, 0), "braid")
    assert hsv(elsie.hair)[1] < 0.1 and 0.55 < hsv(elsie.hair)[2] < 0.85    # grey
    kane = character_look("KANE", "police officer, moustache")
    assert (kane.torso, kane.hat, kane.beard, kane.torso_colour) == ("uniform", "peaked", "moustache", (0, 0, 128))
    mia = character_look("MIA", "a ten-year-old girl in a yellow raincoat")
    assert (mia.age, mia.sex, mia.outer, mia.outer_colour) == ("child", "f", "coat", (255, 255, 0))
    dave = character_look("DAVE", "stocky man in a grey suit with glasses and a red tie")
    assert (dave.torso, dave.torso_colour, dave.legs_colour, dave.glasses, dave.tie) == (
        "suit", (128, 128, 128), (128, 128, 128), "glasses", (255, 0, 0))
    assert dave.build > 1.15 and dave.sex == "m"
    rosa = character_look("ROSA", "tall woman, long red hair, black dress, white apron, dark green scarf")
    assert (rosa.torso, rosa.hair_style, rosa.apron, rosa.scarf) == ("dress", "long", (255, 255, 255), (0, 100, 0))
    assert rosa.height > 1.03 and hsv(rosa.hair)[0] < 30 and rosa.torso_colour == colour_word(("black",))
    detective = character_look("SAM", "a detective in a brown fedora")
    assert detective.hat == "hat" and detective.hat_colour == (139, 69, 19)   # brown reads as saddle brown
    assert detective.outer == "coat"
    suited = character_look("LEE", "a white shirt and a charcoal suit")
    assert (suited.torso, suited.torso_colour) == ("suit", (47, 79, 79))        # the suit goes over the shirt
    king = character_look("REX", "the king in a purple robe")
    assert (king.hat, king.torso, king.colour) == ("crown", "robe", (128, 0, 128))
    assert character_look("GUS", "bald, with a cane").hair_style == "bald"
    assert character_look("GUS", "bald, with a cane").cane


def test_elderly_hair_is_grey_or_white_on_the_drawn_head():
    for name in ("NAN", "GRANDMA", "OLD ROSE"):
        look = character_look(name, "an elderly woman")
        h, s, v = hsv(look.hair)
        assert s < 0.08 and v > 0.65, look.hair
        spec = FigureSpec(name, "an elderly woman", **STAND)
        a = render(spec)
        top = bbox(mask(a))[1]
        hair = dominant(a, (int(spec.x) - 20, top + 6, int(spec.x) + 20, top + 26))
        assert hsv(hair)[1] < 0.08 and hsv(hair)[2] > 0.6, hair
    for words in ("an old man", "a man in his seventies", "grandfather", "a 70 year old farmer"):
        assert character_look("X", words).age == "elderly", words
        assert hsv(character_look("X", words).hair)[1] < 0.08, words


def test_a_child_is_shorter_with_a_bigger_head_and_an_adult_taller_than_a_teen():
    heights = {}
    for words in ("a ten-year-old girl", "a teenage boy", "a woman", "a toddler"):
        spec = FigureSpec("KIM", words, **STAND)
        x0, y0, x1, y1 = bbox(mask(render(spec)))
        heights[words] = y1 - y0
        left, top, right, bottom = figure_box(spec)
        assert top <= y0 + 1 and bottom >= y1 - 1
    assert heights["a toddler"] < heights["a ten-year-old girl"] < 0.75 * heights["a woman"]
    assert heights["a ten-year-old girl"] < heights["a teenage boy"] < heights["a woman"]
    assert character_look("KIM", "a ten-year-old girl").age == "child"


# --- everyone apart ---

@pytest.mark.parametrize("pair", [("BRICK", "COGNITO"), ("DAN", "JACK")])
def test_two_characters_with_no_look_words_are_told_apart(pair):
    # Each pair's names hash to the same costume colour: the later one gets another colour, and
    # another hair style or build.
    assert figure_colour(pair[0]) == figure_colour(pair[1])
    cast = tuple((n, "") for n in pair)
    first, second = (character_look(n, "", cast) for n in pair)
    assert first.colour == figure_colour(pair[0])
    assert first.hair_style != second.hair_style or first.build != second.build
    a, b = (render(FigureSpec(n, "", **STAND), cast) for n in pair)
    ma, mb = mask(a), mask(b)
    both = ma & mb
    colour_gap = np.abs(a[both] - b[both]).sum(axis=-1)
    # Where the two figures overlap, most of their pixels differ in colour (hair, clothes, skin).
    assert (colour_gap > 60).mean() > 0.4 or iou(ma, mb) < 0.9
    # Same character, same look, in every shot of the film.
    assert character_look(pair[1], "", cast) == character_look(pair[1], "", cast + (("ZED", ""),))


def test_a_whole_cast_of_nameless_characters_keeps_colours_and_shapes_apart():
    cast = tuple((f"EXTRA {i}", "") for i in range(8))
    looks = [character_look(n, "", cast) for n, _ in cast]
    colours = {lk.colour for lk in looks}
    assert len(colours) == len(looks)
    shapes = {(lk.hair_style, lk.hat, lk.outer, lk.torso, lk.build) for lk in looks}
    assert len(shapes) == len(looks)


def test_words_that_name_a_colour_keep_it_even_when_another_character_has_it():
    cast = (("ANN", "red coat"), ("BEA", "red coat"))
    ann, bea = (character_look(n, l, cast) for n, l in cast)
    assert ann.colour == bea.colour == (255, 0, 0)
    assert (ann.hair_style, ann.build, ann.hat) != (bea.hair_style, bea.build, bea.hat)


# --- poses and facings ---

def pose_masks(facing: str) -> dict[str, np.ndarray]:
    return {pose: mask(render(FigureSpec("ALEX", "man in a blue jacket", pose, facing, 300.0, 660.0, 520.0)))
            for pose in POSES}


def test_each_pose_has_its_own_silhouette():
    for facing in FACINGS:
        masks = pose_masks(facing)
        boxes = {p: bbox(m) for p, m in masks.items()}
        size = {p: (b[2] - b[0], b[3] - b[1]) for p, b in boxes.items()}
        assert size["lying"][0] > 2 * size["lying"][1], facing
        assert size["sitting"][1] < 0.88 * size["standing"][1], facing
        assert boxes["climbing"][1] < boxes["standing"][1] - 20, facing    # hands reach above the head
        assert size["running"][1] < size["standing"][1], facing           # a runner crouches into the stride
        if facing in ("left", "right"):
            assert size["walking"][0] > 1.5 * size["standing"][0], facing
            assert size["running"][0] > size["walking"][0], facing
        for i, p in enumerate(POSES):
            for q in POSES[i + 1:]:
                assert iou(masks[p], masks[q]) < 0.85, (facing, p, q)


def test_left_and_right_are_mirror_images_and_front_and_back_differ():
    for pose in POSES:
        spec = FigureSpec("ALEX", "man in a blue jacket", pose, "left", 300.0, 660.0, 520.0)
        left = mask(render(spec))
        right = mask(render(FigureSpec(**{**spec.__dict__, "facing": "right"})))
        assert (left ^ right).sum() > 2500, pose
        lx0, _, lx1, _ = bbox(left)
        rx0, _, rx1, _ = bbox(right)
        # Flip the left-facing figure about its own centre: it lands on the right-facing one.
        flipped = np.zeros_like(left)
        shift = (lx0 + lx1) - (rx0 + rx1)
        ys, xs = np.nonzero(left)
        xs = lx0 + lx1 - xs - shift
        ok = (xs >= 0) & (xs < left.shape[1])
        flipped[ys[ok], xs[ok]] = True
        assert iou(flipped, right) > max(0.8, iou(left, right) + 0.05), pose
    front = render(FigureSpec("ALEX", "man in a blue jacket", **STAND))
    back = render(FigureSpec("ALEX", "man in a blue jacket", **{**STAND, "facing": "back"}))
    face = (slice(60, 160), slice(250, 350))
    dark = lambda a: (a[face].sum(axis=-1) < 150).sum()    # noqa: E731 - eyes and mouth in ink
    assert dark(front) > dark(back) + 20


# --- any scale ---

def test_a_tiny_figure_and_a_close_up_both_draw():
    img = Image.new("RGB", (320, 180), BACKDROP)
    tiny = FigureSpec("ALEX", "man in a blue jacket", "walking", "right", 160.0, 150.0, 9.0)
    draw_cast(img, [tiny], (), PAL, 4, tags=False)
    m = mask(np.asarray(img, dtype=np.int16))
    assert 10 < m.sum() < 200
    x0, y0, x1, y1 = bbox(m)
    left, top, right, bottom = figure_box(tiny)
    assert left - 1 <= x0 and x1 <= right + 1 and top - 1 <= y0 and y1 <= bottom + 1

    close = FigureSpec("ELSIE", dict(lighthouse_cast())["ELSIE"], "standing", "front", 320.0, 360 * 3.2, 1100.0)
    img = Image.new("RGB", (640, 360), BACKDROP)
    draw_cast(img, [close], lighthouse_cast(), PAL, 2)
    a = np.asarray(img, dtype=np.int16)
    assert mask(a)[-5:].mean() > 0.3                        # the body fills the bottom of the frame
    assert figure_box(close)[3] > 360 * 3                   # its feet are far below
    assert (np.abs(a - np.array((0, 128, 0))).sum(axis=-1) < 10).sum() > 2000   # the green coat


def test_figure_box_holds_every_pixel_of_the_figure():
    for pose in POSES:
        for facing in FACINGS:
            spec = FigureSpec("ROSA", "tall woman, long red hair, black dress", pose, facing, 300.0, 660.0, 500.0)
            x0, y0, x1, y1 = bbox(mask(render(spec)))
            left, top, right, bottom = figure_box(spec)
            assert left - 2 <= x0 and x1 <= right + 2 and top - 2 <= y0 and y1 <= bottom + 2, (pose, facing)
            assert (right - left) < 1.3 * (x1 - x0) + 40 and (bottom - top) < 1.2 * (y1 - y0) + 40, (pose, facing)


def test_same_input_same_pixels():
    cast = lighthouse_cast()
    specs = [FigureSpec("TOM", cast[0][1], "walking", "left", 200.0, 300.0, 200.0),
             FigureSpec("ELSIE", cast[1][1], "sitting", "front", 420.0, 320.0, 200.0)]
    pictures = []
    for _ in range(2):
        img = Image.new("RGB", (640, 360), BACKDROP)
        draw_cast(img, specs, cast, PAL, 2)
        pictures.append(img.tobytes())
    assert pictures[0] == pictures[1]


def test_a_figure_draws_in_a_few_milliseconds():
    img = Image.new("RGB", (1280, 720), BACKDROP)
    cast = lighthouse_cast()
    specs = [FigureSpec("TOM", cast[0][1], p, f, 640.0, 620.0, 290.0) for p in POSES for f in FACINGS]
    draw_cast(img, specs[:1], cast, PAL, 2, tags=False)     # warm the caches
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        for s in specs:
            draw_cast(img, [s], cast, PAL, 2, tags=False)
        best = min(best, (time.process_time() - start) / len(specs))
    assert best < 0.012, f"{best * 1000:.1f} ms a figure"


# --- today's panels ---

def test_the_layout_helpers_draw_the_new_figures_and_tags():
    cast = lighthouse_cast()
    img = Image.new("RGB", (800, 448), BACKDROP)
    figures = figure_layout(cast, 800, 448)
    draw_figures(img, figures, PAL, 2)
    draw_tags(img, figures, PAL)
    a = np.asarray(img, dtype=np.int16)
    assert (np.abs(a - np.array((0, 0, 128))).sum(axis=-1) < 10).sum() > 100    # TOM's navy sweater
    assert (np.abs(a - np.array((0, 128, 0))).sum(axis=-1) < 10).sum() > 300    # ELSIE's green coat
    assert (a.sum(axis=-1) > 720).sum() > 200                                   # the paper of the tags


def test_a_name_that_says_age_and_gender_is_drawn_as_it_is_heard():
    """The figure reads the name as the voice does (names.person): a GRANDMOTHER with no look
    words is drawn old, grey-haired and a woman, as her voice (old-woman) says she is."""
    from pipeline.audio.voices import preset_for
    from pipeline.names import person

    look = character_look("GRANDMOTHER", "")
    assert look.age == "elderly" and look.sex == "f"
    assert max(look.hair) - min(look.hair) < 40 and min(look.hair) > 120   # grey or white, not a colour
    assert person("GRANDMOTHER", "") == ("female", "old")
    assert preset_for("GRANDMOTHER") == "old-woman"


def test_name_tags_stay_below_the_caption_and_slate():
    """In a close-up the head reaches the top of the panel; its name tag must not go up into the
    caption band and slate (the top 20% of the canvas), where it would cover or be covered."""
    from pipeline.generators.drawing.figures import TAG_CEILING, FigureSpec, draw_cast
    from pipeline.generators.drawing.palette import palette

    w, h = 400, 225
    pal = palette("INT", "DAY")
    bare, tagged = Image.new("RGB", (w, h), (255, 255, 255)), Image.new("RGB", (w, h), (255, 255, 255))
    spec = FigureSpec("KIM", "black jacket", "standing", "front", x=w / 2, feet=h * 2.6, height=h * 3.0)
    draw_cast(bare, [spec], (("KIM", "black jacket"),), pal, 2, tags=False)
    draw_cast(tagged, [spec], (("KIM", "black jacket"),), pal, 2, tags=True)
    diff = np.abs(np.asarray(bare, np.int16) - np.asarray(tagged, np.int16)).sum(axis=2)
    rows = np.flatnonzero(diff.max(axis=1) > 40)
    assert rows.size, "the tag was drawn"
    assert rows.min() >= h * TAG_CEILING
