"""Generated beds: ambient music (a soft, warm synth-pad chord progression), and the ambience
under a scene (room tone, wind, the sea, a distant town: `ambience`, at the end of this module).

Example films need music that nobody has to license, so this module synthesises one: a four-chord
progression in a chosen key (I-vi-IV-V for "calm", I-V-vi-IV for "bright", i-VI-III-VII for
"dark"), each chord 4 s, crossfaded into the next over 1.5 s (equal-gain for notes the two chords
share, which simply carry on; equal-power for notes that come or go, so the loudness never dips).
Every chord is voiced as a low sine root, an open root-fifth in the middle and a close triad on
top; each note is a pair of slightly detuned soft-saw oscillators per channel (the two channels
are detuned differently, which is where the stereo width comes from) with a slow amplitude LFO.
A quiet band-passed noise "air" layer sits underneath.

How it stays fast and click-free (120 s in well under a second, no per-sample Python loops):

* Everything is a sum of sinusoids. An amplitude LFO ``(1 + d sin Wt) sin wt`` is itself three
  sinusoids, so a whole chord on one channel is a sum of ~150 sinusoids, computed as float32
  matrix products (``sin(a + b) = sin a cos b + cos a sin b`` with ``a`` the phase at the start
  of a 512-sample block and ``b`` the phase inside the block).
* Every frequency (oscillators, detunes, LFOs) is rounded to a whole number of cycles per
  32-second loop (steps of 1/32 Hz, under half a cent for the lowest note), so the loop of eight
  chords (the progression twice, the second time voiced higher, some chords with an added ninth) repeats
  seamlessly and is simply tiled to any length; the noise layer is filtered circularly so it
  tiles too. Oscillator phases, detunes and LFOs are keyed by MIDI pitch, so a note shared by two
  neighbouring chords is the very same signal in both and sails through the crossfade unchanged.
* The result is scaled so the loop peaks at -6 dBFS (0.5) and gets 50 ms fades at the very
  start and end; the editor does its own longer fades.

Deterministic: the same arguments give the identical array; ``seed`` varies the voicing, the
detunes, the LFO rates and the phases a little.
"""

from __future__ import annotations

import functools
import wave
from pathlib import Path
from typing import TYPE_CHECKING

from ..cache import atomic

if TYPE_CHECKING:   # numpy loads when a bed or a picture is made, not when a film is planned
    import numpy as np

__all__ = ["AMBIENCES", "KEYS", "MOODS", "ambience", "ambience_for", "ambient_pad", "pad_loop", "write_wav"]

#: Valid key names, in order, each mapped to its pitch class (C = 0).
KEYS: dict[str, int] = {
    "C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6, "Gb": 6,
    "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11,
}

#: mood -> progression as (semitones above the tonic, minor?) per chord.
_PROGRESSIONS: dict[str, tuple[tuple[int, bool], ...]] = {
    "calm": ((0, False), (9, True), (5, False), (7, False)),     # I  vi  IV  V
    "dark": ((0, True), (8, False), (3, False), (10, False)),    # i  VI  III VII
    "bright": ((0, False), (7, False), (9, True), (5, False)),   # I  V   vi  IV
}
#: Valid moods.
MOODS: tuple[str, ...] = tuple(_PROGRESSIONS)


#: mood -> sound: centre of the top voicing (MIDI), harmonic roll-off exponent, low-pass corner (Hz)
#: of the oscillators, low-pass corner of the noise layer, harmonics per oscillator.
_TIMBRES: dict[str, dict[str, float]] = {
    "calm": {"center": 64.0, "rolloff": 2.0, "cutoff": 1400.0, "air_cutoff": 3000.0, "harmonics": 5},
    "dark": {"center": 60.0, "rolloff": 2.3, "cutoff": 900.0, "air_cutoff": 1800.0, "harmonics": 4},
    "bright": {"center": 68.0, "rolloff": 1.8, "cutoff": 2200.0, "air_cutoff": 5000.0, "harmonics": 6},
}


