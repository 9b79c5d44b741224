"""The mix with real ffmpeg: loudness on target (measured), music ducked under speech, footage
sound on its own bus, neither ducked nor ducking."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np

from conftest import audio_samples
from pipeline.audio.ambient import ambient_pad, write_wav
from pipeline.audio.mix import FootageSound, PlacedLine, duck_gain, duck_track, mix
from pipeline.plan import Bed
from pipeline.edit import ffmpeg
from pipeline.spec import MixSettings


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg's EBU R128 meter reports them."""
    text = subprocess.run([ffmpeg.exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                           "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = text[text.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+) dBFS", summary)[1])
    return integrated, peak


def music(tmp_path: Path, seconds: float = 12.0) -> Path:
    path = tmp_path / "pad.wav"
    write_wav(path, ambient_pad(seconds, seed=1))
    return path


def tone(tmp_path: Path, seconds: float, level: float = 0.5) -> Path:
    """A stand-in for a line of speech: a 300 Hz tone (the test needs a known signal, not words)."""
    t = np.arange(round(seconds * 48000)) / 48000
    path = tmp_path / f"tone{level}.wav"
    write_wav(path, (level * np.sin(2 * np.pi * 300 * t)).astype(np.float32))
    return path


def test_the_mix_meets_the_loudness_target(tmp_path):
    bed = Bed(music(tmp_path), 0.0, 10.0, gain=-20, fade_in=1, fade_out=1, loop=True)
    line = PlacedLine(tone(tmp_path, 3.0), 3.0, 3.0)
    for target in (-16.0, -23.0):
        out = tmp_path / f"mix{target}.m4a"
        mix([bed], [line], 10.0, out, MixSettings(loudness=target, true_peak=-1.0))
        integrated, peak = loudness(out)
        assert abs(integrated - target) <= 1.0
        assert peak <= -1.0
        assert abs(len(audio_samples(out)) / 48000 - 10.0) < 0.001


def test_music_ducks_at_least_8_db_under_speech(tmp_path):
    pad = music(tmp_path)
    bed = Bed(pad, 0.0, 10.0, gain=-6, fade_in=0, fade_out=0, loop=True)
    silent_line = PlacedLine(tone(tmp_path, 3.0, level=0.0), 4.0, 3.0)   # speech that adds no sound of its own

    def rms_db(samples, start, end):
        window = samples[round(start * 48000):round(end * 48000)]
        return 10 * np.log10(np.mean(window ** 2))

    plain, ducked = tmp_path / "plain.m4a", tmp_path / "ducked.m4a"
    mix([bed], [], 10.0, plain)
    mix([bed], [silent_line], 10.0, ducked)
    a, b = audio_samples(plain), audio_samples(ducked)
    # Loudness normalisation scales each mix as a whole; compare under speech against before it.
    drop_plain = rms_db(a, 4.5, 6.5) - rms_db(a, 1.0, 3.0)
    drop_ducked = rms_db(b, 4.5, 6.5) - rms_db(b, 1.0, 3.0)
    assert drop_plain - drop_ducked >= 8.0


def test_the_ducking_ramps_and_merges_into_one_gain_track():
    settings = MixSettings(duck=-12, attack=0.2, release=0.5)
    assert (duck_track([], settings, 1.0) == 1.0).all()
    # two lines closer than attack + release duck as one
    speech = [(1.0, 2.0), (2.4, 3.0), (8.0, 9.0)]

    def value(t: float) -> float:
        return duck_gain(speech, settings, t)

    assert abs(value(0.0) - 1.0) < 1e-6
    assert abs(20 * np.log10(value(1.5)) + 12) < 0.01
    assert abs(20 * np.log10(value(2.2)) + 12) < 0.01      # held between the merged lines
    assert 10 ** (-12 / 20) < value(3.25) < 1.0             # releasing
    assert abs(value(5.0) - 1.0) < 1e-6
    # the gain track: the same gain every 1/200 s, ramps and holds, 1 elsewhere
    track = duck_track(speech, settings, 10.0)
    assert len(track) == 10 * 200 + 2
    assert all(abs(track[i] - value(i / 200)) < 1e-5 for i in range(len(track)))
    # a thousand lines: one pass over each span's own samples (a second here, not minutes)
    many = [(2.0 * i, 2.0 * i + 1.0) for i in range(1000)]
    long = duck_track(many, MixSettings(duck=-12, attack=0.1, release=0.1), 2001.0)
    assert abs(20 * np.log10(long[round(1998.5 * 200)]) + 12) < 0.01 and long[round(1999.55 * 200)] == 1.0


