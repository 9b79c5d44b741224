"""The job graph: a plan turned into jobs, each with a content key, and which jobs make each shot.

Shots → segments → final; music, speech, effects → mix → final; subtitles beside. Each job's
output is stored under its content key, so a job is cached exactly when its output exists.
`Graph.by_shot` says which jobs make what a shot shows (its own, its body segment, the
transition out of it), for `film plan` and `film status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import __version__
from .. import generators as generator_registry
from .. import subtitles as subs
from ..audio.footage_sound import ambience_on_cut, footage_sounds
from ..audio.mix import (MIX_PARTS, MIX_VERSION, PASSAGE_VERSION, Effect, Passage, PlacedLine, mix, mix_passage,
                         passage_span, passages, parts_record)
from ..cache import Cache, Job, content_key, key_fields, make_job
from ..edit.marks import INVISIBLE, VISIBLE, Marks
from ..edit.render import ENCODER_VERSION, concat, render_segment, xmp_packet
from ..edit.timeline import Clip, Join, Segment, Timeline
from ..frames import Format, to_seconds
from ..generators.base import Context, source_identity
from ..plan import Bed, CardSource, Plan
from ..spec import resolve_asset
from .. import camera, locales, transitions
from ..transitions import split


@dataclass(frozen=True)
class Graph:
    """Every job of a build in an order where dependencies come first, the `final` job (the
    cut: the signed one when it is signed), for each shot id the ids of the jobs that make it
    (`by_shot`), and the timeline they render (each shot's source, for exports that encode
    shots apart)."""

    jobs: tuple[Job, ...]
    final: Job
    by_shot: dict[str, tuple[str, ...]] = field(default_factory=dict)
    timeline: Timeline | None = None

    def job(self, kind: str) -> Job | None:
        """The first job of `kind` ("mix", "subtitles", …), or None."""
        return next((j for j in self.jobs if j.kind == kind), None)


def with_deps(wanted: list[Job], jobs) -> list[Job]:
    """`wanted` and every one of `jobs` they need, directly or not, dependencies first."""
    by_id = {job.id: job for job in jobs}
    needed: dict[str, Job] = {}

    def visit(job: Job) -> None:
        if job.id in needed:
            return
        for dep in job.deps:
            if dep in by_id:
                visit(by_id[dep])
        needed[job.id] = job

    for job in wanted:
        visit(job)
    return list(needed.values())


def prepare_shots(plan: Plan, cache: Cache) -> Context:
    """Each shot prepared by its generator, in story order (a shot that continues another sees
    what was prepared for it), in the returned context's `prepared`."""
    ctx = Context(cache=cache, fmt=plan.fmt, root=plan.root, project_seed=plan.seed,
                  subtitles=plan.subtitles, shots=plan.shots)
    for shot in plan.shots:
        ctx.prepared[shot.id] = generator_registry.get(shot.generator.name).prepare(shot, ctx)
    return ctx


def make_graph(plan: Plan, cache: Cache, sign: bool = False) -> Graph:
    """The jobs that build `plan`'s cut, with content keys from `cache`; with `sign`, the cut
    is the signed one (`signed_job`: `plan.signing` must be given)."""
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
    timeline = Timeline(fmt, tuple(clips), tuple(Join(s.transition, s.transition_frames) for s in plan.shots[:-1]))
    cues = subs.cues_for(plan) if plan.subtitles != "off" else []

    by_shot: dict[str, list[str]] = {shot.id: [shot_job[shot.id]] if shot.id in shot_job else [] for shot in plan.shots}
    marks = mark_job(plan, cache) if plan.watermark else None
    if marks is not None:
        jobs.append(marks)
    segment_jobs = []
    for segment in timeline.segments():
        job = segment_job(segment, fmt, cache, shot_job, cues if plan.subtitles == "burn" else [], marks=marks)
        segment_jobs.append(job)
        by_shot[segment.parts[0].clip.id].append(job.id)   # a body, or the transition out of the shot
    jobs += segment_jobs

    mix_job, music_jobs = soundtrack_jobs(plan, timeline, cache)
    jobs += music_jobs + [mix_job]
    if cues:
        jobs.append(subtitles_job(cues, fmt, cache, rtl=bool(plan.language) and locales.right_to_left(plan.language)))
    jobs.append(final := final_job(plan, segment_jobs, mix_job, cache))
    if sign:
        jobs.append(final := signed_job(plan, final, cache))
    return Graph(tuple(jobs), final, {k: tuple(v) for k, v in by_shot.items()}, timeline)


