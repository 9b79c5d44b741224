"""Measuring before planning: what only files can tell. Every picture, video and sound file a
storyboard names is opened and checked, so that a file the build could not use is a `file:line`
problem at `film check` (exit 1), not a failed job halfway through a build; and every line is
synthesised (or found in a recorded voice-over) and its words timed (`measure`), because a
shot lasts as long as what is said in it.

What is checked, per use:

- `image:` stills and `first_frame:` pictures: Pillow reads the header (format, size, mode)
  and checks the data: its checksums (PNG), and a decode (JPEG at 1/8 scale, others whole up
  to 25 megapixels). A very large picture is not refused (the still generator scales it
  down), and reading its header never trips Pillow's decompression-bomb guard.
- `footage:`: a video stream, a duration, `in`/`out` inside it, its first frame decoded and
  the packets of its last two seconds read (a file cut short fails there).
- music `file:` beds, `sfx:` effects and the `voiceover:`: an audio stream, a duration, its
  first second decoded and the packets of its last two seconds read.

Each file is probed once per kind of use however many shots name it, and the ffmpeg probes run
on a small thread pool (each is a process of tens of milliseconds).
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Mapping

from .cache import Cache
from .edit import children, ffmpeg
from .errors import Problem, StoryboardError, did_you_mean_file
from .plan.model import FootageFile, Spoken
from .spec import Footage, Loc, Storyboard, resolve_asset

Kind = Literal["picture", "video", "audio", "speech"]   # speech: audio that must hold some
WORKERS = 4
# Pictures other than JPEG (decoded at 1/8 scale) are decoded whole up to this many pixels
# (tens of milliseconds); past it only their header and checksums are read.
DECODE_PIXELS = 25_000_000
# Decoding a whole file would make `film check` as slow as a build: its start is decoded and
# the packets of its last seconds read (a file cut short breaks at its end).
TAIL_SECONDS = 2.0
# Part of what a probe is remembered by: a probe that finds more than it did (2: an MP4 whose
# index lists more than the file holds) is not answered from an older one's memo.
PROBE_VERSION = 2


@dataclass(frozen=True)
class Picture:
    """What a picture's header says: Pillow's format name, size in pixels, and mode."""

    format: str
    width: int
    height: int
    mode: str


@dataclass(frozen=True)
class Probe:
    """What one file turned out to be for one kind of use.

    `error` says why it could not be read at all ('' when it could); `picture` is set for
    pictures, `media` for video and sound; `damage` says why its data does not decode ('').
    """

    error: str = ""
    picture: Picture | None = None
    media: ffmpeg.MediaInfo | None = None
    damage: str = ""
    silent: bool = False    # a "speech" file with no sound that could be speech (asr.voiced_frames)


@dataclass(frozen=True)
class Use:
    """A file named by the storyboard: what it is for (`what`, as the messages say it), the
    path as written, where it resolves, where it was written, and how it is probed."""

    what: str
    written: str
    path: Path
    loc: Loc
    kind: Kind
    footage: Footage | None = None


Probes = dict[tuple[Path, Kind], "Probe"]   # what each (file, kind of use) turned out to be


def check_media(board: Storyboard, workers: int = WORKERS, cache: Cache | None = None) -> Probes:
    """Probe every media file `board` names and return what each is; raise StoryboardError
    listing every problem.

    Reads files only (writes nothing). Raises `StoryboardError` (exit 1) with one
    `file:line: message` per problem, in the order the storyboard names the files. With a
    `cache`, a file probed before and unchanged since is not probed again, and what is probed
    is remembered there (written when the cache is saved: `film build` saves it, `check` not).
    """
    probes = probe_all(board, workers, cache)
    problems = judge_all(board, probes)
    if problems:
        raise StoryboardError(problems)
    return probes


def footage_files(probes: Probes) -> dict[Path, FootageFile]:
    """What each footage file is (its length in seconds, whether it has sound), from
    `check_media`'s probes, for the plan; a file that could not be read is left out."""
    return {path: FootageFile(probe.media.duration, probe.media.audio_codec is not None)
            for (path, kind), probe in probes.items()
            if kind == "video" and probe.media is not None and probe.media.duration}


def media_problems(board: Storyboard, workers: int = WORKERS, cache: Cache | None = None) -> list[Problem]:
    """Every problem with every media file `board` names, each at the line that names it."""
    return judge_all(board, probe_all(board, workers, cache))


def judge_all(board: Storyboard, probes: Probes) -> list[Problem]:
    """Every problem `probes` show with the media files `board` names, at the lines naming them."""
    problems: list[Problem] = []
    for use in media_uses(board):
        problems += [use.loc.problem(message) for message in judge(use, probes[use.path, use.kind])]
    return problems


