"""The `diffusers` generator: each shot made by a diffusion pipeline (text-to-video,
image-to-video or text-to-image), consistent from shot to shot.

A video shot is generated at the model's own fps and size for as long as the shot lasts (its
handles included), then conformed to the project's fps and size by the editor, like footage.
A shot longer than the model's longest clip is continued from its own last frame where the
family can (image-to-video), else stretched (`fallback: slow`), looped or held. A text-to-image
shot is a still, moved by the shot's camera.

`continuity: previous` starts a shot from the previous shot's last frame, and `first_frame:`
from an image; the generated colours are then matched (mean and spread per channel) to that
frame, which keeps chained shots from drifting. `takes: N` renders N seeds, `take: K` picks
the one the cut uses; each take is its own cached job, so picking another re-renders nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

from ..cache import make_job
from ..edit import ffmpeg
from ..camera import canvas_size
from ..edit.sources import ImageMove, VideoClip
from ..errors import FilmError, Problem
from ..plan import GeneratedSource, ShotPlan, derive_seed
from ..spec import GeneratorSpec
from . import diffusion_models as models
from .base import BaseGenerator, Context, Prepared, Take
from .diffusion_settings import OPTIONS, DiffusionSettings, read_settings
from .families import Family, clip_frames, generation_size, seconds_to_native

CLIP = "clip.mkv"
LAST = "last.png"
IMAGE = "image.png"


@dataclass(frozen=True)
class Request:
    """Everything one take of a shot is generated from (its job's inputs, less the model)."""

    prompt: str
    negative: str
    seed: int
    width: int
    height: int
    frames: int                 # native frames the shot needs
    steps: int
    guidance: float
    fallback: str
    colour_match: bool


def take_seed(seed: int, take: int) -> int:
    """Take 1 is the shot's own seed; take k another seed derived from it."""
    return seed if take == 1 else derive_seed(seed, f"take-{take}")


EXTRA_MODULES = ("torch", "diffusers", "transformers")   # the `film[diffusers]` install extra


class Diffusers(BaseGenerator):
    name = "diffusers"
    made_by = "trainedAlgorithmicMedia"
    version = "1"
    options = OPTIONS

    def check(self, spec: GeneratorSpec, root: Path) -> list[Problem]:
        """The options; when they are right, that the install extra is there (found, not
        imported) and that the model is (a folder, or in the local Hugging Face cache: the
        network is never asked) with a model_index.json naming a pipeline class this diffusers
        has (read, no weights loaded). Every problem is at `spec.loc`."""
        import importlib.util

        settings, messages = read_settings(spec.options)
        if messages or settings is None:
            return [spec.loc.problem(m) for m in messages]
        missing = [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            return [spec.loc.problem(f"the diffusers generator needs {', '.join(missing)}: {models.EXTRA}")]
        try:
            models.describe(settings, root, local_only=True)
        except FilmError as error:
            return [spec.loc.problem(p.message) for p in error.problems]
        return []

    def prepare(self, shot: ShotPlan, ctx: Context) -> Prepared:
        settings, problems = read_settings(shot.generator.options)
        if settings is None:
            raise FilmError([shot.generator.loc.problem(p) for p in problems])
        info = models.describe(settings, ctx.root)
        family = models.family_of(info, settings)
        generated: GeneratedSource = shot.source
        total = shot.span
        seconds = ctx.fmt.seconds(total)
        still = family.task == "text-to-image"
        if still:
            width, height = canvas_size(ctx.fmt.width, ctx.fmt.height)
            gen_size = generation_size(family, width, height, settings.size)
        else:
            gen_size = generation_size(family, ctx.fmt.width, ctx.fmt.height, settings.size)
        condition, condition_key, deps = _condition(shot, ctx)
        takes = []
        for take in range(1, generated.takes + 1):
            request = Request(prompt=shot.prompt, negative=shot.negative, seed=take_seed(shot.seed, take),
                              width=gen_size[0], height=gen_size[1], frames=seconds_to_native(family, seconds),
                              steps=settings.steps or family.steps,
                              guidance=settings.guidance if settings.guidance is not None else family.guidance,
                              fallback=settings.fallback, colour_match=settings.colour_match)
            inputs = {"generator": self.name, "version": self.version, "model": info.lock_entry(),
                      "family": asdict(family), "request": asdict(request), "condition": condition_key,
                      "seconds": round(seconds, 6)}
            if still:
                inputs["canvas"] = [*canvas_size(ctx.fmt.width, ctx.fmt.height)]

            def run(out: Path, request=request) -> None:
                _render(out, settings, info, family, request, condition, seconds, ctx, still)

            # On a cluster, a shot set to render on CUDA asks for a GPU of its own.
            job = make_job(ctx.cache, "diffusion", f"{shot.id}" + (f" take {take}" if generated.takes > 1 else ""),
                           inputs, run, deps=deps, gpus=1.0 if settings.device == "cuda" else 0.0)
            media = job.output / (IMAGE if still else CLIP)
            takes.append(Take(job, request.seed, f"take {take} (seed {request.seed})", media))
        chosen = takes[generated.take - 1].job
        if still:
            source = ImageMove(key=chosen.key, image=chosen.output / IMAGE, move=shot.camera, total=total)
        else:
            source = VideoClip(key=chosen.key, path=chosen.output / CLIP, offset=0.0, total=total)
        return Prepared(source, chosen, tuple(takes), last_frame=chosen.output / LAST)

    def lock_entry(self, shot: ShotPlan, ctx: Context) -> dict:
        """What the shot is rendered with, for `lock.json`."""
        settings, _ = read_settings(shot.generator.options)
        info = models.describe(settings, ctx.root)
        generated: GeneratedSource = shot.source
        return {**info.lock_entry(), "seed": shot.seed, "takes": generated.takes, "take": generated.take}


def _condition(shot: ShotPlan, ctx: Context) -> tuple[Path | None, str | None, tuple[str, ...]]:
    """The image the shot starts from, what it depends on (for the key) and the job that makes it."""
    generated: GeneratedSource = shot.source
    if generated.first_frame is not None:
        return generated.first_frame, f"image:{ctx.cache.digest(generated.first_frame)}", ()
    if generated.continues is None:
        return None, None, ()
    before = ctx.prepared.get(generated.continues)
    if before is None:
        return None, None, ()
    deps = (before.job.id,) if before.job is not None else ()
    if before.last_frame is not None:
        return before.last_frame, f"shot:{before.source.key}", deps
    if isinstance(before.source, ImageMove):
        return before.source.image, f"shot:{before.source.key}", deps
    if isinstance(before.source, VideoClip):
        return before.source, f"shot:{before.source.key}", deps      # its last frame is read when rendering
    return None, None, ()


def _condition_image(condition, ctx: Context, work: Path) -> Image.Image | None:
    """The image a shot starts from; a previous footage shot's last frame is read from its file."""
    if condition is None:
        return None
    if isinstance(condition, VideoClip):
        seconds = condition.offset + float(Fraction(condition.total - 1) / ctx.fmt.fps)
        frame = work / "previous-last-frame.png"
        ffmpeg.run(["-ss", f"{max(seconds, 0):.6f}", "-i", str(condition.path), "-frames:v", "1", str(frame)],
                   what="reading the last frame of the previous shot")
        condition = frame
    from .still import decode_reduced, open_picture, viewed   # a picture as a viewer sees it (alpha, 16-bit, ICC, size)

    with open_picture(condition) as image:
        return viewed(decode_reduced(image, ctx.fmt.width, ctx.fmt.height))


def _render(out: Path, settings: DiffusionSettings, info: models.ModelInfo, family: Family, request: Request,
            condition, seconds: float, ctx: Context, still: bool) -> None:
    loaded = models.load(settings, info, family)
    out.mkdir(parents=True)
    image = _condition_image(condition, ctx, out)
    if image is not None:
        image = image.resize((request.width, request.height), Image.Resampling.LANCZOS)
    with loaded.lock:
        if still:
            picture = call_pipeline(loaded, loaded.pipe, request, image=None, frames=None)[0]
            width, height = canvas_size(ctx.fmt.width, ctx.fmt.height)
            picture_image = Image.fromarray(picture).resize((width, height), Image.Resampling.LANCZOS)
            picture_image.save(out / IMAGE, format="PNG", compress_level=1)
            picture_image.save(out / LAST, format="PNG", compress_level=1)
            return
        frames, fps = generate_clip(loaded, request, image)
    Image.fromarray(frames[-1]).save(out / LAST, format="PNG", compress_level=1)
    write_clip(frames, fps, out / CLIP)


def generate_clip(loaded: models.Loaded, request: Request, image: Image.Image | None) -> tuple[np.ndarray, Fraction]:
    """The shot's frames (uint8, F x H x W x 3) and the fps they play at: one call, continued
    from its last frame while the model can, else stretched, looped or held to length."""
    family = loaded.family
    if family.task == "image-to-video" and image is None:
        raise FilmError([Problem(loaded.info.model, 0,
                                        f"{loaded.info.class_name} makes video from an image: give the shot "
                                        "'first_frame:' or 'continuity: previous'")])
    pipe = loaded.pipe
    if image is not None and family.task == "text-to-video":
        # Start from the image through the family's image-to-video pipeline where it has one
        # (LTX); a text-to-video model without one keeps the seed and matches the colours.
        pipe = loaded.chain_pipeline() or pipe
    frames = call_pipeline(loaded, pipe, request, image=image, frames=clip_frames(family, request.frames))
    reference = np.asarray(image) if image is not None and request.colour_match else None
    if reference is not None:
        frames = match_colours(frames, reference)
    chain = loaded.chain_pipeline() if len(frames) < request.frames else None
    while chain is not None and len(frames) < request.frames:
        wanted = clip_frames(family, request.frames - len(frames) + 1)
        more = call_pipeline(loaded, chain, request, image=Image.fromarray(frames[-1]), frames=wanted)
        if request.colour_match:
            more = match_colours(more, frames[-1])
        frames = np.concatenate([frames, more[1:]])      # its first frame is the one it continued
    fps = Fraction(family.fps)
    if len(frames) >= request.frames:
        return frames[:request.frames], fps
    if request.fallback == "slow":
        return frames, fps * len(frames) / request.frames
    if request.fallback == "loop":
        repeats = -(-request.frames // len(frames))
        return np.concatenate([frames] * repeats)[:request.frames], fps
    hold = np.repeat(frames[-1:], request.frames - len(frames), axis=0)
    return np.concatenate([frames, hold]), fps


def call_pipeline(loaded: models.Loaded, pipe, request: Request, image: Image.Image | None, frames: int | None) -> np.ndarray:
    """One pipeline call with the arguments this pipeline takes; retried once with VAE tiling
    if the GPU runs out of memory (most often while decoding)."""
    import inspect

    import torch

    family = loaded.family
    accepted = inspect.signature(pipe.__call__).parameters
    arguments = {
        "prompt": request.prompt if family.prompt else None,
        "negative_prompt": (request.negative or None) if family.prompt else None,
        "image": image, "height": request.height, "width": request.width, "num_frames": frames,
        "num_inference_steps": request.steps, "guidance_scale": request.guidance,
        "output_type": "np",
    }
    if "fps" in accepted and family.task != "text-to-image":
        arguments["fps"] = family.fps
    arguments = {k: v for k, v in arguments.items() if v is not None and k in accepted}
    for attempt in (1, 2):
        # A CPU generator gives the same noise on any device, so a seed means the same shot.
        arguments["generator"] = torch.Generator("cpu").manual_seed(request.seed)
        try:
            result = pipe(**arguments)
            break
        except (RuntimeError, MemoryError) as error:
            if attempt == 2 or not models.is_out_of_memory(error) or not models.enable_vae_tiling(pipe):
                raise
            torch.cuda.empty_cache()
    output = result.frames[0] if hasattr(result, "frames") else result.images
    return to_uint8(output)


def to_uint8(output) -> np.ndarray:
    """Frames as uint8 RGB: from floats in [0, 1] (output_type "np") or PIL images."""
    if isinstance(output, (list, tuple)) and output and isinstance(output[0], Image.Image):
        return np.stack([np.asarray(im.convert("RGB")) for im in output])
    array = np.asarray(output)
    if array.dtype != np.uint8:
        array = np.clip(np.rint(array * 255.0), 0, 255).astype(np.uint8)
    return array


def match_colours(frames: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """The frames with each channel's mean and spread (over the whole clip) moved to the
    reference image's: one transform for the clip, so it cannot flicker."""
    clip = frames.astype(np.float32)
    ref = reference.astype(np.float32).reshape(-1, 3)
    mean, spread = clip.reshape(-1, 3).mean(axis=0), clip.reshape(-1, 3).std(axis=0) + 1e-3
    matched = (clip - mean) * (ref.std(axis=0) / spread) + ref.mean(axis=0)
    return np.clip(np.rint(matched), 0, 255).astype(np.uint8)


def write_clip(frames: np.ndarray, fps: Fraction, out: Path) -> None:
    """Frames into a lossless FFV1 file at `fps` (the editor conforms it to the project)."""
    count, height, width, _ = frames.shape
    ffmpeg.run(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
                "-framerate", f"{fps.numerator}/{fps.denominator}", "-i", "-",
                "-c:v", "ffv1", "-pix_fmt", "bgr0", "-f", "matroska", str(out)],
               what="writing a generated clip", stdin=np.ascontiguousarray(frames).tobytes())
