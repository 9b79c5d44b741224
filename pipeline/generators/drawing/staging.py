"""Staging: what a panel draws and where, read from the shot's words.

`design_set` reads a scene's heading and the words of all its shots and designs the one set
they share (the kind of place, its weather, the scenery it draws, its landmarks or furniture),
seeded by the heading: every shot of the scene stands on the same set. `stage` reads one shot
(its action, heading and cast) and decides the shot size, how much of the set it frames, the
props and vehicles it adds, and each character's pose, facing, place and scale, and records it
all, with the nouns it draws, in a frozen `Composition`: the panel's own account of itself.

Nouns are matched through their lemmas, WordNet senses and the icon set's names (`words`); the
shot size comes from the screenplay's own words (WIDE, CLOSE ON, POV, INSERT, OVER THE
SHOULDER...) or, failing those, from what the shot holds.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from . import icons, words as W
from .palette import is_mixed, location_kind

try:  # the figures module's API (pose, facing, place and scale of each character)
    from .figures import FACINGS, POSES, FigureSpec  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - until the posed figures land
    POSES = ("standing", "sitting", "walking", "running", "climbing", "lying")
    FACINGS = ("front", "left", "right", "back")

    @dataclass(frozen=True)
    class FigureSpec:  # type: ignore[no-redef]
        name: str
        look: str
        pose: str
        facing: str
        x: float
        feet: float
        height: float

SHOT_SIZES = ("extreme-wide", "wide", "full", "medium", "close-up", "extreme-close-up", "pov",
              "over-the-shoulder", "insert")
HORIZON = 0.60   # the set's horizon (exteriors) or the back wall's foot (interiors), as a fraction of the height


@dataclass(frozen=True)
class Placed:
    """A pictogram on the panel: the noun it stands for, its icon, its kind, and its box's bottom
    centre and size (canvas pixels for a shot's props; fractions of the canvas height and
    width for a set's landmarks, which the framing scales)."""

    name: str
    icon: str
    kind: str
    x: float
    bottom: float
    size: float
    flip: bool = False
    held_by: str = ""
    behind: bool = False     # drawn behind the figures (a railing they stand at)


@dataclass(frozen=True)
class SetDesign:
    """One scene's set: the same for every shot of the scene."""

    seed: str                    # the scene's heading: the set's randomness comes from it alone
    interior: bool
    mixed: bool                  # INT/EXT: a room open onto the outside
    kind: str                    # exteriors: water, city, mountain, desert, arena, trees, houses, hills
    weather: str                 # "", "storm", "rain", "fog" or "snow"
    features: tuple[str, ...]    # the scenery it draws (sky, sea, rock, window, door, lamp...)
    landmarks: tuple[Placed, ...]  # landmarks or furniture, in fractions (x of width; bottom, size of height)
    view: str = "hills"          # what an interior's windows show: "hills", "sea" or "city"


@dataclass(frozen=True)
class Composition:
    """What one panel draws, and where: its own account of itself."""

    shot_size: str
    pov: str                             # "", "plain", "scope" or "binoculars"
    set: SetDesign
    framing: tuple[float, float, float]  # the set's zoom and the centre it frames (fractions of the canvas)
    props: tuple[Placed, ...]
    figures: tuple[FigureSpec, ...]      # the shot's characters
    extras: tuple[FigureSpec, ...]       # people the words name who are not characters (no name tags)
    depicted: tuple[str, ...]            # the nouns (lemmas) the panel draws


# ---------------------------------------------------------------------------------------------
# Words for shots, poses and weather

_SIZE_WORDS: tuple[tuple[str, str], ...] = (
    ("pov", r"\bP\.?O\.?V\b|\bPOINT[- ]OF[- ]VIEW\b|\bTHROUGH (?:THE |HIS |HER |A )?(?:SCOPE|BINOCULARS|LENS|VIEWFINDER|SIGHTS?)\b|\bSCOPE\b"),
    ("over-the-shoulder", r"\bOVER[- ](?:THE[- ])?(?:\w+'S )?SHOULDER\b|\bO\.?T\.?S\b"),
    ("insert", r"\bINSERT\b"),
    ("extreme-close-up", r"\bEXTREME CLOSE|\bE\.?C\.?U\b|\bX\.?C\.?U\b|\bBIG CLOSE"),
    ("close-up", r"\bCLOSE[- ]?UP\b|\bCLOSE ON\b|\bC\.?U\.?\b|\bCLOSER\b|\bFILLS THE (?:FRAME|SCREEN|SCOPE)|\bFACE FILLS\b"),
    ("medium", r"\bMEDIUM\b|\bMID[- ]SHOT\b|\bM\.?S\.?\b|\bTWO[- ]SHOT\b|\bWAIST\b"),
    ("full", r"\bFULL[- ]SHOT\b|\bFULL[- ]LENGTH\b"),
    ("extreme-wide", r"\bEXTREME WIDE\b|\bESTABLISHING\b|\bAERIAL\b|\bBIRD'S[- ]EYE\b|\bE\.?W\.?S\b|\bPANORAM"),
    ("wide", r"\bWIDE\b|\bLONG SHOT\b|\bW\.?S\b|\bL\.?S\b"),
)

_POSE_VERBS: dict[str, str] = {}
for _pose, _verbs in (
    ("climbing", "climb ascend scale clamber scramble mount descend shin"),
    ("sitting", "sit perch squat kneel crouch slump settle"),
    ("running", "run race sprint dash rush charge flee hurry bolt chase scramble gallop tear jog"),
    ("walking", "walk stroll step arrive enter cross approach wander pace march stride limp stagger head go come "
                "leave exit follow return move trudge hike amble saunter shuffle creep sneak tiptoe"),
    ("lying", "lie sleep sprawl collapse faint die doze nap rest"),
):
    for _v in _verbs.split():
        _POSE_VERBS.setdefault(_v, _pose)

_AWAY = re.compile(r"\b(?:looks? out|stares? out|gazes? out|peers? out|out (?:of|through) the|turns? away|"
                   r"walks? away|with (?:his|her|their) backs?|from behind|at the window|"
                   r"(?:face|nose|hands?) (?:to|against) the (?:\w+ )?(?:glass|window|pane))\b", re.I)
_HOLD = frozenset(("with", "holding", "holds", "hold", "carrying", "carries", "carry", "clutching", "clutches",
                   "grips", "gripping", "raises", "raising", "lifts", "lifting", "waves", "waving", "reads",
                   "reading", "opens", "picks", "takes", "grabs", "drinks", "sips", "pours", "writes", "aims",
                   "aiming", "points", "trims", "lights", "loads", "swings", "brandishes", "wields", "hands"))
_PLACED = frozenset(("on", "onto", "in", "into", "under", "beside", "at", "against", "across", "over", "behind",
                     "inside", "near", "by", "through", "from", "toward", "towards", "of"))
_GONE = re.compile(r"\b(?:has|had|have) (?:passed|cleared|gone|ended|lifted|died down)|\bafter the\b|\bstorm'?s? over\b", re.I)
_WEATHER = (("storm", ("storm", "lightning")), ("rain", ("rain",)), ("snow", ("snow",)), ("fog", ("fog",)))

# Rooms a heading names, with what furnishes them (icons' names) when the words name nothing.
_ROOMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("KITCHEN", ("stove", "fridge", "table")), ("BEDROOM", ("bed", "lamp")), ("BATHROOM", ("bathtub", "mirror")),
    ("OFFICE", ("desk", "chair", "bookshelf")), ("STUDY", ("desk", "bookshelf")), ("LIBRARY", ("bookshelf", "desk")),
    ("CLASSROOM", ("desk", "chair")), ("LIVING ROOM", ("sofa", "lamp")), ("LOUNGE", ("sofa", "lamp")),
    ("DINING", ("table", "chair")), ("DINER", ("counter", "table")), ("RESTAURANT", ("table", "chair")),
    ("CAFE", ("table", "coffee")), ("BAR", ("counter", "bottle")), ("PUB", ("counter", "bottle")),
    ("WHEELHOUSE", ("wheel", "compass")), ("BRIDGE", ("wheel",)), ("CABIN", ("bed", "lamp")),
    ("LAMP ROOM", ("lamp",)), ("LIGHTHOUSE", ("lamp", "stairs")), ("CHURCH", ("cross", "bench")),
    ("HOSPITAL", ("bed",)), ("WARD", ("bed",)), ("GARAGE", ("car",)), ("CAR", ("steering",)),
    ("SHOP", ("counter", "shelf")), ("STORE", ("counter", "shelf")), ("HALLWAY", ("door", "lamp")),
    ("CORRIDOR", ("door",)), ("STAIRWELL", ("stairs",)), ("BASEMENT", ("stairs", "box")), ("ATTIC", ("box",)),
    ("LAB", ("desk", "computer")), ("PRECINCT", ("desk", "phone")), ("STATION", ("desk", "phone")),
)

