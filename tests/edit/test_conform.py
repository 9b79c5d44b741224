"""Every kind of source is conformed alike, so any two meet in any transition at any frame rate.

The matrix renders, for each film frame rate, each transition out of each kind of source into
another kind (and each kind's body, a cut's segment), with real ffmpeg on 64x36 frames, and
checks what a viewer (and a player) sees: the frame count, the rate and timestamps, yuv420p,
square pixels, BT.709 tags, and the two pictures in the places the transition puts them.
"""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipeline.edit import ffmpeg
from pipeline.camera import canvas_size
from pipeline.edit.render import render_segment
from pipeline.edit.sources import ImageMove, Scroll, VideoClip
from pipeline.frames import Format
from pipeline.edit.timeline import Clip, Join, Timeline
from pipeline import transitions
from pipeline.generators.diffusers import write_clip

W, H = 64, 36
RATES = {"23.976": Fraction(24000, 1001), "24": Fraction(24), "25": Fraction(25), "29.97": Fraction(30000, 1001),
         "30": Fraction(30), "50": Fraction(50), "60": Fraction(60)}
TRANSITIONS = tuple(name for name in transitions.names() if name != "cut")   # every one the registry holds
# One colour per kind, away from 0 and 255 so that blends never clip.
COLOURS = {
    "animatic": (200, 60, 60), "still": (60, 190, 70), "card": (60, 70, 200), "credits": (210, 200, 60),
    "footage": (60, 200, 200), "footage-vfr": (200, 70, 200), "generated": (140, 140, 140),
}
# Transparent footage: this colour at half opacity, seen on the default white background.
ALPHA_PAINT = (40, 40, 160, 128)
COLOURS["footage-alpha"] = tuple(round(c * 128 / 255 + 255 * (1 - 128 / 255)) for c in ALPHA_PAINT[:3])
KINDS = tuple(COLOURS)


# --- reading a rendered file back ---------------------------------------------------------------

@dataclass(frozen=True)
class Seen:
    """A video as decoded: RGB frames (n, h, w, 3), its stream's rate and time base, each frame's
    timestamp in that time base, and the format, pixel aspect and colour tags of the frames."""

    frames: np.ndarray
    rate: Fraction
    time_base: Fraction
    pts: tuple[int, ...]
    formats: frozenset[str]
    sars: frozenset[str]
    colour: frozenset[str]
    header: str


