"""The review page: review.html beside the cut, to share a build with whoever gives notes.

One self-contained file (inline CSS and JS, thumbnails inlined as JPEG data: URIs, nothing
fetched from the network) that plays `final.mp4` with `subtitles.vtt` beside it, both named
relatively, and lists every shot as a card: its first, middle and last frame on screen, id,
scene heading, start and duration, prompt, lines, what the build did for it (each job's status
and why it ran), take and seed, and the takes of a generated shot side by side. Clicking a card
seeks the cut to the shot's first frame.

Thumbnails are read from the cut itself, by frame number, in one ffmpeg run (a `select` over
every wanted frame), so they show exactly what the cut shows. The page is rendered by Jinja2
with autoescape on, since prompts and lines are whatever a writer typed; data for the script
goes through `tojson`. Subtitle cues are also inlined: a page opened from disk (file://) may
not load a <track> beside it (browsers treat each file as its own origin), so the script
adds them itself when the track fails.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from ..build.graph import film_title
from ..cache import write_text
from ..plan import GeneratedSource

if TYPE_CHECKING:
    from ..build.run import BuildResult
    from ..plan import Plan

NAME = "review.html"
THUMB_WIDTH = 240     # pixels; the height keeps the cut's aspect ratio (even)
JPEG_QUALITY = 80


@dataclass(frozen=True)
class JobLine:
    """What the build did for one job of a shot: `status` "rendered", "cached" or "missing"
    (no result: the job failed, or the build stopped before it), and why it ran (`reason`)."""

    kind: str
    id: str
    status: str
    reason: str


@dataclass(frozen=True)
class TakeCard:
    """One take of a generated shot: its label ("take 2 (seed 123)"), a frame of it (a data:
    URI), and whether the cut uses it."""

    label: str
    seed: int
    image: str
    chosen: bool


@dataclass(frozen=True)
class ShotCard:
    """One shot as the page shows it. `start` and `frames` are frames of the cut; `start_seconds`
    and `seconds` the same in seconds; `thumbs` its first, middle and last frame (data: URIs)."""

    id: str
    scene: str
    heading: str
    start: int
    frames: int
    start_seconds: float
    seconds: float
    prompt: str
    lines: tuple[tuple[str, str], ...]
    status: str
    jobs: tuple[JobLine, ...]
    take: str
    seed: int
    thumbs: tuple[str, ...]
    takes: tuple[TakeCard, ...] = ()


def write(result: "BuildResult", renders: Path) -> tuple[Path, ...]:
    """Write review.html into `result.folder` (beside final.mp4, whatever `renders` is) and
    return its path; written atomically, so a killed build leaves the old page or none. Raises
    ffmpeg.FFmpegError if the cut's frames cannot be read."""
    plan = result.plan
    frames = thumbnails(result.output, shot_frames(plan))
    takes = take_cards(result)
    jobs = job_lines(result)
    cards = []
    for shot, start, thumbs in zip(plan.shots, plan.starts(), frames):
        lines = jobs.get(shot.id, ())
        source = shot.source
        take = f"{source.take} of {source.takes}" if isinstance(source, GeneratedSource) else ""
        seed = next((t.seed for t in takes.get(shot.id, ()) if t.chosen), shot.seed)   # a take's own seed
        cards.append(ShotCard(
            id=shot.id, scene=shot.scene_label, heading=shot.heading.text, start=start, frames=shot.frames,
            start_seconds=plan.seconds(start), seconds=plan.seconds(shot.frames), prompt=shot.prompt,
            lines=shot.texts, status=shot_status(lines), jobs=lines, take=take, seed=seed,
            thumbs=tuple(image_uri(t) for t in thumbs),
            takes=takes.get(shot.id, ())))
    folder = result.folder
    vtt = folder / "subtitles.vtt"
    page = render(plan, tuple(cards), result.output.name, vtt.name if vtt.is_file() else None,
                  cues(vtt) if vtt.is_file() else [])
    out = folder / NAME
    write_text(out, page)
    return (out,)


def shot_status(jobs: tuple[JobLine, ...]) -> str:
    """A shot's status from its jobs': "rendered" if this build ran any of them, else "missing"
    if any has no result, else "cached"."""
    for status in ("rendered", "missing"):
        if any(j.status == status for j in jobs):
            return status
    return "cached"


