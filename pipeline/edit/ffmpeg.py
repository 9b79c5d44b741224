"""Running ffmpeg: the binary from `imageio-ffmpeg` (no system install), argument lists only,
and errors that say what failed."""

from __future__ import annotations

import errno
import os
import re
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import imageio_ffmpeg

from ..errors import DISK_ERRORS
from . import children


@lru_cache(maxsize=1)
def exe() -> str:
    """Path of the ffmpeg binary shipped by imageio-ffmpeg."""
    return imageio_ffmpeg.get_ffmpeg_exe()


@lru_cache(maxsize=1)
def require() -> str:
    """The ffmpeg binary, checked once to run (`ffmpeg -version`); raises FilmError (exit 1)
    naming it and where it came from (`IMAGEIO_FFMPEG_EXE` or the imageio-ffmpeg package), so
    that a broken one is one clear answer before anything is made, not a failed job."""
    from ..errors import FilmError, Problem

    chosen = os.environ.get("IMAGEIO_FFMPEG_EXE")
    where = f"IMAGEIO_FFMPEG_EXE={chosen}" if chosen else "imageio-ffmpeg's ffmpeg"
    try:
        path = exe()
        subprocess.run([path, "-version"], capture_output=True, check=True, timeout=60)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        reason = getattr(error, "strerror", None) or str(error).splitlines()[0]
        raise FilmError([Problem(where, 0, f"cannot run ffmpeg ({reason}); "
                                            + ("unset it, or name a working ffmpeg" if chosen
                                               else "reinstall it: pip install --force-reinstall imageio-ffmpeg"))]) from None
    return path


# The containers a writer's media may be in. Only these demuxers open a writer's file, and only
# from the local file system: a playlist (HLS `.m3u8`), a concat list or any other format that
# names further files or URLs would let a shared project read files outside itself into the cut.
PLAIN_MEDIA = ",".join((
    "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpeg", "mpegts", "asf", "flv", "mxf",
    "ivf", "h264", "hevc", "m4v", "wav", "w64", "aiff", "caf", "mp3", "flac", "ogg", "aac",
    "gif", "image2", "png_pipe", "jpeg_pipe", "webp_pipe", "tiff_pipe", "bmp_pipe", "gif_pipe"))
NOT_PLAIN = "not on whitelist"   # what ffmpeg says of a file in another format


def media_input(path: str | Path) -> list[str]:
    """ffmpeg arguments that open a writer's media file `path` as an input (`-i`), in one of the
    `PLAIN_MEDIA` containers and from the local file system only."""
    return ["-format_whitelist", PLAIN_MEDIA, "-protocol_whitelist", "file", "-i", str(path)]


class FFmpegError(RuntimeError):
    """ffmpeg exited non-zero; the message ends with the tail of what it printed."""


# Why the system stops a process, in the words a user can act on (a negative return code is
# the signal that ended it).
SIGNALS = {signal.SIGXFSZ: DISK_ERRORS[errno.EFBIG],
           signal.SIGKILL: "killed (out of memory, or stopped by hand)",
           signal.SIGSEGV: "crashed (segmentation fault)",
           signal.SIGTERM: "stopped (terminated)"}


def failure(what: str, returncode: int, stderr: str) -> FFmpegError:
    """The FFmpegError for an ffmpeg run that returned `returncode`, with the last lines it
    printed; a process ended by a signal says which and what it usually means."""
    tail = "\n".join(stderr.strip().splitlines()[-8:])
    for code, meaning in DISK_ERRORS.items():
        if os.strerror(code) in stderr:   # its own lines say only which packet it was writing
            return FFmpegError(f"{what}: ffmpeg could not write: {meaning}")
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        meaning = SIGNALS.get(-returncode, "")
        how = f"ffmpeg was stopped by {name}" + (f": {meaning}" if meaning else "")
    else:
        how = f"ffmpeg exited {returncode}"
    return FFmpegError(f"{what}: {how}" + (f": {tail}" if tail else ""))


# Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN); a long shot's camera move
# carries its settings for every frame in its filter graph, which can be longer.
LONGEST_ARGUMENT = 64 * 1024


@contextmanager
def _command(head: list[str], args: Sequence[str | Path]) -> Iterator[list[str]]:
    """`head` + `args` as one command, where a filter graph longer than `LONGEST_ARGUMENT`
    characters is read by ffmpeg from a temporary file (`-/filter_complex FILE`) instead."""
    command, files = [*head], []
    items = [str(a) for a in args]
    try:
        for i, item in enumerate(items):
            if item == "-filter_complex" and i + 1 < len(items) and len(items[i + 1]) > LONGEST_ARGUMENT:
                handle = tempfile.NamedTemporaryFile("w", suffix=".filtergraph", delete=False, encoding="utf-8")
                with handle:
                    handle.write(items[i + 1])
                files.append(handle.name)
                item = "-/filter_complex"
                items[i + 1] = handle.name
            command.append(item)
        yield command
    finally:
        for name in files:
            Path(name).unlink(missing_ok=True)


