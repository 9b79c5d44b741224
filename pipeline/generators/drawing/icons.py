"""Pictograms: the Material Design Icons set (Pictogrammers, 7,400+ single-path SVG icons, each
named by its slug) as the animatic's vocabulary of drawable things, rasterised without a
system library.

An icon's path data is parsed with fontTools (`svgLib.path.parse_path`), curves are flattened,
and the outline is filled by the non-zero winding rule with numpy at any size, as an 8-bit mask.
`silhouette` turns a mask into a two-tone pictogram: the body (the icon's outline with its holes
filled) in a light tint, the icon's own lines over it in a dark one, so a lighthouse reads as a
solid tower with its windows and bands drawn in.

Licence: the icons are © Pictogrammers and the MDI authors, Apache License 2.0
(https://pictogrammers.com/docs/general/license/); see `CREDIT`.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image, ImageChops, ImageFilter

if TYPE_CHECKING:   # numpy loads when a bed or a picture is made, not when a film is planned
    import numpy as np

CREDIT = ("Pictograms: Material Design Icons by Pictogrammers (pictogrammers.com), Apache License 2.0")
LICENCE = "Apache-2.0"
# The line a film's credits roll gives the icons when its panels draw them.
CREDITS_SECTION = ("Pictograms", ("Material Design Icons", "Pictogrammers, Apache 2.0"))

# Words that end an icon's slug to make a user-interface variant of a thing ("car-off",
# "lamp-outline", "door-closed-lock"): those icons are not things of their own.
_VARIANT_WORDS = frozenset((
    "outline", "off", "plus", "minus", "remove", "alert", "check", "cancel", "lock", "sync", "edit", "cog",
    "settings", "search", "clock", "heart", "star", "multiple", "marker", "box", "circle", "network", "question",
    "refresh", "export", "import", "arrow", "left", "right", "up", "down", "sharp", "account", "eye", "key",
    "wireless", "info", "information", "percent", "alert", "bluetooth", "link", "sound", "music", "play", "pause",
    "cancel", "dots", "filter", "sort", "variant", "badge", "flash", "wrench", "speed", "electric", "emergency",
))
# First words of slugs that are user-interface glyphs, logos or diagrams rather than things.
_UI_WORDS = frozenset((
    "format", "file", "folder", "account", "card", "chart", "arrow", "alpha", "numeric", "keyboard", "microsoft",
    "google", "apple", "android", "language", "application", "view", "message", "text", "database", "content",
    "code", "sort", "filter", "checkbox", "radiobox", "toggle", "menu", "dots", "cellphone", "tablet", "monitor",
    "order", "table", "math", "alphabetical", "vector", "shape", "page", "playlist", "skip", "rewind", "fast",
    "align", "border", "pan", "rotate", "flip", "crop", "image", "camera", "video", "volume", "wifi", "signal",
    "battery", "bluetooth", "nfc", "usb", "cast", "sim", "sd", "web", "ray", "set", "source", "call", "contain",
    "vote", "chat", "comment", "email", "pencil", "note", "clipboard", "bookmark", "tag", "label", "sticker",
    "police", "alarm", "timer", "calendar", "information", "help", "close", "minus", "plus", "checkbook",
))

# Where the plain word's icon is a glyph for something else, or a side view reads better on a
# stage: the icon a word is drawn with. The rest of the vocabulary comes from the slugs.
PREFERRED: dict[str, str] = {
    "table": "table-furniture", "car": "car-side", "bus": "bus-side", "dog": "dog-side", "horse": "horse-variant",
    "boat": "sail-boat", "sailboat": "sail-boat", "letter": "email-outline", "envelope": "email-outline",
    "mail": "email-outline", "document": "file-document-outline", "paper": "file-document-outline",
    "phone": "phone-classic", "telephone": "phone-classic", "cellphone": "cellphone", "mobile": "cellphone",
    "camera": "camera", "chair": "chair-rolling", "stairs": "stairs", "staircase": "stairs",
    "lamp": "lamp", "lantern": "lamp", "computer": "desktop-classic", "laptop": "laptop", "television": "television-classic",
    "tv": "television-classic", "gun": "pistol", "handgun": "pistol", "pistol": "pistol", "rifle": "pistol",
    "suitcase": "bag-suitcase", "bag": "bag-personal", "handbag": "purse", "house": "home", "home": "home",
    "cottage": "home-variant", "truck": "truck", "van": "van-utility", "train": "train", "plane": "airplane",
    "airplane": "airplane", "aeroplane": "airplane", "helicopter": "helicopter", "bicycle": "bicycle",
    "bike": "bicycle", "motorcycle": "motorbike", "ship": "ferry", "ferry": "ferry", "book": "book-open-variant",
    "newspaper": "newspaper-variant", "glass": "glass-wine", "cup": "cup", "mug": "coffee", "coffee": "coffee",
    "bottle": "bottle-wine", "wine": "bottle-wine", "beer": "glass-mug-variant", "key": "key-variant",
    "watch": "watch", "clock": "clock-outline", "bed": "bed", "sofa": "sofa", "couch": "sofa", "door": "door",
    "window": "window-closed-variant", "tree": "tree", "pine": "pine-tree", "flower": "flower", "bird": "bird",
    "cat": "cat", "fish": "fish", "candle": "candle", "fire": "fire", "fireplace": "fireplace", "knife": "knife",
    "sword": "sword", "money": "cash", "cash": "cash", "coin": "currency-usd", "wallet": "wallet",
    "box": "package-variant-closed", "package": "package-variant-closed", "crate": "package-variant-closed",
    "gift": "gift", "present": "gift", "card": "card-text-outline", "photo": "image-frame", "photograph": "image-frame",
    "picture": "image-frame", "painting": "image-frame", "map": "map", "compass": "compass-outline",
    "wheel": "ship-wheel", "steering": "steering", "umbrella": "umbrella", "hat": "hat-fedora",
    "glasses": "glasses", "sunglasses": "sunglasses", "guitar": "guitar-acoustic", "piano": "piano",
    "microphone": "microphone", "pen": "fountain-pen-tip", "pencil": "pencil", "notebook": "notebook",
    "cigarette": "smoking", "pill": "pill", "syringe": "needle", "bench": "bench", "desk": "desk",
    "shelf": "bookshelf", "bookcase": "bookshelf", "cupboard": "cupboard", "fridge": "fridge",
    "refrigerator": "fridge", "stove": "stove", "oven": "stove", "sink": "countertop", "counter": "countertop",
    "bath": "bathtub", "bathtub": "bathtub", "toilet": "toilet", "shower": "shower", "mirror": "mirror",
    "rock": "image-filter-hdr", "mountain": "image-filter-hdr", "hill": "image-filter-hdr", "wave": "waves",
    "sea": "waves", "ocean": "waves", "tent": "tent", "church": "church", "castle": "castle",
    "factory": "factory", "warehouse": "warehouse", "bridge": "bridge", "fence": "fence", "gate": "gate",
    "windmill": "wind-turbine", "tower": "tower-fire", "lighthouse": "lighthouse", "skyscraper": "office-building",
    "office": "office-building", "building": "office-building", "hospital": "hospital-building", "shop": "store",
    "store": "store", "school": "school", "bank": "bank", "rope": "jump-rope", "ladder": "ladder",
    "crosshair": "crosshairs", "scope": "crosshairs", "binoculars": "binoculars", "telescope": "telescope",
    "cake": "cake-variant", "food": "food", "plate": "silverware-fork-knife", "bread": "baguette",
    "apple": "food-apple", "baby": "baby-face-outline", "ball": "soccer", "football": "football",
    "basketball": "basketball", "flag": "flag-variant", "cross": "cross", "grave": "grave-stone",
    "gravestone": "grave-stone", "tombstone": "grave-stone", "coffin": "coffin", "skull": "skull",
    "bell": "bell", "anchor": "anchor", "trophy": "trophy", "crown": "crown", "ring": "ring", "diamond": "diamond-stone",
    "shield": "shield", "bomb": "bomb", "axe": "axe", "hammer": "hammer", "shovel": "shovel", "spade": "shovel",
    "saw": "saw-blade", "broom": "broom", "bucket": "pail", "pail": "pail", "basket": "basket",
    "cart": "cart", "trolley": "cart", "wheelchair": "wheelchair", "stroller": "baby-carriage",
    "pram": "baby-carriage", "helmet": "racing-helmet", "shirt": "tshirt-crew", "dress": "hanger",
    "shoe": "shoe-formal", "boot": "shoe-formal", "tie": "tie", "jacket": "tshirt-crew", "coat": "tshirt-crew",
    "kite": "kite", "balloon": "balloon", "drum": "drum", "violin": "violin", "trumpet": "trumpet",
    "radio": "radio", "speaker": "speaker", "headphones": "headphones", "robot": "robot", "rocket": "rocket",
    "satellite": "satellite-variant", "spaceship": "rocket", "ufo": "ufo", "submarine": "submarine",
    "tractor": "tractor", "taxi": "taxi", "ambulance": "ambulance", "police car": "car-side",
    "canoe": "rowing", "kayak": "kayaking", "raft": "rowing", "rowboat": "rowing", "yacht": "sail-boat",
    "tank": "tank", "fountain": "fountain", "statue": "human-male", "pillar": "pillar", "column": "pillar",
    "well": "water-well", "bin": "delete", "trash": "delete", "garbage": "delete", "dumpster": "delete",
    "briefcase": "briefcase", "backpack": "bag-personal", "purse": "purse", "sack": "sack",
    "lock": "lock", "chain": "link-variant", "flashlight": "flashlight", "torch": "flashlight",
    "lightbulb": "lightbulb", "bulb": "lightbulb", "matches": "fire", "match": "fire",
    "horseshoe": "horseshoe", "bone": "bone", "tooth": "tooth", "heart": "heart", "brain": "brain",
    "eye": "eye", "hand": "hand-back-right", "footprint": "shoe-print", "pool": "pool", "swimming pool": "pool",
    "computer screen": "monitor", "monitor": "monitor", "screen": "monitor", "keyboard": "keyboard",
    "tablet": "tablet", "printer": "printer", "fax": "fax", "calculator": "calculator", "dice": "dice-5",
    "chess": "chess-knight", "cards": "cards-playing", "candy": "candy", "icecream": "ice-cream",
    "pizza": "pizza", "hamburger": "hamburger", "burger": "hamburger", "sandwich": "food",
    "egg": "egg", "cheese": "cheese", "carrot": "carrot", "fruit": "food-apple", "soup": "bowl-mix",
    "bowl": "bowl-mix", "pot": "pot-steam", "pan": "pot", "kettle": "kettle", "teapot": "teapot",
    "jar": "jar", "vase": "vase", "plant": "sprout", "cactus": "cactus", "leaf": "leaf", "mushroom": "mushroom",
    "palm": "palm-tree", "snowman": "snowman", "star": "star", "moon": "moon-waning-crescent",
    "sun": "white-balance-sunny", "cloud": "cloud", "lightning": "lightning-bolt", "rain": "weather-pouring",
    "snow": "snowflake", "tornado": "weather-tornado", "volcano": "volcano", "island": "island",
}


# ---------------------------------------------------------------------------------------------
# The vocabulary


@lru_cache(maxsize=1)
def _pack():
    import material_design_icons_pack as mdi  # imported here: loading the set costs ~10 ms, once
    return mdi


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, str]:
    """Every thing the icon set can draw: name (a lower-case word or compound, words joined by
    "_" as WordNet writes them) -> the icon's slug."""
    mdi = _pack()
    ranked: dict[str, tuple[tuple, str]] = {}

    def offer(name: str, rank: tuple, slug: str) -> None:
        if name and (name not in ranked or rank < ranked[name][0]):
            ranked[name] = (rank, slug)

    for attr in dir(mdi):
        if not attr.isupper():
            continue
        icon = getattr(mdi, attr)
        slug = getattr(icon, "slug", None)
        if not isinstance(slug, str) or getattr(icon, "deprecated", False):
            continue
        words = slug.split("-")
        if any(w in _VARIANT_WORDS for w in words[1:]) or words[0] in _UI_WORDS or any(ch.isdigit() for ch in slug):
            continue
        n = len(words)
        offer("_".join(words), (0, n, len(slug)), slug)
        if n > 1:
            offer("".join(words), (0, n, len(slug)), slug)
            offer(words[-1], (1, n, len(slug)), slug)      # "pine-tree" is a tree
    vocab = {name: slug for name, (_, slug) in ranked.items()}
    for name, slug in PREFERRED.items():
        if has_icon(slug):
            vocab[name.replace(" ", "_")] = slug
    return vocab


