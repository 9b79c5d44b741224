"""The cast: each character as a flat-shaded storyboard figure dressed by their look words.

`character_look` reads a character's look ("old lighthouse keeper, white beard, navy wool
sweater") into a `Look`: age (child, teen, adult, elderly: height, proportions, grey hair, a
stoop), build, skin, hair colour and style, garments (sweater, shirt, coat, jacket, dress, gown,
robe, suit, uniform, trousers, skirt, shorts, boots, apron, scarf, tie), hat, glasses, beard.
Garment colour words are CSS colour names (see `palette.colour_word`). What the words leave open
comes from the name (stable in every shot and run), and a character whose look would match one
earlier in the film's cast gets another colour, hair style or build, so no two characters of a
film share a silhouette and a palette.

`draw_cast` draws figures in any of `POSES` and `FACINGS` at any scale, from a few pixels tall to
a close-up whose feet are below the canvas. A figure is a small skeleton posed in 3D, turned to
its facing and projected with a slight downward view; limbs are capsules, the torso, skirts,
hair and hats polygons, each part filled flat, shaded on the side away from the light (upper
left), and outlined in ink, nearer parts over farther ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Sequence

from PIL import Image, ImageDraw

from ...names import person
from .palette import (
    ELDERLY_HAIR, GARMENT_COLOURS, HAIR_COLOURS, HAIR_DEFAULTS, HAT_COLOURS, SHOE_COLOURS, SKIN_TONES, SKIN_WORDS, TROUSER_COLOURS,
    UNDER_COLOURS, WEAK_COLOURS, RGB, Palette, Point, COSTUMES, colour_word, digest, figure_colour, mix, scaled,
)
from .text import draw_text, fit_line, text_width

POSES = ("standing", "sitting", "walking", "running", "climbing", "lying")
FACINGS = ("front", "left", "right", "back")

FEET = 0.80             # where figures stand
FIGURE_HEIGHT = 0.40    # figure height, as a fraction of the canvas height
FIGURE_SPAN = (0.18, 0.82)  # figures stay in this horizontal band so a zoom or pan keeps them in view


@dataclass(frozen=True)
class FigureSpec:
    """One figure in a shot: who, in what pose and facing, where, and how large."""

    name: str
    look: str       # the character's look words from the script
    pose: str       # one of POSES
    facing: str     # one of FACINGS
    x: float        # centre of the figure, canvas pixels
    feet: float     # y of ground contact, canvas pixels (may be below the canvas for close-ups)
    height: float   # an adult's standing height here, canvas pixels; the look and the pose scale from it


@dataclass(frozen=True)
class Look:
    """How a character is drawn: everything `character_look` resolved from their words."""

    age: str                # "child", "teen", "adult" or "elderly"
    sex: str                # "f", "m", or "" when the words don't say
    height: float           # standing height, as a fraction of an adult's
    build: float            # width of the body: 0.86 slight, 1 average, 1.22 heavy
    skin: RGB
    hair: RGB               # hair colour (a bald head keeps a fringe of it)
    hair_style: str         # one of HAIR_STYLES
    beard: str              # "", "beard", "moustache" or "stubble"
    beard_colour: RGB
    torso: str              # sweater, shirt, tshirt, dress, gown, robe, suit, uniform, armour
    torso_colour: RGB
    outer: str              # "", "coat", "jacket" or "cloak": worn open over the torso garment
    outer_colour: RGB
    legs: str               # trousers, shorts, skirt, or "" under a dress, gown or robe
    legs_colour: RGB
    shoes: str              # "shoes" or "boots"
    shoes_colour: RGB
    hat: str                # "" or one of HATS
    hat_colour: RGB
    glasses: str            # "", "glasses" or "sunglasses"
    scarf: RGB | None
    apron: RGB | None
    tie: RGB | None
    stoop: float            # forward lean of the spine, degrees
    cane: bool

    @property
    def colour(self) -> RGB:
        """The character's colour: the outermost garment on the torso (the name tag's swatch)."""
        return self.outer_colour if self.outer else self.torso_colour


HAIR_STYLES = ("short", "quiff", "curly", "bald", "long", "bob", "ponytail", "bun", "braid", "afro")
HATS = ("cap", "hat", "beanie", "bowler", "tophat", "helmet", "crest", "crown", "peaked", "chef", "souwester", "hood")
_ONE_PIECE = ("dress", "gown", "robe")

# ---------------------------------------------------------------------------------------------
# Reading the look words

# Several words that name one thing, joined before the words are read.
_JOINS = (
    (r"\bt ?shirts?\b", "tshirt"), (r"\btop hats?\b", "tophat"), (r"\bsou ?'? ?westers?\b", "souwester"),
    (r"\b(woolly|woollen|wool|knit|knitted|bobble|ski) (hat|cap)s?\b", "beanie"), (r"\blab coats?\b", "labcoat"),
    (r"\b(crew|buzz) cut\b", "crewcut"), (r"\bwalking stick\b", "cane"), (r"\bsalt and pepper\b", "saltpepper"),
    (r"\b(baseball|flat|peaked|cloth) cap\b", "cap"), (r"\bchef'?s? (hat|toque)\b", "chefhat"),
    (r"\bcowboy hat\b", "stetson"), (r"\bbow ?tie\b", "tie"), (r"\bhard hat\b", "helmet"),
    (r"\b(police|military|officer'?s?|army|navy|naval|captain'?s?) (cap|hat)\b", "peakedcap"),
    (r"\bshoulder length\b", "shoulderlength"), (r"\bhead ?scarf\b", "hood"), (r"\bdressing gown\b", "robe"),
    (r"\bin (his|her|their) (early |mid |late )?", "in "), (r"'s\b", ""),
)

# Garment and feature nouns: word -> (slot, kind).
_NOUNS: dict[str, tuple[str, str]] = {}
for _slot, _kind, _words in (
    ("torso", "sweater", "sweater sweaters jumper jumpers pullover cardigan jersey sweatshirt hoodie turtleneck "
                         "fleece guernsey"),
    ("torso", "shirt", "shirt shirts blouse tunic top polo waistcoat smock"),
    ("torso", "tshirt", "tshirt tee vest singlet tank"),
    ("torso", "dress", "dress dresses frock sundress pinafore"),
    ("torso", "gown", "gown gowns sari ballgown"),
    ("torso", "robe", "robe robes cassock habit kimono toga caftan kaftan vestments"),
    ("torso", "suit", "suit suits tuxedo tux"),
    ("torso", "uniform", "uniform uniforms"),
    ("torso", "armour", "armour armor breastplate chainmail mail"),
    ("outer", "coat", "coat coats overcoat raincoat trenchcoat trench oilskin oilskins parka mac greatcoat peacoat "
                      "duster labcoat duffel"),
    ("outer", "jacket", "jacket jackets blazer anorak windbreaker bomber"),
    ("outer", "cloak", "cloak cape poncho mantle shawl"),
    ("legs", "trousers", "trousers pants slacks leggings chinos overalls dungarees breeches"),
    ("legs", "jeans", "jeans"),
    ("legs", "shorts", "shorts"),
    ("legs", "skirt", "skirt skirts kilt"),
    ("shoes", "boots", "boots boot wellies wellingtons galoshes"),
    ("shoes", "shoes", "shoes shoe sneakers trainers sandals heels slippers loafers"),
    ("hat", "hat", "hat hats fedora trilby panama stetson sombrero"),
    ("hat", "cap", "cap caps"),
    ("hat", "beanie", "beanie beret tuque"),
    ("hat", "bowler", "bowler derby"),
    ("hat", "tophat", "tophat"),
    ("hat", "helmet", "helmet"),
    ("hat", "crown", "crown tiara diadem"),
    ("hat", "peaked", "peakedcap"),
    ("hat", "chef", "chefhat toque"),
    ("hat", "souwester", "souwester"),
    ("hat", "hood", "hood hooded veil wimple"),
    ("hair", "", "hair haired"),
    ("hair", "braid", "braid braids braided plait plaits plaited pigtails"),
    ("hair", "ponytail", "ponytail"),
    ("hair", "bun", "bun topknot chignon"),
    ("hair", "curly", "curls ringlets"),
    ("hair", "afro", "afro"),
    ("hair", "long", "dreadlocks dreads locks mane"),
    ("hair", "bob", "bob"),
    ("hair", "short", "crewcut"),
    ("hair", "quiff", "quiff pompadour mohawk"),
    ("beard", "beard", "beard bearded goatee whiskers"),
    ("beard", "moustache", "moustache mustache moustached mustached"),
    ("beard", "stubble", "stubble unshaven"),
    ("glasses", "glasses", "glasses spectacles specs bespectacled monocle"),
    ("glasses", "sunglasses", "sunglasses shades"),
    ("scarf", "scarf", "scarf scarves muffler"),
    ("apron", "apron", "apron"),
    ("tie", "tie", "tie necktie"),
    ("cane", "cane", "cane stick crutch"),
    ("skin", "", "skin skinned complexion"),
):
    for _w in _words.split():
        _NOUNS[_w] = (_slot, _kind)

# Hair words that need no noun after them.
_HAIR_ALONE = {"bald": "bald", "balding": "bald", "shaven": "bald", "shaved": "bald", "redhead": "red",
               "blonde": "blonde", "blond": "blond", "brunette": "brunette"}
_HAIR_LENGTH = {"long": "long", "shoulderlength": "bob", "short": "short", "cropped": "short", "curly": "curly",
                "wavy": "bob", "frizzy": "curly", "spiky": "quiff", "slicked": "short"}

# What a role puts on a character, for each slot the words leave open: slot -> (kind, colour word).
_ROLES: tuple[tuple[tuple[str, ...], dict[str, tuple[str, str]]], ...] = (
    (("detective", "inspector", "investigator", "gumshoe"), {"outer": ("coat", "tan"), "hat": ("hat", "")}),
    (("police", "policeman", "policewoman", "cop", "constable", "patrolman", "trooper"),
     {"torso": ("uniform", "navy"), "hat": ("peaked", "navy")}),
    (("soldier", "sergeant", "private", "marine", "infantryman", "commando"),
     {"torso": ("uniform", "olivedrab"), "hat": ("helmet", "darkolivegreen")}),
    (("nurse",), {"torso": ("uniform", "lightsteelblue")}),
    (("doctor", "scientist", "surgeon", "chemist", "professor"), {"outer": ("coat", "white")}),
    (("chef", "cook", "baker"), {"torso": ("shirt", "white"), "apron": ("apron", "white"), "hat": ("chef", "white")}),
    (("waiter", "waitress", "barman", "barmaid", "bartender", "butcher", "shopkeeper", "grocer"),
     {"apron": ("apron", "white")}),
    (("nun",), {"torso": ("robe", "black"), "hat": ("hood", "black")}),
    (("priest", "vicar", "bishop", "cardinal", "pastor", "reverend"), {"torso": ("robe", "black")}),
    (("monk", "friar", "druid", "wizard", "sorcerer", "mage"), {"torso": ("robe", "saddlebrown"), "hat": ("hood", "")}),
    (("king", "queen", "emperor", "empress", "monarch"), {"hat": ("crown", "gold"), "outer": ("cloak", "crimson")}),
    (("prince", "princess"), {"hat": ("crown", "gold")}),
    (("knight",), {"torso": ("armour", "silver"), "hat": ("helmet", "silver")}),
    (("gladiator", "centurion"), {"hat": ("crest", "silver")}),
    (("legionary", "legionnaire", "spartan", "warrior", "guard", "guardsman", "sentry"), {"hat": ("helmet", "silver")}),
    (("fisherman", "fishermen", "trawlerman", "deckhand", "lifeboatman"),
     {"outer": ("coat", "goldenrod"), "hat": ("souwester", "goldenrod")}),
    (("cowboy", "cowgirl", "rancher", "sheriff"), {"hat": ("hat", "peru")}),
    (("businessman", "businesswoman", "banker", "lawyer", "executive", "accountant", "senator", "mayor", "agent",
      "bureaucrat", "manager", "salesman"), {"torso": ("suit", "darkslategray")}),
    (("bride",), {"torso": ("gown", "white")}),
    (("groom", "bridegroom", "butler"), {"torso": ("suit", "black")}),
    (("sailor",), {"torso": ("shirt", "white"), "hat": ("cap", "white")}),
    (("pilot", "captain", "admiral", "general", "officer"), {"torso": ("uniform", "midnightblue"),
                                                              "hat": ("peaked", "midnightblue")}),
    (("mechanic", "farmer", "plumber", "janitor", "labourer", "laborer", "builder", "miner"),
     {"legs": ("trousers", "steelblue")}),
    (("athlete", "runner", "jogger", "boxer", "footballer"), {"torso": ("tshirt", ""), "legs": ("shorts", "")}),
)

_FEMALE = frozenset((
    "woman", "women", "girl", "girls", "lady", "ladies", "she", "her", "hers", "mother", "mom", "mum", "mummy",
    "grandmother", "grandma", "granny", "gran", "nan", "wife", "daughter", "sister", "queen", "princess", "empress",
    "duchess", "countess", "actress", "waitress", "hostess", "stewardess", "nun", "aunt", "auntie", "niece", "female",
    "widow", "bride", "matron", "madam", "mrs", "ms", "miss", "heroine", "goddess", "priestess", "witch", "girlfriend",
    "maid", "barmaid", "cowgirl", "schoolgirl", "mistress", "sorceress", "lass", "gal",
))
_MALE = frozenset((
    "man", "men", "boy", "boys", "guy", "he", "him", "his", "gentleman", "father", "dad", "daddy", "grandfather",
    "grandpa", "grandad", "granddad", "husband", "son", "brother", "king", "prince", "emperor", "duke", "count",
    "lord", "sir", "mr", "actor", "waiter", "monk", "priest", "uncle", "nephew", "male", "widower", "groom", "hero",
    "god", "wizard", "boyfriend", "bloke", "lad", "chap", "fellow", "bearded", "moustached", "mustached", "friar",
    "cowboy", "schoolboy", "butler", "bishop", "sorcerer",
))
_NOT_MAN = frozenset(("human", "humans", "german", "germans", "roman", "romans", "shaman", "ottoman", "talisman",
                      "woman", "women"))
_CHILD = frozenset(("child", "children", "kid", "kids", "boy", "girl", "toddler", "baby", "infant", "schoolboy",
                    "schoolgirl", "youngster", "tot", "little", "orphan", "urchin", "lad", "lass"))
_TODDLER = frozenset(("toddler", "baby", "infant", "tot"))
_TEEN = frozenset(("teen", "teens", "teenage", "teenaged", "teenager", "adolescent", "youth", "student"))
_ELDERLY = frozenset(("old", "elderly", "aged", "aging", "ageing", "senior", "grandmother", "grandfather", "grandma",
                      "grandpa", "granny", "grandad", "granddad", "ancient", "wizened", "frail", "retiree",
                      "pensioner", "crone", "geezer", "veteran", "oap", "octogenarian", "nonagenarian",
                      "septuagenarian", "sexagenarian", "greybeard", "grizzled", "wrinkled", "hunched"))
_DECADES = {"teens": 15, "twenties": 25, "thirties": 35, "forties": 45, "fifties": 55, "sixties": 65,
            "seventies": 75, "eighties": 85, "nineties": 95}
_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_NUMBERS.update({w: 20 + 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())})
_TALL = frozenset(("tall", "lanky", "towering", "lofty", "giant", "gangly", "statuesque", "long-legged"))
_SHORT = frozenset(("short", "small", "petite", "tiny", "diminutive", "little", "squat", "wee"))
_THIN = frozenset(("thin", "slim", "skinny", "slender", "wiry", "lanky", "gaunt", "petite", "scrawny", "lean",
                   "willowy", "bony", "gangly", "slight"))
_BROAD = frozenset(("stocky", "burly", "broad", "heavy", "heavyset", "big", "fat", "portly", "stout", "muscular",
                    "brawny", "hulking", "large", "chubby", "plump", "rotund", "barrel", "beefy", "hefty", "husky",
                    "overweight", "bulky", "strapping", "thickset", "chunky"))
_TORSO_RANK = {"suit": 1, "uniform": 1, "armour": 1, "dress": 1, "gown": 1, "robe": 1}
_SHADE_WORDS = frozenset(("dark", "deep", "light", "pale", "pastel", "faded", "bright", "dull", "dusty"))
_SPLIT = re.compile(r"[,;:()/.!?]|\b(?:and|with|over|under|plus|wearing|in|beneath|atop|carrying|holding)\b")


@dataclass
class _Words:
    """What a look's words say; None where they say nothing."""

    age: str | None = None
    toddler: bool = False
    sex: str | None = None
    height: float | None = None
    build: float | None = None
    skin: int | None = None
    hair: RGB | None = None
    hair_style: str | None = None
    beard: str | None = None
    beard_colour: RGB | None = None
    torso: str | None = None
    torso_colour: RGB | None = None
    outer: str | None = None
    outer_colour: RGB | None = None
    legs: str | None = None
    legs_colour: RGB | None = None
    shoes: str | None = None
    shoes_colour: RGB | None = None
    hat: str | None = None
    hat_colour: RGB | None = None
    glasses: str | None = None
    worn: dict[str, RGB | None] = field(default_factory=dict)   # scarf, apron, tie: their colour if said
    cane: bool = False
    any_colour: RGB | None = None   # "dressed in red": a colour bound to no garment


