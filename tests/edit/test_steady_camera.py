"""A steady camera: every move is centred, sub-pixel smooth and continuous across the segments that
render it, and never frames a picture tighter than its title-safe area.

Framing is measured on decoded frames: markers of known places on a test card (their centroids,
to a tenth of a pixel), and on the example films by registering consecutive frames (the zoom and
shift that carry one onto the next).
"""

from __future__ import annotations

import importlib.util
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import count_frames
from pipeline.edit import ffmpeg
from pipeline.camera import MOVES, SAFE_BOX, canvas_size, depth, framing, move_filter
from pipeline.edit.sources import ImageMove
from pipeline.frames import Format
from pipeline.plan import StillSource
from pipeline.edit.timeline import Clip, Join, Timeline
from pipeline.transitions import split
from pipeline.testing.timelines import centroids, marker_card as marker_card_at, render_timeline

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
FMT = Format(384, 216, Fraction(24))
MARKS = [(0.12, 0.14), (0.88, 0.14), (0.12, 0.86), (0.88, 0.86), (0.5, 0.5)]
MOVING = [name for name in MOVES if name != "static"]


def decode(video: Path, width: int, height: int, frames: list[int] | None = None) -> np.ndarray:
    """Frames of `video` (all, or those numbered in `frames`, in order) scaled to width x height,
    greyscale, as (frames, rows, columns) bytes."""
    picked = ["-vf", f"scale={width}:{height}"]
    if frames is not None:
        chosen = "+".join(f"eq(n\\,{n})" for n in sorted(set(frames)))
        picked = ["-vf", f"select={chosen},scale={width}:{height}", "-fps_mode", "passthrough"]
    result = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(video), *picked,
                             "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True)
    decoded = np.frombuffer(result.stdout, np.uint8).reshape(-1, height, width)
    if frames is None:
        return decoded
    order = {n: k for k, n in enumerate(sorted(set(frames)))}
    return decoded[[order[n] for n in frames]]


# -- a test card through every move --------------------------------------------------------------

@pytest.fixture(scope="module")
def marker_card(tmp_path_factory) -> Path:
    """Soft round markers (known centres) on black, on a camera canvas."""
    return marker_card_at(tmp_path_factory.mktemp("card") / "markers.png", FMT, MARKS)


def planned(move: str, frame: int, total: int) -> np.ndarray:
    """Where the markers are on frame `frame` of the move, by `camera.framing`."""
    seen = framing(move, frame, total)
    return np.array([((mx - seen.left) / seen.size * FMT.width, (my - seen.top) / seen.size * FMT.height)
                     for mx, my in MARKS])


@pytest.mark.parametrize("move", MOVING)
def test_moves_follow_their_framing_through_every_segment(tmp_path, marker_card, move):
    """The card comes in through a dissolve, holds for a body and goes out through black: every
    frame shows the framing `camera.framing` plans for it, to a third of a pixel (the ends of
    handles too), and across each joint the markers move no more than the move moves them a frame."""
    black = Image.new("RGB", canvas_size(FMT.width, FMT.height))
    black.save(tmp_path / "black.png")
    head, frames, tail = 5, 40, 6
    card = Clip("card", ImageMove("card", marker_card, move, head + frames + tail), frames, head, tail)
    before = Clip("a", ImageMove("a", tmp_path / "black.png", "static", 14), 10, 0, 4)
    after = Clip("b", ImageMove("b", tmp_path / "black.png", "static", 16), 10, 6, 0)
    timeline = Timeline(FMT, (before, card, after), (Join("dissolve", 8), Join("fade-black", 12)))
    film = decode(render_timeline(timeline, tmp_path), FMT.width, FMT.height).astype(np.float64)
    cut_in = timeline.starts()[1]
    seen = {}
    for n in range(cut_in - 4, cut_in + frames + 6):
        local = n - cut_in + head
        expected = planned(move, local, card.source.total)
        if film[n].max() < 120:   # too dark to measure closely: the darkest frames of the fades
            continue
        got = centroids(film[n], expected)
        assert np.abs(got - expected).max() < 0.3, (move, n, got - expected)
        seen[n] = got
    # Across each joint the markers move as the plan moves them, as closely as between any two
    # frames inside a segment (the encoder's own wander, about a fifth of a pixel here, is the
    # same everywhere; a segment that restarted or shifted the move would jump at its joint).
    def off_plan(a: int, b: int) -> float:   # how far the move from frame a to b strays from the plan
        plan = {n: planned(move, n - cut_in + head, card.source.total) for n in (a, b)}
        return float(np.abs((seen[b] - seen[a]) - (plan[b] - plan[a])).max())

    joints = {s.start for s in timeline.segments()}
    pairs = [(n, n + 1) for n in sorted(seen) if n + 1 in seen]
    inside = max(off_plan(a, b) for a, b in pairs if b not in joints)
    for a, b in pairs:
        if b in joints:
            assert off_plan(a, b) <= max(inside, 0.2) + 0.1, (move, b, off_plan(a, b), inside)


