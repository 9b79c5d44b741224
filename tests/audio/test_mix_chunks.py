"""The mix in chunks, with real ffmpeg: the joined track plays as one encode would (no click at a
joint, in sync to the sample, exactly the film's length), an edit remakes only the chunks it
touches and gives the track a mix made afresh gives, and a damaged part is made again."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import audio_samples
from pipeline.audio import chunks
from pipeline.audio.ambient import write_wav
from pipeline.audio.chunks import CHUNK, SAMPLE_RATE, gated_loudness, windows
from pipeline.audio.mix import Effect, PlacedLine, mix
from pipeline.edit import ffmpeg
from pipeline.plan import Bed
from pipeline.spec import MixSettings

JOINTS = [CHUNK, 2 * CHUNK]


def made(parts: Path) -> set[str]:
    """The encoded chunks kept in `parts` (names)."""
    return {p.name for p in (parts / "aac").glob("*.aac")} if (parts / "aac").exists() else set()


def test_the_windows_tile_the_film_on_the_grid_of_aac_frames_and_meter_steps():
    found = windows(3 * CHUNK + 1000)
    assert [(w.start, w.end) for w in found] == [(0, CHUNK), (CHUNK, 2 * CHUNK), (2 * CHUNK, 3 * CHUNK),
                                                 (3 * CHUNK, 3 * CHUNK + 1000)]
    for window in found:
        assert window.start % 1024 == 0 and window.first % 4800 == 0 and window.first % 1024 == 0
        assert window.first == max(0, window.start - chunks.PREROLL) and window.last <= window.total
    assert windows(0) == []


def test_loudness_gated_from_blocks_is_what_the_meter_integrates(tmp_path):
    """Loud and quiet passages and silence: the blocks' gate (BS.1770) gives ffmpeg's own
    integrated loudness, so the chunks' blocks can stand for the whole film's meter."""
    t = np.arange(20 * SAMPLE_RATE) / SAMPLE_RATE
    level = np.where(t < 8, 0.3, np.where(t < 12, 0.0, np.where(t < 16, 0.02, 0.1)))
    path = tmp_path / "levels.wav"
    write_wav(path, level * np.sin(2 * np.pi * 500 * t))
    text = subprocess.run([ffmpeg.exe(), "-hide_banner", "-nostats", "-i", str(path), "-af",
                           "ebur128=framelog=info", "-f", "null", "-"], capture_output=True, text=True).stderr
    blocks = [float(m) for m in re.findall(r"M:\s*(\S+)", text.split("Summary:")[0])]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", text.split("Summary:")[1])[1])
    assert len(blocks) == 200
    assert abs(gated_loudness(blocks) - integrated) < 0.1
    assert gated_loudness([-120.0, float("-inf")]) is None


def test_a_meter_reading_of_no_loudness_is_kept_as_silence_and_as_json(tmp_path):
    """The meter logs -inf or nan over digital silence: kept as silence (under the gate), in
    JSON any reader takes (no bare NaN or Infinity)."""
    log = "\n".join(f"[ebur128@m @ 0x55] t: {t:<8} TARGET:-23 LUFS    M:{m:>6} S:-120.7     I: -70.0 LUFS"
                    for t, m in ((0.1, "-inf"), (0.2, "nan"), (0.3, "-20.5")))
    assert chunks.momentary(log, "m") == [(0.1, chunks.SILENT), (0.2, chunks.SILENT), (0.3, -20.5)]
    store = chunks.Parts(tmp_path)
    store.keep("level", {"a": 1}, [m for _, m in chunks.momentary(log, "m")])
    kept = next((tmp_path / "level").glob("*.json")).read_text()
    assert json.loads(kept, parse_constant=lambda name: pytest.fail(f"{name} in {kept}"))["value"][2] == -20.5
    assert store.recall("level", {"a": 1}) == [chunks.SILENT, chunks.SILENT, -20.5]


def test_the_joined_track_plays_as_one_encode_at_every_joint_in_sync_and_to_the_sample(tmp_path):
    """A steady looped bed across three chunks: the decoded track follows the bed laid in numpy
    (loop after loop) to within the codec's noise, as closely at each joint as anywhere, with no
    lag, and lasts the film to the sample."""
    t = np.arange(10 * SAMPLE_RATE) / SAMPLE_RATE   # whole cycles in 10 s: the loop is seamless
    loop = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 331 * t) + 0.05 * np.sin(2 * np.pi * 1250 * t)
    pad = tmp_path / "pad.wav"
    write_wav(pad, np.stack([loop, 0.8 * loop], axis=1))
    total = 70.0
    out = tmp_path / "mix.m4a"
    mix([Bed(pad, 0.0, total, gain=-10, fade_in=0, fade_out=0, loop=True)], [], total, out)
    audio = audio_samples(out)
    assert len(audio) == round(total * SAMPLE_RATE)               # exactly the film's length
    stem = np.round(np.clip(np.stack([loop, 0.8 * loop], axis=1), -1, 1) * 32767) / 32767
    ideal = np.tile(stem, (8, 1))[:len(audio)]
    gain = float(np.sum(audio[:, 0] * ideal[:, 0]) / np.sum(ideal[:, 0] ** 2))
    span = slice(SAMPLE_RATE, 60 * SAMPLE_RATE)

    def misfit(shift: int) -> float:
        shifted = np.roll(ideal[:, 0], shift)[span]
        fitted = shifted * np.dot(audio[span, 0], shifted) / np.dot(shifted, shifted)
        return float(np.sum((audio[span, 0] - fitted) ** 2))

    assert min(range(-4, 5), key=misfit) == 0                       # in sync to the sample
    error = audio - gain * ideal
    frames = np.sqrt((error[: len(error) // 1024 * 1024].reshape(-1, 2048) ** 2).mean(axis=1))
    signal = np.sqrt(((gain * ideal) ** 2).mean())
    inner = frames[20:-20]                                          # the declicks at the ends aside
    assert 20 * np.log10(np.median(inner) / signal) < -40           # the codec's noise, far under the music
    for joint in JOINTS:
        around = frames[joint // 1024 - 3: joint // 1024 + 3]
        assert around.max() < 3 * np.median(inner), (joint, around, np.median(inner))


@pytest.fixture
def film(tmp_path):
    """A 70 s film of three chunks: a line every 3 s, an effect at 20 s, no music (so the levels
    of a line's negation are exactly the line's)."""
    t = np.arange(round(0.8 * SAMPLE_RATE)) / SAMPLE_RATE
    word = 0.3 * np.sin(2 * np.pi * 300 * t) * np.sin(np.pi * t / 0.8)
    write_wav(tmp_path / "word.wav", word)
    write_wav(tmp_path / "drow.wav", -word)
    write_wav(tmp_path / "knock.wav", 0.5 * np.sin(2 * np.pi * 900 * t[:4800]))
    lines = [PlacedLine(tmp_path / "word.wav", 1.0 + 3.0 * i, 0.8) for i in range(23)]
    return lines, [Effect(tmp_path / "knock.wav", 20.0, 0.1)]


def test_an_edit_remakes_only_the_chunks_it_touches_and_gives_what_a_fresh_mix_gives(tmp_path, film):
    lines, effects = film
    parts = tmp_path / "parts"
    mix([], lines, 70.0, tmp_path / "first.m4a", MixSettings(), effects, parts=parts)
    first = made(parts)
    assert len(first) == 3

    # a line rewritten to the same length (at 40 s: the second chunk) moves nothing
    edited = [PlacedLine(tmp_path / "drow.wav", l.start, l.seconds) if l.start == 40.0 else l for l in lines]
    mix([], edited, 70.0, tmp_path / "edited.m4a", MixSettings(), effects, parts=parts)
    assert len(made(parts) - first) == 1

    # a line made longer at 61 s moves every sound after it: the chunks before it are kept
    before = made(parts)
    longer = [PlacedLine(l.path, l.start + 0.5, l.seconds) if l.start > 60 else l for l in edited]
    mix([], longer, 70.5, tmp_path / "longer.m4a", MixSettings(), effects, parts=parts)
    assert len(made(parts) - before) == 1                           # the third chunk
    fresh = tmp_path / "fresh.m4a"
    mix([], longer, 70.5, fresh, MixSettings(), effects)
    longer_audio = audio_samples(tmp_path / "longer.m4a")
    assert np.array_equal(longer_audio, audio_samples(fresh))   # two edits' reuse: what a fresh mix makes
    assert len(longer_audio) == round(70.5 * SAMPLE_RATE)

    def rms(start: float, end: float) -> float:
        return float(np.sqrt((longer_audio[round(start * SAMPLE_RATE):round(end * SAMPLE_RATE), 0] ** 2).mean()))

    assert rms(64.6, 65.2) > 0.05 and rms(64.0, 64.45) < 0.01       # the line from 64 s now starts at 64.5


def test_a_damaged_part_is_made_again(tmp_path, film):
    lines, effects = film
    lines = lines[:8]                                               # one chunk is enough
    parts = tmp_path / "parts"
    mix([], lines, 25.0, tmp_path / "first.m4a", MixSettings(), effects, parts=parts)
    chunk = sorted((parts / "aac").glob("*.aac"))[0]
    chunk.write_bytes(chunk.read_bytes()[:100])                     # cut short
    blocks = sorted((parts / "blocks").glob("*.json"))[0]
    blocks.write_text("garbage")
    mix([], lines, 25.0, tmp_path / "again.m4a", MixSettings(), effects, parts=parts)
    assert chunk.stat().st_size > 100
    assert np.array_equal(audio_samples(tmp_path / "again.m4a"), audio_samples(tmp_path / "first.m4a"))