CHORD_SECONDS = 4
"""Length of one chord, crossfade included."""
XFADE_SECONDS = 1.5
"""Length of the crossfade between consecutive chords."""
EDGE_FADE_SECONDS = 0.05
"""Fade in at the very start and fade out at the very end."""
PEAK = 0.5
"""Peak level of the bed, -6 dBFS."""

_LOOP_CHORDS = 8          # the progression twice: plain, then higher with added ninths
_BLOCK = 512              # block length of the sum-of-sinusoids matrix product
_AIR_LOOP_CHORDS = 2      # the noise layer repeats every 8 s (inaudible at its level)
_AIR_LEVEL = 0.035        # noise RMS relative to the tonal RMS (about -29 dB)


def _parse_key(key: str) -> int:
    """Pitch class of a key name such as "D", "f#" or "Bb"; ValueError naming the valid ones."""
    name = key.strip().replace("♯", "#").replace("♭", "b") if isinstance(key, str) else ""
    if name:
        name = name[0].upper() + name[1:].lower()
    if name not in KEYS:
        raise ValueError(f"unknown key {key!r}; valid keys: {', '.join(KEYS)}")
    return KEYS[name]


def _parse_mood(mood: str) -> str:
    """Normalised mood name; ValueError naming the valid ones."""
    name = mood.strip().lower() if isinstance(mood, str) else ""
    if name not in _PROGRESSIONS:
        raise ValueError(f"unknown mood {mood!r}; valid moods: {', '.join(MOODS)}")
    return name


