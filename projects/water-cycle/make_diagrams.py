#!/usr/bin/env python3
"""Draw the diagrams for the water-cycle lesson into `assets/` (1920x1080 PNGs).

Everything is drawn in code with Pillow (and numpy for gradients), so the images belong to
this repository and are free to use (CC0). The output is deterministic: run it again and you
get the same pictures.

    python projects/water-cycle/make_diagrams.py        # from the repository root

Style: flat colours, one palette, one colour per stage of the cycle (used for its arrows and
its label everywhere), large labels, and the important content inside the central 80% of the
frame so a slow camera move or a 20% zoom never crops it.
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
W, H = 1920, 1080
SS = 2  # everything is drawn at twice the size and scaled down, for smooth edges

# -- palette ------------------------------------------------------------------------------
WHITE = (255, 255, 255)
INK = (34, 49, 63)  # dark slate for text
SKY_TOP = (126, 200, 240)
SKY_LOW = (222, 243, 252)
SEA_TOP = (74, 163, 222)
SEA_DEEP = (23, 94, 150)
SEA_LINE = (150, 210, 245)
SAND = (240, 214, 150)
GRASS = (128, 194, 92)
GRASS_DARK = (96, 163, 70)
SOIL = (160, 112, 74)
SOIL_DARK = (122, 82, 54)
ROCK_LIGHT = (150, 134, 160)
ROCK_DARK = (112, 98, 128)
SNOW = (250, 252, 255)
RIVER = (70, 160, 225)
SUN = (255, 204, 51)
SUN_RAY = (255, 170, 30)
CLOUD = (255, 255, 255)
CLOUD_SHADE = (208, 224, 238)
STORM = (120, 134, 155)
STORM_SHADE = (92, 104, 124)
TRUNK = (130, 90, 60)
LEAF = (62, 140, 70)
LEAF_LIGHT = (88, 168, 84)

# one colour per stage
EVAP = (236, 122, 28)  # orange: heat
COND = (137, 87, 196)  # purple
PREC = (28, 102, 196)  # blue
COLL = (0, 150, 136)  # teal


# -- geometry -----------------------------------------------------------------------------
def bezier(*ctrl: tuple[float, float], n: int = 96) -> list[tuple[float, float]]:
    """Points along a quadratic or cubic Bezier curve."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    p = np.array(ctrl, dtype=float)
    if len(p) == 3:
        pts = (1 - t) ** 2 * p[0] + 2 * (1 - t) * t * p[1] + t**2 * p[2]
    else:
        pts = (1 - t) ** 3 * p[0] + 3 * (1 - t) ** 2 * t * p[1] + 3 * (1 - t) * t**2 * p[2] + t**3 * p[3]
    return [tuple(q) for q in pts]


def wavy(x: float, y0: float, y1: float, amp: float = 22, waves: float = 1.25, n: int = 80):
    """A vertical wavy path from (x, y0) to about (x + amp, y1), ending on a crest (pointing straight)."""
    t = np.linspace(0.0, 1.0, n)
    xs = x + amp * np.sin(2 * math.pi * waves * t)
    ys = y0 + (y1 - y0) * t
    return list(zip(xs, ys))


def path_length(pts) -> np.ndarray:
    p = np.asarray(pts, dtype=float)
    seg = np.hypot(*np.diff(p, axis=0).T)
    return np.concatenate([[0.0], np.cumsum(seg)])


def point_at(pts, dist: float) -> tuple[float, float]:
    p = np.asarray(pts, dtype=float)
    s = path_length(p)
    return float(np.interp(dist, s, p[:, 0])), float(np.interp(dist, s, p[:, 1]))


def sub_path(pts, d0: float, d1: float, step: float = 4.0):
    p = np.asarray(pts, dtype=float)
    s = path_length(p)
    ds = np.linspace(d0, d1, max(2, int((d1 - d0) / step) + 2))
    return list(zip(np.interp(ds, s, p[:, 0]), np.interp(ds, s, p[:, 1])))


def outline_polygon(pts, width: float):
    """The outline of a thick stroke along the polyline `pts` (a clean polygon, no joint ticks)."""
    p = np.asarray(sub_path(pts, 0.0, path_length(pts)[-1], step=2.0), dtype=float)
    t = np.gradient(p, axis=0)
    t /= np.maximum(np.hypot(t[:, 0], t[:, 1]), 1e-9)[:, None]
    nrm = np.stack([-t[:, 1], t[:, 0]], axis=1) * (width / 2)
    return [tuple(q) for q in p + nrm] + [tuple(q) for q in (p - nrm)[::-1]]


def vgrad(w: int, h: int, stops) -> Image.Image:
    """A vertical gradient image; `stops` are (position 0..1, colour)."""
    pos = [p for p, _ in stops]
    cols = np.array([c for _, c in stops], dtype=float)
    y = np.linspace(0.0, 1.0, h)
    col = np.stack([np.interp(y, pos, cols[:, i]) for i in range(3)], axis=1)
    arr = np.broadcast_to(col[:, None, :], (h, w, 3))
    return Image.fromarray(np.ascontiguousarray(arr).round().astype(np.uint8), "RGB").convert("RGBA")


def mix(a, b, t: float):
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


