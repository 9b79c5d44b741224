"""What a voice is given to say: written text as a person would read it aloud.

Piper's phonemizer (espeak-ng) reads most writing well: `&`, `%`, `°`, ordinals, `3:30`, e-mail
addresses, `example.com`, `C++`, `9am`, `½`. What it reads badly is rewritten here, and only
that (each rule was heard through the bundled voice's phonemes first):

- emoji and pictographs are not pronounced (`🎉` is "party popper", `🙂🙂` 2.7 s of "slightly
  smiling face"): symbols (Unicode So, Sk), keycaps, regional-indicator flags, skin tones,
  ZWJ sequences, variation selectors, tags, and any character asking for emoji presentation;
  the subtitles keep them;
- URLs: no `https://`, `www.`, query or trailing slash ("example dot com slash news");
- money: `$5` "five dollars" (espeak says "dollar five"), `$5.50`, `$0.50`, `$2.5M`, `€20`,
  `£3`, `¥500`, `₹100` (`5 €` it reads well);
- `°C`/`°F`: "degrees Celsius/Fahrenheit" (espeak says "degrees C");
- `#1` and `No. 1`: "number 1"; `~5`: "about 5";
- times on the hour or a few minutes past: `3:00` "3 o'clock", `3:05` "3 oh 5" (espeak says
  "three zero zero");
- titles before a name (`Dr.`, `Mr.`, `St.`): espeak reads the period as a sentence end and Piper
  pauses there;
- units after a number (`10 km`, `5 kg`, `30 km/h`, `2 GB`): espeak spells them out;
- decades (`1990s`, `'90s`) and ISO dates (`2024-05-01`);
- dates with slashes or dots (espeak says "29 slash 11 slash 2026"): `29/11/2026` is day first
  because 29 cannot be a month, `11/29/2026` month first; when both could be either (`03/04/2026`)
  an American English voice reads month first, any other English voice day first; `29.11.2026`
  is always day first. An American voice says "November 29th, 2026", another "the 29th of
  November, 2026";
- fractions (espeak says "one slash two"): `1/2` "one half", `3/4` "three quarters", `2 1/2`
  "two and a half", for denominators 2 to 10, 12, 16, 32, 64 and 100 and a numerator below the
  denominator (`24/7`, `50/50`, `9/11` are left alone);
- full-width letters and digits, and ligatures, as their plain forms (NFKC);
- letters in a script the voice's language does not use (`Reader.scripts`) are not said: an
  English voice spells Chinese as "Chinese letter, Chinese letter...", Arabic as "Arabic...",
  Tibetan as "Tibetan letter..."; the subtitles keep them. A whitespace-separated word written
  only in such a script goes whole, with its digits (`2026年`), but not its closing punctuation; in a word that
  mixes scripts only the unread letters go, with what stands between them (`iPhone是2007年` is
  "iPhone"). A single Greek letter (`π`, `ΔT`) is a symbol every voice names, and is kept.

The rewrites into English words (money, units, times, dates...) are made for English voices
only; a voice in another language gets the language-neutral ones (emoji, URLs, full-width forms,
scripts it cannot read).

A text with nothing left to say (no letter or digit) becomes "" (the caller makes that line a
silent beat that keeps its subtitle).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DECADES = {"0": "hundreds", "1": "tens", "2": "twenties", "3": "thirties", "4": "forties", "5": "fifties",
            "6": "sixties", "7": "seventies", "8": "eighties", "9": "nineties"}
# symbol -> (singular, plural, the hundredth's plural or "")
_CURRENCIES = {
    "US$": ("US dollar", "US dollars", "cents"), "$": ("dollar", "dollars", "cents"), "€": ("euro", "euros", "cents"),
    "£": ("pound", "pounds", "pence"), "¥": ("yen", "yen", ""), "₹": ("rupee", "rupees", ""),
    "₩": ("won", "won", ""), "₽": ("ruble", "rubles", ""), "₪": ("shekel", "shekels", ""),
}
_MULTIPLIERS = {"k": "thousand", "K": "thousand", "m": "million", "M": "million", "mn": "million", "b": "billion",
                "B": "billion", "bn": "billion", "thousand": "thousand", "million": "million", "billion": "billion"}
_UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"), "kph": ("kilometer per hour", "kilometers per hour"),
    "km": ("kilometer", "kilometers"), "cm": ("centimeter", "centimeters"), "mm": ("millimeter", "millimeters"),
    "kg": ("kilogram", "kilograms"), "mg": ("milligram", "milligrams"), "ml": ("milliliter", "milliliters"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "KB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"), "TB": ("terabyte", "terabytes"),
}
_TITLES = {"Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Dr": "Doctor", "Prof": "Professor", "St": "Saint",
           "Mt": "Mount", "Capt": "Captain", "Lt": "Lieutenant", "Sgt": "Sergeant", "Col": "Colonel",
           "Gen": "General", "Rev": "Reverend", "Fr": "Father", "Jr": "Junior", "Sr": "Senior"}

_URL = re.compile(r"\b(?:(?:https?|ftp)://|www\.)[^\s<>\"]+", re.IGNORECASE)
_KEYCAP = re.compile("[0-9#*]\ufe0f?\u20e3")
_EMOJI_PRESENTATION = re.compile(".\ufe0f")
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_MONEY_BEFORE = re.compile(r"(?<![\w$])(?P<cur>US\$|[$€£¥₹₩₽₪])\s?(?P<num>" + _NUMBER + r")"
                           r"(?:\s?(?P<mult>bn|mn|[kKmMbB]|thousand|million|billion)\b)?")
_TEMPERATURE = re.compile(r"°\s?([CF])\b")
_NUMBER_SIGN = re.compile(r"(?:#|\bNo\.\s?)(?=\d)")
_ABOUT = re.compile(r"(?<![\w~])~\s?(?=\d)")
_CLOCK = re.compile(r"\b([01]?\d|2[0-3]):(0\d)\b(?!:)(?P<ampm>\s?[ap]\.?m\b\.?)?", re.IGNORECASE)
# Always titles; the others (Saint or Street, Junior...) only before a capitalised word.
_TITLE = re.compile(r"\b(Mr|Mrs|Ms|Dr|Prof|Capt|Lt|Sgt|Mt)\.(?=\s)|\b(" + "|".join(_TITLES) + r")\.(?=\s+[A-Z])")
_UNIT = re.compile(r"(?P<num>" + _NUMBER + r")\s?(?P<unit>" + "|".join(re.escape(u) for u in _UNITS) + r")(?![\w/])")
_DECADE = re.compile(r"(?:\b(?P<century>1\d|20)|'|’)(?P<tens>\d)0s\b")
_ISO_DATE = re.compile(r"\b(?P<y>\d{4})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?…])")
_SLASH_DATE = re.compile(r"(?<![\w/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})(?![\w/])")
_DOT_DATE = re.compile(r"(?<![\w/.])(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4})(?![\w/]|\.\d)")
_FRACTION = re.compile(r"(?<![\w/.,])(?:(?P<whole>\d+)\s+)?(?P<num>\d{1,2})/(?P<den>\d{1,3})(?![\w/]|[.,]\d)")
# denominator -> (singular, plural)
_DENOMINATORS = {2: ("half", "halves"), 3: ("third", "thirds"), 4: ("quarter", "quarters"), 5: ("fifth", "fifths"),
                 6: ("sixth", "sixths"), 7: ("seventh", "sevenths"), 8: ("eighth", "eighths"),
                 9: ("ninth", "ninths"), 10: ("tenth", "tenths"), 12: ("twelfth", "twelfths"),
                 16: ("sixteenth", "sixteenths"), 32: ("thirty-second", "thirty-seconds"),
                 64: ("sixty-fourth", "sixty-fourths"), 100: ("hundredth", "hundredths")}


# ---------------------------------------------------------------------------------------------
# Scripts: what a voice can read

#: espeak language -> (its name in English, the scripts it is written in besides Latin). Every
#: voice reads Latin (espeak reads a Latin word in English in a non-Latin language); a language
#: not listed is written in Latin.
_LANGUAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "en": ("English", ()), "de": ("German", ()), "fr": ("French", ()), "es": ("Spanish", ()),
    "it": ("Italian", ()), "pt": ("Portuguese", ()), "nl": ("Dutch", ()), "ca": ("Catalan", ()),
    "cs": ("Czech", ()), "da": ("Danish", ()), "fi": ("Finnish", ()), "hu": ("Hungarian", ()),
    "is": ("Icelandic", ()), "lb": ("Luxembourgish", ()), "lv": ("Latvian", ()), "lt": ("Lithuanian", ()),
    "pl": ("Polish", ()), "ro": ("Romanian", ()), "sk": ("Slovak", ()), "sl": ("Slovenian", ()),
    "sv": ("Swedish", ()), "nb": ("Norwegian", ()), "no": ("Norwegian", ()), "sw": ("Swahili", ()),
    "tr": ("Turkish", ()), "vi": ("Vietnamese", ()), "id": ("Indonesian", ()), "ms": ("Malay", ()),
    "cy": ("Welsh", ()), "eu": ("Basque", ()), "gl": ("Galician", ()), "et": ("Estonian", ()),
    "hr": ("Croatian", ()), "bs": ("Bosnian", ()), "sq": ("Albanian", ()), "af": ("Afrikaans", ()),
    "ga": ("Irish", ()), "mt": ("Maltese", ()), "az": ("Azerbaijani", ()), "uz": ("Uzbek", ()),
    "ru": ("Russian", ("Cyrillic",)), "uk": ("Ukrainian", ("Cyrillic",)), "bg": ("Bulgarian", ("Cyrillic",)),
    "be": ("Belarusian", ("Cyrillic",)), "mk": ("Macedonian", ("Cyrillic",)), "sr": ("Serbian", ("Cyrillic",)),
    "kk": ("Kazakh", ("Cyrillic",)), "ky": ("Kyrgyz", ("Cyrillic",)), "tt": ("Tatar", ("Cyrillic",)),
    "ba": ("Bashkir", ("Cyrillic",)), "mn": ("Mongolian", ("Cyrillic",)), "cv": ("Chuvash", ("Cyrillic",)),
    "el": ("Greek", ("Greek",)), "grc": ("Ancient Greek", ("Greek",)),
    "ar": ("Arabic", ("Arabic",)), "fa": ("Persian", ("Arabic",)), "ur": ("Urdu", ("Arabic",)),
    "ps": ("Pashto", ("Arabic",)), "sd": ("Sindhi", ("Arabic",)), "ug": ("Uyghur", ("Arabic",)),
    "he": ("Hebrew", ("Hebrew",)),
    "hi": ("Hindi", ("Devanagari",)), "mr": ("Marathi", ("Devanagari",)), "ne": ("Nepali", ("Devanagari",)),
    "sa": ("Sanskrit", ("Devanagari",)), "kok": ("Konkani", ("Devanagari",)),
    "bn": ("Bengali", ("Bengali",)), "as": ("Assamese", ("Bengali",)), "pa": ("Punjabi", ("Gurmukhi",)),
    "gu": ("Gujarati", ("Gujarati",)), "or": ("Odia", ("Oriya",)), "ta": ("Tamil", ("Tamil",)),
    "te": ("Telugu", ("Telugu",)), "kn": ("Kannada", ("Kannada",)), "ml": ("Malayalam", ("Malayalam",)),
    "si": ("Sinhala", ("Sinhala",)), "th": ("Thai", ("Thai",)), "lo": ("Lao", ("Lao",)),
    "my": ("Burmese", ("Myanmar",)), "km": ("Khmer", ("Khmer",)), "ka": ("Georgian", ("Georgian",)),
    "hy": ("Armenian", ("Armenian",)), "am": ("Amharic", ("Ethiopic",)),
    "zh": ("Chinese", ("Han", "Bopomofo")), "cmn": ("Chinese", ("Han", "Bopomofo")),
    "yue": ("Cantonese", ("Han",)), "hak": ("Hakka Chinese", ("Han",)), "nan": ("Min Nan Chinese", ("Han",)),
    "ja": ("Japanese", ("Han", "Kana")), "ko": ("Korean", ("Hangul",)),
}
#: How a warning names the writing of a script a voice cannot read.
SCRIPT_NAMES = {"Han": "Chinese", "Kana": "Japanese", "Hangul": "Korean", "Bopomofo": "Chinese (bopomofo)"}
#: Piper voices to suggest, by script (the start of a model's file name).
PIPER_VOICES = {"Han": "zh_CN", "Arabic": "ar_JO", "Hebrew": "he_IL", "Cyrillic": "ru_RU", "Greek": "el_GR",
                "Devanagari": "hi_IN", "Georgian": "ka_GE", "Malayalam": "ml_IN", "Telugu": "te_IN",
                "Thai": "th_TH", "Latin": "en_US"}
_SCRIPT_WORDS = frozenset(
    "LATIN GREEK COPTIC CYRILLIC ARMENIAN HEBREW ARABIC SYRIAC THAANA NKO SAMARITAN DEVANAGARI BENGALI GURMUKHI "
    "GUJARATI ORIYA TAMIL TELUGU KANNADA MALAYALAM SINHALA THAI LAO TIBETAN MYANMAR GEORGIAN HANGUL ETHIOPIC "
    "CHEROKEE OGHAM RUNIC KHMER MONGOLIAN BOPOMOFO YI JAVANESE BALINESE SUNDANESE TIFINAGH VAI BAMUM LISU "
    "GLAGOLITIC ADLAM OSAGE BUGINESE TAGALOG".split())


@dataclass(frozen=True)
class Reader:
    """What a voice reads: its espeak language (`en-us`, `cmn`), the language's name, and the
    scripts it is written in (`Latin`, `Han`...; see `script_of`)."""

    language: str = "en-us"
    name: str = "English"
    scripts: frozenset[str] = frozenset({"Latin"})

    @property
    def english(self) -> bool:
        return self.language.lower().split("-")[0].split("_")[0] == "en"


@lru_cache(maxsize=256)
def reader(language: str, name: str = "") -> Reader:
    """The Reader of a voice whose espeak language is `language` (`en-us`, `cmn`, `zh_CN`);
    `name` is the language's name where the voice says it (else from the table, else the code)."""
    code = (language or "en-us").lower().replace("_", "-")
    known, scripts = _LANGUAGES.get(code.split("-")[0], (code, ()))
    return Reader(code, name or known, frozenset({"Latin", *scripts}))