# How tall a thing stands, in standing figures (1.0 is a person).
_HEIGHTS: dict[str, float] = {
    "lighthouse": 5.0, "castle": 4.0, "church": 4.0, "office-building": 6.0, "home": 2.6, "home-variant": 2.6,
    "tree": 3.0, "pine-tree": 3.2, "palm-tree": 3.4, "bridge": 2.5, "tower-fire": 5.0, "factory": 4.0,
    "warehouse": 3.0, "tent": 1.3, "fence": 0.7, "gate": 1.1, "stairs": 1.0, "door": 1.2, "ladder": 1.6,
    "sail-boat": 2.2, "ferry": 2.0, "rowing": 0.9, "kayaking": 0.9, "submarine": 1.0, "car-side": 0.85,
    "bus-side": 1.8, "truck": 1.7, "van-utility": 1.4, "train": 2.2, "airplane": 1.6, "helicopter": 1.6,
    "bicycle": 0.6, "motorbike": 0.7, "horse-variant": 1.0, "dog-side": 0.45, "cat": 0.3, "bird": 0.15,
    "tractor": 1.4, "taxi": 0.9, "ambulance": 1.5, "tank": 1.4, "table-furniture": 0.42, "chair-rolling": 0.55,
    "sofa": 0.5, "bed": 0.4, "desk": 0.45, "stove": 0.52, "fridge": 1.05, "bookshelf": 1.1, "countertop": 0.55,
    "bathtub": 0.35, "toilet": 0.45, "fireplace": 0.75, "piano": 0.75, "lamp": 0.3, "cupboard": 1.0,
    "grave-stone": 0.5, "coffin": 0.4, "bench": 0.45, "pillar": 1.8, "fountain": 1.0, "water-well": 0.8,
    "bag-suitcase": 0.32, "ship-wheel": 0.5, "steering": 0.3, "television-classic": 0.35, "desktop-classic": 0.3,
}
_KIND_HEIGHT = {"landmark": 3.0, "vehicle": 1.2, "furniture": 0.5, "animal": 0.4, "prop": 0.14, "scenery": 0.3}


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(r"[.;!?\n]+|, (?:and |but |as |while )|\bwhile\b|\bas\b", text) if c.strip()]