# -- the canvas ---------------------------------------------------------------------------
class Canvas:
    """A supersampled RGBA canvas addressed in final (1920x1080) pixel coordinates."""

    def __init__(self, sky=((0.0, SKY_TOP), (1.0, SKY_LOW))):
        self.im = vgrad(W * SS, H * SS, sky)
        self.d = ImageDraw.Draw(self.im)

    # coordinates
    @staticmethod
    def p(pts):
        return [(x * SS, y * SS) for x, y in pts]

    def mask(self) -> tuple[Image.Image, ImageDraw.ImageDraw]:
        m = Image.new("L", self.im.size, 0)
        return m, ImageDraw.Draw(m)

    def paint(self, mask: Image.Image, paint, opacity: float = 1.0) -> None:
        """Fill `mask` with a colour or an image."""
        if opacity < 1.0:
            mask = mask.point(lambda v: int(v * opacity))
        if isinstance(paint, tuple):
            self.im.paste(paint + (255,) if len(paint) == 3 else paint, (0, 0, *self.im.size), mask)
        else:
            self.im.paste(paint, (0, 0), mask)

    def shadow(self, mask: Image.Image, dx=0.0, dy=6.0, blur=10.0, opacity=0.22, color=(20, 40, 60)) -> None:
        box = mask.getbbox()
        if not box:
            return
        pad = int(blur * SS * 3)
        x0, y0 = max(0, box[0] - pad), max(0, box[1] - pad)
        x1, y1 = min(self.im.width, box[2] + pad), min(self.im.height, box[3] + pad)
        crop = mask.crop((x0, y0, x1, y1)).filter(ImageFilter.GaussianBlur(blur * SS))
        crop = crop.point(lambda v: int(v * opacity))
        layer = Image.new("L", self.im.size, 0)
        layer.paste(crop, (x0 + int(dx * SS), y0 + int(dy * SS)))
        self.paint(layer, color)

    # primitives (solid colours straight onto the image)
    def poly(self, pts, fill) -> None:
        self.d.polygon(self.p(pts), fill=fill)

    def circle(self, cx, cy, r, fill, outline=None, width=0) -> None:
        self.d.ellipse(((cx - r) * SS, (cy - r) * SS, (cx + r) * SS, (cy + r) * SS), fill=fill,
                       outline=outline, width=int(width * SS))

    def line(self, pts, fill, width, caps=True) -> None:
        if len(pts) > 2:
            self.d.polygon(self.p(outline_polygon(pts, width)), fill=fill)
        else:
            self.d.line(self.p(pts), fill=fill, width=int(round(width * SS)))
        if caps:
            for x, y in (pts[0], pts[-1]):
                self.circle(x, y, width / 2 - 0.25, fill)

    def rrect(self, box, r, fill, outline=None, width=0) -> None:
        x0, y0, x1, y1 = box
        self.d.rounded_rectangle((x0 * SS, y0 * SS, x1 * SS, y1 * SS), radius=r * SS, fill=fill,
                                 outline=outline, width=int(width * SS))

    def text(self, x, y, s, size, weight="bold", fill=INK, anchor="mm", stroke=0.0, stroke_fill=WHITE):
        self.d.text((x * SS, y * SS), s, font=font(int(size * SS), weight), fill=fill, anchor=anchor,
                    stroke_width=int(stroke * SS), stroke_fill=stroke_fill)

    @staticmethod
    def text_width(s, size, weight="bold") -> float:
        return font(int(size * SS), weight).getlength(s) / SS

    def save(self, name: str) -> Path:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / name
        small = self.im.convert("RGB").resize((W, H), Image.Resampling.LANCZOS)
        small.save(path, optimize=True)
        return path


# -- arrows -------------------------------------------------------------------------------
def arrow(c: Canvas, pts, color, width=14.0, head=None, outline=5.0, outline_color=WHITE,
          dash: tuple[float, float] | None = None, both=False) -> None:
    """A thick arrow along the polyline `pts`, head at the end, with a white outline."""
    head = head or width * 2.6
    head_w = head * 1.05
    total = path_length(pts)[-1]

    def head_tri(tip, back):
        ux, uy = tip[0] - back[0], tip[1] - back[1]
        n = math.hypot(ux, uy) or 1.0
        ux, uy = ux / n, uy / n
        bx, by = tip[0] - ux * head, tip[1] - uy * head
        return [tip, (bx - uy * head_w / 2, by + ux * head_w / 2), (bx + uy * head_w / 2, by - ux * head_w / 2)]

    start = head * 0.8 if both else 0.0
    shaft = sub_path(pts, start, total - head * 0.8)
    pieces = [shaft]
    if dash:
        on, off = dash
        pieces, d = [], start
        while d < total - head * 0.8:
            pieces.append(sub_path(pts, d, min(d + on, total - head * 0.8)))
            d += on + off
    m, md = c.mask()
    r = width / 2
    for piece in pieces:
        md.polygon(c.p(outline_polygon(piece, width)), fill=255)
        for x, y in (piece[0], piece[-1]):
            md.ellipse(((x - r) * SS, (y - r) * SS, (x + r) * SS, (y + r) * SS), fill=255)
    md.polygon(c.p(head_tri(pts[-1], point_at(pts, total - head))), fill=255)
    if both:
        md.polygon(c.p(head_tri(pts[0], point_at(pts, head))), fill=255)
    if outline:
        box = m.getbbox()
        pad = int(outline * SS) + 2
        crop = m.crop((box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad))
        k = int(outline * SS) * 2 + 1
        grown = crop.filter(ImageFilter.MaxFilter(k)).filter(ImageFilter.GaussianBlur(1))
        om = Image.new("L", m.size, 0)
        om.paste(grown, (box[0] - pad, box[1] - pad))
        c.shadow(om, dy=3, blur=5, opacity=0.18)
        c.paint(om, outline_color)
    c.paint(m, color)