def test_sound_effects_play_on_their_shot_and_crossfade_at_a_dissolve(tmp_path):
    from conftest import solid_png, write_project
    from pipeline.build import build

    folder = tmp_path / "sfx"
    solid_png(folder / "black.png", (0, 0, 0))
    t = np.arange(5 * 48000) / 48000
    write_wav(folder / "hum.wav", (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))
    write_wav(folder / "bell.wav", (0.3 * np.sin(2 * np.pi * 880 * t[:48000])).astype(np.float32))
    write_project(folder, """
        title_card: false
        speech: false
        fps: 24
        size: 64x36
        scenes:
          - shots:
              - {id: a, image: black.png, duration: 2, sfx: [{file: hum.wav, at: 0.5}],
                 transition: {name: dissolve, duration: 1}}
              - {id: b, image: black.png, duration: 2, sfx: [{file: bell.wav, at: 1.0, gain: -6}]}
              - {id: c, image: black.png, duration: 1}
    """)
    audio = audio_samples(build(folder, renders=tmp_path / "renders").output)[:, 0]

    def level(start, end, hz):
        """Amplitude of the `hz` tone (Hann-windowed, so the ambience bed under every shot,
        broadband noise some 35 dB down, hardly counts)."""
        window = audio[round(start * 48000):round(end * 48000)]
        taper = np.hanning(len(window))
        t = np.arange(len(window)) / 48000
        return 2 * abs(np.sum(taper * window * np.exp(-2j * np.pi * hz * t))) / taper.sum()

    assert level(0.0, 0.45, 220) < 0.01 * level(0.6, 1.4, 220)     # the hum starts at 0.5 s
    full = level(0.6, 1.4, 220)
    assert 0.2 * full < level(1.9, 2.1, 220) < 0.8 * full          # half faded at the cut
    assert level(2.55, 2.95, 220) < 0.01 * full                     # gone once shot a's picture is
    assert level(2.55, 2.95, 880) < 0.01 * level(3.05, 3.9, 880)   # the bell rings at b's 1.0 s
    assert level(4.05, 5.0, 880) < 0.01 * level(3.05, 3.9, 880)    # and stops at the hard cut into c


def test_footage_sound_is_not_ducked_under_speech_and_does_not_duck_the_music(tmp_path):
    # Footage sound is production sound of unknown content: the writer sets its level (`sound:
    # {gain}`) and the music's; the mix neither lowers it under speech nor lowers music under it.
    t = np.arange(8 * 48000) / 48000
    hum, scene = tmp_path / "hum.wav", tmp_path / "scene.wav"
    write_wav(hum, (0.2 * np.sin(2 * np.pi * 200 * t)).astype(np.float32))
    write_wav(scene, (0.2 * np.sin(2 * np.pi * 880 * t)).astype(np.float32))
    bed = Bed(hum, 0.0, 6.0, gain=0, fade_in=0, fade_out=0, loop=False)
    silent_line = PlacedLine(tone(tmp_path, 1.0, level=0.0), 3.0, 1.0)   # speech that adds no sound of its own
    recorded = FootageSound(scene, start=1.0, seconds=4.0, offset=2.0)
    out = tmp_path / "mix.m4a"
    mix([bed], [silent_line], 6.0, out, footage=[recorded])
    audio = audio_samples(out)[:, 0]

    def level(start, end, hz):
        """dB of the `hz` component's amplitude (Hann-windowed, whatever the window's length)."""
        window = audio[round(start * 48000):round(end * 48000)]
        taper = np.hanning(len(window))
        t = np.arange(len(window)) / 48000
        return 20 * np.log10(2 * abs(np.sum(taper * window * np.exp(-2j * np.pi * hz * t))) / taper.sum())

    assert level(0.2, 0.8, 880) < level(1.5, 2.5, 880) - 40          # the footage sound starts at 1 s
    assert abs(level(1.2, 2.4, 200) - level(0.2, 0.8, 200)) < 0.5     # music as loud under it as before
    assert level(3.3, 3.8, 200) < level(1.2, 2.4, 200) - 8            # music ducks under the speech
    assert abs(level(3.3, 3.8, 880) - level(1.5, 2.0, 880)) < 0.5     # the footage sound does not


