"""Stills read as a viewer sees them: every mode and bit depth, transparency on a background,
colour profiles, EXIF orientation, and pictures too large for Pillow's default limit.

Each picture is made here (Pillow, or ffmpeg's PNG encoder for the bit depths Pillow cannot
write), with the colour a viewer would see worked out from how it was made.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageDraw

from pipeline.edit import ffmpeg
from pipeline.generators import still
from pipeline.generators.still import PictureTooLarge, decode_reduced, load_picture, open_picture

W, H = 80, 46          # the canvas of a 64x36 film
WHITE = (255, 255, 255)


def centre(picture: Image.Image) -> np.ndarray:
    """Mean RGB of the central quarter."""
    a = np.asarray(picture.convert("RGB"), np.float64)
    h, w = a.shape[:2]
    return a[h // 4: 3 * h // 4, w // 4: 3 * w // 4].reshape(-1, 3).mean(axis=0)


def test_transparent_png_with_black_lines_is_lines_on_white(tmp_path):
    """Black lines on a transparent background: the lines stay black, the rest is the page."""
    picture = Image.new("RGBA", (160, 92), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.line([(0, 46), (160, 46)], fill=(0, 0, 0, 255), width=10)          # a horizontal stroke
    picture.save(tmp_path / "lines.png")
    seen = np.asarray(load_picture(tmp_path / "lines.png", W, H), np.float64)
    assert seen[H // 2, W // 2].max() < 40                       # the stroke, through the middle
    assert seen[3, W // 2].min() > 245 and seen[-4, W // 2].min() > 245   # the page above and below
    on_navy = np.asarray(load_picture(tmp_path / "lines.png", W, H, (0, 0, 128)), np.float64)
    assert np.allclose(on_navy[3, W // 2], (0, 0, 128), atol=3)
    assert on_navy[H // 2, W // 2].max() < 40


def _transparent_palette() -> Image.Image:
    picture = Image.new("P", (40, 24), 1)       # every pixel index 1: red, which is the transparent index
    picture.putpalette([0, 0, 0, 255, 0, 0])
    return picture


def _half_transparent_grey() -> Image.Image:
    return Image.new("LA", (40, 24), (100, 128))


# Each picture, how it is made, and what a viewer sees at its centre (on white where transparent).
def _grey16(path: Path) -> None:
    Image.fromarray(np.full((24, 40), 16384, np.uint16)).save(path)     # a quarter of full scale


CASES = {
    "greyscale 16-bit (I;16)": (_grey16, (64, 64, 64)),
    "greyscale 8-bit": (lambda p: Image.new("L", (40, 24), 90).save(p), (90, 90, 90)),
    "bilevel (1)": (lambda p: Image.new("1", (40, 24), 1).save(p), WHITE),
    "palette (P)": (lambda p: Image.new("RGB", (40, 24), (200, 40, 40)).convert("P", palette=Image.Palette.ADAPTIVE)
                    .save(p), (200, 40, 40)),
    "palette with a transparent index": (lambda p: _transparent_palette().save(p, transparency=1), WHITE),
    "greyscale + alpha (LA)": (lambda p: _half_transparent_grey().save(p),
                               tuple([100 * 128 / 255 + 255 * (1 - 128 / 255)] * 3)),
    "RGBA half transparent": (lambda p: Image.new("RGBA", (40, 24), (0, 0, 200, 64)).save(p),
                              (255 * 191 / 255, 255 * 191 / 255, 200 * 64 / 255 + 255 * 191 / 255)),
    "CMYK JPEG": (lambda p: Image.new("CMYK", (40, 24), (0, 255, 255, 0)).save(p, format="JPEG", quality=95),
                  (255, 0, 0)),
    "CMYK TIFF": (lambda p: Image.new("CMYK", (40, 24), (0, 0, 0, 128)).save(p, format="TIFF"), (127, 127, 127)),
    "32-bit float (F) TIFF": (lambda p: Image.new("F", (40, 24), 0.5).save(p, format="TIFF"), (128, 128, 128)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_mode_reads_as_seen(tmp_path, case):
    make, expected = CASES[case]
    path = tmp_path / ("picture.jpg" if "JPEG" in case else "picture.tif" if "TIFF" in case else "picture.png")
    make(path)
    assert np.allclose(centre(load_picture(path, W, H)), expected, atol=4), case


# PNGs of bit depths and modes Pillow does not write, from ffmpeg's PNG encoder.
FFMPEG_PNGS = {
    "rgb48be": ("0x406080", (0x40, 0x60, 0x80)),
    "rgba64be": ("0x406080@0.5", (0x40 / 2 + 127.5, 0x60 / 2 + 127.5, 0x80 / 2 + 127.5)),
    "gray16be": ("0x808080", (128, 128, 128)),
    "ya16be": ("0x000000@0.5", (127.5, 127.5, 127.5)),
    "ya8": ("0x000000@0.25", (191, 191, 191)),
    "pal8": ("0x20c040", (0x20, 0xC0, 0x40)),
}


@pytest.mark.parametrize("pix_fmt", list(FFMPEG_PNGS))
def test_every_png_bit_depth_reads_as_seen(tmp_path, pix_fmt):
    colour, expected = FFMPEG_PNGS[pix_fmt]
    path = tmp_path / f"{pix_fmt}.png"
    ffmpeg.run(["-f", "lavfi", "-i", f"color=c={colour}:s=40x24,format=rgba", "-frames:v", "1",
                "-pix_fmt", pix_fmt, str(path)])
    assert np.allclose(centre(load_picture(path, W, H)), expected, atol=4), pix_fmt


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def rgb_profile(red, green, blue, gamma: float = 2.2) -> bytes:
    """A minimal ICC v2 display profile (matrix and gamma curves) with these D50 XYZ colorants."""
    d50 = (0.9642, 1.0, 0.8249)

    def xyz(colour):
        return b"XYZ \0\0\0\0" + b"".join(_s15(v) for v in colour)

    curve = b"curv\0\0\0\0" + struct.pack(">IH", 1, round(gamma * 256)) + b"\0\0"
    name = b"test primaries\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(name)) + name + struct.pack(">IIHB", 0, 0, 0, 0) + bytes(67)
    tags = [(b"desc", desc), (b"wtpt", xyz(d50)), (b"rXYZ", xyz(red)), (b"gXYZ", xyz(green)),
            (b"bXYZ", xyz(blue)), (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve), (b"cprt", b"text\0\0\0\0-\0")]
    start = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        body += bytes(-len(body) % 4)
        table += signature + struct.pack(">II", start + len(data), len(body))
        data += body
    header = (struct.pack(">I", start + len(data)) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
              + bytes(12) + b"acsp" + bytes(28) + b"".join(_s15(v) for v in d50) + bytes(48))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


def test_an_icc_profile_is_honoured(tmp_path):
    """A picture whose profile says its first channel is sRGB's green is seen green."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).profile
    red, green, blue = (c[0] for c in (srgb.red_colorant, srgb.green_colorant, srgb.blue_colorant))
    swapped = rgb_profile(green, red, blue)
    Image.new("RGB", (40, 24), (255, 0, 0)).save(tmp_path / "swapped.png", icc_profile=swapped)
    assert np.allclose(centre(load_picture(tmp_path / "swapped.png", W, H)), (0, 255, 0), atol=3)
    # with transparency too, and an sRGB-tagged picture is left as it is
    Image.new("RGBA", (40, 24), (255, 0, 0, 255)).save(tmp_path / "swapped-rgba.png", icc_profile=swapped)
    assert np.allclose(centre(load_picture(tmp_path / "swapped-rgba.png", W, H)), (0, 255, 0), atol=3)
    Image.new("RGB", (40, 24), (10, 120, 230)).save(tmp_path / "srgb.png",
                                                    icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    assert np.allclose(centre(load_picture(tmp_path / "srgb.png", W, H)), (10, 120, 230), atol=2)


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".tif"])
def test_exif_orientation_turns_the_picture_upright(tmp_path, suffix):
    """Stored 60x120 with the left half red, EXIF orientation 6 (turn 90 degrees clockwise to
    view): seen 120x60 with the red half on top."""
    stored = Image.new("RGB", (60, 120), (20, 20, 220))
    ImageDraw.Draw(stored).rectangle([0, 0, 29, 119], fill=(220, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / f"turned{suffix}"
    stored.save(path, exif=exif, **({"quality": 95} if suffix == ".jpg" else {}))
    # a 2:1 picture is shown whole on the canvas, on a blurred fill: read the picture's own part
    x0, y0, x1, y1 = still.fitted_box((120, 60), W, H)
    seen = np.asarray(load_picture(path, W, H), np.float64)[y0:y1, x0:x1]
    q = (y1 - y0) // 4
    top, bottom = seen[:q].reshape(-1, 3).mean(axis=0), seen[-q:].reshape(-1, 3).mean(axis=0)
    assert top[0] > 180 and top[2] < 60 and bottom[2] > 180 and bottom[0] < 60


def _halves(mode: str) -> tuple[Image.Image, tuple, tuple]:
    """A 900x500 picture in `mode`, its left half one colour and its right half another, and
    the two colours as seen (RGB)."""
    if mode == "I;16":
        a = np.full((500, 900), 16384, np.uint16)
        a[:, 450:] = 49152
        return Image.fromarray(a), (64, 64, 64), (191, 191, 191)
    picture = Image.new("RGB", (900, 500), (30, 160, 90))
    ImageDraw.Draw(picture).rectangle([0, 0, 449, 499], fill=(200, 30, 30))
    if mode == "P":
        picture = picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    return picture, (200, 30, 30), (30, 160, 90)


@pytest.mark.parametrize("mode", ["RGB", "P", "I;16"])
def test_a_picture_past_pillows_limit_is_read_scaled_down(tmp_path, monkeypatch, mode):
    """Pillow refuses pictures over twice Image.MAX_IMAGE_PIXELS (a 220-megapixel photograph by
    default); here the limit is lowered so that a small picture stands for a huge one."""
    picture, left, right = _halves(mode)
    picture.save(tmp_path / "huge.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(Image.DecompressionBombError):      # what the build used to die of
        Image.open(tmp_path / "huge.png")
    seen = load_picture(tmp_path / "huge.png", W, H)
    assert seen.size == (W, H)
    assert np.allclose(np.asarray(seen)[H // 2, 5], left, atol=4)
    assert np.allclose(np.asarray(seen)[H // 2, -5], right, atol=4)
    assert Image.MAX_IMAGE_PIXELS == 1000                   # the limit is left as it was


def test_a_large_jpeg_is_decoded_reduced(tmp_path):
    Image.new("RGB", (2400, 1380), (90, 90, 200)).save(tmp_path / "big.jpg", quality=90)
    with open_picture(tmp_path / "big.jpg") as image:
        decoded = decode_reduced(image, W, H)
        # at least twice the detail the canvas needs, and far less than the file holds
        assert decoded.width >= 2 * W and decoded.height >= 2 * H
        assert decoded.width * decoded.height <= 2400 * 1380 / 16


def test_a_picture_too_large_to_decode_is_refused_with_its_size(tmp_path, monkeypatch):
    Image.new("RGB", (300, 200), (0, 0, 0)).save(tmp_path / "wide.png")
    monkeypatch.setattr(still, "MAX_DECODED_PIXELS", 10_000)
    with pytest.raises(PictureTooLarge, match=r"300x200"):
        load_picture(tmp_path / "wide.png", W, H)


def test_the_background_key_is_read_from_storyboards_and_screenplays(tmp_path):
    from pipeline.errors import StoryboardError
    from pipeline.parse import load
    from pipeline.plan import make_plan

    folder = tmp_path / "bg"
    folder.mkdir()
    Image.new("RGBA", (40, 24)).save(folder / "a.png")
    (folder / "storyboard.yaml").write_text(
        "speech: false\nscenes:\n  - shots:\n      - {id: a, image: a.png, background: navy, duration: 1}\n"
        "      - {id: b, image: a.png, background: '#ff8000', duration: 1}\n      - {id: c, image: a.png, duration: 1}\n",
        encoding="utf-8")
    plan = make_plan(load(folder / "storyboard.yaml"))
    assert [s.source.background for s in plan.shots] == [(0, 0, 128), (255, 128, 0), None]
    (folder / "script.fountain").write_text("EXT. SEA - DAY\n\n[[image: a.png; background: black]]\nWaves.\n",
                                            encoding="utf-8")
    board = load(folder / "script.fountain")
    assert [s.background for scene in board.scenes for s in scene.shots] == [(0, 0, 0)]
    (folder / "bad.yaml").write_text(
        "scenes:\n  - shots:\n      - {id: a, image: a.png, background: blu}\n"
        "      - id: b\n        image: a.png\n        background: #fff\n", encoding="utf-8")
    with pytest.raises(StoryboardError) as caught:
        load(folder / "bad.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert any(m.startswith(f"{folder / 'bad.yaml'}:3:") and "'blu' is not a colour" in m for m in messages), messages
    assert any(":6:" in m and "quote one that starts with '#'" in m for m in messages), messages