# -- labels -------------------------------------------------------------------------------
def pill(c: Canvas, cx, cy, text, color, size=54, pad_x=34, pad_y=18, text_color=WHITE) -> tuple:
    """A rounded, coloured label with white bold text centred on (cx, cy); returns its box."""
    tw = c.text_width(text, size)
    h = size * 0.72 + 2 * pad_y + 8
    box = (cx - tw / 2 - pad_x, cy - h / 2, cx + tw / 2 + pad_x, cy + h / 2)
    m, md = c.mask()
    md.rounded_rectangle([v * SS for v in box], radius=h / 2 * SS, fill=255)
    c.shadow(m, dy=5, blur=8, opacity=0.25)
    c.rrect((box[0] - 4, box[1] - 4, box[2] + 4, box[3] + 4), h / 2 + 4, WHITE)
    c.rrect(box, h / 2, color)
    c.text(cx, cy + size * 0.36, text, size, "bold", text_color, anchor="ms")
    return box


def caption(c: Canvas, cx, cy, text, size=40) -> None:
    """A white rounded caption box with dark text centred on (cx, cy)."""
    tw = c.text_width(text, size, "regular")
    h = size * 0.72 + 36
    box = (cx - tw / 2 - 30, cy - h / 2, cx + tw / 2 + 30, cy + h / 2)
    m, md = c.mask()
    md.rounded_rectangle([v * SS for v in box], radius=16 * SS, fill=255)
    c.shadow(m, dy=4, blur=8, opacity=0.18)
    c.paint(m, WHITE, 0.94)
    c.text(cx, cy + size * 0.36, text, size, "regular", INK, anchor="ms")


def heading(c: Canvas, title, subtitle, color, y=150) -> None:
    """The stage label and its caption, at the top centre of a stage diagram."""
    pill(c, W / 2, y, title, color, size=66, pad_x=44, pad_y=20)
    caption(c, W / 2, y + 104, subtitle, size=42)


def tag(c: Canvas, x, y, text, size=34, anchor="mm", color=INK) -> None:
    """A small annotation: dark text on a white rounded tag."""
    tw = c.text_width(text, size, "bold")
    h = size * 0.72 + 24
    if anchor == "lm":
        x = x + tw / 2 + 18
    elif anchor == "rm":
        x = x - tw / 2 - 18
    box = (x - tw / 2 - 18, y - h / 2, x + tw / 2 + 18, y + h / 2)
    m, md = c.mask()
    md.rounded_rectangle([v * SS for v in box], radius=h / 2 * SS, fill=255)
    c.shadow(m, dy=3, blur=6, opacity=0.18)
    c.paint(m, WHITE, 0.95)
    c.text(x, y + size * 0.36, text, size, "bold", color, anchor="ms")


# -- scenery ------------------------------------------------------------------------------
def sun(c: Canvas, cx, cy, r, rays=12) -> None:
    m, md = c.mask()
    for k, rr in enumerate((r * 2.0, r * 1.65)):
        md.ellipse(((cx - rr) * SS, (cy - rr) * SS, (cx + rr) * SS, (cy + rr) * SS), fill=255)
        c.paint(m, (255, 236, 170), 0.18 + 0.14 * k)
        m, md = c.mask()
    for i in range(rays):
        a = 2 * math.pi * i / rays + math.pi / rays
        r0, r1 = r * 1.2, r * (1.5 if i % 2 else 1.62)
        c.line([(cx + r0 * math.cos(a), cy + r0 * math.sin(a)), (cx + r1 * math.cos(a), cy + r1 * math.sin(a))],
               SUN_RAY, r * 0.13)
    c.circle(cx, cy, r, SUN)
    c.circle(cx - r * 0.08, cy - r * 0.08, r * 0.82, (255, 218, 92))


def cloud(c: Canvas, cx, cy, w, body=CLOUD, shade=CLOUD_SHADE, outline=None) -> None:
    """A flat cartoon cloud centred on (cx, cy), `w` wide, with a shaded underside."""
    bumps = [(-0.30, 0.02, 0.17), (-0.11, -0.10, 0.235), (0.13, -0.05, 0.21), (0.31, 0.04, 0.15)]
    base = cy + 0.15 * w
    m, md = c.mask()
    for dx, dy, r in bumps:
        x, y, rr = cx + dx * w, cy + dy * w, r * w
        md.ellipse(((x - rr) * SS, (y - rr) * SS, (x + rr) * SS, (y + rr) * SS), fill=255)
    md.rectangle(((cx - 0.4 * w) * SS, (cy - 0.05 * w) * SS, (cx + 0.4 * w) * SS, base * SS), fill=255)
    md.rectangle((0, base * SS, m.width, m.height), fill=0)
    c.shadow(m, dy=8, blur=10, opacity=0.10)
    if outline:
        grown = m.filter(ImageFilter.MaxFilter(int(outline * SS) * 2 + 1))
        c.paint(grown, WHITE)
    c.paint(m, shade)
    up = Image.new("L", m.size, 0)
    up.paste(m, (0, -int(0.06 * w * SS)))
    up = Image.fromarray(np.minimum(np.asarray(up), np.asarray(m)))
    c.paint(up, body)