def _midi_hz(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _place(pitch_class: int, low: int) -> int:
    """The MIDI note of `pitch_class` in [low, low + 12)."""
    return low + (pitch_class - low) % 12


def _sum_sines(cycles: np.ndarray, amps: np.ndarray, phases: np.ndarray,
               start: int, length: int, period: int) -> np.ndarray:
    """sum_k amps[k] * sin(2 pi cycles[k] n / period + phases[k]) for n in [start, start + length).

    `cycles` are integers (whole cycles per `period` samples), so phases are computed exactly with
    integer arithmetic; the sum itself is one matrix product over blocks of samples, in float64:
    BLAS splits a product differently with the number of threads it may use (a Ray worker gets
    one), and float32 sums then differ in their last bit, enough to flip 16-bit samples; float64's
    differences are far below what a 16-bit (or float32) sample can show.
    """
    import numpy as np
    rows = -(-length // _BLOCK)
    cyc = cycles.astype(np.int64)
    two_pi = 2.0 * np.pi
    block_starts = start + _BLOCK * np.arange(rows, dtype=np.int64)
    a = two_pi * ((block_starts[:, None] * cyc[None, :]) % period) / period + phases[None, :]
    b = two_pi * ((np.arange(_BLOCK, dtype=np.int64)[:, None] * cyc[None, :]) % period) / period
    left = np.concatenate([np.sin(a) * amps, np.cos(a) * amps], axis=1)
    right = np.concatenate([np.cos(b), np.sin(b)], axis=1).T
    return (left @ right).reshape(-1)[:length].astype(np.float32)


class _NoteTables:
    """Per-pitch random parameters (keyed by MIDI note so shared notes stay coherent)."""

    def __init__(self, rng: np.random.Generator):
        import numpy as np
        self.detune_cents = rng.uniform(3.0, 7.0, size=128)
        self.detune_split = rng.uniform(0.6, 0.9, size=128)       # how asymmetric L vs R is
        self.lfo_cycles = rng.integers(2, 6, size=128)            # per 32 s loop: 6.4 s .. 16 s
        self.lfo_depth = rng.uniform(0.18, 0.32, size=128)
        self.lfo_phase = rng.uniform(0.0, 2.0 * np.pi, size=(128, 2))
        self.osc_phase = rng.uniform(0.0, 2.0 * np.pi, size=(128, 2))   # pitch, oscillator


def _note_components(midi: int, gain: float, channel: int, tables: _NoteTables, timbre: dict[str, float],
                     loop_seconds: float, oscillators: int, sample_rate: int
                     ) -> tuple[list[int], list[float], list[float]]:
    """Sinusoids (cycles per loop, amplitude, phase) of one note on one channel, LFO included."""
    import numpy as np
    f0 = _midi_hz(midi)
    cents = tables.detune_cents[midi]
    split = tables.detune_split[midi]
    if oscillators == 1:          # the bass: one oscillator, identical in both channels (mono-safe)
        offsets = (0.0,)
    elif channel == 0:
        offsets = (-cents, cents * split)
    else:
        offsets = (-cents * split, cents)
    lfo_cycles = int(tables.lfo_cycles[midi])
    depth = float(tables.lfo_depth[midi]) * (0.5 if oscillators == 1 else 1.0)
    lfo_phase = float(tables.lfo_phase[midi, 0 if oscillators == 1 else channel])
    cycles: list[int] = []
    amps: list[float] = []
    phases: list[float] = []
    n_harm = 2 if oscillators == 1 else int(timbre["harmonics"])
    # Unequal pair so the beating between the two detuned oscillators shimmers rather than pulses.
    weights = (1.0,) if oscillators == 1 else (0.68, 0.32)
    for osc, (cent, weight) in enumerate(zip(offsets, weights)):
        base = max(1, round(f0 * 2.0 ** (cent / 1200.0) * loop_seconds))
        phi = float(tables.osc_phase[midi, osc])
        for h in range(1, n_harm + 1):
            hz = h * base / loop_seconds
            amp = gain * weight * h ** -timbre["rolloff"] / (1.0 + (hz / timbre["cutoff"]) ** 2)
            if amp < gain * 0.01 or hz > 0.45 * sample_rate:
                continue
            c, p = h * base, h * phi
            # (1 + d sin(Wt + q)) sin(wt + p) = sin(wt + p)
            #   + d/2 sin((w - W)t + p - q + pi/2) + d/2 sin((w + W)t + p + q - pi/2)
            cycles += [c, c - lfo_cycles, c + lfo_cycles]
            amps += [amp, amp * depth / 2.0, amp * depth / 2.0]
            phases += [p, p - lfo_phase + np.pi / 2.0, p + lfo_phase - np.pi / 2.0]
    return cycles, amps, phases


def _voicing(root_pc: int, minor: bool, center: float, ninth: bool) -> list[tuple[int, float, int]]:
    """(MIDI note, gain, oscillators per channel) for one chord."""
    third = 3 if minor else 4
    bass = _place(root_pc, 36)
    mid = [_place(root_pc, 48), _place(root_pc, 48) + 7]
    pcs = [root_pc, root_pc + third, root_pc + 7] + ([root_pc + 2] if ninth else [])
    low = int(round(center)) - 6
    upper = sorted({_place(pc % 12, low) for pc in pcs} - set(mid))
    notes = [(bass, 0.6, 1)] + [(m, 0.36, 2) for m in mid]
    for i, m in enumerate(upper):
        top_soft = 0.8 if i == len(upper) - 1 else 1.0
        color_soft = 0.6 if ninth and m % 12 == (root_pc + 2) % 12 else 1.0
        notes.append((m, 0.3 * top_soft * color_soft, 2))
    return notes


@functools.lru_cache(maxsize=4)
def _loop(sample_rate: int, seed: int, tonic: int, mood: str) -> np.ndarray:
    """One seamless loop of `_LOOP_CHORDS` chords, float32 (period, 2), peak PEAK. Cached; do not mutate."""
    import numpy as np
    rng = np.random.default_rng([seed % 2**64, tonic, MOODS.index(mood)])
    timbre = _TIMBRES[mood]
    tables = _NoteTables(rng)
    chord_n = CHORD_SECONDS * sample_rate
    xfade_n = int(round(XFADE_SECONDS * sample_rate))
    period = _LOOP_CHORDS * chord_n
    loop_seconds = float(_LOOP_CHORDS * CHORD_SECONDS)
    center = timbre["center"] + float(rng.integers(-1, 2))
    lift = float(rng.choice([3, 4, 5]))
    ninth_chance = rng.uniform(size=_LOOP_CHORDS)

    progression = _PROGRESSIONS[mood]
    chords = []
    for index in range(_LOOP_CHORDS):
        offset, minor = progression[index % len(progression)]
        second_pass = index >= len(progression)
        chords.append(_voicing((tonic + offset) % 12, minor, center + (lift if second_pass else 0.0),
                               ninth=second_pass and ninth_chance[index] < 0.6))

    # A note held over from the previous chord (or into the next) is the very same signal in both,
    # so its crossfade is equal-gain (sin^2 + cos^2 = 1: the note just carries on); a note that
    # comes or goes is uncorrelated with the rest, so its ramp is equal-power (no dip in loudness).
    u = (np.arange(xfade_n) + 0.5) / xfade_n
    ramps = {
        (True, "rise"): np.sin(0.5 * np.pi * u) ** 2, (True, "fall"): np.cos(0.5 * np.pi * u) ** 2,
        (False, "rise"): np.sin(0.5 * np.pi * u), (False, "fall"): np.cos(0.5 * np.pi * u),
    }
    out = np.zeros((2, period), dtype=np.float32)   # channel-major while summing
    length = chord_n + xfade_n
    for index, notes in enumerate(chords):
        before = {midi for midi, _, _ in chords[index - 1]}
        after = {midi for midi, _, _ in chords[(index + 1) % _LOOP_CHORDS]}
        start = index * chord_n - xfade_n     # the chord sounds over [start, (index + 1) * chord_n)
        head = -start if start < 0 else 0     # the first chord's fade-in wraps onto the loop's end
        groups: dict[tuple[bool, bool], list[tuple[int, float, int]]] = {}
        for note in notes:
            groups.setdefault((note[0] in before, note[0] in after), []).append(note)
        for channel in range(2):
            for (held_before, held_after), members in groups.items():
                cycles: list[int] = []
                amps: list[float] = []
                phases: list[float] = []
                for midi, gain, oscillators in members:
                    c, a, p = _note_components(midi, gain, channel, tables, timbre, loop_seconds, oscillators,
                                                sample_rate)
                    cycles += c
                    amps += a
                    phases += p
                signal = _sum_sines(np.array(cycles), np.array(amps), np.array(phases), start, length, period)
                signal[:xfade_n] *= ramps[held_before, "rise"]
                signal[-xfade_n:] *= ramps[held_after, "fall"]
                if head:
                    out[channel, period - head:] += signal[:head]
                out[channel, start + head:start + length] += signal[head:]

    # Air: band-passed noise, filtered circularly so it tiles seamlessly, swelling slowly.
    air_n = _AIR_LOOP_CHORDS * chord_n
    spectrum = np.fft.rfft(rng.standard_normal((2, air_n)), axis=1)
    hz = np.fft.rfftfreq(air_n, 1.0 / sample_rate)
    hp = (hz / 250.0) ** 2 / (1.0 + (hz / 250.0) ** 2)
    lp = 1.0 / (1.0 + (hz / timbre["air_cutoff"]) ** 4)
    air = np.fft.irfft(spectrum * (hp * lp), n=air_n, axis=1)
    tonal_rms = float(np.sqrt(np.mean(np.square(out, dtype=np.float64))))
    air *= _AIR_LEVEL * tonal_rms / float(np.sqrt(np.mean(air ** 2)))
    swell = 1.0 + 0.35 * np.sin(2.0 * np.pi * 2.0 * np.arange(period) / period)   # two slow swells per loop
    out += np.tile(air.astype(np.float32), (1, _LOOP_CHORDS // _AIR_LOOP_CHORDS)) * swell.astype(np.float32)

    out *= np.float32(PEAK / float(np.max(np.abs(out))))
    loop = np.ascontiguousarray(out.T)
    loop.flags.writeable = False
    return loop


def ambient_pad(seconds: float, sample_rate: int = 48000, seed: int = 0, key: str = "D",
                mood: str = "calm") -> np.ndarray:
    """Synthesise `seconds` of ambient pad music.

    Returns a float32 array of shape ``(round(seconds * sample_rate), 2)`` (stereo) with values
    in [-1, 1], peaking at about -6 dBFS (0.5), with 50 ms fades at the very start and end.
    `key` is a note name (one of `KEYS`, e.g. "D", "F#", "Bb"); `mood` is "calm" (I-vi-IV-V),
    "bright" (I-V-vi-IV) or "dark" (i-VI-III-VII, minor). Same arguments, same array; `seed`
    varies the voicing, detunes and LFOs a little. Raises ValueError for an unknown key or
    mood (naming the valid ones), a negative length or a non-positive sample rate.
    """
    import numpy as np
    tonic = _parse_key(key)
    mood = _parse_mood(mood)
    if int(sample_rate) != sample_rate or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer, not {sample_rate!r}")
    sample_rate = int(sample_rate)
    if not np.isfinite(seconds) or seconds < 0:
        raise ValueError(f"seconds must be a finite number >= 0, not {seconds!r}")
    n = int(round(seconds * sample_rate))
    if n == 0:
        return np.zeros((0, 2), dtype=np.float32)
    loop = _loop(sample_rate, int(seed), tonic, mood)
    reps = -(-n // loop.shape[0])
    out = np.tile(loop, (reps, 1))[:n] if reps > 1 else loop[:n].copy()
    fade_n = min(int(round(EDGE_FADE_SECONDS * sample_rate)), n // 2)
    if fade_n:
        ramp = (np.sin(0.5 * np.pi * (np.arange(fade_n) + 0.5) / fade_n) ** 2).astype(np.float32)
        out[:fade_n] *= ramp[:, None]
        out[n - fade_n:] *= ramp[::-1, None]
    return out


def pad_loop(sample_rate: int = 48000, seed: int = 0, key: str = "D", mood: str = "calm") -> np.ndarray:
    """One seamless loop of the ambient pad (`ambient_pad`'s, without its edge fades): float32
    (n, 2), `_LOOP_CHORDS * CHORD_SECONDS` seconds long, to be looped to any length (the mix
    loops it: a bed of any length costs one loop's memory and file). Raises as `ambient_pad`."""
    tonic, mood = _parse_key(key), _parse_mood(mood)
    if int(sample_rate) != sample_rate or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer, not {sample_rate!r}")
    return _loop(int(sample_rate), int(seed), tonic, mood).copy()


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int = 48000) -> None:
    """Write `samples` (float, (n, 2) stereo, or (n,) mono which is duplicated) as a 16-bit PCM stereo WAV.

    Values are clipped to [-1, 1]. Written atomically (`cache.atomic`): an interrupted write never
    leaves a file at `path`.
    """
    import numpy as np
    path = Path(path)
    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] not in (1, 2):
        raise ValueError(f"samples must have shape (n, 2) or (n,), not {np.shape(samples)}")
    if data.shape[1] == 1:
        data = np.repeat(data, 2, axis=1)
    pcm = np.round(np.clip(np.nan_to_num(data), -1.0, 1.0) * 32767.0).astype("<i2")
    with atomic(path) as temp, wave.open(str(temp), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(int(sample_rate))
        wav.writeframes(pcm.tobytes())


# --- Ambience beds: room tone and exterior air under a scene -------------------------------------

#: The ambience beds: interior room tone, exterior wind, the sea, a distant town.
AMBIENCES: tuple[str, ...] = ("room", "wind", "sea", "town")
AMBIENCE_LOOP_SECONDS = 30
AMBIENCE_VERSION = "1"
"""Changes whenever a bed would sound different (it is part of the mix's cache key)."""
AMBIENCE_RATE = 24000
"""The beds hold nothing above 12 kHz (a room's air, wind, the foam of a wave are duller than
that far off), so they are made at half the mix's rate, in half the time; the mix resamples them."""
"""Length of one seamless ambience loop; the mix loops it, starting each scene somewhere else in it."""

# Location words that put an exterior by the water or in a town (whole words of the heading's location).
_SEA_WORDS = frozenset("""sea seas ocean beach beaches shore shoreline coast coastline cove bay harbour harbor
    port pier jetty quay dock docks wharf marina lighthouse headland cliff cliffs point boat ferry ship deck
    island lagoon surf waterfront promenade seafront breakwater""".split())
_TOWN_WORDS = frozenset("""street streets road avenue boulevard lane alley city town downtown square plaza
    market station parking car carpark highway freeway motorway bridge sidewalk pavement corner rooftop""".split())


def ambience_for(setting: str, location: str) -> str | None:
    """The ambience bed for a scene heading: "room" (room tone) inside, "sea" for an exterior by
    the water (a pier, a headland, a deck), "town" for one in the streets, "wind" for any other
    exterior; None for a heading that says neither (a slug line alone, a lesson's section), which
    keeps whatever was heard before it. INT/EXT counts as outside (the outside is heard)."""
    setting = setting.upper()
    if setting == "INT":
        return "room"
    if setting not in ("EXT", "INT/EXT", "EST"):
        return None
    words = set("".join(c if c.isalnum() else " " for c in location.lower()).split())
    if words & _SEA_WORDS:
        return "sea"
    if words & _TOWN_WORDS:
        return "town"
    return "wind"


def _noise(rng: np.random.Generator, n: int, shape, sample_rate: int, channels: int = 2,
           correlation: float = 0.35) -> np.ndarray:
    """Gaussian noise coloured by `shape(hz)` (amplitude per frequency), filtered circularly so it
    tiles seamlessly: (channels, n) float64, unit RMS per channel. The channels share
    `correlation` of their power, so the bed is wide without a hole in the middle (or in mono)."""
    import numpy as np
    white = rng.standard_normal((channels + 1, n))
    common = np.sqrt(correlation)
    white = common * white[:1] + np.sqrt(1.0 - correlation) * white[1:]
    hz = np.fft.rfftfreq(n, 1.0 / sample_rate)
    coloured = np.fft.irfft(np.fft.rfft(white, axis=1) * shape(hz), n=n, axis=1)
    return coloured / np.sqrt(np.mean(coloured ** 2, axis=1, keepdims=True))


def _band(low: float, high: float, order: float = 2.0, tilt: float = 0.0):
    """An amplitude response: a high-pass at `low` and a low-pass at `high` (each `order`-th
    order), tilted by `tilt` dB per octave (-3: pink, -6: brown)."""
    import numpy as np
    def shape(hz: np.ndarray) -> np.ndarray:
        f = np.maximum(hz, 1.0)
        hp = (f / low) ** order / np.sqrt(1.0 + (f / low) ** (2 * order))
        lp = 1.0 / np.sqrt(1.0 + (f / high) ** (2 * order))
        return hp * lp * (f / 1000.0) ** (tilt / 6.02)
    return shape


def _swell(rng: np.random.Generator, n: int, depth: float, cycles: tuple[int, int]) -> np.ndarray:
    """A slow random level in [1 - depth, 1]: a few sinusoids with whole cycles per loop (so it
    tiles), between `cycles` per loop."""
    import numpy as np
    t = np.arange(n) / n
    wave = np.zeros(n)
    for c in rng.integers(cycles[0], cycles[1] + 1, size=4):
        wave += rng.uniform(0.5, 1.0) * np.sin(2.0 * np.pi * (c * t + rng.uniform()))
    wave = (wave - wave.min()) / max(float(np.ptp(wave)), 1e-9)
    return 1.0 - depth + depth * wave


def _waves(rng: np.random.Generator, n: int, sample_rate: int) -> np.ndarray:
    """The wash of waves on a shore, circular over the loop: each wave rises over 1.5-2.5 s and
    draws back over 3-5 s, one every 5-9 s, over a floor of 0.3."""
    import numpy as np
    seconds = n / sample_rate
    t = np.arange(n) / sample_rate
    envelope = np.zeros(n)
    at = rng.uniform(0.0, 2.0)
    while at < seconds - 4.0:
        rise, fall, height = rng.uniform(1.5, 2.5), rng.uniform(3.0, 5.0), rng.uniform(0.7, 1.0)
        since = (t - at) % seconds                      # wraps round the loop's end
        shape = np.where(since < rise, np.sin(0.5 * np.pi * since / rise) ** 2,
                         np.exp(-np.maximum(since - rise, 0.0) / (fall / 3.0)))
        envelope = np.maximum(envelope, height * shape)
        at += rng.uniform(5.0, 9.0)
    return 0.3 + 0.7 * envelope


@functools.lru_cache(maxsize=8)
def _ambience_loop(kind: str, seed: int, sample_rate: int) -> np.ndarray:
    import numpy as np
    rng = np.random.default_rng([seed % 2**64, AMBIENCES.index(kind), 7])
    n = AMBIENCE_LOOP_SECONDS * sample_rate
    if kind == "room":
        # Room tone: soft pink-ish air of a quiet room, rolled off above 2 kHz, barely moving.
        out = _noise(rng, n, _band(50.0, 2000.0, tilt=-4.0), sample_rate) * _swell(rng, n, 0.12, (1, 4))
    elif kind == "wind":
        # Wind: a low rumble, and a whoosh that rises in gusts and brightens as it does.
        gust = _swell(rng, n, 0.75, (2, 6))
        out = (0.6 * _noise(rng, n, _band(40.0, 250.0, tilt=-6.0), sample_rate) * np.sqrt(gust)
               + 0.7 * _noise(rng, n, _band(250.0, 1200.0), sample_rate) * gust
               + 0.25 * _noise(rng, n, _band(1200.0, 4000.0), sample_rate) * gust ** 2)
    elif kind == "sea":
        # The sea: a distant surf rumble, and waves washing in, the fizz of foam at their crests.
        wash = _waves(rng, n, sample_rate)
        out = (0.5 * _noise(rng, n, _band(40.0, 300.0, tilt=-6.0), sample_rate)
               + 0.8 * _noise(rng, n, _band(200.0, 2500.0, tilt=-2.0), sample_rate) * wash
               + 0.3 * _noise(rng, n, _band(2500.0, 8000.0), sample_rate) * wash ** 3)
    elif kind == "town":
        # A town far off: a low traffic rumble with cars passing, and a little air.
        out = (0.8 * _noise(rng, n, _band(40.0, 400.0, tilt=-6.0), sample_rate) * _swell(rng, n, 0.5, (4, 9))
               + 0.2 * _noise(rng, n, _band(400.0, 3000.0, tilt=-3.0), sample_rate))
    else:
        raise ValueError(f"unknown ambience {kind!r}; valid ambiences: {', '.join(AMBIENCES)}")
    out *= PEAK / float(np.max(np.abs(out)))
    loop = np.ascontiguousarray(out.T.astype(np.float32))
    loop.flags.writeable = False
    return loop


def ambience(kind: str, seed: int = 0, sample_rate: int = AMBIENCE_RATE) -> np.ndarray:
    """One seamless loop (`AMBIENCE_LOOP_SECONDS`) of an ambience bed, float32 (n, 2) stereo
    peaking at -6 dBFS: "room" (room tone), "wind", "sea" or "town" (see `ambience_for`). It is
    coloured noise filtered circularly, its slow movements whole cycles of the loop, so the loop
    tiles with no seam. Same arguments, same array; ValueError for an unknown kind."""
    if kind not in AMBIENCES:
        raise ValueError(f"unknown ambience {kind!r}; valid ambiences: {', '.join(AMBIENCES)}")
    if int(sample_rate) != sample_rate or sample_rate <= 0:
        raise ValueError(f"sample_rate must be a positive integer, not {sample_rate!r}")
    return _ambience_loop(kind, int(seed), int(sample_rate)).copy()
