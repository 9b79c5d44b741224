"""Stills: a photograph, diagram or painting, read as a viewer sees it, shown whole and moved by
the shot's camera (Ken Burns).

"Shown whole": a picture of the canvas's shape (within ASPECT_TOLERANCE) covers the canvas, as
before. Any other is scaled to fit inside the part of the canvas that every framing of every move
keeps in view (the camera's keep box, the central 90%: see pipeline.camera), so even the
tightest framing of a zoom shows all of it, its edges and any caption on them; the rest of the
canvas is filled from the picture itself, a cover-scaled copy strongly blurred and darkened, as
editors fill pillar- and letterboxes, so there are no flat bars.

"As a viewer sees it": turned upright by its EXIF orientation, its colour managed to sRGB by an
embedded ICC profile, any bit depth or mode (16-bit, palette, greyscale, CMYK, ...) brought to
8-bit RGB with its tones kept, and any transparency composited on a background (white unless the
shot says `background:`), as an image viewer or a browser shows it on a page. A very large
picture is decoded reduced where its format can (JPEG) and shrunk early, not refused.
"""

from __future__ import annotations

import io
import math
import struct
from pathlib import Path

from PIL import Image, ImageCms, ImageFilter, ImageOps, UnidentifiedImageError

from ..camera import SAFE_BOX, Box, canvas_size
from ..edit.sources import ImageMove
from ..plan import ShotPlan, StillSource
from ..cache import make_job
from .base import BaseGenerator, Context, Prepared

WHITE = (255, 255, 255)
# Pillow refuses pictures over 2 x Image.MAX_IMAGE_PIXELS (179 megapixels) as possible
# decompression bombs. A still is the user's own file, so a large one is read, reduced; this is
# the limit on what is decoded at once (RGBA: 4 bytes a pixel), past which reading is refused.
MAX_DECODED_PIXELS = 600_000_000
# Orientations (EXIF 274) that swap width and height.
_TURNED = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112
_REDUCIBLE = ("L", "LA", "RGB", "RGBA", "CMYK")
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# A picture whose aspect is within this fraction of the canvas's covers it (what a cover crop
# loses is at most this much of the picture); any other is fitted whole inside the keep box.
ASPECT_TOLERANCE = 0.01
# The fill round a fitted picture: its cover-scaled copy, blurred at FILL_SHRINK times smaller
# with a Gaussian of FILL_BLUR of the canvas's width (at full size), and its light scaled by FILL_LIGHT.
FILL_SHRINK = 8
FILL_BLUR = 0.04
FILL_LIGHT = 0.4


class PictureTooLarge(ValueError):
    """A picture that would take more memory to decode than MAX_DECODED_PIXELS allows."""


def open_picture(path: Path) -> Image.Image:
    """Open `path` lazily (header only), whatever its pixel count; close it after use.

    Raises PIL.UnidentifiedImageError (an OSError) if no Pillow plugin reads it.
    """
    # Image.open's own plugin loop, less its decompression-bomb check: that check reads the
    # module-wide Image.MAX_IMAGE_PIXELS, which cannot be lifted for one call without racing
    # other threads. MAX_DECODED_PIXELS guards the decoding instead.
    handle = open(path, "rb")
    prefix = handle.read(16)
    for loader in (Image.preinit, Image.init):
        loader()
        for name in tuple(Image.ID):
            factory, accept = Image.OPEN[name]
            try:
                accepted = not accept or accept(prefix)
                if accepted and not isinstance(accepted, str):
                    handle.seek(0)
                    image = factory(handle, str(path))
                    image._exclusive_fp = True   # closing the image closes the file, as Image.open's would
                    return image
            except (SyntaxError, IndexError, TypeError, struct.error):
                continue
    handle.close()
    raise UnidentifiedImageError(f"cannot identify image file {str(path)!r}")


