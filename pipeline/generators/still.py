"""Stills: a photograph, diagram or painting, cover-cropped to the frame and moved by the
shot's camera (Ken Burns)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps

from ..edit.camera import canvas_size
from ..edit.sources import ImageMove
from ..plan import ShotPlan
from ..cache import make_job
from .base import Context, Prepared


def cover(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale `image` to cover width x height and crop the overflow evenly (no bars, no squash)."""
    return ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))


class Still:
    name = "still"
    version = "1"

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        assert shot.image is not None
        width, height = canvas_size(ctx.fmt.width, ctx.fmt.height)
        image_path = shot.image

        def run(out: Path) -> None:
            with Image.open(image_path) as original:
                picture = ImageOps.exif_transpose(original).convert("RGB")
            cover(picture, width, height).save(out, format="PNG", compress_level=1)

        inputs = {"generator": self.name, "version": self.version, "image": ctx.cache.digest(image_path),
                  "canvas": [width, height]}
        job = make_job(ctx.cache, "still", shot.id, inputs, run, suffix=".png")
        return Prepared(ImageMove(key=job.key, image=job.output, move=shot.camera,
                                  total=shot.head + shot.frames + shot.tail), job)