def shot_size(text: str) -> str:
    """The shot size a screenplay's words name ("" when they name none)."""
    upper = text.upper()
    for size, pattern in _SIZE_WORDS:
        if re.search(pattern, upper):
            return size
    return ""


def pov_kind(text: str) -> str:
    upper = text.upper()
    if re.search(r"\bSCOPE\b|\bCROSS-?HAIRS?\b|\bRIFLE SIGHTS?\b", upper):
        return "scope"
    if re.search(r"\bBINOCULARS?\b|\bFIELD GLASSES\b", upper):
        return "binoculars"
    return "plain"


def weather(text: str) -> str:
    """The weather a scene's words bring: a storm, rain, snow or fog ("" for none, or one passed)."""
    for clause in _clauses(text):
        if _GONE.search(clause):
            continue
        found = {m.scenery for word in W.words_of(clause) if (m := W.meaning(word)) is not None}
        for name, sceneries in _WEATHER:
            if found & set(sceneries):
                return name
    return ""


# ---------------------------------------------------------------------------------------------
# The set


def design_set(setting: str, location: str, time_of_day: str, texts: tuple[str, ...],
               names: tuple[str, ...] = ()) -> SetDesign:
    """The set of the scene headed `setting. location - time_of_day` whose shots say `texts`."""
    from .palette import _is_interior  # the setting's reading is the palette's

    seed = " ".join(f"{setting}. {location} - {time_of_day}".upper().split())
    rng = random.Random(f"set:{seed}")
    interior = _is_interior(setting)
    heard = [t for text in (location, *texts) for t in W.things(text, names)]
    sceneries = {t.scenery for t in heard if t.scenery}
    kind = _exterior_kind(location, sceneries, rng)
    night = "NIGHT" in time_of_day.upper()
    sky = ["sky", "cloud", "moon" if night else "sun"] + (["star"] if night else [])
    if interior:
        features = ["wall", "floor", "ceiling", "window", "door"]
        view = "sea" if "sea" in sceneries or kind == "water" else "city" if kind == "city" else "hills"
        features.append(view if view != "hills" else "hill")
        if is_mixed(setting):
            features += sky
        landmarks = _furnish(location.upper(), heard, rng)
    else:
        view = "hills"
        features = sky + ["ground", "hill"] + {
            "water": ["sea", "sand"], "city": ["building", "road"], "mountain": ["mountain"], "desert": ["sand"],
            "arena": ["building"], "trees": ["tree"], "houses": ["house", "tree"], "hills": ["tree"],
        }.get(kind, [])
        if "rock" in sceneries:
            features.append("rock")
        if "path" in sceneries and kind != "city":
            features.append("path")
        landmarks = _landmarks(heard, "rock" in features, rng)
    wx = weather(" . ".join(texts))
    if wx:
        features += {"storm": ["storm", "rain", "cloud"], "rain": ["rain", "cloud"], "snow": ["snow"],
                     "fog": ["fog"]}[wx]
    return SetDesign(seed=seed, interior=interior, mixed=is_mixed(setting), kind=kind if not interior else "room",
                     weather=wx, features=tuple(dict.fromkeys(features)), landmarks=tuple(landmarks), view=view)