def test_a_late_bed_and_a_late_effect_are_heard_however_the_jobs_around_the_mix_run(tmp_path):
    """A bed and an effect that end early and ones that start late: the late ones play to the
    end in every mix, made several at once (as a build makes the mix while it encodes). amix
    once read an input that had not yet delivered a frame as ended when the first ended, now
    and then: the late bed then went silent. Every input of a mix now lasts the whole chunk."""
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.audio.mix import Effect

    early = Bed(music(tmp_path, 3.0), 0.5, 2.0, gain=-10, fade_in=0, fade_out=0, loop=False)
    later = tmp_path / "later.wav"
    write_wav(later, ambient_pad(4.0, seed=2))
    late = Bed(later, 3.5, 3.0, gain=-10, fade_in=0, fade_out=0, loop=False)
    line = PlacedLine(tone(tmp_path, 1.0), 1.0, 1.0)
    beep = tmp_path / "beep.wav"
    write_wav(beep, 0.3 * np.sin(2 * np.pi * 2000 * np.arange(48000) / 48000))
    effects = [Effect(beep, 0.2, 0.5), Effect(beep, 5.5, 1.0)]

    def made(n: int) -> np.ndarray:
        out = tmp_path / f"mix{n}.m4a"
        mix([early, late], [line], 7.0, out, MixSettings(), effects)
        return audio_samples(out)

    with ThreadPoolExecutor(8) as pool:
        mixes = list(pool.map(made, range(8)))
    for samples in mixes:
        tail = samples[round(4.0 * 48000):round(5.4 * 48000)]
        assert 20 * np.log10(np.sqrt((tail ** 2).mean())) > -45   # the late bed plays to 6.5 s
        beeped = samples[round(5.6 * 48000):round(6.4 * 48000), 0]
        taper = np.hanning(len(beeped))
        k = np.arange(len(beeped)) / 48000
        assert 2 * abs(np.sum(taper * beeped * np.exp(-4000j * np.pi * k))) / taper.sum() > 0.01   # the late effect
        assert np.array_equal(samples, mixes[0])


def test_two_hundred_lines_mix_and_the_music_ducks_under_the_last_of_them(tmp_path):
    """Many separate lines (a feature has a thousand; two hundred is twice as many as once broke
    it): the dialogue is mixed in passages and the ducking sent as commands (an expression
    with a term per line failed from 96 lines on)."""
    t = np.arange(round(64 * 48000)) / 48000
    hum = tmp_path / "hum.wav"
    write_wav(hum, (0.2 * np.sin(2 * np.pi * 200 * t)).astype(np.float32))
    word = tmp_path / "word.wav"
    write_wav(word, (0.3 * np.sin(2 * np.pi * 1000 * t[:round(0.12 * 48000)])).astype(np.float32))
    lines = [PlacedLine(word, 1.0 + 0.3 * i, 0.12) for i in range(200)]     # a word every 0.3 s
    bed = Bed(hum, 0.0, 62.0, gain=-6, fade_in=0, fade_out=0, loop=False)
    out = tmp_path / "long.m4a"
    mix([bed], lines, 62.0, out, MixSettings(duck=-12, attack=0.04, release=0.05))
    audio = audio_samples(out)[:, 0]
    assert abs(len(audio) / 48000 - 62.0) < 0.001

    def level(start: float, end: float, hz: float) -> float:
        window = audio[round(start * 48000):round(end * 48000)]
        taper = np.hanning(len(window))
        k = np.arange(len(window)) / 48000
        return 2 * abs(np.sum(taper * window * np.exp(-2j * np.pi * hz * k))) / taper.sum()

    for i in (0, 100, 199):                       # the first, a middle and the last line
        start = 1.0 + 0.3 * i
        assert level(start + 0.02, start + 0.1, 1000) > 0.01                 # the line is heard
        under, between = level(start + 0.02, start + 0.1, 200), level(start + 0.19, start + 0.28, 200)
        assert 20 * np.log10(between / under) > 9, (i, under, between)       # ducked ~12 dB under it
