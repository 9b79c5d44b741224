"""renders/NAME/timeline.otio: the cut as an OpenTimelineIO timeline, to finish in an editor.

What an editor gets (DaVinci Resolve, Premiere, Final Cut and Kdenlive read OTIO directly or
through `export.editors`):

- a video track of clips, one per shot, each referring to the shot encoded apart
  (`media/SHOT.mp4`) with `HANDLE_SECONDS` of handles either side, or the transitions' own
  handles where longer, so a cut can be trimmed or a dissolve lengthened in the editor. Past
  what a shot's source holds, a handle holds its first or last frame (a drawn panel's camera
  move holds its framing; a generated clip its first or last frame);
- the transitions as OTIO transitions: ours are centred on the cut, so `in_offset` is the half
  before the cut and `out_offset` the half after (`transitions.split`);
- audio tracks: dialogue per character, narration, music, effects and the footage's own sound,
  each clip the file it plays (synthesised speech and generated music copied into
  `media/audio/`, the writer's own files where they are), overlapping clips on further lanes;
  and the finished mix on a track of its own, disabled, to compare against. The generated
  ambience (room tone, wind, sea) exists only inside the mix;
- markers for scenes (green) and chapters (red) on the whole timeline;
- each clip's `metadata["film"]`: the shot's id, kind, scene, heading, prompt, seed, take and
  generator; audio clips their gain and fades.

Time is kept in whole frames at the film's rate (`RationalTime(frames, fps)`): a count of
frames at 24000/1001 or 30000/1001 is exact, though OTIO holds the rate as a float.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import opentimelineio as otio

from .. import transitions
from ..audio.footage_sound import footage_sounds
from ..build.graph import effects_on_cut, film_title, segment_job
from ..build.run import BuildResult, execute, to_run
from ..cache import Cache
from ..edit import ffmpeg
from ..edit.timeline import Clip, Part, Segment
from ..frames import Format
from ..plan import Bed, GeneratedSource, Plan, ShotPlan

if TYPE_CHECKING:
    from ..build.graph import Graph

FILE = "timeline.otio"
MEDIA = "media"
HANDLE_SECONDS = 1   # the least an editor gets either side of a shot (a transition may need more)
SCENE_COLOUR = otio.schema.MarkerColor.GREEN
CHAPTER_COLOUR = otio.schema.MarkerColor.RED


@dataclass(frozen=True)
class ShotMedia:
    """A shot encoded apart: `path`, `frames` long, the shot's first frame on the cut at frame
    `head` of it."""

    path: Path
    head: int
    frames: int


@dataclass(frozen=True)
class Sound:
    """An audio clip on the cut: `path` from `offset` frames into it, placed at frame `start` for
    `frames` frames, on the track called `track`; `info` goes to its metadata."""

    track: str
    path: Path
    start: int
    frames: int
    offset: float = 0.0
    name: str = ""
    info: tuple[tuple[str, Any], ...] = ()


def handles(clip: Clip, least: int) -> tuple[int, int]:
    """(frames before the cut-in, frames after the cut-out) a shot's media holds: `least`
    frames, or the transitions' handles where longer."""
    return max(least, clip.head), max(least, clip.tail)


def media_jobs(plan: Plan, graph: "Graph", cache: Cache) -> list[tuple[Clip, Any, tuple[int, int]]]:
    """For each clip of `graph`'s timeline, the job that encodes it apart with its handles (a
    segment job of kind "media": cached by what it shows, as segments are), and the handles."""
    least = round(plan.fmt.fps * HANDLE_SECONDS)
    found = []
    for clip in graph.timeline.clips:
        before, after = handles(clip, least)
        span = Segment(id=f"media:{clip.id}", kind="body", start=0, frames=before + clip.frames + after,
                       parts=(Part(clip, clip.head - before),))
        found.append((clip, segment_job(span, plan.fmt, cache, {}, [], kind="media"), (before, after)))
    return found


