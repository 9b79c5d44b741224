"""A film in several languages: which texts are translated, where translations live, and what
each language is (its ISO 639-2 code for MP4 tags, its direction, its name).

`languages: [en, es, ja]` lists the film's languages, its own first. Translations of every
spoken and shown text (narration, dialogue, the title, title cards, credit roles, the
watermark's words) live in gettext PO files beside the script, `locales/es.po`, the format
translators' tools (Poedit, Weblate, Lokalize) read: each message's context (`msgctxt`) says
who speaks it or what shows it, its reference the script's `file:line`. `film translations`
writes the template `locales/messages.pot` and brings each language's PO file up to date
with it (`update`), reporting what is untranslated and what is stale.

PO files are read and written with Babel (`babel.messages`), which also says a language's
direction (right-to-left for Arabic, Hebrew, ...) and name; `langcodes` gives the three-letter
ISO 639-2 code an MP4's tracks are tagged with (ffmpeg's MP4 muxer drops two-letter codes).
A message marked fuzzy (its original changed since it was translated) is not used: the line
is said as the script says it until a translator looks again, as gettext does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Callable

from .errors import Problem, did_you_mean
from .spec import Loc, Storyboard, Voice

FOLDER = "locales"
TEMPLATE = "messages.pot"
#: What shows or speaks each kind of text: a message's context (`msgctxt`), besides a
#: speaker's name (their dialogue) and "narrator".
SHOWN = ("title", "title card", "credit", "watermark")


def check_language(tag: str) -> str:
    """"" when `tag` is a language Babel knows (`es`, `pt-BR`, `zh-Hans`), else the problem."""
    from babel import Locale, UnknownLocaleError

    if not tag:
        return "a language is a tag such as en, es, ja or pt-BR"
    try:
        Locale.parse(tag, sep="-")
        return ""
    except (UnknownLocaleError, ValueError, TypeError):
        from babel.localedata import locale_identifiers

        known = [code.replace("_", "-") for code in locale_identifiers() if "_" not in code]
        return f"unknown language '{tag}'{did_you_mean(tag, known)}; write a tag such as en, es, ja or pt-BR"


@lru_cache(maxsize=64)
def _locale(tag: str):
    from babel import Locale

    return Locale.parse(tag, sep="-")


def right_to_left(tag: str) -> bool:
    """Whether `tag`'s script is written right to left (Arabic, Hebrew, Persian, Urdu, ...)."""
    return _locale(tag).text_direction == "rtl"


def name_of(tag: str) -> str:
    """The language's name in itself (`Español`, `日本語`), as a track's title says it."""
    name = _locale(tag).get_display_name(_locale(tag)) or tag
    return name[:1].upper() + name[1:]


def iso639_2(tag: str) -> str:
    """The three-letter ISO 639-2/T code MP4 tracks are tagged with (`es` → `spa`)."""
    import langcodes

    return langcodes.Language.get(tag).to_alpha3()


def espeak_voice(tag: str) -> str:
    """The espeak-ng voice that reads `tag`'s words (`pt-BR` → `pt-br`, `zh-Hans` → `cmn`)."""
    tag = tag.lower()
    return {"zh": "cmn", "zh-hans": "cmn", "zh-hant": "yue", "pt-pt": "pt", "nb": "nb", "no": "nb"}.get(tag, tag)


def po_file(root: Path, tag: str) -> Path:
    """Where the translations into `tag` are: locales/TAG.po beside the script."""
    return Path(root) / FOLDER / f"{tag}.po"


@dataclass(frozen=True)
class Message:
    """A text to translate: what it says, who says it or what shows it, and where it is."""

    text: str
    context: str
    loc: Loc


def read_catalog(path: Path, tag: str):
    """The Babel catalog in the PO file at `path`; raises FilmError (`file:line`) for a file
    that is missing or that Babel cannot read."""
    from babel.messages.pofile import PoFileError, read_po

    from .errors import FilmError

    if not path.is_file():
        raise FilmError([Problem(str(path), 0, f"no translations into '{tag}' yet: `film translations PROJECT` "
                                               "writes this file for a translator to fill in")])
    try:
        problems = po_problems(path, path.read_text(encoding="utf-8"))
        if problems:
            raise FilmError(problems)
        with open(path, "rb") as handle:
            return read_po(handle, locale=tag.replace("-", "_"), abort_invalid=True)
    except PoFileError as error:
        raise FilmError([Problem(str(path), getattr(error, "lineno", 0) or 0, f"not a PO file Babel can read: "
                                                                              f"{error}")]) from None
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise FilmError([Problem(str(path), 0, f"cannot read: {error}")]) from None


