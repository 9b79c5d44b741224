"""The `film` command: argument parsing, progress display and exit codes, nothing else.

Exit codes: 0 done; 1 the input is wrong (one line per problem, no traceback); 2 a job failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from importlib import resources
from pathlib import Path

from . import __version__
from .errors import Failure, FilmError, Problem, one_line


def _use_models_folder(folder: str) -> None:
    """`--models DIR`: the user's models folder for this run (set as `$FILM_MODELS`, which is
    where models are looked up, by this process and by the job processes it starts)."""
    from .models import ENV

    if not Path(folder).expanduser().is_dir():
        raise FilmError([Problem("--models", 0, f"'{folder}' is not a folder")])
    os.environ[ENV] = folder


def _new(args: argparse.Namespace) -> int:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    folder = Path(args.name)
    if folder.exists():
        raise FilmError([Problem(str(folder), 0, "already exists; choose a new name")])
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True,
                                        trim_blocks=True, lstrip_blocks=True)
    templates = resources.files("pipeline.templates").joinpath("new")
    if args.source:
        return _new_from_screenplay(folder, Path(args.source), env, templates)
    text = env.from_string(templates.joinpath("storyboard.yaml.j2").read_text(encoding="utf-8")).render(
        title=folder.name.replace("-", " ").replace("_", " ").title())
    (folder / "assets").mkdir(parents=True)
    (folder / "storyboard.yaml").write_text(text, encoding="utf-8")
    print(f"created {folder}/storyboard.yaml — build it with: film build {folder}")
    return 0


def _new_from_screenplay(folder: Path, script: Path, env, templates) -> int:
    """A project folder holding a copy of the screenplay and a sidecar listing its cast."""
    from .generators import names
    from .parse.fountain import SIDECAR, read_screenplay

    if not script.exists():
        raise FilmError([Problem(str(script), 0, "no such file")])
    if script.suffix != ".fountain" or not script.is_file():
        raise FilmError([Problem(str(script), 0, "not a .fountain screenplay")])
    # Read it first (without a sidecar) so that a broken script makes no folder.
    board = read_screenplay(script, names(), config=None)
    _warn(board)
    import yaml

    def as_key(name: str) -> str:
        """`name` as a person writes it as a YAML key: as it is where that reads back the same
        (`REGGIE'S VOICE`, `JOSÉ`, `李明`), quoted where it would not (`'COP #2'`, `'NO'`)."""
        written = yaml.safe_dump(name, allow_unicode=True, width=1 << 30)
        return written.removesuffix("\n...\n").rstrip("\n")

    # The look as the action introduced them (`MAYA, a girl of ten…`), quoted for YAML.
    cast = [{"name": as_key(c.name), "look": json.dumps(c.look, ensure_ascii=False), "voice": _voice_setting(c.voice)}
            for c in board.cast]
    text = env.from_string(templates.joinpath("film.yaml.j2").read_text(encoding="utf-8")).render(
        script=script.name, cast=cast)
    (folder / "assets").mkdir(parents=True)
    shutil.copyfile(script, folder / script.name)
    (folder / SIDECAR).write_text(text, encoding="utf-8")
    def count(n: int, what: str) -> str:
        return f"{n} {what}" if n == 1 else f"{n} {what}s"

    print(f"created {folder}/{script.name} and {folder}/{SIDECAR} ({count(len(cast), 'speaking part')}, "
          f"{count(len(board.scenes), 'scene')}, {count(len(board.shots), 'shot')}) — build it with: film build {folder}")
    return 0


def _voice_setting(voice) -> str:
    """A voice as a sidecar writes it: `{preset: woman}`, `{preset: man, pitch: -2, formant: 0.95}`."""
    keys = [f"preset: {voice.preset}"] if voice.preset else [f"model: {voice.model or 'joe'}"]
    keys += [f"pitch: {voice.pitch:g}"] if voice.pitch else []
    keys += [f"formant: {voice.formant:g}"] if voice.formant != 1 else []
    return "{" + ", ".join(keys) + "}"


def _plain_path(path: Path, what: str) -> None:
    """Raise a FilmError when `path` holds a line break or another control character, which
    the lists handed to ffmpeg (and most tools) cannot carry."""
    if any(ord(c) < 32 or ord(c) == 127 for c in str(path)):
        raise FilmError([Problem(what, 0, f"{str(path)!r} holds a line break or a control character; "
                                          "rename it")])


def _shown(path: Path) -> str:
    """`path` as the user would write it: relative to where they are when it is inside."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load(args: argparse.Namespace):
    """The project the command names, its warnings printed."""
    from .parse import load

    board = load(Path(args.project), Path(args.config) if args.config else None, _version(args))
    _warn(board)
    return board


