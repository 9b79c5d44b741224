"""Footage: a user's video file, trimmed to its `in`/`out` and conformed to the project's fps and
size when the editor reads it (no intermediate file, so its frames are encoded only once)."""

from __future__ import annotations

from ..edit.sources import VideoClip
from ..plan import ShotPlan
from .base import Context, Prepared


class Footage:
    name = "footage"
    version = "1"

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        assert shot.footage is not None and shot.footage_path is not None
        digest = ctx.cache.digest(shot.footage_path)
        start = shot.footage.start - float(shot.head / ctx.fmt.fps)
        return Prepared(VideoClip(key=f"{self.version}:{digest}", path=shot.footage_path, offset=start,
                                  total=shot.head + shot.frames + shot.tail), None)
