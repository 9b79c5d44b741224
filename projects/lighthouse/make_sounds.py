"""Draw the short film's sound effects in code (CC0), so the example needs no third-party audio.

    python projects/lighthouse/make_sounds.py

writes assets/waves.wav (surf on rocks, 8 s) and assets/foghorn.wav (a foghorn blast, 3 s).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.audio.ambient import write_wav

RATE = 24000
ASSETS = Path(__file__).resolve().parent / "assets"


def smooth(noise: np.ndarray, width: int) -> np.ndarray:
    """A moving average: a cheap low-pass filter."""
    kernel = np.ones(width) / width
    return np.convolve(noise, kernel, mode="same")


def waves(seconds: float = 8.0) -> np.ndarray:
    rng = np.random.default_rng(1921)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    rumble = smooth(rng.standard_normal(n), 60)            # low surf
    hiss = smooth(rng.standard_normal(n), 6) * 0.35        # spray
    swell = 0.35 + 0.65 * np.clip(np.sin(2 * np.pi * t / 4.0 - 1.2), 0, None) ** 2   # a wave every 4 s
    sound = (rumble + hiss) * swell
    edge = np.minimum(1, np.minimum(t, seconds - t) / 0.5)  # fade in and out
    sound *= edge
    return (0.6 * sound / np.abs(sound).max()).astype(np.float32)


def foghorn(seconds: float = 3.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * f * t) / (k + 1) for k, f in enumerate((98.0, 196.0, 294.0, 147.0)))
    envelope = np.minimum(1, t / 0.25) * np.minimum(1, (seconds - t) / 0.8)
    sound = np.tanh(1.5 * tone) * envelope
    return (0.6 * sound / np.abs(sound).max()).astype(np.float32)


if __name__ == "__main__":
    write_wav(ASSETS / "waves.wav", waves(), RATE)
    write_wav(ASSETS / "foghorn.wav", foghorn(), RATE)