def _normal(look: str) -> str:
    text = look.lower().replace("’", "'").replace("-", " ")
    for pattern, joined in _JOINS:
        text = re.sub(pattern, joined, text)
    return text


def _colour_near(tokens: list[str], i: int, hair: bool = False) -> RGB | None:
    """The colour named just before the noun at `i` (the nearest plain colour word wins)."""
    found: list[tuple[bool, RGB]] = []
    j = i - 1
    while j >= max(0, i - 4):
        tok = tokens[j]
        if tok in _NOUNS and _NOUNS[tok][0] not in ("hair",):
            break
        if hair:
            rgb = HAIR_COLOURS.get(tok)
            if rgb is not None:
                # "dark brown hair": a darker brown
                if j > 0 and tokens[j - 1] in ("dark", "light") and tok != "dark":
                    rgb = scaled(rgb, 0.7) if tokens[j - 1] == "dark" else mix(rgb, (250, 240, 220), 0.3)
                return rgb
            rgb = colour_word((tok,))
            if rgb is not None and tok not in WEAK_COLOURS:
                return rgb
        else:
            pair = colour_word(tuple(tokens[j - 1:j + 1])) if j > 0 else None
            if pair is not None and (tokens[j - 1] in _SHADE_WORDS or colour_word((tokens[j - 1],)) is not None
                                     or colour_word((tokens[j],)) is None):
                found.append((False, pair))
                break
            rgb = colour_word((tok,))
            if rgb is not None:
                found.append((tok in WEAK_COLOURS, rgb))
                if tok not in WEAK_COLOURS:
                    break
        j -= 1
    strong = [rgb for weak, rgb in found if not weak]
    return strong[0] if strong else (found[0][1] if found else None)


def _number(tok: str) -> int | None:
    if tok.isdigit():
        return int(tok)
    return _NUMBERS.get(tok)


def _age(tokens: list[str]) -> tuple[str | None, bool]:
    """The age group the words give, and whether a child is a toddler."""
    years = None
    for i, tok in enumerate(tokens):
        n = _number(tok)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if n is not None and n < 20 and i > 0 and _number(tokens[i - 1]) in range(20, 100, 10):
            continue
        if n is not None:
            total = n + (_number(nxt) or 0) if n >= 20 and (_number(nxt) or 0) < 10 else n
            after = tokens[i + 1:i + 4]
            if "year" in after or "years" in after or "yr" in after or "yo" in after or (i > 0 and tokens[i - 1] in ("aged", "age")):
                years = total
                break
        m = re.fullmatch(r"(\d)0s", tok)
        if m:
            years = int(m.group(1)) * 10 + 5
            break
        if tok in _DECADES:
            years = _DECADES[tok]
            break
        if re.fullmatch(r"\d{1,2}", tok) and 0 < int(tok) < 100 and years is None and len(tokens) <= 3:
            years = int(tok)   # a screenplay's "TOM (40)"
    if years is not None:
        group = "child" if years < 13 else "teen" if years < 20 else "elderly" if years >= 60 else "adult"
        return group, years < 4
    words = set(tokens)
    old = {t for i, t in enumerate(tokens) if t in _ELDERLY and not (t == "old" and i > 0 and tokens[i - 1] in ("year", "years"))}
    if words & _CHILD - {"little"}:
        return "child", bool(words & _TODDLER)
    if words & _TEEN:
        return "teen", False
    if old:
        return "elderly", False
    return None, False


def _sex(tokens: list[str]) -> str | None:
    for tok in tokens:
        if tok in _FEMALE or (tok.endswith(("woman", "women")) and tok not in _NOT_MAN):
            return "f"
        if tok in _MALE or (tok.endswith(("man", "men")) and tok not in _NOT_MAN):
            return "m"
    return None