ENGLISH = reader("en-us")


@lru_cache(maxsize=None)
def script_of(c: str) -> str | None:
    """The script a letter is written in (`Latin`, `Han`, `Kana`, `Arabic`...), from its Unicode
    name; None for what belongs to every script (digits, punctuation, spaces, symbols) and for
    combining marks (they take the script of the letter they sit on)."""
    category = unicodedata.category(c)
    if category[0] not in "LM" and category != "Nl" and not (category == "Po" and c == "・"):
        return None
    if category[0] == "M" and category != "Mc":
        name = unicodedata.name(c, "")
        if name.startswith("COMBINING") or not name:
            return None
    name = unicodedata.name(c, "")
    for prefix in ("FULLWIDTH ", "HALFWIDTH "):
        if name.startswith(prefix):
            name = name[len(prefix):]
    if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "IDEOGRAPHIC")):
        return "Han"
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "Kana"
    first = name.split(" ")[0]
    return first.title() if first in _SCRIPT_WORDS else None


def _unread_spans(text: str, voice: Reader) -> list[tuple[int, int, str]]:
    """(start, end, script) of each stretch of `text` that `voice` cannot read (see the module
    docstring): whole words in scripts it does not read, and inside a word that mixes scripts
    the unread letters with what stands between them."""
    if text.isascii():
        return []
    spans: list[tuple[int, int, str]] = []
    for word in re.finditer(r"\S+", text):
        if word[0].isascii():
            continue
        kinds = []   # per character: its script, "" for what belongs to every script
        current: str | None = None
        for c in word[0]:
            script = script_of(c)
            if script is None and unicodedata.category(c)[0] == "M":
                script = current          # a mark takes its letter's script
            kinds.append(script or "")
            current = script if script else (current if unicodedata.category(c)[0] == "M" else None)
        unread = [bool(k) and k not in voice.scripts for k in kinds]
        if not any(unread):
            continue
        read = [bool(k) and k in voice.scripts for k in kinds]
        if not any(read):   # the whole word, but its closing punctuation (a sentence's end)
            pieces = [(0, max(i for i, u in enumerate(unread) if u) + 1)]
            while pieces[0][1] < len(kinds) and unicodedata.category(word[0][pieces[0][1]])[0] != "P":
                pieces = [(0, pieces[0][1] + 1)]
        else:
            pieces, i = [], 0
            while i < len(kinds):
                if not unread[i]:
                    i += 1
                    continue
                j = last = i
                while j < len(kinds) and not read[j]:
                    if unread[j]:
                        last = j
                    j += 1
                pieces.append((i, last + 1))
                i = j
        for a, b in pieces:
            script = next(k for k, u in zip(kinds[a:b], unread[a:b]) if u)
            letters = [k for k in kinds[a:b] if k]
            if script == "Greek" and len(letters) == 1:
                continue   # a lone Greek letter is a symbol: "pi", "delta"
            spans.append((word.start() + a, word.start() + b, script))
    return spans