def shot_media(result: BuildResult) -> dict[str, ShotMedia]:
    """Every shot encoded apart (what is cached is kept) and copied to renders/NAME/media/;
    by shot id. Raises JobError (exit 2) for an encode that fails."""
    from ..build import publish

    made = media_jobs(result.plan, result.graph, result.cache)
    jobs = [job for _, job, _ in made]
    if result.reporter is not None:
        result.reporter.stage("shots for the editor", len(jobs), to_run(jobs, result.cache, False))
    execute(jobs, result.cache, reporter=result.reporter)
    folder = result.folder / MEDIA
    found = {}
    folder.mkdir(parents=True, exist_ok=True)
    for clip, job, (before, after) in made:
        target = folder / f"{clip.id}.mp4"
        publish(job.output, target)
        found[clip.id] = ShotMedia(target, before, before + clip.frames + after)
    return found


def sounds(result: BuildResult) -> list[Sound]:
    """Every sound of the cut that an editor places, in frames of the cut: lines by speaker,
    music beds, effects, footage sound."""
    from ..build import publish

    plan, fmt = result.plan, result.plan.fmt
    audio = result.folder / MEDIA / "audio"
    starts = plan.starts()
    found: list[Sound] = []

    def copied(source: Path, name: str) -> Path:
        """A file of the cache copied beside the timeline (the cache may be cleaned)."""
        audio.mkdir(parents=True, exist_ok=True)
        publish(source, audio / name)
        return audio / name

    for shot, cut_in in zip(plan.shots, starts):
        for n, line in enumerate(shot.speech, 1):
            frames = min(line.frames, shot.frames - line.start)
            if frames <= 0:
                continue
            path = line.path if line.recorded else copied(line.path, f"{shot.id}-{n}{line.path.suffix}")
            track = f"Dialogue {line.speaker}" if line.speaker else "Narration"
            found.append(Sound(track, path, cut_in + line.start, frames, line.offset * fmt.fps,
                               name=f"{line.speaker or 'NARRATOR'}: {line.text}"[:80],
                               info=(("shot", shot.id), ("text", line.text), ("speaker", line.speaker))))
    music = {job.id: job for job in result.graph.jobs if job.kind == "music"}
    for n, bed in enumerate(plan.music):
        # a generated bed's sound is the music job the graph named after its place (`ambient_job`)
        path = bed.file if bed.file is not None else copied(music[f"ambient-{n + 1}"].output, f"music-{n + 1}.wav")
        found += _bed(bed, path, fmt, n)
    for effect in effects_on_cut(plan, starts):
        start = frame(effect.start, fmt)
        found.append(Sound("Effects", effect.path, start, frame(effect.seconds, fmt), name=effect.path.name,
                           info=(("gain_db", effect.gain), ("fade_in", effect.fade_in),
                                 ("fade_out_at", effect.fade_out_at), ("fade_out", effect.fade_out))))
    for sound in footage_sounds(plan, starts):
        found.append(Sound("Footage sound", sound.path, frame(sound.start, fmt), frame(sound.seconds, fmt),
                           sound.offset * fmt.fps, name=sound.path.name,
                           info=(("gain_db", sound.gain), ("fade_in", sound.fade_in),
                                 ("fade_out_at", sound.fade_out_at), ("fade_out", sound.fade_out))))
    return found


def _bed(bed: Bed, path: Path, fmt: Format, n: int) -> list[Sound]:
    """A music bed as clips: one, or one per pass of a looped file."""
    start, length = frame(bed.start, fmt), frame(bed.seconds, fmt)
    looped = bed.loop or bed.file is None   # a generated bed is one loop of its music (`graph.soundtrack_jobs`)
    loop = seconds_of(path) if looped else bed.seconds
    info = (("bed", n + 1), ("gain_lu", bed.gain), ("fade_in", bed.fade_in), ("fade_out", bed.fade_out),
            ("loop", looped))
    found, k = [], 0
    while loop > 0 and (at := frame(k * loop, fmt)) < length:
        # each pass starts at the frame nearest its time, so passes do not drift from the mix's
        end = min(frame((k + 1) * loop, fmt), length)
        found.append(Sound("Music", path, start + at, end - at, name=path.name, info=info))
        k += 1
    return found


