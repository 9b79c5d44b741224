"""The build: turn a plan into jobs, run what is not cached, and publish the outputs.

Speech comes first (`prepare`): its length decides how long shots last, so the film's lines
are synthesised and aligned before the cut is planned. Then jobs form a graph (shots →
segments → final; music, speech, effects → mix → final; subtitles). Each job's
output is stored under its content key, so a job is cached exactly when its output exists. Jobs
are mostly ffmpeg processes, so a thread pool (default: one worker per core) runs independent
ones side by side; ffmpeg itself uses the cores within each job.
"""

from __future__ import annotations

import glob
import json
import os
from contextlib import contextmanager
import shutil
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from . import __version__
from . import generators as generator_registry
from .audio import speech
from .audio.mix import MIX_VERSION, Bed, Effect, Line, mix
from .audio.footage_sound import ambience_on_cut, footage_sounds
from .cache import Cache, Job, atomic, key_fields, make_job, remove_stale_temps, why, write_text
from .edit.ffmpeg import FFmpegError
from .edit.render import ENCODER_VERSION, concat, render_segment
from .edit.timeline import Clip, Join, Segment, Timeline
from .edit.transitions import split
from .errors import FilmError, JobError, Problem
from .generators.base import Context, source_identity
from .plan import Plan, make_plan
from .parse import load
from . import measure
from .spec import Storyboard
from . import subtitles as subs


@dataclass
class JobResult:
    kind: str
    id: str
    key: str
    status: str          # "cached" or "rendered"
    seconds: float
    output: str
    reason: str = ""