def mountain(c: Canvas, px, py, left, right, base, light=ROCK_LIGHT, dark=ROCK_DARK, snow=0.32) -> None:
    """A flat two-tone mountain with a snow cap (`snow` = fraction of the height)."""
    split = px + (right - px) * 0.18
    c.poly([(left, base), (px, py), (split, base)], light)
    c.poly([(px, py), (right, base), (split, base)], dark)
    if snow:
        h = base - py
        sy = py + h * snow
        xl = px + (left - px) * snow
        xr = px + (right - px) * snow
        xs = px + (split - px) * snow
        teeth = [(xl, sy)]
        for i, f in enumerate(np.linspace(0, 1, 6)[1:-1]):
            x = xl + (xr - xl) * f
            teeth.append((x, sy + (h * 0.07 if i % 2 == 0 else -h * 0.02)))
        teeth.append((xr, sy))
        c.poly([(px, py), *teeth[::-1]], SNOW)
        # darker snow on the shaded face
        shaded = [(px, py), (xr, sy)] + [t for t in teeth[::-1] if t[0] >= xs] + [(xs, sy + h * 0.05)]
        c.poly(shaded, (222, 232, 245))


def pine(c: Canvas, x, ground, h, color=LEAF) -> None:
    c.poly([(x - h * 0.05, ground), (x + h * 0.05, ground), (x + h * 0.05, ground - h * 0.25),
            (x - h * 0.05, ground - h * 0.25)], TRUNK)
    for k, (y0, half) in enumerate(((0.15, 0.30), (0.42, 0.24), (0.66, 0.17))):
        c.poly([(x - h * half, ground - h * y0), (x + h * half, ground - h * y0), (x, ground - h * (y0 + 0.42))],
               color if k % 2 == 0 else mix(color, (40, 100, 50), 0.25))


def tree(c: Canvas, x, ground, h) -> None:
    c.poly([(x - h * 0.06, ground), (x + h * 0.06, ground), (x + h * 0.05, ground - h * 0.5),
            (x - h * 0.05, ground - h * 0.5)], TRUNK)
    c.circle(x, ground - h * 0.68, h * 0.33, LEAF)
    c.circle(x - h * 0.08, ground - h * 0.75, h * 0.2, LEAF_LIGHT)


def sea(c: Canvas, top, left=0, right=W, bottom=H, waves=()) -> None:
    m, md = c.mask()
    md.rectangle((left * SS, top * SS, right * SS, bottom * SS), fill=255)
    c.paint(m, vgrad(W * SS, H * SS, ((0.0, SEA_TOP), (top / H, SEA_TOP), (1.0, SEA_DEEP))))
    c.line([(left, top + 3), (right, top + 3)], (170, 220, 250), 6, caps=False)
    for x, y, w in waves:
        t = np.linspace(0, 1, 30)
        c.line(list(zip(x + w * t, y - 6 * np.sin(2 * math.pi * t))), SEA_LINE, 5)


def ground_at(edge, x: float) -> float:
    """The y of the polyline `edge` (sorted by x) at `x`."""
    xs, ys = zip(*edge)
    return float(np.interp(x, xs, ys))


def land(c: Canvas, top_edge, bottom=H, beach=0) -> None:
    """Land whose top edge is the polyline `top_edge` (left to right), filled down to `bottom`;
    the first `beach` points are a coast with a strip of sand along it."""
    if beach:
        coast = top_edge[:beach]
        c.poly([(x - 30, y) for x, y in coast] + [(coast[-1][0], bottom), (coast[0][0] - 30, bottom)], SAND)
    m, md = c.mask()
    md.polygon(c.p(list(top_edge) + [(top_edge[-1][0], bottom), (top_edge[0][0], bottom)]), fill=255)
    c.paint(m, vgrad(W * SS, H * SS, ((0.0, GRASS), (0.6, GRASS), (1.0, GRASS_DARK))))


def rain(c: Canvas, x0, x1, y0, y1, rng, color=(70, 140, 220), length=34, slant=-8, dx=34, dy=78) -> None:
    """Rain as tidy staggered streaks filling the box (x0, y0)-(x1, y1)."""
    for i, x in enumerate(np.arange(x0, x1, dx)):
        for y in np.arange(y0 + (dy / 2 if i % 2 else 0), y1 - length, dy):
            jx, jy = rng.uniform(-5, 5), rng.uniform(-10, 10)
            c.line([(x + jx, y + jy), (x + jx + slant, y + jy + length)], color, 6)


def flake(c: Canvas, x, y, r, color=WHITE, edge=(150, 170, 205)) -> None:
    """A six-armed snowflake with a thin darker edge so it shows on snow too."""
    for pass_, (col, w) in enumerate(((edge, r * 0.42), (color, r * 0.24))):
        for k in range(3):
            a = math.pi / 3 * k + math.pi / 2
            ca, sa = math.cos(a), math.sin(a)
            c.line([(x - r * ca, y - r * sa), (x + r * ca, y + r * sa)], col, w)
            for sgn in (-1, 1):  # little branches near each tip
                bx, by = x + sgn * r * 0.55 * ca, y + sgn * r * 0.55 * sa
                for turn in (-0.7, 0.7):
                    b = a + turn + (math.pi if sgn < 0 else 0)
                    c.line([(bx, by), (bx + r * 0.35 * math.cos(b), by + r * 0.35 * math.sin(b))], col, w * 0.8)


def drop(c: Canvas, cx, cy, r, color=RIVER, highlight=True) -> None:
    """A water drop whose round part is centred on (cx, cy) with radius r."""
    a = math.radians(38)
    pts = [(cx, cy - r * 2.05), (cx + r * math.cos(a), cy - r * math.sin(a)), (cx - r * math.cos(a), cy - r * math.sin(a))]
    c.poly(pts, color)
    c.circle(cx, cy, r, color)
    if highlight:
        c.circle(cx - r * 0.35, cy - r * 0.1, r * 0.22, mix(color, WHITE, 0.55))