def frame(seconds: float, fmt: Format) -> int:
    """The nearest frame to `seconds` at the film's rate."""
    return round(seconds * fmt.fps)


def seconds_of(path: Path) -> float:
    """How long an audio file lasts (a WAV's header read directly: a film has hundreds of
    lines; other files through ffmpeg). Raises FFmpegError for unreadable media."""
    if path.suffix.lower() == ".wav":
        try:
            with wave.open(str(path)) as file:
                return file.getnframes() / file.getframerate()
        except (wave.Error, EOFError):
            pass   # a WAV `wave` does not read (float samples): ffmpeg does
    return ffmpeg.probe(path).duration or 0.0


def timeline(result: BuildResult, media: dict[str, ShotMedia], audio: Sequence[Sound]) -> otio.schema.Timeline:
    """The OTIO timeline of a finished build, its shots' media in `media` (`shot_media`) and its
    sounds `audio` (`sounds`)."""
    plan = result.plan
    rate = float(plan.fmt.fps)

    def time(frames: float) -> otio.opentime.RationalTime:
        return otio.opentime.RationalTime(frames, rate)

    def span(start: float, frames: float) -> otio.opentime.TimeRange:
        return otio.opentime.TimeRange(time(start), time(frames))

    cut = otio.schema.Timeline(name=film_title(plan), global_start_time=time(0))
    cut.metadata["film"] = {"source": str(plan.source), "fps": f"{plan.fmt.fps.numerator}/{plan.fmt.fps.denominator}",
                            "size": [plan.fmt.width, plan.fmt.height], "frames": plan.total,
                            "cut": str(result.output)}
    video = otio.schema.Track(name="Picture", kind=otio.schema.TrackKind.Video)
    for i, shot in enumerate(plan.shots):
        made = media[shot.id]
        reference = otio.schema.ExternalReference(target_url=made.path.resolve().as_uri(),
                                                  available_range=span(0, made.frames))
        clip = otio.schema.Clip(name=shot.id, media_reference=reference, source_range=span(made.head, shot.frames))
        clip.metadata["film"] = shot_metadata(shot, result.locks.get(shot.id, {}))
        video.append(clip)
        if i + 1 < len(plan.shots) and shot.transition_frames:
            before, after = transitions.split(shot.transition_frames)
            entry = transitions.get(shot.transition)
            video.append(otio.schema.Transition(
                name=shot.transition, transition_type=entry.interchange, in_offset=time(before),
                out_offset=time(after), metadata={"film": {"transition": shot.transition,
                                                           "frames": shot.transition_frames}}))
    cut.tracks.append(video)
    # each file's length in frames (editors' importers want every reference's range)
    lengths = {path: seconds_of(path) * rate for path in {s.path for s in audio}}
    for name in _track_order(audio):
        for lane, placed in enumerate(_lanes([s for s in audio if s.track == name])):
            track = otio.schema.Track(name=name if lane == 0 else f"{name} {lane + 1}",
                                      kind=otio.schema.TrackKind.Audio)
            at = 0
            for sound in placed:
                # what the file holds from its offset: a sound plays to its end at most
                frames = min(sound.frames, int(lengths[sound.path] - sound.offset))
                if frames <= 0:
                    continue
                if sound.start > at:
                    track.append(otio.schema.Gap(source_range=span(0, sound.start - at)))
                reference = otio.schema.ExternalReference(target_url=sound.path.resolve().as_uri(),
                                                          available_range=span(0, lengths[sound.path]))
                clip = otio.schema.Clip(name=sound.name, media_reference=reference,
                                        source_range=span(sound.offset, frames))
                clip.metadata["film"] = dict(sound.info)
                track.append(clip)
                at = sound.start + frames
            cut.tracks.append(track)
    mix = result.graph.job("mix")
    if mix is not None:
        from ..build import publish

        copy = result.folder / MEDIA / "audio" / "mix.m4a"
        copy.parent.mkdir(parents=True, exist_ok=True)
        publish(mix.output, copy)
        track = otio.schema.Track(name="Mix (reference)", kind=otio.schema.TrackKind.Audio)
        track.enabled = False
        reference = otio.schema.ExternalReference(target_url=copy.resolve().as_uri(),
                                                  available_range=span(0, plan.total))
        track.append(otio.schema.Clip(name="mix", source_range=span(0, plan.total), media_reference=reference))
        cut.tracks.append(track)
    for marker in markers(plan, span):
        cut.tracks.markers.append(marker)
    return cut


