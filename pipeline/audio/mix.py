"""The soundtrack: dialogue, music, effects and footage buses mixed once for the whole cut, music
ducked under speech, the whole normalised to a loudness target (measured, not guessed), AAC 48 kHz.

The footage bus carries each footage shot's own sound (production sound). It is not ducked and
does not duck the music: what it holds is unknown (room tone, traffic, people talking), so
ducking on its presence would lower the music for a whole shot whatever is heard, a constant
cut the writer already sets with the bed's `gain` and the shot's `sound: {gain}`.

Mixing is one ffmpeg filter graph rather than pydub: pydub holds every sample of every bus in
Python memory and depends on `audioop`, which Python 3.13 removed; ffmpeg streams the mix and
measures loudness (EBU R128) itself. Two passes: the mix is rendered and measured, then
brought to the target by one gain change, with a limiter at 4x oversampling (so it catches
true peaks between samples) holding the peaks under the ceiling. Speech is gently compressed
first, as a dialogue editor would, so the limiter rarely has work to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..edit import ffmpeg
from ..spec import MixSettings

SAMPLE_RATE = 48000
MIX_VERSION = "5"   # 5: the footage bus
# Seconds of ramp at both ends of a footage sound, so one cut mid-waveform does not click.
DECLICK = 0.005
# AAC encoding can overshoot the limiter's ceiling by a few tenths of a dB.
PEAK_MARGIN = 0.7
OVERSAMPLED = 4 * SAMPLE_RATE
FORMAT = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"


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


@dataclass(frozen=True)
class Line:
    """A line of speech placed on the cut: `path`, from `offset` seconds in, plays from `start`
    for `seconds`."""

    path: Path
    start: float
    seconds: float
    offset: float = 0.0


@dataclass(frozen=True)
class Effect:
    """A sound effect on the cut: plays from `start` for at most `seconds`; fades in over
    `fade_in` and out over `fade_out` from `fade_out_at` (seconds into the effect), so effects
    cross-fade where the picture dissolves."""

    path: Path
    start: float
    seconds: float
    gain: float = 0.0
    fade_in: float = 0.0
    fade_out_at: float = 0.0
    fade_out: float = 0.0


@dataclass(frozen=True)
class FootageSound:
    """A footage shot's own sound on the cut: `path` from `offset` seconds in plays from `start`
    for `seconds` (all seconds), at `gain` dB; it fades in over its first `fade_in` seconds and
    out over `fade_out` from `fade_out_at` seconds into it, as the picture does, and is ramped
    over `DECLICK` at both ends."""

    path: Path
    start: float
    seconds: float
    offset: float
    gain: float = 0.0
    fade_in: float = 0.0
    fade_out_at: float = 0.0
    fade_out: float = 0.0


def duck_envelope(speech: list[tuple[float, float]], settings: MixSettings) -> str:
    """A volume expression in `t`: 1 without speech, the duck depth under speech, with ramps."""
    attack, release = max(settings.attack, 0.01), max(settings.release, 0.01)
    merged: list[list[float]] = []
    for start, end in sorted(speech):
        if merged and start - attack <= merged[-1][1] + release:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return "1"
    depth = 1 - 10 ** (settings.duck / 20)
    terms = "+".join(f"clip((t-{a - attack:.3f})/{attack:.3f},0,1)*clip(({b + release:.3f}-t)/{release:.3f},0,1)"
                     for a, b in merged)
    return f"1-{depth:.4f}*({terms})"


def _graph(beds: list[Bed], lines: list[Line], effects: list[Effect], total: float,
           settings: MixSettings, footage: list[FootageSound] = ()) -> tuple[list[str], str]:
    inputs: list[str] = []
    filters: list[str] = []
    music, voices, sounds, production = [], [], [], []
    for bed in beds:
        n = _count(inputs)
        if bed.loop:
            inputs += ["-stream_loop", "-1"]
        inputs += ["-i", str(bed.path)]
        fade_in, fade_out = min(bed.fade_in, bed.seconds / 2), min(bed.fade_out, bed.seconds / 2)
        delay = round(bed.start * 1000)
        filters.append(
            f"[{n}:a]{FORMAT},atrim=0:{bed.seconds:.6f},asetpts=N/SR/TB"
            + (f",afade=t=in:d={fade_in:.3f}" if fade_in > 0 else "")
            + (f",afade=t=out:st={bed.seconds - fade_out:.6f}:d={fade_out:.3f}" if fade_out > 0 else "")
            + f",volume={bed.gain:.2f}dB" + (f",adelay={delay}:all=1" if delay else "") + f"[m{n}]")
        music.append(f"[m{n}]")
    for line in lines:
        n = _count(inputs)
        inputs += ["-i", str(line.path)]
        delay = round(line.start * 1000)
        filters.append(f"[{n}:a]{FORMAT},atrim={line.offset:.6f}:{line.offset + line.seconds:.6f},asetpts=N/SR/TB"
                       + (f",adelay={delay}:all=1" if delay else "") + f"[v{n}]")
        voices.append(f"[v{n}]")
    for effect in effects:
        n = _count(inputs)
        inputs += ["-i", str(effect.path)]
        delay = round(effect.start * 1000)
        filters.append(
            f"[{n}:a]{FORMAT},atrim=0:{effect.seconds:.6f},asetpts=N/SR/TB,volume={effect.gain:.2f}dB"
            + (f",afade=t=in:d={effect.fade_in:.4f}" if effect.fade_in > 0 else "")
            + (f",afade=t=out:st={effect.fade_out_at:.4f}:d={effect.fade_out:.4f}" if effect.fade_out > 0 else "")
            + (f",adelay={delay}:all=1" if delay else "") + f"[e{n}]")
        sounds.append(f"[e{n}]")
    for sound in footage:
        n = _count(inputs)
        # Seek the input (its timestamps then start at the offset) rather than atrim from 0, so a
        # shot late in a long recording does not decode everything before it.
        inputs += ["-ss", f"{sound.offset:.6f}", "-i", str(sound.path)]
        filters.append(f"[{n}:a]{_footage_chain(sound)}[f{n}]")
        production.append(f"[f{n}]")
    silence = _count(inputs)
    inputs += ["-f", "lavfi", "-t", f"{total:.6f}", "-i", f"anullsrc=r={SAMPLE_RATE}:cl=stereo"]
    buses = [f"[{silence}:a]"]
    if music:
        envelope = duck_envelope([(l.start, l.start + l.seconds) for l in lines], settings)
        filters.append(f"{''.join(music)}amix=inputs={len(music)}:normalize=0:duration=longest,"
                       f"asetnsamples=n=480,volume=volume='{envelope}':eval=frame[music]")
        buses.append("[music]")
    if voices:
        filters.append(f"{''.join(voices)}amix=inputs={len(voices)}:normalize=0:duration=longest,"
                       "acompressor=threshold=0.125:ratio=3:attack=5:release=80:makeup=1[dialogue]")
        buses.append("[dialogue]")
    if sounds:
        filters.append(f"{''.join(sounds)}amix=inputs={len(sounds)}:normalize=0:duration=longest[effects]")
        buses.append("[effects]")
    if production:
        filters.append(f"{''.join(production)}amix=inputs={len(production)}:normalize=0:duration=longest[footage]")
        buses.append("[footage]")
    filters.append(f"{''.join(buses)}amix=inputs={len(buses)}:normalize=0:duration=longest:dropout_transition=0,"
                   f"atrim=0:{total:.6f},apad=whole_dur={total:.6f}[mix]")
    return inputs, ";".join(filters)


def _footage_chain(sound: FootageSound) -> str:
    """The filter chain that places one footage sound on the cut, from its seeked input."""
    declick = min(DECLICK, sound.seconds / 2)
    fades = [f"afade=t=in:d={declick:.4f}",
             f"afade=t=out:st={sound.seconds - declick:.6f}:d={declick:.4f}"]
    if sound.fade_in > 0:
        fades.append(f"afade=t=in:d={sound.fade_in:.4f}")
    if sound.fade_out > 0:
        fades.append(f"afade=t=out:st={sound.fade_out_at:.4f}:d={sound.fade_out:.4f}")
    delay = round(sound.start * SAMPLE_RATE)
    return (f"{FORMAT},atrim=0:{sound.seconds:.6f},asetpts=N/SR/TB,volume={sound.gain:.2f}dB,{','.join(fades)}"
            + (f",adelay={delay}S:all=1" if delay else ""))


def _count(inputs: list[str]) -> int:
    return inputs.count("-i")


def measure(path: Path) -> float | None:
    """Integrated loudness (EBU R128, LUFS) of an audio file; None for silence."""
    stderr = ffmpeg.output(["-i", str(path), "-af", "ebur128", "-f", "null", "-"], what="loudness measurement")
    summary = stderr[stderr.rfind("Summary:"):]
    found = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    # The meter's gate leaves digital silence at -70 LUFS: nothing to bring up.
    if not found or float(found[1]) <= -69.5:
        return None
    return float(found[1])


def mix(beds: list[Bed], lines: list[Line], total_seconds: float, out: Path, settings: MixSettings = MixSettings(),
        effects: list[Effect] = (), footage: list[FootageSound] = ()) -> None:
    """Mix music, speech, effects and footage sound into an AAC track exactly `total_seconds`
    long, at the loudness target. Raises FFmpegError if ffmpeg fails (e.g. an unreadable file)."""
    inputs, graph = _graph(beds, lines, list(effects), total_seconds, settings, list(footage))
    raw = out.with_name(out.stem + ".mix.wav")
    try:
        ffmpeg.run([*inputs, "-filter_complex", graph, "-map", "[mix]", "-c:a", "pcm_f32le",
                    "-ar", str(SAMPLE_RATE), "-f", "wav", str(raw)], what="audio mix")
        measured = measure(raw)
        if measured is None:  # silence stays silence
            normalise = "anull"
        else:
            ceiling = 10 ** ((settings.true_peak - PEAK_MARGIN) / 20)
            normalise = (
                f"volume={settings.loudness - measured:.3f}dB,aresample={OVERSAMPLED},"
                f"alimiter=limit={ceiling:.5f}:attack=2:release=80:level=disabled,{FORMAT}"
            )
        exact = f"asetpts=N/SR/TB,apad=whole_dur={total_seconds:.6f},atrim=0:{total_seconds:.6f}"
        ffmpeg.run(["-i", str(raw), "-af", f"{normalise},{exact}", "-c:a", "aac", "-b:a", "192k",
                    "-ar", str(SAMPLE_RATE), "-ac", "2", "-f", "mp4", str(out)], what="audio loudness")
    finally:
        raw.unlink(missing_ok=True)
