"""The soundtrack: music beds (a file, looped and trimmed, or a generated ambient pad) with
fades and gain, mixed once for the whole cut and encoded to AAC 48 kHz stereo.

One ffmpeg command mixes everything, so no audio passes through Python sample by sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..edit import ffmpeg

SAMPLE_RATE = 48000
MIX_VERSION = "1"


@dataclass(frozen=True)
class Bed:
    """A music bed placed on the cut: `path` plays from `start` for `seconds`."""

    path: Path
    start: float
    seconds: float
    gain: float
    fade_in: float
    fade_out: float
    loop: bool


def mix(beds: list[Bed], total_seconds: float, out: Path) -> None:
    """Mix `beds` into an AAC track exactly `total_seconds` long (silence where nothing plays)."""
    inputs: list[str] = []
    filters: list[str] = []
    labels: list[str] = []
    for i, bed in enumerate(beds):
        if bed.loop:
            inputs += ["-stream_loop", "-1"]
        inputs += ["-i", str(bed.path)]
        fade_in = min(bed.fade_in, bed.seconds / 2)
        fade_out = min(bed.fade_out, bed.seconds / 2)
        delay = round(bed.start * 1000)
        chain = (
            f"[{i}:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
            f"atrim=0:{bed.seconds:.6f},asetpts=N/SR/TB"
            + (f",afade=t=in:d={fade_in:.3f}" if fade_in > 0 else "")
            + (f",afade=t=out:st={bed.seconds - fade_out:.6f}:d={fade_out:.3f}" if fade_out > 0 else "")
            + f",volume={bed.gain:.2f}dB"
            + (f",adelay={delay}:all=1" if delay else "")
            + f"[m{i}]"
        )
        filters.append(chain)
        labels.append(f"[m{i}]")
    silence_index = len(beds)
    inputs += ["-f", "lavfi", "-t", f"{total_seconds:.6f}", "-i", f"anullsrc=r={SAMPLE_RATE}:cl=stereo"]
    labels.append(f"[{silence_index}:a]")
    filters.append(
        f"{''.join(labels)}amix=inputs={len(labels)}:normalize=0:duration=longest:dropout_transition=0,"
        f"atrim=0:{total_seconds:.6f},apad=whole_dur={total_seconds:.6f}[mix]"
    )
    ffmpeg.run([*inputs, "-filter_complex", ";".join(filters), "-map", "[mix]",
                "-c:a", "aac", "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2", "-f", "mp4", str(out)],
               what="audio mix")


