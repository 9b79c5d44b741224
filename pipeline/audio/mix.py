"""The soundtrack: dialogue, music, effects, footage and ambience buses mixed for the whole cut,
as a broadcast mix sits them: the speech at the loudness target, the music well under it,
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
moves) and then laid on the dialogue bus: the mix reads one input per passage, not one per
line, and its cost grows with the film's length, not with lines times length. The music ducks
under speech by a gain track (`duck_track`: 200 values a second, made once, interpolated to
each sample and multiplied in), so the cost is flat in the number of lines:
an expression with a term per line hit ffmpeg's limits at 96 passages, and volume commands
(`asendcmd`) cost every audio frame a look at every command, hours for a feature.

The mix is made in chunks (`chunks`: windows of 28.8 s on the grid of AAC frames), each an
ffmpeg filter graph rather than pydub: pydub holds every sample of every bus in Python memory and
depends on `audioop`, which Python 3.13 removed; ffmpeg streams the mix and measures loudness
itself. The music and the ambience are laid in numpy from stems decoded once (`stems`: a bed
looped or not, faded, at its level, times the ducking track), exactly, by sample index, however
far into the film a chunk is. Each chunk is kept as a part (`chunks.Parts`) under what sounds
in it, so an edit remakes the chunks it changes: a line rewritten inside a long passage is
known by the samples each chunk takes of it, a bed lengthened at its end by what each chunk
hears of it. Three steps: the buses' levels (each passage, bed, effect and ambience loop
measured once and kept); each chunk rendered at those levels and metered, the programme's
loudness gated from all the chunks' 400 ms blocks as the meter would gate the whole; then each
chunk brought to the target by one gain change (a fraction of a dB, as the speech already sits
there), the ambience laid under it, a limiter at 4x oversampling (so it catches true peaks
between samples) holding the peaks under the ceiling, encoded, and the chunks' AAC frames
joined. The levels and the final gain move in steps of 0.1 dB (the meter's own resolution), so
most edits leave every other chunk as it was; one that moves the programme's loudness across a
step encodes every chunk again (their measurements are kept).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..cache import content_key, fingerprint, temp_name, write_text
from ..edit import ffmpeg
from ..plan.model import Bed
from ..spec import MixSettings
from . import chunks
from .ambient import AMBIENCE_VERSION
from .chunks import SAMPLE_RATE, windows
from .stems import Layer, Stem, ambience_stem, file_stem, lay, track_slice

# 5: the footage bus; 6: speech on target, music under it, effects ceiling, ambience (and its version);
# 7: every amix input lasts the whole film (a mix made while other jobs ran could drop a late bed)
# 8: the dialogue bus in passages, the ducking a gain track; 9: AAC's fast coder, soxr round the limiter
# 10: in chunks (`chunks`), kept as parts between builds
MIX_VERSION = f"10.{AMBIENCE_VERSION}"
MIX_PARTS = "mixparts"   # the cache's folder of the mix's parts (`chunks.Parts`)
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

    def input(self, path: Path, seek: float | None = None, duration: float | None = None) -> int:
        """Add a media file as an input (from `seek` seconds, for `duration` seconds at most);
        returns its index."""
        n = self.inputs.count("-i")
        if seek is not None:
            self.inputs += ["-ss", f"{seek:.6f}"]
        if duration is not None:
            self.inputs += ["-t", f"{duration:.6f}"]
        self.inputs += ffmpeg.media_input(path)
        return n

    def raw(self, path: Path, sample_format: str = "f32le") -> int:
        """Add raw 48 kHz stereo samples (ours: a stem, a window's music) as an input."""
        n = self.inputs.count("-i")
        self.inputs += ["-f", sample_format, "-ar", str(SAMPLE_RATE), "-ac", "2", "-i", str(path)]
        return n


def _delay(start: float) -> str:
    delay = round(start * SAMPLE_RATE)
    return f",adelay={delay}S:all=1" if delay else ""


def _line_chain(line: PlacedLine) -> str:
    return (f"{FORMAT},atrim={line.offset:.6f}:{line.offset + line.seconds:.6f},asetpts=N/SR/TB"
            + _delay(line.start))


def _effect_chain(effect: Effect, volume: float, placed: bool = True) -> str:
    return (f"{FORMAT},atrim=0:{effect.seconds:.6f},asetpts=N/SR/TB,volume={volume:.2f}dB"
            + (f",afade=t=in:d={effect.fade_in:.4f}" if effect.fade_in > 0 else "")
            + (f",afade=t=out:st={effect.fade_out_at:.4f}:d={effect.fade_out:.4f}" if effect.fade_out > 0 else "")
            + (_delay(effect.start) if placed else ""))


def _footage_chain(sound: FootageSound, volume: float | None = None, placed: bool = True) -> str:
    """The filter chain of one footage sound, from its seeked input, at its gain (or `volume`
    dB, its gain with the mix's speech level applied), delayed to its place on the cut if
    `placed`."""
    declick = min(DECLICK, sound.seconds / 2)
    fades = [f"afade=t=in:d={declick:.4f}",
             f"afade=t=out:st={sound.seconds - declick:.6f}:d={declick:.4f}"]
    if sound.fade_in > 0:
        fades.append(f"afade=t=in:d={sound.fade_in:.4f}")
    if sound.fade_out > 0:
        fades.append(f"afade=t=out:st={sound.fade_out_at:.4f}:d={sound.fade_out:.4f}")
    gain = sound.gain if volume is None else volume
    return (f"{FORMAT},atrim=0:{sound.seconds:.6f},asetpts=N/SR/TB,volume={gain:.2f}dB,{','.join(fades)}"
            + (_delay(sound.start) if placed else ""))


def _whole(total: float) -> str:
    """Silence after a placed sound until the end of what is mixed (`total` seconds).

    Every input of an `amix` then ends together: amix reads its inputs as their frames arrive,
    and one that ends while another has yet to deliver its first frame (a bed placed late)
    could end the mix early, depending on which ffmpeg thread ran first; a build would then
    now and then drop whole passages of music."""
    return f",apad=whole_dur={total:.6f}"


@dataclass(frozen=True)
class Levels:
    """What the buses measure (LUFS; None: silent): the dialogue's integrated loudness, each
    bed's, each effect's momentary maximum (at its gain), each ambience loop's."""

    dialogue: float | None
    beds: tuple[float | None, ...]
    effects: tuple[float | None, ...]
    rooms: dict[tuple[str, int], float | None]


def _integrated(stderr: str, name: str) -> float | None:
    """The integrated loudness the `ebur128@name` meter reported; None for silence."""
    found = re.search(rf"\[ebur128@{name} @ [^\]]*\] Summary:(.*?)(?:\n\[|\Z)", stderr, re.S)
    value = re.search(r"I:\s+(-?[\d.]+) LUFS", found[1]) if found else None
    # The meter's gate leaves digital silence at -70 LUFS.
    return float(value[1]) if value and float(value[1]) > -69.5 else None


def _momentary_max(stderr: str, name: str) -> float | None:
    """The loudest momentary loudness the `ebur128@name` meter logged; None for silence."""
    loudest = max((m for _, m in chunks.momentary(stderr, name)), default=-120.0)
    return loudest if loudest > -69.5 else None


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


def _final_gain(measured: float | None, levels: Levels, settings: MixSettings) -> float:
    """dB that bring a mix measuring `measured` LUFS to the target, lifting its speech (which
    sits on the target) by at most `SPEECH_LIFT`."""
    if measured is None:
        return 0.0
    gain = settings.loudness - measured
    return min(gain, SPEECH_LIFT) if levels.dialogue is not None else gain


COMPRESSOR = "acompressor=threshold=0.125:ratio=3:attack=5:release=80:makeup=1"   # the dialogue bus's
LEVEL_VERSION = "1"   # how a bus's level is measured (a part kept between builds)
CHUNK_VERSION = "1"   # how a chunk is rendered, metered and encoded


def _samples(seconds: float) -> int:
    return round(seconds * SAMPLE_RATE)


def _bed_layer(bed: Bed, stem: Stem, volume: float) -> Layer:
    # At least a declick at each end: a bed (a looped pad above all) may start and end anywhere.
    fade_in = min(max(bed.fade_in, DECLICK), bed.seconds / 2)
    fade_out = min(max(bed.fade_out, DECLICK), bed.seconds / 2)
    return Layer(stem, _samples(bed.start), _samples(bed.seconds), bed.loop, volume, _samples(fade_in),
                  _samples(fade_out))


def _room_layer(room: Room, stem: Stem, volume: float) -> Layer:
    fade_in = min(room.fade_in, room.seconds / 2) if room.fade_in > 0 else min(DECLICK, room.seconds / 2)
    fade_out = min(room.fade_out, room.seconds / 2) if room.fade_out > 0 else min(DECLICK, room.seconds / 2)
    return Layer(stem, _samples(room.start), _samples(room.seconds), True, volume, _samples(fade_in),
                  _samples(fade_out), "qsin", _samples(room.offset))


@dataclass(frozen=True)
class _Sound:
    """A file's sound laid on the cut by an ffmpeg chain (a dialogue passage, an effect, a
    footage sound): `chain` makes it in its own time from `seek` seconds into `file`, and it
    plays from sample `at` for `length` samples."""

    file: Path
    ident: str
    chain: str
    at: int
    length: int
    seek: float | None = None
    sliced: bool = False   # a 48 kHz 16-bit WAV (a passage) that `chain` only trims: keyed by what the window takes

    def overlaps(self, window: chunks.Window) -> bool:
        """Whether the sound plays in any sample `window` renders."""
        return self.at < window.last and self.at + self.length > window.first

    def key(self, window: chunks.Window) -> list:
        """What the sound puts into `window`, its place counted from the window's first sample."""
        if self.sliced:   # a line rewritten in a long passage changes only the windows it sounds in
            low, high = max(0, window.first - self.at), min(self.length, window.last - self.at)
            return [_wav_slice(self.file, low, high), self.at + low - window.first]
        return [self.ident, self.chain, self.seek, self.at - window.first, self.length]

    def placed(self, graph: _Graph, window: chunks.Window, label: str) -> str:
        """Add the sound's input and the chain that lays its part of `window` there, exactly
        `window.length` samples long (so every input of a mix ends together: `_whole`)."""
        low, high = max(0, window.first - self.at), min(self.length, window.last - self.at)
        # Read no further than the window needs (a footage sound may sit in a long recording).
        n = graph.input(self.file, seek=self.seek, duration=high / SAMPLE_RATE + 0.1)
        delay = max(0, self.at - window.first)
        return (f"[{n}:a]{self.chain},atrim=start_sample={low}:end_sample={high},asetpts=N/SR/TB"
                + (f",adelay={delay}S:all=1" if delay else "") + f",apad=whole_len={window.length}[{label}]")


def _wav_slice(path: Path, low: int, high: int) -> str:
    """The SHA-256 of a 16-bit WAV's frames from `low` to `high` (fewer where it ends first)."""
    digest = hashlib.sha256()
    with wave.open(str(path), "rb") as wav:
        frames = wav.getnframes()
        wav.setpos(min(low, frames))
        for at in range(min(low, frames), min(high, frames), 1 << 16):
            digest.update(wav.readframes(min(1 << 16, min(high, frames) - at)))
    return f"{digest.hexdigest()[:24]}:{high - low}"


def _together(graph: _Graph, labels: list[str], out: str) -> None:
    if len(labels) == 1:
        graph.filters.append(f"[{labels[0]}]anull[{out}]")
    else:
        graph.filters.append(f"{''.join(f'[{l}]' for l in labels)}amix=inputs={len(labels)}:normalize=0:"
                             f"duration=longest:dropout_transition=0[{out}]")


@dataclass(frozen=True)
class _Score:
    """Everything the film's mix lays on the cut, with its levels, before the final gain."""

    music: list[Layer]
    duck: Any
    dialogue: list[_Sound]
    anchor: float
    effects: list[_Sound]
    footage: list[_Sound]
    rooms: list[Layer]

    def key(self, window: chunks.Window) -> dict:
        """What `window` holds before the final gain: the key of its measurement."""
        def inside(items):
            return [item.key(window) for item in items if item.overlaps(window)]

        music, dialogue = inside(self.music), inside(self.dialogue)
        duck = None
        if music and self.duck is not None:
            duck = hashlib.sha256(track_slice(self.duck, DUCK_RATE, window).tobytes()).hexdigest()[:24]
        # The speech's gain only where there is speech (effects and footage carry it in their chains).
        return {"version": CHUNK_VERSION, "length": window.length, "keeps": [window.start - window.first,
                window.end - window.first], "music": music, "duck": duck, "dialogue": dialogue,
                "anchor": self.anchor if dialogue else None, "compressor": COMPRESSOR,
                "effects": inside(self.effects), "footage": inside(self.footage)}

    def graph(self, window: chunks.Window, scratch: Path) -> _Graph:
        """The window's mix before the final gain, as `[mix]`, exactly `window.length` samples."""
        graph = _Graph()
        buses = []
        graph.filters.append(f"anullsrc=r={SAMPLE_RATE}:cl=stereo,atrim=end_sample={window.length}[silence]")
        buses.append("silence")
        music = [layer for layer in self.music if layer.overlaps(window)]
        if music:
            path = scratch / f"music-{window.index}.f32"
            lay(music, window, path, self.duck, DUCK_RATE)
            n = graph.raw(path)
            graph.filters.append(f"[{n}:a]aformat=sample_fmts=fltp:channel_layouts=stereo[music]")
            buses.append("music")
        for name, sounds, tail in (("dialogue", self.dialogue, f",{COMPRESSOR},volume={self.anchor:.2f}dB"),
                                   ("effects", self.effects, ""), ("footage", self.footage, "")):
            labels = []
            for i, sound in enumerate(s for s in sounds if s.overlaps(window)):
                labels.append(f"{name}{i}")
                graph.filters.append(sound.placed(graph, window, labels[-1]))
            if labels:
                _together(graph, labels, f"{name}bus")
                graph.filters.append(f"[{name}bus]anull{tail}[{name}]")
                buses.append(name)
        _together(graph, buses, "summed")
        graph.filters.append(f"[summed]atrim=end_sample={window.length},apad=whole_len={window.length}[mix]")
        return graph


def _blocks(score: _Score, window: chunks.Window, inputs: dict, store: chunks.Parts, scratch: Path) -> list[float]:
    """The momentary loudness of each 100 ms of `window`'s mix before the final gain
    (`chunks.kept_blocks`), kept as a part under what the window holds (`inputs`: its
    `score.key`)."""
    found = store.recall("blocks", inputs)
    if found is not None:
        return [float(b) for b in found]
    graph = score.graph(window, scratch)
    # The render is kept for the encoding (`_encoded`), which would otherwise render it again.
    stderr = ffmpeg.output([*graph.inputs, "-filter_complex", ";".join(graph.filters)
                            + ";[mix]asplit[made][metered];[metered]ebur128@mix=framelog=info[ignored]",
                            "-map", "[made]", "-c:a", "pcm_f32le", "-f", "f32le", str(_rendered(window, scratch)),
                            "-map", "[ignored]", "-f", "null", "-"], what="audio mix")
    blocks = chunks.kept_blocks(stderr, window, "mix")
    store.keep("blocks", inputs, blocks)
    return blocks


def _rendered(window: chunks.Window, scratch: Path) -> Path:
    """Where `_blocks` leaves the window's render before the final gain (raw float samples)."""
    return scratch / f"mix-{window.index}.f32"


def _encoded(score: _Score, window: chunks.Window, held: dict, gain: float | None, settings: MixSettings,
             store: chunks.Parts, scratch: Path) -> Path:
    """`window`'s AAC frames (`chunks.window_packets`): its mix brought to the target by `gain`
    dB (None: it is silent), the ambience laid under it, peaks held under the ceiling. A part,
    kept under what the window holds (`held`: its `score.key`) and the gain."""
    rooms = [layer for layer in score.rooms if layer.overlaps(window)]
    ceiling = 10 ** ((settings.true_peak - PEAK_MARGIN) / 20)
    inputs = {"mix": content_key("blocks", held), "gain": gain, "ceiling": round(ceiling, 5),
              "rooms": [layer.key(window) for layer in rooms]}

    def write(temp: Path) -> None:
        if _rendered(window, scratch).exists():
            graph = _Graph()
            n = graph.raw(_rendered(window, scratch))
            graph.filters.append(f"[{n}:a]aformat=sample_fmts=fltp:channel_layouts=stereo[mix]")
        else:
            graph = score.graph(window, scratch)
        graph.filters.append(f"[mix]volume={gain:.3f}dB[main]" if gain is not None else "[mix]anull[main]")
        under = ["main"]
        if rooms:
            path = scratch / f"rooms-{window.index}.f32"
            lay(rooms, window, path)
            n = graph.raw(path)
            graph.filters.append(f"[{n}:a]aformat=sample_fmts=fltp:channel_layouts=stereo[rooms]")
            under.append("rooms")
        exact = f"asetpts=N/SR/TB,apad=whole_len={window.length},atrim=end_sample={window.length}"
        if gain is None and not rooms:   # silence stays silence
            graph.filters.append(f"[main]{exact}[out]")
        else:
            _together(graph, under, "under")
            # Limited at four times the rate, where the peaks between samples show (ITU-R BS.1770's
            # true peak); soxr resamples there and back in three quarters of the default's time. The
            # limiter's look-ahead is taken back out (`latency`): without, the sound led by a sample.
            graph.filters.append(f"[under]aresample={OVERSAMPLED}:resampler=soxr,"
                                 f"alimiter=limit={ceiling:.5f}:attack=2:release=80:level=disabled:latency=1,"
                                 f"aresample={SAMPLE_RATE}:resampler=soxr,{FORMAT},{exact}[out]")
        encoded = scratch / f"chunk-{window.index}.aac"
        # The "fast" coder: ffmpeg's manual calls it better and much faster than the default
        # two-loop search at high bitrates (measured here: a third of the time at 192 kb/s).
        ffmpeg.run([*graph.inputs, "-filter_complex", ";".join(graph.filters), "-map", "[out]", "-c:a", "aac",
                    "-aac_coder", "fast", "-b:a", "192k", "-ar", str(SAMPLE_RATE), "-ac", "2", "-f", "adts",
                    str(encoded)], what="audio loudness")
        temp.write_bytes(chunks.window_packets(encoded.read_bytes(), window))
        encoded.unlink()

    try:
        return store.make("aac", content_key("aac", inputs), ".aac", write)
    finally:
        _rendered(window, scratch).unlink(missing_ok=True)


def _file_ident(path: Path) -> str:
    return fingerprint(path).sha256


@dataclass(frozen=True)
class _Measure:
    """One level to measure: `chain` (after the input's label) from `source` (raw samples if
    `raw`), read as `how` ("blocks": every momentary loudness; "integrated"; "loudest": the
    highest momentary), kept under `inputs`."""

    inputs: dict
    source: Path
    chain: str
    how: str
    raw: bool = False

    @property
    def key(self) -> dict:
        """What the measurement is kept under: what is measured, and how (`LEVEL_VERSION`)."""
        return {"version": LEVEL_VERSION, **self.inputs}


def _levels(beds: list[tuple[Bed, Stem]], spoken: list[Passage], effects: list[Effect],
            rooms: dict[tuple[str, int], Stem], store: chunks.Parts, ident: Callable[[Path], str]) -> Levels:
    """What each bus measures, each measurement kept as a part (so an edit measures only what it
    changed), those not kept measured together in one ffmpeg run: each dialogue passage's
    momentary blocks (compressed as the bus is; the dialogue's loudness is gated from them all),
    each bed's and ambience loop's integrated loudness, each effect's loudest 400 ms."""
    stereo = "aformat=sample_fmts=fltp:channel_layouts=stereo"
    asks = [_Measure({"passage": ident(p.path), "compressor": COMPRESSOR}, p.path,
                     f"{FORMAT},{COMPRESSOR},apad=pad_dur=0.4", "blocks") for p in spoken]
    for bed, stem in beds:
        length = None if bed.loop else min(stem.frames, _samples(bed.seconds))
        asks.append(_Measure({"stem": stem.key, "length": length}, stem.path,
                             stereo + (f",atrim=end_sample={length}" if length is not None else ""), "integrated",
                             raw=True))
    for effect in effects:
        # padded, so an effect shorter than the meter's 400 ms window is measured too
        chain = f"{_effect_chain(effect, effect.gain, placed=False)},apad=pad_dur=0.4"
        asks.append(_Measure({"effect": ident(effect.path), "chain": chain}, effect.path, chain, "loudest"))
    asks += [_Measure({"stem": stem.key}, stem.path, stereo, "integrated", raw=True) for stem in rooms.values()]
    values: list[Any] = [store.recall("level", ask.key) for ask in asks]
    missing = [i for i, value in enumerate(values) if value is None]
    if missing:
        graph = _Graph()
        for i in missing:
            n = graph.raw(asks[i].source, "s16le") if asks[i].raw else graph.input(asks[i].source)
            graph.filters.append(f"[{n}:a]{asks[i].chain},ebur128@m{i}="
                                 f"framelog={'quiet' if asks[i].how == 'integrated' else 'info'}[m{i}]")
        stderr = ffmpeg.output([*graph.inputs, "-filter_complex", ";".join(graph.filters),
                                *[arg for i in missing for arg in ("-map", f"[m{i}]", "-f", "null", "-")]],
                               what="loudness measurement")
        for i in missing:
            found = {"blocks": lambda name: [m for _, m in chunks.momentary(stderr, name)],
                     "integrated": lambda name: _integrated(stderr, name),
                     "loudest": lambda name: _momentary_max(stderr, name)}[asks[i].how](f"m{i}")
            values[i] = "silent" if found is None else found   # kept as such: None is "not measured"
            store.keep("level", asks[i].key, values[i])
    values = [None if value == "silent" else value for value in values]
    dialogue = chunks.gated_loudness(b for blocks in values[:len(spoken)] for b in blocks) if spoken else None
    rest = values[len(spoken):]
    return Levels(
        dialogue=round(dialogue, 1) if dialogue is not None else None,
        beds=tuple(rest[:len(beds)]),
        effects=tuple(rest[len(beds):len(beds) + len(effects)]),
        rooms=dict(zip(rooms, rest[len(beds) + len(effects):])),
    )


def mix(beds: list[Bed], lines: list[PlacedLine], total_seconds: float, out: Path, settings: MixSettings = MixSettings(),
        effects: list[Effect] = (), footage: list[FootageSound] = (), rooms: list[Room] = (),
        spoken: list[Passage] | None = None, parts: Path | None = None,
        ident: Callable[[Path], str] | None = None, record: Path | None = None) -> None:
    """Mix music, speech, effects, footage sound and ambience into an AAC track (MP4) exactly
    `total_seconds` long (rounded to the sample), at the loudness target, in chunks
    (`chunks.windows`). `spoken` holds the `lines` already mixed in passages (`passages`,
    `mix_passage`: the build makes them as jobs); without it they are mixed here. `parts`: the
    folder that keeps the mix's parts between builds (stems, measurements, encoded chunks), so
    the next mix redoes only the chunks whose sound changed; None keeps them only for this mix.
    `ident(path)` names a file by its content (default: its SHA-256). `record`: where to list
    the parts this mix used (`parts_record`), so that `film clean` keeps them. Raises
    FFmpegError if ffmpeg fails (e.g. an unreadable file)."""
    effects, footage, rooms = list(effects), list(footage), list(rooms)
    ident = ident or _file_ident
    total = _samples(total_seconds)
    scratch = temp_name(out.with_name(out.stem + "-mix"))
    scratch.mkdir(parents=True)
    store = chunks.Parts(parts if parts is not None else scratch / "parts")
    try:
        if spoken is None:
            spoken = []
            for i, run in enumerate(passages(list(lines))):
                made = scratch / f"passage-{i}.wav"
                mix_passage(run, made)
                spoken.append(Passage(made, *passage_span(run)))
        stems = [file_stem(store, bed.file, ident(bed.file)) for bed in beds]
        loops = {(room.kind, room.seed): ambience_stem(store, room.kind, room.seed) for room in rooms}
        levels = _levels(list(zip(beds, stems)), spoken, effects, loops, store, ident)
        target = settings.loudness
        anchor = target - levels.dialogue if levels.dialogue is not None else 0.0
        speech = [(l.start, l.start + l.seconds) for l in lines]
        music = [_bed_layer(bed, stem, target + bed.gain - level if level is not None else bed.gain)
                 for bed, stem, level in zip(beds, stems, levels.beds)]
        ambience = [_room_layer(room, loops[room.kind, room.seed],
                                target + AMBIENCE_LEVEL.get(room.kind, AMBIENCE_LEVEL["room"]) - level)
                    for room in rooms if (level := levels.rooms.get((room.kind, room.seed))) is not None
                    and room.seconds > 0]
        dialogue = [_Sound(p.path, ident(p.path), f"{FORMAT},atrim=end_sample={_samples(p.seconds)},"
                           f"apad=whole_len={_samples(p.seconds)}", _samples(p.start), _samples(p.seconds),
                           sliced=True) for p in spoken]
        # Seek a footage input (its timestamps then start at the offset) rather than trim from 0,
        # so a shot late in a long recording does not decode everything before it.
        production = [_Sound(f.path, ident(f.path), _footage_chain(f, f.gain + anchor, placed=False),
                             _samples(f.start), _samples(f.seconds), seek=f.offset) for f in footage]
        duck = duck_track(speech, settings, total_seconds) if speech and music else None
        plan = windows(total)
        trims = _trims(effects, levels, settings)
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            for _ in range(2):
                score = _Score(music, duck, dialogue, anchor,
                               [_Sound(e.path, ident(e.path), _effect_chain(e, e.gain + anchor + trim, placed=False),
                                       _samples(e.start), _samples(e.seconds)) for e, trim in zip(effects, trims)],
                               production, ambience)
                # Each window's key once a round: a passage's key reads the samples the window takes.
                held = list(pool.map(score.key, plan))
                found = pool.map(lambda w, k: _blocks(score, w, k, store, scratch), plan, held)
                measured = chunks.gated_loudness(b for blocks in found for b in blocks)
                measured = round(measured, 1) if measured is not None else None
                gain = _final_gain(measured, levels, settings)
                # The final gain moves the effects too: measured once more if it lifted one over the ceiling.
                again = _trims(effects, levels, settings, gain, trims)
                if all(t >= a - CEILING_SLACK for t, a in zip(trims, again)):
                    break
                trims = again
            encoded = list(pool.map(
                lambda w, k: _encoded(score, w, k, gain if measured is not None else None, settings, store, scratch),
                plan, held))
        chunks.join(encoded, total, out)
        if record is not None and parts is not None:
            write_text(record, json.dumps(sorted(p.relative_to(store.root).as_posix() for p in store.used)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def parts_record(parts: Path, key: str) -> Path:
    """Where the mix whose job has `key` lists the parts it used (in the `parts` folder)."""
    return parts / "used" / f"{key}.json"


def parts_used(parts: Path, key: str) -> set[Path]:
    """The parts the mix whose job has `key` used, as its record lists them (none if it has no
    record or one that cannot be read)."""
    try:
        names = json.loads(parts_record(parts, key).read_text(encoding="utf-8"))
        return {parts / name for name in names if isinstance(name, str)}
    except (OSError, ValueError):
        return set()
