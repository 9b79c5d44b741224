"""The marks laid on every frame of the cut (`watermark:` in the project): a visible one, drawn
here once per build as a full-frame picture with transparency (the writer's words in the
film's fonts, or their logo), and an invisible one (`pipeline.watermark`) that `film verify`
finds in a copy. Each segment's encode lays them over its frames with ffmpeg's filters (no
Python per frame), after the subtitles burnt in, so a mark is never under a caption and the
invisible one is in every pixel a viewer gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from ..camera import TITLE_SAFE
from ..spec import Watermark, resolve_asset
from .sources import to_film_colour

VISIBLE = "visible.png"
INVISIBLE = "invisible.png"


@dataclass(frozen=True)
class Marks:
    """The marks of a build, as files a mark job made: the visible picture (full frame, with
    transparency) and the invisible mark, either None when not asked for."""

    visible: Path | None = None
    invisible: Path | None = None


def place(position: str, box: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int]:
    """Top-left pixel of a `box` (width, height) at `position` inside the frame's title-safe
    area (`camera.TITLE_SAFE`): a corner of it, or the centre of the frame."""
    (w, h), (fw, fh) = box, frame
    margin_x, margin_y = round(fw * (1 - TITLE_SAFE) / 2), round(fh * (1 - TITLE_SAFE) / 2)
    if position == "centre":
        return (fw - w) // 2, (fh - h) // 2
    vertical, horizontal = position.split("-")
    return (margin_x if horizontal == "left" else fw - margin_x - w,
            margin_y if vertical == "top" else fh - margin_y - h)


def draw_visible(mark: Watermark, root: Path, width: int, height: int) -> Image.Image:
    """The visible mark on a transparent width x height frame: `mark.text` in white bold with a
    soft dark edge (legible on any picture), or the image `mark.image` (relative to `root`)
    scaled to `mark.size` of the frame's height, at `mark.opacity`."""
    from ..generators.drawing.text import draw_text, fit_line, text_width

    frame = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    tall = max(1, round(height * mark.size))
    if mark.image:
        with Image.open(resolve_asset(root, mark.image)) as found:
            logo = found.convert("RGBA")
        logo = logo.resize((max(1, round(logo.width * tall / logo.height)), tall), Image.Resampling.LANCZOS)
        logo = logo.crop((0, 0, min(logo.width, round(width * TITLE_SAFE)), tall))
    else:
        f, text = fit_line(mark.text, "bold", tall, max(8, tall // 3), width * TITLE_SAFE)
        edge = max(1, tall // 12)
        logo = Image.new("RGBA", (round(text_width(text, f)) + 4 * edge, tall + 4 * edge), (0, 0, 0, 0))
        draw = ImageDraw.Draw(logo)
        for dx in (-edge, 0, edge):   # the dark edge: the words drawn around themselves first
            for dy in (-edge, 0, edge):
                draw_text(draw, (2 * edge + dx, logo.height / 2 + dy), text, f, (0, 0, 0, 160), anchor="lm")
        draw_text(draw, (2 * edge, logo.height / 2), text, f, (255, 255, 255, 255), anchor="lm")
    alpha = logo.getchannel("A").point(lambda a: round(a * mark.opacity))
    logo.putalpha(alpha)
    frame.alpha_composite(logo, place(mark.position, logo.size, (width, height)))
    return frame


def inputs(marks: Marks) -> list[str]:
    """The ffmpeg inputs the marks add to a segment's encode, in the order `filters` reads them."""
    found = []
    if marks.visible is not None:
        found += ["-i", str(marks.visible)]
    if marks.invisible is not None:
        found += ["-loop", "1", "-i", str(marks.invisible)]
    return found


def filters(marks: Marks, first_input: int, last: str) -> tuple[list[str], str]:
    """Filter statements laying the marks (inputs from `first_input`) over stream `last`;
    returns them and the label of the marked stream."""
    statements = []
    n = first_input
    if marks.visible is not None:
        # Converted explicitly, as every overlay is (`sources.to_film_colour`): overlay's own is BT.601.
        statements += [f"[{n}:v]{to_film_colour('yuva420p')}[mark_v]",
                       f"[{last}][mark_v]overlay=0:0:format=yuv420[marked_v]"]
        last, n = "marked_v", n + 1
    if marks.invisible is not None:
        from .. import watermark

        # the mark's grey levels as they are: a conversion to limited range would shift its middle
        statements.append(watermark.mark_filter(last, f"{n}:v", "marked_i"))
        last = "marked_i"
    return statements, last
