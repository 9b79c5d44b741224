"""The camera's crop-scale-crop resampling, as numbers: for every frame of every move, at two
frame sizes, the mapping the filter chain's integers imply (output pixel -> picture position)
lands within a tenth of an output pixel of the window `camera.framing` plans, on both axes."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import camera
from pipeline.camera import _PAD, framing, move_filter, resampling


def implied(resample: camera.Resample, out: int) -> np.ndarray:
    """Where the centre of each output pixel 0..out-1 samples the padded picture (pixels): the
    second crop's offset, the scale (swscale maps pixel centres), the first crop's position."""
    i = np.arange(out)
    return resample.at + (resample.offset + i + 0.5) * resample.crop / resample.scaled


@pytest.mark.parametrize("width,height", [(1280, 720), (320, 180)])
@pytest.mark.parametrize("move", [name for name in camera.names() if name != "static"])
def test_every_output_pixel_lands_within_a_tenth_of_a_pixel_of_its_framing(move, width, height):
    worst = 0.0
    for total in (48, 121):
        (pw, ph), table = resampling(move, total, width, height)
        assert len(table) == total
        for k, (across, down, planned) in enumerate(table):
            f = framing(move, k, total)
            for resample, out, picture, start in ((across, width, pw, f.left), (down, height, ph, f.top)):
                # the window's pixel centres on the picture, padded by _PAD on each side
                wanted = _PAD + start * picture + (np.arange(out) + 0.5) * f.size * picture / out
                error = np.abs(implied(resample, out) - wanted).max() / (f.size * picture / out)
                assert error <= 0.1, (move, total, k, error)
                worst = max(worst, error)
                # every crop stays on the padded picture and the scaled frame holds the output frame
                assert 0 <= resample.at and resample.at + resample.crop <= picture + 2 * _PAD
                assert 0 <= resample.offset and resample.offset + out <= resample.scaled
            assert planned == pytest.approx(max(
                np.abs(implied(r, o) - (_PAD + s * p + (np.arange(o) + 0.5) * f.size * p / o)).max() / (f.size * p / o)
                for r, o, p, s in ((across, width, pw, f.left), (down, height, ph, f.top))))
    assert worst < 0.1


def test_the_graph_is_the_same_every_time():
    """Same inputs, same filter graph (the numbers are searched deterministically)."""
    first = move_filter("dolly-in", 30, 120, 1280, 720, count=40, name="p1")
    resampling.cache_clear()
    assert move_filter("dolly-in", 30, 120, 1280, 720, count=40, name="p1") == first


def test_a_move_without_a_keep_box_is_resampled_within_a_quarter_of_a_pixel():
    """A move made in full (no keep box: sizes range up to 1.3x) is resampled less closely than
    the title-safe moves above: at worst about 0.21 output pixel (measured), not 0.1. Its ratios
    come near the range's ends (zoom-out, 1.22x) or take the downscaling range (dolly-in, 1.3x),
    where reachable positions bunch near 5/4 and 6/5. A known shortfall, held here."""
    for move in ("dolly-in", "zoom-out", "crane-up"):
        for width, height in ((1280, 720), (320, 180)):
            (pw, _), table = resampling(move, 97, width, height, None)
            assert max(t[2] for t in table) <= 0.25