def soundtrack_jobs(plan: Plan, timeline: Timeline, cache: Cache) -> tuple[Job, list[Job]]:
    """The mix job, and the jobs it needs: its generated music beds and its dialogue passages."""
    fmt = plan.fmt
    total_seconds = to_seconds(timeline.total, fmt.fps)
    beds: list[tuple[Bed, str]] = []   # each bed with what identifies its sound
    music_jobs = []
    for n, bed in enumerate(plan.music):
        if bed.generate:
            music = ambient_job(cache, n, plan.seed)
            music_jobs.append(music)
            # one loop of the pad, looped to the bed's length: the same file whatever the film's length
            beds.append((Bed(music.output, bed.start, bed.seconds, bed.gain, bed.fade_in, bed.fade_out, True,
                             bed.generate), music.key))
        else:
            beds.append((bed, cache.digest(bed.file)))
    starts = timeline.starts()
    lines = []
    for shot, start in zip(plan.shots, starts):
        for line in shot.speech:
            length = shot.heard(line)
            if length > 0:
                lines.append(PlacedLine(line.path, to_seconds(start + line.start, fmt.fps),
                                        to_seconds(length, fmt.fps), line.offset))
    effects = effects_on_cut(plan, starts)
    production = footage_sounds(plan, starts)
    rooms = ambience_on_cut(plan, starts)
    settings = plan.mix
    # Every field of every bed, line, effect and footage sound, with each file known by its content.
    inputs = {"version": MIX_VERSION, "seconds": total_seconds, "settings": settings,
              "beds": [key_fields(b, drop=("generate",), file=ident) for b, ident in beds],
              "lines": [key_fields(line, path=cache.digest(line.path)) for line in lines],
              "effects": [key_fields(e, path=cache.digest(e.path)) for e in effects],
              "footage": [key_fields(f, path=cache.digest(f.path)) for f in production],
              "rooms": [key_fields(r) for r in rooms]}
    runs = passages(lines)
    passage_jobs = [passage_job(run, n, cache) for n, run in enumerate(runs)]
    spoken = [Passage(job.output, *passage_span(run)) for job, run in zip(passage_jobs, runs)]
    inputs["passages"] = [[job.key, p.start, p.seconds] for job, p in zip(passage_jobs, spoken)]
    key = content_key("mix", inputs)   # the mix job's own key (`make_job`), which names its record of parts
    mix_job = make_job(cache, "mix", "soundtrack", inputs,
                       lambda out: mix([b for b, _ in beds], lines, total_seconds, out, settings, effects,
                                       production, rooms, spoken=spoken, parts=cache.root / MIX_PARTS,
                                       ident=cache.digest, record=parts_record(cache.root / MIX_PARTS, key)),
                       suffix=".m4a", deps=tuple(j.id for j in music_jobs + passage_jobs))
    return mix_job, music_jobs + passage_jobs


def passage_job(run: list[PlacedLine], n: int, cache: Cache) -> Job:
    """The job that mixes the `n`-th passage of the dialogue (`mix.passages`), keyed by its
    lines and their places within it: a passage that only moves in the cut is not mixed again."""
    start, _ = passage_span(run)
    inputs = {"version": PASSAGE_VERSION, "lines": [
        key_fields(line, path=cache.digest(line.path), start=round(line.start - start, 6)) for line in run]}
    return make_job(cache, "passage", f"passage-{n + 1}", inputs, lambda out: mix_passage(run, out), suffix=".wav")


def subtitles_job(cues: list, fmt: Format, cache: Cache, rtl: bool = False) -> Job:
    """The job that writes subtitles.srt and subtitles.vtt (a folder) from `cues`; `rtl`: in
    a language written right to left, each line opened and closed with a right-to-left mark
    (U+200F), so that a player that guesses a line's direction from its first letter (a name
    in Latin letters, a number) still sets it right to left, its full stop at its left end
    (Unicode's bidirectional algorithm, UAX #9, rules P2-P3)."""
    written = [replace(c, text="\n".join(f"\u200f{row}\u200f" for row in c.text.split("\n"))) for c in cues] \
        if rtl else cues

    def write(out: Path) -> None:
        out.mkdir(parents=True)
        subs.write_srt(written, fmt.fps, out / "subtitles.srt")
        subs.write_vtt(written, fmt.fps, out / "subtitles.vtt")

    return make_job(cache, "subtitles", "subtitles", {"cues": written, "fps": fmt.fps}, write)


