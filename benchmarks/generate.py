"""Generation overhead: N generated shots through the project, against N bare pipeline calls.

By default a tiny random-weight Wan pipeline is built in code (as the tests do) and run on the
CPU: the script times one `film build` of N one-second shots (one job at a time, so the times
add up), then one load plus the same N pipeline calls made directly, and prints the project's
overhead beyond the bare calls plus the encoding (storing the generated frames as video once,
and the build's segment, mix and join jobs). Target: at most 10%.

With a real model (a hub id in the cache, or a folder) on a GPU it prints seconds per shot and
the peak GPU memory:

    python benchmarks/generate.py [--shots 16] [--model ID --device cuda --steps 30 --size 832x480]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
import time
from pathlib import Path



def write_project(folder: Path, model: str, shots: int, options: str) -> Path:
    lines = [
        "title: Benchmark", "size: 320x180", "fps: 16", "speech: false", "title_card: false",
        f"generator: {{name: diffusers, model: {model}, {options}}}",
        "scenes:", "  - heading: EXT. SEA - NIGHT", "    shots:",
    ]
    lines += [f'      - {{id: shot-{n}, prompt: "waves on the rocks, take {n}", duration: 1}}' for n in range(shots)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "storyboard.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shots", type=int, default=16)
    parser.add_argument("--model", help="a hub id in the cache or a pipeline folder (default: a tiny Wan built here)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--size", default="32x32")
    args = parser.parse_args()

    import torch
    from diffusers import DiffusionPipeline

    from pipeline.build import build
    from pipeline.generators import diffusion_models
    from pipeline.generators.diffusers import Request, generate_clip, write_clip
    from pipeline.generators.diffusion_settings import read_settings

    with tempfile.TemporaryDirectory() as work, contextlib.ExitStack() as stack:
        work = Path(work)
        model = args.model
        if model is None:
            from pipeline.testing.tiny_pipelines import save_wan_text_to_video

            model = str(save_wan_text_to_video(work / "tiny-wan"))
        if args.model is None:
            # A tiny model runs fastest on one CPU thread (both sides of the comparison alike).
            from pipeline.testing.tiny_pipelines import one_thread

            stack.enter_context(one_thread())
        if Path(model).expanduser().is_dir():
            # A pipeline folder is named by its place in the user's models folder.
            os.environ["FILM_MODELS"] = str(Path(model).expanduser().resolve().parent)
            model = Path(model).name
        options = f"size: {args.size}, steps: {args.steps}, device: {args.device}"
        folder = write_project(work / "benchmark", model, args.shots, options)
        gpu = torch.cuda.is_available() and args.device in ("auto", "cuda")
        if gpu:
            torch.cuda.reset_peak_memory_stats()

        started = time.perf_counter()
        result = build(folder, renders=work / "renders", workers=1)
        project = time.perf_counter() - started
        generation = sum(r.seconds for r in result.results if r.kind == "diffusion")
        editing = sum(r.seconds for r in result.results if r.kind != "diffusion")
        peak = torch.cuda.max_memory_allocated() / 2**30 if gpu else None

        # The same work by hand: one load, N calls of the same size and length.
        diffusion_models._LOADED.clear()
        settings, _ = read_settings({"model": model, "size": args.size, "steps": args.steps, "device": args.device})
        info = diffusion_models.describe(settings, folder)
        family = diffusion_models.family_of(info, settings)
        shot = result.plan.shots[0]
        request = next(r for r in result.results if r.kind == "diffusion")
        def by_hand():
            """One load and N calls: the same work without the project."""
            dtype = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[info.dtype]
            pipe = DiffusionPipeline.from_pretrained(info.source, dtype=dtype).to(info.device)
            pipe.set_progress_bar_config(disable=True)
            loaded = diffusion_models.Loaded(pipe, info, family)
            width, height = (int(v) for v in args.size.split("x"))
            return [generate_clip(loaded, Request(
                prompt=f"waves on the rocks, take {n}", negative="", seed=n, width=width, height=height,
                frames=16, steps=args.steps, guidance=family.guidance, fallback="slow", colour_match=False), None)
                for n in range(args.shots)]

        # In a worker thread, as the build's jobs run (torch's thread settings are per thread).
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1) as pool:
            clips = pool.submit(by_hand).result()
        bare = time.perf_counter() - started
        # Any way of making the film has to store the generated frames as video once.
        started = time.perf_counter()
        for n, (frames, fps) in enumerate(clips):
            write_clip(frames, fps, work / f"clip-{n}.mkv")
        storing = time.perf_counter() - started
        del request, shot

    overhead = project / (bare + storing + editing) - 1
    print(f"{args.shots} shots of 1 s with {info.class_name} on {info.device} ({info.dtype}):")
    print(f"  film build: {project:.2f} s (generation jobs {generation:.2f} s, editing jobs {editing:.2f} s)")
    print(f"  bare: one load + {args.shots} pipeline calls: {bare:.2f} s")
    print(f"  storing the generated frames as video: {storing:.2f} s")
    print(f"  overhead beyond bare calls + storing + editing: {overhead:+.1%} (target at most +10%)")
    print(f"  seconds per shot (generation): {generation / args.shots:.3f}")
    if peak is not None:
        print(f"  peak GPU memory: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
