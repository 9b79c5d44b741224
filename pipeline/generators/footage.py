"""Footage: a user's video file, trimmed to its `in`/`out` and conformed to the project's fps,
size, pixel aspect and colour when the editor reads it (no intermediate file, so its frames are
encoded only once; see `edit.sources.VideoClip`)."""

from __future__ import annotations

from ..edit.sources import VideoClip
from .still import WHITE
from ..plan import FootageSource, ShotPlan
from .base import BaseGenerator, Context, Prepared


class Footage(BaseGenerator):
    name = "footage"
    version = "1"

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        source: FootageSource = shot.source
        digest = ctx.cache.digest(source.path)
        start = source.start - ctx.fmt.seconds(shot.head)
        # Transparent footage (a GIF, ProRes 4444, PNG-in-MOV) shows the shot's background, white
        # unless it says otherwise, as a transparent still does.
        return Prepared(VideoClip(key=f"{self.version}:{digest}", path=source.path, offset=start,
                                  total=shot.span, background=source.background or WHITE), None)