@dataclass
class BuildResult:
    plan: Plan
    output: Path
    folder: Path
    results: list[JobResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rendered(self) -> int:
        return sum(r.status == "rendered" for r in self.results)

    @property
    def cached(self) -> int:
        return sum(r.status == "cached" for r in self.results)


Progress = Callable[[int, int, JobResult], None]
Stage = Callable[[str, int, int], None]   # (stage name, jobs in it, jobs to run), before it runs


def output_folder(renders: Path, plan: Plan) -> Path:
    """Where a build's outputs go: renders/NAME, or renders/NAME/preview for previews."""
    base = renders / plan.board.name
    return base / "preview" if plan.preview else base


def prepare_shots(plan: Plan, cache: Cache) -> Context:
    """Each shot prepared by its generator, in story order (a shot that continues another sees
    what was prepared for it), in the returned context's `prepared`."""
    ctx = Context(cache=cache, fmt=plan.fmt, root=plan.board.root, project_seed=plan.board.project.seed,
                  subtitles=plan.subtitles, shots=plan.shots)
    for shot in plan.shots:
        ctx.prepared[shot.id] = generator_registry.get(shot.generator.name).prepare(shot, ctx)
    return ctx


def plan_jobs(plan: Plan, cache: Cache) -> tuple[list[Job], Job]:
    """Every job of a build, in an order where dependencies come first, and the final job."""
    fmt = plan.fmt
    ctx = prepare_shots(plan, cache)
    jobs: list[Job] = []
    clips: list[Clip] = []
    shot_job: dict[str, str] = {}
    for shot in plan.shots:
        prepared = ctx.prepared[shot.id]
        jobs += prepared.extra_jobs
        if prepared.job is not None:
            jobs.append(prepared.job)
            shot_job[shot.id] = prepared.job.id
        clips.append(Clip(shot.id, prepared.source, shot.frames, shot.head, shot.tail))
    joins = tuple(Join(s.transition, s.transition_frames) for s in plan.shots[:-1])
    timeline = Timeline(fmt, tuple(clips), joins)
    cues = subs.cues_for(plan) if plan.subtitles != "off" else []
    burn = plan.subtitles == "burn"

    segment_jobs = []
    for segment in timeline.segments():
        segment_jobs.append(_segment_job(segment, fmt, cache, shot_job, cues if burn else []))
    jobs += segment_jobs

    total_seconds = float(timeline.total / fmt.fps)
    beds, music_deps = [], []
    for n, cue in enumerate(plan.music):
        start = min(cue.start, total_seconds)
        length = max(min(cue.end or total_seconds, total_seconds) - start, 0.0)
        if length <= 0:
            continue
        if cue.generate:
            music = _ambient_job(cache, n, length, plan.board.project.seed)
            jobs.append(music)
            music_deps.append(music.id)
            path, identity = music.output, music.key
        else:
            path = Path(cue.file)
            identity = cache.digest(path)
        beds.append((Bed(path, start, length, cue.gain, cue.fade_in, cue.fade_out, cue.loop), identity))
    starts = timeline.starts()
    lines = []
    for shot, start in zip(plan.shots, starts):
        for line in shot.speech:
            begin = start + line.start
            length = min(line.frames, shot.frames - line.start)   # `fit: trim` cuts speech at the cut
            if length > 0:
                lines.append(Line(line.path, float(begin / fmt.fps), float(length / fmt.fps), line.offset))
    effects = effects_on_cut(plan, starts)
    production = footage_sounds(plan, starts)
    rooms = ambience_on_cut(plan, starts)
    settings = plan.board.project.mix
    # Every field of every bed, line, effect and footage sound, with each file known by its content.
    mix_inputs = {"version": MIX_VERSION, "seconds": total_seconds, "settings": settings,
                  "beds": [key_fields(b, path=ident) for b, ident in beds],
                  "lines": [key_fields(line, path=cache.digest(line.path)) for line in lines],
                  "effects": [key_fields(e, path=cache.digest(e.path)) for e in effects],
                  "footage": [key_fields(f, path=cache.digest(f.path)) for f in production],
                  "rooms": [key_fields(r) for r in rooms]}
    mix_job = make_job(cache, "mix", "soundtrack", mix_inputs,
                       lambda out: mix([b for b, _ in beds], lines, total_seconds, out, settings, effects,
                                       production, rooms),
                       suffix=".m4a", deps=tuple(music_deps))
    jobs.append(mix_job)

    if cues:
        fps = fmt.fps

        def write_subtitles(out: Path) -> None:
            out.mkdir(parents=True)
            subs.write_srt(cues, fps, out / "subtitles.srt")
            subs.write_vtt(cues, fps, out / "subtitles.vtt")

        jobs.append(make_job(cache, "subtitles", "subtitles", {"cues": cues, "fps": fps}, write_subtitles))

    outputs = [job.output for job in segment_jobs]
    marks = chapters(plan)

    def assemble(out: Path) -> None:
        concat(outputs, mix_job.output, out, out.with_suffix(".txt"), marks)
        out.with_suffix(".txt").unlink()

    final = make_job(cache, "final", "final", {"segments": [j.key for j in segment_jobs], "mix": mix_job.key,
                                               "fps": fmt.fps, "chapters": marks, "version": __version__},
                     assemble, suffix=".mp4", deps=tuple(j.id for j in segment_jobs) + (mix_job.id,))
    jobs.append(final)
    return jobs, final


def chapters(plan: Plan) -> list[tuple[int, int, str]]:
    """(start ms, end ms, title) of each chapter (a scene's `chapter`, from a screenplay's
    sections): from the first shot of its scene to the next chapter, or the end of the film."""
    opened: list[tuple[int, str]] = []
    previous_scene = 0
    for shot, start in zip(plan.shots, plan.starts()):
        if shot.scene and shot.scene != previous_scene:
            title = plan.board.scenes[shot.scene - 1].metadata.get("chapter")
            if title:
                opened.append((start, str(title)))
        previous_scene = shot.scene
    ms = [round(start * 1000 / plan.fmt.fps) for start, _ in opened] + [round(plan.total * 1000 / plan.fmt.fps)]
    return [(ms[i], ms[i + 1], title) for i, (_, title) in enumerate(opened)]


def effects_on_cut(plan: Plan, starts: list[int]) -> list[Effect]:
    """Each shot's sound effects placed on the cut. An effect lasts until its shot's picture is
    gone: it fades out across a dissolve (or other transition) out of the shot, as the picture
    does, and stops at a hard cut; one that starts during the transition in fades in with it."""
    fps = plan.fmt.fps
    effects = []
    for i, (shot, cut_in) in enumerate(zip(plan.shots, starts)):
        after_in = split(plan.shots[i - 1].transition_frames)[1] if i else 0
        before_out, after_out = split(shot.transition_frames)
        cut_out = cut_in + shot.frames
        for path, at, gain in shot.sfx:
            start = cut_in + at
            end = cut_out + after_out
            if start >= end:
                continue
            fade_in = max(cut_in + after_in - start, 0) if after_in else 0
            fade_out_at = max(cut_out - before_out - start, 0)
            effects.append(Effect(path, float(start / fps), float((end - start) / fps), gain, float(fade_in / fps),
                                  float(fade_out_at / fps), float((end - start - fade_out_at) / fps) if shot.transition_frames else 0.0))
    return effects


def _segment_job(segment: Segment, fmt, cache: Cache, shot_job: dict[str, str], cues: list) -> Job:
    burn = [c for c in cues if c.end > segment.start and c.start < segment.start + segment.frames]
    inputs = {
        "encoder": ENCODER_VERSION, "width": fmt.width, "height": fmt.height, "fps": fmt.fps,
        "frames": segment.frames, "transition": segment.transition,
        "parts": [{"source": source_identity(p.clip.source), "start": p.start} for p in segment.parts],
        "burn": [[c.start - segment.start, c.end - segment.start, c.text, c.align, c.margin] for c in burn],
        "burn_style": subs.ASS_STYLE_VERSION if burn else "",
    }

    def run(out: Path) -> None:
        ass = None
        if burn:
            ass = out.with_suffix(".ass")
            subs.write_ass(burn, fmt.fps, ass, fmt.width, fmt.height, offset=segment.start)
        try:
            render_segment(segment, fmt, out, ass)
        finally:
            if ass is not None:
                ass.unlink(missing_ok=True)

    deps = tuple(dict.fromkeys(shot_job[p.clip.id] for p in segment.parts if p.clip.id in shot_job))
    return make_job(cache, "segment", segment.id, inputs, run, suffix=".mp4", deps=deps)


def prepare(board: Storyboard, cache: Cache, preview: bool = False, force: bool = False, workers: int | None = None,
            progress: Progress | None = None, synthesise: bool = True,
            stage: Stage | None = None) -> tuple[Plan, list[JobResult]]:
    """Synthesise the film's speech (cached) and plan the cut around its timing.

    With `synthesise=False` nothing is made or written: speech already in the cache is used
    as it is and the rest is estimated from its words (`Plan.estimated`; a shot whose explicit
    duration may be too short for estimated speech is a warning in `Plan.warnings`, and an
    error only once the speech is made). Raises StoryboardError for problems timing reveals."""
    if not board.project.speech:
        return make_plan(board, preview=preview), []
    if not synthesise:
        return make_plan(board, preview=preview, speech=speech.spoken_without_synthesis(board, cache)), []
    jobs, collect = speech.jobs(board, cache)
    if stage:
        stage("speech", len(jobs), _to_run(jobs, force))
    results = execute(jobs, cache, force=force, workers=workers, progress=progress)
    return make_plan(board, preview=preview, speech=collect()), results


def _to_run(jobs: list[Job], force: bool) -> int:
    """How many of `jobs` will run: all when forced, else those whose output is not cached."""
    return len(jobs) if force else sum(not job.output.exists() for job in jobs)


def _ambient_job(cache: Cache, n: int, seconds: float, seed: int) -> Job:
    from .audio import ambient

    def run(out: Path) -> None:
        ambient.write_wav(out, ambient.ambient_pad(seconds, seed=seed))

    return make_job(cache, "music", f"ambient-{n + 1}", {"generator": "ambient", "version": "1",
                                                          "seconds": round(seconds, 4), "seed": seed},
                    run, suffix=".wav")


def execute(jobs: list[Job], cache: Cache, force: bool = False, workers: int | None = None,
            progress: Progress | None = None) -> list[JobResult]:
    """Run every job whose output is missing (or all with `force`), dependencies first."""
    by_id = {job.id: job for job in jobs}
    results: dict[str, JobResult] = {}
    pending = list(jobs)
    running: dict[Future, Job] = {}
    failure: BaseException | None = None

    def run_one(job: Job) -> JobResult:
        started = time.perf_counter()
        reason = "forced" if force else why(cache.previous(job.id), job.key, job.inputs)
        temp = None
        try:
            with atomic(job.output) as temp:
                job.run(temp)
        except BaseException as error:
            if temp is not None:   # what the job wrote beside its output (a concat list, subtitles)
                for leftover in temp.parent.glob(glob.escape(temp.stem) + ".*"):
                    shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
            # A user error or a job error already says what is wrong; KeyboardInterrupt and
            # SystemExit are not faults of the job. Anything else is this job's failure.
            if isinstance(error, (FilmError, JobError)) or not isinstance(error, Exception):
                raise
            raise job_error(job, error) from None
        return JobResult(job.kind, job.id, job.key, "rendered", round(time.perf_counter() - started, 3),
                         str(job.output), reason)

    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
        while pending or running:
            if failure is None:
                for job in list(pending):
                    if any(dep in by_id and dep not in results for dep in job.deps):
                        continue
                    pending.remove(job)
                    if not force and job.output.exists():
                        results[job.id] = JobResult(job.kind, job.id, job.key, "cached", 0.0, str(job.output))
                        cache.remember(job.id, job.key, job.inputs)
                        if progress:
                            progress(len(results), len(jobs), results[job.id])
                        continue
                    running[pool.submit(run_one, job)] = job
            else:
                pending.clear()
            if not running:
                if pending and failure is None:
                    continue
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                try:
                    results[job.id] = future.result()
                except BaseException as error:  # noqa: BLE001 - re-raised after running jobs finish
                    failure = failure or error
                    continue
                cache.remember(job.id, job.key, job.inputs)
                if progress:
                    progress(len(results), len(jobs), results[job.id])
    cache.save()
    if isinstance(failure, JobError) and failure.details:
        log = cache.root.parent / ERROR_LOG
        write_text(log, failure.details)
        raise JobError(failure.job, failure.reason, log=log) from None
    if failure is not None:
        raise failure
    return [results[job.id] for job in jobs]


ERROR_LOG = "error.log"


def job_error(job: Job, error: Exception) -> JobError:
    """`error`, raised inside `job`, as a JobError: the job's kind and id, the exception's type
    and message (ffmpeg's own message as it is), and its traceback kept as `details`."""
    if isinstance(error, FFmpegError):
        reason = str(error)
    else:
        message = str(error).strip()
        if len(message) > 300:
            message = message[:299] + "…"
        reason = f"{type(error).__name__}: {message}" if message else type(error).__name__
    details = f"job {job.kind} {job.id} failed\n" + "".join(traceback.format_exception(error))
    return JobError(f"{job.kind} {job.id}", reason, details)


def publish(source: Path, target: Path) -> None:
    """Put a cached output at its public name atomically (a hard link where possible)."""
    with atomic(target) as temp:
        try:
            os.link(source, temp)
        except OSError:
            shutil.copyfile(source, temp)


def build(target: Path, renders: Path = Path("renders"), preview: bool = False, only: list[str] | None = None,
          force: bool = False, workers: int | None = None, progress: Progress | None = None,
          config: Path | None = None, locked: bool = False, stage: Stage | None = None,
          warn: Callable[[tuple[Problem, ...]], None] | None = None) -> BuildResult:
    """Build the film at `target`; returns what was rendered and where the cut is.

    Reads and validates everything before writing anything, so a storyboard with mistakes
    leaves `renders/` untouched. `config` names a screenplay's sidecar. `locked` refuses to
    render generated shots with anything other than what `lock.json` records. `warn` is given
    the storyboard's warnings as soon as it is read, then the plan's.
    """
    started = time.perf_counter()
    board = load(target, config)
    if warn:
        warn(board.warnings)
    cache = Cache(renders / board.name / "cache")
    measure.check_media(board, cache=cache)
    remove_stale_temps(renders / board.name)
    with _nothing_left_on_input_error(renders / board.name):
        # Only the speech tells whether a shot is long enough for its lines, so an input error can
        # still come once speech is made; the film's first build then leaves no folder behind.
        plan, voiced = prepare(board, cache, preview=preview, force=force, workers=workers, progress=progress,
                               stage=stage)
        if warn:
            warn(plan.warnings)
        if only:
            plan = plan.only(only)
        folder = output_folder(renders, plan)
        jobs, final = plan_jobs(plan, cache)
        lock_file = renders / board.name / LOCK
        entries = lock_entries(plan, cache)
        if locked:
            check_lock(lock_file, entries)
    if stage:
        stage("pictures and sound", len(jobs), _to_run(jobs, force))
    results = voiced + execute(jobs, cache, force=force, workers=workers, progress=progress)
    if entries and not locked:
        previous = _read_lock(lock_file) if only else {}
        write_text(lock_file, json.dumps({**previous, **entries}, indent=2, sort_keys=True))
    name = "only.mp4" if only else "final.mp4"
    output = folder / name
    publish(final.output, output)
    subtitle_job = next((j for j in jobs if j.kind == "subtitles"), None)
    if subtitle_job is not None and not only:
        for suffix in ("srt", "vtt"):
            publish(subtitle_job.output / f"subtitles.{suffix}", folder / f"subtitles.{suffix}")
    result = BuildResult(plan=plan, output=output, folder=folder, results=results,
                         seconds=round(time.perf_counter() - started, 3))
    if not only:
        write_report(result)
    return result


LOCK = "lock.json"


@contextmanager
def _nothing_left_on_input_error(folder: Path) -> Iterator[None]:
    """On a FilmError (exit 1) inside, remove `folder` if it did not exist before: a first build
    of a film with mistakes writes nothing, though its speech had to be made to find them."""
    existed = folder.exists()
    try:
        yield
    except FilmError:
        if not existed:
            shutil.rmtree(folder, ignore_errors=True)
        raise


def takes(target: Path, shot_id: str, renders: Path = Path("renders"), preview: bool = False,
          config: Path | None = None) -> tuple[Path, int]:
    """Render every take of one generated shot (and what it needs) and write
    renders/NAME/takes/SHOT.png, one row per take; returns the sheet and how many takes."""
    from .errors import did_you_mean
    from .export.contact import contact_sheet, take_frames

    board = load(target, config)
    cache = Cache(renders / board.name / "cache")
    measure.check_media(board, cache=cache)
    plan, _ = prepare(board, cache, preview=preview)
    known = [s.id for s in plan.shots]
    if shot_id not in known:
        raise FilmError([Problem(str(board.source), 0, f"no shot '{shot_id}'{did_you_mean(shot_id, known)}")])
    shot = next(s for s in plan.shots if s.id == shot_id)
    ctx = prepare_shots(plan, cache)
    wanted = ctx.prepared[shot_id].takes
    if not wanted:
        raise FilmError([Problem(str(board.source), shot.loc.line,
                                 f"shot '{shot_id}' is drawn by '{shot.generator.name}', not generated, so it "
                                 "has no takes")])
    # The takes and every job they depend on (a continued shot needs the shot before it).
    everything = {j.id: j for p in ctx.prepared.values() for j in ([p.job] if p.job else []) + list(p.extra_jobs)}
    needed, queue = {}, list(wanted)
    while queue:
        job = queue.pop()
        if job.id not in needed:
            needed[job.id] = job
            queue += [everything[d] for d in job.deps if d in everything]
    execute(list(needed.values()), cache)
    rows = [(f"take {n} (seed {job.inputs['request']['seed']})", take_frames(job.output))
            for n, job in enumerate(wanted, 1)]
    sheet = renders / board.name / "takes" / f"{shot_id}.png"
    contact_sheet(rows, sheet)
    return sheet, len(rows)


def lock_entries(plan: Plan, cache: Cache) -> dict[str, dict]:
    """Per generated shot: the model, its resolved revision, library versions, dtype, device and
    seed it renders with (from generators that lock, e.g. diffusers)."""
    ctx = Context(cache=cache, fmt=plan.fmt, root=plan.board.root, project_seed=plan.board.project.seed)
    entries = {}
    for shot in plan.shots:
        generator = generator_registry.get(shot.generator.name)
        if hasattr(generator, "lock_entry"):
            entries[shot.id] = generator.lock_entry(shot, ctx)
    return entries


def _read_lock(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def check_lock(path: Path, entries: dict[str, dict]) -> None:
    """Raise a FilmError naming every generated shot whose model, revision, versions, dtype,
    device or seed differ from `lock.json`."""
    if not path.is_file():
        raise FilmError([Problem(str(path), 0, "no lock file: build once without --locked to write it")])
    locked = _read_lock(path)
    problems = []
    for shot, entry in entries.items():
        if shot not in locked:
            problems.append(Problem(str(path), 0, f"shot '{shot}' is not in the lock file"))
            continue
        for key in sorted(set(entry) | set(locked[shot])):
            if entry.get(key) != locked[shot].get(key):
                problems.append(Problem(str(path), 0, f"shot '{shot}': {key} is {entry.get(key)!r}, "
                                                      f"locked as {locked[shot].get(key)!r}"))
    if problems:
        raise FilmError(problems)


def write_report(result: BuildResult) -> None:
    """renders/NAME/build.json: the cut, and every job with its key, status and time."""
    plan = result.plan
    report = {
        "project": plan.board.name,
        "source": str(plan.board.source),
        "output": str(result.output),
        "frames": plan.total,
        "fps": f"{plan.fmt.fps.numerator}/{plan.fmt.fps.denominator}",
        "duration": round(plan.seconds(plan.total), 3),
        "size": f"{plan.fmt.width}x{plan.fmt.height}",
        "seconds": result.seconds,
        "rendered": result.rendered,
        "cached": result.cached,
        "shots": [{"id": s.id, "start": start, "frames": s.frames, "seed": s.seed, "prompt": s.prompt}
                  for s, start in zip(plan.shots, plan.starts())],
        "jobs": [vars(r) for r in result.results],
    }
    write_text(result.folder / "build.json", json.dumps(report, indent=2))