@lru_cache(maxsize=None)
def has_icon(slug: str) -> bool:
    return _pack().get_icon(slug) is not None


@lru_cache(maxsize=None)
def _path_data(slug: str) -> tuple[str, ...]:
    icon = _pack().get_icon(slug)
    if icon is None:
        raise KeyError(f"no icon {slug!r}")
    return tuple(re.findall(r'<path[^>]*\sd="([^"]+)"', icon.svg))


# ---------------------------------------------------------------------------------------------
# Rasterising


class _Flatten:
    """A fontTools pen that records each contour as a list of points, curves flattened."""

    def __init__(self) -> None:
        from fontTools.pens.basePen import BasePen

        outer = self

        class Pen(BasePen):
            def _moveTo(self, pt):
                outer.contours.append([pt])

            def _lineTo(self, pt):
                outer.contours[-1].append(pt)

            def _curveToOne(self, p1, p2, p3):
                p0 = outer.contours[-1][-1]
                steps = max(4, min(24, int(math.dist(p0, p3) * 2.5)))
                for i in range(1, steps + 1):
                    t = i / steps
                    u = 1 - t
                    outer.contours[-1].append((
                        u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0],
                        u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1]))

            def _closePath(self):
                pass

            def _endPath(self):
                pass

        self.contours: list[list[tuple[float, float]]] = []
        self.pen = Pen(None)