def test_a_still_is_scaled_once_then_resampled_to_the_frame_size():
    """The picture is scaled (and padded) once; per frame, crop positions are absolute numbers
    (no expression anchored to a size that changes from frame to frame), and the chain ends on
    the frame's size."""
    once, per_frame = move_filter("zoom-in", 0, 48, 160, 96)
    assert once.startswith("scale=") and "loop" not in once
    assert "perspective" not in per_frame and "in_w" not in per_frame and "iw" not in per_frame
    assert per_frame.endswith("format=yuv420p") and "crop@cam_b=w=160:h=96:" in per_frame
    assert move_filter("static", 0, 48, 160, 96) == ("scale=160:96", "null")


# -- the framing rules, as numbers -------------------------------------------------------------

@pytest.mark.parametrize("move", MOVING)
def test_every_framing_keeps_the_title_safe_area_and_stays_on_the_picture(move):
    x0, y0, x1, y1 = SAFE_BOX
    total = 97
    for frame in range(total):
        f = framing(move, frame, total)
        assert 0 <= f.left and f.left + f.size <= 1 + 1e-9 and 0 <= f.top and f.top + f.size <= 1 + 1e-9
        assert f.left <= x0 + 1e-9 and f.top <= y0 + 1e-9
        assert f.left + f.size >= x1 - 1e-9 and f.top + f.size >= y1 - 1e-9
    # the move is made as far as the rule allows: its tightest framing touches the safe area
    tightest = min((framing(move, k, total) for k in range(total)), key=lambda f: f.size)
    assert min(x0 - tightest.left, y0 - tightest.top, tightest.left + tightest.size - x1,
               tightest.top + tightest.size - y1) < 1e-6


def test_zooms_are_centred_and_start_or_end_on_the_whole_picture():
    for move in ("zoom-in", "zoom-out"):
        for frame in range(0, 61, 5):
            assert framing(move, frame, 61).centre == pytest.approx((0.5, 0.5), abs=1e-12)
    assert framing("zoom-in", 0, 61).size == pytest.approx(1) and framing("zoom-out", 60, 61).size == pytest.approx(1)
    assert framing("zoom-in", 60, 61).size == pytest.approx(SAFE_BOX[2] - SAFE_BOX[0])
    # a pan travels the whole margin, from one side of the safe area to the other
    assert framing("pan-right", 0, 61).left == pytest.approx(0)
    assert framing("pan-right", 60, 61).left + framing("pan-right", 60, 61).size == pytest.approx(1)
    # without a box to keep, a move is made in full
    assert depth("dolly-in", None) == 1 and framing("zoom-in", 60, 61, keep=None).zoom == pytest.approx(1.22)


def test_a_move_is_continuous_where_a_segment_cuts_into_it():
    """The chain of a segment starting at frame `start` gives frame start + n: the same numbers a
    whole-shot chain gives there (its first frame's filter options, and every later frame's
    commands, which carry the frame's number in the segment)."""
    import re

    def frames(chain: str, first: int, count: int) -> list[dict]:
        """Each frame's filter settings (frames first..first+count-1), as the chain sets them."""
        state = {}
        for filt, body in re.findall(r"((?:crop|scale)@cam_[abs])=([^,]*)", chain):
            state.update({(filt, key): value for key, value in re.findall(r"\b([whxy])=(\d+)", body)})
        commands = re.search(r"sendcmd=c='([^']*)'", chain)
        changes = {}
        for entry in (commands.group(1).split(";") if commands else []):
            n, rest = entry.split(" ", 1)
            changes[int(n)] = [command.split(" ") for command in rest.split("\\, ")]
        seen = []
        for n in range(count):
            for filt, key, value in changes.get(n, []):
                state[(filt, key)] = value
            seen.append(dict(state))
        return seen

    whole = frames(move_filter("dolly-in", 0, 120, 640, 360)[1], 0, 120)
    part = frames(move_filter("dolly-in", 57, 120, 640, 360, count=30)[1], 57, 30)
    assert len(whole[57]) == 10 and part == whole[57:87]


# -- the example films --------------------------------------------------------------------------

def _segments(plan) -> list:
    """The plan's segments (which shot or shots each shows, from which frame), as the build cuts them."""
    clips = tuple(Clip(s.id, None, s.frames, s.head, s.tail) for s in plan.shots)
    joins = tuple(Join(s.transition, s.transition_frames) for s in plan.shots[:-1])
    return Timeline(plan.fmt, clips, joins).segments()