def unread_scripts(text: str, voice: Reader) -> list[str]:
    """The scripts of `text` that `voice` cannot read and will not say, in order of appearance."""
    return list(dict.fromkeys(script for _, _, script in _unread_spans(text, voice)))


def _mostly_unread(text: str, voice: Reader) -> bool:
    """Whether most of the letters of `text` are in scripts `voice` cannot read: the line is in
    another language (a Hebrew sentence with "1948" in it), so none of it is said."""
    if text.isascii():
        return False
    scripts = [script_of(c) for c in text]
    unread = sum(1 for s in scripts if s and s not in voice.scripts)
    return unread > sum(1 for s in scripts if s and s in voice.scripts)


def _without_unread(text: str, voice: Reader) -> str:
    out, at = [], 0
    for start, end, _ in _unread_spans(text, voice):
        out += [text[at:start], " "]
        at = end
    return "".join(out) + text[at:] if out else text


# ---------------------------------------------------------------------------------------------


def speakable(text: str, voice: Reader | str = ENGLISH) -> str:
    """`text` as words a voice should say (see the module docstring); "" when nothing in it is
    pronounceable. `voice`: what the voice reads (a Reader, or its espeak language, `en-us`).
    Pure: the same text and voice always give the same words."""
    voice = reader(voice) if isinstance(voice, str) else voice
    text = "".join(unicodedata.normalize("NFKC", c) if 0xFF01 <= ord(c) <= 0xFFEE or 0xFB00 <= ord(c) <= 0xFB06
                   else c for c in text)
    if _mostly_unread(text, voice):
        return ""   # its numbers and signs alone, read in this voice's language, would be nonsense
    text = _without_unread(text, voice)
    text = _URL.sub(_url, text)
    text = _KEYCAP.sub(" ", text)
    text = _EMOJI_PRESENTATION.sub(" ", text)
    if voice.english:
        text = _english(text, voice)
    text = "".join(" " if _pictograph(c) else c for c in text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))
    return text if any(c.isalnum() for c in text) else ""