def probe_all(board: Storyboard, workers: int = WORKERS, cache: Cache | None = None) -> Probes:
    """What each media file `board` names is, by (path, kind of use).

    Up to `workers` threads (no more than there are cores) run the probes; each (file, kind)
    is probed once.
    """
    uses = media_uses(board)
    wanted = list(dict.fromkeys((use.path, use.kind) for use in uses))
    if not wanted:
        return {}
    ffmpeg.require()
    probes: dict[tuple[Path, Kind], Probe] = {}
    if cache is not None:
        for path, kind in wanted:
            known = cache.probed(path, f"{kind}/{PROBE_VERSION}")
            if known is not None:
                probes[path, kind] = _probe_from(known)
    todo = [item for item in wanted if item not in probes]
    if todo:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo), os.cpu_count() or 1))) as pool:
            probes.update(zip(todo, pool.map(lambda item: probe_file(*item), todo)))
        if cache is not None:
            for path, kind in todo:
                cache.remember_probe(path, f"{kind}/{PROBE_VERSION}", dataclasses.asdict(probes[path, kind]))
    return probes


def _probe_from(known: dict) -> Probe:
    """A Probe from what `dataclasses.asdict` made of one."""
    picture, media = known.get("picture"), known.get("media")
    return Probe(error=known.get("error", ""), picture=Picture(**picture) if picture else None,
                 media=ffmpeg.MediaInfo(**media) if media else None, damage=known.get("damage", ""),
                 silent=known.get("silent", False))


def media_uses(board: Storyboard) -> list[Use]:
    """Every media file `board` names, in story order: music, the voice-over, the watermark's
    picture, then each shot's picture, first frame, footage and sound effects."""
    root = board.root.resolve()
    uses: list[Use] = []

    def add(what: str, written: str, loc: Loc, kind: Kind, footage: Footage | None = None) -> None:
        uses.append(Use(what, written, resolve_asset(root, written), loc, kind, footage))

    for cue in board.music:
        if cue.file:
            add("music file", cue.file, cue.loc, "audio")
    if board.project.voiceover:
        add("voice-over", board.project.voiceover.file, board.project.voiceover.loc, "speech")
    if board.project.watermark and board.project.watermark.image:
        add("watermark image", board.project.watermark.image, board.project.watermark.loc, "picture")
    for shot in board.shots:
        if shot.image:
            add("image", shot.image, shot.at("image"), "picture")
        if shot.first_frame:
            add("first frame", shot.first_frame, shot.at("first_frame"), "picture")
        if shot.footage:
            add("footage", shot.footage.file, shot.footage.loc, "video", shot.footage)
        for effect in shot.sfx:
            add("sound effect", effect.file, effect.loc, "audio")
    return uses


def probe_file(path: Path, kind: Kind) -> Probe:
    """Probe `path` for a use of `kind`; never raises for a bad file (the Probe says why)."""
    if not path.is_file():
        return Probe(error="missing")
    if path.stat().st_size == 0:
        return Probe(error="empty")
    if kind == "picture":
        return probe_picture(path)
    if kind == "speech":
        return probe_speech(path)
    return probe_media(path, "v" if kind == "video" else "a")


