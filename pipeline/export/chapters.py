"""renders/NAME/chapters.txt and chapters.vtt: the film's chapters for where the MP4's own
chapter marks are not read: a video page's description (`0:00 Title` lines, the form YouTube
and Vimeo turn into chapters) and a web player (a WebVTT `chapters` track, written as the
subtitles are).

The chapters are the cut's (`graph.chapter_marks`): the same marks `final.mp4` carries. A film
without chapters has neither file (one left by an earlier build is removed).
"""

from __future__ import annotations

from pathlib import Path

from ..build.graph import chapter_marks
from ..build.run import BuildResult
from ..cache import write_text
from ..subtitles import write_vtt_text

TEXT = "chapters.txt"
VTT = "chapters.vtt"


def clock(ms: int) -> str:
    """`m:ss`, or `h:mm:ss` from an hour, of a time in milliseconds (rounded down to the second,
    as video pages read them)."""
    seconds = ms // 1000
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def description(marks: list[tuple[int, int, str]]) -> str:
    """The chapters as a video description's lines: `0:00 Opening`, one per chapter."""
    return "".join(f"{clock(start)} {title}\n" for start, _, title in marks)


def write(result: BuildResult, renders: Path) -> tuple[Path, ...]:
    """Write chapters.txt and chapters.vtt beside the cut (neither for a film without
    chapters, nor for a build of only some shots)."""
    folder = result.folder
    marks = chapter_marks(result.plan) if not result.partial else []
    if not marks:
        if not result.partial:
            for name in (TEXT, VTT):
                (folder / name).unlink(missing_ok=True)
        return ()
    write_text(folder / TEXT, description(marks))
    write_vtt_text(marks, folder / VTT)
    return folder / TEXT, folder / VTT
