"""Scenery: exteriors (sky, sun or moon, clouds, hills, buildings, trees, sea, arena, road) and
interiors (a room in one-point perspective with windows, a door, a lamp), and their light.

Drawn supersampled; the light (`_Lighting`) is applied after the image is reduced.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from .palette import (
    RGB, Palette, Point, circle_box, figure_colour, grid, is_mixed, location_kind, mix, scaled, upscale,
)

if TYPE_CHECKING:
    from .staging import SetDesign

HORIZON = 0.60          # horizon height, as a fraction of the canvas height


# ---------------------------------------------------------------------------------------------
# Gradients and lighting


def _vgradient(width: int, height: int, stops: list[tuple[float, RGB]]) -> Image.Image:
    """A vertical gradient through (position 0..1, colour) stops, built as one column and stretched."""
    ys = (np.arange(height, dtype=np.float32) + 0.5) / max(1, height)
    pos = np.array([p for p, _ in stops], dtype=np.float32)
    column = np.stack([np.interp(ys, pos, [c[ch] for _, c in stops]) for ch in range(3)], axis=-1)
    column = np.clip(np.round(column), 0, 255).astype(np.uint8)[:, None, :]
    return Image.fromarray(column, "RGB").resize((max(1, width), max(1, height)), Image.Resampling.NEAREST)


def _glow(img: Image.Image, lights: list[tuple[float, float, float, RGB, float]], horizon: float | None = None) -> Image.Image:
    """Screen soft round glows (x, y, radius, colour, strength) onto `img`, fading below `horizon`."""
    if not lights:
        return img
    xs, ys, gw, gh = grid(*img.size)
    acc = np.zeros((gh, gw, 3), dtype=np.float32)
    for x, y, r, colour, strength in lights:
        g = strength * np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (r * r))
        acc += g[..., None] * np.array(colour, dtype=np.float32)
    if horizon is not None:  # the sky glows; the ground in front only catches a little of it
        acc *= np.clip(1 - (ys - horizon) / (img.size[1] * 0.12), 0.3, 1)[..., None]
    return ImageChops.screen(img, upscale(acc, *img.size))


def _shade(img: Image.Image, lights: list[tuple[float, float, float]], ambient: float, vignette: float) -> Image.Image:
    """Darken `img` away from the lights (x, y, radius) down to `ambient`, and toward the corners."""
    xs, ys, gw, gh = grid(*img.size)
    w, h = img.size
    lit = np.zeros((gh, gw), dtype=np.float32)
    for x, y, r in lights:
        lit = np.maximum(lit, np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (r * r)))
    level = ambient + (1 - ambient) * lit if lights else np.full((gh, gw), ambient, dtype=np.float32)
    corner = ((xs - w / 2) / (w / 2)) ** 2 * 0.6 + ((ys - h / 2) / (h / 2)) ** 2 * 0.4
    level = level * (1 - vignette * corner)
    return ImageChops.multiply(img, upscale(np.repeat(level[..., None] * 255, 3, axis=-1), w, h))


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


# --- exteriors ---


def exterior(size: tuple[int, int], pal: Palette, location: str, rng: random.Random,
             design: "SetDesign | None" = None) -> tuple[Image.Image, _Lighting]:
    """An outdoor scene for `location` at `size` (supersampled), and the light to apply once
    reduced; with a `design` (staging's set), its kind of place, headland, landmarks and weather."""
    w, h = size
    hy = round(h * HORIZON)
    kind = design.kind if design is not None else location_kind(location, rng)
    sandy = kind in ("desert", "arena", "water")
    ground_far, ground = (mix(pal.sand, pal.ground_far, 0.15), scaled(pal.sand, 0.86)) if sandy else (pal.ground_far, pal.ground)
    sky = _vgradient(w, hy, [(0.0, pal.sky_top), (0.55, mix(pal.sky_top, pal.sky_bottom, 0.55)), (1.0, pal.sky_bottom)])
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
    draw.ellipse(circle_box(sun_x, sun_y, sun_r), fill=pal.sun)
    if pal.kind == "night":
        for _ in range(3):  # moon craters
            a, d, cr = rng.uniform(0, 2 * math.pi), rng.uniform(0, 0.55), rng.uniform(0.12, 0.24)
            draw.ellipse(circle_box(sun_x + math.cos(a) * d * sun_r, sun_y + math.sin(a) * d * sun_r, cr * sun_r),
                         fill=mix(pal.sun, pal.sky_bottom, 0.18))

    _clouds(draw, pal, rng, w, hy)
    if kind == "water":
        _hills(draw, rng, w, hy, h * 0.05, mix(pal.far, pal.sky_bottom, 0.3), bumps=2, span=(0.0, rng.uniform(0.25, 0.45)))
        _sea(img, pal, rng, hy, sun_x)
    elif kind == "city":
        _buildings(draw, rng, w, hy, h, mix(pal.far, pal.sky_bottom, 0.2), (0.10, 0.3), pal, lit=0.12)
        _buildings(draw, rng, w, hy, h, pal.near, (0.05, 0.16), pal, lit=0.3)
    elif kind == "mountain":
        _peaks(draw, rng, w, hy, h * 0.3, pal.far, snow=mix(pal.far, pal.cloud, 0.7))
        _peaks(draw, rng, w, hy, h * 0.14, mix(pal.far, pal.near, 0.5), snow=None)
    elif kind == "desert":
        _hills(draw, rng, w, hy, h * 0.06, mix(pal.far, pal.sand, 0.4), bumps=3)
        _hills(draw, rng, w, hy, h * 0.035, mix(pal.sand, pal.near, 0.35), bumps=2)
    elif kind == "arena":
        _hills(draw, rng, w, hy, h * 0.06, pal.far, bumps=3)
        _arena(draw, rng, w, hy, h, pal)
    else:
        _hills(draw, rng, w, hy, h * 0.08, pal.far, bumps=3)
        _hills(draw, rng, w, hy, h * 0.045, mix(pal.far, pal.foliage, 0.55), bumps=4)
        if kind == "trees":
            _trees(draw, rng, w, hy, h, mix(pal.far, pal.foliage, 0.6), count=rng.randint(14, 20), scale=0.7)
            _trees(draw, rng, w, hy, h, pal.foliage, count=rng.randint(6, 10))
        elif kind == "houses":
            _houses(draw, rng, w, hy, h, pal)
            _trees(draw, rng, w, hy, h, pal.foliage, count=rng.randint(1, 3))
        else:
            _trees(draw, rng, w, hy, h, pal.foliage, count=rng.randint(0, 3))

    if design is not None and "rock" in design.features:
        first = design.landmarks[0].x if design.landmarks else rng.choice((0.25, 0.75))
        _headland(draw, rng, w, hy, h, first, pal)
    if design is not None:
        for mark in design.landmarks:
            _landmark(img, mark, w, h, pal)
        draw = ImageDraw.Draw(img)
    draw.line([(0, hy), (w, hy)], fill=mix(ground_far, pal.ink, 0.25), width=max(1, h // 400))
    if kind == "city":
        _road(draw, rng, w, hy, h, pal)
    elif kind not in ("water", "arena") and rng.random() < 0.5:
        _path(draw, rng, w, hy, h, mix(ground, pal.sand, 0.45))
    if kind not in ("city", "water"):
        _furrows(draw, w, hy, h, scaled(mix(ground_far, ground, 0.5), 0.97))
    if kind == "trees":
        _framing_trees(draw, rng, w, hy, h, scaled(pal.foliage, 0.8))
    if design is not None and design.weather == "storm":
        glow_k *= 0.4
    return img, _Lighting([(sun_x, sun_y, glow_r, pal.glow, glow_k)], [], 1.0, 0.12, horizon=hy)


def _headland(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, at: float, pal: Palette) -> None:
    """A rocky headland rising from the sea, its top around `at` (a fraction of the width)."""
    rock = mix(pal.near, pal.ink, 0.25)
    side = -1 if at < 0.5 else 1
    top = hy - h * 0.09
    cx = w * at
    edge = cx - side * w * rng.uniform(0.14, 0.2)      # where the cliff drops to the sea
    far_edge = -w * 0.05 if side < 0 else w * 1.05
    pts = [(far_edge, hy + h * 0.06), (far_edge, top + h * 0.01)]
    for i in range(9):
        t = i / 8
        x = far_edge + (cx + side * w * 0.04 - far_edge) * t
        pts.append((x, top + h * 0.012 * math.sin(t * 9 + rng.random())))
    pts += [(cx - side * w * 0.07, top + h * 0.004), (edge + side * w * 0.02, top + h * 0.05),
            (edge, hy + h * 0.012), (edge - side * w * 0.03, hy + h * 0.03), (far_edge, hy + h * 0.06)]
    draw.polygon(pts, fill=rock)
    lit = mix(rock, pal.sky_bottom, 0.25)
    for _ in range(6):   # boulders and the rock's facets
        bx = edge + side * w * rng.uniform(0.0, 0.1)
        by = hy + h * rng.uniform(-0.03, 0.035)
        r = h * rng.uniform(0.012, 0.03)
        draw.polygon([(bx - r, by + r * 0.6), (bx - r * 0.5, by - r * 0.7), (bx + r * 0.6, by - r * 0.5),
                      (bx + r, by + r * 0.6)], fill=lit if rng.random() < 0.5 else scaled(rock, 0.85))
    foam = mix(pal.cloud, pal.water, 0.15)
    for _ in range(5):   # waves breaking at its foot
        fx = edge + side * w * rng.uniform(-0.04, 0.05)
        fy = hy + h * rng.uniform(0.02, 0.05)
        fr = h * rng.uniform(0.01, 0.022)
        draw.chord((fx - fr * 2, fy - fr, fx + fr * 2, fy + fr), 180, 360, fill=foam)


def _landmark(img: Image.Image, mark, w: int, h: int, pal: Palette) -> None:
    """A landmark's pictogram standing on the set (its place in fractions of the canvas)."""
    from .icons import paste_icon

    body = mix(mix(pal.near, pal.far, 0.35), pal.cloud, 0.22)
    line = mix(pal.near, pal.ink, 0.6)
    paste_icon(img, mark.icon, mark.x * w, mark.bottom * h + mark.size * h * 0.04, mark.size * h, body, line, mark.flip)


def weather_layer(img: Image.Image, weather: str, pal: Palette, rng: random.Random) -> Image.Image:
    """Rain streaks, snowflakes or a fog haze over a finished set (at its final size)."""
    if weather not in ("storm", "rain", "snow", "fog"):
        return img
    w, h = img.size
    if weather == "fog":
        haze = Image.new("RGB", img.size, mix(pal.sky_bottom, (210, 212, 216), 0.5))
        mask = _vgradient(1, h, [(0.0, (60, 60, 60)), (0.6, (150, 150, 150)), (1.0, (90, 90, 90))]).convert("L")
        return Image.composite(haze, img, mask.resize(img.size))
    layer = img.copy()
    draw = ImageDraw.Draw(layer)
    unit = max(1.0, h / 360)
    if weather == "snow":
        for _ in range(260):
            x, y, r = rng.uniform(0, w), rng.uniform(0, h), unit * rng.uniform(0.8, 2.0)
            draw.ellipse(circle_box(x, y, r), fill=(244, 246, 250))
        return Image.blend(img, layer, 0.85)
    streak = mix(pal.cloud, (220, 226, 236), 0.6)
    for _ in range(320 if weather == "storm" else 220):
        x, y = rng.uniform(-0.1 * w, w), rng.uniform(0, h)
        ln = unit * rng.uniform(8, 18)
        draw.line([(x, y), (x + ln * 0.28, y + ln)], fill=streak, width=max(1, round(unit * 0.6)))
    return Image.blend(img, layer, 0.45)


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
        draw.ellipse(circle_box(x, y, r), fill=(b, b, min(255, b + 10)))


def _clouds(draw: ImageDraw.ImageDraw, pal: Palette, rng: random.Random, w: int, hy: int) -> None:
    count = rng.randint(0, 2) if pal.kind == "night" else rng.randint(2, 4)
    for i in range(count):
        cx = w * (i + rng.uniform(0.15, 0.85)) / count
        cy = hy * rng.uniform(0.12, 0.55)
        cw = w * rng.uniform(0.08, 0.16)
        ch = cw * rng.uniform(0.22, 0.32)
        colour = mix(pal.cloud, pal.sky_bottom, rng.uniform(0.05, 0.3) if pal.kind != "night" else 0.5)
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
    window_day = mix(colour, pal.sky_bottom, 0.35)
    while x < w:
        bw = w * rng.uniform(0.045, 0.11)
        if rng.random() < 0.15:  # a gap in the skyline
            x += bw * 0.6
            continue
        bh = h * rng.uniform(*heights)
        tone = scaled(colour, rng.uniform(0.92, 1.08))
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
                        draw.rectangle((wx, wy, wx + cw * 0.4, wy + rh * 0.4), fill=mix(pal.light, (255, 230, 160), 0.3))
                elif rng.random() < 0.7:
                    draw.rectangle((wx, wy, wx + cw * 0.4, wy + rh * 0.4), fill=window_day)
        x += bw + w * rng.uniform(0, 0.01)


def _trees(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, foliage: RGB, count: int,
           scale: float = 1.0) -> None:
    for _ in range(count):
        x = w * rng.uniform(0.02, 0.98)
        th = h * rng.uniform(0.07, 0.17) * scale
        colour = scaled(foliage, rng.uniform(0.88, 1.12))
        trunk = mix(foliage, (40, 30, 24), 0.45)
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
                draw.ellipse(circle_box(x + dx * th, base + dy * th, r * k), fill=colour)


def _framing_trees(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, foliage: RGB) -> None:
    """Big near trees at the canvas's left and right edges, framing the shot."""
    trunk = mix(foliage, (40, 30, 24), 0.5)
    for side in (-1, 1):
        for _ in range(rng.randint(1, 2)):
            x = w / 2 + side * w * rng.uniform(0.43, 0.52)
            base = h * rng.uniform(0.74, 0.86)
            tw = h * rng.uniform(0.025, 0.04)
            draw.polygon([(x - tw, base), (x - tw * 0.6, 0), (x + tw * 0.6, 0), (x + tw, base)], fill=trunk)
            for _ in range(4):
                cx, cy = x + rng.uniform(-0.12, 0.12) * h, h * rng.uniform(-0.02, 0.18)
                draw.ellipse(circle_box(cx, cy, h * rng.uniform(0.1, 0.16)), fill=foliage)


def _houses(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, pal: Palette) -> None:
    for _ in range(rng.randint(2, 4)):
        x = w * rng.uniform(0.03, 0.9)
        hw, hh = h * rng.uniform(0.06, 0.1), h * rng.uniform(0.04, 0.06)
        body = mix(pal.near, pal.far, 0.3)
        base = hy + h * 0.005
        draw.rectangle((x, base - hh, x + hw, base), fill=body)
        draw.polygon([(x - hw * 0.08, base - hh), (x + hw / 2, base - hh - hw * 0.4), (x + hw * 1.08, base - hh)],
                     fill=scaled(body, 0.8))
        light = pal.light if pal.kind in ("night", "dusk") else mix(body, pal.sky_bottom, 0.4)
        draw.rectangle((x + hw * 0.2, base - hh * 0.7, x + hw * 0.38, base - hh * 0.4), fill=light)


def _arena(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, pal: Palette) -> None:
    stone = mix(pal.sand, pal.near, 0.3 if pal.kind != "night" else 0.6)
    dark = mix(stone, pal.ink, 0.55)
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
                  fill=scaled(stone, 0.85), width=max(1, h // 300))


def _sea(img: Image.Image, pal: Palette, rng: random.Random, hy: int, sun_x: float) -> None:
    w, h = img.size
    shore = round(hy + h * 0.11)
    far = mix(pal.water, pal.sky_bottom, 0.45)
    img.paste(_vgradient(w, shore - hy, [(0.0, far), (1.0, pal.water)]), (0, hy))
    draw = ImageDraw.Draw(img)
    glint = mix(pal.sun, pal.water, 0.25)
    for i in range(9):  # the sun's or moon's path on the water
        y = hy + (shore - hy) * (i + 0.5) / 9
        half = w * (0.01 + 0.012 * i) * rng.uniform(0.6, 1.2)
        draw.line([(sun_x - half, y), (sun_x + half, y)], fill=glint, width=max(1, h // 360))
    foam = mix(pal.cloud, pal.water, 0.2)
    phase = rng.uniform(0, 2 * math.pi)
    points = [(i * w / 96, shore + h * 0.005 * math.sin(i / 96 * 2 * math.pi * 5 + phase)) for i in range(97)]
    draw.line(points, fill=foam, width=max(2, h // 200))


def _road(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, hy: int, h: int, pal: Palette) -> None:
    vx = w * rng.uniform(0.4, 0.6)
    asphalt = mix(pal.near, pal.ground, 0.4)
    kerb = mix(asphalt, pal.cloud, 0.35)
    draw.polygon([(vx - w * 0.04, hy), (vx + w * 0.04, hy), (w * 1.05, h), (-w * 0.05, h)], fill=kerb)
    draw.polygon([(vx - w * 0.03, hy), (vx + w * 0.03, hy), (w * 0.92, h), (w * 0.08, h)], fill=asphalt)
    line = mix(asphalt, (240, 230, 180), 0.6)
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


def interior(size: tuple[int, int], pal: Palette, setting: str, rng: random.Random,
             design: "SetDesign | None" = None) -> tuple[Image.Image, _Lighting]:
    """A room (open onto the outside for `INT/EXT`) at `size` (supersampled), and the light to
    apply once reduced; with a `design` (staging's set), its furniture and what its windows show."""
    w, h = size
    view = design.view if design is not None else "hills"
    vx = w * (0.5 + rng.uniform(-0.06, 0.06))
    bw, bh = w * 0.5, h * 0.44
    x0, x1 = vx - bw / 2, vx + bw / 2
    y0, y1 = h * 0.19, h * 0.19 + bh
    img = Image.new("RGB", size, pal.wall)
    draw = ImageDraw.Draw(img)
    lit_left = rng.random() < 0.5
    ceiling, floor = pal.ceiling, pal.floor
    left = pal.side_wall if lit_left else scaled(pal.side_wall, 0.9)
    right = scaled(pal.side_wall, 0.9) if lit_left else pal.side_wall
    draw.polygon([(0, 0), (w, 0), (x1, y0), (x0, y0)], fill=ceiling)
    draw.polygon([(0, h), (w, h), (x1, y1), (x0, y1)], fill=floor)
    draw.polygon([(0, 0), (x0, y0), (x0, y1), (0, h)], fill=left)
    draw.polygon([(w, 0), (x1, y0), (x1, y1), (w, h)], fill=right)

    # Floorboards converge on the vanishing point.
    board = scaled(floor, 0.86)
    lw = max(1, h // 450)
    vy = (y0 + y1) / 2
    for i in range(1, 14):
        bx = x0 + bw * i / 14
        ex = vx + (bx - vx) * (h - vy) / (y1 - vy)
        draw.line([(bx, y1), (ex, h)], fill=board, width=lw)
    for t in (0.12, 0.3, 0.56, 0.9):
        y = y1 + (h - y1) * t
        draw.line([(x0 * (1 - t), y), (x1 + (w - x1) * t, y)], fill=scaled(floor, 0.92), width=lw)

    # Skirting along the walls' feet.
    sk = h * 0.018
    trim = mix(pal.trim, pal.wall, 0.3)
    draw.rectangle((x0, y1 - sk, x1, y1), fill=trim)
    draw.polygon([(0, h - sk * 2.2), (x0, y1 - sk), (x0, y1), (0, h)], fill=scaled(trim, 0.92))
    draw.polygon([(w, h - sk * 2.2), (x1, y1 - sk), (x1, y1), (w, h)], fill=scaled(trim, 0.88))

    mixed = is_mixed(setting)
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
        _window(img, box, pal, rng, lw, opening=layout == "opening", view=view)
    draw = ImageDraw.Draw(img)

    # A picture or a shelf on one side wall, in perspective.
    side = rng.choice((-1, 1))
    _side_frame(draw, w, h, x0 if side < 0 else x1, y0, y1, side, pal, rng, lw)

    # Room edges, inked lightly as a storyboard artist would.
    edge = mix(pal.wall, pal.ink, 0.35)
    for a, b in (((0, 0), (x0, y0)), ((w, 0), (x1, y0)), ((0, h), (x0, y1)), ((w, h), (x1, y1))):
        draw.line([a, b], fill=edge, width=lw)
    draw.rectangle((x0, y0, x1, y1), outline=edge, width=lw)

    lamps: list[Point] = []
    if design is not None:
        for mark in sorted(design.landmarks, key=lambda m: m.bottom):
            _furniture(img, mark, w, h, pal)
            if mark.icon.startswith(("lamp", "desk-lamp", "candle", "lightbulb")):
                lamps.append((mark.x * w, mark.bottom * h - mark.size * h * 0.8))
        draw = ImageDraw.Draw(img)
    if pal.kind == "night":
        if not lamps:
            lamps.append(_lamp(draw, rng, w, h, x0, x1, y1, pal, lw))
        glows = [(lx, ly, h * 0.22, pal.light, 0.55) for lx, ly in lamps]
        return img, _Lighting(glows, [(lx, ly, h * 0.55) for lx, ly in lamps], pal.ambient, 0.25)
    _sunlight(img, windows, pal, y1, h)
    glows = [((a + c) / 2, (b + d) / 2, max(c - a, d - b), pal.light, 0.35) for a, b, c, d in windows]
    return img, _Lighting(glows, [((a + c) / 2, (b + d) / 2, h * 0.7) for a, b, c, d in windows], pal.ambient, 0.2)


def _furniture(img: Image.Image, mark, w: int, h: int, pal: Palette) -> None:
    """A piece of furniture's pictogram standing on the room's floor."""
    from .icons import paste_icon

    body = mix(mix(pal.floor, pal.wall, 0.3), pal.light, 0.15)
    line = mix(pal.floor, pal.ink, 0.75)
    paste_icon(img, mark.icon, mark.x * w, mark.bottom * h + mark.size * h * 0.04, mark.size * h, body, line, mark.flip)


def _view(size: tuple[int, int], pal: Palette, rng: random.Random, view: str = "hills") -> Image.Image:
    """What a window shows: the sky for the time of day over distant hills, the sea or a city."""
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
    draw.ellipse(circle_box(sx, sy, h * 0.07), fill=pal.sun)
    if view == "sea":
        img.paste(_vgradient(w, h - hy, [(0.0, mix(pal.water, pal.sky_bottom, 0.4)), (1.0, pal.water)]), (0, hy))
        draw = ImageDraw.Draw(img)
        for i in range(4):
            y = hy + (h - hy) * (i + 0.5) / 4
            draw.line([(w * 0.1 * i, y), (w * (0.5 + 0.1 * i), y)], fill=mix(pal.water, pal.cloud, 0.35),
                      width=max(1, h // 90))
        return img
    if view == "city":
        _buildings(draw, rng, w, hy, h, pal.far, (0.15, 0.4), pal, lit=0.3)
        return img
    _hills(draw, rng, w, hy, h * 0.12, pal.far, bumps=2)
    _hills(draw, rng, w, hy, h * 0.06, mix(pal.far, pal.foliage, 0.5), bumps=3)
    return img


def _window(img: Image.Image, box: tuple[float, float, float, float], pal: Palette, rng: random.Random,
            lw: int, opening: bool, view: str = "hills") -> None:
    a, b, c, d = (round(v) for v in box)
    img.paste(_view((c - a, d - b), pal, rng, view), (a, b))
    draw = ImageDraw.Draw(img)
    frame = max(2, round((c - a) * (0.02 if opening else 0.05)))
    ink = mix(pal.trim, pal.ink, 0.45)
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
    wood = mix(pal.floor, pal.wall, 0.25)
    ink = mix(wood, pal.ink, 0.5)
    frame = dw * 0.08
    draw.rectangle((cx - dw / 2 - frame, floor_y - dh - frame, cx + dw / 2 + frame, floor_y), fill=pal.trim)
    draw.rectangle((cx - dw / 2, floor_y - dh, cx + dw / 2, floor_y), fill=wood, outline=ink, width=lw)
    for top, bottom in ((0.08, 0.46), (0.54, 0.92)):  # panels
        draw.rectangle((cx - dw * 0.36, floor_y - dh * (1 - top), cx + dw * 0.36, floor_y - dh * (1 - bottom)),
                       outline=scaled(wood, 0.82), width=max(1, lw))
    r = dw * 0.05
    draw.ellipse(circle_box(cx + dw * 0.34, floor_y - dh * 0.48, r), fill=mix(pal.light, (200, 170, 90), 0.5))


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
        frame = mix(pal.floor, pal.ink, 0.3)
        draw.polygon([at(t0, v0), at(t1, v0), at(t1, v1), at(t0, v1)], fill=frame)
        inset = [(t0 + 0.02, v0 + 0.03), (t1 - 0.02, v0 + 0.03), (t1 - 0.02, v1 - 0.03), (t0 + 0.02, v1 - 0.03)]
        art = mix(figure_colour(str(rng.random())), pal.wall, 0.45)
        draw.polygon([at(t, v) for t, v in inset], fill=art)
        tm = (t0 + t1) / 2
        draw.polygon([at(t0 + 0.02, v1 - 0.03), at(tm, v0 + 0.12), at(t1 - 0.02, v1 - 0.03)],
                     fill=mix(art, pal.ink, 0.3))
    else:  # a shelf with books
        v = 0.42
        wood = mix(pal.floor, pal.ink, 0.2)
        draw.polygon([at(t0, v), at(t1, v), at(t1, v + 0.02), at(t0, v + 0.02)], fill=wood)
        t = t0 + 0.01
        while t < t1 - 0.03:
            bw = rng.uniform(0.012, 0.025)
            top = v - rng.uniform(0.06, 0.1)
            colour = mix(figure_colour(f"book{t}"), pal.wall, 0.35)
            draw.polygon([at(t, top), at(t + bw, top), at(t + bw, v), at(t, v)], fill=colour)
            t += bw + 0.003


def _lamp(draw: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int, x0: float, x1: float, floor_y: float,
          pal: Palette, lw: int) -> Point:
    """A standard lamp near one back corner; returns where its light comes from."""
    left = rng.random() < 0.5
    x = x0 + w * 0.05 if left else x1 - w * 0.05
    base = floor_y + h * 0.03
    top = base - h * 0.3
    pole = mix(pal.ink, pal.trim, 0.3)
    draw.rectangle((x - h * 0.004, top, x + h * 0.004, base), fill=pole)
    draw.ellipse((x - h * 0.03, base - h * 0.008, x + h * 0.03, base + h * 0.008), fill=pole)
    sw, sh = h * 0.05, h * 0.055
    shade = mix(pal.light, (255, 240, 210), 0.5)
    draw.polygon([(x - sw * 0.6, top - sh), (x + sw * 0.6, top - sh), (x + sw, top), (x - sw, top)],
                 fill=shade, outline=mix(shade, pal.ink, 0.4), width=lw)
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


# ---------------------------------------------------------------------------------------------
# A scene's set


@lru_cache(maxsize=8)
def draw_set(design: "SetDesign", pal: Palette, width: int, height: int) -> Image.Image:
    """The scene's set at `width` x `height` with its light and weather: the same pixels for
    every shot of the scene (kept for the next shot; callers copy before drawing on it)."""
    ss = 2 if min(width, height) >= 360 else 4
    size = (width * ss, height * ss)
    rng = random.Random(f"set:{design.seed}")
    if design.interior:
        img, light = interior(size, pal, "INT/EXT" if design.mixed else "INT", rng, design)
    else:
        img, light = exterior(size, pal, "", rng, design)
    img = light.apply(img.reduce(ss), ss)
    if design.interior:
        return img
    return weather_layer(img, design.weather, pal, random.Random(f"weather:{design.seed}"))
