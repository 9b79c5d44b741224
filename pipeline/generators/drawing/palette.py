"""Colour: the palette of a setting at a time of day, each character's costume colour, and the
small colour and image helpers the other drawing modules share."""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

import numpy as np
import webcolors
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


def weathered(pal: Palette, weather: str) -> Palette:
    """`pal` under a scene's weather: a storm's slate sky and dark clouds, rain's grey, fog's
    pale haze, snow's white light ("" leaves it as it is)."""
    from dataclasses import replace

    if weather in ("storm", "rain"):
        dark = 0.55 if weather == "storm" else 0.75
        slate = (70, 80, 96) if pal.kind != "night" else (22, 26, 38)
        return replace(pal, sky_top=scaled(mix(pal.sky_top, slate, 0.75), dark),
                       sky_bottom=mix(pal.sky_bottom, mix(slate, (150, 158, 168), 0.5), 0.7),
                       cloud=scaled(mix(pal.cloud, slate, 0.7), 0.8 if weather == "storm" else 0.95),
                       glow=mix(pal.glow, slate, 0.6), sun=mix(pal.sun, slate, 0.5),
                       water=scaled(mix(pal.water, slate, 0.5), 0.85), far=mix(pal.far, slate, 0.4),
                       ambient=pal.ambient * 0.9)
    if weather == "fog":
        haze = mix(pal.sky_bottom, (200, 204, 208), 0.5)
        return replace(pal, sky_top=mix(pal.sky_top, haze, 0.6), far=mix(pal.far, haze, 0.6),
                       near=mix(pal.near, haze, 0.3), cloud=mix(pal.cloud, haze, 0.6), water=mix(pal.water, haze, 0.4))
    if weather == "snow":
        white = (236, 240, 246)
        return replace(pal, ground=mix(pal.ground, white, 0.75), ground_far=mix(pal.ground_far, white, 0.7),
                       foliage=mix(pal.foliage, white, 0.25), sky_top=mix(pal.sky_top, (150, 160, 176), 0.5))
    return pal


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
COSTUMES: tuple[RGB, ...] = (
    (214, 64, 56), (236, 134, 44), (230, 192, 52), (70, 170, 80), (36, 160, 150), (52, 120, 210),
    (96, 84, 196), (160, 72, 190), (220, 84, 150), (140, 92, 56), (120, 160, 40), (40, 96, 130),
    (176, 40, 84), (92, 190, 220), (200, 150, 110), (110, 110, 124),
)


def figure_colour(name: str) -> RGB:
    """The costume colour of the character `name`: stable across shots, runs and machines."""
    d = digest(name.strip().upper())
    return COSTUMES[int.from_bytes(d[:4], "big") % len(COSTUMES)]


# Figure colour tables. Garment colours are the CSS colour names (the `webcolors` package);
# `COLOUR_ALIASES` maps the garment colour words that CSS lacks to the CSS colour that reads
# closest. Hair and skin have colour words of their own, so they have tables of their own.
CSS_COLOURS: dict[str, RGB] = {n: tuple(webcolors.name_to_rgb(n)) for n in webcolors.names("css3")}  # type: ignore[misc]
COLOUR_ALIASES: dict[str, str] = {
    "brown": "saddlebrown",   # CSS brown is a brick red
    "burgundy": "maroon", "wine": "maroon", "claret": "maroon", "oxblood": "maroon", "scarlet": "crimson",
    "cherry": "crimson", "ruby": "crimson", "rust": "sienna", "copper": "chocolate", "mustard": "goldenrod",
    "ochre": "peru", "amber": "orange", "emerald": "seagreen", "jade": "mediumseagreen", "sage": "darkseagreen",
    "mint": "mediumaquamarine", "charcoal": "darkslategray", "slate": "slategray", "cream": "beige",
    "camel": "tan", "mauve": "plum", "lilac": "plum", "rose": "palevioletred", "cobalt": "royalblue",
    "denim": "steelblue", "golden": "goldenrod", "leather": "saddlebrown", "tweed": "peru", "army": "olivedrab",
    "camouflage": "olivedrab", "camo": "olivedrab", "blonde": "wheat", "blond": "wheat",
    "navyblue": "navy", "olivegreen": "olivedrab", "bottlegreen": "darkgreen", "bloodred": "darkred",
    "brickred": "firebrick", "babyblue": "lightblue", "peagreen": "yellowgreen", "hunter": "darkgreen",
    "huntergreen": "darkgreen", "racinggreen": "darkgreen", "pillarbox": "red", "sapphire": "royalblue",
    "ultramarine": "mediumblue", "offwhite": "whitesmoke",
}
# CSS names that are also ordinary words ("a linen shirt", "moccasin shoes"): a colour only
# when no plainer colour word stands beside the garment.
WEAK_COLOURS = frozenset((
    "linen", "snow", "moccasin", "chocolate", "tomato", "salmon", "peru", "wheat", "bisque", "honeydew",
    "seashell", "gainsboro", "lavender", "olive", "orchid", "plum", "coral", "tan", "gold", "silver", "ivory",
    "khaki", "lime", "aqua", "azure", "thistle", "leather", "tweed", "denim", "army", "copper", "rose", "mint",
    "sage", "jade", "golden", "amber", "slate", "wine", "cherry", "ruby", "camel", "cream", "hunter",
))
# Garments whose name carries a colour when no colour word is given ("oilskins" are yellow).
GARMENT_COLOURS: dict[str, str] = {
    "oilskin": "goldenrod", "oilskins": "goldenrod", "souwester": "goldenrod", "trench": "tan", "trenchcoat": "tan",
    "labcoat": "white", "jeans": "steelblue", "dungarees": "steelblue", "overalls": "steelblue", "peacoat": "navy",
    "tuxedo": "black", "tux": "black", "chinos": "tan", "wellies": "darkgreen", "wellingtons": "darkgreen",
    "cassock": "black", "habit": "black", "wimple": "white", "duster": "tan", "parka": "darkolivegreen",
    "toque": "white", "chefhat": "white", "tophat": "black", "bowler": "black", "chainmail": "silver",
    "armour": "silver", "armor": "silver", "breastplate": "silver", "stetson": "peru", "crown": "gold",
    "tiara": "silver",
}
COLOUR_SHADES: dict[str, float] = {"dark": 0.62, "deep": 0.78, "light": -0.45, "pale": -0.5, "pastel": -0.55,
                                   "faded": -0.3, "bright": 1.0, "dull": 0.85, "dusty": -0.25}