def probe_speech(path: Path) -> Probe:
    """A sound file that must hold speech: `probe_media`, then whether any of it could be
    speech, measured on the sound (`asr.voiced_frames`: 16 kHz mono, decoded by ffmpeg), so a
    silent recording is found at `film check`, not after transcribing it."""
    import numpy as np

    from .audio.asr import SAMPLE_RATE, voiced_frames

    found = probe_media(path, "a")
    if found.media is None or found.media.audio_codec is None or not found.media.duration or found.damage:
        return found
    decoded = children.run([ffmpeg.exe(), "-hide_banner", "-nostdin", "-loglevel", "error", *ffmpeg.media_input(path),
                            "-map", "0:a:0", "-ac", "1", "-ar", str(SAMPLE_RATE), "-f", "f32le", "-"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    samples = np.frombuffer(decoded.stdout, np.float32)
    return Probe(media=found.media, silent=not voiced_frames(samples).any())


def probe_picture(path: Path) -> Probe:
    """A picture's header and whether its data is whole (see the module docstring)."""
    from PIL import UnidentifiedImageError

    from .generators.still import open_picture   # Pillow's plugin loop, less the bomb check

    picture = None
    try:
        with open_picture(path) as image:
            picture = Picture(image.format or "", image.width, image.height, image.mode)
            image.verify()
        if picture.format == "JPEG" or picture.width * picture.height <= DECODE_PIXELS:
            with open_picture(path) as image:
                # JPEG decodes at 1/8 scale: every byte is read, an eighth of the pixels made.
                image.draft("RGB", (max(picture.width // 8, 1), max(picture.height // 8, 1)))
                image.load()
    except UnidentifiedImageError:
        return Probe(error="unreadable")
    except Exception as error:  # noqa: BLE001 - a malformed file can break a Pillow plugin in any way
        reason = str(error) or type(error).__name__
        return Probe(picture=picture, damage=reason) if picture else Probe(error=reason)
    return Probe(picture=picture)


_LINE = re.compile(r"^(?:\[[^\]]* @ [^\]]*\] )?\[(\w+)\] (.*)$")
_TELLING = re.compile(r"partial file|truncat|corrupt|invalid data|moov atom", re.IGNORECASE)


def probe_media(path: Path, stream: str) -> Probe:
    """A video ('v') or sound ('a') file's header and whether its first such stream is whole.

    One ffmpeg run (each costs tens of milliseconds to start) opens the file twice: the first
    input prints the header and has its start decoded (a frame of video, a second of sound),
    which proves the codec works; the second has the packets of its last seconds read, not
    decoded, which is where a file cut short breaks. `-xerror` stops at a damaged packet, but
    reading past the end of a cut file is only reported, so the errors printed are read too.
    """
    head = ["-frames:v", "1"] if stream == "v" else ["-t", "1"]
    command = [ffmpeg.exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info",
               "-xerror", *ffmpeg.media_input(path), "-sseof", f"-{TAIL_SECONDS:g}", "-xerror",
               *ffmpeg.media_input(path),
               "-map", f"0:{stream}:0", *head, "-f", "null", "-",
               "-map", f"1:{stream}:0", "-c", "copy", "-f", "null", "-"]
    result = children.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
    header: list[str] = []
    errors: list[str] = []
    in_header, level = True, "info"
    for raw in result.stderr.splitlines():
        tagged = _LINE.match(raw)
        level, text = (tagged[1], tagged[2]) if tagged else (level, raw)   # untagged: a continued line
        if text.startswith(("Input #1", "Stream mapping", "Output #")):
            in_header = False
        if level == "info" and in_header:
            header.append(text)
        elif level in ("error", "fatal", "panic"):
            errors.append(text.strip())
    if any(ffmpeg.NOT_PLAIN in line for line in errors):
        return Probe(error="not plain media")
    try:
        info = ffmpeg.read_info("\n".join(header), path)
    except ffmpeg.FFmpegError:
        return Probe(error="unreadable")
    present = info.video_codec if stream == "v" else info.audio_codec
    if present is None or not info.duration:
        return Probe(media=info)   # the probe's verdict; what decoding a missing stream says is moot
    short = _index_outruns_file("\n".join(header))
    if short:
        return Probe(media=info, damage=short)
    telling = [line for line in errors if _TELLING.search(line)]
    if result.returncode == 0 and not telling:
        return Probe(media=info)
    return Probe(media=info, damage=(telling or errors or [f"ffmpeg exited {result.returncode}"])[0])


def _index_outruns_file(header: str) -> str:
    """Why an MP4 or MOV file is cut short, from its header alone ("" if it is not): such a
    file's index (at its start, for the web) lists every sample and its size, and ffmpeg gives
    each stream's bitrate from those sizes, while the file's own bitrate is its size over its
    duration. A whole file holds at least what its index lists; one cut anywhere before the
    last seconds (where the tail read finds nothing past the end, silently) holds less."""
    if not re.search(r"^Input #0, mov,mp4", header, re.M):
        return ""
    overall = re.search(r"Duration: .*bitrate: (\d+) kb/s", header)
    listed = sum(int(found[1]) for found in re.finditer(r"^\s*Stream #0:\d+.*?(\d+) kb/s", header, re.M))
    if overall is None or not listed or int(overall[1]) >= 0.95 * listed:
        return ""
    return f"the file holds about {100 * int(overall[1]) // listed}% of the media its index lists"


_STILL_CODECS = {"png", "mjpeg", "webp", "bmp", "gif", "tiff"}


def judge(use: Use, found: Probe) -> list[str]:
    """The problems with one use of a file, given its probe; [] when it can be used."""
    name = f"{use.what} '{use.written}'"
    if found.error == "missing":
        return [f"{name} not found (looked in {use.path.parent}){did_you_mean_file(use.written, use.path)}"]
    if found.error == "empty":
        return [f"{name} is an empty file (0 bytes)"]
    if found.error == "not plain media":
        return [f"{name} is a playlist or a list of other files, not a media file; film reads only plain "
                "media files (MP4, MOV, MKV, WebM, WAV, MP3, FLAC, ...)"]
    if use.kind == "picture":
        if found.picture is None:
            if found.error == "unreadable":
                return [f"{name} is not a picture (Pillow cannot identify it; use PNG, JPEG or WebP)"]
            return [f"{name} cannot be read: {found.error}"]
        if found.damage:
            return [f"{name} is damaged or cut short ({found.damage})"]
        return _size_problems(name, found.picture)
    info = found.media
    if use.kind == "video":
        if info is None:
            return [f"{name} is not a readable video"]
        if info.video_codec is None:
            return [f"{name} has no video stream" + (" (it holds only sound: use it as music or an sfx)"
                                                        if info.audio_codec else "")]
        if not info.duration:
            still = " (a still picture? give it as 'image:')" if info.video_codec in _STILL_CODECS else ""
            return [f"{name} has no duration{still}"]
        problems = _trim_problems(name, use.footage, info)
        if found.damage:
            problems.append(f"{name} is damaged or cut short ({found.damage})")
        return problems
    if info is None:
        return [f"{name} is not a readable audio file"]
    if found.silent:
        return [f"{name}: no speech found in the recording (it is silent, or holds only a steady sound)"]
    if info.audio_codec is None:
        return [f"{name} has no sound (no audio stream)"]
    if not info.duration:
        return [f"{name} is 0 s long"]
    if found.damage:
        return [f"{name} is damaged or cut short ({found.damage})"]
    return []


def _size_problems(name: str, picture: Picture) -> list[str]:
    """A picture too large for stills to read even reduced (JPEG decodes at down to 1/8 scale,
    other formats whole): the still generator's own limit, said before the build."""
    from .generators.still import MAX_DECODED_PIXELS

    scale = 8 if picture.format == "JPEG" else 1
    if (picture.width // scale) * (picture.height // scale) <= MAX_DECODED_PIXELS:
        return []
    return [f"{name} is {picture.width}x{picture.height} ({picture.width * picture.height / 1e6:.0f} megapixels), "
            f"too large to read; scale it below {MAX_DECODED_PIXELS * scale * scale / 1e6:.0f} megapixels"]


def _trim_problems(name: str, footage: Footage | None, info: ffmpeg.MediaInfo) -> list[str]:
    """`in`/`out` of footage against the source's length (a source frame of slack at the end,
    since container and stream lengths differ by up to a frame)."""
    if footage is None or info.duration is None:
        return []
    length = info.duration
    slack = 1 / info.fps if info.fps else 0.05
    problems = []
    if footage.start >= length:
        problems.append(f"{name} is {length:.2f} s long; its in point {footage.start:g} s is past the end")
    if footage.end is not None and footage.end > length + slack:
        problems.append(f"{name} is {length:.2f} s long; its out point {footage.end:g} s is past the end")
    if footage.end is not None and footage.end <= footage.start:
        problems.append(f"{name}: its out point ({footage.end:g} s) must be after its in point ({footage.start:g} s)")
    return problems


@dataclass(frozen=True)
class Measures:
    """What the plan needs to know from files: each footage file (`footage_files`), and each
    line's audio by (speaker, text) — None for a film without speech, timed by reading — with
    the results of the speech jobs that ran (`build.run.JobResult`)."""

    footage: dict[Path, FootageFile]
    speech: Mapping[tuple, Spoken] | None = None
    results: tuple = ()


def measure(board: Storyboard, cache: Cache, probes: Probes | None = None, synthesise: bool = True,
            force: bool = False, workers: int | None = None, reporter=None, executor=None,
            keep_going: bool = False) -> Measures:
    """Measure `board`: its footage from `probes` (`check_media`'s; probed here when None) and
    its speech, synthesised and aligned as cached jobs run through `build.run.execute` (told to
    `reporter` as the "speech" stage, on `executor`: threads when None). With `synthesise=False` nothing is made or written:
    speech already in the cache is used as it is and the rest is estimated from its words.
    Raises StoryboardError for a voice-over that cannot be read, JobError for a job that fails."""
    from .audio import speech
    from .build.run import QuietReporter, execute, to_run

    footage = footage_files(probes if probes is not None else probe_all(board, cache=cache))
    if not board.project.speech:
        return Measures(footage)
    if not synthesise:
        return Measures(footage, speech.spoken_without_synthesis(board, cache))
    jobs, collect = speech.jobs(board, cache)
    reporter = reporter or QuietReporter()
    reporter.stage("speech", len(jobs), to_run(jobs, cache, force))
    results = execute(jobs, cache, force=force, workers=workers, reporter=reporter, executor=executor,
                      keep_going=keep_going)
    return Measures(footage, collect(), tuple(results))