def river(c: Canvas, pts, width=22) -> None:
    c.line(pts, (44, 130, 200), width + 8)
    c.line(pts, RIVER, width)


# == the diagrams =========================================================================
def overview() -> Canvas:
    """01: the whole landscape with the cycle as a loop of arrows and the four stage labels."""
    rng = np.random.default_rng(1)
    c = Canvas(((0.0, SKY_TOP), (0.62, SKY_LOW), (1.0, SKY_LOW)))
    horizon = 650
    sun(c, 250, 210, 74)
    # mountains at the right
    mountain(c, 1790, 300, 1520, 2060, 700, snow=0.3)
    mountain(c, 1330, 330, 1040, 1620, 700, snow=0.3)
    mountain(c, 1570, 250, 1290, 1860, 700, snow=0.3)
    sea(c, horizon, waves=[(120, 760, 90), (330, 840, 110), (560, 740, 80), (200, 940, 120), (460, 1000, 90)])
    coast = bezier((600, 1080), (660, 820), (800, 700), (1000, 670), n=40)
    edge = coast + bezier((1000, 670), (1300, 655), (1600, 640), (1920, 615), n=40)[1:]
    land(c, edge, beach=len(coast))
    # the river from the mountains into a lake, and on to the sea
    river(c, bezier((1480, 650), (1420, 720), (1320, 690), (1250, 752)), 16)
    c.d.ellipse((1080 * SS, 742 * SS, 1320 * SS, 798 * SS), fill=(44, 130, 200))
    c.d.ellipse((1086 * SS, 746 * SS, 1314 * SS, 794 * SS), fill=RIVER)
    river(c, bezier((1095, 775), (1000, 800), (900, 760), (735, 790)), 20)
    for x, h in ((1410, 80), (1470, 66), (1640, 84), (1710, 70), (1350, 60)):
        pine(c, x, ground_at(edge, x) + 14, h)
    for x, dy, h in ((930, 20, 70), (1010, 10, 60), (1400, 140, 84), (1530, 100, 74), (1740, 80, 90)):
        tree(c, x, ground_at(edge, x) + dy, h)
    # clouds: a white one forming over the sea, a rain cloud over the mountains
    rain(c, 1270, 1520, 300, 480, rng)
    cloud(c, 690, 245, 330)
    cloud(c, 1390, 215, 360, STORM, STORM_SHADE)
    # the loop of arrows
    for x in (560, 660, 760):
        arrow(c, wavy(x, 690, 390, amp=20, waves=1.25), EVAP, width=13)
    arrow(c, bezier((880, 215), (1000, 140), (1130, 140), (1210, 195)), COND, width=15)
    arrow(c, [(1610, 300), (1610, 520)], PREC, width=16)
    arrow(c, bezier((1580, 800), (1400, 890), (1000, 900), (700, 830)), COLL, width=16)
    # labels
    pill(c, 360, 500, "Evaporation", EVAP, size=50)
    pill(c, 1010, 330, "Condensation", COND, size=50)
    pill(c, 1560, 600, "Precipitation", PREC, size=50)
    pill(c, 1120, 872, "Collection", COLL, size=50)
    return c


def evaporation() -> Canvas:
    """02: the sun heats the sea; vapour rises."""
    c = Canvas(((0.0, (140, 206, 244)), (0.6, (255, 240, 214)), (1.0, (255, 240, 214))))
    horizon = 700
    sx, sy, sr = 370, 420, 105
    sun(c, sx, sy, sr)
    sea(c, horizon, waves=[(220, 840, 110), (470, 930, 130), (1040, 800, 100), (1300, 900, 120), (1600, 820, 110),
                           (330, 1010, 120), (900, 990, 120), (1500, 1000, 110)])
    # sun glints where the heat reaches the water
    for x, y, w in ((560, 722, 90), (700, 742, 120), (840, 724, 100), (660, 770, 70), (900, 760, 80)):
        c.line([(x, y), (x + w, y)], (255, 226, 150), 7)
    # heat: dashed arrows from the sun down to the sea
    for tx in (600, 760, 920):
        ty = horizon - 8
        dx, dy = tx - sx, ty - sy
        n = math.hypot(dx, dy)
        x0, y0 = sx + dx / n * sr * 1.75, sy + dy / n * sr * 1.75
        arrow(c, [(x0, y0), (tx, ty)], (232, 72, 36), width=10, outline=4, dash=(24, 14))
    tag(c, sx, 620, "Heat from the Sun", 36, color=(200, 60, 30))
    # vapour rising
    rng = np.random.default_rng(2)
    xs = (900, 1040, 1180, 1320, 1460)
    for x in xs:
        for _ in range(7):
            c.circle(x + rng.uniform(-50, 70), rng.uniform(420, 660), rng.uniform(5, 9), (255, 255, 255))
    for i, x in enumerate(xs):
        arrow(c, wavy(x, horizon - 10, 390 if i % 2 == 0 else 430, amp=22, waves=1.25), EVAP, width=13)
    tag(c, 1540, 520, "Water vapour", 36, anchor="lm", color=EVAP)
    tag(c, 300, 820, "Sea", 36)
    heading(c, "Evaporation", "Heat turns water into vapour", EVAP)
    return c


def droplet(c: Canvas, x, y, r, color=(64, 150, 225)) -> None:
    """A tiny round droplet with a highlight."""
    c.circle(x, y, r, color)
    c.circle(x - r * 0.3, y - r * 0.3, r * 0.3, mix(color, WHITE, 0.6))