def _warp(image: np.ndarray, scale: float, tx: float, ty: float) -> np.ndarray:
    """`image` zoomed by `scale` about its centre, then shifted by (tx, ty)."""
    h, w = image.shape
    cx, cy = w / 2, h / 2
    # PIL's affine maps each output pixel back to its input position
    data = (1 / scale, 0, cx - (cx + tx) / scale, 0, 1 / scale, cy - (cy + ty) / scale)
    return np.asarray(Image.fromarray(image.astype(np.float32), "F").transform((w, h), Image.Transform.AFFINE, data,
                                                                              Image.Resampling.BILINEAR))


def _shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The shift (x, y) carrying a onto b, by phase correlation."""
    spectrum = np.fft.fft2(b - b.mean()) * np.conj(np.fft.fft2(a - a.mean()))
    peak = np.fft.ifft2(spectrum / (np.abs(spectrum) + 1e-9)).real
    y, x = np.unravel_index(np.argmax(peak), peak.shape)
    h, w = peak.shape
    return float(x if x < w / 2 else x - w), float(y if y < h / 2 else y - h)


def motion(a: np.ndarray, b: np.ndarray) -> float:
    """How far (pixels, at most over the frame) the picture moves from frame a to frame b: the zoom
    about the centre and the shift that best carry a onto b (Gauss-Newton from a phase-correlated
    start), brightness allowed to change (fades), measured on the middle of the frame (away from
    burned subtitles, the animatic's caption and slate, and a wipe's edge)."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    h, w = a.shape
    region = (slice(int(h * 0.2), int(h * 0.8)), slice(int(w * 0.1), int(w * 0.9)))
    tx, ty = _shift(a, b)
    scale, gain, offset = 1.0, 1.0, 0.0
    rows, cols = np.mgrid[0:h, 0:w] + 0.5
    for _ in range(25):
        warped = _warp(a, scale, tx, ty)
        gy, gx = np.gradient(warped)
        residual = (b - (gain * warped + offset))[region]
        jac = np.stack([-gain * gx, -gain * gy, -gain * (gx * (cols - w / 2 - tx) + gy * (rows - h / 2 - ty)) / scale,
                        warped, np.ones_like(warped)], axis=-1)[region].reshape(-1, 5)
        delta = np.linalg.lstsq(jac, residual.reshape(-1), rcond=None)[0]
        tx, ty, scale, gain, offset = tx + delta[0], ty + delta[1], scale + delta[2], gain + delta[3], offset + delta[4]
        if np.abs(delta[:2]).max() < 1e-3 and abs(delta[2]) < 1e-6:
            break
    return float(np.hypot(tx, ty) + abs(scale - 1) * np.hypot(w, h) / 2)


