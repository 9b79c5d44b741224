#!/usr/bin/env python3
"""Draw the two stills of "The Lighthouse Keeper" into `assets/` (1600x1000 PNGs).

- old-photograph.png: a faded sepia print of the lighthouse on Gull Point, 1921.
- letter.png: Tom's letter to Elsie on aged paper, lying on a dark wooden desk.

Everything is drawn in code with Pillow and numpy, so the images belong to this repository and
are free to use (CC0). The output is deterministic (fixed random seeds).

    python projects/lighthouse/make_assets.py        # from the repository root
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the repository root, for `pipeline`

from pipeline.fonts import font  # noqa: E402

OUT = HERE / "assets"
W, H = 1600, 1000


# -- shared helpers -----------------------------------------------------------------------
def noise(h: int, w: int, cell: float, rng: np.random.Generator, sx: float = 1.0) -> np.ndarray:
    """Smooth value noise in [-1, 1] with features about `cell` pixels across (`sx` stretches
    them horizontally)."""
    gh = max(2, int(h / cell) + 2)
    gw = max(2, int(w / (cell * sx)) + 2)
    small = Image.fromarray(rng.uniform(-1, 1, (gh, gw)).astype(np.float32))
    return np.asarray(small.resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32)


def fractal(h: int, w: int, cell: float, rng, octaves: int = 4, sx: float = 1.0) -> np.ndarray:
    out = np.zeros((h, w), np.float32)
    amp, total = 1.0, 0.0
    for _ in range(octaves):
        out += amp * noise(h, w, cell, rng, sx)
        total += amp
        amp *= 0.5
        cell = max(cell / 2, 1.5)
    return out / total


def _box(a: np.ndarray, k: int, axis: int) -> np.ndarray:
    """A box filter of odd width 2k+1 along `axis` (edges clamped), via a cumulative sum."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (k + 1, k)
    c = np.cumsum(np.pad(a, pad, mode="edge"), axis=axis, dtype=np.float64)
    n = a.shape[axis]
    hi = np.take(c, np.arange(2 * k + 1, 2 * k + 1 + n), axis=axis)
    lo = np.take(c, np.arange(0, n), axis=axis)
    return ((hi - lo) / (2 * k + 1)).astype(np.float32)


def blur(a: np.ndarray, r: float) -> np.ndarray:
    """An approximately Gaussian blur of radius `r` (three box passes each way)."""
    k = max(1, int(round(r * 0.58)))  # three boxes of width 2k+1 have sigma ~ r
    out = a.astype(np.float32)
    if r < 1.5:  # a light blur: one small pass
        return (_box(_box(out, 1, 0), 1, 1) * 0.5 + out * 0.5).astype(np.float32)
    for _ in range(3):
        out = _box(_box(out, k, 0), k, 1)
    return out


class Layer:
    """A float greyscale picture (0 black .. 1 white) drawn through supersampled masks."""

    def __init__(self, w: int, h: int, ss: int = 2):
        self.w, self.h, self.ss = w, h, ss
        self.v = np.zeros((h, w), np.float32)

    def mask(self, draw) -> np.ndarray:
        """Run `draw(ImageDraw, s)` on a blank supersampled mask (s scales coordinates) and
        return it at layer size as floats 0..1."""
        m = Image.new("L", (self.w * self.ss, self.h * self.ss), 0)
        draw(ImageDraw.Draw(m), self.ss)
        m = m.resize((self.w, self.h), Image.Resampling.BOX)
        return np.asarray(m, np.float32) / 255.0

    def put(self, m: np.ndarray, value) -> None:
        self.v = self.v * (1 - m) + np.asarray(value, np.float32) * m

    def poly(self, pts, value) -> np.ndarray:
        m = self.mask(lambda d, s: d.polygon([(x * s, y * s) for x, y in pts], fill=255))
        self.put(m, value)
        return m

    def ellipse(self, box, value) -> np.ndarray:
        m = self.mask(lambda d, s: d.ellipse([c * s for c in box], fill=255))
        self.put(m, value)
        return m

    def line(self, pts, width, value) -> np.ndarray:
        def draw(d, s):
            d.line([(x * s, y * s) for x, y in pts], fill=255, width=max(1, int(round(width * s))), joint="curve")
        m = self.mask(draw)
        self.put(m, value)
        return m


