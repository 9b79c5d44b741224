"""One script, many films: a version's values put into the script's text, and `when:` applied.

A script declares `vars:` with defaults; any text a writer writes (a prompt, a heading, the
narration, a line, a title, the credits, a look, the file of a still, footage, an effect or
music) may use `{{ name }}`, and a shot or a line may carry `when: <expression>`. A version
(`spec.Version`: `--var k=v`, a row of `--variants`) gives the values; `apply` returns the
storyboard that version is, before it is validated, so that a path made from a variable is
checked like any other (a file outside the project folder is refused there).

Templates are Jinja2's, in its sandboxed environment with no loader: a template reads only
the values it is given (no `include`, no attributes of Python's internals, ranges capped), and
nothing it makes reaches a shell (the build runs argument lists, never a command line). An
unknown variable is a `file:line` problem with a did-you-mean, all of them at once.
A text with no `{` is left as it is, so a script without variables costs a scan.

Translation comes first (`locales.py`, the version's language), then the values, so that a
translator translates `Hello {{ name }}` once for every viewer.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

from ..errors import Problem, did_you_mean, quoted
from ..spec import Loc, Project, Shot, Storyboard, Version, parse_heading

#: Names Jinja2 gives every template, and its words for true, false and nothing: no variable
#: may hide them.
RESERVED_VARS = ("range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "true", "false", "none",
                 "True", "False", "None", "language")
#: The variable every film with `languages:` has: the version's language tag (`es`), so that a
#: still can be the one drawn in it (`image: "assets/map-{{ language }}.png"`).
LANGUAGE = "language"
_TEMPLATE = re.compile(r"\{[{%#]")


@lru_cache(maxsize=1)
def environment():
    """The one sandboxed Jinja2 environment: strict about unknown names, no loader, no escaping
    (the text is a film's, not HTML), the text's own line breaks kept."""
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def values_for(board: Storyboard, version: Version) -> tuple[dict[str, Any], list[Problem]]:
    """The value of every declared variable in `version`: its given value (text from the
    command line or a table, read as its default's type: a number, yes/no) or its default.
    Problems: a value for a variable the script does not declare (with a did-you-mean), one
    that cannot be read as its default's type, a variable with neither."""
    declared = {var.name: var for var in board.project.vars}
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for name, given in version.values.items():
        var = declared.get(name)
        if var is None and version.name and name in NAME_COLUMNS:
            continue   # a table's column naming its rows, not a variable
        if var is None:
            known = f"; the script's vars: {', '.join(declared)}" if declared else \
                "; the script declares no vars (add them under 'vars:')"
            problems.append(Problem(version.header or version.origin, 0, f"unknown variable {quoted(name)}"
                                                                         f"{did_you_mean(name, list(declared))}{known}"))
            continue
        value, error = _typed(given, var.default)
        if error:
            problems.append(Problem(version.origin, 0, f"variable '{name}': {error}"))
        values[name] = value
    for var in board.project.vars:
        if var.name not in values:
            if var.default is None:
                problems.append(var.loc.problem(
                    f"variable '{var.name}' has no default and this version gives it no value "
                    f"(--var {var.name}=..., or a '{var.name}' column in --variants)"))
            values[var.name] = var.default
    return values, problems


_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _typed(given: Any, default: Any) -> tuple[Any, str]:
    """`given` (text, or a value from a JSON line) read as `default`'s type."""
    if not isinstance(given, str) or default is None or isinstance(default, str):
        return given, ""
    text = given.strip()
    if isinstance(default, bool):
        if text.lower() in _TRUE + _FALSE:
            return text.lower() in _TRUE, ""
        return given, f"{quoted(given)} is not yes or no (its default is {str(default).lower()})"
    if isinstance(default, (int, float)):
        try:
            value = int(text) if isinstance(default, int) and re.fullmatch(r"[-+]?\d+", text) else float(text)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):   # `nan`, `inf`, `1e400`: no count of anything
            return given, f"{quoted(given)} is not a number (its default is {default})"
        return value, ""
    return given, ""


class _Renderer:
    """Renders the texts of one version, collecting every problem."""

    def __init__(self, values: Mapping[str, Any], names: tuple[str, ...], translate: Callable[..., str] | None,
                 render: bool = True):
        self.render = render
        self.values = values
        self.names = names
        self.translate = translate
        self.problems: list[Problem] = []

    def text(self, text: str | None, loc: Loc, what: str, context: str = "") -> str | None:
        """`text` translated (when it is spoken or shown: `context` names its speaker or kind)
        and with the version's values put in."""
        if not text:
            return text
        if self.translate is not None and context:
            text = self.translate(text, context, loc)
        if not self.render or not _TEMPLATE.search(text):
            return text
        template = self._compile(text, loc, what, statement=False)
        if template is None:
            return text
        try:
            return template.render(self.values)
        except Exception as error:   # Jinja2 and the sandbox raise their own kinds; each is the writer's mistake
            self.problems.append(loc.problem(f"in {what}: {_said(error)}"))
            return text

    def keeps(self, when: str, loc: Loc, what: str) -> bool:
        """Whether `when` is true for this version (a problem, and kept, when it cannot be told)."""
        if not when:
            return True
        expression = self._compile(when, loc, f"the 'when' of {what}", statement=True)
        if expression is None:
            return True
        try:
            return bool(expression(**self.values))
        except Exception as error:
            self.problems.append(loc.problem(f"in the 'when' of {what}: {_said(error)}"))
            return True

    def _compile(self, source: str, loc: Loc, what: str, statement: bool):
        from jinja2 import TemplateSyntaxError, meta

        env = environment()
        try:
            parsed = env.parse("{{ " + source + " }}" if statement else source)
            unknown = sorted(meta.find_undeclared_variables(parsed) - set(self.names))
            if unknown:
                for name in unknown:
                    known = f"; the script's vars: {', '.join(self.names)}" if self.names else \
                        "; declare it under 'vars:'"
                    self.problems.append(loc.problem(f"unknown variable '{name}' in {what}"
                                                     f"{did_you_mean(name, list(self.names))}{known}"))
                return None
            return env.compile_expression(source) if statement else env.from_string(source)
        except TemplateSyntaxError as error:
            self.problems.append(loc.problem(f"in {what}: template syntax error: {error.message}"))
            return None


def _said(error: Exception) -> str:
    from jinja2.exceptions import SecurityError

    if isinstance(error, SecurityError):
        return f"not allowed in a script's text ({error})"
    if "no loader" in str(error):   # {% include %}, {% import %}, {% extends %}
        return "a script's text cannot include, import or extend another file"
    return str(error) or type(error).__name__


def apply(board: Storyboard, version: Version = Version(),
          translate: Callable[[str, str, Loc], str] | None = None) -> tuple[Storyboard, list[Problem]]:
    """`board` as `version` of the film: every text translated (`translate(text, context,
    loc)`, for texts that are spoken, by `context`, or shown, as `context`: `locales.SHOWN`)
    and rendered with the version's values (and `language`, in a film with `languages:`), and
    each shot and line whose `when:` is false left out (a scene left with no shot goes too).
    Returns the storyboard and every problem found (unknown variables, template errors, values
    of the wrong kind), each at its `file:line`."""
    values, problems = values_for(board, version)
    if problems:   # a text rendered with a value it could not use would only repeat the problem
        return replace(board, version=version), problems
    names = tuple(v.name for v in board.project.vars)
    if board.project.languages:
        values[LANGUAGE] = version.language or board.project.languages[0]
        names += (LANGUAGE,)
    if not names:
        # Texts are templates only in a script that declares vars (or languages): one written
        # before them may hold `{%` or `{{` as its own words.
        problems += [loc.problem("'when:' chooses by the script's vars: declare them under 'vars:'")
                     for loc in _whens(board)]
        if translate is None:
            return replace(board, version=version, warnings=board.warnings + _unrendered(board)), problems
    r = _Renderer(MappingProxyType(values), names, translate, render=bool(names))
    project = _project(r, board.project)
    cast = tuple(replace(c, look=r.text(c.look, c.loc, f"{c.name}'s look")) for c in board.cast)
    music = tuple(replace(m, file=r.text(m.file, m.loc, "a music file")) for m in board.music)
    scenes = []
    for scene in board.scenes:
        # A shot left out is rendered too: its mistakes are found in every version, not only
        # in the one that first keeps it.
        shots = tuple(made for shot in scene.shots
                      for keep in [r.keeps(shot.when, shot.at("when"), f"shot '{shot.id}'")]
                      for made in [_shot(r, shot)] if keep)
        if shots:
            # not translated: the heading is the set the shots are drawn in, not words on screen
            heading = r.text(scene.heading.text, scene.loc, "the scene heading")
            scenes.append(replace(scene, shots=shots,
                                  heading=parse_heading(heading) if heading != scene.heading.text else scene.heading))
    if board.scenes and not scenes:
        r.problems.append(Problem(str(board.source), 0, "every shot is left out by its 'when:' in this version: "
                                                        "nothing to film"))
    board = replace(board, project=project, cast=cast, music=music, scenes=tuple(scenes), version=version)
    return board, problems + r.problems


def _whens(board: Storyboard) -> list[Loc]:
    """Where each `when:` of `board` is written."""
    return [loc for shot in board.shots
            for loc in ([shot.at("when")] if shot.when else []) + [line.loc for line in shot.lines if line.when]]


_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*(?:\|[^}]*)?\}\}|\{%.*?%\}")