def shot_frames(plan: "Plan") -> list[tuple[int, int, int]]:
    """Each shot's first, middle and last frame on screen clear of the transitions either side
    (a dissolve's frames show two shots, a fade's black), as frame numbers of the cut; a shot
    that is all transition shows its middle three times."""
    from ..transitions import split

    found = []
    for i, (shot, start) in enumerate(zip(plan.shots, plan.starts())):
        after_in = split(plan.shots[i - 1].transition_frames)[1] if i else 0
        before_out = split(shot.transition_frames)[0] if i + 1 < len(plan.shots) else 0
        first, last = start + after_in, start + shot.frames - 1 - before_out
        middle = start + shot.frames // 2
        found.append((first, middle, last) if first <= last else (middle, middle, middle))
    return found


def thumbnails(video: Path, wanted: list[tuple[int, ...]], width: int = THUMB_WIDTH) -> list[tuple[Image.Image, ...]]:
    """The frames numbered in `wanted` (0-based frame numbers of `video`, grouped as given),
    `width` pixels wide, read in one ffmpeg run (`contact.frames_at`). Raises
    ffmpeg.FFmpegError if ffmpeg fails or the video holds fewer frames than asked for."""
    from .contact import frames_at

    by_number = frames_at(video, [n for group in wanted for n in group], width)
    return [tuple(by_number[n] for n in group) for group in wanted]


def image_uri(image: Image.Image) -> str:
    """`image` as a JPEG data: URI."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def job_lines(result: "BuildResult") -> dict[str, tuple[JobLine, ...]]:
    """For each shot id, what the build did for each job that makes it (`Graph.by_shot`)."""
    if result.graph is None:
        return {}
    done = {r.id: r for r in result.results}
    out = {}
    for shot, ids in result.graph.by_shot.items():
        lines = []
        for job_id in ids:
            r = done.get(job_id)
            lines.append(JobLine(r.kind, r.id, r.status, str(r.reason or "")) if r else
                         JobLine("", job_id, "missing", "no result: it failed or did not run"))
        out[shot] = tuple(lines)
    return out


def take_cards(result: "BuildResult") -> dict[str, tuple[TakeCard, ...]]:
    """For each generated shot with several takes, a frame of each take whose media exists
    (a take not rendered yet is left out), in take order. Only a plan with such a shot is
    prepared again (`prepare_shots`: its takes are known only to its generator). Raises
    ffmpeg.FFmpegError if a take's clip is not readable."""
    several = [s for s in result.plan.shots if isinstance(s.source, GeneratedSource) and s.source.takes > 1]
    if not several or result.cache is None:
        return {}
    from ..build.graph import prepare_shots
    from .contact import take_frames

    prepared = prepare_shots(result.plan, result.cache).prepared
    out = {}
    for shot in several:
        chosen = prepared[shot.id].job
        cards = []
        for take in prepared[shot.id].takes:
            if take.media.is_file():
                frame = take_frames(take.media, 3)[1]   # the middle one: a continued shot starts alike
                thumb = frame.resize((THUMB_WIDTH, max(2, round(frame.height * THUMB_WIDTH / frame.width))))
                cards.append(TakeCard(take.label, take.seed, image_uri(thumb), take.job is chosen))
        if cards:
            out[shot.id] = tuple(cards)
    return out


def cues(vtt: Path) -> list[tuple[float, float, str]]:
    """The cues of a WebVTT file as (start, end, text), times in seconds."""
    import pysubs2

    return [(e.start / 1000, e.end / 1000, e.plaintext) for e in pysubs2.load(str(vtt), encoding="utf-8")
            if not e.is_comment]


@lru_cache(maxsize=1)
def template():
    """The compiled page template `templates/review.html.j2` (autoescaped), once per process."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(resources.files("pipeline.templates").joinpath("review.html.j2").read_text(encoding="utf-8"))


def render(plan: "Plan", cards: tuple[ShotCard, ...], video: str, subtitles: str | None,
           cue_list: list[tuple[float, float, str]]) -> str:
    """The page's HTML: `video` and `subtitles` (None: no track) are names beside the page."""
    fps = plan.fmt.fps
    data = {"fps": [fps.numerator, fps.denominator], "total": plan.total,
            "shots": [{"id": c.id, "start": c.start, "frames": c.frames} for c in cards],
            "cues": [list(c) for c in cue_list]}
    return template().render(title=film_title(plan), plan=plan, cards=cards, video=video, subtitles=subtitles,
                             fps=float(fps), data=data, total_seconds=plan.seconds(plan.total))