@lru_cache(maxsize=None)
def _edges(slug: str) -> np.ndarray:
    """The icon's outline as straight edges (x0, y0, x1, y1) in its 24-unit view box."""
    import numpy as np
    from fontTools.svgLib.path import parse_path

    flat = _Flatten()
    for d in _path_data(slug):
        parse_path(d, flat.pen)
    edges = []
    for n, contour in enumerate(flat.contours):
        if len(contour) < 2:
            continue
        pts = contour + [contour[0]]
        edges.extend((a[0], a[1], b[0], b[1], n) for a, b in zip(pts, pts[1:]) if a[1] != b[1])
    return np.array(edges, dtype=np.float64).reshape(-1, 5)


def _fill(edges: np.ndarray, width: int, height: int, scale: float, solid: bool = False) -> np.ndarray:
    """Boolean coverage of pixel centres inside the outline (non-zero winding), or with `solid`
    the outline's row spans (its holes and the gaps between its parts filled)."""
    import numpy as np
    if solid:  # each row filled from its first inked pixel to its last: gaps between parts close too
        cover = _fill(edges, width, height, scale)
        any_ink = cover.any(axis=1)
        first = np.where(any_ink, cover.argmax(axis=1), width)
        last = np.where(any_ink, width - 1 - cover[:, ::-1].argmax(axis=1), -1)
        cols = np.arange(width)[None, :]
        return (cols >= first[:, None]) & (cols <= last[:, None])
    x0, y0, x1, y1 = (edges[:, i] * scale for i in range(4))
    direction = np.where(y1 > y0, 1, -1)
    lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
    # Rows whose centre (r + 0.5) lies in [lo, hi): each edge crosses a run of rows.
    r0 = np.clip(np.ceil(lo - 0.5), 0, height).astype(np.int64)
    r1 = np.clip(np.ceil(hi - 0.5), 0, height).astype(np.int64)
    counts = np.maximum(r1 - r0, 0)
    total = int(counts.sum())
    winding = np.zeros((height, width + 1), dtype=np.int32)
    if total:
        idx = np.repeat(np.arange(len(counts)), counts)
        rows = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + r0[idx]
        yc = rows + 0.5
        t = (yc - y0[idx]) / (y1[idx] - y0[idx])
        xc = x0[idx] + t * (x1[idx] - x0[idx])
        cols = np.clip(np.ceil(xc - 0.5), 0, width).astype(np.int64)
        np.add.at(winding, (rows, cols), direction[idx])
    return np.cumsum(winding, axis=1)[:, :width] != 0