_PO_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"')


def po_problems(path: Path, text: str) -> list[Problem]:
    """A `file:line` problem for each line of a PO file that is not a comment, a keyword and
    its quoted string, or a quoted string continuing one: Babel's reader passes over such a
    line, and would write the file back with the text it guessed (a letter lost, a message
    dropped), so it is refused before it is read."""
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#") and not _PO_LINE.fullmatch(line):
            problems.append(Problem(str(path), number, f"not a line of a PO file: {line[:60]!r} (a keyword such as "
                                                       "msgid or msgstr, then its text in double quotes, a quote inside it written \\\")"))
    return problems


def translator(catalog) -> Callable[[str, str], str]:
    """`translate(text, context)` from `catalog`: the translation of `text` said by (or shown
    as) `context`, or `text` itself where there is none or it is fuzzy (each such text listed
    in the function's `missed`)."""
    missed: list[tuple[str, str]] = []

    def translate(text: str, context: str, loc: Loc | None = None) -> str:
        message = catalog.get(text, context=context)
        if message is None or message.fuzzy or not message.string:
            missed.append((text, context))
            return text
        return message.string if isinstance(message.string, str) else message.string[0]

    translate.missed = missed   # what it could not translate, for the build to warn of
    return translate


def untranslated(catalog, messages: list[Message]) -> list[Message]:
    """Each of `messages` that `catalog` has no usable translation of (none, empty or fuzzy)."""
    return [m for m in messages
            if (found := catalog.get(m.text, context=m.context)) is None or found.fuzzy or not found.string]


def with_voices(board: Storyboard, tag: str) -> tuple[Storyboard, tuple[Problem, ...]]:
    """`board` with the voices it speaks `tag` in: `voices: {TAG: ...}`'s for the narrator and
    each cast member it names (or its voice for everyone), and for anyone it leaves out their
    own voice reading `tag`'s phonemes (the bundled English voice speaking Spanish: a warning
    says so, once)."""
    given = board.project.voices.get(tag, MappingProxyType({}))
    reads = espeak_voice(tag)
    warned: list[str] = []

    def voice(name: str, own: Voice) -> Voice:
        chosen = given.get(name) or given.get("")
        if chosen is None:
            warned.append(name if name != "narrator" else "the narrator")
            chosen = own
        return chosen if _speaks(chosen, board.root, reads) else replace(chosen, language=reads)

    narrator = voice("narrator", board.project.narrator)
    cast = tuple(replace(c, voice=voice(c.name, c.voice)) for c in board.cast)
    spoken = {line.character for shot in board.shots for line in shot.lines} | \
        ({"the narrator"} if any(shot.narration for shot in board.shots) else set())
    warned = [name for name in warned if name in spoken]
    warnings = ()
    if warned and board.project.speech:
        loc = board.project.languages_loc
        warnings = (Problem(loc.file or str(board.source), loc.line,
                            f"no voice for {', '.join(warned)} in '{tag}' (voices: {{{tag}: ...}}): their own voice "
                            f"reads {_locale(tag).get_display_name('en')} phonemes"),)
    # A recorded voice-over is the film's own language: another is synthesised.
    project = replace(board.project, narrator=narrator, voiceover=None)
    return replace(board, project=project, cast=cast), warnings


def _speaks(voice: Voice, root: Path, reads: str) -> bool:
    """Whether `voice`'s model was made for the language espeak-ng reads as `reads` (its
    config's espeak voice, compared by language: `es` is `es-419`); False when it cannot be
    told (a voice that cannot load is reported where voices are checked)."""
    from .audio import tts

    try:
        own = tts.reader(tts.find_model(voice.model, root)).language
    except (tts.VoiceError, OSError):
        return False
    return own.split("-")[0] == reads.split("-")[0]


def messages(target: Path, config: Path | None = None, version=None) -> tuple[Storyboard, list[Message]]:
    """The project at `target` (as `version`: values do not change what is translated, only
    whether a script without defaults can be read) and every text of it to translate, in script
    order, each once per context: recorded as the reader asks for them (`versions.apply`),
    before values are put in, so they are exactly what a language version translates."""
    from .parse import load
    from .spec import Version

    found: dict[tuple[str, str], Message] = {}

    def record(text: str, context: str, loc: Loc) -> str:
        found.setdefault((text, context), Message(text, context, loc))
        return text

    board = load(target, config, version or Version(), translate=record)
    return board, list(found.values())


