"""Staging: the panel draws what the words name, one set per scene, and records what it drew."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipeline.generators.drawing import icons, words
from pipeline.generators.drawing.panel import PanelRequest, compose, draw_background
from pipeline.generators.drawing.staging import SHOT_SIZES, Composition, shot_size, stage

TOM = ("TOM", "old lighthouse keeper, white beard, navy wool sweater, oilskin coat")
ELSIE = ("ELSIE", "woman in her sixties, grey braid, rain-soaked green coat")
HEADLAND = ("a lighthouse on a rocky headland, waves breaking below, storm clouds gathering",
            "TOM climbs the lighthouse steps with a lantern as the wind rises")
LAMP_ROOM = ("TOM trims the wick of the great lamp", "ELSIE arrives breathless at the top of the stairs",
             "TOM and ELSIE look out through the storm glass at the black sea")
DAWN = ("the storm has passed; a small fishing boat rounds the point safely",
        "TOM and ELSIE stand at the railing as the sun rises")


def request(action: str, cast=(), setting="EXT", location="GULL POINT HEADLAND", tod="DUSK", texts=(), **kw):
    return PanelRequest(width=kw.pop("width", 640), height=kw.pop("height", 360), frame_width=512, frame_height=288,
                        setting=setting, location=location, time_of_day=tod, cast=tuple(cast), caption=action,
                        scene_label="SC 1", shot_id="s", camera=kw.pop("camera", "static"), seed=kw.pop("seed", 1),
                        action=action, scene_texts=tuple(texts) or (action,), film_cast=(TOM, ELSIE), **kw)


# --- words ---

@pytest.mark.parametrize("word,icon", [("steps", "stairs"), ("stairs", "stairs"), ("lighthouse", "lighthouse"),
                                       ("lantern", "lamp"), ("boat", "sail-boat"), ("ferry", "ferry")])
def test_words_find_their_icons_through_lemmas_and_senses(word, icon):
    m = words.meaning(word)
    assert m is not None and m.icon == icon


def test_a_vessel_is_a_boat_and_a_dinghy_is_a_boat_too():
    assert words.meaning("vessel").kind == "vehicle" and words.meaning("vessel").icon == words.meaning("boat").icon
    assert words.meaning("dinghy").kind == "vehicle"
    assert words.meaning("vessels").lemma == "vessel"     # inflections through lemmas


def test_verbs_and_adjectives_are_not_things():
    found = [t.lemma for t in words.things("TOM climbs the lighthouse steps with a lantern as the wind rises", ("TOM",))]
    assert found == ["lighthouse", "steps", "lantern"]
    found = [t.lemma for t in words.things("the storm has passed; a small fishing boat rounds the point safely")]
    assert "boat" in found and "small" not in found and "round" not in found


def test_people_and_body_parts_are_drawn_as_figures_not_icons():
    assert words.meaning("cop").kind == "person" and words.meaning("cop").icon == ""
    assert words.meaning("face").kind == "body"


def test_the_icon_set_is_large_and_credited():
    assert len(icons.vocabulary()) > 3000
    assert "Apache" in icons.CREDIT and "Pictogrammers" in icons.CREDIT
    m = np.asarray(icons.mask("lighthouse", 48))
    assert 0.1 < (m > 128).mean() < 0.7


# --- the lighthouse example ---

def test_the_headland_stages_a_lighthouse_on_a_rocky_headland_in_a_storm():
    comp = compose(request(HEADLAND[0], texts=HEADLAND))
    assert "lighthouse" in [m.name for m in comp.set.landmarks]
    assert "rock" in comp.set.features and comp.set.weather == "storm"
    assert {"lighthouse", "headland", "wave", "cloud"} <= set(comp.depicted)


def test_the_stairs_shot_climbs_stairs_with_a_lantern():
    comp = compose(request(HEADLAND[1], cast=(TOM,), texts=HEADLAND))
    (tom,) = comp.figures
    assert tom.pose == "climbing"
    props = {p.name: p for p in comp.props}
    assert props["steps"].icon == "stairs"
    assert props["lantern"].icon == "lamp" and props["lantern"].held_by == "TOM"
    assert {"lighthouse", "steps", "lantern"} <= set(comp.depicted)


def test_the_lamp_room_is_a_room_with_its_lamp_and_stairs():
    comp = compose(request(LAMP_ROOM[1], cast=(ELSIE,), setting="INT", location="LAMP ROOM", tod="NIGHT",
                           texts=LAMP_ROOM))
    assert comp.set.interior and {"lamp", "stairs"} <= {m.name for m in comp.set.landmarks}
    assert comp.figures[0].pose == "walking"
    looking = compose(request(LAMP_ROOM[2], cast=(TOM, ELSIE), setting="INT", location="LAMP ROOM", tod="NIGHT",
                              texts=LAMP_ROOM))
    assert {f.facing for f in looking.figures} == {"back"}
    assert {"glass", "sea"} <= set(looking.depicted)


def test_the_harbour_shot_has_its_boat_on_the_water():
    comp = compose(request(DAWN[0], tod="DAWN", texts=DAWN))
    boat = next(p for p in comp.props if p.name == "boat")
    assert boat.kind == "vehicle" and 0.55 * 360 < boat.bottom < 0.8 * 360
    assert comp.set.weather == ""   # the storm has passed


# --- shot sizes ---

@pytest.mark.parametrize("text,size", [
    ("SNIPER SCOPE POV", "pov"), ("CLOSE ON Tom's hands", "close-up"), ("EXTREME CLOSE-UP of the eye", "extreme-close-up"),
    ("WIDE SHOT of the bay", "wide"), ("ESTABLISHING: the town", "extreme-wide"), ("INSERT - the letter", "insert"),
    ("OVER THE SHOULDER of Elsie", "over-the-shoulder"), ("Tom walks in.", ""),
])
def test_the_words_name_the_shot_size(text, size):
    assert shot_size(text) == size


def test_a_scope_pov_frames_a_face_close_in_a_round_mask():
    req = request("From what seems like only INCHES AWAY.  Steel's face FILLS the Leupold Mark 4 scope.",
                  cast=(("STEEL", "man"),), setting="", location="SNIPER SCOPE POV", tod="")
    comp = compose(req)
    assert comp.shot_size == "pov" and comp.pov == "scope"
    assert comp.figures[0].feet > req.height * 1.5     # a close-up: the feet far below the frame
    img = np.asarray(draw_background(req), dtype=np.int16)
    assert img[:10, :10].max() < 20                    # outside the scope's round field is dark


def test_a_close_up_is_big_and_an_insert_has_no_one():
    close = compose(request("CLOSE ON Tom, tired.", cast=(TOM,)))
    wide = compose(request("Tom waits.", cast=(TOM,)))
    assert close.shot_size == "close-up" and close.figures[0].height > 2 * wide.figures[0].height
    insert = compose(request("INSERT - the letter on the table", setting="INT", location="KITCHEN", tod="DAY"))
    assert insert.shot_size == "insert" and not insert.figures and "letter" in insert.depicted


# --- one set per scene ---

def _boxes_mask(comp: Composition, w: int, h: int) -> np.ndarray:
    mask = np.zeros((h, w), dtype=bool)
    for f in list(comp.figures) + list(comp.extras):
        x0, x1 = int(f.x - f.height * 0.5), int(f.x + f.height * 0.5)
        y0, y1 = int(f.feet - f.height * 1.3), int(f.feet + f.height * 0.1)
        mask[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = True
    for p in comp.props:
        mask[max(0, int(p.bottom - p.size) - 4):max(0, int(p.bottom) + 4),
             max(0, int(p.x - p.size / 2) - 4):max(0, int(p.x + p.size / 2) + 4)] = True
    return mask


def test_two_shots_of_one_scene_share_their_set():
    a_req = request(LAMP_ROOM[0], cast=(TOM,), setting="INT", location="LAMP ROOM", tod="NIGHT", texts=LAMP_ROOM, seed=5)
    b_req = request(LAMP_ROOM[1], cast=(ELSIE,), setting="INT", location="LAMP ROOM", tod="NIGHT", texts=LAMP_ROOM, seed=9)
    a_comp, b_comp = compose(a_req), compose(b_req)
    assert a_comp.set == b_comp.set and a_comp.framing == b_comp.framing
    a = np.asarray(draw_background(a_req), dtype=np.int16)
    b = np.asarray(draw_background(b_req), dtype=np.int16)
    free = ~(_boxes_mask(a_comp, 640, 360) | _boxes_mask(b_comp, 640, 360))
    assert free.mean() > 0.4
    assert np.array_equal(a[free], b[free])
    assert not np.array_equal(a, b)    # the figures differ


def test_the_set_is_seeded_by_the_heading_not_the_shot():
    one = compose(request(HEADLAND[0], texts=HEADLAND, seed=1))
    two = compose(request(HEADLAND[0], texts=HEADLAND, seed=99))
    other = compose(request(HEADLAND[0], location="ANOTHER HEADLAND", texts=HEADLAND))
    assert one.set == two.set and one.set.seed != other.set.seed


# --- the record ---

def test_the_composition_is_a_frozen_deterministic_record():
    comp = compose(request(HEADLAND[1], cast=(TOM,), texts=HEADLAND))
    assert comp.shot_size in SHOT_SIZES
    with pytest.raises(dataclasses.FrozenInstanceError):
        comp.shot_size = "wide"  # type: ignore[misc]
    assert comp == compose(request(HEADLAND[1], cast=(TOM,), texts=HEADLAND))
    assert stage(HEADLAND[1], "EXT", "GULL POINT HEADLAND", "DUSK", (TOM,), 640, 360, HEADLAND) == comp


def test_figures_and_props_stay_inside_the_central_part_in_wide_shots():
    comp = compose(request(DAWN[1], cast=(TOM, ELSIE), tod="DAWN", texts=DAWN))
    for f in comp.figures:
        assert 0.1 * 640 < f.x < 0.9 * 640 and f.feet < 0.9 * 360


@pytest.mark.parametrize("text, names, expected", [
    # a newspaper's second sense is the firm that prints it: it is held, not a person who walks in
    ("RAJ walks in through the door holding a newspaper", ("RAJ",), {"door": "furniture", "newspaper": "prop"}),
    # a kettle is a vessel that holds water, not a vessel that sails
    ("The kettle whistles on the stove", (), {"kettle": "prop", "stove": "furniture"}),
    # "red" describes the car; a dinner table is a table, not the plank WordNet also calls a board
    ("A red car speeds past", (), {"car": "vehicle"}),
    ("ANNA and BEN sit around a long dinner table with candles", ("ANNA", "BEN"), {"table": "furniture", "candle": "prop"}),
    ("a small fishing boat rounds the point", (), {"boat": "vehicle", "point": "prop"}),
])
def test_words_read_as_the_things_they_name(text, names, expected):
    found = {t.lemma: t.kind for t in words.things(text, names)}
    assert found == expected
    icons_used = {t.lemma: t.icon for t in words.things(text, names)}
    assert icons_used.get("table", "table-furniture") == "table-furniture"