@lru_cache(maxsize=512)
def _read(look: str) -> _Words:
    """Read `look` into the things it says about the figure."""
    w = _Words()
    text = _normal(look)
    tokens = re.findall(r"[a-z0-9']+", text)
    words = set(tokens)
    w.age, w.toddler = _age(tokens)
    w.sex = _sex(tokens)
    if words & _TALL:
        w.height = 1.07
    elif words & (_SHORT - {"short"}) or ("short" in words and not re.search(r"\bshort (\w+ )?hair", text)):
        w.height = 0.93
    if words & _BROAD:
        w.build = 1.24
    elif words & _THIN:
        w.build = 0.84
    for phrase in _SPLIT.split(text):
        if not phrase:
            continue
        toks = re.findall(r"[a-z0-9']+", phrase)
        bound = False
        for i, tok in enumerate(toks):
            if tok in _HAIR_ALONE:
                style = _HAIR_ALONE[tok]
                if style == "bald":
                    w.hair_style = "bald"
                else:
                    w.hair = HAIR_COLOURS[style]
                bound = True
                continue
            if tok not in _NOUNS:
                continue
            slot, kind = _NOUNS[tok]
            bound = True
            if slot == "hair":
                colour = _colour_near(toks, i, hair=True)
                if colour is not None:
                    w.hair = colour
                lengths = [_HAIR_LENGTH[t] for t in toks[max(0, i - 3):i] if t in _HAIR_LENGTH]
                style = kind or (lengths[-1] if lengths else None)
                if style == "long" and kind == "" and "curly" in toks[max(0, i - 3):i]:
                    style = "curly"
                if style:
                    w.hair_style = style
            elif slot == "beard":
                w.beard = kind
                colour = _colour_near(toks, i, hair=True)
                if colour is not None:
                    w.beard_colour = colour
            elif slot == "skin":
                for t in toks[max(0, i - 2):i]:
                    if t in SKIN_WORDS:
                        w.skin = SKIN_WORDS[t]
            elif slot == "glasses":
                w.glasses = kind
            elif slot == "cane":
                w.cane = True
            elif slot in ("scarf", "apron", "tie"):
                w.worn[slot] = _colour_near(toks, i)
            else:
                colour = _colour_near(toks, i)
                if colour is None and tok in GARMENT_COLOURS:
                    colour = colour_word((GARMENT_COLOURS[tok],))
                current = getattr(w, slot)
                # The first garment named for a slot stays, except that a suit, a uniform or a
                # dress takes the torso from a shirt or sweater (which would be under it).
                if current is None or (slot == "torso" and _TORSO_RANK.get(kind, 0) > _TORSO_RANK.get(current, 0)):
                    setattr(w, slot, kind)
                    if colour is not None:
                        setattr(w, f"{slot}_colour", colour)
        if not bound and w.any_colour is None:
            for i, tok in enumerate(toks):
                colour = colour_word((tok,)) if tok not in WEAK_COLOURS else None
                if colour is not None and tok not in _SHADE_WORDS:
                    pair = colour_word(tuple(toks[i - 1:i + 1])) if i > 0 and toks[i - 1] in _SHADE_WORDS else None
                    w.any_colour = pair or colour
                    break
    for roles, gives in _ROLES:
        if words & set(roles):
            for slot, (kind, colour_name) in gives.items():
                colour = colour_word((colour_name,)) if colour_name else None
                if slot == "apron":
                    w.worn.setdefault("apron", colour)
                elif slot == "outer" and w.torso is not None:
                    continue                                # the garment they named is what shows
                elif getattr(w, slot) is None:
                    setattr(w, slot, kind)
                    if colour is not None and getattr(w, f"{slot}_colour") is None:
                        setattr(w, f"{slot}_colour", colour)
            break
    return w


_APART = 90.0   # colours nearer than this (redmean distance) read as the same costume


def _distance(a: RGB, b: RGB) -> float:
    # "redmean": a cheap perceptual colour distance.
    r = (a[0] + b[0]) / 2
    dr, dg, db = a[0] - b[0], a[1] - b[1], a[2] - b[2]
    return math.sqrt((2 + r / 256) * dr * dr + 4 * dg * dg + (2 + (255 - r) / 256) * db * db)


def _styles(sex: str, age: str) -> tuple[tuple[str, ...], int]:
    """Hair styles for a figure whose words name none, and how many of them (from the start) a
    name picks among; the rest serve to tell apart two characters who would look alike."""
    if age == "elderly":
        styles, common = (("bun", "short", "bob", "curly", "long", "ponytail") if sex == "f" else
                          ("short", "bald", "curly", "quiff", "long", "bun") if sex == "m" else
                          ("short", "bun", "bald", "curly", "bob", "long")), 3
    elif sex == "f":
        styles, common = ("long", "bob", "ponytail", "bun", "curly", "braid", "afro", "short"), 6
    elif sex == "m":
        styles, common = ("short", "quiff", "curly", "afro", "bald", "long", "ponytail", "bob"), 4
    else:
        styles, common = ("short", "long", "curly", "quiff", "ponytail", "bob", "bun", "afro", "bald", "braid"), 8
    if age in ("child", "teen"):
        styles = tuple(s for s in styles if s != "bald")
    return styles, common


def _resolve(name: str, look: str) -> Look:
    """The look from the words alone, with what they leave open chosen by the name."""
    w = _read(look)
    d = digest(name.strip().upper())
    # What the name says where the look is silent, read as the voices read it (names.person): a
    # GRANDMOTHER is drawn old and a MRS. BLOOM a woman, as they are heard.
    gender, years = person(name, look)
    age = w.age or {"child": "child", "old": "elderly"}.get(years, "adult")
    sex = w.sex or {"female": "f", "male": "m"}.get(gender or "", "")
    height = {"child": 0.5 if w.toddler else 0.66, "teen": 0.93, "elderly": 0.96}.get(age, 1.0)
    height *= w.height or (1 + ((d[6] % 7) - 3) * 0.012)
    build = w.build or (0.92, 1.0, 1.0, 1.1)[d[7] % 4]
    skin = SKIN_TONES[w.skin if w.skin is not None else d[5] % len(SKIN_TONES)]
    styles, common = _styles(sex, age)
    style = w.hair_style or styles[d[8] % common]
    if age == "elderly":
        hair = w.hair or w.beard_colour or ELDERLY_HAIR[d[4] % len(ELDERLY_HAIR)]
    else:
        hair = w.hair or HAIR_DEFAULTS[d[4] % len(HAIR_DEFAULTS)]
    beard = w.beard or ""
    beard_colour = w.beard_colour or hair

    main = w.any_colour or figure_colour(name)
    torso = w.torso or (("dress", "sweater", "shirt", "tshirt") if sex == "f" and age != "elderly" and w.legs is None
                        else ("sweater", "shirt", "tshirt", "sweater"))[d[9] % 4]
    outer = w.outer or ""
    if not outer and w.torso is None and w.outer is None and d[14] % 5 == 0 and torso not in _ONE_PIECE:
        outer = "jacket"
    if outer:
        outer_colour = w.outer_colour or main
        torso_colour = w.torso_colour or UNDER_COLOURS[d[11] % len(UNDER_COLOURS)]
    else:
        outer_colour = main
        torso_colour = w.torso_colour or main
    if torso == "armour" and w.torso_colour is None:
        torso_colour = (176, 178, 186)
    if torso in _ONE_PIECE:
        legs, legs_colour = "", scaled(torso_colour, 0.7)
    else:
        legs = w.legs or ("trousers" if sex != "f" or torso != "dress" else "skirt")
        if torso in ("suit", "uniform", "armour") and w.legs_colour is None:
            legs_colour = torso_colour
        else:
            legs_colour = w.legs_colour or TROUSER_COLOURS[d[10] % len(TROUSER_COLOURS)]
        if legs == "jeans":
            legs = "trousers"
    shoes = w.shoes or ("boots" if torso in ("uniform", "armour") or outer == "coat" and d[12] % 2 else "shoes")
    shoes_colour = w.shoes_colour or SHOE_COLOURS[d[12] % len(SHOE_COLOURS)]
    hat = w.hat or ""
    hat_colour = w.hat_colour or {
        "helmet": (176, 178, 186), "crest": (176, 178, 186), "crown": (232, 190, 70), "chef": (246, 246, 242),
        "souwester": (218, 165, 32), "peaked": torso_colour if torso == "uniform" else (40, 44, 60),
        "cap": main, "beanie": main if outer else mix(main, (40, 40, 50), 0.3),
        "hood": outer_colour if outer == "cloak" else scaled(main, 0.85),
    }.get(hat, HAT_COLOURS[d[13] % len(HAT_COLOURS)])
    worn = w.worn
    if "tie" in worn:
        tie: RGB | None = worn["tie"] or ((140, 30, 40) if torso == "suit" else scaled(main, 0.6))
    else:
        tie = ((150, 36, 44) if d[15] % 2 else (40, 50, 90)) if torso == "suit" else None
    scarf = (worn["scarf"] or COSTUMES[d[16] % len(COSTUMES)]) if "scarf" in worn else None
    apron = (worn["apron"] or (240, 238, 232)) if "apron" in worn else None
    return Look(
        age=age, sex=sex, height=height, build=build, skin=skin, hair=hair, hair_style=style, beard=beard,
        beard_colour=beard_colour, torso=torso, torso_colour=torso_colour, outer=outer, outer_colour=outer_colour,
        legs=legs, legs_colour=legs_colour, shoes=shoes, shoes_colour=shoes_colour, hat=hat, hat_colour=hat_colour,
        glasses=w.glasses or "", scarf=scarf, apron=apron, tie=tie, stoop=(9.0 if age == "elderly" else 0.0),
        cane=w.cane,
    )


def _silhouette(look: Look) -> tuple[object, ...]:
    return (look.hair_style, look.hat, look.outer, look.torso in _ONE_PIECE, look.legs, round(look.build, 2),
            look.beard, look.age)


def _set_colour(look: Look, colour: RGB) -> Look:
    if look.outer:
        return replace(look, outer_colour=colour, hat_colour=colour if look.hat in ("cap", "beanie") else look.hat_colour)
    under = replace(look, torso_colour=colour, hat_colour=colour if look.hat in ("cap", "beanie") else look.hat_colour)
    if look.torso in _ONE_PIECE:
        under = replace(under, legs_colour=scaled(colour, 0.7))
    if look.torso in ("suit", "uniform"):
        under = replace(under, legs_colour=colour)
    return under


