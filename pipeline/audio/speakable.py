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
- full-width letters and digits, and ligatures, as their plain forms (NFKC).

A text with nothing left to say (no letter or digit) becomes "" (the caller makes that line a
silent beat that keeps its subtitle).
"""

from __future__ import annotations

import re
import unicodedata

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


def speakable(text: str) -> str:
    """`text` as words a voice should say (see the module docstring); "" when nothing in it is
    pronounceable. Pure: the same text always gives the same words."""
    text = "".join(unicodedata.normalize("NFKC", c) if 0xFF01 <= ord(c) <= 0xFFEE or 0xFB00 <= ord(c) <= 0xFB06
                   else c for c in text)
    text = _URL.sub(_url, text)
    text = _KEYCAP.sub(" ", text)
    text = _EMOJI_PRESENTATION.sub(" ", text)
    text = _ISO_DATE.sub(_date, text)
    text = _MONEY_BEFORE.sub(_money, text)
    text = _TEMPERATURE.sub(lambda m: " degrees " + ("Celsius" if m[1] == "C" else "Fahrenheit"), text)
    text = _NUMBER_SIGN.sub("number ", text)
    text = _ABOUT.sub("about ", text)
    text = _CLOCK.sub(_clock, text)
    text = _TITLE.sub(lambda m: _TITLES[m[1] or m[2]], text)
    text = _UNIT.sub(lambda m: f"{m['num']} {_UNITS[m['unit']][_singular(m['num'])]}", text)
    text = _DECADE.sub(_decade, text)
    text = text.replace("№", " number ")
    text = "".join(" " if _pictograph(c) else c for c in text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))
    return text if any(c.isalnum() for c in text) else ""


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


def _decade(match: re.Match) -> str:
    century = match["century"] or ""
    if century == "20" and match["tens"] == "0":
        return "two thousands"
    return f"{century} {_DECADES[match['tens']]}"
