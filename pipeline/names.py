"""How a name written in a script is shown to a viewer (credits, prompts): `McCLANE` -> `McClane`.

Screenplays write character cues in capitals, so the case a viewer should see has to be rebuilt.
Python's `str.title()` gets names wrong (`WOMAN'S VOICE` -> `Woman'S Voice`, `McCLANE` ->
`Mcclane`), so each word is cased by the rules a credits typist follows:

- a word the writer gave lower-case letters keeps them, and a run of capitals after them is a
  new capitalised part (`McCLANE` -> `McClane`, `DeNIRO` -> `DeNiro`, `Marcus` stays);
- a word in capitals is capitalised part by part: after a hyphen (`JEAN-LUC` -> `Jean-Luc`) and
  after a one-letter prefix and an apostrophe (`O'BRIEN` -> `O'Brien`), but not before a
  possessive `'S` (`WOMAN'S` -> `Woman's`); `MC` starts a new part (`MCCLANE` -> `McClane`;
  `MAC` does not, as in Macy or Mack);
- a part with digits keeps its case (`R2-D2`, `C-3PO`), but ordinals read `2nd`;
- known acronyms (`TV`, `FBI`, `DJ`) and Roman numerals after the first word (`HENRY VIII`)
  stay capitals; short joining words after the first word are lower case (`MAN IN THE HAT` ->
  `Man in the Hat`, `JUAN DE LA CRUZ` -> `Juan de la Cruz`).
"""

from __future__ import annotations

import re

ACRONYMS = frozenset({
    "TV", "FBI", "CIA", "NSA", "DJ", "CEO", "EMT", "NYPD", "LAPD", "GPS", "DA", "DI", "DCI", "PA",
    "MC", "AI", "ER", "CSI", "SWAT", "UN", "US", "USA", "UK", "MP", "GI", "CPR", "ATM", "VIP", "HQ",
})
ROMAN = frozenset({"II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XIII", "XIV", "XV", "XX"})
SMALL = frozenset({"and", "of", "the", "in", "on", "at", "to", "for", "with", "a", "an", "or", "de", "la",
                   "del", "du"})

_WORD = re.compile(r"(\s+)")
_APOSTROPHE = "'\u2019"
_ORDINAL = re.compile(r"(\d+)(ST|ND|RD|TH)", re.IGNORECASE)


def display_name(name: str) -> str:
    """`name` (any case, words separated by whitespace, which is kept) as a viewer reads it."""
    pieces = _WORD.split(name)
    out = []
    first = True
    for piece in pieces:
        if not piece or piece.isspace():
            out.append(piece)
            continue
        out.append(_word(piece, first))
        first = False
    return "".join(out)


def _word(word: str, first: bool) -> str:
    if any(c.islower() for c in word):
        # The writer chose this case: only runs of capitals after a lower-case letter are cased.
        return _after_lower(word)
    bare = word.strip(".,;:!?()\"")
    if bare in ACRONYMS or (not first and bare in ROMAN):
        return word
    if not first and word.lower() in SMALL:
        return word.lower()
    return "-".join(_part(part) for part in word.split("-"))


def _after_lower(word: str) -> str:
    """Each run of capitals that follows a lower-case letter, capitalised: `McCLANE` -> `McClane`."""
    out = []
    run = False             # inside a run of capitals that began after a lower-case letter
    previous = ""
    for char in word:
        if char.isupper() and (run or previous.islower()):
            out.append(char if not run else char.lower())
            run = True
        else:
            out.append(char)
            run = False
        previous = char
    return "".join(out)


def _part(part: str) -> str:
    """One hyphen-separated part of a word in capitals."""
    if any(c.isdigit() for c in part):
        return _ORDINAL.sub(lambda m: m[1] + m[2].lower(), part)
    for mark in _APOSTROPHE:
        head, sep, tail = part.partition(mark)
        if sep:
            if len(head.strip("(\"")) == 1 and len(tail) > 1:     # O'BRIEN, D'ARTAGNAN
                return _cap(head) + sep + _cap(tail)
            return _cap(head) + sep + tail.lower()                # WOMAN'S, ROCK'N'ROLL
    if part.upper().startswith("MC") and len(part) > 3 and part[2:3].isalpha():
        return "Mc" + _cap(part[2:])
    return _cap(part)


def _cap(text: str) -> str:
    """The first letter (after any leading punctuation) in capitals, the rest in lower case."""
    for index, char in enumerate(text):
        if char.isalpha():
            return text[:index] + char.upper() + text[index + 1:].lower()
    return text


__all__ = ["display_name"]
