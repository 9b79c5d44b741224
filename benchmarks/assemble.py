"""Assembly speed and memory: the project's editor against one hand-written ffmpeg command.

Builds one 12-shot edit (1280x720, 24 fps, 4 s shots, 1 s dissolves, a music bed) from footage
clips, twice in one run: with `film build`, and with a single ffmpeg command (xfade chain +
audio) that makes the same cut. Then a rebuild after changing one shot, a no-op rebuild, and a
48-shot version of the edit for peak memory. Prints wall times; the last line is
`assemble/ffmpeg ratio: X.XX`.

    python benchmarks/assemble.py [--shots 12] [--long 48] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from pipeline.audio.ambient import ambient_pad, write_wav
from pipeline.edit import ffmpeg

WIDTH, HEIGHT, FPS, SHOT, DISSOLVE, HANDLE = 1280, 720, 24, 4.0, 1.0, 0.5
PATTERNS = ["testsrc2", "smptehdbars", "rgbtestsrc", "mandelbrot", "life", "cellauto"]


def make_footage(folder: Path, count: int) -> list[Path]:
    """`count` 5 s clips of moving test patterns (4 s shot + 0.5 s handle each side)."""
    clips = []
    for n in range(count):
        path = folder / f"clip{n:02d}.mp4"
        if n < len(PATTERNS) or not clips:
            source = f"{PATTERNS[n % len(PATTERNS)]}=s={WIDTH}x{HEIGHT}:r={FPS}"
            ffmpeg.run(["-f", "lavfi", "-i", source, "-t", str(SHOT + 2 * HANDLE), "-vf", f"hue=h={n * 29}",
                        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path)])
        else:
            shutil.copyfile(clips[n % len(PATTERNS)], path)
        clips.append(path)
    return clips


def storyboard(clips: list[Path], music: Path, changed: int | None = None) -> str:
    shots = []
    for n, clip in enumerate(clips):
        start = HANDLE + (0.25 if n == changed else 0.0)
        shots.append(f"      - {{id: shot{n:02d}, footage: {{file: {clip.name}, in: {start}}}, duration: {SHOT}}}")
    return textwrap.dedent(f"""\
        title_card: false
        fps: {FPS}
        size: {WIDTH}x{HEIGHT}
        transition: {{name: dissolve, duration: {DISSOLVE}}}
        subtitles: off
        music: [{{file: {music.name}, gain: -10, fade_in: 2, fade_out: 3}}]
        scenes:
          - heading: EXT. TEST - DAY
            shots:
        """) + "\n".join(shots) + "\n"


def hand_written(clips: list[Path], music: Path, out: Path) -> None:
    """The same edit as one ffmpeg command: trimmed inputs, an xfade chain, the music bed."""
    args: list[str] = []
    last = len(clips) - 1
    for n, clip in enumerate(clips):
        start = HANDLE if n == 0 else 0.0
        length = SHOT + HANDLE * (1 if n in (0, last) else 2)
        args += ["-ss", f"{start}", "-t", f"{length}", "-i", str(clip)]
    total = SHOT * len(clips)
    args += ["-stream_loop", "-1", "-i", str(music)]
    chain, previous, offset = [], "[0:v]", 0.0
    for n in range(1, len(clips)):
        offset = SHOT * n - DISSOLVE / 2
        label = f"[x{n}]"
        chain.append(f"{previous}[{n}:v]xfade=transition=fade:duration={DISSOLVE}:offset={offset}{label}")
        previous = label
    chain.append(f"[{len(clips)}:a]atrim=0:{total},afade=t=in:d=2,afade=t=out:st={total - 3}:d=3,volume=-10dB[a]")
    ffmpeg.run([*args, "-filter_complex", ";".join(chain), "-map", previous, "-map", "[a]",
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-movflags", "+faststart", str(out)],
               what="hand-written edit")


MEASURE = """
import resource, sys, time
from pathlib import Path
from pipeline.build import build
started = time.perf_counter()
result = build(Path(sys.argv[1]), renders=Path(sys.argv[2]))
seconds = time.perf_counter() - started
# VmHWM, not ru_maxrss: ru_maxrss carries over the high-water mark of the process we were forked from.
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(seconds, result.rendered, result.cached, own, child)
"""


def film_build(project: Path, renders: Path) -> dict:
    """Run `build` in a fresh process; its wall time, job counts and peak memory (KiB)."""
    out = subprocess.run([sys.executable, "-c", MEASURE, str(project), str(renders)],
                         capture_output=True, text=True, check=True)
    seconds, rendered, cached, own, child = out.stdout.split()
    return {"seconds": float(seconds), "rendered": int(rendered), "cached": int(cached),
            "python_rss_mb": int(own) / 1024, "ffmpeg_rss_mb": int(child) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=int, default=12)
    parser.add_argument("--long", type=int, default=48, help="shots in the long edit for the memory check (0: skip)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="film-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        project = work / "edit"
        project.mkdir(exist_ok=True)
        clips = make_footage(project, max(args.shots, args.long))
        music = project / "music.wav"
        write_wav(music, ambient_pad(60.0, seed=3))
        used = clips[: args.shots]
        (project / "storyboard.yaml").write_text(storyboard(used, music))

        started = time.perf_counter()
        hand_written(used, music, work / "hand.mp4")
        hand = time.perf_counter() - started
        print(f"hand-written ffmpeg command: {hand:.2f} s")

        renders = work / "renders"
        shutil.rmtree(renders, ignore_errors=True)
        cold = film_build(project, renders)
        print(f"film build, cold:            {cold['seconds']:.2f} s ({cold['rendered']} jobs rendered)")
        (project / "storyboard.yaml").write_text(storyboard(used, music, changed=args.shots // 2))
        one = film_build(project, renders)
        print(f"film build, one shot changed: {one['seconds']:.2f} s ({one['rendered']} rendered, {one['cached']} cached)"
              f" = {one['seconds'] / cold['seconds']:.2f}x cold")
        noop = film_build(project, renders)
        print(f"film build, no change:        {noop['seconds']:.2f} s ({noop['rendered']} rendered)")
        report = json.loads((renders / "edit" / "build.json").read_text())
        print(f"cut: {report['frames']} frames, {report['duration']} s")
        print(f"peak memory, {args.shots} shots: python {cold['python_rss_mb']:.0f} MB, largest ffmpeg {cold['ffmpeg_rss_mb']:.0f} MB")
        if args.long:
            long_project = work / "long"
            shutil.rmtree(long_project, ignore_errors=True)
            long_project.mkdir()
            for clip in clips[: args.long]:
                os.link(clip, long_project / clip.name)
            os.link(music, long_project / music.name)
            (long_project / "storyboard.yaml").write_text(storyboard(clips[: args.long], music))
            long = film_build(long_project, work / "renders-long")
            print(f"film build, {args.long} shots, cold:   {long['seconds']:.2f} s; peak memory python "
                  f"{long['python_rss_mb']:.0f} MB, largest ffmpeg {long['ffmpeg_rss_mb']:.0f} MB")
            short_peak = max(cold["python_rss_mb"], cold["ffmpeg_rss_mb"])
            long_peak = max(long["python_rss_mb"], long["ffmpeg_rss_mb"])
            print(f"peak RSS {args.long}/{args.shots} shots: {long_peak / short_peak:.2f}")
        print(f"assemble/ffmpeg ratio: {cold['seconds'] / hand:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
