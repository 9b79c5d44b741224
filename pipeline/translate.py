"""Machine translation to pre-fill PO files (`film translations PROJECT --fill es`), with
Argos Translate (OpenNMT models run by CTranslate2, offline) when the user has installed it and
its language model (`pip install 'film[translate]'`, then `argospm install translate-en_es`).

What it fills is marked fuzzy, with a comment saying so: gettext and every PO editor treat a
fuzzy message as a suggestion to review, and a build uses none until a translator clears the
mark. A `{{ variable }}` is kept out of the machine's hands (swapped for a numbered token and
put back after); a translation that loses one is not offered.
"""

from __future__ import annotations

import re
from typing import Callable

from .errors import FilmError, Problem
from .locales import Message

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
NOTE = "machine-translated by argostranslate: review it, then remove the fuzzy mark"


def translator(source: str, target: str) -> Callable[[str], str]:
    """Argos Translate's translation from `source` to `target` (language tags; their first
    part names Argos's languages): a function of text. Raises FilmError when Argos Translate or
    the language pair's model is not installed, saying how to install it."""
    try:
        from argostranslate import translate
    except ImportError:
        raise FilmError([Problem("--fill", 0, "machine translation needs Argos Translate: pip install -e "
                                              "'.[translate]' in film's folder, then a language model (argospm install translate-en_es)")]) from None
    codes = source.split("-")[0], target.split("-")[0]
    installed = {language.code: language for language in translate.get_installed_languages()}
    pair = installed[codes[0]].get_translation(installed[codes[1]]) if all(c in installed for c in codes) else None
    if pair is None:
        raise FilmError([Problem("--fill", 0, f"no Argos Translate model from '{codes[0]}' to '{codes[1]}' is "
                                              f"installed: argospm install translate-{codes[0]}_{codes[1]}")])
    return pair.translate


def machine(text: str, translate: Callable[[str], str]) -> str:
    """`text` translated with its templates kept as they are; "" when the machine lost one."""
    kept = _TEMPLATE.findall(text)
    marked = _TEMPLATE.sub(lambda m, n=iter(range(len(kept))): f"[{next(n)}]", text)
    said = translate(marked)
    for n, template in enumerate(kept):
        if f"[{n}]" not in said:
            return ""
        said = said.replace(f"[{n}]", template, 1)
    return said.strip()


def fill(source: str, tags: list[str], untranslated: Callable[[str], list[Message]]) -> dict[str, dict[tuple[str, str], str]]:
    """For each of `tags`, a machine translation of each message `untranslated(tag)` lists,
    by (text, context); messages it could not translate are left out."""
    filled: dict[str, dict[tuple[str, str], str]] = {}
    for tag in tags:
        translate = translator(source, tag)
        found = {}
        for message in untranslated(tag):
            said = machine(message.text, translate)
            if said:
                found[(message.text, message.context)] = said
        filled[tag] = found
    return filled
