"""Finding and reading a project: a folder, a `.yaml` storyboard or a `.fountain` script."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem, ProjectNotFound, StoryboardError
from ..spec import Storyboard, Version

SIDECAR = "film.yaml"


def find_script(target: Path) -> Path:
    """The storyboard or screenplay that `target` (a folder or a file) names."""
    if target.is_dir():
        for name in ("storyboard.yaml", "storyboard.yml"):
            if (target / name).is_file():
                return target / name
        candidates = sorted(p for p in target.iterdir()
                            if p.suffix in (".yaml", ".yml", ".fountain") and p.name != SIDECAR)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise ProjectNotFound([Problem(str(target), 0, "no storyboard.yaml or .fountain script in this folder")])
        names = ", ".join(p.name for p in candidates)
        raise ProjectNotFound([Problem(str(target), 0, f"several scripts here ({names}); name the one to build")])
    if not target.exists():
        raise ProjectNotFound([Problem(str(target), 0, "no such file or folder")])
    return target


def load(target: Path, config: Path | None = None, version: Version = Version(), translate=None) -> Storyboard:
    """Read and validate the project at `target` as `version` of the film (its `vars:` values,
    its language: `parse/versions.py`); raises a FilmError listing every problem. `config`
    names a screenplay's sidecar (default: `film.yaml` beside it). `translate(text, context,
    loc)` is asked for each text to translate, before values are put in (`locales.messages`
    records them with it); by default the version's language's PO file answers."""
    from ..generators import names

    script = find_script(Path(target))
    if config is not None and script.suffix != ".fountain":
        raise ProjectNotFound([Problem("--config", 0, f"names a screenplay's sidecar, but {script.name} is a "
                                                      "storyboard, which holds its own settings")])
    if config is not None and not Path(config).is_file():
        raise ProjectNotFound([Problem(str(config), 0, "--config: no such file")])
    if version.language and translate is None:
        from .. import locales

        translate = locales.translator(locales.read_catalog(locales.po_file(script.parent, version.language),
                                                            version.language))
    if script.suffix in (".yaml", ".yml"):
        from .yaml import read_yaml

        board = read_yaml(script, names(), version, translate)
    elif script.suffix == ".fountain":
        from .fountain import read_screenplay

        board = read_screenplay(script, names(), Path(config) if config else None, version, translate)
    else:
        raise ProjectNotFound([Problem(str(script), 0, "not a storyboard: expected a .yaml or .fountain file")])
    problems = check_generators(board)
    if version.language:
        board, problems = _in_language(board, version.language, problems, translate)
    if problems:
        raise StoryboardError(problems)
    from ..audio.asr import check_recognizer

    problems = check_recognizer(board)
    if board.project.speech:
        from ..audio.tts import check_voices

        problems += check_voices(board)
    if problems:
        raise StoryboardError(problems)
    from dataclasses import replace

    from .glyphs import glyph_warnings

    board = replace(board, warnings=board.warnings + tuple(glyph_warnings(board)))
    if Path(target).is_dir():
        board = replace(board, name=Path(target).resolve().name)
    return board


def _in_language(board: Storyboard, language: str, problems: list[Problem],
                 translate=None) -> tuple[Storyboard, list[Problem]]:
    """`board` speaking `language` (`locales.with_voices`), which must be one of the film's
    other languages; its warnings (a voice reading another language's phonemes) kept."""
    from dataclasses import replace

    from .. import locales

    others = board.project.languages[1:]
    if language not in others:
        said = f"the film's languages are {', '.join(board.project.languages)}" if board.project.languages else \
            "the film lists no languages: add 'languages: [its own, others...]'"
        return board, problems + [Problem("--language", 0, f"'{language}' is not one of the languages the film is "
                                                           f"translated into; {said}")]
    board, warnings = locales.with_voices(board, language)
    return replace(board, warnings=board.warnings + warnings + _untranslated(board, language, translate)), problems


def _untranslated(board: Storyboard, language: str, translate) -> tuple[Problem, ...]:
    """A warning when some of the film's texts have no usable translation into `language`."""
    from .. import locales

    missed = dict.fromkeys(getattr(translate, "missed", ()))
    if not missed:
        return ()
    return (Problem(str(locales.po_file(board.root, language)), 0,
                    f"{len(missed)} text{'s' if len(missed) != 1 else ''} not translated into '{language}' (or "
                    "stale: the original changed since): said and shown as the script writes them; film "
                    "translations PROJECT lists them"),)


def check_generators(board: Storyboard) -> list[Problem]:
    """Every `generator:` the writer gave (the project's, each scene's and shot's), checked by
    its own generator (`Generator.check`: its options, and what a build with it needs). Only
    the generators named are imported, so a film that names no heavy one imports none."""
    from ..generators import get

    specs = [board.project.generator] + [s.generator for s in board.scenes] + [s.generator for s in board.shots]
    problems: list[Problem] = []
    seen = set()
    for spec in specs:
        if spec is None or id(spec) in seen:
            continue
        seen.add(id(spec))
        problems += get(spec.name).check(spec, board.root)
    return problems