@lru_cache(maxsize=64)
def _film_looks(film_cast: tuple[tuple[str, str], ...]) -> dict[str, Look]:
    """Every character of the film, resolved in cast order, each apart from those before."""
    looks: dict[str, Look] = {}
    for name, words in film_cast:
        key = name.strip().upper()
        if key in looks:
            continue
        look = _resolve(name, words)
        said = _read(words)
        earlier = list(looks.values())
        # A palette of its own: another costume colour when the words name none. The next colour
        # along the table from the name's own that is far enough from everyone's before, else
        # the farthest.
        colour_said = said.any_colour is not None or (said.outer_colour if look.outer else said.torso_colour) is not None
        if not colour_said and earlier and min(_distance(look.colour, e.colour) for e in earlier) < _APART:
            start = COSTUMES.index(figure_colour(name))
            candidates = [COSTUMES[(start + k) % len(COSTUMES)] for k in range(1, len(COSTUMES))]
            look = _set_colour(look, max(candidates, key=lambda c: min(_APART, *(_distance(c, e.colour) for e in earlier))))
        # A silhouette of its own: another hair style, build, or a hat, where the words leave them open.
        shapes = {_silhouette(e) for e in earlier}
        if _silhouette(look) in shapes:
            options: list[Look] = []
            if said.hair_style is None:
                styles, _ = _styles(look.sex, look.age)
                k = styles.index(look.hair_style) if look.hair_style in styles else 0
                for step in range(1, len(styles)):
                    style = styles[(k + step) % len(styles)]
                    options.append(replace(look, hair_style=style))
            if said.build is None:
                options += [replace(look, build=b) for b in (0.86, 1.12, 1.22) if b != look.build]
            if said.hat is None and not look.hat:
                options += [replace(look, hat=h, hat_colour=HAT_COLOURS[i]) for i, h in enumerate(("hat", "cap", "beanie"))]
            for option in options:
                if _silhouette(option) not in shapes:
                    look = option
                    break
        looks[key] = look
    return looks


def character_look(name: str, look: str, film_cast: tuple[tuple[str, str], ...] = ()) -> Look:
    """How `name` (with look words `look`) is drawn in a film whose cast is `film_cast`.

    `film_cast` is every (name, look) of the film in order of first appearance; a name missing
    from it is read as if it came last. Same arguments, same look.
    """
    key = name.strip().upper()
    cast = tuple(film_cast)
    if all(n.strip().upper() != key for n, _ in cast):
        cast = cast + ((name, look),)
    return _film_looks(cast)[key]


# ---------------------------------------------------------------------------------------------
# Posing: a skeleton in 3D, turned and projected

# Proportions in units of the figure's own standing height, by age group:
# head half-height, neck, hip height, shoulder / waist / hip half-widths (at build 1), limb radii.
@dataclass(frozen=True)
class _Proportions:
    head: float
    neck: float
    hip: float
    shoulder: float
    waist: float
    hips: float
    depth: float
    thigh_r: float
    shin_r: float
    arm_r: float
    fore_r: float
    hand_r: float
    foot: float


_ADULT = _Proportions(head=0.078, neck=0.028, hip=0.5, shoulder=0.108, waist=0.082, hips=0.092, depth=0.064,
                      thigh_r=0.046, shin_r=0.035, arm_r=0.031, fore_r=0.026, hand_r=0.025, foot=0.085)
_BODIES = {
    "adult": _ADULT,
    "elderly": _ADULT,
    "teen": replace(_ADULT, head=0.083, shoulder=0.1, waist=0.078, hips=0.086),
    "child": replace(_ADULT, head=0.1, neck=0.024, hip=0.45, shoulder=0.112, waist=0.1, hips=0.1, depth=0.07,
                     thigh_r=0.05, shin_r=0.04, arm_r=0.034, fore_r=0.03, hand_r=0.03, foot=0.09),
    "toddler": replace(_ADULT, head=0.125, neck=0.02, hip=0.4, shoulder=0.12, waist=0.12, hips=0.115, depth=0.08,
                       thigh_r=0.058, shin_r=0.046, arm_r=0.04, fore_r=0.036, hand_r=0.034, foot=0.095),
}

# Joint angles in degrees, from hanging straight down, positive forward: spine lean, then each
# leg (thigh, knee bend) and each arm (upper arm, elbow bend, spread from the side).
_POSE_ANGLES: dict[str, tuple[float, tuple[float, float], tuple[float, float], tuple[float, float, float],
                               tuple[float, float, float]]] = {
    "standing": (0, (2, 2), (-2, 2), (0, 8, 7), (0, 8, 7)),
    "walking": (3, (24, 6), (-20, 24), (-24, 16, 5), (26, 24, 5)),
    "running": (14, (58, 78), (-30, 105), (-55, 100, 8), (36, 96, 12)),
    "sitting": (-4, (86, 88), (82, 80), (22, 55, 10), (16, 62, 10)),
    "climbing": (10, (84, 108), (-6, 10), (158, 14, 12), (-12, 26, 10)),
    "lying": (0, (0, 2), (6, 16), (-6, 12, 22), (-4, 10, 22)),
}
_FACING_ANGLE = {"front": 0.0, "right": 90.0, "back": 180.0, "left": 270.0}
_OBLIQUE = 0.22     # nearer points sit lower: the camera looks down a little


@dataclass
class _Pose:
    """A posed, projected skeleton: 2D points (model units, y up) and the depth of each."""

    pts: dict[str, Point]
    depth: dict[str, float]
    profile: float      # sin of the turn: +1 facing right, -1 facing left, 0 front or back
    front: float        # cos of the turn: +1 front, -1 back
    lying: float        # 0, or +/-1: the whole figure turned onto its back, head to that side (-1 left)


def _pose(look: Look, pose: str, facing: str, body: _Proportions) -> _Pose:
    lean, leg_a, leg_b, arm_a, arm_b = _POSE_ANGLES[pose if pose in _POSE_ANGLES else "standing"]
    lean += look.stoop * (0.5 if pose in ("running", "lying", "climbing") else 1.0)
    b = look.build
    torso_len = 1 - 2 * body.head - body.neck - body.hip
    leg_len = body.hip - 0.035
    thigh, shin = leg_len * 0.51, leg_len * 0.49
    arm_len = torso_len * 1.03
    upper, fore = arm_len * 0.53, arm_len * 0.47
    joints: dict[str, tuple[float, float, float]] = {}

    def direction(angle: float, spread: float = 0.0, side: float = 0.0) -> tuple[float, float, float]:
        a, s = math.radians(angle), math.radians(spread)
        return (side * math.sin(s), -math.cos(a) * math.cos(s), math.sin(a) * math.cos(s))

    def add(p: tuple[float, float, float], v: tuple[float, float, float], k: float) -> tuple[float, float, float]:
        return (p[0] + v[0] * k, p[1] + v[1] * k, p[2] + v[2] * k)

    pelvis = (0.0, body.hip, 0.0)
    up = (0.0, math.cos(math.radians(lean)), math.sin(math.radians(lean)))
    chest = add(pelvis, up, torso_len)
    neck_lean = math.radians(lean * (1.6 if look.stoop else 1.0))
    head_up = (0.0, math.cos(neck_lean), math.sin(neck_lean))
    joints["pelvis"], joints["chest"] = pelvis, chest
    joints["head"] = add(add(chest, up, body.neck * 0.5), head_up, body.neck * 0.5 + body.head)
    leg_x = body.hips * b * 0.55
    arm_x = body.shoulder * b - body.arm_r * (0.6 + 0.4 * b) * 0.7
    for tag, side, (th, knee), (ua, elbow, spread) in (("a", 1.0, leg_a, arm_a), ("b", -1.0, leg_b, arm_b)):
        hip = (side * leg_x, pelvis[1], pelvis[2])
        knee_p = add(hip, direction(th), thigh)
        ankle = add(knee_p, direction(th - knee), shin)
        shin_a = math.radians(th - knee)
        foot_dir = (0.0, math.sin(shin_a), math.cos(shin_a))
        joints[f"hip_{tag}"], joints[f"knee_{tag}"], joints[f"ankle_{tag}"] = hip, knee_p, ankle
        joints[f"toe_{tag}"] = add(ankle, foot_dir, body.foot * 0.78)
        joints[f"heel_{tag}"] = add(ankle, foot_dir, -body.foot * 0.2)
        # The shoe: a rounded block, its cross-section at the heel and at the toe.
        foot_up = (0.0, math.cos(shin_a), -math.sin(shin_a))
        for end, (t, half_w, half_h, lift) in enumerate(((-0.22, 0.026, 0.026, -0.01), (0.8, 0.031, 0.016, -0.02))):
            centre = add(add(ankle, foot_dir, body.foot * t), foot_up, lift)
            for i in range(6):
                phi = math.radians(30 + 60 * i)
                joints[f"foot_{tag}{end}{i}"] = add(add(centre, (side, 0.0, 0.0), half_w * math.cos(phi)), foot_up,
                                                    half_h * math.sin(phi))
        shoulder = (chest[0] + side * arm_x, chest[1] - 0.012, chest[2])
        elbow_p = add(shoulder, direction(ua + lean * 0.6, spread, side), upper)
        wrist = add(elbow_p, direction(ua + lean * 0.6 + elbow, spread * 0.6, side), fore)
        joints[f"shoulder_{tag}"], joints[f"elbow_{tag}"], joints[f"wrist_{tag}"] = shoulder, elbow_p, wrist
        joints[f"hand_{tag}"] = add(wrist, direction(ua + lean * 0.6 + elbow, spread * 0.6, side), body.hand_r * 0.8)

    if pose == "sitting":
        # A plain seat under the hips, reaching forward under the thighs; its top face last.
        sole = min(p[1] for k, p in joints.items() if k.startswith("foot_"))
        top = pelvis[1] - body.thigh_r * (0.6 + 0.4 * b)
        half = body.hips * b + 0.07
        corners = [(x, y, z) for y in (sole, top) for x in (-half, half) for z in (-0.13, 0.19)]
        for i, corner in enumerate(corners):
            joints[f"seat_{i}"] = corner
    # Facing left is facing right in a mirror.
    mirror = -1.0 if facing == "left" else 1.0
    turn = _FACING_ANGLE.get("right" if facing == "left" else facing, 0.0)
    if pose in ("walking", "running") and facing in ("front", "back"):
        turn += 28.0          # a stride seen straight on hides itself: turn it a little
    turn = math.radians(turn)
    c, s = math.cos(turn), math.sin(turn)
    if abs(c) < 1e-9:
        c = 0.0
    if abs(s) < 1e-9:
        s = 0.0
    pts: dict[str, Point] = {}
    depth: dict[str, float] = {}
    for k, (x, y, z) in joints.items():
        dz = -x * s + z * c
        pts[k] = (mirror * (x * c + z * s), y - _OBLIQUE * dz)
        depth[k] = dz
    lying = 0.0
    if pose == "lying":
        # Turned onto the ground: head to the left when facing front or right, to the right otherwise.
        lying = -1.0 if facing in ("front", "right") else 1.0
        px, py = pts["pelvis"]
        for k, (x, y) in pts.items():
            dx, dy = x - px, y - py
            pts[k] = (px + dy * lying, py - dx * lying) if lying > 0 else (px - dy, py + dx)
    return _Pose(pts, depth, s * mirror, c, lying)