def save(img: Image.Image, name: str, palette: bool = False) -> Path:
    """Save as an optimised PNG; `palette` stores it with 256 colours, which a picture in one
    family of tones (a sepia print) needs no more of, at about half the size."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    img = img.convert("RGB")
    if palette:
        img = img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(path, optimize=True)
    return path


# == the old photograph ===================================================================
def sepia(v: np.ndarray) -> np.ndarray:
    """Map greyscale 0..1 to a warm sepia print tone."""
    stops = np.array([0.0, 0.3, 0.65, 1.0])
    cols = np.array([(34, 22, 14), (100, 68, 42), (180, 144, 102), (242, 226, 194)], np.float32)
    return np.stack([np.interp(v, stops, cols[:, i]) for i in range(3)], axis=-1)


def photograph() -> Image.Image:
    rng = np.random.default_rng(1921)
    bl, bt, br, bb = 64, 96, 64, 150  # the white border: left, top, right, bottom
    pw, ph = W - bl - br, H - bt - bb  # the picture inside it
    L = Layer(pw, ph)
    yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
    horizon = int(ph * 0.64)

    # sky: pale, almost white towards the horizon (old plates over-expose the sky), soft clouds
    sky = 0.74 + 0.22 * (yy / horizon) ** 1.5
    clouds = fractal(ph, pw, 200, rng, 6, sx=2.8)
    sky = sky + 0.22 * np.clip(clouds * 2.0, -1, 1) * np.clip(1 - yy / (horizon * 1.05), 0, 1) ** 0.7
    L.v = sky.astype(np.float32)

    # sea: darker towards the camera, ripples growing larger as they come closer
    depth = np.clip((yy - horizon) / (ph - horizon), 0, 1)
    far = fractal(ph, pw, 5, rng, 3, sx=10.0)
    near = fractal(ph, pw, 16, rng, 4, sx=6.0)
    ripple = far * (1 - depth) + near * depth
    sea = 0.66 - 0.30 * depth ** 0.8 + (0.05 + 0.12 * depth) * ripple
    sea = sea + 0.22 * np.clip(ripple - 0.3, 0, 1) * (0.4 + depth)  # light catching wave crests
    L.put((yy >= horizon).astype(np.float32), sea)
    L.v = L.v + 0.07 * np.exp(-((yy - horizon) / 8.0) ** 2)  # haze on the horizon
    # a small sailing boat far out on the horizon
    bx, by = pw * 0.17, horizon - 1
    L.poly([(bx - 14, by), (bx + 16, by), (bx + 11, by + 5), (bx - 10, by + 5)], 0.32)
    L.poly([(bx, by - 2), (bx, by - 34), (bx + 17, by - 4)], 0.9)
    L.poly([(bx - 2, by - 2), (bx - 2, by - 28), (bx - 14, by - 4)], 0.80)
    L.line([(bx - 1, by), (bx - 1, by - 36)], 1.2, 0.32)

    # the headland: rock rising from the sea to a grassy top on the right
    top = ph * 0.53
    j = lambda a: a + rng.uniform(-4, 4)  # noqa: E731
    ridge = [(pw * 0.43, horizon + 24), (pw * 0.445, horizon + 2), (pw * 0.46, horizon - 10), (pw * 0.47, j(top + 44)),
             (pw * 0.485, j(top + 36)), (pw * 0.50, j(top + 16)), (pw * 0.515, j(top + 10)), (pw * 0.53, top - 2),
             (pw * 0.57, top - 8), (pw * 0.70, top - 14), (pw * 0.85, top - 6), (pw * 1.0, top - 12)]
    waterline = [(pw * 1.0, ph), (pw * 0.56, ph), (pw * 0.53, ph * 0.93), (pw * 0.49, ph * 0.86), (pw * 0.45, ph * 0.78),
                 (pw * 0.43, horizon + 40)]
    cliff = ridge + waterline
    # rock: broad buttresses lit from the left, sloping strata, cracks, wet and dark at the foot
    faces = np.tanh(2.5 * fractal(ph, pw, 90, rng, 3, sx=0.35))
    detail = fractal(ph, pw, 12, rng, 3, sx=0.6)
    strata = np.sin((yy - xx * 0.18) / 11.0 + 2.0 * fractal(ph, pw, 80, rng, 2))
    cracks = np.clip(1 - np.abs(fractal(ph, pw, 45, rng, 4, sx=0.45)) * 14, 0, 1)
    low = np.clip((yy - top) / (ph - top), 0, 1)
    rock = 0.38 + 0.15 * faces + 0.06 * detail + 0.04 * (strata > 0.6) - 0.11 * cracks - 0.16 * low ** 1.5
    rock = rock + 0.05 * fractal(ph, pw, 2.5, rng, 1)
    L.poly(cliff, rock)
    # grass on the top, falling away over the cliff edge
    grass = [(pw * 0.525, top + 2), (pw * 0.57, top - 8), (pw * 0.70, top - 14), (pw * 0.85, top - 6), (pw * 1.0, top - 12),
             (pw * 1.0, top + 34), (pw * 0.80, top + 40), (pw * 0.66, top + 30), (pw * 0.58, top + 44), (pw * 0.55, top + 30)]
    L.poly(grass, 0.58 + 0.08 * fractal(ph, pw, 4, rng, 3) - 0.10 * np.clip((yy - top) / 40, 0, 1))

    def boulder(cx, cy, r):
        n = 9
        ang = np.linspace(0, 2 * math.pi, n, endpoint=False) + rng.uniform(0, 1)
        rad = r * rng.uniform(0.75, 1.15, n)
        pts = [(cx + rr * math.cos(t) * 1.3, min(cy + rr * math.sin(t) * 0.7, cy + r * 0.2)) for t, rr in zip(ang, rad)]
        L.poly(pts, 0.18 + 0.06 * fractal(ph, pw, 3, rng, 1) + rng.uniform(0, 0.06))
        lit = [(x, y) for x, y in pts if y < cy + r * 0.05 and x < cx + r * 0.6]
        if len(lit) >= 3:
            L.poly(lit, 0.42 + rng.uniform(0, 0.1))

    # rocks along the waterline and a few out in the water
    for k in range(14):
        t = rng.uniform(0, 1)
        cx = pw * (0.43 + 0.12 * t) - rng.uniform(10, 70)
        cy = horizon + 40 + (ph - horizon - 40) * t + rng.uniform(-6, 6)
        boulder(cx, cy, (8 + 34 * t) * rng.uniform(0.7, 1.2))
    for cx, cy, r in ((pw * 0.36, horizon + 70, 14), (pw * 0.40, horizon + 150, 22), (pw * 0.33, ph - 40, 34)):
        boulder(cx, cy, r)
    # surf breaking along the foot of the cliff and around the rocks
    line_m = L.mask(lambda d, s: d.line([(x * s, y * s) for x, y in waterline[1:] + ridge[:2]], fill=255, width=int(10 * s)))
    spread = np.clip(blur(line_m, 16) * 3.0, 0, 1)
    foam = np.clip(0.45 + 1.0 * fractal(ph, pw, 6, rng, 4), 0, 1)
    L.put(np.clip(spread * foam * 1.5 - 0.25, 0, 1) * (yy > horizon), 0.93)
    L.put(np.clip(blur(line_m, 3) * 1.1, 0, 1) * np.clip(foam * 1.6 - 0.3, 0, 1), 0.93)

    # the keeper's cottage
    hx, hy = pw * 0.76, top - 8
    L.poly([(hx, hy), (hx + 120, hy), (hx + 120, hy - 56), (hx, hy - 56)], 0.84)
    L.poly([(hx + 90, hy), (hx + 120, hy), (hx + 120, hy - 56), (hx + 90, hy - 56)], 0.64)
    L.poly([(hx - 9, hy - 54), (hx + 129, hy - 54), (hx + 101, hy - 90), (hx + 19, hy - 90)], 0.26)
    L.poly([(hx + 26, hy - 86), (hx + 39, hy - 86), (hx + 39, hy - 110), (hx + 26, hy - 110)], 0.30)
    for wx in (hx + 14, hx + 56):
        L.poly([(wx, hy - 40), (wx + 20, hy - 40), (wx + 20, hy - 18), (wx, hy - 18)], 0.20)
    L.poly([(hx + 94, hy), (hx + 110, hy), (hx + 110, hy - 32), (hx + 94, hy - 32)], 0.30)
    L.line([(pw * 0.62, top - 2), (hx - 4, hy - 2)], 4, 0.70)  # a low wall
    # the lighthouse: a tapering white tower with two dark bands, gallery, lantern and dome
    lx, base = pw * 0.645, top - 6
    th, bw, tw = 230, 34, 24
    tower = [(lx - bw, base), (lx + bw, base), (lx + tw, base - th), (lx - tw, base - th)]
    shade = np.clip(0.95 - 0.40 * np.clip((xx - (lx - bw)) / (2 * bw), 0, 1) ** 1.6, 0.45, 0.95)
    L.poly(tower, shade)
    for f in (0.28, 0.60):
        y0, y1 = base - th * f, base - th * (f + 0.13)
        w0, w1 = bw + (tw - bw) * f, bw + (tw - bw) * (f + 0.13)
        L.poly([(lx - w0, y0), (lx + w0, y0), (lx + w1, y1), (lx - w1, y1)], shade * 0.40)
    L.poly([(lx - 8, base), (lx + 8, base), (lx + 8, base - 26), (lx - 8, base - 26)], 0.22)  # door
    for f in (0.48, 0.82):
        y = base - th * f
        L.poly([(lx - 4, y), (lx + 4, y), (lx + 4, y - 12), (lx - 4, y - 12)], 0.25)
    gy = base - th
    L.poly([(lx - tw - 10, gy), (lx + tw + 10, gy), (lx + tw + 10, gy - 6), (lx - tw - 10, gy - 6)], 0.18)
    for k in range(9):
        x = lx - tw - 8 + k * (2 * tw + 16) / 8
        L.line([(x, gy - 6), (x, gy - 21)], 1.4, 0.2)
    L.line([(lx - tw - 9, gy - 21), (lx + tw + 9, gy - 21)], 1.8, 0.2)
    L.poly([(lx - 16, gy - 6), (lx + 16, gy - 6), (lx + 16, gy - 40), (lx - 16, gy - 40)], 0.30)
    for k in range(3):
        x = lx - 13 + k * 9.5
        L.poly([(x, gy - 9), (x + 7, gy - 9), (x + 7, gy - 37), (x, gy - 37)], 0.86 - 0.16 * k)
    L.poly([(lx - 20, gy - 40), (lx + 20, gy - 40), (lx, gy - 64)], 0.16)
    L.ellipse((lx - 4, gy - 71, lx + 4, gy - 63), 0.16)
    L.line([(lx, gy - 70), (lx, gy - 84)], 1.4, 0.16)

    # gulls, wheeling over the point
    for gx, gy2, sz in ((0.24, 0.20, 15), (0.29, 0.15, 11), (0.33, 0.24, 13), (0.47, 0.12, 9), (0.82, 0.17, 12),
                        (0.27, 0.33, 8), (0.55, 0.26, 10)):
        x, y = pw * gx, ph * gy2
        k = rng.uniform(0.8, 1.2)
        L.line([(x - sz, y - sz * 0.15 * k), (x - sz * 0.5, y - sz * 0.55), (x, y)], 2.0, 0.22)
        L.line([(x, y), (x + sz * 0.5, y - sz * 0.55 * k), (x + sz, y - sz * 0.2)], 2.0, 0.22)

    # -- age the print ------------------------------------------------------------------
    v = blur(L.v, 2.0)  # soft old lens
    v = v + 0.055 * blur(rng.standard_normal((ph, pw)).astype(np.float32), 1.6)  # clumpy silver grain
    # vignette
    r2 = ((xx - pw / 2) / (pw / 2)) ** 2 + ((yy - ph / 2) / (ph / 2)) ** 2
    v = v * (1 - 0.32 * np.clip(r2, 0, 2) ** 1.3)
    # fading: lifted blacks, dimmer whites, and an uneven fade across the print
    v = 0.07 + 0.86 * np.clip(v, 0, 1)
    v = v + 0.07 * np.clip(fractal(ph, pw, 260, rng, 3), 0, 1)
    # scratches and dust
    sc = Image.new("L", (pw, ph), 0)
    d = ImageDraw.Draw(sc)
    for _ in range(5):
        x = rng.uniform(0, pw)
        y0 = rng.uniform(-100, ph * 0.6)
        length = rng.uniform(ph * 0.2, ph * 0.9)
        pts, y = [], y0
        while y < y0 + length:
            pts.append((x, y))
            x += rng.normal(0, 0.6) + 0.15
            y += 12
        d.line(pts, fill=int(rng.uniform(70, 150)), width=1)
    for _ in range(6):  # short curly hairs
        x, y = rng.uniform(0, pw), rng.uniform(0, ph)
        a = rng.uniform(0, 2 * math.pi)
        pts = []
        for _k in range(14):
            pts.append((x, y))
            a += rng.normal(0, 0.35)
            x, y = x + 3 * math.cos(a), y + 3 * math.sin(a)
        d.line(pts, fill=140, width=1)
    for _ in range(70):
        x, y, r = rng.uniform(0, pw), rng.uniform(0, ph), rng.uniform(0.6, 2.2)
        d.ellipse((x - r, y - r, x + r, y + r), fill=int(rng.uniform(120, 255)))
    v = v + 0.45 * np.asarray(sc, np.float32) / 255.0
    dark = Image.new("L", (pw, ph), 0)
    dd = ImageDraw.Draw(dark)
    for _ in range(40):
        x, y, r = rng.uniform(0, pw), rng.uniform(0, ph), rng.uniform(0.6, 1.8)
        dd.ellipse((x - r, y - r, x + r, y + r), fill=255)
    v = v - 0.25 * np.asarray(dark, np.float32) / 255.0
    picture = sepia(np.clip(v, 0, 1))

    # -- the white border: old card, yellowed at the edges, with a pencilled caption ------------
    YY, XX = np.mgrid[0:H, 0:W].astype(np.float32)
    paper = np.zeros((H, W, 3), np.float32) + np.array([238, 230, 210], np.float32)
    edge_d = np.minimum.reduce([XX, YY, W - 1 - XX, H - 1 - YY])
    yellow = np.clip(1 - edge_d / 60, 0, 1) ** 1.5 * 0.6 + 0.25 * np.clip(fractal(H, W, 200, rng, 3), 0, 1)
    paper = paper - yellow[..., None] * np.array([30, 42, 70], np.float32)
    paper = paper + (4 * fractal(H, W, 2.0, rng, 1)).astype(np.float32)[..., None]
    # foxing spots
    fox = np.clip(fractal(H, W, 24, rng, 3) - 0.55, 0, 1) * 1.6
    paper = paper - fox[..., None] * np.array([26, 40, 60], np.float32)
    out = paper
    out[bt:bt + ph, bl:bl + pw] = picture
    # a thin shadow line where the picture meets the card (the emulsion edge)
    img = Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    d.rectangle((bl - 1, bt - 1, bl + pw, bt + ph), outline=(150, 128, 100), width=1)
    # pencilled caption on the border, a little crooked
    cap = Image.new("L", (700, 120), 0)
    ImageDraw.Draw(cap).text((10, 60), "Gull Point, 1921", font=font(54, "italic"), fill=255, anchor="lm")
    cap = cap.rotate(1.2, resample=Image.Resampling.BICUBIC, expand=True).filter(ImageFilter.GaussianBlur(0.5))
    ink = Image.new("RGB", cap.size, (96, 80, 70))
    img.paste(ink, (bl + 24, H - bb + 30 - 20), cap.point(lambda p: int(p * 0.75)))
    # a worn corner crease (top right)
    d.line([(W - 150, 0), (W, 110)], fill=(214, 202, 176), width=2)
    d.line([(W - 148, 2), (W - 2, 110)], fill=(250, 244, 228), width=1)
    return img


# == the letter on the desk ===============================================================
def desk(rng) -> np.ndarray:
    """Dark walnut planks running left to right, with flowing grain lines and pores."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    plank_h, off = 250, 40
    plank = np.floor((yy + off) / plank_h)
    base_dark = np.array([30, 16, 9], np.float32)
    base_light = np.array([112, 66, 36], np.float32)
    flow = 16 * fractal(H, W, 200, rng, 3, sx=5.0) + 4 * fractal(H, W, 40, rng, 2, sx=8.0)
    phase = (yy + flow + plank * 37.0) / 10.0
    frac = phase - np.floor(phase)
    lines = np.exp(-((frac - 0.5) / 0.10) ** 2) * np.clip(0.6 + 0.8 * fractal(H, W, 60, rng, 2, sx=6.0), 0, 1)
    streak = fractal(H, W, 7, rng, 3, sx=22.0)
    pores = fractal(H, W, 1.6, rng, 1, sx=14.0)
    t = 0.50 + 0.16 * streak + 0.04 * pores - 0.30 * lines + 0.10 * np.sin(plank * 2.3 + 1.0)
    t = t + 0.08 * fractal(H, W, 300, rng, 2)
    pos = (yy + off) % plank_h
    t = np.where(pos < 3, 0.02, t)  # the gap between planks
    t = np.where((pos >= 3) & (pos < 5), t + 0.12, t)  # a lit bevel just below it
    t = np.clip(t, 0, 1)
    out = base_dark + (base_light - base_dark) * t[..., None]
    # warm lamp light from the upper left, dark corners
    light = np.exp(-(((xx - W * 0.30) / (W * 0.75)) ** 2 + ((yy - H * 0.15) / (H * 0.9)) ** 2))
    return out * (0.45 + 0.85 * light)[..., None]


