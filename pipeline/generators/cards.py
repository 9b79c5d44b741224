"""Cards: the opening title, text cards (centred text in a screenplay) and the credits roll."""

from __future__ import annotations

from pathlib import Path

from ..camera import canvas_size
from ..edit.sources import ImageMove, Scroll
from ..plan import CardSource, ShotPlan
from ..cache import make_job
from .base import BaseGenerator, Context, Prepared
from .drawing import draw_credits, draw_text_card, draw_title_card


class Cards(BaseGenerator):
    name = "card"
    made_by = "algorithmicMedia"
    version = "2"   # 2: a card keeps the line breaks of its text

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        total = shot.span
        fmt = ctx.fmt
        card: CardSource = shot.source
        if shot.kind == "credits":
            def run(out: Path) -> None:
                draw_credits(fmt.width, fmt.height, card.credits).save(out, format="PNG", compress_level=1)

            inputs = {"card": "credits", "version": self.version, "credits": card.credits, "size": [fmt.width, fmt.height]}
            job = make_job(ctx.cache, "card", shot.id, inputs, run, suffix=".png")
            return Prepared(Scroll(key=job.key, image=job.output, total=total), job)

        width, height = canvas_size(fmt.width, fmt.height)
        if shot.kind == "title":
            def run(out: Path) -> None:
                draw_title_card(width, height, card.text, card.subtitle).save(out, format="PNG", compress_level=1)
        else:
            def run(out: Path) -> None:
                draw_text_card(width, height, card.text).save(out, format="PNG", compress_level=1)

        inputs = {"card": shot.kind, "version": self.version, "text": card.text,
                  "subtitle": card.subtitle, "size": [width, height]}
        job = make_job(ctx.cache, "card", shot.id, inputs, run, suffix=".png")
        return Prepared(ImageMove(key=job.key, image=job.output, move=shot.camera, total=total), job)