def _raster(slug: str, size: int, flip: bool, solid: bool) -> Image.Image:
    import numpy as np
    size = max(1, int(size))
    ss = 4 if size < 96 else 2
    big = size * ss
    cover = _fill(_edges(slug), big, big, big / 24.0, solid)
    img = Image.fromarray((cover * 255).astype(np.uint8), "L").reduce(ss)
    return img.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if flip else img


@lru_cache(maxsize=512)
def mask(slug: str, size: int, flip: bool = False) -> Image.Image:
    """The icon filled at `size` x `size` pixels (mode "L", antialiased), mirrored when `flip`."""
    return _raster(slug, size, flip, False)


@lru_cache(maxsize=512)
def body(slug: str, size: int, flip: bool = False) -> Image.Image:
    """The icon's shape with its holes and the gaps between its parts filled row by row (mode
    "L"): the solid thing the lines draw."""
    return ImageChops.lighter(_raster(slug, size, flip, True), mask(slug, size, flip))


@lru_cache(maxsize=256)
def _solid(slug: str) -> bool:
    """Whether the icon is one solid shape (no holes, no gaps): it is then drawn filled and outlined."""
    m, b = mask(slug, 64), body(slug, 64)
    area_m = sum(i * v for i, v in enumerate(m.histogram()))
    area_b = sum(i * v for i, v in enumerate(b.histogram()))
    return area_b <= area_m * 1.1