# ---------------------------------------------------------------------------------------------
# Shapes


def _capsule(a: Point, b: Point, ra: float, rb: float, n: int) -> list[Point]:
    """The outline of a round-ended limb from `a` (radius `ra`) to `b` (radius `rb`)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    base = math.atan2(dy, dx)
    pts: list[Point] = []
    for i in range(n + 1):
        t = base - math.pi / 2 + math.pi * i / n
        pts.append((b[0] + rb * math.cos(t), b[1] + rb * math.sin(t)))
    for i in range(n + 1):
        t = base + math.pi / 2 + math.pi * i / n
        pts.append((a[0] + ra * math.cos(t), a[1] + ra * math.sin(t)))
    return pts


def _ellipse(cx: float, cy: float, rx: float, ry: float, a0: float = 0.0, a1: float = 360.0, n: int = 24) -> list[Point]:
    steps = max(2, round(n * abs(a1 - a0) / 360))
    return [(cx + rx * math.cos(math.radians(a0 + (a1 - a0) * i / steps)),
             cy + ry * math.sin(math.radians(a0 + (a1 - a0) * i / steps))) for i in range(steps + 1)]


def _hull(points: list[Point]) -> list[Point]:
    """Convex hull (monotone chain)."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[Point] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


_LIGHT = (1.0, -0.35)   # shade falls on the side facing this way: right and a little down (y up)


def _shade(pts: list[Point], axis: Point, keep: float = 0.58) -> list[Point]:
    """The strip of polygon `pts` away from the light, cut parallel to `axis` (a limb's length,
    the body's up): what lies beyond `keep` of the polygon's width across the axis."""
    nx, ny = axis[1], -axis[0]
    if nx * _LIGHT[0] + ny * _LIGHT[1] < 0:
        nx, ny = -nx, -ny
    proj = [p[0] * nx + p[1] * ny for p in pts]
    lo, hi = min(proj), max(proj)
    cut = lo + (hi - lo) * keep
    out: list[Point] = []
    n = len(pts)
    for i in range(n):
        p, q = pts[i], pts[(i + 1) % n]
        vp, vq = proj[i] - cut, proj[(i + 1) % n] - cut
        if vp >= 0:
            out.append(p)
        if (vp >= 0) != (vq >= 0):
            t = vp / (vp - vq)
            out.append((p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t))
    return out


def _grow(pts: list[Point], r: float) -> list[Point]:
    """Polygon `pts` pushed out by `r` (mitred, the mitre limited): its outline's outer edge."""
    n = len(pts)
    area = sum(pts[i][0] * pts[(i + 1) % n][1] - pts[(i + 1) % n][0] * pts[i][1] for i in range(n))
    sign = 1.0 if area < 0 else -1.0
    normals = []
    for i in range(n):
        (x0, y0), (x1, y1) = pts[i], pts[(i + 1) % n]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy) or 1.0
        normals.append((-dy / length * sign, dx / length * sign))
    out = []
    for i in range(n):
        ax, ay = normals[i - 1]
        bx, by = normals[i]
        mx, my = ax + bx, ay + by
        m = math.hypot(mx, my)
        if m < 1e-6:
            out.append((pts[i][0] + ax * r, pts[i][1] + ay * r))
            continue
        mx, my = mx / m, my / m
        k = r / max(0.5, mx * bx + my * by)
        out.append((pts[i][0] + mx * k, pts[i][1] + my * k))
    return out


@dataclass
class _Part:
    pts: list[Point]
    fill: RGB
    shade: bool = True
    axis: Point | None = None   # the shading cut runs along this (a limb's length); None: the body's up


@dataclass
class _Group:
    """Parts drawn together: one ink outline around them all, then their fills, nearest last."""

    key: float
    parts: list[_Part]


@dataclass
class _Figure:
    """A figure built in model space: groups of filled parts, ink details, placing."""

    groups: list[_Group]
    details: list[tuple]            # ("dot", (x, y), r, colour) | ("line", [pts], width, colour)
    look: Look
    scale: float                    # canvas pixels per model unit
    origin: Point                   # model point placed at (spec.x, spec.feet)
    spec: FigureSpec
    shadow: tuple[float, float]     # half width of the ground shadow, model units; centre x
    up: Point                       # the body's up in the picture: the shading cut runs along it

    def to_canvas(self, p: Point) -> Point:
        return (self.spec.x + (p[0] - self.origin[0]) * self.scale, self.spec.feet - (p[1] - self.origin[1]) * self.scale)


class _Head:
    """Head-local coordinates: u across (forward in profile), v up, in head radii."""

    def __init__(self, centre: Point, up: Point, rx: float, ry: float, forward: float) -> None:
        self.c, self.up, self.rx, self.ry = centre, up, rx, ry
        self.right = (up[1], -up[0])
        self.f = forward or 1.0

    def p(self, u: float, v: float) -> Point:
        u *= self.f
        return (self.c[0] + u * self.rx * self.right[0] + v * self.ry * self.up[0],
                self.c[1] + u * self.rx * self.right[1] + v * self.ry * self.up[1])

    def poly(self, uv: Sequence[Point]) -> list[Point]:
        return [self.p(u, v) for u, v in uv]

    def ellipse(self, cu: float, cv: float, ru: float, rv: float, a0: float = 0, a1: float = 360, n: int = 20) -> list[Point]:
        return self.poly(_ellipse(cu, cv, ru, rv, a0, a1, n))


def _hair_shapes(style: str, view: str) -> tuple[list[list[Point]], list[list[Point]], list[list[Point]]]:
    """Hair behind the body, hair over the body but behind the face, and hair over the head, in
    head-local (u, v) for the view "front", "side" or "back"."""
    behind: list[list[Point]] = []
    under: list[list[Point]] = []
    over: list[list[Point]] = []
    if style == "bald":
        if view == "front":
            over += [_ellipse(-0.92, -0.05, 0.16, 0.3), _ellipse(0.92, -0.05, 0.16, 0.3)]
        elif view == "side":
            over.append(_ellipse(0, 0, 1.05, 1.05, 148, 238, 8) + [(-0.52, -0.6), (-0.62, 0.12)])
        else:
            over.append(_ellipse(0, 0, 1.04, 1.04, 196, 344, 12) + [(0.86, -0.22), (0, -0.42), (-0.86, -0.22)])
        return behind, under, over
    s = 1.1 if style in ("curly", "afro") else 1.07
    if view == "front":
        line = [(-0.82, 0.22), (-0.3, 0.5), (0.12, 0.4), (0.8, 0.26)] if style != "bob" else [(-0.95, 0.28), (0.95, 0.28)]
        if style in ("ponytail", "bun", "braid"):
            line = [(-0.85, 0.3), (0, 0.62), (0.85, 0.3)]
        cap = _ellipse(0, 0, s, s, -12, 192, 20) + line
    elif view == "side":
        cap = _ellipse(0, 0, s, s, 68, 238, 18) + [(-0.62, -0.72), (-0.28, -0.32), (-0.12, 0.12), (0.3, 0.52), (0.5, 0.72)]
        if style in ("ponytail", "bun", "braid"):
            cap = _ellipse(0, 0, s, s, 62, 232, 18) + [(-0.3, -0.3), (-0.05, 0.2), (0.4, 0.62)]
    else:
        cap = _ellipse(0, 0, s, s, -32, 212, 22) + [(-0.62, -0.72), (0, -0.8), (0.62, -0.72)]
    over.append(cap)
    if style == "quiff":
        over.append(_ellipse(0.3 if view == "side" else 0.15, 0.92, 0.6, 0.3))
    elif style == "curly":
        a0, a1 = {"front": (-10, 190), "side": (60, 240), "back": (-30, 210)}[view]
        for k in range(7):
            a = math.radians(a0 + (a1 - a0) * k / 6)
            over.append(_ellipse(1.02 * math.cos(a), 1.02 * math.sin(a), 0.32, 0.32, n=10))
    elif style == "afro":
        behind.append(_ellipse(-0.15 if view == "side" else 0, 0.35, 1.5, 1.35, n=28))
    elif style == "long":
        if view == "front":
            behind.append(_ellipse(0, 0.1, 1.12, 1.05, 0, 180, 14) + [(-1.2, -1.4), (-1.1, -2.6), (1.1, -2.6), (1.2, -1.4)])
            for k in (-1, 1):   # over the shoulders, down to the chest
                under.append([(k * 1.08, 0.3), (k * 1.3, -1.0), (k * 1.36, -3.0), (k * 0.8, -3.15), (k * 0.7, -0.7)])
        elif view == "side":
            behind.append(_ellipse(0, 0.05, 1.1, 1.06, 60, 250, 14) + [(-1.4, -1.2), (-1.35, -3.0), (-0.6, -2.9),
                                                                        (-0.2, -0.6)])
        else:
            over.append(_ellipse(0, 0.05, 1.1, 1.05, 0, 180, 14) + [(-1.18, -1.4), (-1.05, -3.0), (1.05, -3.0), (1.18, -1.4)])
    elif style == "bob":
        if view == "front":
            behind.append(_ellipse(0, 0.05, 1.18, 1.12, -40, 220, 20) + [(-1.1, -1.0), (1.1, -1.0)])
            for k in (-1, 1):   # down to the jaw
                under.append([(k * 1.1, 0.3), (k * 1.22, -0.6), (k * 1.12, -1.05), (k * 0.72, -1.05), (k * 0.8, -0.4)])
        elif view == "side":
            behind.append(_ellipse(0, 0.05, 1.16, 1.1, 50, 262, 18) + [(-0.05, -1.02), (-0.1, -0.3)])
        else:
            over.append(_ellipse(0, 0.05, 1.16, 1.1, -40, 220, 20) + [(-1.1, -1.0), (1.1, -1.0)])
    elif style == "ponytail":
        if view == "front":
            behind.append(_capsule((0.55, 0.55), (1.25, -1.35), 0.3, 0.14, 5))
        elif view == "side":
            behind.append(_capsule((-0.9, 0.35), (-1.45, -1.35), 0.3, 0.14, 5))
        else:
            over.append(_capsule((0, 0.2), (0, -1.9), 0.3, 0.14, 5))
    elif style == "bun":
        centre = {"front": (0, 1.02), "side": (-0.72, 0.82), "back": (0, 0.72)}[view]
        over.append(_ellipse(centre[0], centre[1], 0.44, 0.42, n=14))
    elif style == "braid":
        start, end = {"front": ((0.82, -0.35), (1.3, -2.7)), "side": ((-0.85, -0.1), (-1.25, -2.5)),
                      "back": ((0, -0.55), (0, -2.9))}[view]
        target = behind if view == "side" else over
        for k in range(5):
            t = k / 4
            target.append(_ellipse(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t,
                                   0.27 - 0.07 * t, 0.33 - 0.07 * t, n=10))
    return behind, under, over


