"""What each diffusers pipeline family takes and returns: task, frame-count rule, native fps,
longest clip, size multiple, default size, steps and guidance.

Pure data and arithmetic (no torch), so a storyboard can be planned and checked without the
`diffusers` extra. Figures are the model cards' defaults; every one can be overridden in the
generator's options.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

TASKS = ("text-to-video", "image-to-video", "text-to-image")
FALLBACKS = ("slow", "loop", "hold")


@dataclass(frozen=True)
class Family:
    name: str
    task: str
    frame_step: int = 1           # clip lengths are frame_step * k + 1 frames (1: any length)
    fps: int = 24                 # the rate the model was trained to move at
    max_frames: int = 1           # the longest clip one call makes
    size_multiple: int = 8        # width and height must be multiples of this
    size: tuple[int, int] = (512, 512)   # default width x height
    steps: int = 30
    guidance: float = 5.0
    last_image: bool = False      # also takes a last frame (first+last frame to video)
    prompt: bool = True           # takes a text prompt (Stable Video Diffusion does not)
    chain: str | None = None      # image-to-video class that continues a clip from its last frame


# Keyed by the pipeline's class name.
FAMILIES: dict[str, Family] = {f.name: f for f in (
    Family("WanPipeline", "text-to-video", 4, 16, 81, 16, (832, 480), 50, 5.0),
    Family("WanImageToVideoPipeline", "image-to-video", 4, 16, 81, 16, (832, 480), 50, 5.0,
           last_image=True, chain="WanImageToVideoPipeline"),
    Family("LTXPipeline", "text-to-video", 8, 24, 257, 32, (704, 480), 50, 3.0, chain="LTXImageToVideoPipeline"),
    Family("LTXImageToVideoPipeline", "image-to-video", 8, 24, 257, 32, (704, 480), 50, 3.0,
           chain="LTXImageToVideoPipeline"),
    Family("LTXConditionPipeline", "image-to-video", 8, 24, 257, 32, (704, 480), 50, 3.0,
           chain="LTXConditionPipeline"),
    Family("CogVideoXPipeline", "text-to-video", 8, 8, 49, 16, (720, 480), 50, 6.0),
    Family("CogVideoXImageToVideoPipeline", "image-to-video", 8, 8, 49, 16, (720, 480), 50, 6.0,
           chain="CogVideoXImageToVideoPipeline"),
    Family("HunyuanVideoPipeline", "text-to-video", 4, 24, 129, 16, (1280, 720), 50, 6.0),
    Family("AnimateDiffPipeline", "text-to-video", 1, 8, 16, 8, (512, 512), 25, 7.5),
    Family("StableVideoDiffusionPipeline", "image-to-video", 1, 7, 25, 64, (1024, 576), 25, 3.0,
           prompt=False, chain="StableVideoDiffusionPipeline"),
)}

#: Text-to-image pipelines go by their `num_frames`-less call; these are the common ones.
IMAGE_DEFAULTS: dict[str, Family] = {f.name: f for f in (
    Family("StableDiffusionPipeline", "text-to-image", size=(512, 512), steps=30, guidance=7.5),
    Family("StableDiffusionXLPipeline", "text-to-image", size=(1024, 1024), steps=30, guidance=5.0),
    Family("StableDiffusion3Pipeline", "text-to-image", size=(1024, 1024), size_multiple=16, steps=28, guidance=7.0),
    Family("FluxPipeline", "text-to-image", size=(1024, 1024), size_multiple=16, steps=28, guidance=3.5),
    Family("PixArtSigmaPipeline", "text-to-image", size=(1024, 1024), steps=20, guidance=4.5),
    Family("SanaPipeline", "text-to-image", size=(1024, 1024), size_multiple=32, steps=20, guidance=4.5),
)}


def family_for(class_name: str, call_parameters: tuple[str, ...], task: str | None = None) -> Family:
    """The family of a loaded pipeline, by class name, else by what its call takes: `num_frames`
    makes it a video model, an `image` argument image-to-video. `task` overrides the detected one."""
    family = FAMILIES.get(class_name) or IMAGE_DEFAULTS.get(class_name)
    if family is None:
        if "num_frames" in call_parameters:
            detected = "image-to-video" if "image" in call_parameters else "text-to-video"
            family = Family(class_name, detected, max_frames=49,
                            chain=class_name if detected == "image-to-video" else None)
        else:
            family = Family(class_name, "text-to-image")
    if task and task != family.task:
        family = replace(family, task=task)
    return family


def clip_frames(family: Family, wanted: int) -> int:
    """The fewest frames at least `wanted` that the family can make in one call (its k*step+1
    rule), at most its longest clip."""
    step = family.frame_step
    if step <= 1:
        frames = max(wanted, 1)
    else:
        frames = step * max(math.ceil((wanted - 1) / step), 1) + 1
    return min(frames, family.max_frames)


def generation_size(family: Family, width: int, height: int, size: tuple[int, int] | None = None) -> tuple[int, int]:
    """The size to generate at: `size` if given, else the family's default area at the
    project's aspect ratio; both sides rounded to the family's multiple."""
    m = family.size_multiple
    if size is None:
        area = family.size[0] * family.size[1]
        scale = math.sqrt(area / (width * height))
        size = (width * scale, height * scale)
    return tuple(max(m, int(round(side / m)) * m) for side in size)  # type: ignore[return-value]


def seconds_to_native(family: Family, seconds: float) -> int:
    """How many frames at the family's own fps cover `seconds`."""
    return max(1, math.ceil(seconds * family.fps - 1e-9))