def silhouette(slug: str, size: int, fill: tuple[int, int, int], line: tuple[int, int, int],
               flip: bool = False) -> Image.Image:
    """A two-tone pictogram (RGBA, `size` x `size`): the body in `fill`, the icon's lines in `line`
    (a solid icon, with no lines of its own inside, is outlined instead)."""
    m, b = mask(slug, size, flip), body(slug, size, flip)
    out = Image.new("RGBA", m.size, fill + (0,))
    out.putalpha(b)
    if _solid(slug):
        step = max(1, size // 160)   # an outline about 1/80 of the icon thick, eroded at a reduced size
        small = b.reduce(step) if step > 1 else b
        ring = ImageChops.subtract(small, small.filter(ImageFilter.MinFilter(3)))
        m = ring.resize(b.size, Image.Resampling.BILINEAR) if step > 1 else ring
    lines = Image.new("RGBA", m.size, line + (0,))
    lines.putalpha(m)
    return Image.alpha_composite(out, lines)


def paste_icon(img: Image.Image, slug: str, centre_x: float, bottom: float, size: float,
               fill: tuple[int, int, int], line: tuple[int, int, int], flip: bool = False) -> tuple[float, float, float, float]:
    """Lay an icon `size` pixels square onto `img`, centred on `centre_x` with its box's bottom at
    `bottom` (icons keep a margin inside their 24-unit box); returns the box drawn."""
    s = max(1, round(size))
    icon = silhouette(slug, s, fill, line, flip)
    x, y = round(centre_x - s / 2), round(bottom - s)
    img.paste(icon, (x, y), icon)
    return (x, y, x + s, y + s)


def ink_box(slug: str) -> tuple[float, float, float, float]:
    """Where the icon's ink lies inside its box, as fractions (left, top, right, bottom)."""
    import numpy as np
    e = _edges(slug)
    if not len(e):
        return (0.0, 0.0, 1.0, 1.0)
    xs, ys = np.concatenate([e[:, 0], e[:, 2]]), np.concatenate([e[:, 1], e[:, 3]])
    return (float(xs.min()) / 24, float(ys.min()) / 24, float(xs.max()) / 24, float(ys.max()) / 24)
