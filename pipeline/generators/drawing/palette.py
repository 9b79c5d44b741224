"""Colour: the palette of a setting at a time of day, each character's costume colour, and the
small colour and image helpers the other drawing modules share."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image

RGB = tuple[int, int, int]
Point = tuple[float, float]


@dataclass(frozen=True)
class Palette:
    """The colours of one setting at one time of day."""

    kind: str           # "day", "night", "dusk" or "dawn"
    interior: bool
    sky_top: RGB
    sky_bottom: RGB
    sun: RGB            # sun or moon disc
    glow: RGB           # halo around the sun or moon, and light spill
    cloud: RGB
    far: RGB            # distant hills and buildings, hazed toward the sky
    near: RGB           # nearer buildings and rocks
    foliage: RGB
    ground_far: RGB
    ground: RGB
    sand: RGB
    water: RGB
    wall: RGB
    side_wall: RGB
    floor: RGB
    ceiling: RGB
    trim: RGB           # skirting, window and door frames
    light: RGB          # the room's light: window light by day, lamp glow at night
    ambient: float      # how much light reaches the room away from its light source (1 = all)
    ink: RGB            # outlines
    paper: RGB          # name tags


_PALETTES: dict[str, dict[str, object]] = {
    "day": dict(
        sky_top=(66, 128, 206), sky_bottom=(178, 212, 236), sun=(255, 248, 222), glow=(255, 246, 214),
        cloud=(248, 250, 253), far=(150, 180, 204), near=(112, 128, 152), foliage=(64, 116, 74),
        ground_far=(176, 178, 112), ground=(104, 146, 76), sand=(222, 196, 138), water=(64, 128, 178),
        wall=(228, 214, 188), side_wall=(204, 188, 160), floor=(170, 128, 90), ceiling=(242, 238, 228),
        trim=(250, 248, 242), light=(255, 246, 220), ambient=0.92, ink=(34, 36, 46), paper=(250, 248, 240)),
    "night": dict(
        sky_top=(8, 12, 34), sky_bottom=(34, 48, 92), sun=(236, 236, 218), glow=(110, 130, 186),
        cloud=(46, 56, 90), far=(30, 38, 70), near=(16, 20, 40), foliage=(14, 26, 34),
        ground_far=(32, 42, 58), ground=(20, 26, 40), sand=(70, 70, 84), water=(20, 32, 64),
        wall=(150, 128, 118), side_wall=(122, 104, 98), floor=(112, 84, 66), ceiling=(120, 106, 104),
        trim=(186, 170, 156), light=(255, 196, 120), ambient=0.42, ink=(16, 16, 24), paper=(244, 240, 228)),
    "dusk": dict(
        sky_top=(62, 52, 118), sky_bottom=(250, 150, 84), sun=(255, 214, 140), glow=(255, 160, 90),
        cloud=(236, 132, 124), far=(132, 88, 118), near=(70, 46, 70), foliage=(56, 44, 62),
        ground_far=(122, 92, 80), ground=(72, 56, 60), sand=(196, 142, 106), water=(92, 70, 120),
        wall=(212, 162, 128), side_wall=(176, 128, 104), floor=(128, 86, 64), ceiling=(196, 156, 136),
        trim=(236, 214, 196), light=(255, 172, 100), ambient=0.78, ink=(34, 24, 36), paper=(250, 244, 234)),
    "dawn": dict(
        sky_top=(146, 178, 224), sky_bottom=(250, 190, 192), sun=(255, 240, 210), glow=(255, 212, 192),
        cloud=(255, 230, 230), far=(176, 166, 192), near=(104, 104, 134), foliage=(78, 104, 96),
        ground_far=(164, 164, 134), ground=(102, 124, 94), sand=(226, 196, 170), water=(112, 140, 190),
        wall=(232, 210, 204), side_wall=(204, 180, 178), floor=(164, 122, 102), ceiling=(242, 228, 226),
        trim=(250, 244, 240), light=(255, 226, 204), ambient=0.88, ink=(40, 36, 50), paper=(250, 246, 242)),
}

# Location words that choose what stands on the horizon.
_LOCATION_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("arena", ("COLOSSEUM", "COLISEUM", "ARENA", "AMPHITHEATRE", "AMPHITHEATER", "STADIUM", "FORUM", "RUINS?")),
    ("water", ("BEACH", "SEA", "OCEAN", "LAKE", "RIVER", "HARBOU?R", "SHORE", "COAST", "PIER", "DOCKS?", "PORT",
               "BAY", "ISLAND", "SEASIDE", "LAGOON", "BOAT", "SHIP", "DECK", "HEADLAND", "LIGHTHOUSE", "POINT",
               "CAPE", "QUAY", "WHARF")),
    ("desert", ("DESERT", "DUNES?", "SANDS?", "WASTELAND", "SAHARA", "OASIS")),
    ("mountain", ("MOUNTAINS?", "PEAKS?", "CLIFFS?", "VALLEY", "CANYON", "RIDGE", "SUMMIT", "ALPS", "GLACIER")),
    ("city", ("STREETS?", "CITY", "ROAD", "TOWN", "AVENUE", "ALLEY", "SQUARE", "MARKET", "STATION", "ROOFTOP",
              "DOWNTOWN", "BUILDINGS?", "PARKING", "BRIDGE", "HIGHWAY", "CORNER", "PLAZA", "SIDEWALK", "VILLAGE",
              "SUBURBS?", "CAMPUS", "DISTRICT", "AVE", "ST", "LOT")),
    ("trees", ("FOREST", "WOODS?", "PARK", "GARDENS?", "JUNGLE", "ORCHARD", "FARM", "CAMP", "CAMPSITE", "GROVE",
               "CLEARING", "TRAIL", "MEADOW", "COUNTRYSIDE", "CEMETERY", "GRAVEYARD", "YARD", "BACKYARD")),
)


def palette(setting: str, time_of_day: str) -> Palette:
    """The palette for a scene heading's setting (`INT`, `EXT`, `INT/EXT`, or "") and time of day."""
    kind = _time_kind(time_of_day)
    return Palette(kind=kind, interior=_is_interior(setting), **_PALETTES[kind])  # type: ignore[arg-type]