def _exterior_kind(location: str, sceneries: set[str], rng: random.Random) -> str:
    kind = location_kind(location, random.Random(0))
    from .palette import _LOCATION_KINDS  # noqa: F401  (the heading's words decide first)

    if any(re.search(rf"\b{w}\b", location.upper()) for _, ws in _LOCATION_KINDS for w in ws):
        return kind
    for scenery, k in (("sea", "water"), ("road", "city"), ("building", "city"), ("mountain", "mountain"),
                       ("sand", "desert"), ("house", "houses"), ("tree", "trees"), ("hill", "hills")):
        if scenery in sceneries:
            return k
    return rng.choice(("hills", "trees", "houses", "hills"))


def _landmarks(heard: list[W.Thing], on_rock: bool, rng: random.Random) -> list[Placed]:
    """Up to three landmarks of an exterior, spread along the horizon (the first on the headland)."""
    seen: dict[str, W.Thing] = {}
    for t in heard:
        if t.kind == "landmark" and t.icon and not t.scenery and t.icon not in {s.icon for s in seen.values()}:
            seen[t.lemma] = t
    out = []
    slots = [0.28, 0.72, 0.5] if not on_rock else [0.24, 0.7, 0.5]
    rng.shuffle(slots[:2])
    for (name, t), x in zip(list(seen.items())[:3], slots):
        height = _HEIGHTS.get(t.icon, 3.0)
        size = min(0.42, min(0.4, 0.075 * height) / _ink_height(t.icon))   # the top stays in the frame
        bottom = HORIZON - (0.09 if on_rock and x == slots[0] else -0.005)
        out.append(Placed(name, t.icon, "landmark", x + rng.uniform(-0.03, 0.03), bottom, size))
    return out


