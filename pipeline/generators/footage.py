"""Footage: a user's video file, trimmed to its `in`/`out` and conformed to the project's fps,
size, pixel aspect and colour when the editor reads it (no intermediate file, so its frames are
encoded only once; see `edit.sources.VideoClip`)."""

from __future__ import annotations

from ..edit.sources import VideoClip
from .still import WHITE
from ..plan import ShotPlan
from .base import Context, Prepared


class Footage:
    name = "footage"
    version = "1"

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        assert shot.footage is not None and shot.footage_path is not None
        digest = ctx.cache.digest(shot.footage_path)
        start = shot.footage.start - float(shot.head / ctx.fmt.fps)
        # Transparent footage (a GIF, ProRes 4444, PNG-in-MOV) shows the shot's background, white
        # unless it says otherwise, as a transparent still does.
        return Prepared(VideoClip(key=f"{self.version}:{digest}", path=shot.footage_path, offset=start,
                                  total=shot.head + shot.frames + shot.tail, background=shot.background or WHITE), None)