def assert_joints_steady(result) -> None:
    """Across every joint between two segments of one shot (a body and the transition before or
    after it), the picture moves no more than the shot's own move moves it in a frame, give or
    take a pixel of the preview (half a pixel at the half size measured here): x264's predicted
    frames trail a slow sub-pixel move by up to about that much, and each segment starts on a
    key frame that does not (measured against near-lossless encodes). The drift this guards
    against jumped tens of pixels; the test card above holds the camera itself to a fifth."""
    plan = result.plan
    joints = []
    segments = _segments(plan)
    for previous, segment in zip(segments, segments[1:]):
        if not {p.clip.id for p in previous.parts} & {p.clip.id for p in segment.parts}:
            continue   # a hard cut: another shot
        if previous.kind == "transition" and previous.transition.startswith("slide"):
            continue   # a slide moves the incoming shot until its last frame: its own motion, not the camera's
        joints.append((segment.id, segment.start))
    assert len(joints) >= 10
    numbers = [n for _, j in joints for n in range(j - 2, j + 2)]
    film = dict(zip(numbers, decode(result.output, plan.fmt.width // 2, plan.fmt.height // 2, numbers)))
    for name, j in joints:
        joint = motion(film[j - 1], film[j])
        around = max(motion(film[j - 2], film[j - 1]), motion(film[j], film[j + 1]))
        assert joint <= around + 0.5, (name, j, joint, around)


def test_the_short_film_has_no_jumps_at_its_joints(lighthouse):
    assert_joints_steady(lighthouse)


def test_the_lesson_has_no_jumps_at_its_joints(lesson):
    assert_joints_steady(lesson)


def text_centre(frame: np.ndarray) -> tuple[float, float]:
    """The centre of the bright lettering on a dark card (brightness-weighted)."""
    weight = np.clip(frame - 128, 0, None)
    rows, cols = np.mgrid[0:frame.shape[0], 0:frame.shape[1]] + 0.5
    return float((weight * cols).sum() / weight.sum()), float((weight * rows).sum() / weight.sum())


def test_a_zoom_on_the_title_card_keeps_its_text_where_it_is(lighthouse):
    plan = lighthouse.plan
    title = plan.shots[0]
    assert title.kind == "title" and title.camera == "zoom-in"
    body_end = title.frames - split(title.transition_frames)[0]
    numbers = [*range(0, body_end, 4), body_end - 1]
    film = decode(lighthouse.output, plan.fmt.width, plan.fmt.height, numbers).astype(np.float64)
    centres = np.array([text_centre(frame) for frame in film])
    assert np.abs(centres - centres[0]).max() <= 1.0, centres
    # it does zoom: the lettering grows
    assert (film[-1] > 128).sum() > 1.1 * (film[0] > 128).sum()


def diagram_labels() -> dict[str, list[tuple[str, tuple[float, float, float, float]]]]:
    """Each lesson diagram's lettering, boxes as fractions of the picture, from the script that
    draws it (run with a canvas that only measures its text)."""
    from pipeline.fonts import font

    spec = importlib.util.spec_from_file_location("make_diagrams", PROJECTS / "water-cycle" / "make_diagrams.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found: list = []

    class Measure:
        def __init__(self, *args, **kwargs):
            self.im = Image.new("RGBA", (1, 1))
            self.d = ImageDraw.Draw(self.im)

        def mask(self):
            m = Image.new("L", (module.W, module.H))
            return m, ImageDraw.Draw(m)

        def text(self, x, y, s, size, weight="bold", *args, anchor="mm", **kwargs):
            left, top, right, bottom = font(int(size), weight).getbbox(s, anchor=anchor)
            found.append((s, ((x + left) / module.W, (y + top) / module.H, (x + right) / module.W, (y + bottom) / module.H)))

        text_width = staticmethod(module.Canvas.text_width)
        p = staticmethod(module.Canvas.p)

        def __getattr__(self, name):
            return lambda *args, **kwargs: None

    module.Canvas, module.SS, module.arrow = Measure, 1, (lambda *args, **kwargs: None)
    labels = {}
    for name, draw in (("01-title.png", "overview"), ("02-evaporation.png", "evaporation"),
                       ("03-condensation.png", "condensation"), ("04-precipitation.png", "precipitation"),
                       ("05-collection.png", "collection"), ("06-summary.png", "summary")):
        found.clear()
        getattr(module, draw)()
        labels[name] = list(found)
    return labels


def test_the_lessons_labels_stay_whole_through_every_move(lesson):
    """Every label of every diagram is inside every frame of its shot (by the framing the frames
    are shown to follow), "Water vapour" at the edge of the evaporation diagram included; and the
    decoded frame at each shot's tightest framing is that framing of the diagram (burned
    subtitles, wherever they sit, are outside the part compared)."""
    from pipeline.generators.still import load_picture

    plan = lesson.plan
    labels = diagram_labels()
    assert any(box[2] > 0.92 for text, box in labels["02-evaporation.png"] if text == "Water vapour")
    width, height = plan.fmt.width, plan.fmt.height
    cw, ch = canvas_size(width, height)
    tightest = []
    for index, (shot, start) in enumerate(zip(plan.shots, plan.starts())):
        if not isinstance(shot.source, StillSource):
            continue
        total = shot.head + shot.frames + shot.tail
        frames = [framing(shot.camera, k, total) for k in range(total)]
        for text, (x0, y0, x1, y1) in labels[shot.source.image.name]:
            for f in frames:
                assert f.left <= x0 and f.top <= y0 and x1 <= f.left + f.size and y1 <= f.top + f.size, (shot.id, text)
        body = range(start + split(plan.shots[index - 1].transition_frames)[1],
                     start + shot.frames - split(shot.transition_frames)[0])
        n = min(body, key=lambda n: frames[shot.head + n - start].size)
        tightest.append((shot, n, frames[shot.head + n - start]))
    assert len(tightest) >= 5
    # the tightest body frame of each, decoded, is the diagram through that framing (labels and all):
    # no zoom or shift carries one onto the other
    film = decode(lesson.output, width, height, [n for _, n, _ in tightest])
    for (shot, n, f), frame in zip(tightest, film):
        canvas = load_picture(shot.source.image, cw, ch).convert("L")
        box = (f.left * cw, f.top * ch, (f.left + f.size) * cw, (f.top + f.size) * ch)
        expected = np.asarray(canvas.resize((width, height), Image.Resampling.LANCZOS, box=box), np.float64)
        assert motion(expected, frame) < 0.5, (shot.id, n)
    assert count_frames(lesson.output) == plan.total