def _furnish(location: str, heard: list[W.Thing], rng: random.Random) -> list[Placed]:
    """A room's furniture: what its words name, or what its kind of room holds; along the walls."""
    vocab = icons.vocabulary()
    items: dict[str, str] = {}
    for t in heard:
        if t.kind in ("furniture", "landmark") and t.icon and t.icon not in items.values():
            items[t.lemma] = t.icon
        elif t.scenery == "lamp" and "lamp" not in items:
            items[t.lemma] = t.icon or "lamp"
    for room, defaults in _ROOMS:
        if re.search(rf"\b{room}\b", location):
            for name in defaults:
                if len(items) < 4 and vocab.get(name) and vocab[name] not in items.values():
                    items.setdefault(name, vocab[name])
            break
    slots = [0.2, 0.8, 0.36, 0.64]
    rng.shuffle(slots)
    out = []
    big = location.find("LAMP ROOM") >= 0
    for (name, icon), x in zip(list(items.items())[:4], slots):
        height = _HEIGHTS.get(icon, 0.5) * (3.2 if big and icon == "lamp" else 1.0)
        if big and icon == "lamp":
            x = 0.5
        size = min(0.6, 0.3 * height / _ink_height(icon))
        out.append(Placed(name, icon, "furniture", x, HORIZON + 0.1 + (0.04 if x in (0.2, 0.8) else 0.0), size,
                          flip=x > 0.5))
    return out


def _ink_height(slug: str) -> float:
    box = icons.ink_box(slug)
    return max(0.2, box[3] - box[1])


# ---------------------------------------------------------------------------------------------
# The shot