def condensation() -> Canvas:
    """03: vapour rises, cools and gathers into a cloud of tiny droplets."""
    c = Canvas(((0.0, (92, 152, 214)), (0.55, (170, 214, 242)), (1.0, (226, 244, 252))))
    sea(c, 900, waves=[(300, 980, 120), (800, 1010, 130), (1400, 990, 120)])
    # temperature bar on the left: colder higher up
    x0, y0, y1 = 300, 380, 830
    m, md = c.mask()
    md.rounded_rectangle(((x0 - 24) * SS, y0 * SS, (x0 + 24) * SS, y1 * SS), radius=24 * SS, fill=255)
    c.shadow(m, dy=4, blur=6, opacity=0.2)
    c.rrect((x0 - 30, y0 - 6, x0 + 30, y1 + 6), 30, WHITE)
    c.paint(m, vgrad(W * SS, H * SS, ((0.0, (60, 120, 230)), (y0 / H, (60, 120, 230)), (y1 / H, (235, 80, 50)),
                                       (1.0, (235, 80, 50)))))
    c.circle(x0, y1 + 20, 44, WHITE)
    c.circle(x0, y1 + 20, 36, (235, 80, 50))
    tag(c, x0 + 56, y0 + 24, "Colder", 36, anchor="lm", color=(40, 100, 210))
    tag(c, x0 + 64, y1 + 20, "Warmer", 36, anchor="lm", color=(210, 70, 40))
    # rising vapour into the cloud
    ccx, ccy, cw = 1020, 510, 560
    for i, x in enumerate((840, 960, 1080, 1200)):
        arrow(c, wavy(x, 880, 640 if i in (1, 2) else 660, amp=20, waves=1.25), COND, width=13)
    tag(c, 790, 720, "Rising vapour", 36, anchor="rm", color=COND)
    cloud(c, ccx, ccy, cw)
    # tiny droplets gathering inside the cloud
    rng = np.random.default_rng(3)
    for _ in range(40):
        x, y = rng.uniform(ccx - 190, ccx + 190), rng.uniform(ccy - 50, ccy + 60)
        droplet(c, x, y, rng.uniform(4, 7), (110, 175, 235))
    # magnifier inset: a close-up of the droplets
    cx, cy, r = 1530, 600, 160
    lx, ly, lr = ccx + 150, ccy + 5, 58
    c.line([(lx, ly - lr), (cx - r * 0.45, cy - r * 0.9)], COND, 4)
    c.line([(lx, ly + lr), (cx - r * 0.45, cy + r * 0.9)], COND, 4)
    c.circle(lx, ly, lr, None, outline=COND, width=5)
    m, md = c.mask()
    md.ellipse(((cx - r) * SS, (cy - r) * SS, (cx + r) * SS, (cy + r) * SS), fill=255)
    c.shadow(m, dy=6, blur=10, opacity=0.25)
    c.circle(cx, cy, r + 10, WHITE)
    c.circle(cx, cy, r, (236, 245, 252))
    for k, (dx, dy) in enumerate([(-62, -78), (2, -98), (64, -70), (-100, -12), (-36, -30), (30, -22), (96, -8),
                                  (-66, 48), (0, 36), (66, 50), (-28, 104), (38, 106), (-110, 50), (110, 56)]):
        if dx * dx + dy * dy < (r - 28) ** 2:
            droplet(c, cx + dx, cy + dy, 20 + (k % 3) * 4)
    c.circle(cx, cy, r + 10, None, outline=COND, width=8)
    tag(c, cx, cy + r + 52, "Tiny droplets", 36, color=COND)
    heading(c, "Condensation", "Vapour cools into tiny droplets", COND)
    return c


def precipitation() -> Canvas:
    """04: droplets grow heavy and fall: rain onto a lake, snow onto the mountains."""
    rng = np.random.default_rng(4)
    c = Canvas(((0.0, (150, 168, 192)), (0.5, (204, 216, 230)), (1.0, (226, 234, 242))))
    dark, dark_shade = (96, 110, 134), (72, 84, 104)
    ground = 830
    mountain(c, 1400, 500, 1060, 1740, ground + 20, snow=0.42)
    mountain(c, 1680, 560, 1420, 1980, ground + 20, snow=0.4)
    mountain(c, 1150, 590, 900, 1390, ground + 20, snow=0.38)
    land(c, bezier((0, 820), (400, 800), (900, 840), (1920, 830)))
    c.d.ellipse((330 * SS, 880 * SS, 820 * SS, 960 * SS), fill=(44, 130, 200))
    c.d.ellipse((338 * SS, 885 * SS, 812 * SS, 955 * SS), fill=RIVER)
    for x, g, h in ((250, 850, 110), (880, 860, 96), (980, 850, 80)):
        tree(c, x, g, h)
    for x, g, h in ((1230, 848, 90), (1310, 852, 76), (1560, 846, 96), (1640, 850, 80)):
        pine(c, x, g, h)
    # rain on the left, snow on the right
    rain(c, 380, 760, 490, 830, rng, color=(40, 110, 210), length=40)
    for x in np.arange(1150, 1620, 64):
        for y in np.arange(500, 800, 70):
            fx, fy = x + rng.uniform(-20, 20) + (32 if int(y) % 140 else 0), y + rng.uniform(-14, 14)
            flake(c, fx, fy, 15)
    cloud(c, 570, 420, 500, dark, dark_shade)
    cloud(c, 1390, 420, 560, dark, dark_shade)
    arrow(c, [(790, 500), (790, 760)], PREC, width=18)
    arrow(c, [(1650, 500), (1650, 700)], PREC, width=18)
    tag(c, 570, 660, "Rain", 40, color=PREC)
    tag(c, 1390, 640, "Snow", 40, color=PREC)
    # how a drop gets heavy: tiny droplets join into bigger drops
    x, y0, y1 = 1010, 410, 770
    m, md = c.mask()
    md.rounded_rectangle(((x - 110) * SS, y0 * SS, (x + 110) * SS, y1 * SS), radius=26 * SS, fill=255)
    c.shadow(m, dy=5, blur=8, opacity=0.22)
    c.paint(m, WHITE)
    c.text(x, y0 + 50, "Droplets", 32, "bold", INK, anchor="ms")
    c.text(x, y0 + 86, "join up", 32, "bold", INK, anchor="ms")
    for dx in (-30, 0, 30):
        droplet(c, x + dx, y0 + 128, 11, PREC)
    arrow(c, [(x, y0 + 152), (x, y0 + 196)], INK, width=7, head=18, outline=0)
    drop(c, x, y0 + 258, 26, PREC)
    arrow(c, [(x, y0 + 292), (x, y0 + 328)], INK, width=7, head=18, outline=0)
    heading(c, "Precipitation", "Droplets grow heavy and fall", PREC)
    return c


