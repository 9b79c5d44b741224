"""The build: the stages wired together, from a script to a published cut.

1. parse the project (`parse.load`) and measure its media (`measure.check_media`);
2. measure its speech: synthesise and align every line (`prepare`; cached jobs) — its length
   decides how long shots last;
3. plan the cut (`plan.make_plan`), then `--only` and `--locked` are checked;
4. turn the plan into jobs (`graph.make_graph`) and run what is not cached (`run.execute`);
5. publish the cut and its subtitles, and write the exports (`export`: lock.json, build.json).

Reads and validates everything before writing anything, so a project with mistakes leaves
`renders/` untouched.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .. import export, measure
from ..cache import Cache, atomic, remove_stale_temps
from ..edit import ffmpeg
from ..errors import FilmError, Problem, StoryboardError
from ..parse import load
from ..plan import CardSource, GeneratedSource, Plan, make_plan
from ..plan.cards import CARD
from ..plan.model import unknown_shots
from ..spec import CREDITS_ID, TITLE_ID, Storyboard, Version
from . import executors, languages as spoken_in
from .claim import claim
from .graph import Graph, make_graph, prepare_shots, with_deps
from .run import BuildResult, Failed, JobResult, JobsFailed, QuietReporter, Reporter, execute, to_run

__all__ = ["BuildResult", "Graph", "JobResult", "Reporter", "build", "default_renders", "execute", "make_graph",
           "output_folder", "prepare", "takes"]


def output_folder(renders: Path, plan: Plan) -> Path:
    """Where a build's outputs go: renders/NAME, in its version's folder (`Plan.version`:
    renders/NAME/variants/ROW, renders/NAME/es), and in `preview/` there for previews."""
    base = renders / plan.name / plan.version
    return base / "preview" if plan.preview else base


def prepare(board: Storyboard, cache: Cache, preview: bool = False, force: bool = False, workers: int | None = None,
            reporter: Reporter | None = None, synthesise: bool = True,
            probes: measure.Probes | None = None, executor=None,
            keep_going: bool = False) -> tuple[Plan, list[JobResult]]:
    """Measure the film (`measure.measure`: its footage, its speech synthesised and timed) and
    plan the cut around it; returns the plan and the speech jobs' results.

    With `synthesise=False` nothing is made or written: lines not in the cache are estimated
    from their words (`Plan.estimated`; a shot whose explicit duration may be too short for
    estimated speech is a warning in `Plan.warnings`, and an error only once the speech is
    made). Raises StoryboardError for problems timing reveals."""
    found = measure.measure(board, cache, probes, synthesise=synthesise, force=force, workers=workers,
                            reporter=reporter, executor=executor, keep_going=keep_going)
    return make_plan(board, preview=preview, speech=found.speech, footage=found.footage), list(found.results)


def publish(source: Path, target: Path) -> None:
    """Put a copy of a cached output at its public name, atomically. A copy, not a link: a user
    who edits `final.mp4` in place must not be editing the cache (Linux copies with
    `sendfile`, in the kernel). The copy keeps the cached file's modification time, so a copy
    already there with the same size and time is left as it is (a no-op rebuild copies no
    gigabytes); one edited since has another time and is copied again."""
    made = source.stat()
    try:
        there = target.stat()
        if (there.st_size, there.st_mtime_ns) == (made.st_size, made.st_mtime_ns):
            return
    except OSError:
        pass
    with atomic(target) as temp:
        shutil.copyfile(source, temp)
        os.utime(temp, ns=(made.st_atime_ns, made.st_mtime_ns))


def build(target: Path, renders: Path | None = None, preview: bool = False, only: list[str] | None = None,
          force: bool = False, workers: int | None = None, reporter: Reporter | None = None,
          config: Path | None = None, locked: bool = False,
          warn: Callable[[tuple[Problem, ...]], None] | None = None, keep_going: bool = False,
          allow_missing: bool = False, executor: str = "threads", address: str | None = None,
          exports: tuple[str, ...] = (), sign: bool = False, version: Version = Version(),
          languages: tuple[str, ...] | None = None) -> BuildResult:
    """Build the film at `target` into `renders/NAME/` (default: `default_renders`, in the
    project), waiting while another build of it runs there; returns what was rendered and where
    the cut is.

    `config` names a screenplay's sidecar. `only` builds just those shots (to only.mp4),
    checked before any speech is made. `locked` refuses to render generated shots with anything
    other than what `lock.json` records. `warn` is given the storyboard's warnings as soon as
    it is read, then the plan's. `keep_going` runs every job that does not need one that
    failed before raising JobsFailed listing them; `allow_missing` also puts a slate in the cut
    for each shot that could not be made (`slates`) and finishes it (`BuildResult.missing`).
    `executor` names where jobs run (`executors.EXECUTORS`: threads, processes, ray; `address`
    a Ray cluster's), `workers` how many at once. `exports` names outputs to write besides those
    every build writes (`export.EXPORTS`: otio, review, ...); what they wrote is in
    `BuildResult.exported`. `sign` signs the cut's Content Credentials with the project's
    `signing:` certificate (`export.credentials`). `version` is which version of the film to
    make (`spec.Version`: its values for `vars:`, its language); its outputs go to its folder
    under renders/NAME, and it shares renders/NAME/cache with every other version. A film with
    `languages:` is made in each of them after its own (`build.languages`: `languages` names
    which, None all); each one's result is in `BuildResult.languages`.
    Raises FilmError (exit 1) for input problems, JobError (exit 2) for a job that failed.
    """
    started = time.perf_counter()
    reporter = reporter or QuietReporter()
    renders = default_renders(target) if renders is None else renders
    board = load(target, config, version)
    ffmpeg.require()
    if warn:
        warn(board.warnings)
    if only:
        check_only(board, only)
    others = () if only or version.language else spoken_in.wanted(board, languages)
    boards = in_languages(target, config, version, others)
    if warn:
        for other in boards.values():
            warn(tuple(w for w in other.warnings if w not in board.warnings))
    export.check(exports, only=bool(only))
    sign = signs(board, bool(only), sign)
    film = renders / board.name
    check_output_folder(film, board.root, version.folder)
    cache = Cache(film / "cache")
    probes = measure.check_media(board, cache=cache)
    with contextlib.ExitStack() as stack:
        stack.enter_context(_nothing_left_on_input_error(film))
        stack.enter_context(claim(film, board.source, _waiting(reporter)))
        pool = None if executor == "threads" and not address else executors.named(executor, workers, address)
        if pool is not None:
            stack.callback(pool.shutdown)
        dub = bool(boards) and spoken_in.localize_mode(board) == "dub"
        # a dub's every language's lines made and fitted before any picture is
        fitting = spoken_in.check_dubs(board, boards, cache, preview, reporter, workers, pool, force) if dub else {}
        result = _build(board, film, renders, cache, probes, started, reporter, preview, only, force, workers,
                        locked, warn, keep_going, allow_missing, pool, sign and not dub)

        def retime(other: Storyboard) -> BuildResult:
            return _build(other, film, renders, cache, measure.check_media(other, cache=cache), time.perf_counter(),
                          reporter, preview, None, force, workers, locked, warn, keep_going, allow_missing, pool, sign)

        result.languages = spoken_in.make_languages(board, boards, result, renders, retime, fitting, cache, preview,
                                                    reporter, workers, pool, force, sign)
        if dub:   # the cut is now the one with every language: what the exports say of it follows
            export.write_all(result, renders)
        for name in exports:   # inside the claim: an export may run jobs into the cache
            result.exported += export.get(name)(result, renders)
        return result


def _build(board: Storyboard, film: Path, renders: Path, cache: Cache, probes: measure.Probes, started: float,
           reporter: Reporter, preview: bool, only: list[str] | None, force: bool, workers: int | None,
           locked: bool, warn, keep_going: bool, allow_missing: bool, pool, sign: bool = False) -> BuildResult:
    """`build` from the moment the film's folder is held: steps 2 to 5."""
    from ..export import lock

    remove_stale_temps(film)
    # Only the speech tells whether a shot is long enough for its lines, so an input error can
    # still come once speech is made; the film's first build then leaves no folder behind.
    # Every line is timed before any picture is planned: with --keep-going every voice is
    # tried, and one that failed stops the build here with the list (a shot cannot be timed).
    plan, voiced = prepare(board, cache, preview=preview, force=force, workers=workers, reporter=reporter,
                           probes=probes, executor=pool, keep_going=keep_going or allow_missing)
    if warn:
        warn(plan.warnings)
    if only:
        plan = plan.only(only)
    graph = make_graph(plan, cache, sign=sign)
    locks = lock.entries(plan, cache)
    if locked:
        lock.check(lock.lock_file(renders, plan), locks)
    reporter.stage("pictures and sound", len(graph.jobs), to_run(list(graph.jobs), cache, force))
    try:
        results = voiced + execute(list(graph.jobs), cache, force=force, workers=workers, reporter=reporter,
                                   keep_going=keep_going or allow_missing, executor=pool)
        missing: tuple[Failed, ...] = ()
    except JobsFailed as error:
        slated = slates(plan, graph, error.failed) if allow_missing else None
        if slated is None:
            raise
        # The cut with a slate for each shot that could not be made: every other job is done.
        plan = slated
        graph = make_graph(plan, cache, sign=sign)
        reporter.stage("slates", len(graph.jobs), to_run(list(graph.jobs), cache, False))
        results = voiced + execute(list(graph.jobs), cache, workers=workers, reporter=reporter, executor=pool)
        made = {(r.kind, r.id) for r in results}
        # what failed (its shot a slate now), and what could not be made even with the slates
        missing = tuple(f for f in error.failed if not f.needs or (f.kind, f.id) not in made)
    folder = output_folder(renders, plan)
    output = folder / ("only.mp4" if only else "final.mp4")
    publish(graph.final.output, output)
    subtitles = graph.job("subtitles")
    if not only:
        for suffix in ("srt", "vtt"):
            if subtitles is not None:
                publish(subtitles.output / f"subtitles.{suffix}", folder / f"subtitles.{suffix}")
            else:   # a film without subtitles now: none of a build before it stays beside the cut
                (folder / f"subtitles.{suffix}").unlink(missing_ok=True)
    result = BuildResult(plan=plan, output=output, folder=folder, results=results,
                         seconds=round(time.perf_counter() - started, 3), locks={} if locked else locks,
                         partial=bool(only), missing=missing, graph=graph, cache=cache,
                         reporter=reporter)
    export.write_all(result, renders)
    return result


def slates(plan: Plan, graph: Graph, failed: tuple[Failed, ...]) -> Plan | None:
    """`plan` with a slate card ("shot X failed: reason") in place of each shot whose own job
    or segment failed or could not run; None when another job failed (a music bed, a passage
    of dialogue, the mix, the cut), which no slate can stand in for. A transition's segment
    belongs to the shot it leaves."""
    own = {job_id: shot_id for shot_id, ids in graph.by_shot.items() for job_id in ids}
    broken = {f.id: f for f in failed}
    if any(f.id not in own for f in failed if not f.needs):
        return None
    said = {own[i]: (f"shot {own[i]} failed:\n{f.reason}" if not f.needs else
                     f"shot {own[i]} not made:\n{f.reason}") for i, f in broken.items() if i in own}
    # The slate keeps its shot's kind: the panels of the scene around it are drawn as before.
    shots = tuple(replace(shot, generator=CARD, camera="static",
                          source=CardSource(text=_cut(said[shot.id], SLATE_CHARACTERS)))
                  if shot.id in said else shot for shot in plan.shots)
    return replace(plan, shots=shots)


SLATE_CHARACTERS = 300   # of the reason a slate shows (the whole of it is in the summary and error.log)


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _waiting(reporter: Reporter | None) -> Callable[[str], None]:
    """The reporter's `waiting`, or nothing for a reporter written before it had one."""
    return getattr(reporter, "waiting", None) or (lambda why: None)


def default_renders(target: Path) -> Path:
    """Where renders go when no `--out` is given: `renders/` in the project's folder (the folder
    named, or the one holding the script named), whatever folder the command is run from."""
    target = Path(target).absolute()
    return (target if target.is_dir() else target.parent) / "renders"


def check_output_folder(folder: Path, project: Path | None = None, version: str = "") -> None:
    """Raise a FilmError if renders/NAME, or a folder in it that builds write into (its cache
    and the cache's folders, the preview, the takes), is a symbolic link: a shared project that
    ships one would have the build write wherever it points. So is a folder above it that lies
    in the `project` folder (a `renders` link shipped with the project, built from inside it)."""
    places = [folder, folder / "preview", folder / "takes", folder / "cache", folder / "variants"]
    if version:   # its folder and each above it, up to the film's
        parts = Path(version).parts
        places += [folder.joinpath(*parts[:n]) for n in range(1, len(parts) + 1)]
        places.append(folder.joinpath(*parts) / "preview")
    if project is not None:
        root = project.resolve()
        places += [p for p in Path(folder).absolute().parents if p.is_relative_to(root) and p != root]
    if (folder / "cache").is_dir() and not (folder / "cache").is_symlink():
        places += sorted((folder / "cache").iterdir())
    for place in places:
        if place.is_symlink():
            raise FilmError([Problem(str(place), 0, f"is a link to {os.readlink(place)}; builds write only into "
                                                    "plain folders: remove the link")])


def signs(board: Storyboard, only: bool, asked: bool) -> bool:
    """Whether the cut is signed: whenever the project names its `signing:` certificate (so a
    build that only exports, or forgets `--sign`, never replaces a signed cut with an unsigned
    one), except a build of only some shots. Raises a FilmError, before anything is made, when
    `asked` (`--sign`) cannot be done (no `signing:`, `--only`), or the C2PA SDK is missing."""
    from ..export.credentials import sdk_version

    if asked and only:
        raise FilmError([Problem("--sign", 0, "signs the whole film's cut: build it without --only")])
    if asked and board.project.signing is None:
        raise FilmError([Problem(str(board.source), 0, "--sign needs 'signing: {cert: CHAIN.pem, key: KEY.pem}' in "
                                                       "the project (film keys makes a pair)")])
    if board.project.signing is None or only:
        return False
    sdk_version(board.project.signing.loc)
    return True


def in_languages(target: Path, config: Path | None, version: Version,
                  tags: tuple[str, ...]) -> dict[str, Storyboard]:
    """The film read in each of `tags` (`Version.language`), every problem of every language
    raised at once (a missing PO file, a voice that cannot load)."""
    boards, problems = {}, []
    for tag in tags:
        try:
            boards[tag] = load(target, config, replace(version, language=tag))
        except FilmError as error:
            problems += [p for p in error.problems if p not in problems]
    if problems:
        raise FilmError(problems)
    return boards


def check_versions(target: Path, versions: tuple[Version, ...], config: Path | None = None) -> None:
    """Read the project as each of `versions` (nothing made); raise a FilmError listing every
    problem of every version at once: one of the script's own (every version has it) or of the
    table's own cells or header is said once, as it is; one that only some versions' values
    cause is said for each of them, naming its row."""
    found: list[tuple[Version, Problem]] = []
    for version in versions:
        try:
            load(target, config, version)
        except FilmError as error:
            found += [(version, p) for p in error.problems]
    times: dict[tuple, int] = {}
    for _, p in found:
        times[(p.subject, p.line, p.message)] = times.get((p.subject, p.line, p.message), 0) + 1
    problems: dict[tuple, Problem] = {}
    for version, p in found:
        key = (p.subject, p.line, p.message)
        if times[key] == len(versions) or p.subject in (version.origin, version.header):
            problems.setdefault(key, p)   # the script's own, or the table's own cell or header
        else:   # what only some rows' values cause: said for each of them
            problems.setdefault(key + (version.name,), replace(
                p, message=f"{p.message} (variant {version.name}, {version.origin})"))
    if problems:
        raise FilmError(list(problems.values()))


def check_only(board: Storyboard, ids: list[str]) -> None:
    """Raise a FilmError naming each of `ids` that is not a shot of `board` (before any speech
    is made: a mistyped `--only` costs nothing). The title and credits cards count as shots."""
    problems = unknown_shots(board.source, ids, [TITLE_ID] + [s.id for s in board.shots] + [CREDITS_ID])
    if problems:
        raise StoryboardError(problems)


@contextmanager
def _nothing_left_on_input_error(folder: Path) -> Iterator[None]:
    """On a FilmError (exit 1) inside, remove `folder` if it did not exist before: a first build
    of a film with mistakes writes nothing, though its speech had to be made to find them (nor
    a film whose folder another project holds)."""
    existed = folder.exists()
    renders_existed = folder.parent.exists()
    try:
        yield
    except FilmError:
        if not existed:
            shutil.rmtree(folder, ignore_errors=True)
        if not renders_existed:   # the renders folder too, when this build made it
            with contextlib.suppress(OSError):
                folder.parent.rmdir()
        raise


def takes(target: Path, shot_id: str, renders: Path | None = None, preview: bool = False,
          config: Path | None = None, reporter: Reporter | None = None) -> tuple[Path, int]:
    """Render every take of one generated shot (and what it needs) and write
    renders/NAME/takes/SHOT.png, one row per take; returns the sheet and how many takes.
    Raises FilmError for an unknown shot or one that has no takes."""
    renders = default_renders(target) if renders is None else renders
    board = load(target, config)
    ffmpeg.require()
    check_output_folder(renders / board.name, board.root)
    cache = Cache(renders / board.name / "cache")
    probes = measure.check_media(board, cache=cache)
    with _nothing_left_on_input_error(renders / board.name), \
            claim(renders / board.name, board.source, _waiting(reporter)):
        return _takes(board, shot_id, renders, cache, probes, preview)


def _takes(board: Storyboard, shot_id: str, renders: Path, cache: Cache, probes: measure.Probes,
           preview: bool) -> tuple[Path, int]:
    from ..export.contact import contact_sheet, take_frames

    # Which shot, and whether it has takes, known before any speech is made (estimated: free).
    sketch, _ = prepare(board, cache, preview=preview, synthesise=False, probes=probes)
    problems = unknown_shots(board.source, [shot_id], [s.id for s in sketch.shots])
    if problems:
        raise StoryboardError(problems)
    shot = next(s for s in sketch.shots if s.id == shot_id)
    if not isinstance(shot.source, GeneratedSource):
        raise FilmError([Problem(str(board.source), shot.loc.line,
                                 f"shot '{shot_id}' is drawn by '{shot.generator.name}', not generated, so it "
                                 "has no takes")])
    plan, _ = prepare(board, cache, preview=preview, probes=probes)
    ctx = prepare_shots(plan, cache)
    wanted = ctx.prepared[shot_id].takes
    # The takes and every job they depend on (a continued shot needs the shot before it).
    everything = [j for p in ctx.prepared.values() for j in ([p.job] if p.job else []) + [t.job for t in p.takes]]
    execute(with_deps([t.job for t in wanted], everything), cache)
    rows = [(take.label, take_frames(take.media)) for take in wanted]
    sheet = renders / board.name / "takes" / f"{shot_id}.png"
    contact_sheet(rows, sheet)
    return sheet, len(rows)