def stage(action: str, setting: str, location: str, time_of_day: str, cast: tuple[tuple[str, str], ...],
          width: int, height: int, scene_texts: tuple[str, ...] = (), extra: str = "") -> Composition:
    """Stage one shot of `width` x `height` (the canvas): `action` is the writer's words for it,
    `scene_texts` the words of every shot of its scene (the set is theirs), `extra` further
    words that may name the shot size (the camera's words)."""
    w, h = float(width), float(height)
    names = tuple(n for n, _ in cast)
    the_set = design_set(setting, location, time_of_day, scene_texts or (action,), names)
    said = W.things(action, names)
    heading_said = W.things(location, names)
    words = W.words_of(action)
    size_text = f"{location} {action} {extra}"
    size = shot_size(size_text)
    pov = pov_kind(size_text) if size == "pov" else ""
    # A person the words name right after a character ("NELL, the captain,") is that character.
    name_at = [i for i, x in enumerate(words) if any(x.lower() == n.split()[0].lower() for n in names if n.split())]
    people = [t for t in said if t.kind == "person" and not any(0 < t.index - i <= 5 for i in name_at)]
    described = [t for t in said if t.kind == "person" and t not in people]
    movable = [t for t in said if t.icon and t.kind in ("prop", "vehicle", "animal", "furniture", "landmark")
               and not (t.scenery and t.scenery in the_set.features)
               and not any(l.name == t.lemma for l in the_set.landmarks)]
    if not size:
        size = _default_size(cast, people, movable, the_set)

    # Poses and facings, from the words around each name.
    poses, facings, holds, near = {}, {}, {}, {}
    for name, _ in cast:
        poses[name], facings[name], holds[name], near[name] = _read_character(name, action, said)
    if len(cast) == 2 and all(facings[n] == "front" for n in names) and poses[names[0]] == poses[names[1]] == "standing":
        facings[names[0]], facings[names[1]] = "right", "left"   # two people talk to each other

    zoom, scale, feet = {
        "extreme-wide": (1.0, 0.17, 0.74), "wide": (1.0, 0.36, 0.82), "full": (1.08, 0.6, 0.86),
        "medium": (1.35, 1.45, 1.62), "close-up": (1.8, 2.9, 3.05), "extreme-close-up": (2.4, 5.4, 5.5),
        "over-the-shoulder": (1.4, 1.4, 1.6), "insert": (2.0, 0.0, 0.0), "pov": (1.15, 0.55, 0.86),
    }[size]
    if size == "pov" and re.search(r"\bFACE\b|\bFILLS\b|\bEYES?\b", action.upper()):
        scale, feet = 2.9, 3.05
    if size == "pov" and not cast and people:
        scale, feet = 0.5, 0.86

    # Where everyone stands: across the middle, within the frame's central part.
    figures: list[FigureSpec] = []
    props: list[Placed] = []
    fh = scale * h
    n = len(cast)
    if size == "over-the-shoulder" and n >= 2:
        a, b = cast[0], cast[1]
        figures.append(FigureSpec(b[0], b[1], poses[b[0]], "left", w * 0.62, h * 1.35, h * 1.15))
        figures.append(FigureSpec(a[0], a[1], poses[a[0]], "back", w * 0.3, h * 2.6, h * 2.4))
    elif n and size != "insert":
        spread = min(0.3 * w, 0.6 * w / max(1, n - 1)) if n > 1 else 0.0
        if size in ("medium", "close-up", "extreme-close-up"):
            spread = min(spread, fh * 0.45)
        for i, (name, look) in enumerate(cast):
            x = w / 2 + (i - (n - 1) / 2) * spread
            pose = poses[name]
            f_feet, f_h = feet * h, fh
            if size in ("close-up", "extreme-close-up") and i > 0:
                x = w / 2 + (i - (n - 1) / 2) * max(spread, fh * 0.4)
            figures.append(FigureSpec(name, look, pose, facings[name], x, f_feet, f_h))

    # A character at a piece of the set's furniture stands beside it.
    if figures and the_set.interior:
        for i, f in enumerate(figures):
            mark = next((l for l in the_set.landmarks if l.name == near.get(f.name)
                         or (near.get(f.name) and l.icon == (W.meaning(near[f.name]) or W.Meaning("", "", "", "")).icon)), None)
            if mark is None:
                for l in the_set.landmarks:
                    if re.search(rf"\b{re.escape(l.name)}", _own_clause(f.name, action), re.I):
                        mark = l
                        break
            if mark is not None and size in ("wide", "extreme-wide", "full"):
                side = -1 if mark.x * w > f.x or (mark.x == 0.5 and i == 0) else 1
                x = mark.x * w + side * (mark.size * h * 0.35 + f.height * 0.18)
                figures[i] = FigureSpec(f.name, f.look, f.pose, f.facing, x, f.feet, f.height)

    # Extras the words name (a crowd, a cop, two men) when no character fills the part.
    extras: list[FigureSpec] = []
    if size != "insert":
        count = 0
        for t in people:
            many = 4 if t.lemma in ("crowd", "people", "audience", "mob", "group") else 2 if t.plural else 1
            for k in range(many):
                if count >= 5:
                    break
                side = -1 if count % 2 == 0 else 1
                x = w / 2 + side * (0.12 + 0.08 * (count // 2)) * w + (0 if figures else -side * 0.12 * w)
                ef = min(fh, 0.5 * h) if figures else (fh if size not in ("close-up", "extreme-close-up") else fh)
                e_feet = feet * h if size not in ("close-up", "extreme-close-up") or not figures else 0.95 * h
                extras.append(FigureSpec(f"{t.lemma}", t.lemma, "standing", "front", x,
                                         e_feet - (0.02 * h * (count // 2)), ef * (0.92 if count else 1.0)))
                count += 1

    # Props: held ones at a hand, vehicles and furniture beside the figures, the rest at their feet.
    placed_names: set[str] = set()
    stand_x = {f.name: f for f in figures}
    # At most four, the ones the words name first (vehicles before small things).
    others = sorted(movable, key=lambda t: (t.kind not in ("vehicle", "furniture"), t.index))[:4]
    others.sort(key=lambda t: t.index)
    free_slots = [0.3, 0.7, 0.18, 0.82, 0.5]
    for t in others:
        if t.lemma in placed_names:
            continue
        placed_names.add(t.lemma)
        holder = next((nm for nm, held in holds.items() if t.lemma in held and nm in stand_x), "")
        rel = _HEIGHTS.get(t.icon, _KIND_HEIGHT.get(t.kind, 0.2))
        if size == "insert":
            box = min(0.55 * h / _ink_height(t.icon), 0.75 * h)
            props.append(Placed(t.lemma, t.icon, t.kind, w / 2 + (len(props) * 0.3 - 0.15 * bool(props)) * w,
                                h * 0.5 + box / 2, box))
            continue
        ref = fh if figures else (0.36 * h if size in ("wide", "extreme-wide", "full", "pov") else 0.9 * h)
        if holder:
            f = stand_x[holder]
            side = -1 if f.facing == "left" else 1
            hand_y = f.feet - f.height * (0.78 if f.pose == "climbing" else 0.42 if f.pose == "sitting" else 0.5)
            box = max(6.0, ref * min(rel, 0.3) / _ink_height(t.icon))
            props.append(Placed(t.lemma, t.icon, t.kind, f.x + side * f.height * 0.2, hand_y + box * 0.55, box,
                                flip=side < 0, held_by=holder))
            continue
        at = next((f for f in figures if near.get(f.name) == t.lemma), None)
        if at is not None and t.kind == "furniture":
            box = ref * rel / _ink_height(t.icon)
            props.append(Placed(t.lemma, t.icon, t.kind, at.x, at.feet - ref * 0.04, max(box, ref * 0.9) if
                                t.icon == "fence" else box, behind=True))
            continue
        climber = next((f for f in figures if f.pose == "climbing" and t.icon in ("stairs", "ladder")), None)
        if climber is not None:
            box = ref * 1.1 / _ink_height(t.icon)
            props.append(Placed(t.lemma, t.icon, t.kind, climber.x - box * 0.06, climber.feet + box * 0.42, box))
            continue
        if t.kind == "vehicle" and the_set.kind == "water" and not the_set.interior:
            ground = h * (HORIZON + 0.045) if size in ("wide", "extreme-wide", "full") else h * 0.72
            ref = 0.1 * h if size in ("wide", "extreme-wide") else 0.3 * h
        else:
            ground = figures[0].feet if figures else (feet * h if feet else h * 0.82)
        box = min(ref * rel / _ink_height(t.icon), (0.9 if t.kind == "vehicle" else 0.5) * h)
        if not free_slots:
            free_slots = [0.3, 0.7, 0.18, 0.82, 0.5]
        x = w * free_slots[len(props) % len(free_slots)]
        if figures:
            taken = [f.x for f in figures]
            x = min((w * s for s in free_slots), key=lambda c: -min(abs(c - tx) for tx in taken) + abs(c - w / 2) * 0.3)
            free_slots = [s for s in free_slots if abs(w * s - x) > 1]
        props.append(Placed(t.lemma, t.icon, t.kind, x, ground, box, flip=x > w / 2 and t.kind == "vehicle"))

    # The camera frames the set around what matters.
    focus_x = (sum(f.x for f in figures) / len(figures) / w) if figures else 0.5
    if not figures and the_set.landmarks and size in ("extreme-wide", "wide", "full"):
        focus_x = 0.5
    framing = (zoom, min(max(focus_x, 0.5 - 0.5 * (1 - 1 / zoom)), 0.5 + 0.5 * (1 - 1 / zoom)), 0.5)

    depicted = _depicted(the_set, said + heading_said, props, figures, extras, size, described)
    return Composition(size, pov, the_set, framing, tuple(props), tuple(figures), tuple(extras), depicted)


def _default_size(cast, people, movable, the_set: SetDesign) -> str:
    if not cast and not people:
        small = [t for t in movable if t.kind == "prop"]
        if small and not [t for t in movable if t.kind in ("vehicle", "landmark")]:
            return "insert"
        return "wide" if movable or the_set.landmarks else "extreme-wide"
    if len(cast) >= 3:
        return "wide"
    return "wide" if the_set.landmarks or not the_set.interior else "full"


def _own_clause(name: str, action: str) -> str:
    """The first clause of `action` that names the character `name` (from the name on)."""
    first = re.escape(name.split()[0]) if name.split() else re.escape(name)
    for clause in _clauses(action):
        m = re.search(rf"\b{first}\b", clause, re.I)
        if m:
            return clause[m.start():]
    return ""


def _read_character(name: str, action: str, said: list[W.Thing]) -> tuple[str, str, set[str], str]:
    """A character's pose, facing, held things and the thing they are at, from their clause."""
    first = re.escape(name.split()[0]) if name.split() else re.escape(name)
    pose, facing, held, near = "standing", "front", set(), ""
    for clause in _clauses(action):
        m = re.search(rf"\b{first}\b", clause, re.I)
        if not m:
            continue
        after = W.words_of(clause[m.end():])
        for word in after[:6]:
            verb = W.verb_lemma(word)
            if verb in _POSE_VERBS:
                pose = _POSE_VERBS[verb]
                break
        if pose == "walking" and re.search(r"\b(?:arrives?|enters?|comes?)\b", clause, re.I):
            facing = "right"
        elif pose in ("walking", "running", "climbing"):
            facing = "right" if not re.search(r"\b(?:away|back|left)\b", clause, re.I) else "left"
        if _AWAY.search(clause):
            facing = "back"
        m_at = re.search(r"\b(?:at|by|beside|near|against|next to|in front of) (?:the|a|an|his|her|their) ((?:\w+ ){0,2}\w+)",
                         clause, re.I)
        if m_at:
            found = W.things(m_at.group(1))
            if found:
                near = found[-1].lemma
        # Small things of the character's own clause are in their hands, unless the words put
        # them somewhere ("on the table", "in his pocket").
        clause_words = W.words_of(clause[m.end():])
        for t in W.things(" ".join(clause_words)):
            before = clause_words[max(0, t.index - 3):t.index]
            if t.kind == "prop" and not any(b.lower() in _PLACED for b in before):
                held.add(t.lemma)
        break
    return pose, facing, held, near


_SHOWN_WITH_FIGURES = ("body", "clothing")


def _depicted(the_set: SetDesign, said: list[W.Thing], props: list[Placed], figures, extras, size: str,
              described: list[W.Thing] = ()) -> tuple[str, ...]:
    drawn: list[str] = []
    icons_drawn = {p.icon for p in props} | {l.icon for l in the_set.landmarks}
    names_drawn = {p.name for p in props} | {l.name for l in the_set.landmarks}
    for t in said:
        ok = False
        if t.lemma in names_drawn or (t.icon and t.icon in icons_drawn):
            ok = True
        elif t.scenery and t.scenery in the_set.features and size != "insert" and not (
                size in ("close-up", "extreme-close-up") and t.scenery in ("road", "path", "house", "building")):
            ok = True
        elif t.kind in _SHOWN_WITH_FIGURES and (figures or extras):
            ok = True
        elif t.kind == "person" and (any(e.look == t.lemma for e in extras) or (figures and t in described)):
            ok = True
        if ok and t.lemma not in drawn:
            drawn.append(t.lemma)
    return tuple(drawn)