def _version(args: argparse.Namespace):
    """The version of the film `--var NAME=VALUE ...` asks for (the script's defaults without)."""
    from .parse.versions import given

    return given(getattr(args, "var", None))


def _renders(args: argparse.Namespace, write: bool = True) -> Path:
    """The `--out` folder (or the project's `renders/`), if renders can go there: not a file,
    nor inside one, and, for a command that will `write`, writable where it will be made (a
    command that only reads works on a read-only copy or share). Raises FilmError (exit 1)
    naming the folder otherwise."""
    from .build import default_renders

    if args.out == "":
        raise FilmError([Problem("--out", 0, "is empty: name the folder renders go in")])
    # Absolute, so that no path handed to ffmpeg starts `name:` (ffmpeg reads that as a protocol).
    out = Path(args.out).absolute() if args.out is not None else default_renders(Path(args.project))
    _plain_path(out, "--out")
    existing = next((p for p in (out, *out.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise FilmError([Problem(str(out), 0, f"--out must be a folder, but {existing} is a file")])
    if not write:
        return out
    try:   # permissions alone do not tell (a read-only mount, /proc): try, and leave nothing
        os.rmdir(tempfile.mkdtemp(prefix=".film-", dir=existing))
    except OSError as error:
        named = "--out: " if args.out is not None else ""
        raise FilmError([Problem(str(out), 0, f"{named}cannot write in {existing} ({error.strerror})")]) from None
    return out


def _warn(source) -> None:
    """Print the warnings of a storyboard or a plan, as `file:line: warning: ...`."""
    _print_warnings(source.warnings)


def _print_warnings(warnings) -> None:
    """Print warnings (Problems), one a line, as `file:line: warning: ...`."""
    for warning in warnings:
        print(f"{one_line(warning.subject)}:{warning.line}: warning: {one_line(warning.message)}", file=sys.stderr)


def _read_and_plan(args: argparse.Namespace, preview: bool = False):
    """What `check`, `plan`, `status` and `explain` share: the project read, its media probed
    and its cut planned, warnings printed; returns the storyboard, the plan and the cache.
    Reads the cache (files a build probed, speech it made) and writes nothing: lines not
    synthesised yet are estimated."""
    from . import measure
    from .build import prepare
    from .cache import Cache

    from .build.claim import foreign

    board = _load(args)
    film = _renders(args, write=False) / board.name
    other = foreign(film, board.source)
    if other is not None:   # what is cached there is another film's: said, as a build would refuse it
        print(f"{_shown(film)}: warning: holds the builds of {other}, another project named '{board.name}'; "
              f"film build refuses it: use --out OTHER_FOLDER", file=sys.stderr)
    cache = Cache(film / "cache", read_only=True)
    probes = measure.check_media(board, cache=cache)
    plan, _ = prepare(board, cache, preview=preview, synthesise=False, probes=probes)
    _warn(plan)
    return board, plan, cache


def _check(args: argparse.Namespace) -> int:
    if args.variants:   # every row, read as its version (what is shared is checked once)
        from .build import check_versions
        from .parse.versions import read_rows

        versions = read_rows(Path(args.variants))
        check_versions(Path(args.project), versions, Path(args.config) if args.config else None)
        print(f"{args.variants}: ok — {len(versions)} version{'s' if len(versions) != 1 else ''}")
    board, plan, _ = _read_and_plan(args)
    if board.project.languages[1:]:   # each language read too: its PO file, its voices
        from .build import in_languages

        for other in in_languages(Path(args.project), Path(args.config) if args.config else None, board.version,
                                   board.project.languages[1:]).values():
            _print_warnings([w for w in other.warnings if w not in board.warnings])
    about = "about " if plan.estimated else ""
    print(f"{plan.source}: ok — {len(plan.shots)} clip{'s' if len(plan.shots) != 1 else ''}, {about}{plan.seconds(plan.total):.2f} s "
          f"({plan.total} frames at {float(plan.fmt.fps):g} fps)")
    return 0


def _status_of(args: argparse.Namespace, shot: str | None = None):
    """The film's jobs as `film build` would find them now (`build.status`), and its cache.
    Raises FilmError (with a did-you-mean) when `shot` is not one of its shots."""
    from .build import make_graph
    from .build.status import status
    from .plan.model import unknown_shots

    board, plan, cache = _read_and_plan(args, preview=args.preview)
    problems = unknown_shots(plan.source, [shot], [s.id for s in plan.shots]) if shot is not None else []
    if problems:
        raise FilmError(problems)
    speech = []
    if board.project.speech:
        from .audio.speech import jobs as speech_jobs

        speech, _ = speech_jobs(board, cache)
    return status(plan, make_graph(plan, cache), speech, cache), cache


def _plan(args: argparse.Namespace) -> int:
    from .build import output_folder
    from .build.status import summary
    from .plan import CardSource

    found, _ = _status_of(args)
    plan = found.plan
    width = shutil.get_terminal_size((120, 20)).columns
    print(f"{'shot':<22} {'start':>7} {'dur':>7} {'seed':>10}  {'status':<9}  prompt")
    for shot, state in zip(plan.shots, found.shots):
        card = shot.source.text if isinstance(shot.source, CardSource) else ""
        prompt = " ".join((shot.prompt or card or shot.kind).split())   # a card's lines on one row
        guess = "~" if not shot.explicit_duration and any(line.estimated for line in shot.speech) else " "
        line = (f"{shot.id[:22]:<22} {plan.seconds(state.start):>6.2f}s {guess}{plan.seconds(shot.frames):>5.2f}s "
                f"{shot.seed:>10}  {'to render' if state.to_run else 'cached':<9}  ")
        room = max(width - len(line), 20)
        print(line + (prompt if len(prompt) <= room else prompt[: room - 1] + "…"))
    about = "about " if plan.estimated else ""
    print(f"total {about}{plan.seconds(plan.total):.2f} s ({plan.total} frames at {float(plan.fmt.fps):g} fps, "
          f"{plan.fmt.width}x{plan.fmt.height}); {summary(found.jobs).replace('to run', 'to render')}; "
          f"output {_shown(output_folder(_renders(args, write=False), plan) / 'final.mp4')}")
    if plan.estimated:
        print("~ lasts as long as speech not yet made is estimated to take; film build makes it and times it")
    return 0


def _status(args: argparse.Namespace) -> int:
    from .build.status import summary

    found, _ = _status_of(args)
    if args.json:
        print(json.dumps({"project": found.plan.name, "source": str(found.plan.source),
                          "estimated": found.plan.estimated, "jobs": len(found.jobs), "to_run": len(found.to_run),
                          "shots": [{"id": s.id, "scene": s.scene, "start": s.start, "frames": s.frames,
                                     "jobs": [j.record() for j in s.jobs]} for s in found.shots],
                          "film": [j.record() for j in found.film]}, indent=1, ensure_ascii=False))
        return 0
    width = max([len(s.id) for s in found.shots] + [4])
    for shot in found.shots:
        _print_jobs(shot.id, width, shot.jobs)
    _print_jobs("film", width, found.film)
    print(summary(found.jobs) + ("; the lengths of speech not yet made are estimated" if found.plan.estimated else ""))
    return 0


def _print_jobs(label: str, width: int, jobs) -> None:
    """One line for a shot whose jobs are all cached; else a line per job that will run."""
    waiting = [j for j in jobs if not j.cached]
    if not waiting:
        print(f"{label:<{width}}  cached ({len(jobs)} job{'s' if len(jobs) != 1 else ''})")
        return
    for n, job in enumerate(waiting):
        print(f"{label if n == 0 else '':<{width}}  {job.kind} {one_line(job.id)}: {one_line(str(job.reason))}")


def _clean(args: argparse.Namespace) -> int:
    from . import measure
    from .build import check_output_folder
    from .build.claim import claim, refuse_foreign
    from .build.clean import every_job, megabytes, remove, unreferenced
    from .cache import Cache

    board = _load(args)
    film = _renders(args, write=not args.dry_run) / board.name
    if not (film / "cache").is_dir():
        print(f"{_shown(film / 'cache')}: nothing to clean (no build yet)")
        return 0
    check_output_folder(film, board.root)
    refuse_foreign(film, board.source)   # what another project's jobs use is not ours to count
    cache = Cache(film / "cache", read_only=args.dry_run)
    jobs = every_job(board, cache, measure.check_media(board, cache=cache))
    jobs += _other_versions_jobs(args, board, cache)
    if args.dry_run:
        found = unreferenced(cache, jobs)
        for path in found.paths:
            print(_shown(path))
        print(f"would remove {_outputs(found)} ({megabytes(found.size)}) from {_shown(cache.root)}")
        return 0
    with claim(film, board.source, TerminalReporter().waiting):
        found = unreferenced(cache, jobs)
        remove(found)
    print(f"removed {_outputs(found)} ({megabytes(found.size)}) from {_shown(cache.root)}")
    return 0


def _other_versions_jobs(args: argparse.Namespace, board, cache) -> list:
    """The jobs `film clean` keeps besides the version it was given: the film's other
    languages' (each that has its PO file), and each row's of `--variants` (in every language),
    or of the table the last `film build --variants` built (`renders/NAME/variants/rows.json`)."""
    from . import measure
    from .build import languages
    from .build.clean import every_job
    from .parse import load
    from .parse.versions import read_rows, remembered_rows

    film = _renders(args, write=False) / board.name

    def probes(other):
        return measure.check_media(other, cache=cache)

    def in_languages(version) -> dict:
        from . import locales

        tags = [t for t in board.project.languages[1:] if locales.po_file(board.root, t).is_file()]
        return {tag: load(Path(args.project), Path(args.config) if args.config else None,
                          replace(version, language=tag)) for tag in tags}

    from dataclasses import replace

    jobs = languages.every_job(board, in_languages(board.version), cache, probes)
    rows = read_rows(Path(args.variants)) if getattr(args, "variants", None) else remembered_rows(film / "variants")
    for version in rows:
        try:
            row = load(Path(args.project), Path(args.config) if args.config else None, version)
            jobs += every_job(row, cache, probes(row)) + languages.every_job(row, in_languages(version), cache, probes)
        except FilmError:
            if getattr(args, "variants", None):
                raise
            # a row built before that the script no longer takes: what it used is not kept
    return jobs


def _outputs(found) -> str:
    """`3 outputs no job uses`, and `and 8 parts of earlier mixes` where there are some."""
    count, parts = found.outputs, found.parts
    return f"{count} output{'s' if count != 1 else ''} no job uses" + (
        f" and {parts} part{'s' if parts != 1 else ''} of earlier mixes" if parts else "")


def _forget(args: argparse.Namespace) -> int:
    from .build.claim import claim
    from .build.clean import forget, megabytes

    found, cache = _status_of(args, shot=args.shot)
    plan = found.plan
    with claim(cache.root.parent, plan.source, TerminalReporter().waiting):
        removed = forget([j.output for j in found.shot(args.shot).jobs])
    count = len(removed.paths)
    print(f"forgot {args.shot}: {count} output{'s' if count != 1 else ''} ({megabytes(removed.size)}); the next "
          f"build makes {'them' if count != 1 else 'it'} again")
    return 0


def _explain(args: argparse.Namespace) -> int:
    found, _ = _status_of(args, shot=args.shot)
    plan = found.plan
    state = found.shot(args.shot)
    shot = next(s for s in plan.shots if s.id == args.shot)
    facts = {"id": shot.id, "scene": shot.heading.text, "kind": shot.kind, "generator": shot.generator.name,
             "start": state.start, "frames": shot.frames, "seconds": round(plan.seconds(shot.frames), 3),
             "estimated": any(line.estimated for line in shot.speech), "seed": shot.seed, "prompt": shot.prompt,
             "camera": shot.camera, "transition": shot.transition,
             "lines": [{"speaker": line.speaker, "text": line.text} for line in shot.speech],
             "jobs": [j.record() for j in state.jobs]}
    if args.json:
        print(json.dumps(facts, indent=1, ensure_ascii=False))
        return 0
    print(f"{shot.id}: {shot.kind} by {shot.generator.name}, {plan.seconds(state.start):.2f} s into the cut, "
          f"{'about ' if facts['estimated'] else ''}{facts['seconds']:.2f} s ({shot.frames} frames), seed {shot.seed}")
    if shot.heading.text:
        print(f"  scene: {one_line(shot.heading.text)}")
    if shot.prompt:
        print(f"  prompt: {one_line(shot.prompt)}")
    for line in shot.speech:
        print(f"  {one_line(line.speaker) or 'narrator'}: {one_line(line.text)}")
    for job in state.jobs:
        print(f"  {job.kind} {one_line(job.id)}: {'cached' if job.cached else one_line(str(job.reason))}"
              f"  [{job.key}]")
    return 0


class TerminalReporter:
    """The build on the terminal: a line naming each stage (also when stderr is not a
    terminal, for logs), then on a terminal a progress bar of its jobs."""

    def __init__(self) -> None:
        self.bar = None
        self.terminal = sys.stderr.isatty()

    def stage(self, name: str, jobs: int, to_run: int) -> None:
        from tqdm import tqdm

        self.close()
        print(f"{name}: {jobs} jobs, {to_run} to run", file=sys.stderr, flush=True)
        if self.terminal and to_run:
            self.bar = tqdm(total=jobs, unit="job", file=sys.stderr, leave=False, dynamic_ncols=True, desc=name)

    def started(self, job, reason) -> None:
        pass

    def finished(self, done: int, total: int, result) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(f"{result.status} {result.kind} {result.id}"[:40], refresh=False)
            self.bar.update(1)

    def failed(self, job, error) -> None:
        pass

    def waiting(self, why: str) -> None:
        print(why, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


MOST_JOBS = 256   # jobs at once: far past any machine's cores; each is a process or a thread


def _build(args: argparse.Namespace) -> int:
    if args.jobs is not None and not 1 <= args.jobs <= MOST_JOBS:
        raise FilmError([Problem("--jobs", 0, f"says how many jobs run at once: from 1 to {MOST_JOBS}, not "
                                              f"{args.jobs} (leave it out for one per core)")])

    if args.variants:
        return _build_variants(args)
    result = _build_version(args, _version(args))
    plan = result.plan
    for tag, made in result.languages.items():
        print(f"{tag}: {made.rendered} rendered, {made.cached} cached → {_shown(made.output)} "
              f"({made.plan.seconds(made.plan.total):.2f} s)")
    print(f"{result.rendered} rendered, {result.cached} cached, {result.seconds:.1f} s → {_shown(result.output)} "
          f"({plan.seconds(plan.total):.2f} s, {plan.fmt.width}x{plan.fmt.height})")
    return 0


def _build_version(args: argparse.Namespace, version):
    """`film build` of one version of the film as the command line asks, on the terminal; its
    missing jobs warned of."""
    from .build import build

    reporter = TerminalReporter()
    try:
        result = build(Path(args.project), renders=_renders(args), preview=args.preview, only=args.only,
                       force=args.force, workers=args.jobs, reporter=reporter,
                       config=Path(args.config) if args.config else None, locked=args.locked,
                       warn=_print_warnings, keep_going=args.keep_going, allow_missing=args.allow_missing,
                       executor=args.executor, address=args.address, sign=args.sign, version=version,
                       languages=tuple(args.language) if args.language else None)
    finally:
        reporter.close()
    _missing(result)
    return result


def _build_variants(args: argparse.Namespace) -> int:
    """`film build --variants ROWS`: every row's version checked before any is built, then
    each built in turn into renders/NAME/variants/ROW/ (sharing the cache: what rows have in
    common is made once), a line as each is done and a table at the end."""
    from .build import check_versions
    from .parse.versions import read_rows, remember_rows

    if args.var:
        raise FilmError([Problem("--var", 0, "give the values in the --variants table, or build one version with "
                                             "--var; not both")])
    if args.only:
        raise FilmError([Problem("--only", 0, "builds some shots of one version: build it without --variants")])
    versions = read_rows(Path(args.variants))
    check_versions(Path(args.project), versions, Path(args.config) if args.config else None)
    rows = []
    for n, version in enumerate(versions, 1):
        result = _build_version(args, version)
        plan = result.plan
        for tag, made in result.languages.items():
            print(f"variant {n}/{len(versions)} {version.name} {tag}: {made.rendered} rendered, {made.cached} cached "
                  f"→ {_shown(made.output)} ({made.plan.seconds(made.plan.total):.2f} s)", flush=True)
        print(f"variant {n}/{len(versions)} {version.name}: {result.rendered} rendered, {result.cached} cached, "
              f"{result.seconds:.1f} s → {_shown(result.output)} ({plan.seconds(plan.total):.2f} s)", flush=True)
        if n == 1:
            remember_rows(_renders(args) / plan.name / "variants", versions)
        rows.append((version.name, str(len(plan.shots)), str(result.rendered), str(result.cached),
                     f"{result.seconds:.1f}", f"{plan.seconds(plan.total):.2f}", _shown(result.output)))
    header = ("variant", "shots", "rendered", "cached", "seconds", "length", "cut")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _missing(result) -> None:
    """Warn of each job of `result` that failed or could not be made (`--allow-missing`)."""
    for failed in result.missing:
        if not failed.needs:
            print(f"warning: {failed.kind} {one_line(failed.id)} failed: {one_line(failed.reason)}; its shot is a "
                  "slate in the cut", file=sys.stderr)
        else:
            print(f"warning: {failed.kind} {one_line(failed.id)} not made ({one_line(failed.reason)})", file=sys.stderr)


def _export(args: argparse.Namespace) -> int:
    from .build import build

    from . import export

    formats = tuple(dict.fromkeys(args.format or ("otio",)))
    export.check(formats)   # what was asked for, before the project is read
    reporter = TerminalReporter()
    try:
        result = build(Path(args.project), renders=_renders(args), preview=args.preview, workers=args.jobs,
                       reporter=reporter, config=Path(args.config) if args.config else None, warn=_print_warnings,
                       exports=formats, version=_version(args))
    finally:
        reporter.close()
    for path in result.exported:
        print(f"→ {_shown(path)}")
    return 0


def _translations(args: argparse.Namespace) -> int:
    """`film translations`: the template and each language's PO file written, and a report."""
    from . import locales

    board, messages = locales.messages(Path(args.project), Path(args.config) if args.config else None, _version(args))
    _warn(board)
    if len(board.project.languages) < 2:
        raise FilmError([Problem(str(board.source), 0, "the film lists no other language to translate into: add "
                                                       "'languages: [its own, others...]' (e.g. [en, es])")])
    filled = {}
    if args.fill:
        from .translate import fill

        others = board.project.languages[1:]
        wrong = [tag for tag in args.fill if tag not in others]
        if wrong:
            raise FilmError([Problem("--fill", 0, f"'{tag}' is not one of the languages the film is translated "
                                                  f"into ({', '.join(others)})") for tag in wrong])

        def missing(tag: str):
            path = locales.po_file(board.root, tag)
            return locales.untranslated(locales.read_catalog(path, tag), messages) if path.exists() else messages

        filled = fill(board.project.languages[0], args.fill, missing)
    template, reports = locales.update(board, messages, filled)
    print(f"{_shown(template)}: {len(messages)} texts to translate")
    for report in reports:
        done = report.total - len(report.untranslated) - len(report.fuzzy) - len(report.suggested)
        said = [f"{done} of {report.total} translated"]
        said += [f"{len(report.untranslated)} untranslated"] if report.untranslated else []
        said += [f"{len(report.fuzzy)} stale (the original changed since)"] if report.fuzzy else []
        said += [f"{len(report.obsolete)} no longer in the script"] if report.obsolete else []
        said += [f"{len(report.suggested)} machine-translated, to review"] if report.suggested else []
        print(f"{report.language}: {_shown(report.file)}{' (new)' if report.created else ''}: {', '.join(said)}")
        for kind, found in (("untranslated", report.untranslated), ("stale", report.fuzzy),
                            ("to review", report.suggested)):
            for m in found:
                print(f"  {one_line(m.loc.file)}:{m.loc.line}: {kind}: {m.context}: {one_line(m.text[:60])}")
    return 0


def _keys(args: argparse.Namespace) -> int:
    from .export.credentials import make_keys

    folder = Path(args.folder).expanduser()
    keys = make_keys(folder, args.name)
    print(f"a signing certificate for '{args.name}', issued by a CA of your own:\n"
          f"  chain {_shown(keys.chain)}\n  key   {_shown(keys.key)} (keep it private)\n"
          f"  CA    {_shown(keys.ca)} (give it to whoever verifies: film verify FILE --trust {keys.ca.name})\n"
          f"sign a film with, in its storyboard or sidecar:\n"
          f"  signing: {{cert: {json.dumps(str(keys.chain.resolve()))}, key: {json.dumps(str(keys.key.resolve()))}}}\n"
          "then: film build PROJECT --sign")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from collections import Counter

    from . import watermark
    from .edit.ffmpeg import FFmpegError

    path = Path(args.file)
    if not path.is_file():
        raise FilmError([Problem(str(path), 0, "no such file")])
    try:
        mark = watermark.detect(path)
    except FFmpegError:
        raise FilmError([Problem(str(path), 0, "not a video file ffmpeg can read")]) from None
    try:
        from .export.credentials import verify

        found = verify(path, [Path(t) for t in args.trust or ()])
    except ImportError:
        found = None
    if found is None:
        print(f"{path}: Content Credentials not read: the C2PA SDK is not installed (pip install 'film[sign]')")
    elif not found.found:
        print(f"{path}: no Content Credentials" + "".join(f"\n  {p}" for p in found.problems))
    else:
        state = "intact and trusted" if found.trusted else "intact, signer not on the trust list (--trust CA.pem)" \
            if found.intact else "ALTERED since it was signed"
        print(f"{path}: Content Credentials, {state}")
        print(f"  title   {found.title}\n  signer  {found.signer}" + (f" ({found.organization})" if found.organization else ""))
        for (action, source), count in Counter(found.actions).items():
            print(f"  {action}" + (f"  {source.rsplit('/', 1)[-1]}" if source else "") + (f"  x{count}" if count > 1 else ""))
        for name in found.ingredients:
            print(f"  ingredient  {name}")
        for problem in found.problems:
            print(f"  problem  {problem}")
    if mark.found:
        print(f"{path}: film's invisible watermark, film id {mark.payload & 0xFFFFFF:06x} "
              f"(confidence {mark.confidence:.1f} over {mark.frames} frames)")
    else:
        print(f"{path}: no invisible watermark found (confidence {mark.confidence:.1f}, {watermark.THRESHOLD:g} needed)")
    if found is not None and found.found:
        return 0 if found.intact else 1
    return 0 if mark.found else 1


def _takes(args: argparse.Namespace) -> int:
    from .build import takes

    sheet, count = takes(Path(args.project), args.shot, renders=_renders(args), preview=args.preview,
                         config=Path(args.config) if args.config else None, reporter=TerminalReporter())
    print(f"{count} take{'s' if count != 1 else ''} of {args.shot} → {_shown(sheet)}; pick one with 'take: K' in the shot")
    return 0


def _transcribe(args: argparse.Namespace) -> int:
    from .audio.asr import Recognizer
    from .subtitles import captions_from_words, write_captions

    audio = Path(args.audio)
    if not audio.is_file():
        raise FilmError([Problem(str(audio), 0, "no such file")])
    from .edit.ffmpeg import FFmpegError, probe, require

    require()

    try:
        info = probe(audio)
    except FFmpegError:
        info = None
    if info is None or info.audio_codec is None:
        raise FilmError([Problem(str(audio), 0, "not an audio or video file with sound")])
    transcript = Recognizer(args.model, args.engine).transcribe(audio)
    if not transcript.words:
        raise FilmError([Problem(str(audio), 0, "no speech found")])
    phrases = [(p.text, [(w.start, w.end) for w in p.words]) for p in transcript.phrases]
    captions = captions_from_words(phrases)
    stem = Path(args.out) if args.out else audio.with_suffix("")
    write_captions(captions, stem.with_suffix(".srt"), stem.with_suffix(".vtt"))
    print(f"{len(transcript.words)} words, {len(captions)} cues → {stem.with_suffix('.srt')}, {stem.with_suffix('.vtt')}")
    return 0


MODELS_HELP = ("your folder of models (voices, recognisers, diffusers pipelines), which a storyboard may "
               "name by a path inside it (default: $FILM_MODELS)")


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake on the command line raised as a FilmError (exit 1, like every
    mistake in what the user wrote) instead of argparse's own exit 2, which is a failed job's."""

    def error(self, message: str):
        if message.startswith("argument --") and message.endswith("expected one argument"):
            message += " (for a name that starts with '-', write it as --option=-name or ./-name)"
        raise FilmError([Problem(self.prog, 0, f"{message} (see {self.prog} --help)")])


def _project_command(sub, name: str, func, text: str, shot: bool = False,
                     out: str = "where renders go (default: renders/ in the project's folder)"):
    """A subcommand that reads a project: PROJECT (and SHOT), --out, --config and --models."""
    command = sub.add_parser(name, help=text)
    command.add_argument("project", help="project folder, .yaml storyboard or .fountain script")
    if shot:
        command.add_argument("shot", help="the shot's id (see film plan)")
    command.add_argument("--out", help=out)
    command.add_argument("--config", help="a screenplay's sidecar (default: film.yaml beside it)")
    command.add_argument("--models", metavar="DIR", help=MODELS_HELP)
    command.add_argument("--var", action="append", metavar="NAME=VALUE",
                         help="a value for one of the script's vars: (repeat for more); the version of the film "
                              "with it")
    command.set_defaults(func=func)
    return command


def parser() -> argparse.ArgumentParser:
    """The command line: `film new|check|plan|build|status|explain|clean|forget|export|keys|verify|takes|transcribe`."""
    top = Parser(prog="film", description="Turn a written film into a finished cut.")
    top.add_argument("--version", action="version", version=f"film {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    new = sub.add_parser("new", help="start a project from a template")
    new.add_argument("name", help="folder to create")
    new.add_argument("--from", dest="source", metavar="SCRIPT", help="start from a .fountain screenplay")
    new.set_defaults(func=_new)

    check = _project_command(sub, "check", _check, "validate a project and report every problem",
                             out="where renders (and the speech cache) go (default: renders/ in the project's folder)")
    check.add_argument("--variants", metavar="ROWS", help="check every row of a --variants table too")

    for name, func, text in (("plan", _plan, "show the shots: timing, seeds, prompts, what is cached"),
                             ("build", _build, "render the film")):
        command = _project_command(sub, name, func, text)
        command.add_argument("--preview", action="store_true", help="half size, for a quick look (cached apart)")
        if name == "build":
            command.add_argument("--only", nargs="+", metavar="ID", help="render just these shots, to only.mp4")
            command.add_argument("--language", action="append", metavar="TAG",
                                 help="of a film with languages:, make only this one besides its own (repeat for "
                                      "more; default every one)")
            command.add_argument("--variants", metavar="ROWS",
                                 help="a .csv (or .jsonl) of versions, a row each (its cells the vars' values, an "
                                      "'id' column its name): one cut each, in renders/NAME/variants/ROW/")
            command.add_argument("--force", action="store_true", help="render every job again, ignoring the cache")
            command.add_argument("--jobs", type=int, default=None, help="jobs run at once (default: one per core)")
            command.add_argument("--executor", default="threads", metavar="NAME",
                                 help="where jobs run: threads (default), processes (CPU-bound drawing N at once), "
                                      "or ray (a Ray cluster: --address, or one started for the build)")
            command.add_argument("--address", metavar="ADDR", help="the Ray cluster to run jobs on (with --executor "
                                                                   "ray; as `ray start --head` prints it)")
            command.add_argument("--keep-going", action="store_true",
                                 help="when a job fails, run every job that does not need it, then list each failure")
            command.add_argument("--allow-missing", action="store_true",
                                 help="as --keep-going, and finish the cut with a slate ('shot X failed: reason') "
                                      "for each shot that could not be made")
            command.add_argument("--sign", action="store_true",
                                 help="sign the cut's Content Credentials (C2PA) with the project's signing: "
                                      "certificate (film keys makes one); a project with signing: is signed "
                                      "anyway, this makes it an error not to")
            command.add_argument("--locked", action="store_true",
                                 help="refuse to render generated shots with a model, revision, library version, "
                                      "dtype, device or seed other than renders/NAME/lock.json records")

    for name, func, text in (("status", _status, "every shot's jobs: cached, or to run and why"),
                             ("explain", _explain, "one shot: its timing, prompt, lines and jobs, and why each runs")):
        command = _project_command(sub, name, func, text, shot=name == "explain")
        command.add_argument("--json", action="store_true", help="as JSON")
        command.add_argument("--preview", action="store_true", help="of the preview build")

    clean = _project_command(sub, "clean", _clean, "remove cached outputs that no job of the film uses any more")
    clean.add_argument("--dry-run", action="store_true", help="list what would be removed, and its size")
    clean.add_argument("--variants", metavar="ROWS", help="keep each row's jobs too (the table film build "
                                                          "--variants was given); without it, only this version's")
    forget = _project_command(sub, "forget", _forget, "drop one shot's outputs (its voices, picture and segments), "
                                                      "to make them again", shot=True)
    forget.add_argument("--preview", action="store_true", help="the preview's outputs")

    from .export import EXPORTS, names as export_names

    export = _project_command(sub, "export", _export, "build the film (what is cached is kept) and write it for "
                                                      "other tools: an editor's timeline, a review page, ...")
    export.add_argument("--format", action="extend", nargs="+", metavar="NAME",
                        help="what to write (default otio; repeat for more): " + "; ".join(
                            f"{name}: {EXPORTS[name].what}" for name in export_names(on_build=False)))
    export.add_argument("--preview", action="store_true", help="of the preview build (half size)")
    export.add_argument("--jobs", type=int, default=None, help="jobs run at once (default: one per core)")

    takes = _project_command(sub, "takes", _takes, "render every take of a generated shot and write a contact sheet",
                             shot=True)
    takes.add_argument("--preview", action="store_true", help="at preview size")

    translations = _project_command(sub, "translations", _translations,
                                    "write locales/messages.pot and bring each language's PO file up to date; "
                                    "list what is untranslated or stale")
    translations.add_argument("--fill", nargs="+", metavar="LANG",
                              help="pre-fill these languages' untranslated texts by machine translation "
                                   "(argostranslate, with its language model installed), marked fuzzy for review")

    keys = sub.add_parser("keys", help="make a signing certificate (and a CA of your own) for film build --sign")
    keys.add_argument("folder", nargs="?", default="~/.film/keys", help="where to write them (default ~/.film/keys)")
    keys.add_argument("--name", default="film", help="whose certificate: a person or studio (default film)")
    keys.set_defaults(func=_keys)
    verify = sub.add_parser("verify", help="read and check a film's Content Credentials, and find its invisible watermark")
    verify.add_argument("file", help="an MP4 (film build --sign writes one)")
    verify.add_argument("--trust", action="append", metavar="CA.pem", help="a CA certificate to trust (film keys's)")
    verify.set_defaults(func=_verify)

    transcribe = sub.add_parser("transcribe", help="speech to subtitles (SRT and VTT) with word timing")
    transcribe.add_argument("audio", help="an audio or video file")
    transcribe.add_argument("--out", help="output path without extension (default: beside the audio)")
    transcribe.add_argument("--engine", default="faster-whisper", help="faster-whisper (default) or openai-whisper")
    transcribe.add_argument("--model", help="faster-whisper: a model folder (default: the bundled whisper tiny.en); "
                                            "openai-whisper: a .pt checkpoint")
    transcribe.set_defaults(func=_transcribe)
    return top


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`, a scheduler's stop): stopped as Ctrl-C stops a build, exit 143."""


def _terminate(signum, frame) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `film` command."""
    args = None
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        args = parser().parse_args(argv)
        if getattr(args, "project", None):
            _plain_path(Path(args.project).absolute(), "project")
        if getattr(args, "models", None):
            _use_models_folder(args.models)
        return args.func(args)
    except Failure as error:
        print(error.report(), file=sys.stderr)
        return error.exit_code
    except Terminated:
        print("terminated; nothing half-written is kept", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("interrupted; nothing half-written is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`film plan | head`): stop quietly, as other commands do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:
        # The place renders go cannot hold them (a file where a folder must be, a full or
        # read-only disk): the machine's answer, not a bug in film.
        where = error.filename or getattr(args, "out", None) or ""
        print(f"{where}: cannot use it: {error.strerror or error}", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
