"""The animatic's panels and cards: what a viewer would notice in the pictures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from pipeline.generators.drawing import (
    Palette, PanelRequest, draw_background, draw_credits, draw_overlay, draw_text_card, draw_title_card,
    figure_colour,
)
from pipeline.generators.drawing.palette import palette


def request(**changes) -> PanelRequest:
    base = PanelRequest(
        width=400, height=224, frame_width=320, frame_height=180, setting="EXT", location="FIELD",
        time_of_day="DAY", cast=(("MARCUS", "a gladiator"), ("LUCIA", "a noblewoman")),
        caption="Marcus raises his sword.", scene_label="SC 2", shot_id="marcus", camera="dolly-in", seed=7,
    )
    return replace(base, **changes)


def luma(img: Image.Image) -> np.ndarray:
    a = np.asarray(img.convert("RGB"), dtype=np.float32)
    return a @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def png(img: Image.Image) -> bytes:
    return img.tobytes() + repr((img.mode, img.size)).encode()


def near(img: Image.Image, colour: tuple[int, int, int], tol: int = 6) -> np.ndarray:
    a = np.asarray(img.convert("RGB"), dtype=np.int16)
    return np.all(np.abs(a - np.array(colour, dtype=np.int16)) <= tol, axis=-1)


# --- background ---

def test_background_size_and_mode():
    img = draw_background(request())
    assert img.mode == "RGB" and img.size == (400, 224)


@pytest.mark.parametrize("size", [(200, 112), (1600, 900)])
def test_background_works_small_and_large(size):
    img = draw_background(request(width=size[0], height=size[1]))
    assert img.size == size
    assert luma(img).std() > 10  # not a flat fill


def test_background_is_deterministic_and_seeded_by_the_scene():
    a, b = draw_background(request()), draw_background(request())
    assert png(a) == png(b)
    # The set belongs to the scene (its heading), not to the shot's seed.
    assert png(draw_background(request(seed=8))) == png(a)
    c = draw_background(request(location="ANOTHER PLACE ENTIRELY"))
    assert png(a) != png(c)


def test_night_is_darker_than_day():
    for setting in ("EXT", "INT"):
        day = luma(draw_background(request(setting=setting, time_of_day="DAY", cast=()))).mean()
        night = luma(draw_background(request(setting=setting, time_of_day="NIGHT", cast=()))).mean()
        assert night < day * 0.6, setting


def test_dusk_sky_is_warm_and_day_sky_is_blue():
    def sky(tod):
        a = np.asarray(draw_background(request(time_of_day=tod, cast=(), location="DESERT")), dtype=np.float32)
        return a[: int(a.shape[0] * 0.5)].reshape(-1, 3).mean(axis=0)
    r, g, b = sky("DAY")
    assert b > r + 30
    low = np.asarray(draw_background(request(time_of_day="SUNSET", cast=(), location="DESERT")), dtype=np.float32)
    near_horizon = low[int(low.shape[0] * 0.45): int(low.shape[0] * 0.55)].reshape(-1, 3).mean(axis=0)
    assert near_horizon[0] > near_horizon[2] + 30  # orange glow by the horizon


def test_exterior_sky_differs_from_ground():
    a = np.asarray(draw_background(request(cast=())), dtype=np.float32)
    h = a.shape[0]
    sky = a[: int(h * 0.3)].reshape(-1, 3).mean(axis=0)
    ground = a[int(h * 0.75):].reshape(-1, 3).mean(axis=0)
    assert np.abs(sky - ground).sum() > 60
    assert sky[2] > ground[2]  # blue above, not below


def test_interior_differs_from_exterior():
    ext = np.asarray(draw_background(request(setting="EXT", cast=())), dtype=np.float32)
    inside = np.asarray(draw_background(request(setting="INT", cast=())), dtype=np.float32)
    assert np.abs(ext - inside).mean() > 25
    # A room has no blue sky over its top third.
    top = inside[: inside.shape[0] // 3].reshape(-1, 3).mean(axis=0)
    assert top[2] < top[0] + 10


def test_unknown_setting_and_time_read_as_a_neutral_exterior_day():
    unknown = draw_background(request(setting="", time_of_day="", cast=()))
    day = draw_background(request(setting="EXT", time_of_day="DAY", cast=()))
    assert abs(luma(unknown).mean() - luma(day).mean()) < 12
    assert palette("", "") == palette("EXT", "DAY")


def test_palette_follows_time_and_setting():
    assert isinstance(palette("INT", "NIGHT"), Palette)
    assert palette("INT", "NIGHT").interior and not palette("EXT", "NIGHT").interior
    assert palette("INT/EXT", "DAY").interior
    for tod in ("DUSK", "SUNSET", "EVENING"):
        assert palette("EXT", tod).kind == "dusk"
    for tod in ("DAWN", "MORNING"):
        assert palette("EXT", tod).kind == "dawn"
    for tod in ("DAY", "CONTINUOUS", "LATER", ""):
        assert palette("EXT", tod).kind == "day"
    day, night = palette("EXT", "DAY"), palette("EXT", "NIGHT")
    assert sum(night.sky_top) < sum(day.sky_top) / 3


def test_every_location_kind_draws():
    for location in ("COLOSSEUM", "BEACH", "DESERT", "MOUNTAIN PASS", "CITY STREET", "FOREST", "FARMHOUSE", ""):
        for tod in ("DAY", "NIGHT", "DUSK", "DAWN"):
            img = draw_background(request(location=location, time_of_day=tod, width=200, height=112))
            assert img.size == (200, 112)


def test_night_exterior_has_stars_and_a_moon():
    img = draw_background(request(time_of_day="NIGHT", cast=(), width=800, height=448))
    sky = luma(img)[: int(448 * 0.5)]
    assert np.median(sky) < 70
    assert (sky > 150).sum() > 50  # moon and stars stand out against the dark


def test_a_figure_per_cast_member_in_its_own_colour():
    names = ("MARCUS", "LUCIA", "BRUTUS")
    cast = tuple((n, "") for n in names)
    # No words: the shot holds only its cast, so with and without it the framing is the same.
    with_cast = draw_background(request(cast=cast, width=800, height=448, caption=""))
    without = draw_background(request(cast=(), width=800, height=448, caption=""))
    for name in names:
        assert near(with_cast, figure_colour(name), tol=4).sum() > 300, name
        assert near(without, figure_colour(name), tol=4).sum() < 50, name
    # Figures stand across the middle, inside the central 80% of the canvas.
    diff = np.abs(np.asarray(with_cast, np.int16) - np.asarray(without, np.int16)).sum(axis=-1) > 30
    ys, xs = np.nonzero(diff)
    assert xs.min() > 800 * 0.1 and xs.max() < 800 * 0.9
    assert ys.min() > 448 * 0.1 and ys.max() < 448 * 0.9
    # Each figure is about 40% of the canvas tall.
    assert 0.3 * 448 < ys.max() - ys.min() < 0.55 * 448


def test_figure_colour_is_stable_and_differs_by_name():
    assert figure_colour("MARCUS") == figure_colour("MARCUS")
    assert figure_colour("MARCUS") != figure_colour("LUCIA")
    assert all(0 <= c <= 255 for c in figure_colour("Zoë"))


def test_figures_are_spread_and_many_still_fit():
    cast = tuple((f"N{i}", "") for i in range(8))
    img = draw_background(request(cast=cast, width=800, height=448, caption=""))
    without = draw_background(request(cast=(), width=800, height=448, caption=""))
    diff = np.abs(np.asarray(img, np.int16) - np.asarray(without, np.int16)).sum(axis=-1) > 30
    cols = np.nonzero(diff.any(axis=0))[0]
    assert cols.min() > 800 * 0.08 and cols.max() < 800 * 0.92
    for name, _ in cast:
        assert near(img, figure_colour(name), tol=4).sum() > 20, name


def test_name_tags_have_light_label_boxes_over_heads():
    img = draw_background(request(cast=(("MARCUS", ""),), time_of_day="NIGHT", width=800, height=448, caption=""))
    without = draw_background(request(cast=(), time_of_day="NIGHT", width=800, height=448, caption=""))
    diff = np.abs(np.asarray(img, np.int16) - np.asarray(without, np.int16)).sum(axis=-1) > 30
    top = np.nonzero(diff.any(axis=1))[0].min()
    band = luma(img)[top: top + 10, 300:500]
    assert (band > 220).sum() > 100  # the tag's pale paper sits at the very top of the figure


# --- overlay ---

def test_overlay_size_and_transparency():
    ov = draw_overlay(request())
    assert ov.mode == "RGBA" and ov.size == (320, 180)
    alpha = np.asarray(ov)[..., 3]
    assert alpha[60:120, 40:280].max() == 0  # the middle shows the panel
    assert alpha[-8:, :].min() > 100          # the caption band covers the bottom
    assert alpha[:, -8:][40:140].max() == 0    # the right edge outside the band stays clear


def test_overlay_caption_text_is_light_on_dark():
    ov = np.asarray(draw_overlay(request(caption="Marcus raises his sword", frame_width=640, frame_height=360)))
    band = ov[ov[:, 0, 3] > 0]
    assert len(band) > 10 and band[..., 3].min() > 100
    letters = band[..., :3].mean(axis=-1) > 180
    assert letters.sum() > 50
    assert band[letters][:, 3].mean() > band[~letters][:, 3].mean()  # the letters are more opaque than the band


def test_empty_caption_draws_no_band():
    ov = np.asarray(draw_overlay(request(caption="   ")))
    assert ov[-30:, ..., 3].max() == 0
    assert ov[:40, :, 3].max() > 0  # the slate is still there


def test_slate_in_top_left():
    ov = np.asarray(draw_overlay(request(caption="")))
    alpha = ov[..., 3]
    assert alpha[:30, :40].max() > 0
    assert alpha[:30, -40:].max() == 0
    assert alpha[:, :].sum() > 0
    blank = np.asarray(draw_overlay(request(caption="", scene_label="", shot_id="", camera="", setting="",
                                            location="", time_of_day="")))
    assert blank[..., 3].max() == 0


def test_long_caption_is_clamped_and_never_overflows():
    words = "Marcus walks slowly across the blood-stained sand while the crowd roars and the emperor watches. "
    short = np.asarray(draw_overlay(request(caption="One line.")))[..., 3]
    long = np.asarray(draw_overlay(request(caption=words * 20)))[..., 3]
    band_short = (short[:, 0] > 0).sum()
    band_long = (long[:, 0] > 0).sum()
    assert band_long > band_short
    assert band_long <= band_short * 3 + 10  # at most three lines tall
    # A single unbreakable word still fits inside the frame, with margins clear of text.
    word = np.asarray(draw_overlay(request(caption="A" * 400)))
    text = word[..., :3].mean(axis=-1) > 120
    cols = np.nonzero(text[-60:].any(axis=0))[0]
    assert cols.min() > 0 and cols.max() < 319


def test_caption_font_scales_with_the_frame():
    small = np.asarray(draw_overlay(request(frame_width=320, frame_height=180)))[..., 3]
    large = np.asarray(draw_overlay(request(frame_width=1280, frame_height=720)))[..., 3]
    assert (large[:, 0] > 0).sum() > 3 * (small[:, 0] > 0).sum()


def test_tiny_frame_overlay_fits():
    ov = draw_overlay(request(frame_width=160, frame_height=90, caption="A fairly long caption " * 5))
    assert ov.size == (160, 90)


def test_overlay_is_deterministic():
    assert png(draw_overlay(request())) == png(draw_overlay(request()))


# --- cards ---

def test_title_card_has_light_text_in_the_centre():
    img = draw_title_card(400, 224, "The Last Gladiator", "Written by Ada")
    assert img.mode == "RGB" and img.size == (400, 224)
    y = luma(img)
    assert (y[60:160, 80:320] > 200).sum() > 100
    assert y[:20].mean() < 40 and y[:, :20].mean() < 40  # dark edges
    assert png(img) == png(draw_title_card(400, 224, "The Last Gladiator", "Written by Ada"))


def test_title_card_subtitle_adds_text_below():
    plain = luma(draw_title_card(400, 224, "Title"))
    with_sub = luma(draw_title_card(400, 224, "Title", "a subtitle"))
    rows_plain = np.nonzero((plain > 150).any(axis=1))[0]
    rows_sub = np.nonzero((with_sub > 120).any(axis=1))[0]
    assert rows_sub.max() > rows_plain.max()


@pytest.mark.parametrize("draw", [lambda t: draw_title_card(320, 180, t, t), lambda t: draw_text_card(320, 180, t)])
def test_card_text_never_overflows(draw):
    for text in ("W" * 200, "A very long title that goes on and on " * 6):
        y = luma(draw(text))
        cols = np.nonzero((y > 120).any(axis=0))[0]
        assert cols.min() > 4 and cols.max() < 316


@pytest.mark.parametrize("length", [1000, 4000])
def test_a_long_unbroken_title_is_measured_in_proportion_to_its_length(length, monkeypatch):
    """A 500-character word once took 18 s (every cut measured every prefix): count the
    measurements, not the seconds. Both lengths set on the card, ellipsised, inside the frame."""
    from pipeline.generators.drawing import text

    calls = []
    measure = text.text_width
    monkeypatch.setattr(text, "text_width", lambda s, f: calls.append(len(s)) or measure(s, f))
    y = luma(draw_title_card(320, 180, "W" * length, ""))
    cols = np.nonzero((y > 120).any(axis=0))[0]
    assert cols.min() > 4 and cols.max() < 316
    # Characters measured: a few times the title's length for each font size tried, never its square.
    assert sum(calls) < 100 * length, sum(calls)   # the old cutting: 94 million at 1000


def test_text_card_centres_its_text():
    img = draw_text_card(400, 224, "ONE YEAR LATER")
    assert img.mode == "RGB" and img.size == (400, 224)
    ys, xs = np.nonzero(luma(img) > 180)
    assert abs(xs.mean() - 200) < 12 and abs(ys.mean() - 112) < 12


def test_text_card_wraps_long_text():
    img = draw_text_card(400, 224, "Meanwhile, far away across the sea, the emperor plots his revenge")
    rows = (luma(img) > 180).any(axis=1)
    lines = np.count_nonzero(np.diff(rows.astype(int)) == 1)
    assert lines >= 2


SECTIONS = (("Written by", ("Ada",)), ("Cast", ("MARCUS — Ada Lovelace", "LUCIA — Grace Hopper", "Crowd")))


def test_credits_start_and_end_on_a_full_frame_of_black():
    img = draw_credits(320, 180, SECTIONS)
    assert img.mode == "RGB" and img.width == 320
    a = np.asarray(img)
    assert img.height > 2 * 180
    assert a[:180].max() == 0
    assert a[-180:].max() == 0
    middle = luma(img)[180:-180]
    assert (middle > 200).sum() > 100
    # The text reaches both ends of the middle: nothing but the two frames is spare black.
    rows = np.nonzero((middle > 40).any(axis=1))[0]
    assert rows.min() < 10 and rows.max() > middle.shape[0] - 20


def test_credits_headings_are_dimmer_than_names():
    img = draw_credits(640, 360, (("Written by", ("Ada",)),))
    y = luma(img)[360:-360]
    rows = np.nonzero((y > 40).any(axis=1))[0]
    gaps = np.nonzero(np.diff(rows) > 1)[0]
    heading, names = y[rows[0]: rows[gaps[0]] + 1], y[rows[gaps[0] + 1]: rows[-1] + 1]
    assert heading.max() < names.max()
    assert (names > 40).sum() > (heading > 40).sum()  # names are larger


def test_credits_never_overflow_and_grow_with_sections():
    long = (("Cast", ("A" * 120, "SOMEONE WITH A LONG ROLE NAME — Somebody With An Even Longer Name Indeed")),)
    img = draw_credits(320, 180, long)
    cols = np.nonzero((luma(img) > 60).any(axis=0))[0]
    assert cols.min() > 2 and cols.max() < 317
    one = draw_credits(320, 180, SECTIONS[:1])
    two = draw_credits(320, 180, SECTIONS)
    assert two.height > one.height


def test_empty_credits_are_just_black():
    img = draw_credits(320, 180, ())
    assert img.height >= 360 and np.asarray(img).max() == 0


# --- every script ---

SCRIPTS = {
    "ja": "海辺の朝", "zh": "渔船在晨雾中归来", "ko": "안녕하세요", "ru": "Привет, мир", "el": "Καλημέρα",
    "ar": "مرحبا بالعالم", "he": "שלום עולם", "hi": "नमस्ते दुनिया", "th": "สวัสดีครับ", "emoji": "🎉👍",
    "latin": "Crème brûlée à Łódź",
}


@pytest.fixture
def lato_only(monkeypatch):
    """Drawing with Lato alone, as before fallback fonts: what the text would look like as boxes."""
    from pipeline import fonts
    from pipeline.generators.drawing import text

    def draw(fn, *args):
        monkeypatch.setattr(fonts, "chain", lambda _text="", first=fonts.LATO: (first,))
        fonts.runs.cache_clear()
        text.layout.cache_clear()
        try:
            return fn(*args)
        finally:
            monkeypatch.undo()
            fonts.runs.cache_clear()
            text.layout.cache_clear()
    return draw


def _differs_as_text(img: Image.Image, boxes: Image.Image, pixels: int) -> bool:
    """Whether the text drawn differs from the boxes drawn in its place in at least `pixels`
    pixels (the same picture differs in none)."""
    return int((np.abs(luma(img) - luma(boxes)) > 60).sum()) >= pixels


@pytest.mark.parametrize("script", SCRIPTS)
def test_cards_and_credits_draw_every_script_as_glyphs(script, lato_only):
    words = SCRIPTS[script]
    drawings = [
        (draw_title_card, (640, 360, words, words), 300),
        (draw_text_card, (640, 360, f"{words} {words}"), 300),
        (draw_credits, (640, 360, (("Cast", (words, f"{words} \u2014 Ana")),)), 100),
    ]
    for fn, args, pixels in drawings:
        img, boxes = fn(*args), lato_only(fn, *args)
        assert (luma(img) > 150).sum() > 100, fn.__name__
        if script == "latin":   # Lato has these: the same picture either way
            assert png(img) == png(boxes), fn.__name__
        else:
            assert _differs_as_text(img, boxes, pixels), f"{fn.__name__}: {script} drawn as boxes"


@pytest.mark.parametrize("script", ["ja", "ar", "hi", "emoji"])
def test_captions_and_name_tags_draw_every_script_as_glyphs(script, lato_only):
    words = SCRIPTS[script]
    req = request(caption=words, cast=((words, ""),), frame_width=640, frame_height=360, width=800, height=448)
    for fn in (draw_overlay, draw_background):
        img, boxes = fn(req), lato_only(fn, req)
        assert _differs_as_text(img, boxes, 150), f"{fn.__name__}: {script} drawn as boxes"


def test_a_long_cjk_card_wraps_inside_the_card():
    text = "これは長い日本語の文章で、行をまたいで折り返されるかどうかを確かめるためのものです。"
    img = draw_text_card(640, 360, text)
    rows = np.nonzero((luma(img) > 150).any(axis=1))[0]
    cols = np.nonzero((luma(img) > 150).any(axis=0))[0]
    assert rows.max() - rows.min() > 360 * 0.2          # several lines, not one shrunk line
    assert cols.min() >= 640 * 0.15 - 2 and cols.max() <= 640 * 0.85 + 2


# --- the caption and burned subtitles ---

def test_a_caption_at_the_top_keeps_the_bottom_clear_and_the_slate_below_it():
    bottom = draw_overlay(request())
    top = draw_overlay(request(caption_at="top"))
    band = (np.asarray(bottom)[:, -1, 3] > 0).sum()   # the band spans the width: its rows show at the right edge
    assert band > 5
    assert (np.asarray(top)[:band, -1, 3] > 100).all() and np.asarray(top)[-band:, -1, 3].max() == 0
    # The slate (its amber accent bar) starts below the band, still at the left.
    accent = near(top.convert("RGB"), (232, 176, 64), 10)
    assert accent.any() and np.flatnonzero(accent.any(axis=1)).min() >= band
    assert np.flatnonzero(accent.any(axis=0)).max() < 40
    assert np.flatnonzero(near(bottom.convert("RGB"), (232, 176, 64), 10).any(axis=1)).min() < band


def _subtitle_frame(tmp_path, name: str, narration: str):
    """Build a one-shot animatic with burned subtitles; the frame in the middle of the shot,
    and the overlay layer (the panel's own caption and slate) its shot was drawn with."""
    from conftest import frame_at, write_project
    from pipeline.build import build

    narration_line = f"narration: \"{narration}\"" if narration else ""
    path = write_project(tmp_path / name, f"""
        title: Burn
        fps: 12
        size: 320x180
        title_card: false
        subtitles: burn
        speech: false
        scenes:
          - heading: EXT. HARBOUR - DAY
            shots:
              - id: boats
                prompt: "The fishing boats come home through the morning fog, one by one."
                duration: 3
                {narration_line}
    """)
    result = build(path.parent, renders=tmp_path / f"renders-{name}")
    [overlay] = (tmp_path / f"renders-{name}").rglob("overlay.png")
    return frame_at(result.output, 18).astype(int), np.asarray(Image.open(overlay))


def test_burned_subtitles_never_cover_the_animatic_caption(tmp_path):
    """The subtitle box (where the frame differs from the same film without the narration) and
    the caption's letters (light ink of the panel's own overlay) share no row."""
    said, overlay = _subtitle_frame(tmp_path, "said", "Every boat is home before the tide turns, and the harbour sleeps.")
    silent, _ = _subtitle_frame(tmp_path, "silent", "")
    subtitle_rows = np.flatnonzero((np.abs(said - silent).max(axis=-1) > 24).any(axis=1))
    ink = (overlay[..., 3] > 0) & (overlay[..., :3].mean(axis=-1) > 120)
    caption_rows = np.flatnonzero(ink[:, 100:].any(axis=1))    # right of the slate
    assert subtitle_rows.size > 5 and caption_rows.size > 3
    assert not set(subtitle_rows) & set(caption_rows)
    # The caption is in the frame (drawn at the top), and the subtitles are at the bottom.
    assert caption_rows.max() < 60 < subtitle_rows.min()