def _unrendered(board: Storyboard) -> tuple[Problem, ...]:
    """A warning for the title, each heading and each shot whose prompt, narration, title or
    lines hold `{{ name }}` or `{% ... %}` in a script that declares no vars (the braces would be
    filmed as they are)."""
    found = []
    project = board.project
    for text, loc in [(project.title, project.title_loc if project.title_loc.file else project.loc)] + \
            [(scene.heading.text, scene.loc) for scene in board.scenes]:
        if text and (match := _VARIABLE.search(text)):
            found.append(loc.problem(f"'{match[0]}' looks like a template, but the script declares no vars: "
                                     "it is filmed as written"))
    for shot in board.shots:
        texts = [(shot.prompt, shot.at("prompt")), (shot.narration, shot.at("narration")),
                 (shot.title, shot.at("title"))] + [(line.text, line.loc) for line in shot.lines]
        for text, loc in texts:
            if text and (match := _VARIABLE.search(text)):
                add = f"add 'vars: {{{match[1]}: ...}}', or " if match[1] else ""
                found.append(loc.problem(f"'{match[0]}' looks like a {'variable' if match[1] else 'template'}, but "
                                         f"the script declares no vars: {add}it is filmed as written"))
                break
    return tuple(found)


def _project(r: _Renderer, project: Project) -> Project:
    title_at = project.title_loc if project.title_loc.file else project.loc
    credits = []
    for n, (role, names) in enumerate(project.credits):
        role_at, name_ats = project.credit_locs[n] if n < len(project.credit_locs) else (project.loc, ())
        credits.append((r.text(role, role_at, "a credit", context="credit"),
                        tuple(r.text(name, name_ats[k] if k < len(name_ats) else role_at, "a credit")
                              for k, name in enumerate(names))))
    watermark = project.watermark
    if watermark is not None:
        watermark = replace(watermark, text=r.text(watermark.text, watermark.loc, "the watermark", context="watermark"),
                            image=r.text(watermark.image, watermark.loc, "the watermark image"))
    return replace(project, title=r.text(project.title, title_at, "the title", context="title"),
                   style=r.text(project.style, project.loc, "the style"),
                   negative=r.text(project.negative, project.loc, "the negative prompt"),
                   credits=tuple(credits), watermark=watermark)