def paper_sheet(rng, pw=1120, ph=760) -> Image.Image:
    """The letter: aged paper with a fold, faint rules and handwriting, as RGBA."""
    yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
    col = np.zeros((ph, pw, 3), np.float32) + np.array([236, 223, 194], np.float32)
    edge_d = np.minimum.reduce([xx, yy, pw - 1 - xx, ph - 1 - yy])
    age = np.clip(1 - edge_d / 90, 0, 1) ** 1.8 * 0.9 + 0.35 * np.clip(fractal(ph, pw, 150, rng, 4), 0, 1)
    col = col - age[..., None] * np.array([30, 46, 72], np.float32)
    col = col - (np.clip(fractal(ph, pw, 14, rng, 3) - 0.5, 0, 1) * 2)[..., None] * np.array([22, 34, 50], np.float32)
    col = col + (4 * fractal(ph, pw, 2.0, rng, 1, sx=3)).astype(np.float32)[..., None]  # paper fibre
    # a horizontal fold through the middle: a light ridge above a shadow
    fy = ph * 0.5
    fold = np.exp(-((yy - fy) / 3.0) ** 2)
    col = col - (fold * 26)[..., None] + (np.exp(-((yy - fy + 5) / 4.0) ** 2) * 12)[..., None]
    col = col * (1 - 0.05 * (yy > fy))[..., None]  # the lower half tilts a little away from the light
    img = Image.fromarray(np.clip(col, 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    # faint printed rules and a margin, on their own layer so they blend into the paper
    rules = Image.new("RGBA", (pw, ph), (0, 0, 0, 0))
    d = ImageDraw.Draw(rules)
    top, gap = 168, 106
    for k in range(6):
        y = top + k * gap
        d.line([(60, y), (pw - 60, y)], fill=(120, 140, 175, 70), width=2)
    d.line([(118, 36), (118, ph - 36)], fill=(190, 90, 90, 60), width=2)
    img = Image.alpha_composite(img, rules)
    # handwriting: each word a little off the line, tilted and inked unevenly
    ink = Image.new("L", (pw, ph), 0)
    lines = [
        (150, "Dear Elsie,"),
        (196, "the light has not failed"),
        (150, "in forty years."),
        (150, "It will not fail tonight."),
        (620, "\u2014 Tom"),
    ]
    size = 76
    for k, (x0, text) in enumerate(lines):
        baseline = top + k * gap - 10 + (gap * 0.3 if k == 4 else 0)
        x = x0 + rng.uniform(-6, 6)
        for word in text.split(" "):
            f = font(int(size * rng.uniform(0.97, 1.04)), "italic")
            wl = int(f.getlength(word)) + 40
            tile = Image.new("L", (wl, size * 2), 0)
            ImageDraw.Draw(tile).text((20, size * 1.3), word, font=f, fill=int(rng.uniform(225, 255)), anchor="ls")
            tile = tile.rotate(rng.uniform(-2.0, 2.0), resample=Image.Resampling.BICUBIC)
            dy = rng.uniform(-3, 3)
            ink.paste(tile, (int(x - 20), int(baseline - size * 1.3 + dy)), tile)
            x += f.getlength(word + " ") + rng.uniform(-2, 4)
    ink = ink.filter(ImageFilter.GaussianBlur(0.6))
    # ink soaks unevenly: modulate the strength with noise
    strength = np.clip(0.93 + 0.2 * fractal(ph, pw, 30, rng, 3), 0.75, 1.0)
    a = (np.asarray(ink, np.float32) * strength).astype(np.uint8)
    ink_layer = Image.new("RGBA", (pw, ph), (22, 24, 58, 0))
    ink_layer.putalpha(Image.fromarray(a, "L"))
    img = Image.alpha_composite(img, ink_layer)
    return img


def letter() -> Image.Image:
    rng = np.random.default_rng(40)
    base = Image.fromarray(np.clip(desk(rng), 0, 255).astype(np.uint8), "RGB").convert("RGBA")
    sheet = paper_sheet(rng)
    angle = 3.2
    rot = sheet.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    ox, oy = (W - rot.width) // 2 - 10, (H - rot.height) // 2
    # soft shadow beneath the paper, offset away from the lamp
    sh = Image.new("L", (W, H), 0)
    sh.paste(rot.getchannel("A"), (ox + 18, oy + 22))
    sh = sh.filter(ImageFilter.GaussianBlur(16)).point(lambda p: int(p * 0.65))
    base.paste(Image.new("RGBA", (W, H), (8, 4, 2, 255)), (0, 0), sh)
    base.alpha_composite(rot, (ox, oy))
    # the lamp light falls across the desk and the paper alike, fading to the right
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    glow = np.exp(-(((xx - W * 0.25) / (W * 0.9)) ** 2 + ((yy - H * 0.1) / (H * 1.1)) ** 2))
    arr = np.asarray(base.convert("RGB"), np.float32) * (0.78 + 0.3 * glow)[..., None]
    arr = arr * np.array([1.0, 0.97, 0.9], np.float32)  # warm
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


LICENSE = """\
The images in this folder (old-photograph.png, letter.png) were generated by
projects/lighthouse/make_assets.py in this repository. They are drawn entirely in code;
no outside artwork, photographs or scans were used.

They are dedicated to the public domain under CC0 1.0 Universal
(https://creativecommons.org/publicdomain/zero/1.0/): you may copy, modify, distribute and
use them, even commercially, without asking permission or giving credit.

The handwriting is set in Lato Italic (SIL Open Font License 1.1), shipped by the font-lato
package.
"""


def main() -> None:
    for name, draw, palette in (("old-photograph.png", photograph, True), ("letter.png", letter, False)):
        path = save(draw(), name, palette)
        print(f"{path.relative_to(HERE.parents[1])}  {path.stat().st_size // 1024} KiB")
    (OUT / "LICENSE.txt").write_text(LICENSE)


if __name__ == "__main__":
    main()
