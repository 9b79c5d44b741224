"""The cut for editors that do not read OpenTimelineIO itself: the timeline of `export.otio`
written through OTIO's adapter packages (the `editors` extra), each one format.

- `fcp7xml`: Final Cut Pro 7 XML (`otio-fcp-adapter`), which Premiere and DaVinci Resolve import:
  every track, the transitions (each as a cross dissolve: the adapter writes no other), the
  markers;
- `edl`: a CMX 3600 edit decision list (`otio-cmx3600-adapter`): the picture only (the format
  holds one picture track and at most two sound tracks, and carries every transition as a
  dissolve), a reel per shot (SHOT001, ...: the format keeps 8 characters of a name), each
  clip's file and shot id in comments;
- `kdenlive`: a Kdenlive project (`otio-kdenlive-adapter`, which its authors no longer keep:
  Kdenlive 25.04 and later open timeline.otio directly, transitions included, which the
  adapter leaves out).
"""

from __future__ import annotations

import contextlib
import copy
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..build.run import BuildResult
from ..cache import atomic
from ..errors import FilmError, Problem


@dataclass(frozen=True)
class Format:
    """One editor's format: OTIO's adapter for it, the file written, the package holding it,
    and whether it holds the picture only."""

    adapter: str
    file: str
    package: str
    picture_only: bool = False


FORMATS: dict[str, Format] = {
    "fcp7xml": Format("fcp_xml", "timeline.xml", "otio-fcp-adapter"),
    "edl": Format("cmx_3600", "timeline.edl", "otio-cmx3600-adapter", picture_only=True),
    "kdenlive": Format("kdenlive", "timeline.kdenlive", "otio-kdenlive-adapter"),
}


def requires(name: str) -> None:
    """Raise a FilmError when the adapter `name` needs is not installed (before any build)."""
    import opentimelineio as otio

    wanted = FORMATS[name]
    if wanted.adapter not in otio.adapters.available_adapter_names():
        raise FilmError([Problem("--format", 0, f"{name} is written by the package {wanted.package}, which is not "
                                                "installed: pip install 'film[editors]' (in a clone: pip install "
                                                "-e '.[editors]')")])


def writer(name: str) -> Callable[[BuildResult, Path], tuple[Path, ...]]:
    """The `write(result, renders)` of format `name`: renders/NAME/<its file> and the media."""
    wanted = FORMATS[name]

    def write(result: BuildResult, renders: Path) -> tuple[Path, ...]:
        import opentimelineio as otio

        from .otio import make

        timeline = copy.deepcopy(make(result))
        if wanted.picture_only:
            del timeline.tracks[1:]
            for n, clip in enumerate(timeline.find_clips(), 1):
                # a reel per shot: CMX 3600 keeps 8 characters of a name, which would merge shots
                clip.metadata["cmx_3600"] = {"reel": f"SHOT{n:03d}"}
        # These formats have no disabled track: the reference mix would play over the stems.
        for track in [t for t in timeline.tracks if not t.enabled]:
            timeline.tracks.remove(track)
        path = result.folder / wanted.file
        with atomic(path) as temp, contextlib.redirect_stdout(io.StringIO()):
            # (the Kdenlive adapter prints its deprecation and each transition it skips)
            otio.adapters.write_to_file(timeline, str(temp), adapter_name=wanted.adapter)
        return (path,)

    return write