def _shot(r: _Renderer, shot: Shot) -> Shot:
    what = f"shot '{shot.id}'"
    lines = []
    for line in shot.lines:
        keep = r.keeps(line.when, line.loc, f"{line.character}'s line")
        made = replace(line, text=r.text(line.text, line.loc, f"{line.character}'s line", context=line.character),
                       parenthetical=r.text(line.parenthetical, line.loc, f"{line.character}'s parenthetical"))
        if keep:
            lines.append(made)
    footage = shot.footage and replace(shot.footage, file=r.text(shot.footage.file, shot.footage.loc, f"{what} footage"))
    sfx = tuple(replace(e, file=r.text(e.file, e.loc, f"{what} sound effect")) for e in shot.sfx)
    return replace(
        shot, lines=tuple(lines), footage=footage, sfx=sfx,
        prompt=r.text(shot.prompt, shot.at("prompt"), f"{what} prompt"),
        narration=r.text(shot.narration, shot.at("narration"), f"{what} narration", context="narrator"),
        title=r.text(shot.title, shot.at("title"), f"{what} title", context="title card"),
        image=r.text(shot.image, shot.at("image"), f"{what} image"),
        first_frame=r.text(shot.first_frame, shot.at("first_frame"), f"{what} first_frame"),
        continuity=r.text(shot.continuity, shot.at("continuity"), f"{what} continuity"))




#: Columns of a `--variants` table that name its rows' folders rather than set a variable
#: (unless the script declares a variable of that name too).
NAME_COLUMNS = ("id", "variant")
_FOLDER = re.compile(r"[^\W][\w.-]{0,99}")