def shot_metadata(shot: ShotPlan, lock: dict) -> dict:
    """What a clip's `metadata["film"]` says of its shot: id, kind, scene and heading, prompt,
    seed, take, generator (its model and revision where `lock.json` records them), camera, lines."""
    source = shot.source
    take = source.take if isinstance(source, GeneratedSource) else None
    return {
        "shot": shot.id, "kind": shot.kind, "scene": shot.scene, "heading": shot.heading.text,
        "prompt": shot.prompt, "negative": shot.negative, "seed": lock.get("seed", shot.seed), "take": take,
        "takes": source.takes if isinstance(source, GeneratedSource) else None,
        "generator": shot.generator.name, "model": lock.get("model"), "revision": lock.get("revision"),
        "camera": shot.camera, "lines": [[speaker, text] for speaker, text in shot.texts],
        "script": f"{shot.loc.file}:{shot.loc.line}" if shot.loc.file else "",
    }


def markers(plan: Plan, span) -> list[otio.schema.Marker]:
    """A marker at the start of each scene (its heading) and each chapter (its title)."""
    found = []
    previous = None
    for shot, start in zip(plan.shots, plan.starts()):
        if shot.scene and shot.scene != previous:
            found.append(otio.schema.Marker(name=shot.heading.text or f"Scene {shot.scene}",
                                            marked_range=span(start, 0), color=SCENE_COLOUR,
                                            metadata={"film": {"scene": shot.scene}}))
        previous = shot.scene
    for chapter in plan.chapters():
        found.append(otio.schema.Marker(name=chapter.title,
                                        marked_range=span(chapter.start, chapter.end - chapter.start),
                                        color=CHAPTER_COLOUR, metadata={"film": {"chapter": chapter.title}}))
    return found


def _track_order(audio: Sequence[Sound]) -> list[str]:
    """Dialogue tracks (in order of first line), narration, then music, effects, footage sound."""
    named = list(dict.fromkeys(s.track for s in audio))
    rank = {"Narration": 1, "Music": 2, "Effects": 3, "Footage sound": 4}
    return sorted(named, key=lambda name: rank.get(name, 0))


def _lanes(placed: list[Sound]) -> list[list[Sound]]:
    """`placed` in time order on as few lanes as hold them without overlap (a track plays one
    clip at a time)."""
    lanes: list[list[Sound]] = []
    for sound in sorted(placed, key=lambda s: s.start):
        lane = next((lane for lane in lanes if lane[-1].start + lane[-1].frames <= sound.start), None)
        if lane is None:
            lanes.append(lane := [])
        lane.append(sound)
    return lanes


def make(result: BuildResult) -> otio.schema.Timeline:
    """The timeline of a finished build, its shots encoded apart and its sounds copied beside it
    (`shot_media`, `sounds`)."""
    cut = timeline(result, shot_media(result), sounds(result))
    used = {file_of(clip) for clip in cut.find_clips()}
    media = result.folder / MEDIA
    for old in [*media.glob("*.mp4"), *media.glob("audio/*")]:   # of shots and lines the film no longer has
        if old.resolve() not in used:
            old.unlink()
    return cut


def file_of(clip: otio.schema.Clip) -> Path:
    """The file a clip's media reference names (an absolute file: URL)."""
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(clip.media_reference.target_url).path))


def write(result: BuildResult, renders: Path) -> tuple[Path, ...]:
    """Write renders/NAME/timeline.otio and the media it refers to (renders/NAME/media/)."""
    from ..cache import atomic

    cut = make(result)
    path = result.folder / FILE
    with atomic(path) as temp:
        otio.adapters.write_to_file(cut, str(temp), adapter_name="otio_json")
    return (path,)