HAIR_COLOURS: dict[str, RGB] = {
    "black": (34, 30, 32), "raven": (30, 28, 34), "jet": (28, 26, 30), "dark": (56, 40, 32),
    "brown": (102, 66, 40), "brunette": (92, 58, 36), "chestnut": (122, 64, 36), "mousy": (140, 116, 86),
    "auburn": (140, 58, 34), "red": (168, 72, 40), "ginger": (190, 96, 44), "copper": (176, 88, 44),
    "strawberry": (214, 148, 96), "blond": (222, 188, 112), "blonde": (222, 188, 112), "fair": (228, 202, 142),
    "golden": (226, 178, 78), "sandy": (200, 168, 110), "platinum": (236, 228, 206), "grey": (178, 178, 182),
    "gray": (178, 178, 182), "greying": (150, 144, 140), "graying": (150, 144, 140), "silver": (206, 208, 214),
    "white": (236, 236, 232), "snowy": (240, 240, 236), "saltpepper": (132, 130, 128),
}
HAIR_DEFAULTS: tuple[RGB, ...] = ((40, 32, 30), (92, 62, 40), (60, 42, 32), (150, 104, 60), (218, 184, 112),
                                  (30, 28, 30), (122, 64, 36))
ELDERLY_HAIR: tuple[RGB, ...] = ((206, 208, 214), (236, 236, 232), (178, 178, 182))
SKIN_TONES: tuple[RGB, ...] = ((241, 204, 176), (226, 180, 142), (198, 144, 104), (152, 104, 72), (110, 74, 52),
                               (236, 196, 160))
SKIN_WORDS: dict[str, int] = {"pale": 0, "fair": 0, "freckled": 0, "light": 5, "olive": 2, "tanned": 2, "tan": 2,
                              "brown": 3, "dark": 4, "black": 4, "ebony": 4}
# Clothes nobody named: trousers, shirts under coats, shoes and hats in quiet colours.
TROUSER_COLOURS: tuple[RGB, ...] = ((56, 60, 74), (84, 70, 58), (46, 46, 52), (74, 96, 130), (120, 112, 92),
                                    (92, 92, 100))
UNDER_COLOURS: tuple[RGB, ...] = ((238, 236, 228), (222, 214, 196), (196, 204, 214), (232, 226, 210))
SHOE_COLOURS: tuple[RGB, ...] = ((44, 36, 34), (82, 54, 38), (36, 36, 42))
HAT_COLOURS: tuple[RGB, ...] = ((88, 64, 46), (58, 58, 66), (120, 98, 70), (46, 52, 70))


def colour_word(words: tuple[str, ...]) -> RGB | None:
    """The colour that `words` name (one word, or two like "dark green" or "navy blue"), or None.

    The name is looked up among the CSS colours, then the aliases; a shade word before a colour
    ("dark", "pale") darkens or lightens it where CSS has no name for the pair. Near-black is
    lifted a little so a black coat still shows its shading and outline.
    """
    if not words:
        return None
    joined = "".join(words)
    rgb = CSS_COLOURS.get(COLOUR_ALIASES.get(joined, joined))
    if rgb is None and len(words) == 2 and words[0] in COLOUR_SHADES:
        base = colour_word(words[1:])
        if base is not None:
            k = COLOUR_SHADES[words[0]]
            rgb = scaled(base, k) if k > 0 else mix(base, (255, 255, 255), -k)
    if rgb is not None and max(rgb) < 40:
        rgb = mix(rgb, (64, 64, 72), 0.7)
    return rgb


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