def final_job(plan: Plan, segment_jobs: list[Job], mix_job: Job, cache: Cache) -> Job:
    """The cut: the segments joined without re-encoding, the mix and the chapter marks muxed in,
    and what it says of its making (`export.provenance.declaration`) in its metadata: the title,
    a comment saying which parts an AI model made, and an XMP box with the IPTC term."""
    from ..export.provenance import declaration

    outputs = [job.output for job in segment_jobs]
    marks = chapter_marks(plan)
    made = declaration(plan)
    tool = f"film {__version__}"
    title = film_title(plan)
    tags = [("title", title), ("comment", made.summary or f"Made with {tool}"), ("encoding_tool", tool)]
    xmp = xmp_packet(title, tool, made.term, made.summary)

    # The sound's language, tagged as players list it (a film that names its languages).
    sound = [("language", locales.iso639_2(plan.language)), ("title", locales.name_of(plan.language))] \
        if plan.language else []

    def assemble(out: Path) -> None:
        concat(outputs, mix_job.output, out, out.with_suffix(".txt"), marks, tags, xmp, sound)
        out.with_suffix(".txt").unlink()

    return make_job(cache, "final", "final", {"segments": [j.key for j in segment_jobs], "mix": mix_job.key,
                                              "fps": plan.fmt.fps, "chapters": marks, "version": __version__,
                                              "tags": tags, "xmp": xmp, **({"sound": sound} if sound else {})},
                    assemble, suffix=".mp4", deps=tuple(j.id for j in segment_jobs) + (mix_job.id,))


def mark_job(plan: Plan, cache: Cache) -> Job:
    """The job that draws the film's watermarks once (`edit.marks`): a folder holding the
    visible mark (full frame, transparent) and the invisible one, as `plan.watermark` asks."""
    from ..edit.marks import draw_visible

    mark, fmt = plan.watermark, plan.fmt
    image = resolve_asset(plan.root, mark.image) if mark.image else None
    payload = film_mark(plan) if mark.invisible else None
    inputs = {"mark": key_fields(mark, drop=("loc", "image")), "image": cache.digest(image) if image else None,
              "size": [fmt.width, fmt.height], "payload": payload, "version": MARKS_VERSION}

    def draw(out: Path) -> None:
        out.mkdir(parents=True)
        if mark.text or mark.image:
            draw_visible(mark, plan.root, fmt.width, fmt.height).save(out / VISIBLE)
        if payload is not None:
            from .. import watermark

            watermark.write_mark(out / INVISIBLE, fmt.width, fmt.height, payload)

    return make_job(cache, "marks", "watermark", inputs, draw)


MARKS_VERSION = "1"   # raise when a mark drawn from the same settings looks different


def film_mark(plan: Plan) -> int:
    """What the film's invisible mark carries: an id of the film (from its name), which
    provenance.json records and `film verify` reads back."""
    from .. import watermark

    return watermark.payload_for(plan.name)


def signed_job(plan: Plan, final: Job, cache: Cache) -> Job:
    """The cut with its Content Credentials (`export.credentials`): a C2PA manifest of how each
    part was made, its ingredients the writer's own files, signed with `plan.signing`."""
    from ..export import credentials

    cert, key = plan.signing
    parts, ingredients = credentials.film_parts(plan)
    manifest = credentials.film_manifest(film_title(plan), f"film {__version__}", parts)
    inputs = {"final": final.key, "manifest": manifest, "cert": cache.digest(cert), "key": cache.digest(key),
              "ingredients": [[cache.digest(path), pid] for path, pid in ingredients],
              "sdk": credentials.sdk_version()}
    return make_job(cache, "signed", "signed", inputs,
                    lambda out: credentials.sign(final.output, out, manifest, cert, key, ingredients),
                    suffix=".mp4", deps=(final.id,))


def film_title(plan: Plan) -> str:
    """The film's title: its title card's words, or its name."""
    first = plan.shots[0] if plan.shots else None
    if first is not None and first.kind == "title" and isinstance(first.source, CardSource) and first.source.text:
        return " ".join(first.source.text.split())
    return plan.name


