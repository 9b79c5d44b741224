"""A storyboard panel: its background (setting, light and cast) and the overlay above it (caption and slate)."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ...fonts import font
from .figures import _Figure, draw_figures, draw_tags
from .icons import paste_icon
from .palette import mix, palette, weathered
from .scenery import draw_set
from .staging import Composition, stage

try:  # posed figures (pose, facing, scale); the standing ones draw until they are there
    from .figures import draw_cast as _draw_cast  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _draw_cast = None
from .request import PanelRequest
from .text import DASH, DOT, clamp, draw_text, fit_line, line_height, text_width, wrap


# ---------------------------------------------------------------------------------------------
# Backgrounds


def compose(req: PanelRequest) -> Composition:
    """What the panel for `req` draws and where (see `staging.stage`)."""
    return stage(req.action or req.caption, req.setting, req.location, req.time_of_day, req.cast,
                 max(1, req.width), max(1, req.height), req.scene_texts, extra=req.camera)


def draw_background(req: PanelRequest) -> Image.Image:
    """The panel's canvas (RGB, `req.width` x `req.height`): the scene's set, framed for the
    shot's size, with the shot's props and cast staged on it (see `compose`).

    The set (sky, sea, headland and landmarks outdoors; a room with its furniture indoors; the
    scene's light and weather) depends only on the scene, so every shot of a scene shows the same
    one; a closer shot frames less of it, enlarged and so softened like a background out of
    focus. Props and vehicles are pictograms tinted in the scene's light; characters stand, sit,
    walk, run, climb or lie as the words say, at the shot's scale, in their own colours, with
    name tags. A point-of-view shot through a scope or binoculars is masked as one.
    """
    return render(req, compose(req))


def render(req: PanelRequest, comp: Composition) -> Image.Image:
    """Draw `comp` on a canvas of `req`'s size."""
    width, height = max(1, req.width), max(1, req.height)
    pal = weathered(palette(req.setting, req.time_of_day), comp.set.weather)
    ss = 2 if min(width, height) >= 360 else 4
    img = _framed(draw_set(comp.set, pal, width, height), comp.framing)
    if comp.props:
        _props(img, [p for p in comp.props if p.behind or not p.held_by], pal, held=False)
    people = list(comp.extras) + list(comp.figures)
    if people:
        _people(img, comp.extras, (), pal, ss, tags=False)
        _people(img, comp.figures, req.film_cast or req.cast, pal, ss, tags=True)
    if comp.props:
        _props(img, comp.props, pal, held=True)
    if comp.pov in ("scope", "binoculars"):
        img = _pov_mask(img, comp.pov, req.frame_width, req.frame_height)
    return img


def _framed(set_img: Image.Image, framing: tuple[float, float, float]) -> Image.Image:
    zoom, cx, cy = framing
    if zoom <= 1.001:
        return set_img.copy()
    w, h = set_img.size
    cw, ch = w / zoom, h / zoom
    left = min(max(cx * w - cw / 2, 0.0), w - cw)
    top = min(max(cy * h - ch / 2, 0.0), h - ch)
    return set_img.resize((w, h), Image.Resampling.BICUBIC, box=(left, top, left + cw, top + ch))


def _props(img: Image.Image, props, pal, held: bool) -> None:
    fill = mix(pal.paper, pal.light, 0.35) if pal.interior else mix(pal.paper, pal.sky_bottom, 0.35)
    for p in props:
        if bool(p.held_by) != held:
            continue
        line = pal.ink
        body = fill if p.kind in ("prop", "furniture") else mix(fill, pal.near, 0.35)
        paste_icon(img, p.icon, p.x, p.bottom, p.size, body, line, p.flip)


def _people(img: Image.Image, specs, film_cast, pal, ss: int, tags: bool) -> None:
    if not specs:
        return
    if _draw_cast is not None:
        _draw_cast(img, list(specs), tuple(film_cast), pal, ss, tags=tags)
        return
    # The standing figures, until posed ones are there to draw.
    w = img.size[0]
    figs = [_Figure(s.name, s.look, s.x, s.feet, s.height, min(w * 0.3, max(40.0, s.height * 0.9))) for s in specs]
    draw_figures(img, figs, pal, ss)
    if tags:
        draw_tags(img, [f for f in figs if f.feet - f.height > 0], pal)


def _pov_mask(img: Image.Image, kind: str, fw: int, fh: int) -> Image.Image:
    """A scope's round field with crosshairs, or binoculars' two, the rest dark."""
    w, h = img.size
    mask = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(mask)
    r = min(fw, fh) * 0.46
    if kind == "scope":
        d.ellipse((w / 2 - r, h / 2 - r, w / 2 + r, h / 2 + r), fill=255)
    else:
        for side in (-1, 1):
            cx = w / 2 + side * r * 0.62
            d.ellipse((cx - r * 0.78, h / 2 - r * 0.78, cx + r * 0.78, h / 2 + r * 0.78), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1.0, h / 300)))
    out = Image.composite(img, Image.new("RGB", (w, h), (6, 6, 10)), mask)
    if kind == "scope":
        d = ImageDraw.Draw(out)
        lw = max(1, round(h / 400))
        ink = (12, 12, 16)
        d.line([(w / 2 - r, h / 2), (w / 2 + r, h / 2)], fill=ink, width=lw)
        d.line([(w / 2, h / 2 - r), (w / 2, h / 2 + r)], fill=ink, width=lw)
        for k in (0.25, 0.5):
            t = r * k
            d.line([(w / 2 - t, h / 2 - r * 0.03), (w / 2 - t, h / 2 + r * 0.03)], fill=ink, width=lw)
            d.line([(w / 2 + t, h / 2 - r * 0.03), (w / 2 + t, h / 2 + r * 0.03)], fill=ink, width=lw)
        d.ellipse((w / 2 - r, h / 2 - r, w / 2 + r, h / 2 + r), outline=ink, width=lw * 3)
    return out


