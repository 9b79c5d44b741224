"""Storyboard panels for the animatic, and the title, text and credits cards.

Pure drawing: every function takes plain values and returns a Pillow image, and the same input
always gives the same bytes (randomness comes only from `random.Random` seeded by the request).
Backgrounds are drawn supersampled and reduced, so edges stay clean from 160x90 to 4K; large
smooth areas (skies, glows, vignettes) are built with numpy at low resolution and scaled up.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFont

from ..fonts import font

RGB = tuple[int, int, int]
Point = tuple[float, float]

HORIZON = 0.60          # horizon height, as a fraction of the canvas height
FEET = 0.80             # where figures stand
FIGURE_HEIGHT = 0.40    # figure height, as a fraction of the canvas height
FIGURE_SPAN = (0.18, 0.82)  # figures stay in this horizontal band so a zoom or pan keeps them in view
ELLIPSIS = "\u2026"
DOT = " \u00b7 "
DASH = " \u2014 "


@dataclass(frozen=True)
class PanelRequest:
    """Everything one storyboard panel shows; the canvas is larger than the frame (~1.25x)."""

    width: int
    height: int
    frame_width: int
    frame_height: int
    setting: str
    location: str
    time_of_day: str
    cast: tuple[tuple[str, str], ...]
    caption: str
    scene_label: str
    shot_id: str
    camera: str
    seed: int


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
               "BAY", "ISLAND", "SEASIDE", "LAGOON", "BOAT", "SHIP", "DECK")),
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


def _is_mixed(setting: str) -> bool:
    return setting.upper().replace(".", "").strip() in ("INT/EXT", "EXT/INT", "I/E")


def _location_kind(location: str, rng: random.Random) -> str:
    upper = location.upper()
    for kind, words in _LOCATION_KINDS:
        if any(re.search(rf"\b{word}\b", upper) for word in words):
            return kind
    return rng.choice(("hills", "trees", "houses", "hills"))


# ---------------------------------------------------------------------------------------------
# Colour helpers


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def _scale(c: RGB, k: float) -> RGB:
    return (min(255, round(c[0] * k)), min(255, round(c[1] * k)), min(255, round(c[2] * k)))


def _digest(text: str) -> bytes:
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
    d = _digest(name.strip().upper())
    return _COSTUMES[int.from_bytes(d[:4], "big") % len(_COSTUMES)]


_SKIN = ((241, 204, 176), (226, 180, 142), (198, 144, 104), (152, 104, 72), (110, 74, 52), (236, 196, 160))
_HAIR = ((40, 32, 30), (92, 62, 40), (60, 42, 32), (150, 104, 60), (218, 184, 112), (30, 28, 30))


# ---------------------------------------------------------------------------------------------
# Low-level image helpers


def _vgradient(width: int, height: int, stops: list[tuple[float, RGB]]) -> Image.Image:
    """A vertical gradient through (position 0..1, colour) stops, built as one column and stretched."""
    ys = (np.arange(height, dtype=np.float32) + 0.5) / max(1, height)
    pos = np.array([p for p, _ in stops], dtype=np.float32)
    column = np.stack([np.interp(ys, pos, [c[ch] for _, c in stops]) for ch in range(3)], axis=-1)
    column = np.clip(np.round(column), 0, 255).astype(np.uint8)[:, None, :]
    return Image.fromarray(column, "RGB").resize((max(1, width), max(1, height)), Image.Resampling.NEAREST)


def _grid(width: int, height: int, step: int = 8) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Coordinates (in full-size pixels) of a coarse grid covering width x height."""
    gw, gh = max(2, -(-width // step) + 1), max(2, -(-height // step) + 1)
    xs = np.linspace(0, width, gw, dtype=np.float32)[None, :]
    ys = np.linspace(0, height, gh, dtype=np.float32)[:, None]
    return xs, ys, gw, gh


def _upscale(values: np.ndarray, width: int, height: int) -> Image.Image:
    img = Image.fromarray(np.clip(np.round(values), 0, 255).astype(np.uint8), "RGB")
    return img.resize((width, height), Image.Resampling.BILINEAR)


def _glow(img: Image.Image, lights: list[tuple[float, float, float, RGB, float]], horizon: float | None = None) -> Image.Image:
    """Screen soft round glows (x, y, radius, colour, strength) onto `img`, fading below `horizon`."""
    if not lights:
        return img
    xs, ys, gw, gh = _grid(*img.size)
    acc = np.zeros((gh, gw, 3), dtype=np.float32)
    for x, y, r, colour, strength in lights:
        g = strength * np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (r * r))
        acc += g[..., None] * np.array(colour, dtype=np.float32)
    if horizon is not None:  # the sky glows; the ground in front only catches a little of it
        acc *= np.clip(1 - (ys - horizon) / (img.size[1] * 0.12), 0.3, 1)[..., None]
    return ImageChops.screen(img, _upscale(acc, *img.size))


def _shade(img: Image.Image, lights: list[tuple[float, float, float]], ambient: float, vignette: float) -> Image.Image:
    """Darken `img` away from the lights (x, y, radius) down to `ambient`, and toward the corners."""
    xs, ys, gw, gh = _grid(*img.size)
    w, h = img.size
    lit = np.zeros((gh, gw), dtype=np.float32)
    for x, y, r in lights:
        lit = np.maximum(lit, np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (r * r)))
    level = ambient + (1 - ambient) * lit if lights else np.full((gh, gw), ambient, dtype=np.float32)
    corner = ((xs - w / 2) / (w / 2)) ** 2 * 0.6 + ((ys - h / 2) / (h / 2)) ** 2 * 0.4
    level = level * (1 - vignette * corner)
    return ImageChops.multiply(img, _upscale(np.repeat(level[..., None] * 255, 3, axis=-1), w, h))


@dataclass
class _Lighting:
    """Light applied after the supersampled drawing is reduced, where it is four times cheaper."""

    glows: list[tuple[float, float, float, RGB, float]]   # screened halos: x, y, radius, colour, strength
    lights: list[tuple[float, float, float]]              # what stays lit: x, y, radius
    ambient: float                                        # the light level away from `lights`
    vignette: float
    horizon: float | None = None                          # glows fade below this

    def apply(self, img: Image.Image, scale: float) -> Image.Image:
        lights = [(x / scale, y / scale, r / scale) for x, y, r in self.lights]
        img = _shade(img, lights, self.ambient, self.vignette)
        horizon = self.horizon / scale if self.horizon is not None else None
        return _glow(img, [(x / scale, y / scale, r / scale, c, k) for x, y, r, c, k in self.glows], horizon)


# ---------------------------------------------------------------------------------------------
# Text helpers


def _width(text: str, f: ImageFont.FreeTypeFont) -> float:
    return f.getlength(text)