def chapter_marks(plan: Plan) -> list[tuple[int, int, str]]:
    """(start ms, end ms, title) of each of `plan`'s chapters, as MP4 chapter marks. An MP4's
    chapters follow one another from its first frame (the muxer starts the first at zero, keeping
    its length), so a film whose first chapter starts later opens with a chapter of its own: the
    title card's title, or "Opening"."""
    def ms(frame: int) -> int:
        return round(frame * 1000 / plan.fmt.fps)

    marks = [(ms(c.start), ms(c.end), c.title) for c in plan.chapters()]
    if marks and marks[0][0] > 0:
        first = plan.shots[0]
        opening = first.source.text if first.kind == "title" and isinstance(first.source, CardSource) else ""
        marks.insert(0, (0, marks[0][0], opening.replace("\n", " ") or "Opening"))
    return marks


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
        for sfx in shot.sfx:
            start = cut_in + sfx.at
            end = cut_out + after_out
            if start >= end:
                continue
            fade_in = max(cut_in + after_in - start, 0) if after_in else 0
            fade_out_at = max(cut_out - before_out - start, 0)
            effects.append(Effect(sfx.file, to_seconds(start, fps), to_seconds(end - start, fps), sfx.gain,
                                  to_seconds(fade_in, fps), to_seconds(fade_out_at, fps),
                                  to_seconds(end - start - fade_out_at, fps) if shot.transition_frames else 0.0))
    return effects


def segment_job(segment: Segment, fmt: Format, cache: Cache, shot_job: dict[str, str], cues: list,
                kind: str = "segment", marks: Job | None = None, tags: tuple[tuple[str, str], ...] = ()) -> Job:
    """The job that encodes one segment of the timeline, with `cues` burnt in where they fall
    and the watermarks `marks` (`mark_job`) over it (`kind` names it: "media" for a shot
    encoded apart for an editor, `export.otio`, whose `tags` say how it was made)."""
    burn = [c for c in cues if c.end > segment.start and c.start < segment.start + segment.frames]
    inputs = {
        "encoder": ENCODER_VERSION, "width": fmt.width, "height": fmt.height, "fps": fmt.fps,
        "frames": segment.frames, "transition": segment.transition, "drawn": drawn(segment),
        "parts": [{"source": source_identity(p.clip.source), "start": p.start} for p in segment.parts],
        "burn": [[c.start - segment.start, c.end - segment.start, c.text, c.align, c.margin] for c in burn],
        "burn_style": subs.ASS_STYLE_VERSION if burn else "",
    }
    if marks is not None:   # (a key without marks is as it was before there were any)
        inputs["marks"] = marks.key
    if tags:
        inputs["tags"] = tags

    def run(out: Path) -> None:
        ass = None
        if burn:
            ass = out.with_suffix(".ass")
            subs.write_ass(burn, fmt.fps, ass, fmt.width, fmt.height, offset=segment.start)
        laid = None if marks is None else Marks(
            marks.output / VISIBLE if (marks.output / VISIBLE).is_file() else None,
            marks.output / INVISIBLE if (marks.output / INVISIBLE).is_file() else None)
        try:
            render_segment(segment, fmt, out, ass, laid, tags)
        finally:
            if ass is not None:
                ass.unlink(missing_ok=True)

    deps = tuple(dict.fromkeys(shot_job[p.clip.id] for p in segment.parts if p.clip.id in shot_job))
    deps += (marks.id,) if marks is not None else ()
    return make_job(cache, kind, segment.id, inputs, run, suffix=".mp4", deps=deps)


def drawn(segment: Segment) -> dict:
    """How the vocabulary draws `segment`: its transition's entry and each camera move's framing
    (the entries' words and editors' names aside), so that changing an entry redraws what it
    drew and nothing else."""
    moves = sorted({p.clip.source.move for p in segment.parts if hasattr(p.clip.source, "move")})
    entry = transitions.get(segment.transition) if segment.transition else None
    return {"transition": key_fields(entry, drop=("words", "interchange")) if entry else None,
            "moves": {name: key_fields(camera.MOVES[name], drop=("words",)) for name in moves if name in camera.MOVES}}


def ambient_job(cache: Cache, n: int, seed: int) -> Job:
    """The job that makes the `n`-th music bed's sound: one seamless loop of a generated
    ambient pad (`ambient.pad_loop`), which the mix loops to the bed's length."""
    from ..audio import ambient

    def run(out: Path) -> None:
        ambient.write_wav(out, ambient.pad_loop(seed=seed))

    return make_job(cache, "music", f"ambient-{n + 1}", {"generator": "ambient", "version": "3", "loop": True,
                                                          "seed": seed},
                    run, suffix=".wav")
