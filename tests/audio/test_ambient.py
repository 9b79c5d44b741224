"""The generated ambient pad: level, determinism, smoothness, stereo, errors, WAV output."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from pipeline.audio import ambient
from pipeline.audio.ambient import CHORD_SECONDS, KEYS, MOODS, ambient_pad, write_wav

SR = 48000


@pytest.fixture(scope="module")
def pad() -> np.ndarray:
    return ambient_pad(20.0, sample_rate=SR, seed=0, key="D", mood="calm")


def test_shape_dtype_and_range(pad: np.ndarray) -> None:
    assert pad.shape == (20 * SR, 2)
    assert pad.dtype == np.float32
    assert np.all(np.isfinite(pad))
    assert np.max(np.abs(pad)) <= 1.0


def test_length_is_rounded_seconds_times_rate() -> None:
    assert ambient_pad(1.23456, sample_rate=44100).shape == (round(1.23456 * 44100), 2)
    assert ambient_pad(0.0).shape == (0, 2)


@pytest.mark.parametrize("mood", MOODS)
def test_peak_near_minus_6_dbfs_and_not_silent(mood: str) -> None:
    audio = ambient_pad(10.0, seed=3, key="A", mood=mood)
    peak = float(np.max(np.abs(audio)))
    rms = float(np.sqrt(np.mean(audio.astype(np.float64) ** 2)))
    assert 0.3 <= peak <= 0.7
    assert rms > 0.05
    # Loudness stays even over time (no dips at chord changes): RMS of 0.5 s windows.
    windows = audio[: len(audio) // 24000 * 24000, 0].astype(np.float64).reshape(-1, 24000)
    window_rms = np.sqrt(np.mean(windows ** 2, axis=1))[1:-1]
    assert window_rms.min() > 0.4 * window_rms.max()


def test_deterministic(pad: np.ndarray) -> None:
    assert np.array_equal(pad, ambient_pad(20.0, sample_rate=SR, seed=0, key="D", mood="calm"))
    ambient._loop.cache_clear()                  # and not just because of the cache
    assert np.array_equal(pad, ambient_pad(20.0, sample_rate=SR, seed=0, key="D", mood="calm"))


def test_result_is_a_private_copy(pad: np.ndarray) -> None:
    a = ambient_pad(2.0, seed=11)
    a[:] = 0.0
    assert np.max(np.abs(ambient_pad(2.0, seed=11))) > 0.1


def test_seed_key_and_mood_change_the_sound(pad: np.ndarray) -> None:
    others = [ambient_pad(20.0, seed=1), ambient_pad(20.0, key="E"), ambient_pad(20.0, mood="dark")]
    for other in others:
        assert other.shape == pad.shape
        assert not np.allclose(other, pad, atol=1e-3)


def test_no_clicks_anywhere(pad: np.ndarray) -> None:
    peak = float(np.max(np.abs(pad)))
    jumps = np.abs(np.diff(pad.astype(np.float64), axis=0))
    assert jumps.max() < 0.1 * peak
    # Around each chord change specifically (crossfades start 1.5 s before the boundary).
    for boundary in range(CHORD_SECONDS, 20, CHORD_SECONDS):
        around = jumps[(boundary - 2) * SR:(boundary + 1) * SR]
        assert around.max() < 0.1 * peak
        # ... and no sudden change in level either: RMS over 100 ms windows changes gradually.
        seg = pad[(boundary - 2) * SR:(boundary + 1) * SR, 0].astype(np.float64).reshape(-1, SR // 10)
        rms = np.sqrt(np.mean(seg ** 2, axis=1))
        assert np.max(np.abs(np.diff(rms))) < 0.1 * peak


def test_faded_at_the_edges(pad: np.ndarray) -> None:
    peak = float(np.max(np.abs(pad)))
    assert np.max(np.abs(pad[0])) < 1e-3 and np.max(np.abs(pad[-1])) < 1e-3
    assert np.max(np.abs(pad[:48])) < 0.05 * peak       # first millisecond
    assert np.max(np.abs(pad[-48:])) < 0.05 * peak      # last millisecond
    assert np.max(np.abs(pad[SR // 10:SR])) > 0.3 * peak  # and it is playing soon after


def test_long_bed_repeats_seamlessly() -> None:
    audio = ambient_pad(70.0, seed=2)               # crosses the 32 s loop point twice
    peak = float(np.max(np.abs(audio)))
    jumps = np.abs(np.diff(audio.astype(np.float64), axis=0))
    assert jumps.max() < 0.1 * peak
    for seam in (32 * SR, 64 * SR):
        assert jumps[seam - SR:seam + SR].max() < 0.1 * peak


def test_stereo_channels_differ_but_are_related(pad: np.ndarray) -> None:
    left, right = pad[:, 0].astype(np.float64), pad[:, 1].astype(np.float64)
    assert not np.allclose(left, right, atol=1e-3)
    correlation = np.corrcoef(left, right)[0, 1]
    assert 0.2 < correlation < 0.98                 # wide, but mono-compatible


def test_gentle_spectrum(pad: np.ndarray) -> None:
    spectrum = np.abs(np.fft.rfft(pad[:, 0].astype(np.float64))) ** 2
    hz = np.fft.rfftfreq(len(pad), 1 / SR)
    assert spectrum[hz > 4000].sum() < 0.01 * spectrum.sum()     # never harsh
    assert spectrum[hz < 30].sum() < 0.01 * spectrum.sum()       # no rumble or DC


def test_bad_key_names_the_valid_ones() -> None:
    with pytest.raises(ValueError) as info:
        ambient_pad(1.0, key="H")
    message = str(info.value)
    assert "'H'" in message
    for name in ("C", "C#", "Db", "D", "Eb", "F#", "Bb", "B"):
        assert name in message


def test_bad_mood_names_the_valid_ones() -> None:
    with pytest.raises(ValueError) as info:
        ambient_pad(1.0, mood="angry")
    message = str(info.value)
    assert "'angry'" in message
    for mood in ("calm", "dark", "bright"):
        assert mood in message


def test_key_spelling_is_forgiving() -> None:
    assert np.array_equal(ambient_pad(1.0, key="f#"), ambient_pad(1.0, key="F#"))
    assert np.array_equal(ambient_pad(1.0, key="Gb"), ambient_pad(1.0, key="F#"))
    assert len(KEYS) == 17


def test_negative_length_is_an_error() -> None:
    with pytest.raises(ValueError):
        ambient_pad(-1.0)


def test_write_wav_round_trip(tmp_path: Path, pad: np.ndarray) -> None:
    path = tmp_path / "music.wav"
    write_wav(path, pad, SR)
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 2
        assert wav.getsampwidth() == 2
        assert wav.getframerate() == SR
        assert wav.getnframes() == len(pad)
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    assert np.max(np.abs(data / 32767.0 - pad)) < 1.0 / 32767.0
    assert [p.name for p in tmp_path.iterdir()] == ["music.wav"]      # no temporary left behind


def test_write_wav_clips_and_accepts_mono(tmp_path: Path) -> None:
    path = tmp_path / "mono.wav"
    write_wav(str(path), np.array([0.0, 2.0, -2.0, 0.5], dtype=np.float32), 8000)
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 2
        data = np.frombuffer(wav.readframes(4), dtype="<i2").reshape(-1, 2)
    assert data[:, 0].tolist() == [0, 32767, -32767, 16384]
    assert np.array_equal(data[:, 0], data[:, 1])


def test_interrupted_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "music.wav"

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(wave.Wave_write, "writeframes", boom)
    with pytest.raises(KeyboardInterrupt):
        write_wav(path, np.zeros((100, 2), dtype=np.float32))
    assert list(tmp_path.iterdir()) == []


def test_two_minutes_synthesises() -> None:
    ambient._loop.cache_clear()
    audio = ambient_pad(120.0, seed=42, key="Eb", mood="bright")
    assert audio.shape == (120 * SR, 2)
