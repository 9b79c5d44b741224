"""The soundtrack: dialogue, music, effects, footage and ambience buses mixed once for the whole
cut, as a broadcast mix sits them: the speech at the loudness target, the music well under it,
effects held under a ceiling, room tone wherever nothing else plays; AAC 48 kHz.

Every level is measured (EBU R128, ffmpeg's `ebur128`), not guessed:

* Speech: the dialogue bus (gently compressed first, as a dialogue editor would) is brought to
  the programme loudness target. Effects and footage sound keep their level relative to the
  speech as the writer set it (their `gain` on the file as recorded), so they take the same gain.
* Music: a bed's `gain` is its loudness relative to the programme: `-14` plays it 14 LU under the
  speech (in the pauses; under speech it ducks by a further `duck` dB). Music is measured, so a
  loud mastered song and a quiet pad sit at the same level for the same `gain`.
* Effects: each effect's momentary loudness (400 ms) is held to `EFFECT_CEILING` LU over the
  programme loudness by lowering that effect (a fader pulled down, not a limiter squashing it).
* Ambience: a quiet room tone or exterior bed (`Room`, from `ambient.ambience`) under each
  scene, crossfading where the scene changes, so the cut is never digitally silent.

The footage bus carries each footage shot's own sound (production sound). It is not ducked and
does not duck the music: what it holds is unknown (room tone, traffic, people talking), so
ducking on its presence would lower the music for a whole shot whatever is heard, a constant
cut the writer already sets with the bed's `gain` and the shot's `sound: {gain}`.

The dialogue bus is made in passages (`Passage`): runs of at most `PASSAGE_LINES` lines, cut
where no line is sounding, each mixed on its own (a cached job of the build, keyed by its lines
and their places *within* it, so an edit re-mixes only its passage even when everything after it
moves) and then joined end to end with silence between: the mix reads one input per passage,
not one per line, and its cost grows with the film's length, not with lines times length. The
music ducks under speech by a gain track (`duck_track`: 200 values a second, written once,
resampled to the audio's rate and multiplied in), so the cost is flat in the number of lines:
an expression with a term per line hit ffmpeg's limits at 96 passages, and volume commands
(`asendcmd`) cost every audio frame a look at every command, hours for a feature.

Mixing is one ffmpeg filter graph rather than pydub: pydub holds every sample of every bus in
Python memory and depends on `audioop`, which Python 3.13 removed; ffmpeg streams the mix and
measures loudness itself. Three passes: the buses are measured; the mix is rendered at those
levels and measured as a whole; then it is brought to the target by one gain change (a fraction
of a dB, as the speech already sits there), the ambience laid under it, with a limiter at 4x
oversampling (so it catches true peaks between samples) holding the peaks under the ceiling.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..edit import ffmpeg
from ..plan.model import Bed
from ..spec import MixSettings
from . import ambient
from .ambient import AMBIENCE_VERSION

SAMPLE_RATE = 48000
# 5: the footage bus; 6: speech on target, music under it, effects ceiling, ambience (and its version);
# 7: every amix input lasts the whole film (a mix made while other jobs ran could drop a late bed)
# 8: the dialogue bus in passages, the ducking a gain track; 9: AAC's fast coder, soxr round the limiter
MIX_VERSION = f"9.{AMBIENCE_VERSION}"
PASSAGE_VERSION = "1"
PASSAGE_LINES = 48   # lines mixed together at most: a passage's inputs are its lines
DUCK_RATE = 200      # samples a second of the ducking's gain track (ramps last tenths of a second)
# Seconds of ramp at both ends of a footage sound or an ambience bed, so a cut mid-waveform does not click.
DECLICK = 0.005
# AAC encoding can overshoot the limiter's ceiling by a few tenths of a dB.
PEAK_MARGIN = 0.7
OVERSAMPLED = 4 * SAMPLE_RATE
FORMAT = f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
# The most an effect's momentary loudness (400 ms) may stand over the programme loudness, in LU.
# EBU R 128 s1 holds short-form content (a commercial, a trailer) to +5 LU short-term (3 s) over
# its programme loudness, or +8 LU momentary; an effect inside a drama should not jump out more
# than a commercial may, so each effect is held to +4 LU on the ear's shortest window, which
# leaves 1 LU for what plays under it: the mix around an effect stays within +5 LU momentary.
EFFECT_CEILING = 4.0
# How far each ambience bed sits under the programme loudness, in LU: at the usual -16 LUFS
# target, room tone at -50 LUFS, a town at -48, wind -47, the sea -46 (an exterior is livelier
# than a room). Heard in the pauses and under the titles, masked under speech and music.
AMBIENCE_LEVEL = {"room": -34.0, "town": -32.0, "wind": -31.0, "sea": -30.0}
# The most the final gain may lift the speech over the target, in LU. The speech is set on the
# target; the programme (EBU R128 integrated, gated) then measures a little under it, as the pauses
# under it are quiet, and the final gain brings the programme to the target lifting the speech by
# at most this much: both then stay within 1 LU of the target (a dialogue-anchored mix would not
# lift the speech at all; a programme-normalised one lifts it as far as the pauses are quiet).
SPEECH_LIFT = 1.0
# LU an effect may end over the ceiling once the final gain has moved it (the effects are set
# before the mix is measured): further over, it is lowered and the mix rendered once more.
CEILING_SLACK = 0.5


@dataclass(frozen=True)
class PlacedLine:
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


@dataclass(frozen=True)
class Room:
    """An ambience bed on the cut (`ambient.ambience`): `kind` ("room", "wind", "sea", "town"),
    generated from `seed`, plays from `start` for `seconds`, from `offset` seconds into its loop.
    It fades in over `fade_in` and out over its last `fade_out` seconds on equal-power curves, so
    two beds cross-fading over the same span keep the level; with no fade it is only declicked."""

    kind: str
    start: float
    seconds: float
    fade_in: float = 0.0
    fade_out: float = 0.0
    offset: float = 0.0
    seed: int = 0


def _ducked_spans(speech: list[tuple[float, float]], settings: MixSettings) -> list[list[float]]:
    """The spans (start, end in seconds) of speech, merged where the music would not have time
    to come back up between them (closer than attack plus release)."""
    attack, release = max(settings.attack, 0.01), max(settings.release, 0.01)
    merged: list[list[float]] = []
    for start, end in sorted(speech):
        if merged and start - attack <= merged[-1][1] + release:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _dip(span: list[float], settings: MixSettings, t: float) -> float:
    """How far (0 to 1) the music is down at `t` for one span of speech: ramping down over
    `attack` seconds before it, held, and back up over `release` after it."""
    attack, release = max(settings.attack, 0.01), max(settings.release, 0.01)
    a, b = span
    return min(max((t - (a - attack)) / attack, 0.0), 1.0) * min(max((b + release - t) / release, 0.0), 1.0)


def duck_gain(speech: list[tuple[float, float]], settings: MixSettings, t: float) -> float:
    """The music's gain at `t` seconds (1 without speech, the duck depth under it). Spans are
    merged wherever their ramps would meet, so at most one span is ramping or held at `t`."""
    depth = 1 - 10 ** (settings.duck / 20)
    return 1 - depth * max((_dip(span, settings, t) for span in _ducked_spans(speech, settings)), default=0.0)


def duck_track(speech: list[tuple[float, float]], settings: MixSettings, total: float):
    """The music's gain (`duck_gain`) every 1/`DUCK_RATE` s from 0 to `total` seconds and one
    sample past it: float32, 1 without speech. Each span of speech writes only its own ramps
    and hold, so the work is linear in the lines (and the track is 5.8 MB for two hours)."""
    import numpy as np

    attack, release = max(settings.attack, 0.01), max(settings.release, 0.01)
    depth = 1 - 10 ** (settings.duck / 20)
    track = np.ones(int(total * DUCK_RATE) + 2, dtype=np.float64)
    for a, b in _ducked_spans(speech, settings):
        first, last = max(int((a - attack) * DUCK_RATE), 0), min(int((b + release) * DUCK_RATE) + 2, len(track))
        t = np.arange(first, last) / DUCK_RATE
        dip = np.clip((t - (a - attack)) / attack, 0, 1) * np.clip((b + release - t) / release, 0, 1)
        track[first:last] = 1 - depth * dip
    return track.astype(np.float32)


@dataclass(frozen=True)
class Passage:
    """A stretch of the dialogue bus mixed on its own (`mix_passage`): `path` plays from `start`
    for `seconds` on the cut."""

    path: Path
    start: float
    seconds: float


def passages(lines: list[PlacedLine]) -> list[list[PlacedLine]]:
    """`lines` in runs of at most `PASSAGE_LINES`, in order of their starts, each cut only
    where no line of it is still sounding (so passages never overlap)."""
    runs: list[list[PlacedLine]] = []
    end = float("-inf")
    for line in sorted(lines, key=lambda l: (l.start, l.seconds)):
        if runs and (len(runs[-1]) < PASSAGE_LINES or line.start < end):
            runs[-1].append(line)
        else:
            runs.append([line])
        end = max(end, line.start + line.seconds)
    return runs


def passage_span(run: list[PlacedLine]) -> tuple[float, float]:
    """Where a run of lines starts and how long it lasts, in seconds."""
    start = min(line.start for line in run)
    return start, max(line.start + line.seconds for line in run) - start


def mix_passage(run: list[PlacedLine], out: Path) -> None:
    """Mix a run of lines, placed from the run's start, into one WAV (48 kHz stereo, 16 bits:
    the voices are 16-bit) exactly as long as the run. Raises FFmpegError."""
    start, seconds = passage_span(run)
    graph = _Graph()
    voices = []
    for line in run:
        n = graph.input(line.path)
        placed = PlacedLine(line.path, line.start - start, line.seconds, line.offset)
        graph.filters.append(f"[{n}:a]{_line_chain(placed)}{_whole(seconds)}[v{n}]")
        voices.append(f"[v{n}]")
    graph.filters.append(f"{''.join(voices)}amix=inputs={len(voices)}:normalize=0:duration=longest,"
                         f"atrim=end_sample={round(seconds * SAMPLE_RATE)}[out]")
    ffmpeg.run([*graph.inputs, "-filter_complex", ";".join(graph.filters), "-map", "[out]", "-c:a", "pcm_s16le",
                "-ar", str(SAMPLE_RATE), "-f", "wav", str(out)], what="dialogue passage")


class _Graph:
    """ffmpeg inputs and a filter graph being built."""

    def __init__(self) -> None:
        self.inputs: list[str] = []
        self.filters: list[str] = []

    def input(self, path: Path, loop: bool = False, seek: float | None = None) -> int:
        """Add a media file as an input (looped, or from `seek` seconds); returns its index."""
        n = self.inputs.count("-i")
        if loop:
            self.inputs += ["-stream_loop", "-1"]
        if seek is not None:
            self.inputs += ["-ss", f"{seek:.6f}"]
        self.inputs += ffmpeg.media_input(path)
        return n

    def silence(self, seconds: float) -> int:
        """Add `seconds` of stereo silence as an input; returns its index."""
        n = self.inputs.count("-i")
        self.inputs += ["-f", "lavfi", "-t", f"{seconds:.6f}", "-i", f"anullsrc=r={SAMPLE_RATE}:cl=stereo"]
        return n


def _delay(start: float) -> str:
    delay = round(start * SAMPLE_RATE)
    return f",adelay={delay}S:all=1" if delay else ""


def _bed_chain(bed: Bed, volume: float | None, placed: bool = True) -> str:
    """One bed trimmed, faded, at `volume` dB (None: as it is), and delayed to its place."""
    # At least a declick at each end: a bed (a looped pad above all) may start and end anywhere.
    fade_in = min(max(bed.fade_in, DECLICK), bed.seconds / 2)
    fade_out = min(max(bed.fade_out, DECLICK), bed.seconds / 2)
    return (f"{FORMAT},atrim=0:{bed.seconds:.6f},asetpts=N/SR/TB"
            + (f",afade=t=in:d={fade_in:.3f}" if fade_in > 0 else "")
            + (f",afade=t=out:st={bed.seconds - fade_out:.6f}:d={fade_out:.3f}" if fade_out > 0 else "")
            + (f",volume={volume:.2f}dB" if volume is not None else "") + (_delay(bed.start) if placed else ""))


def _line_chain(line: PlacedLine) -> str:
    return (f"{FORMAT},atrim={line.offset:.6f}:{line.offset + line.seconds:.6f},asetpts=N/SR/TB"
            + _delay(line.start))


def _effect_chain(effect: Effect, volume: float, placed: bool = True) -> str:
    return (f"{FORMAT},atrim=0:{effect.seconds:.6f},asetpts=N/SR/TB,volume={volume:.2f}dB"
            + (f",afade=t=in:d={effect.fade_in:.4f}" if effect.fade_in > 0 else "")
            + (f",afade=t=out:st={effect.fade_out_at:.4f}:d={effect.fade_out:.4f}" if effect.fade_out > 0 else "")
            + (_delay(effect.start) if placed else ""))


def _footage_chain(sound: FootageSound, volume: float | None = None) -> str:
    """The filter chain that places one footage sound on the cut, from its seeked input, at its
    gain (or `volume` dB, its gain with the mix's speech level applied)."""
    declick = min(DECLICK, sound.seconds / 2)
    fades = [f"afade=t=in:d={declick:.4f}",
             f"afade=t=out:st={sound.seconds - declick:.6f}:d={declick:.4f}"]
    if sound.fade_in > 0:
        fades.append(f"afade=t=in:d={sound.fade_in:.4f}")
    if sound.fade_out > 0:
        fades.append(f"afade=t=out:st={sound.fade_out_at:.4f}:d={sound.fade_out:.4f}")
    gain = sound.gain if volume is None else volume
    return (f"{FORMAT},atrim=0:{sound.seconds:.6f},asetpts=N/SR/TB,volume={gain:.2f}dB,{','.join(fades)}"
            + _delay(sound.start))


def _room_chain(room: Room, volume: float) -> str:
    """One ambience bed from its looped input: from its offset, at `volume` dB, faded on
    equal-power curves (`qsin`: sin in, cos out) or declicked, delayed to its place."""
    fade_in = min(room.fade_in, room.seconds / 2) if room.fade_in > 0 else min(DECLICK, room.seconds / 2)
    fade_out = min(room.fade_out, room.seconds / 2) if room.fade_out > 0 else min(DECLICK, room.seconds / 2)
    return (f"{FORMAT},atrim={room.offset:.6f}:{room.offset + room.seconds:.6f},asetpts=N/SR/TB,"
            f"volume={volume:.2f}dB,afade=t=in:d={fade_in:.4f}:curve=qsin,"
            f"afade=t=out:st={room.seconds - fade_out:.6f}:d={fade_out:.4f}:curve=qsin" + _delay(room.start))


def _whole(total: float | None) -> str:
    """Silence after a placed sound until the film's end (`total` seconds; None: none).

    Every input of an `amix` then ends together: amix reads its inputs as their frames arrive,
    and one that ends while another has yet to deliver its first frame (a bed placed late)
    could end the mix early, depending on which ffmpeg thread ran first; a build would then
    now and then drop whole passages of music."""
    return f",apad=whole_dur={total:.6f}" if total is not None else ""


def _dialogue(graph: _Graph, spoken: list[Passage], total: float | None = None) -> str:
    """The dialogue bus: the passages end to end with silence between, exact to the sample,
    compressed, as a chain ending in its label's place (no label); padded to `total` seconds
    when given (`_whole`)."""
    parts, at = [], 0
    for i, passage in enumerate(sorted(spoken, key=lambda p: p.start)):
        start, length = round(passage.start * SAMPLE_RATE), round(passage.seconds * SAMPLE_RATE)
        if start > at:
            graph.filters.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=end_sample={start - at}[g{i}]")
            parts.append(f"[g{i}]")
        n = graph.input(passage.path)
        graph.filters.append(f"[{n}:a]{FORMAT},atrim=end_sample={length},apad=whole_len={length}[p{n}]")
        parts.append(f"[p{n}]")
        at = max(at, start) + length
    return (f"{''.join(parts)}concat=n={len(parts)}:v=0:a=1,"
            "acompressor=threshold=0.125:ratio=3:attack=5:release=80:makeup=1" + _whole(total))


@dataclass(frozen=True)
class Levels:
    """What the buses measure (LUFS; None: silent): the dialogue's integrated loudness, each
    bed's, each effect's momentary maximum (at its gain), each ambience loop's."""

    dialogue: float | None
    beds: tuple[float | None, ...]
    effects: tuple[float | None, ...]
    rooms: dict[tuple[str, int], float | None]


def _measure_buses(beds: list[Bed], spoken: list[Passage], effects: list[Effect],
                   loops: dict[tuple[str, int], Path]) -> Levels:
    """Measure every bus in one ffmpeg run: each stem ends in a named `ebur128`, its output discarded."""
    graph = _Graph()
    outputs: list[str] = []

    def meter(chain: str, name: str, frames: bool = False) -> None:
        graph.filters.append(f"{chain},ebur128@{name}=framelog={'info' if frames else 'quiet'}[{name}]")
        outputs.append(name)

    if spoken:
        meter(_dialogue(graph, spoken), "dialogue")   # as far as the last line ends
    for i, bed in enumerate(beds):
        n = graph.input(bed.file, loop=bed.loop)
        meter(f"[{n}:a]{_bed_chain(bed, None, placed=False)}", f"bed{i}")
    for i, effect in enumerate(effects):
        n = graph.input(effect.path)
        # padded, so an effect shorter than the meter's 400 ms window is measured too
        meter(f"[{n}:a]{_effect_chain(effect, effect.gain, placed=False)},apad=pad_dur=0.4", f"effect{i}", frames=True)
    for i, path in enumerate(loops.values()):
        n = graph.input(path)
        meter(f"[{n}:a]{FORMAT}", f"room{i}")
    if not outputs:
        return Levels(None, (), (), {})
    maps = [arg for name in outputs for arg in ("-map", f"[{name}]", "-f", "null", "-")]
    stderr = ffmpeg.output([*graph.inputs, "-filter_complex", ";".join(graph.filters), *maps],
                           what="loudness measurement")
    return Levels(
        dialogue=_integrated(stderr, "dialogue") if spoken else None,
        beds=tuple(_integrated(stderr, f"bed{i}") for i in range(len(beds))),
        effects=tuple(_momentary_max(stderr, f"effect{i}") for i in range(len(effects))),
        rooms={key: _integrated(stderr, f"room{i}") for i, key in enumerate(loops)},
    )


def _integrated(stderr: str, name: str) -> float | None:
    """The integrated loudness the `ebur128@name` meter reported; None for silence."""
    found = re.search(rf"\[ebur128@{name} @ [^\]]*\] Summary:(.*?)(?:\n\[|\Z)", stderr, re.S)
    value = re.search(r"I:\s+(-?[\d.]+) LUFS", found[1]) if found else None
    # The meter's gate leaves digital silence at -70 LUFS.
    return float(value[1]) if value and float(value[1]) > -69.5 else None


def _momentary_max(stderr: str, name: str) -> float | None:
    """The loudest momentary loudness the `ebur128@name` meter logged; None for silence."""
    values = [float(v) for v in re.findall(rf"\[ebur128@{name} @ [^\]]*\] t:\s*\S+\s+TARGET:\S+ LUFS\s+M:\s*(-?[\d.]+)",
                                           stderr)]
    loudest = max(values, default=-120.0)
    return loudest if loudest > -69.5 else None


def _graph(beds: list[Bed], spoken: list[Passage], effects: list[Effect], total: float, settings: MixSettings,
           footage: list[FootageSound], levels: Levels, trims: list[float],
           ducking: Path | None = None) -> tuple[list[str], str]:
    """The mix before the final gain: speech at the target, music at its level under it (ducked
    under speech by the gain track in `ducking`, `duck_track`), effects (lowered by `trims` dB) and footage at
    the speech's gain."""
    target = settings.loudness
    anchor = target - levels.dialogue if levels.dialogue is not None else 0.0
    graph = _Graph()
    music, sounds, production = [], [], []
    for bed, level in zip(beds, levels.beds):
        n = graph.input(bed.file, loop=bed.loop)
        volume = target + bed.gain - level if level is not None else bed.gain
        graph.filters.append(f"[{n}:a]{_bed_chain(bed, volume)}{_whole(total)}[m{n}]")
        music.append(f"[m{n}]")
    for effect, trim in zip(effects, trims):
        n = graph.input(effect.path)
        graph.filters.append(f"[{n}:a]{_effect_chain(effect, effect.gain + anchor + trim)}{_whole(total)}[e{n}]")
        sounds.append(f"[e{n}]")
    for sound in footage:
        # Seek the input (its timestamps then start at the offset) rather than atrim from 0, so a
        # shot late in a long recording does not decode everything before it.
        n = graph.input(sound.path, seek=sound.offset)
        graph.filters.append(f"[{n}:a]{_footage_chain(sound, sound.gain + anchor)}{_whole(total)}[f{n}]")
        production.append(f"[f{n}]")
    silence = graph.silence(total)
    buses = [f"[{silence}:a]"]
    if music:
        graph.filters.append(f"{''.join(music)}amix=inputs={len(music)}:normalize=0:duration=longest"
                             + ("[bed]" if ducking is not None else "[music]"))
        if ducking is not None:   # the gain track, brought to the audio's rate, multiplies the music
            n = graph.input(ducking)
            graph.filters.append(f"[{n}:a]aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
                                 f"atrim=0:{total:.6f}[gain]")
            graph.filters.append("[bed][gain]amultiply[music]")
        buses.append("[music]")
    if spoken:
        graph.filters.append(f"{_dialogue(graph, spoken, total)},volume={anchor:.2f}dB[dialogue]")
        buses.append("[dialogue]")
    if sounds:
        graph.filters.append(f"{''.join(sounds)}amix=inputs={len(sounds)}:normalize=0:duration=longest[effects]")
        buses.append("[effects]")
    if production:
        graph.filters.append(f"{''.join(production)}amix=inputs={len(production)}:normalize=0:duration=longest[footage]")
        buses.append("[footage]")
    graph.filters.append(f"{''.join(buses)}amix=inputs={len(buses)}:normalize=0:duration=longest:dropout_transition=0,"
                         f"atrim=0:{total:.6f},apad=whole_dur={total:.6f}[mix]")
    return graph.inputs, ";".join(graph.filters)


def _trims(effects: list[Effect], levels: Levels, settings: MixSettings, shift: float = 0.0,
           trims: list[float] | None = None) -> list[float]:
    """dB to lower each effect by so its momentary loudness, at the speech's gain (and `shift`,
    the final gain), is at most `EFFECT_CEILING` over the programme loudness."""
    anchor = settings.loudness - levels.dialogue if levels.dialogue is not None else 0.0
    ceiling = settings.loudness + EFFECT_CEILING
    out = []
    for i, level in enumerate(levels.effects):
        trim = trims[i] if trims else 0.0
        out.append(min(trim, ceiling - (level + anchor + shift)) if level is not None else trim)
    return out


def mix(beds: list[Bed], lines: list[PlacedLine], total_seconds: float, out: Path, settings: MixSettings = MixSettings(),
        effects: list[Effect] = (), footage: list[FootageSound] = (), rooms: list[Room] = (),
        spoken: list[Passage] | None = None) -> None:
    """Mix music, speech, effects, footage sound and ambience into an AAC track exactly
    `total_seconds` long, at the loudness target. `spoken` holds the `lines` already mixed in
    passages (`passages`, `mix_passage`: the build makes them as jobs); without it they are
    mixed here. Raises FFmpegError if ffmpeg fails (e.g. an unreadable file)."""
    effects, footage, rooms = list(effects), list(footage), list(rooms)
    raw = out.with_name(out.stem + ".mix.wav")
    ducking = out.with_name(out.stem + ".duck.wav")
    loops = {(room.kind, room.seed): out.with_name(f"{out.stem}.{room.kind}-{room.seed}.wav") for room in rooms}
    made: list[Path] = []
    try:
        if spoken is None:
            spoken = []
            for i, run in enumerate(passages(list(lines))):
                made.append(out.with_name(f"{out.stem}.passage-{i}.wav"))
                mix_passage(run, made[-1])
                spoken.append(Passage(made[-1], *passage_span(run)))
        speech = [(l.start, l.start + l.seconds) for l in lines]
        if speech and beds:
            ambient.write_wav(ducking, duck_track(speech, settings, total_seconds), DUCK_RATE)
        for (kind, seed), path in loops.items():
            ambient.write_wav(path, ambient.ambience(kind, seed=seed), ambient.AMBIENCE_RATE)
        levels = _measure_buses(beds, spoken, effects, loops)
        trims = _trims(effects, levels, settings)
        for _ in range(2):
            inputs, graph = _graph(beds, spoken, effects, total_seconds, settings, footage, levels, trims,
                                   ducking if speech and beds else None)
            # Rendered and measured in one pass: the meter reads the mix as it is written.
            stderr = ffmpeg.output([*inputs, "-filter_complex", f"{graph};[mix]asplit[made][metered];"
                                    "[metered]ebur128@mix[ignored]", "-map", "[made]", "-c:a", "pcm_f32le",
                                    "-ar", str(SAMPLE_RATE), "-f", "wav", str(raw), "-map", "[ignored]", "-f", "null",
                                    "-"], what="audio mix")
            measured = _integrated(stderr, "mix")
            gain = _final_gain(measured, levels, settings)
            # The final gain moves the effects too: one more render if it lifted one over the ceiling.
            again = _trims(effects, levels, settings, gain, trims)
            if all(t >= a - CEILING_SLACK for t, a in zip(trims, again)):
                break
            trims = again
        _finish(raw, gain if measured is not None else None, total_seconds, out, settings, rooms, loops, levels)
    finally:
        for path in (raw, ducking, *loops.values(), *made):
            path.unlink(missing_ok=True)


def _final_gain(measured: float | None, levels: Levels, settings: MixSettings) -> float:
    """dB that bring a mix measuring `measured` LUFS to the target, lifting its speech (which
    sits on the target) by at most `SPEECH_LIFT`."""
    if measured is None:
        return 0.0
    gain = settings.loudness - measured
    return min(gain, SPEECH_LIFT) if levels.dialogue is not None else gain


def _finish(raw: Path, gain: float | None, total: float, out: Path, settings: MixSettings,
            rooms: list[Room], loops: dict[tuple[str, int], Path], levels: Levels) -> None:
    """The mix brought to the target by one `gain` change (None: it is silent), the ambience laid
    under it at its level below the target, peaks held under the ceiling; AAC, exactly `total`
    seconds."""
    graph = _Graph()
    graph.input(raw)
    chains = [f"[0:a]volume={gain:.3f}dB[main]" if gain is not None else "[0:a]anull[main]"]
    under = ["[main]"]
    for i, room in enumerate(rooms):
        level = levels.rooms.get((room.kind, room.seed))
        if level is None or room.seconds <= 0:
            continue
        n = graph.input(loops[room.kind, room.seed], loop=True)
        volume = settings.loudness + AMBIENCE_LEVEL.get(room.kind, AMBIENCE_LEVEL["room"]) - level
        chains.append(f"[{n}:a]{_room_chain(room, volume)}[r{i}]")
        under.append(f"[r{i}]")
    exact = f"asetpts=N/SR/TB,apad=whole_dur={total:.6f},atrim=0:{total:.6f}"
    if gain is None and len(under) == 1:   # silence stays silence
        chains.append(f"[main]{exact}[out]")
    else:
        ceiling = 10 ** ((settings.true_peak - PEAK_MARGIN) / 20)
        mixed = f"{''.join(under)}amix=inputs={len(under)}:normalize=0:duration=first:dropout_transition=0," if len(under) > 1 else "[main]"
        # Limited at four times the rate, where the peaks between samples show (ITU-R BS.1770's
        # true peak); soxr resamples there and back in three quarters of the default's time.
        chains.append(f"{mixed}aresample={OVERSAMPLED}:resampler=soxr,"
                      f"alimiter=limit={ceiling:.5f}:attack=2:release=80:level=disabled,"
                      f"aresample={SAMPLE_RATE}:resampler=soxr,{FORMAT},{exact}[out]")
    # The "fast" coder: ffmpeg's manual calls it better and much faster than the default
    # two-loop search at high bitrates (measured here: a third of the time at 192 kb/s).
    ffmpeg.run([*graph.inputs, "-filter_complex", ";".join(chains), "-map", "[out]", "-c:a", "aac", "-aac_coder", "fast",
                "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2", "-f", "mp4", str(out)], what="audio loudness")
