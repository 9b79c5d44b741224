"""The per-family rules of the diffusers generator, and its options (no torch needed)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.generators.diffusion_settings import read_settings
from pipeline.generators.families import FAMILIES, clip_frames, family_for, generation_size, seconds_to_native


@pytest.mark.parametrize("name, wanted, frames", [
    ("WanPipeline", 9, 9), ("WanPipeline", 10, 13), ("WanPipeline", 2, 5), ("WanPipeline", 500, 81),
    ("LTXPipeline", 10, 17), ("LTXPipeline", 9, 9), ("CogVideoXPipeline", 40, 41), ("CogVideoXPipeline", 60, 49),
    ("HunyuanVideoPipeline", 30, 33), ("AnimateDiffPipeline", 12, 12), ("AnimateDiffPipeline", 30, 16),
])
def test_clip_lengths_follow_each_family_rule(name, wanted, frames):
    family = FAMILIES[name]
    got = clip_frames(family, wanted)
    assert got == frames
    assert (got - 1) % family.frame_step == 0 and got <= family.max_frames


def test_generation_size_keeps_the_aspect_on_the_family_grid():
    wan = FAMILIES["WanPipeline"]
    width, height = generation_size(wan, 1280, 720)
    assert width % 16 == 0 and height % 16 == 0
    assert abs(width / height - 16 / 9) < 0.05 and abs(width * height - 832 * 480) / (832 * 480) < 0.1
    assert generation_size(FAMILIES["LTXPipeline"], 1280, 720, (100, 70)) == (96, 64)
    assert seconds_to_native(wan, 2.0) == 32 and seconds_to_native(wan, 0.01) == 1


def test_unknown_pipelines_are_told_apart_by_what_they_take():
    assert family_for("SomeVideoPipeline", ("prompt", "num_frames")).task == "text-to-video"
    assert family_for("SomeI2VPipeline", ("image", "num_frames")).task == "image-to-video"
    assert family_for("SomeImagePipeline", ("prompt", "height")).task == "text-to-image"
    assert family_for("WanPipeline", (), task="text-to-image").task == "text-to-image"


def test_options_are_checked_with_did_you_mean():
    settings, problems = read_settings({"model": "org/model", "steps": 4, "size": "64x48", "dtype": "bf16"})
    assert problems == [] and settings.size == (64, 48) and settings.steps == 4
    _, problems = read_settings({"model": "m", "stepz": 3, "dtype": "fp8", "fallback": "lop", "size": "big",
                                 "guidance": "lots", "vae_tiling": "yes"})
    assert problems == [
        "unknown diffusers option 'stepz' (did you mean 'steps'?)",
        "diffusers dtype 'fp8'; one of: auto, fp32, fp16, bf16",
        "diffusers fallback 'lop' (did you mean 'loop'?); one of: slow, loop, hold",
        "diffusers guidance must be a number, got 'lots'",
        "diffusers vae_tiling must be true or false, got 'yes'",
        "diffusers size must be WIDTHxHEIGHT (e.g. 832x480), got 'big'",
    ]
    settings, problems = read_settings({"steps": 3})
    assert settings is None and "needs a 'model'" in problems[0]


def test_colour_matching_moves_a_clip_to_the_reference():
    from pipeline.generators.diffusers import match_colours

    rng = np.random.default_rng(0)
    clip = rng.integers(0, 120, (5, 8, 8, 3)).astype(np.uint8)          # dark and dull
    reference = rng.integers(100, 255, (8, 8, 3)).astype(np.uint8)     # bright
    matched = match_colours(clip, reference).astype(float)
    assert np.allclose(matched.reshape(-1, 3).mean(0), reference.reshape(-1, 3).mean(0), atol=2)
    # one transform for the whole clip: frame order and relative differences are kept
    assert np.corrcoef(matched[0].ravel(), clip[0].ravel().astype(float))[0, 1] > 0.99
