"""The animatic: a storyboard panel per shot (setting, light, cast, caption, slate), moved by
the shot's camera. No model, no weights, deterministic to the byte."""

from __future__ import annotations

from pathlib import Path

from ..camera import canvas_size
from ..edit.sources import ImageMove
from ..plan import ShotPlan
from ..cache import make_job
from .base import BaseGenerator, Context, Prepared
from .drawing.request import PanelRequest


class Animatic(BaseGenerator):
    name = "animatic"
    made_by = "algorithmicMedia"
    version = "4"  # 4: staged from the words (set per scene, props, poses, shot sizes); 3: every script drawn

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        width, height = canvas_size(ctx.fmt.width, ctx.fmt.height)
        request = PanelRequest(
            width=width, height=height, frame_width=ctx.fmt.width, frame_height=ctx.fmt.height,
            setting=shot.heading.setting, location=shot.heading.location, time_of_day=shot.heading.time_of_day,
            cast=shot.cast, caption=shot.action, scene_label=shot.scene_label, shot_id=shot.id,
            camera=shot.camera, seed=shot.seed,
            action=shot.action, scene_texts=ctx.scene_texts(shot), film_cast=ctx.film_cast(),
            # Where the film's subtitles sit (a player draws even sidecar ones): the caption and
            # slate take the other edge, on every panel of the film, so nothing covers them.
            subtitles_at="" if ctx.subtitles == "off" else getattr(ctx.subtitles, "position", "bottom"),
        )

        def run(out: Path) -> None:
            from .drawing import draw_background, draw_overlay

            out.mkdir(parents=True)
            draw_background(request).save(out / "background.png", compress_level=1)
            draw_overlay(request).save(out / "overlay.png", compress_level=1)

        job = make_job(ctx.cache, "shot", shot.id, {"generator": self.name, "version": self.version, "panel": request}, run)
        source = ImageMove(key=job.key, image=job.output / "background.png", overlay=job.output / "overlay.png",
                           move=shot.camera, total=shot.head + shot.frames + shot.tail)
        return Prepared(source, job)