def _english(text: str, voice: Reader) -> str:
    """The rewrites into English words."""
    text = _ISO_DATE.sub(_date, text)
    american = voice.language in ("en-us", "en")
    text = _SLASH_DATE.sub(lambda m: _numeric_date(m, american), text)
    text = _DOT_DATE.sub(lambda m: _numeric_date(m, american, day_first=True), text)
    text = _FRACTION.sub(_fraction, text)
    text = _MONEY_BEFORE.sub(_money, text)
    text = _TEMPERATURE.sub(lambda m: " degrees " + ("Celsius" if m[1] == "C" else "Fahrenheit"), text)
    text = _NUMBER_SIGN.sub("number ", text)
    text = _ABOUT.sub("about ", text)
    text = _CLOCK.sub(_clock, text)
    text = _TITLE.sub(lambda m: _TITLES[m[1] or m[2]], text)
    text = _UNIT.sub(lambda m: f"{m['num']} {_UNITS[m['unit']][_singular(m['num'])]}", text)
    text = _DECADE.sub(_decade, text)
    return text.replace("№", " number ")


def _pictograph(c: str) -> bool:
    """A character that is not said: symbols and pictographs, and the joiners, selectors,
    modifiers and tags that build emoji sequences."""
    cp = ord(c)
    if c == "°":  # espeak says "degrees"
        return False
    return (unicodedata.category(c) in ("So", "Sk", "Co") or 0x2190 <= cp <= 0x21FF  # arrows ("right arrow")
            or cp in (0x200D, 0x20E3) or 0xFE00 <= cp <= 0xFE0F or 0xE0000 <= cp <= 0xE01EF)