def given(pairs: list[str] | None, origin: str = "--var") -> Version:
    """The version `--var NAME=VALUE ...` asks for; raises FilmError for a pair with no `=`."""
    from ..errors import FilmError

    values, problems = {}, []
    for pair in pairs or ():
        name, equals, value = pair.partition("=")
        if not equals or not name.strip():
            problems.append(Problem(origin, 0, f"{quoted(pair)} is not NAME=VALUE"))
        else:
            values[name.strip()] = value
    if problems:
        raise FilmError(problems)
    return Version(values=MappingProxyType(values), origin=origin)


def read_rows(path: Path) -> tuple[Version, ...]:
    """The versions a `--variants` table asks for: a `.csv` with a header row, or a `.jsonl` of
    one object a line; each row a version whose values are its cells (an empty cell, a JSON
    null: the default) and whose name (its folder, renders/NAME/variants/ROW) is its `id` or
    `variant` cell, else its number (1, 2, ...). Raises FilmError listing every problem, each
    at `file:line`: an unreadable file, a row that is not an object, a name that cannot be a
    folder's, two rows with one name, no rows."""
    import csv
    import json

    from ..errors import FilmError

    file = str(path)
    problems: list[Problem] = []
    rows: list[tuple[int, dict]] = []
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise FilmError([Problem(file, 0, f"cannot read the variants: {getattr(error, 'strerror', None) or error}")]) from None
    if Path(path).suffix.lower() == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as error:
                problems.append(Problem(file, number, f"not JSON: {error}"))
                continue
            if not isinstance(row, dict) or any(isinstance(v, (dict, list)) for v in row.values()):
                problems.append(Problem(file, number, "a row must be one object of names to plain values"))
                continue
            rows.append((number, {str(k): v for k, v in row.items() if v is not None}))
    elif Path(path).suffix.lower() == ".csv":
        reader = csv.DictReader(text.splitlines())
        header = [h.strip() for h in (reader.fieldnames or [])]
        if any(not h for h in header):
            problems.append(Problem(file, 1, "every column needs a name in the header row"))
        twice = sorted({h for h in header if h and header.count(h) > 1})
        if twice:
            problems.append(Problem(file, 1, f"two columns named {', '.join(repr(h) for h in twice)}: which is meant?"))
        for record in reader:
            extra = record.pop(None, None)
            if extra:
                problems.append(Problem(file, reader.line_num, f"more cells than the header names ({len(header)})"))
            rows.append((reader.line_num, {k.strip(): v for k, v in record.items()
                                            if k and v is not None and v.strip() != ""}))
    else:
        raise FilmError([Problem(file, 0, "--variants takes a .csv table (a header row, then a row a version) "
                                          "or a .jsonl file (one object a line)")])
    if not rows and not problems:
        problems.append(Problem(file, 0, "no rows: nothing to build"))
    versions, seen = [], {}
    for n, (number, row) in enumerate(rows, 1):
        column = next((c for c in NAME_COLUMNS if c in row), None)
        name = str(row[column]).strip() if column else str(n)
        if not _FOLDER.fullmatch(name):
            problems.append(Problem(file, number, f"variant name {quoted(name)} must be a folder's name: letters, "
                                                  "digits, '-', '_' and '.' (not first), at most 100"))
        elif name in seen:
            problems.append(Problem(file, number, f"two rows named '{name}' (the first at line {seen[name]})"))
        seen.setdefault(name, number)
        versions.append(Version(values=MappingProxyType(row), name=name, origin=f"{file}:{number}",
                                header=f"{file}:1" if Path(path).suffix.lower() == ".csv" else ""))
    if problems:
        raise FilmError(problems)
    return tuple(versions)


ROWS = "rows.json"


def remember_rows(folder: Path, versions: tuple[Version, ...]) -> None:
    """Record in `folder` (renders/NAME/variants) the versions `--variants` built, so that
    `film clean` keeps what each uses without being given the table again."""
    import json

    from ..cache import write_text

    write_text(Path(folder) / ROWS, json.dumps([{"name": v.name, "origin": v.origin, "values": dict(v.values)}
                                                for v in versions], indent=1, ensure_ascii=False))


def remembered_rows(folder: Path) -> tuple[Version, ...]:
    """The versions `remember_rows` recorded in `folder` (none when there is no record, or it
    cannot be read)."""
    import json

    try:
        rows = json.loads((Path(folder) / ROWS).read_text(encoding="utf-8"))
        return tuple(Version(values=MappingProxyType(dict(r["values"])), name=str(r["name"]), origin=str(r["origin"]))
                     for r in rows)
    except (OSError, ValueError, KeyError, TypeError):
        return ()