def run(args: Sequence[str | Path], what: str = "ffmpeg", stdin: bytes | None = None) -> None:
    """Run ffmpeg with `args` (a list, never a shell string); raise FFmpegError on failure.

    `stdin`, if given, is fed to ffmpeg's standard input (for an input named `-`).
    """
    head = [exe(), "-hide_banner", "-loglevel", "error", "-y"]
    if stdin is None:
        head.insert(2, "-nostdin")
    with _command(head, args) as command:
        result = children.run(command, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise failure(what, result.returncode, result.stderr.decode("utf-8", "replace"))


def output(args: Sequence[str | Path], what: str = "ffmpeg") -> str:
    """Run ffmpeg at the info log level and return what it printed (for its measurements)."""
    with _command([exe(), "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-y"], args) as command:
        result = children.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    if result.returncode != 0:
        raise failure(what, result.returncode, result.stderr)
    return result.stderr


@dataclass(frozen=True)
class MediaInfo:
    """What `ffmpeg -i` says about a file: duration and its first video and audio streams."""

    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    video_codec: str | None
    audio_codec: str | None
    sample_rate: int | None


def select_frames(numbers) -> str:
    """A `select` filter expression true on the frames numbered `numbers` (0-based): their
    `eq(n,K)` terms summed as a balanced tree, since ffmpeg's expression parser refuses a flat
    sum of more than 100 terms (a film of 34 shots asks 102 frames)."""
    def tree(found: list[int]) -> str:
        if len(found) == 1:
            return f"eq(n\\,{found[0]})"
        middle = len(found) // 2
        return f"({tree(found[:middle])}+{tree(found[middle:])})"

    return tree(sorted(set(numbers)))


def probe(path: str | Path) -> MediaInfo:
    """Read a media file's header (imageio-ffmpeg ships no ffprobe, so parse `ffmpeg -i`).
    Raises FFmpegError when it is not readable media."""
    return read_info(header(path), path)


def header(path: str | Path) -> str:
    """What `ffmpeg -i` prints about a file: run once per version of the file (its size and
    modification time) per process, since planning, the footage sound and every segment of a
    footage shot all ask about the same file."""
    try:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, -1)   # missing: ffmpeg says so, and a file that appears later is asked anew
    return _header(str(path), *stamp)


@lru_cache(maxsize=1024)
def _header(path: str, mtime_ns: int, size: int) -> str:
    return children.run([exe(), "-hide_banner", "-nostdin", *media_input(path)],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace").stderr


def read_info(text: str, path: str | Path) -> MediaInfo:
    """MediaInfo from what ffmpeg printed about its first input at the info level; raises
    FFmpegError when that says it is not readable media."""
    if NOT_PLAIN in text:
        raise FFmpegError(f"{path}: not a plain media file (a playlist or a list of other files?)")
    if "Invalid data found" in text or "No such file" in text or "Stream #" not in text:
        raise FFmpegError(f"{path}: not a readable media file")
    duration = None
    found = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if found:
        duration = int(found[1]) * 3600 + int(found[2]) * 60 + float(found[3])
    video = re.search(r"Stream #[^\n]*Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})[^\n]*", text)
    fps = None
    if video:
        rate = re.search(r"([\d.]+) fps", video[0]) or re.search(r"([\d.]+) tbr", video[0])
        fps = float(rate[1]) if rate else None
    audio = re.search(r"Stream #[^\n]*Audio: (\w+)[^\n]*?(\d+) Hz", text)
    return MediaInfo(
        duration=duration,
        width=int(video[2]) if video else None,
        height=int(video[3]) if video else None,
        fps=fps,
        video_codec=video[1] if video else None,
        audio_codec=audio[1] if audio else None,
        sample_rate=int(audio[2]) if audio else None,
    )


def filter_path(path: str | Path) -> str:
    """A path escaped for use as a filter option value inside a -filter_complex graph.

    Two levels: the option parser splits on `:` and unquotes `'`; the graph parser before it
    splits on `[],;` and also consumes one level of backslashes.
    """
    def escape(text: str, special: str) -> str:
        return "".join("\\" + c if c in special else c for c in text)

    return escape(escape(str(path), "\\':"), "\\'[],;")