def _ellipsise(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> str:
    """`text`, cut at the end with an ellipsis so that it fits `max_width`."""
    if _width(text, f) <= max_width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with the ellipsis
        mid = (lo + hi + 1) // 2
        if _width(text[:mid].rstrip() + ELLIPSIS, f) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS if lo else (ELLIPSIS if _width(ELLIPSIS, f) <= max_width else "")


def _wrap(text: str, f: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap; a word wider than the line is broken between characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if _width(candidate, f) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _width(word, f) > max_width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and _width(word[:cut], f) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        if line:
            lines.append(line)
    return lines


def _clamp(lines: list[str], f: ImageFont.FreeTypeFont, max_width: float, max_lines: int) -> list[str]:
    """At most `max_lines` lines, the last one ellipsised when text was dropped."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    # The dropped text's ellipsis is appended first, so the result always ends with one.
    kept[-1] = _ellipsise(f"{kept[-1]} {lines[max_lines]}{ELLIPSIS}", f, max_width)
    return kept


def _fit_block(text: str, weight: str, size: int, min_size: int, max_width: float,
               max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font (from `size` down to `min_size`) that sets `text` in `max_lines` lines."""
    size = max(1, size)
    min_size = max(1, min(min_size, size))
    while True:
        f = font(size, weight)
        lines = _wrap(text, f, max_width)
        if len(lines) <= max_lines or size <= min_size:
            return f, _clamp(lines, f, max_width, max_lines)
        size = max(min_size, int(size * 0.9))


def _fit_line(text: str, weight: str, size: int, min_size: int, max_width: float) -> tuple[ImageFont.FreeTypeFont, str]:
    """One line of `text`: shrunk toward `min_size` to fit `max_width`, then ellipsised."""
    size = max(1, size)
    f = font(size, weight)
    width = _width(text, f)
    if width > max_width and size > min_size:
        size = max(max(1, min_size), int(size * max_width / width))
        f = font(size, weight)
    return f, _ellipsise(text, f, max_width)


def _line_height(f: ImageFont.FreeTypeFont) -> int:
    ascent, descent = f.getmetrics()
    return ascent + descent


# ---------------------------------------------------------------------------------------------
# Backgrounds


def draw_background(req: PanelRequest) -> Image.Image:
    """The panel's canvas (RGB, `req.width` x `req.height`): the setting, its light, and the cast.

    Exteriors get a sky for the time of day over a horizon at 60% height with seed-varied
    silhouettes chosen from the location's words; interiors get a room in one-point perspective
    with a window or door and daylight or lamplight. Each cast member stands as a figure in their
    own colour (see `figure_colour`) with a name tag, inside the central 80% of the canvas.
    """
    width, height = max(1, req.width), max(1, req.height)
    pal = palette(req.setting, req.time_of_day)
    # Small canvases need more supersampling to keep thin shapes.
    ss = 2 if min(width, height) >= 360 else 4
    size = (width * ss, height * ss)
    if pal.interior:
        img, light = _interior(size, pal, req, random.Random(f"{req.seed}:room"))
    else:
        img, light = _exterior(size, pal, req, random.Random(f"{req.seed}:exterior"))
    img = light.apply(img.reduce(ss), ss)
    figures = _figure_layout(req.cast, width, height)
    if figures:
        _draw_figures(img, figures, pal, ss)
        _draw_tags(img, figures, pal)
    return img


# --- exteriors ---


def _exterior(size: tuple[int, int], pal: Palette, req: PanelRequest, rng: random.Random) -> tuple[Image.Image, _Lighting]:
    w, h = size
    hy = round(h * HORIZON)
    kind = _location_kind(req.location, rng)
    sandy = kind in ("desert", "arena", "water")
    ground_far, ground = (_mix(pal.sand, pal.ground_far, 0.15), _scale(pal.sand, 0.86)) if sandy else (pal.ground_far, pal.ground)
    sky = _vgradient(w, hy, [(0.0, pal.sky_top), (0.55, _mix(pal.sky_top, pal.sky_bottom, 0.55)), (1.0, pal.sky_bottom)])
    img = Image.new("RGB", size)
    img.paste(sky, (0, 0))
    img.paste(_vgradient(w, h - hy, [(0.0, ground_far), (1.0, ground)]), (0, hy))

    # The sun or moon, low for dusk and dawn; drawn before the horizon so silhouettes cut it.
    sun_x = w * rng.uniform(0.15, 0.85)
    if pal.kind in ("dusk", "dawn"):
        sun_y, sun_r, glow_r, glow_k = hy - h * 0.055, h * 0.05, h * 0.42, 0.7
    elif pal.kind == "night":
        sun_y, sun_r, glow_r, glow_k = h * rng.uniform(0.13, 0.22), h * 0.04, h * 0.22, 0.5
    else:
        sun_y, sun_r, glow_r, glow_k = h * rng.uniform(0.1, 0.2), h * 0.035, h * 0.3, 0.55
    if pal.kind == "night":
        _stars(img, rng, (0, 0, w, hy), (sun_x, sun_y, sun_r * 4))
    draw = ImageDraw.Draw(img)
    draw.ellipse(_box(sun_x, sun_y, sun_r), fill=pal.sun)
    if pal.kind == "night":
        for _ in range(3):  # moon craters
            a, d, cr = rng.uniform(0, 2 * math.pi), rng.uniform(0, 0.55), rng.uniform(0.12, 0.24)
            draw.ellipse(_box(sun_x + math.cos(a) * d * sun_r, sun_y + math.sin(a) * d * sun_r, cr * sun_r),
                         fill=_mix(pal.sun, pal.sky_bottom, 0.18))

    _clouds(draw, pal, rng, w, hy)
    if kind == "water":
        _hills(draw, rng, w, hy, h * 0.05, _mix(pal.far, pal.sky_bottom, 0.3), bumps=2, span=(0.0, rng.uniform(0.25, 0.45)))
        _sea(img, pal, rng, hy, sun_x)
    elif kind == "city":
        _buildings(draw, rng, w, hy, h, _mix(pal.far, pal.sky_bottom, 0.2), (0.10, 0.3), pal, lit=0.12)
        _buildings(draw, rng, w, hy, h, pal.near, (0.05, 0.16), pal, lit=0.3)
    elif kind == "mountain":
        _peaks(draw, rng, w, hy, h * 0.3, pal.far, snow=_mix(pal.far, pal.cloud, 0.7))
        _peaks(draw, rng, w, hy, h * 0.14, _mix(pal.far, pal.near, 0.5), snow=None)
    elif kind == "desert":
        _hills(draw, rng, w, hy, h * 0.06, _mix(pal.far, pal.sand, 0.4), bumps=3)
        _hills(draw, rng, w, hy, h * 0.035, _mix(pal.sand, pal.near, 0.35), bumps=2)
    elif kind == "arena":
        _hills(draw, rng, w, hy, h * 0.06, pal.far, bumps=3)
        _arena(draw, rng, w, hy, h, pal)
    else:
        _hills(draw, rng, w, hy, h * 0.08, pal.far, bumps=3)
        _hills(draw, rng, w, hy, h * 0.045, _mix(pal.far, pal.foliage, 0.55), bumps=4)
        if kind == "trees":
            _trees(draw, rng, w, hy, h, _mix(pal.far, pal.foliage, 0.6), count=rng.randint(14, 20), scale=0.7)
            _trees(draw, rng, w, hy, h, pal.foliage, count=rng.randint(6, 10))
        elif kind == "houses":
            _houses(draw, rng, w, hy, h, pal)
            _trees(draw, rng, w, hy, h, pal.foliage, count=rng.randint(1, 3))
        else:
            _trees(draw, rng, w, hy, h, pal.foliage, count=rng.randint(0, 3))

    draw.line([(0, hy), (w, hy)], fill=_mix(ground_far, pal.ink, 0.25), width=max(1, h // 400))
    if kind == "city":
        _road(draw, rng, w, hy, h, pal)
    elif kind not in ("water", "arena") and rng.random() < 0.5:
        _path(draw, rng, w, hy, h, _mix(ground, pal.sand, 0.45))
    if kind not in ("city", "water"):
        _furrows(draw, w, hy, h, _scale(_mix(ground_far, ground, 0.5), 0.97))
    if kind == "trees":
        _framing_trees(draw, rng, w, hy, h, _scale(pal.foliage, 0.8))
    return img, _Lighting([(sun_x, sun_y, glow_r, pal.glow, glow_k)], [], 1.0, 0.12, horizon=hy)


def _box(x: float, y: float, r: float) -> tuple[float, float, float, float]:
    return (x - r, y - r, x + r, y + r)


def _stars(img: Image.Image, rng: random.Random, area: tuple[int, int, int, int], avoid: tuple[float, float, float]) -> None:
    x0, y0, x1, y1 = area
    draw = ImageDraw.Draw(img)
    unit = max(1.0, img.size[1] / 500)
    for _ in range(rng.randint(50, 90)):
        x, y = rng.uniform(x0, x1), y0 + (y1 - y0) * rng.random() ** 1.5
        if math.hypot(x - avoid[0], y - avoid[1]) < avoid[2]:
            continue
        b = rng.randint(150, 255)
        r = unit * rng.choice((0.7, 0.9, 1.0, 1.4))
        draw.ellipse(_box(x, y, r), fill=(b, b, min(255, b + 10)))


def _clouds(draw: ImageDraw.ImageDraw, pal: Palette, rng: random.Random, w: int, hy: int) -> None:
    count = rng.randint(0, 2) if pal.kind == "night" else rng.randint(2, 4)
    for i in range(count):
        cx = w * (i + rng.uniform(0.15, 0.85)) / count
        cy = hy * rng.uniform(0.12, 0.55)
        cw = w * rng.uniform(0.08, 0.16)
        ch = cw * rng.uniform(0.22, 0.32)
        colour = _mix(pal.cloud, pal.sky_bottom, rng.uniform(0.05, 0.3) if pal.kind != "night" else 0.5)
        puffs = rng.randint(3, 5)
        for j in range(puffs):  # puffs on a flat base
            px = cx - cw / 2 + cw * (j + 0.5) / puffs + rng.uniform(-0.05, 0.05) * cw
            pr = ch * rng.uniform(0.5, 0.9)
            draw.ellipse((px - pr, cy - pr * 1.1, px + pr, cy + pr * 0.6), fill=colour)
        draw.rounded_rectangle((cx - cw / 2, cy - ch * 0.1, cx + cw / 2, cy + ch * 0.35),
                               radius=ch * 0.22, fill=colour)


def _hills(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, amp: float, colour: RGB,
           bumps: int = 3, span: tuple[float, float] = (0.0, 1.0)) -> None:
    x0, x1 = span[0] * w, span[1] * w
    waves = [(rng.uniform(0.5, 1.0), rng.uniform(0.6, 2.2) * bumps / 3, rng.uniform(0, 2 * math.pi)) for _ in range(3)]
    total = sum(a for a, _, _ in waves)
    points: list[Point] = [(x0, hy)]
    steps = 96
    for i in range(steps + 1):
        t = i / steps
        v = sum(a * math.sin(2 * math.pi * f * t + p) for a, f, p in waves) / total  # -1..1
        edge = min(1.0, t * 8, (1 - t) * 8) if span != (0.0, 1.0) else 1.0
        points.append((x0 + (x1 - x0) * t, hy - amp * (0.55 + 0.45 * v) * edge))
    points.append((x1, hy))
    draw.polygon(points, fill=colour)


def _peaks(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, amp: float, colour: RGB,
           snow: RGB | None) -> None:
    points: list[Point] = [(0, hy)]
    x, y = 0.0, hy - amp * rng.uniform(0.2, 0.5)
    points.append((x, y))
    tops: list[Point] = []
    while x < w:
        x += w * rng.uniform(0.06, 0.16)
        up = len(points) % 2 == 0
        y = hy - amp * (rng.uniform(0.6, 1.0) if up else rng.uniform(0.15, 0.45))
        points.append((x, y))
        if up:
            tops.append((x, y))
    points.append((x, hy))
    draw.polygon(points, fill=colour)
    if snow:
        for j in range(1, len(points) - 1):  # a snow cap down the top third of each peak's two slopes
            tx, ty = points[j]
            if (tx, ty) not in tops:
                continue
            (lx, ly), (rx, ry) = points[j - 1], points[j + 1]
            f = 0.3
            draw.polygon([(tx, ty), (tx + (lx - tx) * f, ty + (ly - ty) * f), (tx, ty + (max(ly, ry) - ty) * f * 0.7),
                          (tx + (rx - tx) * f, ty + (ry - ty) * f)], fill=snow)


def _buildings(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, colour: RGB,
               heights: tuple[float, float], pal: Palette, lit: float) -> None:
    x = -w * rng.uniform(0, 0.05)
    unit = h / 180
    window_day = _mix(colour, pal.sky_bottom, 0.35)
    while x < w:
        bw = w * rng.uniform(0.045, 0.11)
        if rng.random() < 0.15:  # a gap in the skyline
            x += bw * 0.6
            continue
        bh = h * rng.uniform(*heights)
        tone = _scale(colour, rng.uniform(0.92, 1.08))
        top = hy - bh
        draw.rectangle((x, top, x + bw, hy), fill=tone)
        roof = rng.random()
        if roof < 0.2:
            draw.polygon([(x, top), (x + bw / 2, top - bw * 0.35), (x + bw, top)], fill=tone)
        elif roof < 0.35:
            draw.rectangle((x + bw * 0.45, top - bh * 0.25, x + bw * 0.5, top), fill=tone)
        cols, rows = max(1, int(bw / (unit * 7))), max(1, int(bh / (unit * 9)))
        cw, rh = bw / cols, bh / rows
        for c in range(cols):
            for r in range(rows - 1):
                wx, wy = x + c * cw + cw * 0.3, top + r * rh + rh * 0.35
                if pal.kind == "night" or pal.kind == "dusk":
                    if rng.random() < lit:
                        draw.rectangle((wx, wy, wx + cw * 0.4, wy + rh * 0.4), fill=_mix(pal.light, (255, 230, 160), 0.3))
                elif rng.random() < 0.7:
                    draw.rectangle((wx, wy, wx + cw * 0.4, wy + rh * 0.4), fill=window_day)
        x += bw + w * rng.uniform(0, 0.01)


def _trees(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, foliage: RGB, count: int,
           scale: float = 1.0) -> None:
    for _ in range(count):
        x = w * rng.uniform(0.02, 0.98)
        th = h * rng.uniform(0.07, 0.17) * scale
        colour = _scale(foliage, rng.uniform(0.88, 1.12))
        trunk = _mix(foliage, (40, 30, 24), 0.45)
        base = hy + h * rng.uniform(0.0, 0.015)
        if rng.random() < 0.5:  # conifer
            tw = th * 0.42
            draw.rectangle((x - th * 0.03, base - th * 0.2, x + th * 0.03, base), fill=trunk)
            for k in range(3):
                y_top = base - th + k * th * 0.22
                y_bot = base - th * 0.15 - (2 - k) * th * 0.2
                half = tw * (0.55 + 0.22 * k)
                draw.polygon([(x, y_top), (x - half, y_bot), (x + half, y_bot)], fill=colour)
        else:
            draw.rectangle((x - th * 0.04, base - th * 0.45, x + th * 0.04, base), fill=trunk)
            r = th * 0.28
            for dx, dy, k in ((0, -0.68, 1.0), (-0.2, -0.52, 0.75), (0.2, -0.5, 0.8)):
                draw.ellipse(_box(x + dx * th, base + dy * th, r * k), fill=colour)


def _framing_trees(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, foliage: RGB) -> None:
    """Big near trees at the canvas's left and right edges, framing the shot."""
    trunk = _mix(foliage, (40, 30, 24), 0.5)
    for side in (-1, 1):
        for _ in range(rng.randint(1, 2)):
            x = w / 2 + side * w * rng.uniform(0.43, 0.52)
            base = h * rng.uniform(0.74, 0.86)
            tw = h * rng.uniform(0.025, 0.04)
            draw.polygon([(x - tw, base), (x - tw * 0.6, 0), (x + tw * 0.6, 0), (x + tw, base)], fill=trunk)
            for _ in range(4):
                cx, cy = x + rng.uniform(-0.12, 0.12) * h, h * rng.uniform(-0.02, 0.18)
                draw.ellipse(_box(cx, cy, h * rng.uniform(0.1, 0.16)), fill=foliage)


def _houses(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, pal: Palette) -> None:
    for _ in range(rng.randint(2, 4)):
        x = w * rng.uniform(0.03, 0.9)
        hw, hh = h * rng.uniform(0.06, 0.1), h * rng.uniform(0.04, 0.06)
        body = _mix(pal.near, pal.far, 0.3)
        base = hy + h * 0.005
        draw.rectangle((x, base - hh, x + hw, base), fill=body)
        draw.polygon([(x - hw * 0.08, base - hh), (x + hw / 2, base - hh - hw * 0.4), (x + hw * 1.08, base - hh)],
                     fill=_scale(body, 0.8))
        light = pal.light if pal.kind in ("night", "dusk") else _mix(body, pal.sky_bottom, 0.4)
        draw.rectangle((x + hw * 0.2, base - hh * 0.7, x + hw * 0.38, base - hh * 0.4), fill=light)


def _arena(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, pal: Palette) -> None:
    stone = _mix(pal.sand, pal.near, 0.3 if pal.kind != "night" else 0.6)
    dark = _mix(stone, pal.ink, 0.55)
    x0, x1 = w * rng.uniform(-0.1, 0.12), w * rng.uniform(0.7, 1.1)
    top = hy - h * 0.2
    ruin = rng.random() < 0.6
    tiers = 3
    tier_h = (hy - top) / tiers
    points: list[Point] = [(x0, hy), (x0, top + h * 0.015)]
    steps = 40
    for i in range(steps + 1):  # the wall's top curves like a seen-from-outside ellipse, ruined on one side
        t = i / steps
        y = top + h * 0.015 * (1 - math.sin(math.pi * t))
        if ruin and t > 0.6:
            y += (t - 0.6) / 0.4 * tier_h * 1.6 * (0.7 + 0.3 * math.sin(t * 37))
        points.append((x0 + (x1 - x0) * t, y))
    points.append((x1, hy))
    draw.polygon(points, fill=stone)
    arches = max(6, int((x1 - x0) / (h * 0.055)))
    aw = (x1 - x0) / arches
    for tier in range(tiers):
        ty = top + tier * tier_h + tier_h * 0.25
        for a in range(arches):
            ax = x0 + a * aw + aw * 0.22
            t = (ax - x0) / (x1 - x0)
            wall_top = top + h * 0.015 * (1 - math.sin(math.pi * t))
            if ruin and t > 0.6:
                wall_top += (t - 0.6) / 0.4 * tier_h * 1.6 * (0.7 + 0.3 * math.sin(t * 37))
            if ty < wall_top + tier_h * 0.1:
                continue
            r = aw * 0.28
            draw.rectangle((ax, ty + r, ax + r * 2, ty + tier_h * 0.7), fill=dark)
            draw.pieslice((ax, ty, ax + r * 2, ty + r * 2), 180, 360, fill=dark)
        draw.line([(x0, top + tier * tier_h + tier_h * 0.12), (x1, top + tier * tier_h + tier_h * 0.12)],
                  fill=_scale(stone, 0.85), width=max(1, h // 300))


def _sea(img: Image.Image, pal: Palette, rng: random.Random, hy: int, sun_x: float) -> None:
    w, h = img.size
    shore = round(hy + h * 0.11)
    far = _mix(pal.water, pal.sky_bottom, 0.45)
    img.paste(_vgradient(w, shore - hy, [(0.0, far), (1.0, pal.water)]), (0, hy))
    draw = ImageDraw.Draw(img)
    glint = _mix(pal.sun, pal.water, 0.25)
    for i in range(9):  # the sun's or moon's path on the water
        y = hy + (shore - hy) * (i + 0.5) / 9
        half = w * (0.01 + 0.012 * i) * rng.uniform(0.6, 1.2)
        draw.line([(sun_x - half, y), (sun_x + half, y)], fill=glint, width=max(1, h // 360))
    foam = _mix(pal.cloud, pal.water, 0.2)
    phase = rng.uniform(0, 2 * math.pi)
    points = [(i * w / 96, shore + h * 0.005 * math.sin(i / 96 * 2 * math.pi * 5 + phase)) for i in range(97)]
    draw.line(points, fill=foam, width=max(2, h // 200))


def _road(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, pal: Palette) -> None:
    vx = w * rng.uniform(0.4, 0.6)
    asphalt = _mix(pal.near, pal.ground, 0.4)
    kerb = _mix(asphalt, pal.cloud, 0.35)
    draw.polygon([(vx - w * 0.04, hy), (vx + w * 0.04, hy), (w * 1.05, h), (-w * 0.05, h)], fill=kerb)
    draw.polygon([(vx - w * 0.03, hy), (vx + w * 0.03, hy), (w * 0.92, h), (w * 0.08, h)], fill=asphalt)
    line = _mix(asphalt, (240, 230, 180), 0.6)
    for i in range(7):  # centre dashes, spaced in perspective
        t0, t1 = ((i + 0.2) / 7) ** 2, ((i + 0.6) / 7) ** 2
        y0, y1 = hy + (h - hy) * t0, hy + (h - hy) * t1
        x0, x1 = vx + (w * 0.5 - vx) * t0, vx + (w * 0.5 - vx) * t1
        draw.polygon([(x0 - w * 0.002 - t0 * w * 0.006, y0), (x0 + w * 0.002 + t0 * w * 0.006, y0),
                      (x1 + w * 0.002 + t1 * w * 0.006, y1), (x1 - w * 0.002 - t1 * w * 0.006, y1)], fill=line)


def _path(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, colour: RGB) -> None:
    vx = w * rng.uniform(0.3, 0.7)
    bx = w * rng.uniform(0.35, 0.65)
    draw.polygon([(vx - w * 0.006, hy), (vx + w * 0.006, hy), (bx + w * 0.17, h), (bx - w * 0.17, h)], fill=colour)


def _furrows(draw: ImageDraw.ImageDraw, w: int, hy: int, h: int, colour: RGB) -> None:
    for i in range(1, 8):  # faint lines closing up toward the horizon give the ground depth
        y = hy + (h - hy) * (i / 8) ** 2
        draw.line([(0, y), (w, y)], fill=colour, width=max(1, h // 500))


# --- interiors ---


def _interior(size: tuple[int, int], pal: Palette, req: PanelRequest, rng: random.Random) -> tuple[Image.Image, _Lighting]:
    w, h = size
    vx = w * (0.5 + rng.uniform(-0.06, 0.06))
    bw, bh = w * 0.5, h * 0.44
    x0, x1 = vx - bw / 2, vx + bw / 2
    y0, y1 = h * 0.19, h * 0.19 + bh
    img = Image.new("RGB", size, pal.wall)
    draw = ImageDraw.Draw(img)
    lit_left = rng.random() < 0.5
    ceiling, floor = pal.ceiling, pal.floor
    left = pal.side_wall if lit_left else _scale(pal.side_wall, 0.9)
    right = _scale(pal.side_wall, 0.9) if lit_left else pal.side_wall
    draw.polygon([(0, 0), (w, 0), (x1, y0), (x0, y0)], fill=ceiling)
    draw.polygon([(0, h), (w, h), (x1, y1), (x0, y1)], fill=floor)
    draw.polygon([(0, 0), (x0, y0), (x0, y1), (0, h)], fill=left)
    draw.polygon([(w, 0), (x1, y0), (x1, y1), (w, h)], fill=right)

    # Floorboards converge on the vanishing point.
    board = _scale(floor, 0.86)
    lw = max(1, h // 450)
    vy = (y0 + y1) / 2
    for i in range(1, 14):
        bx = x0 + bw * i / 14
        ex = vx + (bx - vx) * (h - vy) / (y1 - vy)
        draw.line([(bx, y1), (ex, h)], fill=board, width=lw)
    for t in (0.12, 0.3, 0.56, 0.9):
        y = y1 + (h - y1) * t
        draw.line([(x0 * (1 - t), y), (x1 + (w - x1) * t, y)], fill=_scale(floor, 0.92), width=lw)

    # Skirting along the walls' feet.
    sk = h * 0.018
    trim = _mix(pal.trim, pal.wall, 0.3)
    draw.rectangle((x0, y1 - sk, x1, y1), fill=trim)
    draw.polygon([(0, h - sk * 2.2), (x0, y1 - sk), (x0, y1), (0, h)], fill=_scale(trim, 0.92))
    draw.polygon([(w, h - sk * 2.2), (x1, y1 - sk), (x1, y1), (w, h)], fill=_scale(trim, 0.88))

    mixed = _is_mixed(req.setting)
    layouts = ("window", "window_door", "door_window", "two_windows", "window_door")
    layout = "opening" if mixed else rng.choice(layouts)
    windows: list[tuple[float, float, float, float]] = []
    if layout == "opening":  # INT/EXT: the back wall opens wide onto the outside
        windows.append((x0 + bw * 0.1, y0 + bh * 0.1, x1 - bw * 0.1, y1 - sk))
    else:
        slots = {"window": ("w", 0.5), "window_door": ("w", 0.3, "d", 0.76), "door_window": ("d", 0.24, "w", 0.7),
                 "two_windows": ("w", 0.27, "w", 0.73)}[layout]
        for kind, pos in zip(slots[::2], slots[1::2]):
            cx = x0 + bw * float(pos)
            if kind == "w":
                ww, wh = bw * (0.3 if layout == "window" else 0.26), bh * 0.46
                windows.append((cx - ww / 2, y0 + bh * 0.16, cx + ww / 2, y0 + bh * 0.16 + wh))
            else:
                _door(draw, cx, y1, bw * 0.19, bh * 0.74, pal, lw)
    for box in windows:
        _window(img, box, pal, rng, lw, opening=layout == "opening")
    draw = ImageDraw.Draw(img)

    # A picture or a shelf on one side wall, in perspective.
    side = rng.choice((-1, 1))
    _side_frame(draw, w, h, x0 if side < 0 else x1, y0, y1, side, pal, rng, lw)

    # Room edges, inked lightly as a storyboard artist would.
    edge = _mix(pal.wall, pal.ink, 0.35)
    for a, b in (((0, 0), (x0, y0)), ((w, 0), (x1, y0)), ((0, h), (x0, y1)), ((w, h), (x1, y1))):
        draw.line([a, b], fill=edge, width=lw)
    draw.rectangle((x0, y0, x1, y1), outline=edge, width=lw)

    if pal.kind == "night":
        lx, ly = _lamp(draw, rng, w, h, x0, x1, y1, pal, lw)
        return img, _Lighting([(lx, ly, h * 0.22, pal.light, 0.55)], [(lx, ly, h * 0.55)], pal.ambient, 0.25)
    _sunlight(img, windows, pal, y1, h)
    glows = [((a + c) / 2, (b + d) / 2, max(c - a, d - b), pal.light, 0.35) for a, b, c, d in windows]
    return img, _Lighting(glows, [((a + c) / 2, (b + d) / 2, h * 0.7) for a, b, c, d in windows], pal.ambient, 0.2)


def _view(size: tuple[int, int], pal: Palette, rng: random.Random) -> Image.Image:
    """What a window shows: the sky for the time of day over distant hills."""
    w, h = max(1, int(size[0])), max(1, int(size[1]))
    hy = round(h * 0.72)
    img = Image.new("RGB", (w, h))
    img.paste(_vgradient(w, hy, [(0.0, pal.sky_top), (1.0, pal.sky_bottom)]), (0, 0))
    img.paste(_vgradient(w, h - hy, [(0.0, pal.ground_far), (1.0, pal.ground)]), (0, hy))
    sx, sy = w * rng.uniform(0.25, 0.75), (hy - h * 0.1 if pal.kind in ("dusk", "dawn") else h * 0.25)
    if pal.kind == "night":
        _stars(img, rng, (0, 0, w, hy), (sx, sy, h * 0.1))
    img = _glow(img, [(sx, sy, h * 0.5, pal.glow, 0.6)])
    draw = ImageDraw.Draw(img)
    draw.ellipse(_box(sx, sy, h * 0.07), fill=pal.sun)
    _hills(draw, rng, w, hy, h * 0.12, pal.far, bumps=2)
    _hills(draw, rng, w, hy, h * 0.06, _mix(pal.far, pal.foliage, 0.5), bumps=3)
    return img


def _window(img: Image.Image, box: tuple[float, float, float, float], pal: Palette, rng: random.Random,
            lw: int, opening: bool) -> None:
    a, b, c, d = (round(v) for v in box)
    img.paste(_view((c - a, d - b), pal, rng), (a, b))
    draw = ImageDraw.Draw(img)
    frame = max(2, round((c - a) * (0.02 if opening else 0.05)))
    ink = _mix(pal.trim, pal.ink, 0.45)
    draw.rectangle((a, b, c, d), outline=pal.trim, width=frame)
    mx, my = (a + c) / 2, (b + d) / 2
    if opening:  # glass doors: vertical mullions only
        for t in (1 / 3, 2 / 3):
            x = a + (c - a) * t
            draw.rectangle((x - frame / 2, b, x + frame / 2, d), fill=pal.trim)
    else:
        draw.rectangle((mx - frame / 2, b, mx + frame / 2, d), fill=pal.trim)
        draw.rectangle((a, my - frame / 2, c, my + frame / 2), fill=pal.trim)
        draw.rectangle((a - frame, d, c + frame, d + frame * 1.6), fill=pal.trim)  # sill
        draw.line([(a - frame, d + frame * 1.6), (c + frame, d + frame * 1.6)], fill=ink, width=lw)
    draw.rectangle((a, b, c, d), outline=ink, width=lw)


def _door(draw: ImageDraw.ImageDraw, cx: float, floor_y: float, dw: float, dh: float, pal: Palette, lw: int) -> None:
    wood = _mix(pal.floor, pal.wall, 0.25)
    ink = _mix(wood, pal.ink, 0.5)
    frame = dw * 0.08
    draw.rectangle((cx - dw / 2 - frame, floor_y - dh - frame, cx + dw / 2 + frame, floor_y), fill=pal.trim)
    draw.rectangle((cx - dw / 2, floor_y - dh, cx + dw / 2, floor_y), fill=wood, outline=ink, width=lw)
    for top, bottom in ((0.08, 0.46), (0.54, 0.92)):  # panels
        draw.rectangle((cx - dw * 0.36, floor_y - dh * (1 - top), cx + dw * 0.36, floor_y - dh * (1 - bottom)),
                       outline=_scale(wood, 0.82), width=max(1, lw))
    r = dw * 0.05
    draw.ellipse(_box(cx + dw * 0.34, floor_y - dh * 0.48, r), fill=_mix(pal.light, (200, 170, 90), 0.5))


def _side_frame(draw: ImageDraw.ImageDraw, w: int, h: int, wall_x: float, y0: float, y1: float, side: int,
                pal: Palette, rng: random.Random, lw: int) -> None:
    outer = 0 if side < 0 else w

    def at(t: float, v: float) -> Point:
        # t: 0 at the camera's edge of the side wall, 1 at the back wall; v: 0 ceiling edge, 1 floor edge.
        x = outer + (wall_x - outer) * t
        top, bottom = y0 * t, h + (y1 - h) * t
        return (x, top + (bottom - top) * v)

    t0, t1 = rng.uniform(0.35, 0.5), rng.uniform(0.62, 0.78)
    if rng.random() < 0.6:  # a framed picture
        v0, v1 = 0.28, 0.5
        frame = _mix(pal.floor, pal.ink, 0.3)
        draw.polygon([at(t0, v0), at(t1, v0), at(t1, v1), at(t0, v1)], fill=frame)
        inset = [(t0 + 0.02, v0 + 0.03), (t1 - 0.02, v0 + 0.03), (t1 - 0.02, v1 - 0.03), (t0 + 0.02, v1 - 0.03)]
        art = _mix(figure_colour(str(rng.random())), pal.wall, 0.45)
        draw.polygon([at(t, v) for t, v in inset], fill=art)
        tm = (t0 + t1) / 2
        draw.polygon([at(t0 + 0.02, v1 - 0.03), at(tm, v0 + 0.12), at(t1 - 0.02, v1 - 0.03)],
                     fill=_mix(art, pal.ink, 0.3))
    else:  # a shelf with books
        v = 0.42
        wood = _mix(pal.floor, pal.ink, 0.2)
        draw.polygon([at(t0, v), at(t1, v), at(t1, v + 0.02), at(t0, v + 0.02)], fill=wood)
        t = t0 + 0.01
        while t < t1 - 0.03:
            bw = rng.uniform(0.012, 0.025)
            top = v - rng.uniform(0.06, 0.1)
            colour = _mix(figure_colour(f"book{t}"), pal.wall, 0.35)
            draw.polygon([at(t, top), at(t + bw, top), at(t + bw, v), at(t, v)], fill=colour)
            t += bw + 0.003


def _lamp(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, x0: float, x1: float, floor_y: float,
          pal: Palette, lw: int) -> Point:
    """A standard lamp near one back corner; returns where its light comes from."""
    left = rng.random() < 0.5
    x = x0 + w * 0.05 if left else x1 - w * 0.05
    base = floor_y + h * 0.03
    top = base - h * 0.3
    pole = _mix(pal.ink, pal.trim, 0.3)
    draw.rectangle((x - h * 0.004, top, x + h * 0.004, base), fill=pole)
    draw.ellipse((x - h * 0.03, base - h * 0.008, x + h * 0.03, base + h * 0.008), fill=pole)
    sw, sh = h * 0.05, h * 0.055
    shade = _mix(pal.light, (255, 240, 210), 0.5)
    draw.polygon([(x - sw * 0.6, top - sh), (x + sw * 0.6, top - sh), (x + sw, top), (x - sw, top)],
                 fill=shade, outline=_mix(shade, pal.ink, 0.4), width=lw)
    return (x, top - sh * 0.4)


def _sunlight(img: Image.Image, windows: list[tuple[float, float, float, float]], pal: Palette, floor_y: float,
              h: int) -> None:
    """Window light falling on the floor toward the camera."""
    draw = ImageDraw.Draw(img, "RGBA")
    alpha = 70 if pal.kind == "day" else 60
    for a, b, c, d in windows:
        reach = h * (0.28 if pal.kind == "day" else 0.36)
        spread = (c - a) * 0.35
        draw.polygon([(a, floor_y + h * 0.005), (c, floor_y + h * 0.005), (c + spread, floor_y + reach),
                      (a - spread, floor_y + reach)], fill=pal.light + (alpha,))


# --- figures ---


@dataclass(frozen=True)
class _Figure:
    name: str
    look: str
    x: float        # centre, in canvas pixels
    feet: float
    height: float
    tag_width: float  # room for the name tag


def _figure_layout(cast: tuple[tuple[str, str], ...], w: int, h: int) -> list[_Figure]:
    n = len(cast)
    if not n:
        return []
    span = (FIGURE_SPAN[1] - FIGURE_SPAN[0]) * w
    spacing = min(w * 0.26, span / (n - 1)) if n > 1 else w * 0.5
    fig_h = min(h * FIGURE_HEIGHT, spacing / 0.42)
    figures = []
    for i, (name, look) in enumerate(cast):
        x = w / 2 + (i - (n - 1) / 2) * spacing
        height = fig_h * (0.72 if _has(look, "CHILD", "BOY", "GIRL", "KID", "TODDLER") else 1.0)
        figures.append(_Figure(name, look, x, h * FEET, height, spacing * 0.94 if n > 1 else w * 0.5))
    return figures


def _has(text: str, *words: str) -> bool:
    upper = text.upper()
    return any(re.search(rf"\b{word}", upper) for word in words)


def _hair(look: str, name: str) -> RGB | None:
    if _has(look, "BALD"):
        return None
    for words, colour in ((("BLOND", "GOLDEN-HAIR", "FAIR-HAIR"), (222, 188, 112)),
                          (("RED HAIR", "RED-HAIR", "REDHEAD", "GINGER", "AUBURN"), (168, 72, 40)),
                          (("GREY", "GRAY", "SILVER", "WHITE-HAIR", "WHITE HAIR", "OLD", "ELDERLY", "AGED"), (196, 196, 200)),
                          (("BLACK HAIR", "BLACK-HAIR", "DARK HAIR", "DARK-HAIR", "RAVEN"), (34, 30, 32)),
                          (("BROWN HAIR", "BROWN-HAIR", "BRUNETTE"), (102, 66, 40))):
        if _has(look, *words):
            return colour
    return _HAIR[_digest(name)[4] % len(_HAIR)]


def _draw_figures(img: Image.Image, figures: list[_Figure], pal: Palette, ss: int) -> None:
    """Draw the figures supersampled on a layer just big enough for them, and lay it over `img`."""
    w, h = img.size
    left = max(0, math.floor(min(f.x - f.height * 0.3 for f in figures)))
    right = min(w, math.ceil(max(f.x + f.height * 0.3 for f in figures)))
    top = max(0, math.floor(min(f.feet - f.height * 1.1 for f in figures)))
    bottom = min(h, math.ceil(max(f.feet + f.height * 0.05 for f in figures)))
    if right <= left or bottom <= top:
        return
    layer = Image.new("RGBA", ((right - left) * ss, (bottom - top) * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for f in figures:
        x, feet, fh = (f.x - left) * ss, (f.feet - top) * ss, f.height * ss
        draw.ellipse((x - fh * 0.2, feet - fh * 0.025, x + fh * 0.2, feet + fh * 0.025), fill=(0, 0, 0, 70))
    for f in figures:
        _figure(draw, f, pal, ss, (left, top))
    # Reduce premultiplied, or the transparent surround would darken the figures' edges.
    small = layer.convert("RGBa").reduce(ss).convert("RGBA")
    img.paste(small, (left, top), small)


def _figure(draw: ImageDraw.ImageDraw, f: _Figure, pal: Palette, ss: int, origin: Point) -> None:
    """A flat-shaded standing figure: the costume in the character's colour, inked outlines."""
    x, feet, h = (f.x - origin[0]) * ss, (f.feet - origin[1]) * ss, f.height * ss
    d = _digest(f.name.strip().upper())
    body = figure_colour(f.name)
    shade = _scale(body, 0.8)
    skin = _SKIN[d[5] % len(_SKIN)]
    legs = _mix(_scale(body, 0.45), (48, 50, 60), 0.5)
    ink = pal.ink
    lw = max(1, round(h / 95))
    robe = _has(f.look, "ROBE", "DRESS", "GOWN", "CLOAK", "TOGA", "KIMONO", "CASSOCK", "HABIT", "SARI", "SKIRT")

    head_r = h * 0.085
    head_y = feet - h + head_r
    sh_y = feet - h + head_r * 2 + h * 0.03
    sw, hw = h * 0.15, h * 0.11
    hip_y = feet - h * 0.45
    foot_y = feet - h * 0.035

    if not robe:
        for side in (-1, 1):
            outer, inner = x + side * hw, x + side * h * 0.012
            draw.polygon([(outer, hip_y - h * 0.02), (inner, hip_y - h * 0.02), (x + side * h * 0.02, foot_y),
                          (x + side * h * 0.095, foot_y)], fill=legs, outline=ink, width=lw)
    for side in (-1, 1):
        fx = x + side * h * 0.06
        draw.ellipse((fx - h * 0.055 + side * h * 0.012, foot_y - h * 0.02, fx + h * 0.055 + side * h * 0.012,
                      feet + h * 0.008), fill=ink)

    hem_y, hem_w = (foot_y - h * 0.005, h * 0.17) if robe else (hip_y, hw)
    torso = [(x - sw + h * 0.035, sh_y), (x + sw - h * 0.035, sh_y), (x + sw, sh_y + h * 0.05),
             (x + hem_w, hem_y), (x - hem_w, hem_y), (x - sw, sh_y + h * 0.05)]
    draw.polygon(torso, fill=body)
    k = 0.4
    draw.polygon([(x + (sw - h * 0.035) * k, sh_y), (x + sw - h * 0.035, sh_y), (x + sw, sh_y + h * 0.05),
                  (x + hem_w, hem_y), (x + hem_w * k, hem_y)], fill=shade)
    draw.polygon(torso, outline=ink, width=lw)
    if not robe:  # belt
        draw.line([(x - hw * 1.02, hip_y - h * 0.03), (x + hw * 1.02, hip_y - h * 0.03)], fill=_scale(body, 0.55),
                  width=max(1, round(h * 0.018)))

    # Neck, then arms hanging beside the torso.
    draw.rectangle((x - h * 0.025, sh_y - h * 0.035, x + h * 0.025, sh_y + h * 0.01), fill=skin, outline=ink, width=lw)
    for side in (-1, 1):
        top_out, top_in = x + side * (sw + h * 0.005), x + side * (sw - h * 0.06)
        hand_x = x + side * (sw + h * 0.02)
        hand_y = hip_y + h * 0.035
        sleeve = body if side < 0 else shade
        draw.polygon([(top_in, sh_y + h * 0.015), (top_out, sh_y + h * 0.05), (hand_x + side * h * 0.025, hand_y),
                      (hand_x - side * h * 0.03, hand_y)], fill=sleeve, outline=ink, width=lw)
        draw.ellipse(_box(hand_x, hand_y + h * 0.02, h * 0.03), fill=skin, outline=ink, width=lw)

    hair = _hair(f.look, f.name)
    long_hair = hair is not None and _has(f.look, r"LONG[- ](\w+[- ])?HAIR", "PONYTAIL", "BRAID", "CURLS", "PIGTAIL")
    if long_hair:
        draw.rounded_rectangle((x - head_r * 1.12, head_y - head_r * 0.6, x + head_r * 1.12, head_y + head_r * 1.7),
                               radius=head_r * 0.5, fill=hair, outline=ink, width=lw)
    draw.ellipse(_box(x, head_y, head_r), fill=skin, outline=ink, width=lw)
    eye = max(1.0, head_r * 0.1)
    for side in (-1, 1):
        draw.ellipse(_box(x + side * head_r * 0.36, head_y + head_r * 0.12, eye), fill=ink)
    # The hair's box reaches below the head's centre line so the hairline sits on the forehead.
    top = (x - head_r * 1.06, head_y - head_r * 1.08, x + head_r * 1.06, head_y + head_r * 0.55)
    if _has(f.look, "HELMET", "GLADIATOR", "SOLDIER", "LEGIONARY", "CENTURION", "KNIGHT", "ARMOU?R"):
        metal = (176, 178, 186) if pal.kind != "night" else (130, 134, 150)
        draw.pieslice((top[0], top[1] - head_r * 0.1, top[2], top[3]), 180, 360, fill=metal, outline=ink, width=lw)
        draw.rectangle((x - head_r * 1.1, head_y - head_r * 0.1, x + head_r * 1.1, head_y + head_r * 0.05),
                       fill=metal, outline=ink, width=lw)
        if _has(f.look, "CENTURION", "GLADIATOR", "CREST", "PLUME"):
            draw.chord((x - head_r * 0.9, head_y - head_r * 1.9, x + head_r * 0.9, head_y - head_r * 0.5), 180, 360,
                       fill=(184, 40, 40), outline=ink, width=lw)
    elif _has(f.look, "CROWN", "KING", "QUEEN", "PRINCE", "PRINCESS", "EMPEROR", "EMPRESS"):
        if hair:
            draw.chord(top, 180, 360, fill=hair, outline=ink, width=lw)
        gold = (232, 190, 70)
        cy = head_y - head_r * 0.75
        r = head_r * 0.8
        draw.polygon([(x - r, cy), (x - r, cy - r * 0.7), (x - r * 0.5, cy - r * 0.3), (x, cy - r * 0.85),
                      (x + r * 0.5, cy - r * 0.3), (x + r, cy - r * 0.7), (x + r, cy)], fill=gold, outline=ink, width=lw)
    elif _has(f.look, "HAT", "FEDORA", "CAP", "BOWLER", "STETSON"):
        hat = _mix(_scale(body, 0.5), (40, 36, 40), 0.5)
        draw.rectangle((x - head_r * 0.85, head_y - head_r * 1.6, x + head_r * 0.85, head_y - head_r * 0.4),
                       fill=hat, outline=ink, width=lw)
        draw.rectangle((x - head_r * 1.45, head_y - head_r * 0.55, x + head_r * 1.45, head_y - head_r * 0.3),
                       fill=hat, outline=ink, width=lw)
    elif hair:
        draw.chord(top, 180, 360, fill=hair, outline=ink, width=lw)


def _draw_tags(img: Image.Image, figures: list[_Figure], pal: Palette) -> None:
    """A small readable name tag over each figure's head, with a swatch of the figure's colour."""
    w, h = img.size
    draw = ImageDraw.Draw(img)
    size = max(7, round(h / 30))
    for f in figures:
        max_w = max(4.0, min(f.tag_width, w - 4.0))
        pad = max(2, round(size * 0.45))
        swatch = max(3, round(size * 0.6))
        fnt, label = _fit_line(f.name, "bold", size, 6, max_w - 3 * pad - swatch)
        text_w = _width(label, fnt)
        cap_top, cap_bottom = fnt.getbbox("H")[1], fnt.getbbox("H")[3]
        box_h = (cap_bottom - cap_top) + 2 * pad
        box_w = text_w + swatch + 3 * pad
        bottom = f.feet - f.height - h * 0.018
        left = min(max(2.0, f.x - box_w / 2), w - 2 - box_w)
        box = (left, bottom - box_h, left + box_w, bottom)
        draw.rounded_rectangle(box, radius=box_h * 0.3, fill=pal.paper, outline=pal.ink, width=1)
        sy = bottom - box_h / 2
        draw.ellipse((left + pad, sy - swatch / 2, left + pad + swatch, sy + swatch / 2), fill=figure_colour(f.name),
                     outline=pal.ink, width=1)
        # Baseline placed so the capitals sit in the middle of the tag.
        draw.text((left + 2 * pad + swatch, bottom - pad), label, font=fnt, fill=pal.ink, anchor="ls")


# ---------------------------------------------------------------------------------------------
# The overlay


def draw_overlay(req: PanelRequest) -> Image.Image:
    """The static layer over the moving panel (RGBA, frame size): the caption band and the slate.

    The caption is wrapped to at most three lines (ellipsised beyond) on a semi-transparent dark
    band at the bottom; no caption draws no band. The slate in the top-left corner reads
    "SC 2 · marcus · DOLLY-IN", with the scene heading below it when the frame is large enough.
    Everything else is fully transparent.
    """
    fw, fh = max(1, req.frame_width), max(1, req.frame_height)
    img = Image.new("RGBA", (fw, fh), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    margin = max(2, round(fh * 0.028))

    caption = " ".join(req.caption.split())
    if caption:
        size = max(8, round(fh / 24))
        pad_x, pad_y = max(4, round(size * 1.2)), max(2, round(size * 0.5))
        f = font(size, "regular")
        lines = _clamp(_wrap(caption, f, fw - 2 * pad_x), f, fw - 2 * pad_x, 3)
        line_h = round(size * 1.3)
        band_h = len(lines) * line_h + 2 * pad_y
        draw.rectangle((0, fh - band_h, fw, fh), fill=(8, 8, 12, 168))
        ascent = f.getmetrics()[0]
        for i, line in enumerate(lines):
            baseline = fh - band_h + pad_y + i * line_h + (line_h + ascent * 0.72) / 2
            draw.text((fw / 2, baseline), line, font=f, fill=(250, 248, 240, 255), anchor="ms")

    slate = DOT.join(part for part in (req.scene_label.strip(), req.shot_id.strip(), req.camera.strip().upper()) if part)
    heading = _heading(req)
    if slate or heading:
        size = max(7, round(fh / 40))
        pad = max(2, round(size * 0.5))
        accent = max(2, round(size * 0.22))
        max_text = fw - 2 * margin - 2 * pad - accent
        rows: list[tuple[ImageFont.FreeTypeFont, str, tuple[int, int, int, int]]] = []
        if slate:
            f, text = _fit_line(slate, "bold", size, 6, max_text)
            rows.append((f, text, (250, 248, 240, 255)))
        if heading and fh >= 200:
            f, text = _fit_line(heading, "regular", max(6, round(size * 0.8)), 6, max_text)
            rows.append((f, text, (206, 206, 214, 255)))
        if rows:
            heights = [_line_height(f) for f, _, _ in rows]
            box_w = max(_width(t, f) for f, t, _ in rows) + 2 * pad + accent
            box_h = sum(heights) + 2 * pad
            draw.rectangle((margin, margin, margin + box_w, margin + box_h), fill=(8, 8, 12, 176))
            draw.rectangle((margin, margin, margin + accent - 1, margin + box_h), fill=(232, 176, 64, 255))
            y = margin + pad
            for (f, text, colour), lh in zip(rows, heights):
                draw.text((margin + accent + pad, y), text, font=f, fill=colour, anchor="la")
                y += lh
    return img


def _heading(req: PanelRequest) -> str:
    setting = req.setting.strip().upper()
    place = " ".join(req.location.split())
    head = f"{setting}. {place}" if setting and place else setting or place
    tod = req.time_of_day.strip().upper()
    return f"{head}{DASH}{tod}" if head and tod else head


# ---------------------------------------------------------------------------------------------
# Cards


def _card_background(width: int, height: int) -> Image.Image:
    """Near-black with a soft lift in the middle and darker corners."""
    xs, ys, gw, gh = _grid(width, height, step=16)
    d = np.sqrt(((xs - width / 2) / (width / 2)) ** 2 + ((ys - height * 0.48) / (height / 2)) ** 2)
    t = np.clip(d / 1.45, 0, 1) ** 1.4
    centre, edge = np.array((32, 33, 42), np.float32), np.array((5, 5, 8), np.float32)
    values = centre + (edge - centre) * t[..., None]
    return _upscale(values, width, height)


def draw_title_card(width: int, height: int, title: str, subtitle: str = "") -> Image.Image:
    """The opening title (RGB): the title large and centred on a dark vignette, the subtitle below.

    Text sizes follow the image height and shrink (then wrap, then ellipsise) to stay within the
    middle 70% of the width, so a camera move over the card keeps it in view.
    """
    width, height = max(1, width), max(1, height)
    img = _card_background(width, height)
    draw = ImageDraw.Draw(img)
    max_w = width * 0.7
    tf, tlines = _fit_block(" ".join(title.split()), "bold", round(height / 8), max(8, round(height / 22)), max_w, 3)
    sub = " ".join(subtitle.split())
    sf, slines = _fit_block(sub, "italic", max(7, round(height / 24)), 7, max_w, 2) if sub else (tf, [])
    t_lh, s_lh = round(tf.size * 1.12), round(sf.size * 1.35)
    gap = round(tf.size * 0.55) if slines else 0
    rule = max(1, round(height / 400)) if slines else 0
    total = len(tlines) * t_lh + (2 * gap + rule + len(slines) * s_lh if slines else 0)
    y = (height - total) / 2
    for line in tlines:
        draw.text((width / 2, y + t_lh / 2), line, font=tf, fill=(246, 240, 226), anchor="mm")
        y += t_lh
    if slines:
        y += gap
        half = min(max_w / 2, height * 0.08)
        draw.rectangle((width / 2 - half, y, width / 2 + half, y + rule - 1 if rule > 1 else y), fill=(200, 166, 104))
        y += rule + gap
        for line in slines:
            draw.text((width / 2, y + s_lh / 2), line, font=sf, fill=(176, 176, 188), anchor="mm")
            y += s_lh
    return img


def draw_text_card(width: int, height: int, text: str) -> Image.Image:
    """A card (RGB) with `text` centred on the title card's dark background, wrapped to fit."""
    width, height = max(1, width), max(1, height)
    img = _card_background(width, height)
    draw = ImageDraw.Draw(img)
    f, lines = _fit_block(" ".join(text.split()), "bold", round(height / 11), max(8, round(height / 28)), width * 0.7, 5)
    lh = round(f.size * 1.2)
    y = (height - len(lines) * lh) / 2
    for line in lines:
        draw.text((width / 2, y + lh / 2), line, font=f, fill=(240, 236, 226), anchor="mm")
        y += lh
    return img


def draw_credits(width: int, frame_height: int, sections: tuple[tuple[str, tuple[str, ...]], ...]) -> Image.Image:
    """The credits roll (RGB, `width` wide): one frame of black, the sections, one frame of black.

    Each section is a small dim heading over its names in larger light type; a name written
    "ROLE — Actor" is set in two columns either side of the centre. The editor scrolls it
    bottom to top, so it starts and ends on black.
    """
    width, fh = max(1, width), max(1, frame_height)
    max_w = width * 0.86
    head_size, name_size = max(7, round(fh / 30)), max(8, round(fh / 20))
    # One scale for the whole roll, so a long name shrinks everything rather than standing out.
    widest = 0.0
    for heading, names in sections:
        widest = max(widest, _width(heading.upper(), font(head_size, "regular")) / max_w)
        for name in names:
            widest = max(widest, _width(name, font(name_size, "bold")) / max_w)
    if widest > 1:
        head_size, name_size = max(6, int(head_size / widest)), max(7, int(name_size / widest))
    hf, nf, rf = font(head_size, "regular"), font(name_size, "bold"), font(name_size, "regular")
    head_lh, name_lh = round(_line_height(hf) * 1.1), round(_line_height(nf) * 1.15)
    gap = round(name_size * 1.6)

    layout: list[tuple[str, float, tuple[str, ...]]] = []
    y = 0.0
    for i, (heading, names) in enumerate(sections):
        if i:
            y += gap
        if heading.strip():
            layout.append(("head", y, (heading.strip().upper(),)))
            y += head_lh + round(name_size * 0.35)
        for name in names:
            layout.append(("name", y, (name,)))
            y += name_lh
    content = math.ceil(y)
    img = Image.new("RGB", (width, fh + content + fh), (0, 0, 0))
    draw = ImageDraw.Draw(img)
    cx, col_gap = width / 2, name_size * 0.6
    for kind, y, (text,) in layout:
        top = fh + y
        if kind == "head":
            f, line = _fit_line(text, "regular", head_size, 6, max_w)
            draw.text((cx, top), line, font=f, fill=(150, 150, 162), anchor="ma")
            continue
        role, sep, actor = text.partition(DASH.strip())
        role, actor = role.strip(), actor.strip()
        half = width / 2 - col_gap / 2 - (width - max_w) / 2
        if sep and role and actor and _width(role, rf) <= half and _width(actor, nf) <= half:
            draw.text((cx - col_gap / 2, top), role, font=rf, fill=(196, 196, 204), anchor="ra")
            draw.text((cx + col_gap / 2, top), actor, font=nf, fill=(244, 242, 236), anchor="la")
        else:
            f, line = _fit_line(text, "bold", name_size, 6, max_w)
            draw.text((cx, top), line, font=f, fill=(244, 242, 236), anchor="ma")
    return img