# ---------------------------------------------------------------------------------------------
# The overlay


def draw_overlay(req: PanelRequest) -> Image.Image:
    """The static layer over the moving panel (RGBA, frame size): the caption band and the slate.

    The caption is wrapped to at most three lines (ellipsised beyond) on a semi-transparent dark
    band at the bottom, or at the top when `caption_at` is "top"; no caption draws no band. The
    slate in the top-left corner (below a top band) reads "SC 2 · marcus · DOLLY-IN", with the
    scene heading below it when the frame is large enough. Everything else is fully transparent.

    Subtitles have their own area (`subtitles_at`), which the caption and slate keep out of:
    with subtitles at the bottom (their title-safe band; a player draws a sidecar's there too)
    the caption takes the top edge and the slate sits below it; with subtitles at the top the
    caption takes the bottom edge and the slate sits above it, in the bottom-left corner.
    """
    fw, fh = max(1, req.frame_width), max(1, req.frame_height)
    img = Image.new("RGBA", (fw, fh), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    margin = max(2, round(fh * 0.028))

    caption = " ".join(req.caption.split())
    caption_at = ("bottom" if req.subtitles_at == "top" else "top") if req.subtitles_at else req.caption_at
    slate_low = req.subtitles_at == "top"    # the slate to the bottom-left, above a bottom band
    top = 0   # where the slate may start: below a caption band at the top
    bottom = fh   # where a slate in the bottom-left corner must end: above a caption band there
    if caption:
        size = max(8, round(fh / 24))
        pad_x, pad_y = max(4, round(size * 1.2)), max(2, round(size * 0.5))
        f = font(size, "regular")
        lines = clamp(wrap(caption, f, fw - 2 * pad_x), f, fw - 2 * pad_x, 3)
        line_h = round(size * 1.3)
        band_h = len(lines) * line_h + 2 * pad_y
        band_top = 0 if caption_at == "top" else fh - band_h
        if caption_at == "top":
            top = band_h
        else:
            bottom = band_top
        draw.rectangle((0, band_top, fw, band_top + band_h), fill=(8, 8, 12, 168))
        ascent = f.getmetrics()[0]
        for i, line in enumerate(lines):
            baseline = band_top + pad_y + i * line_h + (line_h + ascent * 0.72) / 2
            draw_text(draw, (fw / 2, baseline), line, f, (250, 248, 240, 255), "ms")

    slate = DOT.join(part for part in (req.scene_label.strip(), req.shot_id.strip(), req.camera.strip().upper()) if part)
    heading = _heading(req)
    if slate or heading:
        size = max(7, round(fh / 40))
        pad = max(2, round(size * 0.5))
        accent = max(2, round(size * 0.22))
        max_text = fw - 2 * margin - 2 * pad - accent
        rows: list[tuple[ImageFont.FreeTypeFont, str, tuple[int, int, int, int]]] = []
        if slate:
            f, text = fit_line(slate, "bold", size, 6, max_text)
            rows.append((f, text, (250, 248, 240, 255)))
        if heading and fh >= 200:
            f, text = fit_line(heading, "regular", max(6, round(size * 0.8)), 6, max_text)
            rows.append((f, text, (206, 206, 214, 255)))
        if rows:
            heights = [line_height(f) for f, _, _ in rows]
            box_w = max(text_width(t, f) for f, t, _ in rows) + 2 * pad + accent
            box_h = sum(heights) + 2 * pad
            y0 = bottom - margin - box_h if slate_low else top + margin
            draw.rectangle((margin, y0, margin + box_w, y0 + box_h), fill=(8, 8, 12, 176))
            draw.rectangle((margin, y0, margin + accent - 1, y0 + box_h), fill=(232, 176, 64, 255))
            y = y0 + pad
            for (f, text, colour), lh in zip(rows, heights):
                draw_text(draw, (margin + accent + pad, y), text, f, colour, "la")
                y += lh
    return img


def _heading(req: PanelRequest) -> str:
    setting = req.setting.strip().upper()
    place = " ".join(req.location.split())
    head = f"{setting}. {place}" if setting and place else setting or place
    tod = req.time_of_day.strip().upper()
    return f"{head}{DASH}{tod}" if head and tod else head
