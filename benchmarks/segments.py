"""The segment stage against x264 alone (issue: builds you can trust, "segments cost 1.6x the
encoder").

Builds a project (the short film by default) with every segment's ffmpeg command recorded, then,
in this one run and one after another:
- each recorded segment command run again as the build runs it (decode, filters, encode);
- the same filter graphs with no encoder (`-f null`): what the filters alone cost;
- x264 alone: each segment's frames, decoded beforehand to raw YUV (not counted), encoded with
  the segments' own settings (`render.encode_args`).
Prints CPU-seconds (this process's children: every ffmpeg waited for) for each and the ratio
segment stage / x264 alone (target within 1.15x).

    python benchmarks/segments.py [--project projects/lighthouse] [--rounds 2]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.cache import TEMP_MARK  # noqa: E402
from pipeline.edit import ffmpeg, render  # noqa: E402


def cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def record(project: Path, renders: Path) -> list[tuple[str, list[str]]]:
    """Build `project` into `renders` (a fresh folder), returning each segment's name and ffmpeg
    command (the arguments after the ffmpeg binary and its logging flags)."""
    from pipeline.cli import main

    recorded: list[tuple[str, list[str]]] = []
    real = ffmpeg.run

    def run(args, what="ffmpeg", stdin=None):
        if what.startswith("segment "):
            recorded.append((what.removeprefix("segment "), [str(a) for a in args]))
        return real(args, what=what, stdin=stdin)

    render.ffmpeg.run = run   # the render module calls ffmpeg.run through this module object
    try:
        if main(["build", str(project), "--out", str(renders)]):
            raise SystemExit(f"film build {project} failed")
    finally:
        render.ffmpeg.run = real
    return recorded


def timed(command: list[str]) -> float:
    """CPU-seconds `ffmpeg COMMAND` took."""
    before = cpu()
    subprocess.run([ffmpeg.exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *command], check=True)
    return cpu() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=ROOT / "projects" / "lighthouse")
    parser.add_argument("--rounds", type=int, default=2, help="times each measurement is repeated (the least counts)")
    parser.add_argument("--each", action="store_true", help="print every segment's figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = work / args.project.name
        shutil.copytree(args.project, project, ignore=shutil.ignore_patterns("renders"))
        commands = record(project, work / "renders")
        if not commands:
            raise SystemExit("the build rendered no segments")
        frames = 0
        segment_cpu, filter_cpu, x264_cpu = [], [], []
        for n, (_, command) in enumerate(commands):
            written = Path(command[-1])   # a temporary name (`cache.temp_name`), renamed when made
            out = written.with_name(written.name[1:].split(TEMP_MARK)[0] + written.suffix)
            size = ffmpeg.probe(out)
            count = int(command[command.index("-frames:v") + 1])
            rate = command[command.index("-r") + 1]
            frames += count
            mine = work / f"seg{n}.mp4"
            raw = work / f"seg{n}.yuv"
            ffmpeg.run(["-i", str(out), "-f", "rawvideo", "-pix_fmt", "yuv420p", str(raw)])
            encode = command[command.index("-c:v"):-1]
            graph = command[:command.index("-c:v")]
            segment_cpu.append(min(timed([*command[:-1], str(mine)]) for _ in range(args.rounds)))
            filter_cpu.append(min(timed([*graph, "-frames:v", str(count), "-f", "null", "-"]) for _ in range(args.rounds)))
            x264_cpu.append(min(timed(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", f"{size.width}x{size.height}",
                                       "-r", rate, "-i", str(raw), *encode, str(mine)]) for _ in range(args.rounds)))
            raw.unlink()
        seg, fil, enc = sum(segment_cpu), sum(filter_cpu), sum(x264_cpu)
        print(f"{len(commands)} segments, {frames} frames of {size.width}x{size.height}")
        print(f"segment stage (decode, filters, x264): {seg:6.2f} CPU-s")
        print(f"filters alone (no encoder):            {fil:6.2f} CPU-s")
        print(f"x264 alone on the same frames:         {enc:6.2f} CPU-s")
        if args.each:
            for k, (name, _) in sorted(enumerate(commands), key=lambda item: -segment_cpu[item[0]] / x264_cpu[item[0]]):
                print(f"  {name:28} segment {segment_cpu[k]:5.2f}  filters {filter_cpu[k]:5.2f}  x264 {x264_cpu[k]:5.2f}  "
                      f"{segment_cpu[k] / x264_cpu[k]:.2f}x")
        worst = max(range(len(commands)), key=lambda k: segment_cpu[k] / max(x264_cpu[k], 1e-9))
        print(f"costliest segment against x264: {commands[worst][0]}: {segment_cpu[worst] / x264_cpu[worst]:.2f}x")
        print(f"segment stage / x264 alone: {seg / enc:.2f}x (target within 1.15x)")


if __name__ == "__main__":
    main()