def seen(video: Path) -> Seen:
    """Decode `video` once, with ffmpeg's showinfo describing every frame (imageio-ffmpeg ships
    no ffprobe)."""
    result = subprocess.run(
        [ffmpeg.exe(), "-hide_banner", "-nostdin", "-i", str(video), "-map", "0:v:0", "-vf", "showinfo",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True)
    log = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 0, log[-2000:]
    config = re.search(r"config in time_base: (\d+)/(\d+), frame_rate: (\d+)/(\d+)", log)
    frames = re.findall(r"n:\s*\d+ pts:\s*(-?\d+) .*? fmt:(\w+) .*?sar:(\d+/\d+) s:(\d+)x(\d+)", log)
    width, height = int(frames[0][3]), int(frames[0][4])
    return Seen(
        frames=np.frombuffer(result.stdout, np.uint8).reshape(-1, height, width, 3),
        rate=Fraction(int(config[3]), int(config[4])), time_base=Fraction(int(config[1]), int(config[2])),
        pts=tuple(int(f[0]) for f in frames), formats=frozenset(f[1] for f in frames),
        sars=frozenset(f[2] for f in frames), colour=frozenset(re.findall(r"color_range:\S+ color_space:\S+ "
                                                                         r"color_primaries:\S+ color_trc:\S+", log)),
        header=next(line for line in log.splitlines() if "Video:" in line),
    )


def mean(picture: np.ndarray) -> np.ndarray:
    return picture.reshape(-1, 3).mean(axis=0)


def as_film(seen_: Seen, fps: Fraction, frames: int) -> list[str]:
    """What differs from a segment of the film at `fps` that is `frames` long."""
    wrong = []
    if len(seen_.frames) != frames or len(seen_.pts) != frames:
        wrong.append(f"{len(seen_.frames)} frames, not {frames}")
    if seen_.rate != fps:
        wrong.append(f"rate {seen_.rate}, not {fps}")
    times = [p * seen_.time_base for p in seen_.pts]
    if times != [Fraction(n) / fps for n in range(len(times))]:
        wrong.append(f"frames not at n/fps: {[float(t) for t in times[:4]]}...")
    if seen_.formats != {"yuv420p"}:
        wrong.append(f"pixel formats {set(seen_.formats)}")
    if seen_.sars != {"1/1"}:
        wrong.append(f"pixel aspect {set(seen_.sars)}")
    if seen_.colour != {"color_range:tv color_space:bt709 color_primaries:bt709 color_trc:bt709"}:
        wrong.append(f"colour tags {set(seen_.colour)}")
    if "yuv420p(tv, bt709" not in seen_.header:
        wrong.append(f"stream tags: {seen_.header.strip()}")
    return wrong


# --- one source of each kind ----------------------------------------------------------------------

def _png(path: Path, colour, size) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def _footage(path: Path, picture: Path, args: list[str]) -> Path:
    """Two seconds of `picture` as a 24 fps video (H.264 unless `args` say otherwise)."""
    ffmpeg.run(["-loop", "1", "-framerate", "24", "-i", str(picture), "-t", "2", "-c:v", "libx264",
                "-preset", "ultrafast", *args, str(path)])
    return path


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict[str, object]:
    """Each kind of source, as its generator hands it to the editor, long enough for any cell
    (a source shorter than asked holds its last frame, which is tested elsewhere)."""
    d = tmp_path_factory.mktemp("sources")
    canvas = canvas_size(W, H)
    total = 90
    made: dict[str, object] = {}
    overlay = d / "overlay.png"
    Image.new("RGBA", canvas, (0, 0, 0, 0)).save(overlay)
    made["animatic"] = ImageMove("animatic", _png(d / "animatic.png", COLOURS["animatic"], canvas), "pan-right", total,
                                 overlay)
    made["still"] = ImageMove("still", _png(d / "still.png", COLOURS["still"], canvas), "static", total)
    made["card"] = ImageMove("card", _png(d / "card.png", COLOURS["card"], canvas), "zoom-in", total)
    made["credits"] = Scroll("credits", _png(d / "credits.png", COLOURS["credits"], (W, 4 * H)), total)
    # Constant-rate footage at 24 fps, tagged BT.709, limited range.
    made["footage"] = VideoClip("footage", _footage(d / "cfr.mp4", _png(d / "f.png", COLOURS["footage"], (W, H)), [
        "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
        "-colorspace", "bt709", "-color_range", "tv"]), 0.0, total)
    # Variable-rate footage, full range BT.601, stored 48x36 with 4:3 pixels (shown 64x36).
    vfr = _footage(d / "vfr.mp4", _png(d / "v.png", COLOURS["footage-vfr"], (W, H)), [
        "-vf", "select='not(eq(mod(n,4),1))',scale=48:36:out_color_matrix=bt601:out_range=pc,setsar=4/3,format=yuv420p",
        "-fps_mode", "vfr", "-colorspace", "bt470bg", "-color_range", "pc"])
    made["footage-vfr"] = VideoClip("footage-vfr", vfr, 0.0, total)
    # Transparent footage: PNG frames in a MOV at 12 fps.
    Image.new("RGBA", (W, H), ALPHA_PAINT).save(d / "alpha.png")
    made["footage-alpha"] = VideoClip("footage-alpha", _footage(d / "alpha.mov", d / "alpha.png", [
        "-r", "12", "-c:v", "png", "-pix_fmt", "rgba"]), 0.0, total)
    # A generated clip as the diffusers generator stores it: lossless RGB at the model's 16 fps.
    clip = d / "generated.mkv"
    write_clip(np.full((20, 48, 80, 3), COLOURS["generated"], np.uint8), Fraction(16), clip)
    made["generated"] = VideoClip("generated", clip, 0.0, total)
    return made


def test_the_variable_rate_footage_is_variable_rate(sources):
    # Guards the matrix: the VFR kind must really have uneven frame intervals.
    pts = seen(sources["footage-vfr"].path)
    steps = set(np.diff(pts.pts))
    assert len(steps) > 1


# --- the matrix -----------------------------------------------------------------------------------

def _transition_frames(fps: Fraction) -> int:
    """About half a second, even, so that the dissolve has an exact midpoint frame."""
    return 2 * max(round(fps / 4), 2)


def _dimmed(seen_colour: np.ndarray, colour: np.ndarray) -> bool:
    """Whether `seen_colour` is `colour` at 75-100% brightness."""
    level = float(seen_colour @ colour / (colour @ colour))
    return 0.75 <= level <= 1.03 and np.allclose(seen_colour, level * colour, atol=6)


def _cell(sources, fps: Fraction, out: Path, outgoing: str, incoming: str, transition: str) -> list[str]:
    """Render one transition (or, with transition 'cut', the outgoing kind's body); what is wrong."""
    frames = _transition_frames(fps)
    fmt = Format(W, H, fps)
    a = Clip(outgoing, sources[outgoing], frames, 0, frames // 2)
    b = Clip(incoming, sources[incoming], frames, frames // 2, 0)
    if transition == "cut":
        segment = Timeline(fmt, (a,), ()).segments()[0]
    else:
        segment = Timeline(fmt, (a, b), (Join(transition, frames),)).segments()[1]
    assert segment.frames == frames
    try:
        render_segment(segment, fmt, out)
    except ffmpeg.FFmpegError as error:
        return [f"render failed: {str(error)[-300:]}"]
    got = seen(out)
    wrong = as_film(got, fps, frames)
    if wrong:
        return wrong
    first, middle, last = (mean(got.frames[n]) for n in (0, frames // 2, frames - 1))
    colour_a, colour_b = np.array(COLOURS[outgoing]), np.array(COLOURS[incoming])
    if transition == "cut":
        if not (np.allclose(first, colour_a, atol=6) and np.allclose(last, colour_a, atol=6)):
            wrong.append(f"body shows {first.round()}..{last.round()}, not {colour_a}")
    elif transition == "fade-black":
        # Out of the outgoing shot, through black at the cut, into the incoming shot (each a
        # little dimmed at the segment's ends, where the fades are nearly done or just begun).
        levels = [mean(f).max() for f in got.frames]
        if not (_dimmed(first, colour_a) and _dimmed(last, colour_b) and min(levels) < 25):
            wrong.append(f"not through black: {first.round()} .. {min(levels):.0f} .. {last.round()}")
    else:
        if not np.allclose(first, colour_a, atol=6):
            wrong.append(f"starts on {first.round()}, not the outgoing {colour_a}")
        if transition == "dissolve":
            # At the midpoint each shot is weighted one half.
            if not np.allclose(middle, (colour_a + colour_b) / 2, atol=6):
                wrong.append(f"midpoint {middle.round()}, not the mean {(colour_a + colour_b) / 2}")
        elif transition == "iris":
            # The incoming shot opens from a circle at the centre: at the midpoint it holds the
            # centre, and the outgoing shot still holds the corners. (xfade's circle has a soft
            # edge, and 4:2:0 chroma on a 64x36 frame blurs small areas: measured as how much of
            # each area is the incoming shot, from the colours.)
            frame = got.frames[frames // 2]
            centre = mean(frame[H // 2 - 2:H // 2 + 2, W // 2 - 2:W // 2 + 2])
            corners = mean(np.concatenate([frame[:4, :4], frame[:4, -4:], frame[-4:, :4], frame[-4:, -4:]]))
            def incoming_share(seen_colour: np.ndarray) -> float:
                return float((seen_colour - colour_a) @ (colour_b - colour_a) / ((colour_b - colour_a) @ (colour_b - colour_a)))
            if not (incoming_share(centre) > 0.85 and incoming_share(corners) < 0.15):
                wrong.append(f"midpoint centre {centre.round()} corners {corners.round()}, expected {colour_b} {colour_a}")
        else:
            # A wipe or slide to the left brings the incoming shot in from the right, and vice versa.
            frame = got.frames[frames // 2]
            left, right = mean(frame[:, : W // 4]), mean(frame[:, -W // 4:])
            expected = (colour_a, colour_b) if transition.endswith("left") else (colour_b, colour_a)
            if not (np.allclose(left, expected[0], atol=8) and np.allclose(right, expected[1], atol=8)):
                wrong.append(f"midpoint left {left.round()} right {right.round()}, expected {expected}")
    return wrong


@pytest.mark.parametrize("rate", list(RATES))
def test_every_kind_meets_every_other_in_every_transition(sources, tmp_path, rate):
    fps = RATES[rate]
    # Each rate pairs each kind with the one `shift` places on: over the 7 rates and 8 kinds,
    # every ordered pair of two different kinds meets in every transition once.
    shift = list(RATES).index(rate) % (len(KINDS) - 1) + 1
    cells = [(KINDS[k], KINDS[(k + shift) % len(KINDS)], t) for k in range(len(KINDS)) for t in ("cut", *TRANSITIONS)]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda c: _cell(sources, fps, tmp_path / f"{c[0]}-{c[2]}.mp4", *c), cells))
    failures = [f"{a} -{t}-> {b}: {'; '.join(w)}" for (a, b, t), w in zip(cells, results) if w]
    assert not failures, f"at {rate} fps:\n" + "\n".join(failures)


# --- the issue's own case, whole pairs at the film's rate --------------------------------------

def test_footage_dissolves_into_an_animatic_at_24_fps(sources, tmp_path):
    """A 24 fps footage shot, a dissolve, then an animatic shot, in a 24 fps film (exit 2 before)."""
    fps = Fraction(24)
    fmt = Format(W, H, fps)
    a = Clip("f", sources["footage"], 24, 0, 6)
    b = Clip("a", sources["animatic"], 24, 6, 0)
    outs = []
    for n, segment in enumerate(Timeline(fmt, (a, b), (Join("dissolve", 12),)).segments()):
        outs.append(tmp_path / f"{n}.mp4")
        render_segment(segment, fmt, outs[-1])
    assert [len(seen(o).frames) for o in outs] == [18, 12, 18]


# --- pixel aspect ---------------------------------------------------------------------------------

def test_non_square_pixels_are_shown_as_displayed(tmp_path):
    """Footage stored 240x180 with 4:3 pixels is shown 320x180: a circle stays a circle, whole."""
    picture = Image.new("RGB", (320, 180), "white")
    ImageDraw.Draw(picture).ellipse([100, 30, 220, 150], fill="black")   # diameter 120 of 180
    picture.save(tmp_path / "circle.png")
    stored = _footage(tmp_path / "anamorphic.mp4", tmp_path / "circle.png",
                      ["-vf", "scale=240:180,setsar=4/3,format=yuv420p", "-t", "0.25"])
    assert "SAR 4:3" in subprocess.run([ffmpeg.exe(), "-hide_banner", "-i", str(stored)],
                                       capture_output=True, text=True).stderr
    fmt = Format(W, H, Fraction(24))
    segment = Timeline(fmt, (Clip("c", VideoClip("c", stored, 0.0, 4), 4),), ()).segments()[0]
    render_segment(segment, fmt, tmp_path / "out.mp4")
    got = seen(tmp_path / "out.mp4")
    assert got.sars == {"1/1"}
    dark = got.frames[0].mean(axis=2) < 128
    ys, xs = np.nonzero(dark)
    # 320x180 shown in 64x36 is a scale of 1/5: the circle is 24 px across both ways, centred.
    width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
    assert abs(width - 24) <= 2 and abs(height - 24) <= 2
    assert abs((xs.min() + xs.max()) / 2 - 31.5) <= 1.5 and abs((ys.min() + ys.max()) / 2 - 17.5) <= 1.5


def test_rotated_footage_is_shown_upright(tmp_path):
    """A phone clip stored 36x64 (its left half red) with a display rotation of 90 degrees
    (counter-clockwise) is seen landscape, with the stored left edge at the bottom."""
    picture = Image.new("RGB", (36, 64), (20, 20, 220))
    ImageDraw.Draw(picture).rectangle([0, 0, 17, 63], fill=(220, 20, 20))
    picture.save(tmp_path / "portrait.png")
    stored = _footage(tmp_path / "stored.mp4", tmp_path / "portrait.png", ["-pix_fmt", "yuv420p", "-t", "0.25"])
    ffmpeg.run(["-display_rotation", "90", "-i", str(stored), "-c", "copy", str(tmp_path / "rotated.mp4")])
    fmt = Format(W, H, Fraction(24))
    segment = Timeline(fmt, (Clip("r", VideoClip("r", tmp_path / "rotated.mp4", 0.0, 4), 4),), ()).segments()[0]
    render_segment(segment, fmt, tmp_path / "out.mp4")
    frame = seen(tmp_path / "out.mp4").frames[0]
    assert np.allclose(mean(frame[: H // 4]), (20, 20, 220), atol=12)
    assert np.allclose(mean(frame[-H // 4:]), (220, 20, 20), atol=12)


# --- transparency in footage ---------------------------------------------------------------------

def test_transparent_footage_is_composited_on_the_background(tmp_path):
    """An animated GIF with a transparent palette entry (a red band across the middle, the rest
    transparent) shows white around the band, or the shot's background."""
    frames = []
    for _ in range(4):
        frame = Image.new("P", (80, 46), 0)
        frame.putpalette([0, 0, 0, 230, 20, 20])
        ImageDraw.Draw(frame).rectangle([0, 18, 79, 27], fill=1)
        frames.append(frame)
    frames[0].save(tmp_path / "band.gif", save_all=True, append_images=frames[1:], duration=100, transparency=0,
                   loop=0, disposal=2)
    fmt = Format(W, H, Fraction(24))
    for name, background in [("white", (255, 255, 255)), ("navy", (0, 0, 128))]:
        clip = Clip(name, VideoClip(name, tmp_path / "band.gif", 0.0, 6, background), 6)
        render_segment(Timeline(fmt, (clip,), ()).segments()[0], fmt, tmp_path / f"{name}.mp4")
        got = seen(tmp_path / f"{name}.mp4")
        assert not as_film(got, fmt.fps, 6)
        for frame in (got.frames[0], got.frames[-1]):
            assert np.allclose(mean(frame[:6]), background, atol=6), name       # transparent: the background
            assert np.allclose(mean(frame[16:20]), (230, 20, 20), atol=12), name  # the band


# --- colour ---------------------------------------------------------------------------------------

def bt709_limited(rgb: tuple[int, int, int]) -> np.ndarray:
    """Y'CbCr (8-bit, limited range) of an sRGB colour by the BT.709 formula."""
    kr, kb = 0.2126, 0.0722
    r, g, b = (c / 255 for c in rgb)
    y = kr * r + (1 - kr - kb) * g + kb * b
    return np.array([16 + 219 * y, 128 + 224 * (b - y) / (2 * (1 - kb)), 128 + 224 * (r - y) / (2 * (1 - kr))])


def ycbcr_centre(video: Path) -> np.ndarray:
    """Mean Y, Cb, Cr of the central quarter of the first frame, as stored (no conversion)."""
    raw = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(video), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "yuv420p", "-"], capture_output=True, check=True).stdout
    info = ffmpeg.probe(video)
    w, h = info.width, info.height
    y = np.frombuffer(raw[: w * h], np.uint8).reshape(h, w)
    cb = np.frombuffer(raw[w * h: w * h + w * h // 4], np.uint8).reshape(h // 2, w // 2)
    cr = np.frombuffer(raw[w * h + w * h // 4:], np.uint8).reshape(h // 2, w // 2)
    return np.array([y[h // 4: 3 * h // 4, w // 4: 3 * w // 4].mean(), cb[h // 8: 3 * h // 8, w // 8: 3 * w // 8].mean(),
                     cr[h // 8: 3 * h // 8, w // 8: 3 * w // 8].mean()])


RED = (255, 0, 0)


def _red_sources(d: Path) -> dict[str, object]:
    """A pure red patch from every kind of source, footage in each tagged matrix and range."""
    canvas = canvas_size(W, H)
    red = _png(d / "red.png", RED, canvas)
    blue = _png(d / "blue.png", (0, 0, 255), canvas)
    overlay = d / "red-overlay.png"
    Image.new("RGBA", canvas, (255, 0, 0, 255)).save(overlay)   # the animatic's overlay covers its panel
    made: dict[str, object] = {
        "still": ImageMove("s", red, "static", 4), "card": ImageMove("c", red, "zoom-in", 4),
        "animatic": ImageMove("a", blue, "pan-left", 4, overlay), "credits": Scroll("r", red, 4),
    }
    small = _png(d / "red-small.png", RED, (W, H))
    for matrix, colour_range, tag in [("bt709", "tv", "bt709"), ("bt709", "pc", "bt709"),
                                      ("bt601", "tv", "smpte170m"), ("bt601", "pc", "bt470bg")]:
        name = f"footage-{matrix}-{colour_range}"
        made[name] = VideoClip(name, _footage(d / f"{name}.mp4", small, [
            "-vf", f"scale=out_color_matrix={matrix}:out_range={colour_range},format=yuv420p", "-t", "0.25",
            "-colorspace", tag, "-color_range", colour_range]), 0.0, 4)
    # Untagged files are read as players read them: BT.709 if HD, BT.601 if SD.
    untag = "setparams=colorspace=unknown:color_primaries=unknown:color_trc=unknown:range=unknown"
    for name, size, matrix in [("untagged-hd", (1280, 720), "bt709"), ("untagged-sd", (640, 360), "bt601")]:
        big = _png(d / f"red-{name}.png", RED, size)
        made[name] = VideoClip(name, _footage(d / f"{name}.mp4", big, [
            "-vf", f"scale=out_color_matrix={matrix}:out_range=tv,format=yuv420p,{untag}", "-t", "0.25"]), 0.0, 4)
    clip = d / "red.mkv"
    write_clip(np.full((4, 36, 64, 3), RED, np.uint8), Fraction(16), clip)
    made["generated"] = VideoClip("g", clip, 0.0, 4)
    return made


def test_red_is_encoded_with_bt709_coefficients_and_tagged(tmp_path):
    """Whatever the source (incl. footage tagged BT.601 or full range), pure red comes out as
    BT.709 says, and the file says BT.709."""
    expected = bt709_limited(RED)      # about 63, 102, 240 (BT.601 would give 81, 90, 240)
    fmt = Format(W, H, Fraction(24))
    wrong = []
    for name, source in _red_sources(tmp_path).items():
        out = tmp_path / "out" / f"{name}.mp4"
        out.parent.mkdir(exist_ok=True)
        render_segment(Timeline(fmt, (Clip(name, source, 4),), ()).segments()[0], fmt, out)
        measured = ycbcr_centre(out)
        # Within 4 levels: swscale's fast path rounds a little when it converts between
        # matrices; a wrong matrix is off by 12 to 18 (Y, Cb).
        if not np.allclose(measured, expected, atol=4):
            wrong.append(f"{name}: Y/Cb/Cr {measured.round(1)}, BT.709 says {expected.round(1)}")
        tags = seen(out)
        if "yuv420p(tv, bt709, progressive)" not in tags.header:
            wrong.append(f"{name}: stream {tags.header.strip()}")
    assert not wrong, "\n".join(wrong)


# --- the cases through `film build` ------------------------------------------------------

def test_a_film_mixing_every_source_builds_and_shows_each_picture(tmp_path):
    """24 fps footage dissolves into an animatic, a transparent line drawing (on white) wipes
    in and dissolves into footage, a 16-bit greyscale picture and a transparent one on a
    `background:` follow: the build succeeds and each picture is seen as it should be."""
    from conftest import write_project
    from pipeline.build import build

    folder = tmp_path / "mixed"
    folder.mkdir()
    _footage(folder / "clip.mp4", _png(folder / "blue.png", (40, 40, 200), (W, H)), ["-pix_fmt", "yuv420p", "-t", "1"])
    drawing = Image.new("RGBA", (160, 90), (0, 0, 0, 0))
    ImageDraw.Draw(drawing).line([(0, 45), (160, 45)], fill=(0, 0, 0, 255), width=12)
    drawing.save(folder / "lines.png")
    Image.fromarray(np.full((90, 160), 16384, np.uint16)).save(folder / "grey16.png")   # a quarter of full scale
    write_project(folder, """
        fps: 24
        size: 64x36
        speech: false
        subtitles: off
        scenes:
          - heading: EXT. SEA - DAY
            shots:
              - {id: clip, footage: clip.mp4, transition: {name: dissolve, duration: 0.5}}
              - {id: panel, prompt: "a boat at sea", duration: 1, transition: {name: wipe-left, duration: 0.5}}
              - {id: lines, image: lines.png, duration: 1, transition: {name: dissolve, duration: 0.5}}
              - {id: again, footage: clip.mp4, transition: {name: slide-right, duration: 0.5}}
              - {id: grey, image: grey16.png, duration: 1, transition: {name: fade-black, duration: 0.5}}
              - {id: night, image: lines.png, duration: 1, background: "#000080"}
    """)
    result = build(folder, renders=tmp_path / "renders")
    got = seen(result.output)
    assert not as_film(got, Fraction(24), 6 * 24)
    lines = got.frames[2 * 24 + 12]                                  # the middle of the drawing's shot
    assert lines[H // 2, W // 2].max() < 60                           # the stroke
    assert lines[4, W // 2].min() > 230 and lines[-5, W // 2].min() > 230   # the page, white
    assert np.allclose(mean(got.frames[4 * 24 + 12][4:8]), 64, atol=5)       # 16-bit grey at a quarter
    night = got.frames[5 * 24 + 12]
    assert np.allclose(night[4, W // 2], (0, 0, 128), atol=12) and night[H // 2, W // 2].max() < 60