def collection() -> Canvas:
    """05: a block of land cut open at the front: rivers run down to a lake and the sea on
    the top, groundwater seeps through the ground to the sea below."""
    rng = np.random.default_rng(5)
    c = Canvas(((0.0, (150, 212, 245)), (0.55, (228, 246, 253)), (1.0, (228, 246, 253))))
    back, front = 610, 770  # the far and the near edge of the land's top surface
    coast_back, coast_front = 560, 700  # where the coast meets those edges
    # the front cut: ground layers (drawn first, across the whole width)
    c.poly([(0, front), (W, front), (W, H), (0, H)], SOIL)
    gw0, gw1 = 840, 960
    c.poly([(0, gw0), (W, gw0), (W, gw1), (0, gw1)], (128, 118, 128))
    for _ in range(110):
        x, y = rng.uniform(0, W), rng.uniform(gw0 + 10, gw1 - 10)
        c.circle(x, y, rng.uniform(5, 9), (120, 178, 232))
    c.poly([(0, gw1), (W, gw1), (W, H), (0, H)], (108, 92, 84))
    for _ in range(60):
        x, y = rng.uniform(0, W), rng.uniform(front + 22, gw0 - 8)
        c.circle(x, y, rng.uniform(4, 8), mix(SOIL, (90, 60, 40), rng.uniform(0.25, 0.5)))
    for _ in range(24):
        x, y = rng.uniform(0, W), rng.uniform(gw1 + 20, H)
        c.circle(x, y, rng.uniform(8, 16), (128, 112, 104))
    c.line([(0, gw0), (W, gw0)], (80, 150, 220), 4, caps=False)
    # the sea: its surface on top, and its water cut open at the front
    c.poly([(0, back + 30), (coast_back, back + 30), (coast_front, front), (0, front)], SEA_TOP)
    m, md = c.mask()
    md.polygon(c.p([(0, front), (coast_front + 20, front), (180, 1010), (0, 1010)]), fill=255)
    c.paint(m, vgrad(W * SS, H * SS, ((0.0, SEA_TOP), (front / H, (54, 140, 205)), (1.0, SEA_DEEP))))
    c.line([(0, back + 32), (coast_back, back + 32)], (170, 220, 250), 6, caps=False)
    for x, y in ((110, 680), (420, 735), (360, 665)):
        t = np.linspace(0, 1, 30)
        c.line(list(zip(x + 90 * t, y - 6 * np.sin(2 * math.pi * t))), SEA_LINE, 5)
    # mountains on the far edge, then the land's top surface
    mountain(c, 1480, 330, 1150, 1820, back + 10, snow=0.3)
    mountain(c, 1720, 400, 1480, 2000, back + 10, snow=0.3)
    mountain(c, 1240, 420, 1000, 1470, back + 10, snow=0.28)
    cloud(c, 1560, 300, 240)
    cloud(c, 420, 420, 220)
    c.poly([(coast_back - 26, back + 30), (coast_back, back + 30), (coast_front, front), (coast_front - 30, front)], SAND)
    top = [(coast_back, back + 30), (1000, back + 4), (W, back), (W, front), (coast_front, front)]
    m, md = c.mask()
    md.polygon(c.p(top), fill=255)
    c.paint(m, vgrad(W * SS, H * SS, ((0.0, GRASS), (back / H, (150, 206, 112)), (front / H, GRASS), (1.0, GRASS))))
    c.poly([(coast_front - 30, front), (W, front), (W, front + 16), (coast_front - 30, front + 16)], GRASS_DARK)
    # river from the mountains to a lake, then on to the sea
    river(c, bezier((1400, back + 6), (1360, 640), (1300, 650), (1250, 684)), 16)
    river(c, bezier((1660, back + 4), (1640, 690), (1420, 650), (1290, 700)), 14)
    c.d.ellipse((1000 * SS, 662 * SS, 1290 * SS, 722 * SS), fill=(44, 130, 200))
    c.d.ellipse((1006 * SS, 666 * SS, 1284 * SS, 718 * SS), fill=RIVER)
    river(c, bezier((1010, 700), (900, 740), (820, 660), (coast_back + 60, 700)), 24)
    for x, y, h in ((900, 690, 64), (1360, 750, 70), (1760, 700, 84), (1840, 690, 70), (780, 750, 56)):
        tree(c, x, y, h)
    # flow arrows: down the river, into the ground, and through it to the sea
    arrow(c, bezier((1370, 560), (1330, 590), (1300, 610), (1270, 640)), COLL, width=14)
    arrow(c, bezier((960, 640), (880, 610), (780, 610), (700, 650)), COLL, width=14)
    for x in (1000, 1560):
        arrow(c, [(x, front + 20), (x, gw0 + 20)], COLL, width=10, outline=4)
    arrow(c, bezier((1380, 900), (1100, 905), (800, 905), (500, 882)), COLL, width=14, dash=(30, 18))
    tag(c, 1420, 560, "Rivers", 36, anchor="lm", color=COLL)
    tag(c, 1145, 745, "Lake", 34, color=COLL)
    tag(c, 250, 720, "Sea", 36, color=COLL)
    tag(c, 1400, 900, "Groundwater", 36, anchor="lm", color=COLL)
    heading(c, "Collection", "Water gathers and flows back to the sea", COLL)
    return c


