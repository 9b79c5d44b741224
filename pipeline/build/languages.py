"""A film's other languages, built after its own (a film with `languages: [en, es, ...]`).

- `retime` (the default, unless the film has footage or shots a model generates): each
  language is a version of its own (`spec.Version(language=TAG)`): its texts translated, its
  voices, its shots timed to its own speech; a cut in renders/NAME/TAG/ that shares every job
  whose inputs did not change (a picture of the same length with the same words on it).
- `dub`: the picture of the film's own language is kept. Each line of a language is fitted
  into the time its original takes (`audio/dub.py`), the language's mix and subtitles are made
  on the original's timing, and one MP4 (renders/NAME/final.mp4) carries the picture once and
  every language as a tagged audio track and a tagged subtitle track (`tracks_job`); the
  language's subtitles are also beside it, in renders/NAME/TAG/.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from .. import locales, measure
from ..audio import dub
from ..cache import Cache, Job, make_job
from ..edit.render import mux_tracks
from ..errors import StoryboardError, Problem
from ..plan import Plan, make_plan
from ..spec import Storyboard
from .graph import Graph, make_graph, signed_job, with_deps
from .run import BuildResult, execute, to_run

TRACKS_VERSION = "1"


def localize_mode(board: Storyboard) -> str:
    """How the film's other languages are made: as written (`localize:`), else `retime` for a
    film that is drawn, stills and cards, and `dub` for one with footage or generated shots (a
    picture that cannot be made again at another length for free)."""
    if board.project.localize:
        return board.project.localize
    specs = [board.project.generator] + [s.generator for s in board.scenes] + [s.generator for s in board.shots]
    generated = any(spec is not None and spec.name not in ("animatic", "card", "still") for spec in specs)
    return "dub" if generated or any(shot.footage for shot in board.shots) else "retime"


def dubbed(board: Storyboard, plan: Plan, fitting: Fitting, cache: Cache, preview: bool, reporter,
           workers: int | None, pool, force: bool) -> tuple[Plan, Graph, list]:
    """The language `board` speaks, dubbed onto `plan` (the original's): its lines, measured
    and fitted into the room the original lines have (`fitting`, from `check_dubs`), made,
    planned on, and its mix and subtitles made (no picture: the original's is kept). Returns
    its plan, its graph and the results of the jobs that ran (its speech's among them).
    Raises StoryboardError for a timing that moved."""
    fitted, found = fitting
    language = board.version.language
    jobs, collect = dub.fit_jobs(fitted, cache)
    reporter.stage(f"dub {language}", len(jobs), to_run(jobs, cache, force))
    results = list(found.results) + execute(jobs, cache, force=force, workers=workers, reporter=reporter,
                                            executor=pool)
    planned = dub.place(make_plan(board, preview=preview, speech=collect(), footage=found.footage), fitted)
    moved = [shot.id for shot, twin in zip(plan.shots, planned.shots) if shot.frames != twin.frames or shot.id != twin.id]
    if moved or len(plan.shots) != len(planned.shots):
        raise StoryboardError([Problem(str(board.source), 0, f"the '{language}' dub would change the length of shots "
                                                             f"{', '.join(moved) or '(their number)'}: a dub keeps the "
                                                             "picture as it is; make the film 'localize: retime'")])
    graph = make_graph(planned, cache)
    wanted = [job for job in (graph.job("mix"), graph.job("subtitles")) if job is not None]
    needed = with_deps(wanted, graph.jobs)
    reporter.stage(f"sound {language}", len(needed), to_run(needed, cache, force))
    results += execute(needed, cache, force=force, workers=workers, reporter=reporter, executor=pool)
    return planned, graph, results


#: A dubbed language's lines fitted to the original's (`audio.dub.fits`), with what measuring it found.
Fitting = tuple[list[dub.Fit], measure.Measures]


def check_dubs(original: Storyboard, boards: dict[str, Storyboard], cache: Cache, preview: bool, reporter,
               workers: int | None, pool, force: bool) -> dict[str, Fitting]:
    """Make the speech of the film and of each language it is dubbed into (cached jobs), plan
    the film, and fit each language's lines into the room their originals have; returns each
    language's fitting (by tag), for `dubbed`. Raises StoryboardError for every translated line
    that cannot fit (in every language at once), before any picture of the film is made."""
    from . import prepare

    plan, _ = prepare(original, cache, preview=preview, force=force, workers=workers, reporter=reporter,
                      executor=pool)
    problems: list[Problem] = []
    fitting: dict[str, Fitting] = {}
    for tag, board in boards.items():
        found = measure.measure(board, cache, measure.check_media(board, cache=cache), force=force, workers=workers,
                                reporter=reporter, executor=pool)
        fitted, wrong = dub.fits(plan, board, found.speech or {}, tag)
        problems += [replace(p, message=f"{p.message} (in '{tag}')") for p in wrong]
        fitting[tag] = (fitted, found)
    if problems:
        raise StoryboardError(problems)
    return fitting


def tracks_job(plan: Plan, final: Job, own: Graph, languages: list[tuple[str, Graph]], cache: Cache) -> Job:
    """The cut with every language: the picture and the original's sound from `final`, then
    each of `languages`' (tag, graph) mix as a further audio track, and each language's
    subtitles (the original's, `own`'s, first) as a subtitle track, all tagged with their ISO
    639-2 code and titled with the language's own name; the original's tracks are the default."""
    sound = [(tag, graph.job("mix")) for tag, graph in languages]
    subtitles = [(tag, graph.job("subtitles")) for tag, graph in [(plan.language, own), *languages]
                 if graph.job("subtitles") is not None]
    inputs = {"version": TRACKS_VERSION, "final": final.key, "language": plan.language,
              "sound": [[tag, job.key] for tag, job in sound],
              "subtitles": [[tag, job.key] for tag, job in subtitles]}

    def run(out: Path) -> None:
        mux_tracks(final.output, [(tag, job.output) for tag, job in sound],
                   [(tag, job.output / "subtitles.srt") for tag, job in subtitles], out,
                   [(locales.iso639_2(tag), locales.name_of(tag)) for tag in [plan.language, *[t for t, _ in sound]]],
                   [(locales.iso639_2(tag), locales.name_of(tag)) for tag, _ in subtitles], final.inputs.get("xmp", ""))

    deps = (final.id, *[job.id for _, job in sound], *[job.id for _, job in subtitles])
    return make_job(cache, "tracks", "languages", inputs, run, suffix=".mp4", deps=deps)


@contextmanager
def _said_in(tag: str):
    """Problems found while making language `tag` say which language they are in."""
    try:
        yield
    except StoryboardError as error:
        raise StoryboardError([replace(p, message=f"{p.message} (in '{tag}')") for p in error.problems]) from None


def wanted(board: Storyboard, asked: tuple[str, ...] | None) -> tuple[str, ...]:
    """The film's other languages a build makes: all of them, or those `asked` (`--language`;
    the film's own is always made). Raises FilmError for one the film is not translated into."""
    from ..errors import FilmError

    others = board.project.languages[1:]
    if asked is None:
        return others
    known = {tag.lower(): tag for tag in board.project.languages}   # a tag's case says nothing (BCP 47)
    unknown = [tag for tag in asked if tag.lower() not in known]
    if unknown:
        said = ", ".join(board.project.languages) or "none: add 'languages: [its own, others...]'"
        raise FilmError([Problem("--language", 0, f"'{tag}' is not one of the film's languages ({said})")
                         for tag in unknown])
    chosen = {known[tag.lower()] for tag in asked}
    return tuple(tag for tag in others if tag in chosen)


def make_languages(board: Storyboard, boards: dict[str, Storyboard], result: BuildResult, renders: Path,
                   retime, fitting: dict[str, Fitting], cache: Cache, preview: bool, reporter, workers, pool,
                   force: bool, sign: bool) -> dict[str, BuildResult]:
    """Build each of `boards` (language tag → the film in it) after the original (`result`):
    by `retime(board)` (a whole build of that version), or dubbed onto the original (each
    language's lines as `check_dubs` fitted them), whose published cut then becomes the one
    with every language's tracks (signed, with `sign`). Returns each language's result."""
    from . import publish

    made: dict[str, BuildResult] = {}
    if not boards:
        return made
    if localize_mode(board) == "retime":
        for tag, other in boards.items():
            with _said_in(tag):
                made[tag] = retime(other)
        return made
    plan = result.plan
    dubs = []
    for tag, other in boards.items():
        with _said_in(tag):
            planned, graph, results = dubbed(other, plan, fitting[tag], cache, preview, reporter, workers, pool, force)
        folder = renders / plan.name / planned.version / ("preview" if preview else "")
        subtitles = graph.job("subtitles")
        if subtitles is not None:
            for suffix in ("srt", "vtt"):
                publish(subtitles.output / f"subtitles.{suffix}", folder / f"subtitles.{suffix}")
        made[tag] = BuildResult(plan=planned, output=result.output, folder=folder, results=results, graph=graph,
                                cache=cache, reporter=reporter)
        dubs.append((tag, graph))
    # the original's cut, not signed (a dubbed film signs the cut with every language's tracks)
    jobs = [tracks_job(plan, result.graph.final, result.graph, dubs, cache)]
    if sign:
        jobs.append(signed_job(plan, jobs[0], cache))
    reporter.stage("languages", len(jobs), to_run(jobs, cache, force))
    result.results += execute(jobs, cache, force=force, workers=workers, reporter=reporter, executor=pool)
    publish(jobs[-1].output, result.output)
    from .. import export

    for tag, dubbed_result in made.items():
        # its own cut of a retimed build before would mislead: the film's cut has its tracks now
        (dubbed_result.folder / "final.mp4").unlink(missing_ok=True)
        export.write_all(dubbed_result, renders)
    return made


def every_job(board: Storyboard, boards: dict[str, Storyboard], cache: Cache, probes_of) -> list[Job]:
    """Every job the film's other languages (`boards`, by tag) have now, full size and
    preview, for `film clean` to keep: a retimed language's whole build (`clean.every_job`), a
    dub's speech, fitted lines, mix and subtitles, and the cut with every language's tracks.
    Reads only (speech not made is estimated; a dub whose fitted lines are not made yet has
    nothing further to keep). `probes_of(board)` probes a board's media."""
    from ..audio.speech import jobs as speech_jobs
    from . import prepare
    from .clean import every_job as whole_build

    if localize_mode(board) == "retime":
        return [job for other in boards.values() for job in whole_build(other, cache, probes_of(other))]
    jobs: list[Job] = []
    for preview in (False, True):
        plan, _ = prepare(board, cache, preview=preview, synthesise=False, probes=probes_of(board))
        dubs = []
        for tag, other in boards.items():
            found = measure.measure(other, cache, probes_of(other), synthesise=False)
            jobs += speech_jobs(other, cache)[0] if other.project.speech else []
            fitted, _ = dub.fits(plan, other, found.speech or {}, tag)
            fit, collect = dub.fit_jobs(fitted, cache)
            jobs += fit
            try:
                spoken = collect()
            except (OSError, ValueError, KeyError):
                continue
            graph = make_graph(dub.place(make_plan(other, preview=preview, speech=spoken, footage=found.footage),
                                         fitted), cache)
            jobs += with_deps([j for j in (graph.job("mix"), graph.job("subtitles")) if j is not None], graph.jobs)
            dubs.append((tag, graph))
        if dubs and len(dubs) == len(boards):
            own = make_graph(plan, cache)
            jobs.append(tracks := tracks_job(plan, own.final, own, dubs, cache))
            if plan.signing is not None:
                jobs.append(signed_job(plan, tracks, cache))
    return jobs