def _eight_bit(image: Image.Image) -> Image.Image:
    """Greyscale of more than 8 bits (16-bit PNG/TIFF: I;16*, I; float: F) to 8-bit L, tones kept."""
    if image.mode.startswith("I;16"):
        image = image.convert("I")
        return image.point(lambda v: v * (255 / 65535)).convert("L")
    if image.mode == "I":
        top = image.getextrema()[1]
        return image.point(lambda v: v * (255 / 65535)).convert("L") if top > 255 else image.convert("L")
    if image.mode == "F":
        top = image.getextrema()[1]
        return image.point(lambda v: v * 255).convert("L") if top <= 1.0 else image.convert("L")
    if image.mode == "1":
        return image.convert("L")
    return image


def _plain(image: Image.Image) -> Image.Image:
    """The picture in L, LA, RGB, RGBA or CMYK at 8 bits a channel, transparency as alpha."""
    image = _eight_bit(image)
    transparent = "transparency" in image.info    # a palette index or a colour (PNG tRNS, GIF)
    if image.mode in ("LA", "RGBA") or (image.mode in ("L", "RGB", "CMYK") and not transparent):
        return image
    if image.mode == "LAB":   # CIELAB (TIFF, PSD): Pillow's convert has no path to RGB, LittleCMS does
        return ImageCms.profileToProfile(image, ImageCms.createProfile("LAB"), _SRGB, outputMode="RGB")
    alpha = transparent or image.mode in ("PA", "La", "RGBa")
    return image.convert("RGBA" if alpha else "RGB")