def _singular(number: str) -> int:
    """0 to pick a unit's singular (exactly one), 1 for its plural."""
    return 0 if number.replace(",", "") in ("1", "1.0") else 1


def _url(match: re.Match) -> str:
    url = match[0]
    trailing = re.search(r"[.,;:!?)\]'\"]*$", url)[0]
    url = url[: len(url) - len(trailing)] if trailing else url
    url = re.sub(r"^(?:(?:https?|ftp)://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    url = re.split(r"[?#]", url)[0].rstrip("/")
    return url + trailing


def _money(match: re.Match) -> str:
    singular, plural, hundredths = _CURRENCIES[match["cur"]]
    number = match["num"]
    mult = match.groupdict().get("mult")
    if mult:
        return f"{number} {_MULTIPLIERS[mult]} {plural}"
    whole, _, fraction = number.partition(".")
    if len(fraction) == 2 and hundredths:
        if whole.strip("0,") == "":
            return f"{int(fraction)} {hundredths}"
        return f"{whole} {singular if _singular(whole) == 0 else plural} {int(fraction)}"
    return f"{number} {singular if _singular(number) == 0 else plural}"


def _clock(match: re.Match) -> str:
    hour, minute = match[1], match[2]
    ampm = match["ampm"]
    if minute == "00":
        return f"{hour}{ampm}" if ampm else f"{hour} o'clock"
    return f"{hour} oh {int(minute)}{ampm or ''}"


def _date(match: re.Match) -> str:
    day = int(match["d"])
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{_MONTHS[int(match['m']) - 1]} {day}{suffix}, {match['y']}"


def _ordinal(day: int) -> str:
    return f"{day}{'th' if 10 <= day % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(day % 10, 'th')}"


def _numeric_date(match: re.Match, american: bool, day_first: bool = False) -> str:
    """`29/11/2026`: day first when the first number cannot be a month, month first when the
    second cannot; otherwise month first for an American voice (`day_first` for dotted dates)."""
    a, b = int(match["a"]), int(match["b"])
    if a > 12 or day_first:
        day, month = a, b
    elif b > 12:
        day, month = b, a
    else:
        day, month = (b, a) if american else (a, b)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match[0]
    if american:
        return f"{_MONTHS[month - 1]} {_ordinal(day)}, {match['y']}"
    return f"the {_ordinal(day)} of {_MONTHS[month - 1]}, {match['y']}"


def _fraction(match: re.Match) -> str:
    num, den = int(match["num"]), int(match["den"])
    if den not in _DENOMINATORS or not 0 < num < den:
        return match[0]
    singular, plural = _DENOMINATORS[den]
    if match["whole"]:
        part = f"a {singular}" if num == 1 else f"{num} {plural}"
        return f"{match['whole']} and {part}"
    return f"{num} {singular if num == 1 else plural}"


def _decade(match: re.Match) -> str:
    century = match["century"] or ""
    if century == "20" and match["tens"] == "0":
        return "two thousands"
    return f"{century} {_DECADES[match['tens']]}"