def _hat_shapes(hat: str, view: str) -> tuple[list[tuple[list[Point], float]], list[tuple[list[Point], float]]]:
    """A hat's shapes behind the head and over it, in head-local (u, v), each with a shade factor."""
    behind: list[tuple[list[Point], float]] = []
    over: list[tuple[list[Point], float]] = []
    side = view == "side"
    if hat == "cap":
        over.append((_ellipse(0, 0.2, 1.1, 1.0, 0, 180, 14), 1.0))
        if view == "front":
            over.append((_ellipse(0, 0.2, 1.08, 0.2), 0.75))
        elif side:
            over.append(([(0.55, 0.32), (1.75, 0.24), (1.72, 0.1), (0.55, 0.1)], 0.75))
    elif hat in ("hat", "souwester"):
        if hat == "souwester":
            over.append((_ellipse(0, 0.22, 1.12, 1.05, 0, 180, 14), 1.0))
            brim = ([(1.45, 0.35), (1.35, 0.12), (-1.1, -0.2), (-1.75, -0.45), (-1.6, 0.05), (-0.6, 0.4)] if side else
                    _ellipse(0, 0.16, 1.6, 0.3))
            over.append((brim, 0.85))
        else:
            over.append(([(-0.8, 0.45), (-0.7, 1.5), (0, 1.32), (0.7, 1.5), (0.8, 0.45)], 1.0))
            over.append((_ellipse(0, 0.5, 1.8, 0.22) if not side else _ellipse(0.15, 0.5, 1.85, 0.2), 0.85))
    elif hat == "beanie":
        over.append((_ellipse(0, 0.18, 1.12, 1.2, 0, 180, 14), 1.0))
        over.append(([(-1.14, 0.08), (1.14, 0.08), (1.14, 0.45), (-1.14, 0.45)], 0.8))
    elif hat == "bowler":
        over.append((_ellipse(0, 0.5, 0.92, 0.95, 0, 180, 14), 1.0))
        over.append((_ellipse(0, 0.5, 1.35, 0.16), 0.85))
    elif hat == "tophat":
        over.append(([(-0.75, 0.5), (-0.75, 2.1), (0.75, 2.1), (0.75, 0.5)], 1.0))
        over.append((_ellipse(0, 0.5, 1.4, 0.17), 0.85))
    elif hat in ("helmet", "crest"):
        if hat == "crest":
            crest = _ellipse(0, 1.05, 0.9, 0.9, 0, 180, 12) if not side else _ellipse(-0.05, 1.0, 1.35, 0.85, 0, 180, 12)
            over.append((crest + ([(0.9, 1.05)] if not side else []), -1))
        over.append((_ellipse(0, 0.08, 1.16, 1.12, 0, 180, 16), 1.0))
        over.append(([(-1.18, -0.05), (1.18, -0.05), (1.18, 0.18), (-1.18, 0.18)], 0.85))
    elif hat == "crown":
        over.append(([(-0.85, 0.6), (-0.85, 1.3), (-0.45, 0.98), (0, 1.45), (0.45, 0.98), (0.85, 1.3), (0.85, 0.6)], 1.0))
    elif hat == "peaked":
        top = [(-1.0, 0.88), (1.25, 0.92), (1.2, 1.28), (-0.95, 1.22)] if side else [(-1.25, 0.86), (1.25, 0.86), (1.05, 1.28), (-1.05, 1.28)]
        over.append(([(-0.98, 0.4), (0.98, 0.4), (1.0, 0.92), (-1.0, 0.92)], 1.0))
        over.append((top, 1.0))
        if view == "front":
            over.append((_ellipse(0, 0.38, 0.96, 0.15), 0.3))
        elif side:
            over.append(([(0.7, 0.5), (1.55, 0.36), (1.5, 0.26), (0.7, 0.32)], 0.3))
    elif hat == "chef":
        over.append(([(-0.9, 0.45), (-0.9, 1.1), (0.9, 1.1), (0.9, 0.45)], 1.0))
        for cu in (-0.55, 0.0, 0.55):
            over.append((_ellipse(cu, 1.55, 0.62, 0.62, n=14), 1.0))
    elif hat == "hood":
        behind.append((_ellipse(-0.2 if side else 0, 0.08, 1.38, 1.32, n=24), 1.0))
        if view == "front":
            over.append((_ellipse(0, 0.05, 1.36, 1.3, 0, 180, 16) + _ellipse(0, 0.05, 1.02, 0.98, 180, 0, 16), 1.0))
        elif side:
            over.append((_ellipse(-0.2, 0.08, 1.38, 1.32, 65, 250, 16) + [(-0.3, -0.7), (0.2, 0.4), (0.55, 0.95)], 1.0))
        else:
            over.append((_ellipse(0, 0.08, 1.38, 1.32, -20, 200, 20), 1.0))
    return behind, over


def _hem(pose: _Pose, leg: str, t: float) -> Point:
    """A point `t` of the way down a leg: 0 at the hip, 1 at the knee, 2 at the ankle."""
    hip, knee, ankle = pose.pts[f"hip_{leg}"], pose.pts[f"knee_{leg}"], pose.pts[f"ankle_{leg}"]
    if t <= 1:
        return (hip[0] + (knee[0] - hip[0]) * t, hip[1] + (knee[1] - hip[1]) * t)
    t -= 1
    return (knee[0] + (ankle[0] - knee[0]) * t, knee[1] + (ankle[1] - knee[1]) * t)


def _limb(a: Point, b: Point, ra: float, rb: float, n: int, fill: RGB, shade: bool = True) -> _Part:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy) or 1.0
    return _Part(_capsule(a, b, ra, rb, n), fill, shade, (dx / length, dy / length))