def decode_reduced(image: Image.Image, width: int, height: int) -> Image.Image:
    """Decode an opened `image` (see `open_picture`) no larger than needed to cover width x
    height pixels at twice the detail: JPEG decodes at 1/2, 1/4 or 1/8 scale, anything else is
    box-reduced right after decoding. The result is in one of L, LA, RGB, RGBA, CMYK.

    Raises PictureTooLarge if what must be decoded exceeds MAX_DECODED_PIXELS.
    """
    turned = image.getexif().get(_EXIF_ORIENTATION) in _TURNED
    image.draft(None, (2 * height, 2 * width) if turned else (2 * width, 2 * height))
    pixels = image.width * image.height
    if pixels > MAX_DECODED_PIXELS:
        raise PictureTooLarge(
            f"{image.filename}: {image.width}x{image.height} ({pixels / 1e6:.0f} megapixels) is too large to "
            f"read; scale it below {MAX_DECODED_PIXELS / 1e6:.0f} megapixels")
    image.load()
    # Upright first: converting or reducing drops what a TIFF keeps its orientation in.
    ImageOps.exif_transpose(image, in_place=True)
    factor = min(image.width // (2 * width), image.height // (2 * height))
    if factor >= 4 and image.mode not in _REDUCIBLE:
        # Palette and 16-bit pictures have no box reduction, and converting a huge one first
        # takes seconds: sample every step-th pixel, keeping at least 4x the detail needed.
        step = factor // 2
        image = image.resize((image.width // step, image.height // step), Image.Resampling.NEAREST)
    image = _plain(image)
    factor = min(image.width // (2 * width), image.height // (2 * height))
    if factor >= 2 and image.mode in _REDUCIBLE:
        image = image.reduce(factor)   # a box filter: the Lanczos fit after it sees a smaller, sharp picture
    return image


def _colour_managed(image: Image.Image) -> Image.Image:
    """The picture in sRGB (RGB or RGBA) through its embedded ICC profile, if it has one."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        output = "RGBA" if image.mode == "RGBA" else "RGB"
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode=output)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass   # a broken or mismatched profile: read the pixels as sRGB, as most viewers do
    return image if image.mode in ("RGB", "RGBA") else image.convert("RGBA" if "A" in image.mode else "RGB")


def viewed(image: Image.Image, background: tuple[int, int, int] = WHITE) -> Image.Image:
    """A decoded picture (any mode) as a viewer sees it, as 8-bit RGB: upright, in sRGB, alpha
    composited on `background` (an RGB triple, 0-255)."""
    image = _plain(image)
    ImageOps.exif_transpose(image, in_place=True)
    picture = _colour_managed(image)
    if picture.mode == "RGBA":
        picture = Image.alpha_composite(Image.new("RGBA", picture.size, (*background, 255)), picture)
    return picture.convert("RGB")


def cover(image: Image.Image, width: int, height: int) -> Image.Image:
    """Scale `image` to cover width x height and crop the overflow evenly (no bars, no squash)."""
    return ImageOps.fit(image, (width, height), method=Image.Resampling.LANCZOS, centering=(0.5, 0.5))


def same_shape(image: Image.Image, width: int, height: int) -> bool:
    """Whether `image` has the shape of a width x height canvas within ASPECT_TOLERANCE, past what
    rounding the canvas to whole (even) pixels makes of the frame's shape (a 64x36 frame's canvas
    is 80x46, 2% taller than 16:9)."""
    ratio = (image.width * height) / (image.height * width)
    rounding = (1 + 1 / width) * (1 + 1 / height)
    return max(ratio, 1 / ratio) <= (1 + ASPECT_TOLERANCE) * rounding


def fitted_box(size: tuple[int, int], width: int, height: int, keep: Box = SAFE_BOX) -> tuple[int, int, int, int]:
    """Where a picture of `size` lies on a width x height canvas when fitted whole inside `keep`
    (fractions of the canvas), centred on it: left, top, right, bottom in whole pixels."""
    x0, y0, x1, y1 = keep
    left, top = math.ceil(x0 * width - 1e-9), math.ceil(y0 * height - 1e-9)
    right, bottom = math.floor(x1 * width + 1e-9), math.floor(y1 * height + 1e-9)
    scale = min((right - left) / size[0], (bottom - top) / size[1])
    w = min(max(1, round(size[0] * scale)), right - left)
    h = min(max(1, round(size[1] * scale)), bottom - top)
    x = left + (right - left - w) // 2
    y = top + (bottom - top - h) // 2
    return x, y, x + w, y + h


def backdrop(image: Image.Image, width: int, height: int) -> Image.Image:
    """The fill round a fitted picture: `image` covering width x height, strongly blurred and
    darkened (blurred small and scaled up, so its cost does not grow with the canvas)."""
    small = (max(1, round(width / FILL_SHRINK)), max(1, round(height / FILL_SHRINK)))
    fill = ImageOps.fit(image, small, method=Image.Resampling.BOX, centering=(0.5, 0.5))
    fill = fill.filter(ImageFilter.GaussianBlur(FILL_BLUR * width / FILL_SHRINK))
    fill = fill.point(lambda v: round(v * FILL_LIGHT))
    return fill.resize((width, height), Image.Resampling.BICUBIC)


def whole(image: Image.Image, width: int, height: int, keep: Box = SAFE_BOX) -> Image.Image:
    """`image` (RGB) on a width x height canvas, all of it inside `keep` (fractions of the canvas)
    on a fill drawn from itself; or covering the canvas when it has the canvas's shape already."""
    if same_shape(image, width, height):
        return cover(image, width, height)
    x0, y0, x1, y1 = fitted_box(image.size, width, height, keep)
    canvas = backdrop(image, width, height)
    canvas.paste(image.resize((x1 - x0, y1 - y0), Image.Resampling.LANCZOS), (x0, y0))
    return canvas


def load_picture(path: Path, width: int, height: int, background: tuple[int, int, int] = WHITE) -> Image.Image:
    """The picture at `path` as a viewer sees it, shown whole on width x height pixels (RGB):
    see `whole`.

    Raises OSError if `path` is not a readable picture, PictureTooLarge if even reduced it
    would decode to more than MAX_DECODED_PIXELS.
    """
    with open_picture(path) as original:
        return whole(viewed(decode_reduced(original, width, height), background), width, height)


class Still(BaseGenerator):
    name = "still"
    version = "3"   # 3: shown whole on a fill from itself, not cover-cropped

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        source: StillSource = shot.source
        width, height = canvas_size(ctx.fmt.width, ctx.fmt.height)
        image_path = source.image
        background = source.background or WHITE

        def run(out: Path) -> None:
            load_picture(image_path, width, height, background).save(out, format="PNG", compress_level=1)

        inputs = {"generator": self.name, "version": self.version, "image": ctx.cache.digest(image_path),
                  "canvas": [width, height], "background": list(background)}
        job = make_job(ctx.cache, "still", shot.id, inputs, run, suffix=".png")
        return Prepared(ImageMove(key=job.key, image=job.output, move=shot.camera, total=shot.span), job)