def summary() -> Canvas:
    """06: the four stages as cards on a loop, joined by arrows in the stages' colours."""
    c = Canvas(((0.0, (234, 246, 253)), (1.0, (204, 231, 248))))
    cx, cy, rx, ry = 960, 540, 545, 272
    cw, ch = 185, 126  # half sizes of a card
    stages = [("Evaporation", EVAP, 180), ("Condensation", COND, 270), ("Precipitation", PREC, 360),
              ("Collection", COLL, 450)]

    def centre(angle):
        return cx + rx * math.cos(math.radians(angle)), cy + ry * math.sin(math.radians(angle))

    def inside(x, y, angle, margin=22):
        px, py = centre(angle)
        return abs(x - px) < cw + margin and abs(y - py) < ch + margin

    # the loop: an arrow from each card to the next along the ellipse, clear of both cards
    for i, (_, color, a0) in enumerate(stages):
        a1 = a0 + 90
        pts = [centre(a) for a in np.linspace(a0, a1, 400)]
        pts = [(x, y) for x, y in pts if not inside(x, y, a0) and not inside(x, y, a1 % 360 or 360)]
        arrow(c, pts, color, width=22, outline=6)
    # the cards: an icon above the stage's name
    for name, color, angle in stages:
        x, y = centre(angle)
        m, md = c.mask()
        md.rounded_rectangle(((x - cw) * SS, (y - ch) * SS, (x + cw) * SS, (y + ch) * SS), radius=32 * SS, fill=255)
        c.shadow(m, dy=6, blur=10, opacity=0.22)
        c.rrect((x - cw, y - ch, x + cw, y + ch), 32, WHITE)
        c.rrect((x - cw, y - ch, x + cw, y + ch), 32, None, outline=color, width=8)
        c.text(x, y + 96, name, 46, "bold", color, anchor="ms")
    ix, iy = centre(180)
    iy -= 24
    c.rrect((ix - 86, iy + 26, ix + 70, iy + 50), 12, RIVER)
    for k in range(3):
        arrow(c, wavy(ix - 60 + k * 44, iy + 20, iy - 62, amp=9, waves=1.25), EVAP, width=9, head=21, outline=0)
    sun(c, ix + 76, iy - 34, 19, rays=10)
    ix, iy = centre(270)
    iy -= 36
    cloud(c, ix, iy - 8, 196, (214, 232, 248), (176, 204, 232))
    for dx, dy in ((-46, 6), (-14, 18), (22, 4), (56, 16), (-28, -18), (8, -10), (40, -22)):
        droplet(c, ix + dx, iy + dy, 8, (90, 160, 225))
    ix, iy = centre(360)
    iy -= 48
    cloud(c, ix, iy - 6, 180, STORM, STORM_SHADE)
    for dx in (-44, 0, 44):
        drop(c, ix + dx, iy + 72, 11, PREC, highlight=False)
    ix, iy = centre(450)
    iy -= 30
    c.d.ellipse(((ix - 96) * SS, (iy + 14) * SS, (ix + 96) * SS, (iy + 52) * SS), fill=RIVER)
    c.d.ellipse(((ix - 50) * SS, (iy + 24) * SS, (ix + 50) * SS, (iy + 42) * SS), outline=WHITE, width=4 * SS)
    drop(c, ix, iy - 26, 22, COLL)
    # the middle
    drop(c, cx, cy + 14, 56, RIVER)
    c.text(cx, cy + 124, "The Water Cycle", 44, "bold", INK, anchor="ms")
    return c


def main() -> None:
    for name, draw in (("01-title.png", overview), ("02-evaporation.png", evaporation),
                       ("03-condensation.png", condensation), ("04-precipitation.png", precipitation),
                       ("05-collection.png", collection), ("06-summary.png", summary)):
        path = draw().save(name)
        print(f"{path.relative_to(HERE.parents[1])}  {path.stat().st_size // 1024} KiB")
    (OUT / "LICENSE.txt").write_text(LICENSE)


LICENSE = """\
The images in this folder (01-title.png, 02-evaporation.png, 03-condensation.png,
04-precipitation.png, 05-collection.png, 06-summary.png) were generated by
projects/water-cycle/make_diagrams.py in this repository. They are drawn entirely in code;
no outside artwork, photographs or clip art were used.

They are dedicated to the public domain under CC0 1.0 Universal
(https://creativecommons.org/publicdomain/zero/1.0/): you may copy, modify, distribute and
use them, even commercially, without asking permission or giving credit.

The text is set in Lato (SIL Open Font License 1.1), shipped by the font-lato package.
"""


if __name__ == "__main__":
    main()