def _time_kind(time_of_day: str) -> str:
    words = time_of_day.upper()
    if "NIGHT" in words:
        return "night"
    if any(w in words for w in ("DUSK", "SUNSET", "EVENING", "TWILIGHT", "GOLDEN")):
        return "dusk"
    if any(w in words for w in ("DAWN", "MORNING", "SUNRISE", "DAYBREAK")):
        return "dawn"
    return "day"


def _is_interior(setting: str) -> bool:
    return setting.upper().replace(".", "").strip() in ("INT", "INT/EXT", "EXT/INT", "I/E", "INTERIOR")


def is_mixed(setting: str) -> bool:
    return setting.upper().replace(".", "").strip() in ("INT/EXT", "EXT/INT", "I/E")


def location_kind(location: str, rng: random.Random) -> str:
    upper = location.upper()
    for kind, words in _LOCATION_KINDS:
        if any(re.search(rf"\b{word}\b", upper) for word in words):
            return kind
    return rng.choice(("hills", "trees", "houses", "hills"))


# ---------------------------------------------------------------------------------------------
# Colour helpers


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def scaled(c: RGB, k: float) -> RGB:
    return (min(255, round(c[0] * k)), min(255, round(c[1] * k)), min(255, round(c[2] * k)))


def digest(text: str) -> bytes:
    # A stable hash: Python's hash() is salted per process, so colours would change between runs.
    return hashlib.sha256(text.encode("utf-8")).digest()


# Costume colours, far enough apart to tell characters apart at a glance.
_COSTUMES: tuple[RGB, ...] = (
    (214, 64, 56), (236, 134, 44), (230, 192, 52), (70, 170, 80), (36, 160, 150), (52, 120, 210),
    (96, 84, 196), (160, 72, 190), (220, 84, 150), (140, 92, 56), (120, 160, 40), (40, 96, 130),
    (176, 40, 84), (92, 190, 220), (200, 150, 110), (110, 110, 124),
)


def figure_colour(name: str) -> RGB:
    """The costume colour of the character `name`: stable across shots, runs and machines."""
    d = digest(name.strip().upper())
    return _COSTUMES[int.from_bytes(d[:4], "big") % len(_COSTUMES)]


# ---------------------------------------------------------------------------------------------
# Low-level image helpers


def circle_box(x: float, y: float, r: float) -> tuple[float, float, float, float]:
    return (x - r, y - r, x + r, y + r)


def grid(width: int, height: int, step: int = 8) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Coordinates (in full-size pixels) of a coarse grid covering width x height."""
    gw, gh = max(2, -(-width // step) + 1), max(2, -(-height // step) + 1)
    xs = np.linspace(0, width, gw, dtype=np.float32)[None, :]
    ys = np.linspace(0, height, gh, dtype=np.float32)[:, None]
    return xs, ys, gw, gh


def upscale(values: np.ndarray, width: int, height: int) -> Image.Image:
    img = Image.fromarray(np.clip(np.round(values), 0, 255).astype(np.uint8), "RGB")
    return img.resize((width, height), Image.Resampling.BILINEAR)