def _build(spec: FigureSpec, look: Look) -> _Figure:
    """Every part of one figure, in model space (units of the figure's own height, y up)."""
    age = "toddler" if look.age == "child" and look.height < 0.56 else look.age
    body = _BODIES.get(age, _ADULT)
    pose_name = spec.pose if spec.pose in POSES else "standing"
    facing = spec.facing if spec.facing in FACINGS else "front"
    pose = _pose(look, pose_name, facing, body)
    P, D = pose.pts, pose.depth
    scale = max(1e-6, spec.height * look.height)
    n = 6 if scale > 150 else 4 if scale > 40 else 3       # points per half circle
    b = look.build
    limb = 0.6 + 0.4 * b
    details: list[tuple] = []
    groups: list[_Group] = []
    side_view = abs(pose.profile) > 0.5
    back_view = pose.front < -0.5
    front_view = not side_view and not back_view
    view = "side" if side_view else "back" if back_view else "front"
    fwd = (1.0 if pose.profile > 0 else -1.0) if side_view else 1.0   # which way a profile faces in the picture
    detail = scale > 48                                    # buttons, collars, mouths: only where they show

    # The spine in the picture: the torso is built across it, and the head stands on it.
    pc, cc = P["pelvis"], P["chest"]
    ax, ay = cc[0] - pc[0], cc[1] - pc[1]
    alen = math.hypot(ax, ay) or 1.0
    up = (ax / alen, ay / alen)
    across = (up[1], -up[0])

    def at(p: Point, u: float, v: float) -> Point:         # p + u across + v up
        return (p[0] + u * across[0] + v * up[0], p[1] + u * across[1] + v * up[1])

    turn_c, turn_s = abs(pose.front), abs(pose.profile)

    def width(w: float, dep: float) -> float:
        return w * turn_c + dep * turn_s

    # Legs, with their shoes.
    one_piece = look.torso in _ONE_PIECE
    for leg in ("a", "b"):
        hip, knee, ankle = P[f"hip_{leg}"], P[f"knee_{leg}"], P[f"ankle_{leg}"]
        thigh_r, shin_r = body.thigh_r * limb, body.shin_r * limb
        if one_piece and look.torso != "dress":
            thigh_fill = shin_fill = look.legs_colour
        else:
            thigh_fill = look.skin if look.legs == "skirt" or look.torso == "dress" else look.legs_colour
            shin_fill = look.skin if look.legs in ("shorts", "skirt") or look.torso == "dress" else look.legs_colour
        parts = [_limb(hip, knee, thigh_r, shin_r * 1.05, n, thigh_fill),
                 _limb(knee, ankle, shin_r * 1.05, shin_r * 0.8, n, shin_fill)]
        if look.shoes == "boots":
            top = (ankle[0] + (knee[0] - ankle[0]) * 0.42, ankle[1] + (knee[1] - ankle[1]) * 0.42)
            parts.append(_limb(top, ankle, shin_r * 1.1, shin_r * 0.95, n, look.shoes_colour))
        shoe = _hull([P[f"foot_{leg}{e}{i}"] for e in (0, 1) for i in range(6)])
        parts.append(_Part(shoe, look.shoes_colour, False))
        # Legs go under a skirt or a coat; bare of one, a leg reaching toward us crosses the body.
        skirted = one_piece or look.legs == "skirt" or look.outer in ("coat", "cloak")
        groups.append(_Group(min(D[f"knee_{leg}"] - 0.09, -0.01 if skirted else 1.0), parts))

    # Torso: the garment's body, a skirt (dress, gown, robe, coat) that follows the legs, and
    # what is worn over it.
    sh_w = width(body.shoulder * b, body.depth * b)
    waist_w = width(body.waist * b, body.depth * b * 0.95)
    hip_w = width(body.hips * b, body.depth * b)
    chest_top = at(cc, 0, 0.012)
    waist_v = 0.4 * alen
    torso_poly = [at(pc, -hip_w, -0.035), at(pc, hip_w, -0.035), at(pc, waist_w, waist_v), at(chest_top, sh_w, -0.045),
                  at(chest_top, sh_w - 0.03, 0), at(chest_top, -sh_w + 0.03, 0), at(chest_top, -sh_w, -0.045),
                  at(pc, -waist_w, waist_v)]
    parts = [_limb(at(cc, 0, -0.01), P["head"], body.head * 0.36, body.head * 0.34, n, look.skin, False)]
    top_colour, outer_colour = look.torso_colour, look.outer_colour

    def hem_mid(t: float) -> Point:
        a, c = _hem(pose, "a", t), _hem(pose, "b", t)
        return ((a[0] + c[0]) / 2, (a[1] + c[1]) / 2)

    def skirt(t: float, flare: float, colour: RGB) -> _Part:
        pts = [at(pc, -hip_w, 0.05), at(pc, hip_w, 0.05)]
        r = body.thigh_r * limb + flare
        for leg in ("a", "b"):
            p = _hem(pose, leg, t)
            pts += [(p[0] - r, p[1]), (p[0] + r, p[1])]
            if t > 1:
                k = _hem(pose, leg, 1.0)
                pts += [(k[0] - r * 0.8, k[1]), (k[0] + r * 0.8, k[1])]
        return _Part(_hull(pts), colour)

    if look.torso in ("gown", "robe"):
        parts.append(skirt(1.85, 0.05 if look.torso == "gown" else 0.03, top_colour))
    elif look.torso == "dress":
        parts.append(skirt(1.05, 0.04, top_colour))
    elif look.legs == "skirt":
        parts.append(skirt(1.0, 0.03, look.legs_colour))
    coat_hem = {"coat": 1.15, "cloak": 1.6, "jacket": 0.3}.get(look.outer, 0.0)
    if look.outer:
        parts.append(skirt(coat_hem, {"coat": 0.02, "cloak": 0.06}.get(look.outer, 0.012), outer_colour))
    parts.append(_Part(torso_poly, outer_colour if look.outer else top_colour))
    if look.outer and front_view:
        # Worn open: the garment beneath shows down the front.
        k = 0.44 if look.outer != "cloak" else 0.6
        parts.append(_Part([at(chest_top, -sh_w * k, 0), at(chest_top, sh_w * k, 0), at(pc, waist_w * 0.14, 0.06),
                            at(pc, -waist_w * 0.14, 0.06)], top_colour, False))
        if detail and look.outer != "cloak":
            details.append(("line", [at(pc, 0, 0.06), hem_mid(coat_hem * 0.97)], 0.006, scaled(outer_colour, 0.6)))
    if look.apron is not None and not back_view:
        top = at(chest_top, 0, -0.08)
        lo = hem_mid(0.95)
        if side_view:
            edge = fwd * width(0, body.depth * b)
            poly = [at(top, edge * 0.7, 0), at(top, edge * 1.08, 0), at(pc, edge * 1.12, 0),
                    (lo[0] + edge * 1.3, lo[1]), (lo[0] + edge * 0.3, lo[1])]
        else:
            aw = waist_w * 0.72
            poly = [at(top, -aw * 0.8, 0), at(top, aw * 0.8, 0), at(pc, aw, 0.0), (lo[0] + aw * 1.2, lo[1]),
                    (lo[0] - aw * 1.2, lo[1]), at(pc, -aw, 0.0)]
        parts.append(_Part(poly, look.apron))
    if look.torso == "suit" and not look.outer and front_view:
        parts.append(_Part([at(chest_top, -sh_w * 0.36, 0), at(chest_top, sh_w * 0.36, 0), at(chest_top, 0, -0.14)],
                           (242, 242, 238), False))
    if look.scarf is not None:
        sr = body.head * 0.3
        parts.append(_limb(at(chest_top, -sh_w * 0.55, 0.0), at(chest_top, sh_w * 0.55, 0.0), sr, sr, n, look.scarf))
        if not back_view:
            tail = sh_w * 0.3 if not side_view else fwd * width(0, body.depth * b) * 0.6
            parts.append(_limb(at(chest_top, tail, -0.01), at(chest_top, tail * 1.1, -0.17), sr * 0.8, sr * 0.7, n,
                               look.scarf))
    groups.append(_Group(0.0, parts))
    if detail and front_view and not look.outer:
        if look.tie is not None:
            t0 = at(chest_top, 0, -0.012)
            details.append(("poly", [t0, at(t0, 0.017, -0.025), at(t0, 0.012, -0.15), at(t0, 0, -0.17),
                                     at(t0, -0.012, -0.15), at(t0, -0.017, -0.025)], look.tie))
        if look.torso == "uniform":
            for k in range(4):
                details.append(("dot", at(pc, 0, 0.06 + k * 0.065), 0.008, (226, 196, 90)))
            details.append(("line", [at(pc, -waist_w, 0.03), at(pc, waist_w, 0.03)], 0.02, (44, 34, 30)))
        elif look.torso == "sweater":
            details.append(("line", [at(pc, -hip_w * 0.97, -0.012), at(pc, hip_w * 0.97, -0.012)], 0.02,
                            scaled(top_colour, 0.78)))
            details.append(("line", [at(chest_top, -0.04, -0.002), at(chest_top, 0.04, -0.002)], 0.016,
                            scaled(top_colour, 0.78)))
        elif look.torso == "shirt":
            c0 = at(chest_top, 0, -0.004)
            details.append(("poly", [at(c0, -0.045, 0.004), at(c0, 0, -0.035), at(c0, 0.045, 0.004), at(c0, 0, -0.01)],
                            mix(top_colour, (255, 255, 255), 0.55)))

    # Arms: sleeves of the outer garment, or of the one beneath; hands.
    long_sleeves = look.torso not in ("tshirt", "dress") or (look.outer and look.outer != "cloak")
    sleeve = outer_colour if look.outer and look.outer != "cloak" else top_colour
    for arm in ("a", "b"):
        sh, el, wr, hd = P[f"shoulder_{arm}"], P[f"elbow_{arm}"], P[f"wrist_{arm}"], P[f"hand_{arm}"]
        ur, fr = body.arm_r * limb, body.fore_r * limb
        parts = [_limb(sh, el, ur, fr * 1.05, n, sleeve),
                 _limb(el, wr, fr * 1.05, fr * 0.9, n, sleeve if long_sleeves else look.skin),
                 _Part(_ellipse(hd[0], hd[1], body.hand_r, body.hand_r, n=4 * n), look.skin, False)]
        key = max(D[f"shoulder_{arm}"], (D[f"elbow_{arm}"] + D[f"wrist_{arm}"]) / 2) + 0.02
        if side_view and D[f"shoulder_{arm}"] < -0.02:
            key = -0.05                                    # the far arm, behind the body
        groups.append(_Group(key, parts))
        if look.cane and arm == ("a" if fwd > 0 or not side_view else "b"):
            sole = min(p[1] for k, p in P.items() if k.startswith("foot_"))
            details.append(("line", [hd, (hd[0] + 0.04 * fwd * (1 if side_view else 0), sole)], 0.016, (96, 66, 40)))

    # Head: hair behind it, the head, beard, hair over it, hat; then eyes and glasses.
    head_up = up
    if look.stoop and not pose.lying and side_view:
        head_up = (up[0] + fwd * 0.12, up[1])
        hl = math.hypot(*head_up)
        head_up = (head_up[0] / hl, head_up[1] / hl)
    head = _Head(P["head"], head_up, body.head * (0.9 if side_view else 0.84), body.head, fwd)
    style = look.hair_style
    hair_behind, hair_under, hair_over = _hair_shapes(style, view)
    hat_behind, hat_over = _hat_shapes(look.hat, view) if look.hat else ([], [])
    if look.hat in ("helmet", "crest", "hood", "beanie", "chef", "souwester", "tophat", "bowler", "hat", "peaked") \
            and style in ("short", "quiff", "curly", "bun", "bald"):
        hair_over = hair_over[:1]                          # a hat hides a quiff, curls, a bun
    hair = look.hair
    behind = [_Part(head.poly(pts), hair) for pts in hair_behind]
    behind += [_Part(head.poly(pts), scaled(look.hat_colour, 0.8)) for pts, _ in hat_behind]
    if behind:
        groups.append(_Group(-0.2 if not back_view else 0.06, behind))
    parts = [_Part(head.poly(pts), hair) for pts in hair_under]
    if front_view:
        parts += [_Part(head.ellipse(u, -0.08, 0.17, 0.26, n=10), look.skin, False) for u in (-0.98, 0.98)]
    parts.append(_Part(head.ellipse(0, 0, 1, 1, n=6 * n), look.skin, False))
    if side_view:
        parts.append(_Part(head.poly([(0.88, 0.12), (1.2, -0.16), (0.9, -0.3)]), look.skin, False))
        parts.append(_Part(head.ellipse(-0.14, -0.06, 0.17, 0.26, n=10), scaled(look.skin, 0.9), False))
    if look.beard and not back_view:
        colour = look.beard_colour if look.beard != "stubble" else mix(look.skin, look.beard_colour, 0.45)
        if look.beard in ("beard", "stubble"):
            shape = ([(-0.96, -0.12)] + _ellipse(0, -0.1, 1.0, 1.16, 192, 348, 12) +
                     [(0.96, -0.12), (0.6, -0.3), (0.25, -0.26), (-0.25, -0.26), (-0.6, -0.3)] if not side_view else
                     [(-0.14, 0.08), (-0.34, -0.5), (0.05, -1.02), (0.5, -1.18), (0.92, -0.94), (1.04, -0.6),
                      (1.0, -0.34), (0.72, -0.3), (0.6, -0.48), (0.22, -0.44), (0.02, -0.1)])
            parts.append(_Part(head.poly(shape), colour, False))
        if look.beard == "moustache":
            shape = ([(-0.44, -0.3), (0.44, -0.3), (0.34, -0.46), (-0.34, -0.46)] if not side_view else
                     [(0.56, -0.28), (1.04, -0.32), (1.0, -0.46), (0.6, -0.44)])
            parts.append(_Part(head.poly(shape), colour, False))
    parts += [_Part(head.poly(pts), hair) for pts in hair_over]
    for pts, k in hat_over:
        colour = look.hat_colour if k >= 0 else (184, 40, 40)
        parts.append(_Part(head.poly(pts), scaled(colour, k) if 0 <= k < 1 else colour))
    groups.append(_Group(0.05 if not back_view else 0.08, parts))
    if not back_view:
        eyes = [(0.58, 0.04)] if side_view else [(-0.37, 0.04), (0.37, 0.04)]
        for u, v in eyes:
            details.append(("dot", head.p(u, v), 0.1 * body.head, None))
        if look.glasses:
            for u, v in eyes:
                details.append(("ring" if look.glasses == "glasses" else "disc", head.p(u, v), 0.27 * body.head, None))
            bridge = ([(0.58 - 0.27, 0.08), (-0.2, 0.14)] if side_view else [(-0.37 + 0.27, 0.06), (0.37 - 0.27, 0.06)])
            details.append(("line", head.poly(bridge), 0.006, None))
        if detail and look.beard != "beard":
            mouth = [(0.6, -0.44), (0.86, -0.42)] if side_view else [(-0.18, -0.46), (0.18, -0.46)]
            details.append(("line", head.poly(mouth), 0.005, None))

    if pose_name == "sitting":
        # The seat: behind the legs, or in front of them seen from behind.
        corners = [P[f"seat_{i}"] for i in range(8)]
        wood = (118, 86, 60)
        groups.append(_Group(-0.005 if back_view else -1.0, [_Part(_hull(corners), scaled(wood, 0.82), False),
                                                              _Part(_hull(corners[4:]), wood, False)]))
    groups.sort(key=lambda g: g.key)
    body_pts = [p for g in groups for part in g.parts for p in part.pts]
    xs = [p[0] for p in body_pts]
    ground = min(p[1] for p in body_pts)
    cx = (min(xs) + max(xs)) / 2
    return _Figure(groups, details, look, scale, (cx, ground), spec, ((max(xs) - min(xs)) / 2 + 0.04, cx), up)