def template(board: Storyboard, messages: list[Message]):
    """The POT catalog of `messages`: each with its `file:line` (relative to the project
    folder) and its context, the speaker's name also as a comment for the translator."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(project=board.project.title or board.name, fuzzy=False)
    root = Path(board.root).resolve()
    for m in messages:
        file = Path(m.loc.file)
        where = file.resolve().relative_to(root).as_posix() if file.is_absolute() and file.resolve().is_relative_to(root) \
            else file.name
        said = "spoken by the narrator" if m.context == "narrator" else \
            (f"shown: {m.context}" if m.context in SHOWN else f"spoken by {m.context}")
        catalog.add(m.text, locations=[(where, m.loc.line)] if m.loc.line else [], context=m.context,
                    auto_comments=[said])
    return catalog


@dataclass(frozen=True)
class Report:
    """What `film translations` found for one language."""

    language: str
    file: Path
    total: int
    untranslated: tuple[Message, ...]
    fuzzy: tuple[Message, ...]        # translated once, but the original has changed since
    obsolete: tuple[str, ...]          # translated texts the script no longer says
    created: bool
    suggested: tuple[Message, ...] = ()   # machine translations not yet reviewed (fuzzy, `translate.NOTE`)


def update(board: Storyboard, messages: list[Message],
           filled: dict[str, dict[tuple[str, str], str]] | None = None) -> tuple[Path, list[Report]]:
    """Write locales/messages.pot and bring each of the film's other languages' PO files up to
    date with it (made when missing; a text whose original changed keeps its old translation,
    marked fuzzy; one the script no longer says is kept as obsolete, `#~`); `filled` gives,
    per language, machine translations of untranslated texts by (text, context), put in
    marked fuzzy (`translate.fill`). Returns the template's path and a report per language.
    Files are written atomically."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    from .cache import atomic
    from .translate import NOTE

    pot = template(board, messages)
    folder = Path(board.root) / FOLDER
    folder.mkdir(exist_ok=True)
    _write(write_po, pot, folder / TEMPLATE, atomic)   # (written only where a message changed)
    reports = []
    for tag in board.project.languages[1:]:
        path = po_file(board.root, tag)
        created = not path.exists()
        catalog = Catalog(locale=tag.replace("-", "_"), project=pot.project) if created else read_catalog(path, tag)
        catalog.update(pot, update_header_comment=False)
        for (text, context), said in (filled or {}).get(tag, {}).items():
            entry = catalog.get(text, context=context)
            if entry is not None and not entry.string:
                entry.string = said
                entry.flags.add("fuzzy")
                entry.user_comments.append(NOTE)
        _write(write_po, catalog, path, atomic)
        missing = tuple(m for m in messages if _entry(catalog, m) is None or not _entry(catalog, m).string)
        fuzzy = [(m, e) for m in messages if (e := _entry(catalog, m)) is not None and e.fuzzy and e.string]
        reports.append(Report(tag, path, len(messages), missing,
                              tuple(m for m, e in fuzzy if NOTE not in e.user_comments),
                              tuple(str(key[0] if isinstance(key, tuple) else key) for key in catalog.obsolete),
                              created, tuple(m for m, e in fuzzy if NOTE in e.user_comments)))
    return folder / TEMPLATE, reports


def _entry(catalog, m: Message):
    return catalog.get(m.text, context=m.context)


def _write(write_po, catalog, path: Path, atomic) -> None:
    """Write `catalog` to `path`, unless what is there says the same but for its dates (each
    run stamps its header with the time: a file rewritten for that alone is noise in a
    translator's version control)."""
    import io

    buffer = io.BytesIO()
    # No `#| msgid` lines: Babel (2.19) reads them back as translator comments of the form
    # `| msgid`, and writes them again as `# | msgid` (found by running `film translations`
    # twice); a fuzzy mark is what a translator's tool shows.
    for message in catalog:
        message.user_comments = [c for c in message.user_comments if not c.startswith("| msg")]
    write_po(buffer, catalog, width=0, sort_output=False, include_previous=False)
    text = buffer.getvalue()
    try:
        if _undated(path.read_bytes()) == _undated(text):
            return
    except OSError:
        pass
    with atomic(path) as temp:
        temp.write_bytes(text)


def _undated(text: bytes) -> bytes:
    return b"\n".join(line for line in text.split(b"\n") if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision')))