# ---------------------------------------------------------------------------------------------
# Drawing


def _outline_px(scale: float) -> float:
    """Ink width in canvas pixels for a figure `scale` pixels tall."""
    return min(4.0, max(0.55, scale / 110))


def figure_box(spec: FigureSpec, film_cast: tuple[tuple[str, str], ...] | None = None) -> tuple[float, float, float, float]:
    """The figure's bounds in canvas pixels (left, top, right, bottom), its ground shadow included.

    Without `film_cast` the look is read as if the figure were the film's only character: the
    height is the same either way (it depends on the words and the name alone), the width may
    differ by a few percent where the film varies the build.
    """
    look = character_look(spec.name, spec.look, film_cast if film_cast is not None else ())
    fig = _build(spec, look)
    pts = [fig.to_canvas(p) for g in fig.groups for part in g.parts for p in part.pts]
    pad = _outline_px(fig.scale)
    shadow = fig.shadow[0] * fig.scale
    sx = fig.to_canvas((fig.shadow[1], 0))[0]
    left = min(min(p[0] for p in pts) - pad, sx - shadow)
    right = max(max(p[0] for p in pts) + pad, sx + shadow)
    return (left, min(p[1] for p in pts) - pad, right, max(max(p[1] for p in pts) + pad, spec.feet + 0.03 * fig.scale))


def draw_cast(img: Image.Image, specs: Sequence[FigureSpec], film_cast: tuple[tuple[str, str], ...], pal: Palette,
              ss: int, tags: bool = True) -> None:
    """Draw `specs` on `img` (farther figures, higher feet, first), each dressed as the film's
    `film_cast` has them, with a name tag over each head when `tags`.

    The figures are drawn supersampled `ss` times on a layer just big enough for them (clipped
    to the canvas) and laid over `img`.
    """
    if not specs:
        return
    cast = tuple(film_cast)
    for s in specs:
        if all(n.strip().upper() != s.name.strip().upper() for n, _ in cast):
            cast = cast + ((s.name, s.look),)
    figures = [_build(s, character_look(s.name, s.look, cast)) for s in sorted(specs, key=lambda s: s.feet)]
    _draw_bodies(img, figures, pal, ss)
    if tags:
        _draw_tags(img, figures, pal)


def _draw_bodies(img: Image.Image, figures: list[_Figure], pal: Palette, ss: int) -> None:
    w, h = img.size
    boxes = []
    for f in figures:
        pts = [f.to_canvas(p) for g in f.groups for part in g.parts for p in part.pts]
        pad = _outline_px(f.scale) + 1
        sx, sw = f.to_canvas((f.shadow[1], 0))[0], f.shadow[0] * f.scale
        boxes.append((min(min(p[0] for p in pts), sx - sw) - pad, min(p[1] for p in pts) - pad,
                      max(max(p[0] for p in pts), sx + sw) + pad, max(p[1] for p in pts) + pad))
    left = max(0, math.floor(min(b[0] for b in boxes)))
    top = max(0, math.floor(min(b[1] for b in boxes)))
    right = min(w, math.ceil(max(b[2] for b in boxes)))
    bottom = min(h, math.ceil(max(b[3] for b in boxes)))
    if right <= left or bottom <= top:
        return
    layer = Image.new("RGBA", ((right - left) * ss, (bottom - top) * ss), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for f in figures:
        _draw_figure(draw, f, pal, ss, (left, top))
    # Reduce premultiplied, or the transparent surround would darken the figures' edges.
    small = layer.convert("RGBa").reduce(ss).convert("RGBA")
    img.paste(small, (left, top), small)


def _draw_figure(draw: ImageDraw.ImageDraw, f: _Figure, pal: Palette, ss: int, origin: Point) -> None:
    k = f.scale * ss
    ox, oy = (f.spec.x - origin[0]) * ss, (f.spec.feet - origin[1]) * ss
    mx, my = f.origin

    def tr(pts: Sequence[Point]) -> list[Point]:
        return [(ox + (x - mx) * k, oy - (y - my) * k) for x, y in pts]

    ink = pal.ink
    lw = max(1, round(_outline_px(f.scale) * ss))
    # Ground shadow.
    sx = ox + (f.shadow[1] - mx) * k
    sw, sh = f.shadow[0] * k, max(1.0, 0.022 * k)
    draw.ellipse((sx - sw, oy - sh, sx + sw, oy + sh), fill=(0, 0, 0, 60))
    for group in f.groups:
        polys = [(tr(part.pts), part) for part in group.parts if len(part.pts) >= 3]
        for pts, _ in polys:
            draw.polygon(_grow(pts, lw), fill=ink)
        for pts, part in polys:
            draw.polygon(pts, fill=part.fill)
            if part.shade:
                shade = _shade(part.pts, part.axis or f.up)
                if len(shade) >= 3:
                    draw.polygon(tr(shade), fill=scaled(part.fill, 0.8))
    for d in f.details:
        kind = d[0]
        if kind == "dot":
            (x, y), = tr([d[1]])
            r = max(0.5 * ss, d[2] * k)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=d[3] or ink)
        elif kind in ("ring", "disc"):
            (x, y), = tr([d[1]])
            r = d[2] * k
            if r >= 1.5 * ss:
                draw.ellipse((x - r, y - r, x + r, y + r), fill=(30, 30, 36) if kind == "disc" else None, outline=ink,
                             width=max(1, round(lw * 0.8)))
        elif kind == "line":
            pts = tr(d[1])
            draw.line(pts, fill=d[3] or ink, width=max(1, round(d[2] * k)))
        elif kind == "poly":
            draw.polygon(tr(d[1]), fill=d[2])


def _tag_widths(figures: list[_Figure], w: int) -> list[float]:
    out = []
    for f in figures:
        gaps = [abs(f.spec.x - g.spec.x) for g in figures if g is not f and abs(f.spec.x - g.spec.x) > 0]
        out.append(min(gaps) * 0.94 if gaps else w * 0.5)
    return out


# Name tags stay below this share of the canvas: the caption band and the slate take the top
# of the frame (a three-line caption and the slate under it reach about 20% of it).
TAG_CEILING = 0.2


def _draw_tags(img: Image.Image, figures: list[_Figure], pal: Palette) -> None:
    """A small readable name tag over each figure's head, with a swatch of the character's colour."""
    w, h = img.size
    draw = ImageDraw.Draw(img)
    size = max(7, round(h / 30))
    ceiling = h * TAG_CEILING
    placed: list[tuple[float, float, float, float]] = []
    for f, tag_w in zip(figures, _tag_widths(figures, w)):
        pts = [f.to_canvas(p) for g in f.groups for part in g.parts for p in part.pts]
        head_top = min(p[1] for p in pts)
        # Room for a readable name: tags of figures close together stack rather than shrink to nothing.
        max_w = max(4.0, min(max(tag_w, size * 6.0), w - 4.0))
        pad = max(2, round(size * 0.45))
        swatch = max(3, round(size * 0.6))
        fnt, label = fit_line(f.spec.name, "bold", size, 6, max_w - 3 * pad - swatch)
        text_w = text_width(label, fnt)
        cap_top, cap_bottom = fnt.getbbox("H")[1], fnt.getbbox("H")[3]
        box_h = (cap_bottom - cap_top) + 2 * pad
        box_w = text_w + swatch + 3 * pad
        bottom = head_top - h * 0.012
        x = f.spec.x
        if bottom - box_h < ceiling:
            # A close-up: the head reaches the caption and slate, so the tag stands beside it, below them.
            bottom = ceiling + box_h + h * 0.02
            half = max(p[0] for p in pts if p[1] < head_top + f.scale * 0.2) - x
            x = x + half + box_w / 2 + 4 if x + half + box_w + 4 < w else x - half - box_w / 2 - 4
        left = min(max(2.0, x - box_w / 2), w - 2 - box_w)
        box = (left, bottom - box_h, left + box_w, bottom)
        while any(box[0] < b[2] + 1 and b[0] < box[2] + 1 and box[1] < b[3] + 1 and b[1] < box[3] + 1 for b in placed) \
                and box[1] - box_h - 2 > ceiling:
            bottom -= box_h + 2
            box = (left, bottom - box_h, left + box_w, bottom)
        placed.append(box)
        draw.rounded_rectangle(box, radius=box_h * 0.3, fill=pal.paper, outline=pal.ink, width=1)
        sy = bottom - box_h / 2
        draw.ellipse((left + pad, sy - swatch / 2, left + pad + swatch, sy + swatch / 2), fill=f.look.colour,
                     outline=pal.ink, width=1)
        # Baseline placed so the capitals sit in the middle of the tag.
        draw_text(draw, (left + 2 * pad + swatch, bottom - pad), label, fnt, pal.ink, "ls")


# ---------------------------------------------------------------------------------------------
# Today's panel: the shot's cast standing in a row, facing front


def figure_layout(cast: tuple[tuple[str, str], ...], w: int, h: int) -> list[FigureSpec]:
    """Where each of `cast` (name, look) stands on a `w` x `h` canvas, left to right."""
    n = len(cast)
    if not n:
        return []
    span = (FIGURE_SPAN[1] - FIGURE_SPAN[0]) * w
    spacing = min(w * 0.26, span / (n - 1)) if n > 1 else w * 0.5
    fig_h = min(h * FIGURE_HEIGHT, spacing / 0.42)
    return [FigureSpec(name, look, "standing", "front", w / 2 + (i - (n - 1) / 2) * spacing, h * FEET, fig_h)
            for i, (name, look) in enumerate(cast)]


def draw_figures(img: Image.Image, figures: list[FigureSpec], pal: Palette, ss: int) -> None:
    """Draw `figure_layout`'s figures; the film's cast is taken to be theirs."""
    draw_cast(img, figures, tuple((f.name, f.look) for f in figures), pal, ss, tags=False)


def draw_tags(img: Image.Image, figures: list[FigureSpec], pal: Palette) -> None:
    """Name tags over `figure_layout`'s figures."""
    cast = tuple((f.name, f.look) for f in figures)
    _draw_tags(img, [_build(s, character_look(s.name, s.look, cast)) for s in figures], pal)
