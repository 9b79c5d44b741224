"""Footage keeps its own sound: tiny films with real footage (ffmpeg-made video with tones)
built end to end, and the cut's audio decoded and measured as a listener would hear it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import audio_samples, solid_png, write_project
from pipeline.audio.ambient import write_wav
from pipeline.build import build, make_graph
from pipeline.cache import Cache
from pipeline.edit import ffmpeg
from pipeline.errors import FilmError
from pipeline.parse import load
from pipeline import measure
from pipeline.plan import make_plan

RATE = 48000
MINUS_16_DBFS = 10 ** (-16 / 20)
HEADER = """
    title_card: false
    speech: false
    fps: 24
    size: 64x36
    scenes:
      - shots:
"""


def footage(path: Path, seconds: float, sound: str | None, stereo: bool = False) -> Path:
    """A 64x36 24 fps video `seconds` long whose 48 kHz AAC sound (mono, or the same on both
    channels) is the ffmpeg expression `sound` in `t` (None: a video with no audio stream)."""
    args = ["-f", "lavfi", "-i", f"color=c=gray:s=64x36:r=24:d={seconds}"]
    if sound is not None:
        exprs = f"{sound}|{sound}" if stereo else sound
        args += ["-f", "lavfi", "-i", f"aevalsrc=exprs='{exprs}':s={RATE}:d={seconds}", "-c:a", "aac", "-b:a", "192k"]
    path.parent.mkdir(parents=True, exist_ok=True)
    ffmpeg.run([*args, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)])
    return path


def tone(hz: float, level: float = 0.3) -> str:
    return f"{level}*sin(2*PI*{hz}*t)"


def amplitude(audio: np.ndarray, start: float, end: float, hz: float) -> float:
    """Peak amplitude of the `hz` component of `audio` between `start` and `end` seconds
    (Hann-windowed, so neighbouring tones a hundred hertz away do not leak in)."""
    x = audio[round(start * RATE):round(end * RATE)]
    window = np.hanning(len(x))
    t = np.arange(len(x)) / RATE
    return float(2 * abs(np.sum(window * x * np.exp(-2j * np.pi * hz * t))) / np.sum(window))


def envelope(audio: np.ndarray, hop: float = 0.002) -> tuple[np.ndarray, np.ndarray]:
    """(times, RMS) over `hop`-second blocks: when the sound is on, and how loud."""
    n = round(hop * RATE)
    blocks = audio[: len(audio) // n * n].reshape(-1, n)
    return (np.arange(len(blocks)) + 0.5) * hop, np.sqrt(np.mean(blocks ** 2, axis=1))


def loudness(path: Path) -> float:
    """Integrated loudness (LUFS) as ffmpeg's EBU R128 meter reports it."""
    text = subprocess.run([ffmpeg.exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128",
                           "-f", "null", "-"], capture_output=True, text=True).stderr
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", text[text.rindex("Summary:"):])[1])


def k_weighting_gain(hz: float) -> float:
    """The BS.1770 K-weighting filter's amplitude gain at `hz` (its published 48 kHz biquads)."""
    z = np.exp(-2j * np.pi * hz / RATE) ** np.arange(3)      # 1, z^-1, z^-2 on the unit circle

    def biquad(b: list[float], a: list[float]) -> complex:
        return np.dot(b, z) / np.dot(a, z)

    shelf = biquad([1.53512485958697, -2.69169618940638, 1.19839281085285], [1.0, -1.69065929318241, 0.73248077421585])
    highpass = biquad([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])
    return float(abs(shelf * highpass))


def test_a_footage_tone_is_heard_at_its_level_and_the_cut_meets_the_loudness_target(tmp_path):
    # The case: a 440 Hz tone at -16 dBFS in the footage came out at -91 dB.
    folder = tmp_path / "tone"
    footage(folder / "tone.mp4", 2, tone(440, MINUS_16_DBFS), stereo=True)
    solid_png(folder / "black.png", (0, 0, 0))
    t = np.arange(2 * RATE) / RATE
    write_wav(folder / "tone.wav", (MINUS_16_DBFS * np.sin(2 * np.pi * 440 * t)).astype(np.float32))
    write_project(folder, HEADER + """
              - {id: a, footage: tone.mp4}
              - {id: b, image: black.png, duration: 2, sfx: [tone.wav]}
    """)
    cut = build(folder, renders=tmp_path / "renders").output
    audio = audio_samples(cut)[:, 0]
    in_footage, as_effect = amplitude(audio, 0.2, 1.8, 440), amplitude(audio, 2.2, 3.8, 440)
    # The same stereo tone as footage sound and as a sound effect at 0 dB: both at one level.
    assert abs(20 * np.log10(in_footage / as_effect)) < 0.5
    # Where a tone alone reaches the loudness target, computed from BS.1770: stereo channels of
    # amplitude A weigh in at -0.691 + 20 log10(A * K(440 Hz)) LUFS.
    expected = 10 ** ((-16 + 0.691) / 20) / k_weighting_gain(440)
    assert abs(20 * np.log10(in_footage / expected)) < 0.5
    assert abs(loudness(cut) - -16) <= 1.0


def test_gain_lowers_footage_sound_and_mute_or_off_silences_it(tmp_path):
    folder = tmp_path / "levels"
    footage(folder / "tone.mp4", 1, tone(440))
    write_project(folder, HEADER + """
              - {id: a, footage: tone.mp4}
              - {id: b, footage: tone.mp4, sound: {gain: -6}}
              - {id: c, footage: tone.mp4, sound: {mute: true}}
              - {id: d, footage: tone.mp4, sound: off}
    """)
    audio = audio_samples(build(folder, renders=tmp_path / "renders").output)[:, 0]
    a, b = amplitude(audio, 0.1, 0.9, 440), amplitude(audio, 1.1, 1.9, 440)
    assert abs(20 * np.log10(b / a) - -6) < 0.5
    # the muted shots have no tone (the ambience bed, some 35 dB down, plays under every shot)
    assert amplitude(audio, 2.05, 2.95, 440) < 0.001 * a
    assert amplitude(audio, 3.05, 3.95, 440) < 0.001 * a


def test_sound_starts_on_the_cut_from_the_in_point_and_stops_where_the_source_ends(tmp_path):
    # The source says 330 Hz for its first second, then 880 Hz, with a gap at 2.0-2.1 s.
    folder = tmp_path / "in"
    footage(folder / "silent.mp4", 0.5, None)      # no audio stream: no sound, no error
    footage(folder / "marked.mp4", 3, f"{tone('if(lt(t,1),330,880)')}*(1-between(t,2,2.1))")
    write_project(folder, HEADER + """
              - {id: quiet, footage: silent.mp4}
              - {id: marked, footage: {file: marked.mp4, in: 1}, duration: 2.5}
    """)
    audio = audio_samples(build(folder, renders=tmp_path / "renders").output)[:, 0]
    cut_in = 0.5            # the silent clip's whole length
    gap = cut_in + (2.0 - 1.0)   # source second 2.0, played from second 1.0 at the cut
    source_end = cut_in + (3.0 - 1.0)   # then the picture holds for 0.5 s, silent
    full = amplitude(audio, cut_in + 0.1, gap - 0.1, 880)
    # before the cut no tone (the ambience bed, some 35 dB down, plays under every shot)
    assert max(amplitude(audio, 0.0, cut_in - 0.02, hz) for hz in (330, 880)) < 0.01 * full
    assert full > 0.1
    assert amplitude(audio, cut_in + 0.1, gap - 0.1, 330) < 0.02 * full   # the first second is skipped
    times, level = envelope(audio)
    on = times[level > full / np.sqrt(2) / 2]     # above half the tone's RMS
    assert abs(on[0] - cut_in) < 0.015
    assert abs(on[-1] - source_end) < 0.015
    silent = times[(times > cut_in + 0.1) & (times < source_end - 0.1) & (level < full / np.sqrt(2) / 2)]
    assert abs(silent[0] - gap) < 0.015 and abs(silent[-1] - (gap + 0.1)) < 0.015
    assert amplitude(audio, source_end + 0.03, 3.0, 880) < 0.01 * full


def test_a_dissolve_cross_fades_two_footage_sounds_reading_the_handles(tmp_path):
    # Shot b starts at its source's 1.0 s; the dissolve shows it 0.5 s before its cut, so the
    # listener hears b's 550 Hz (source 0.5-1.0 s) rise under a, then its 660 Hz from the cut.
    folder = tmp_path / "dissolve"
    footage(folder / "a.mp4", 3, tone(440))
    footage(folder / "b.mp4", 3, tone("if(lt(t,1),550,660)"))
    write_project(folder, HEADER + """
              - {id: a, footage: a.mp4, duration: 2, transition: {name: dissolve, duration: 1}}
              - {id: b, footage: {file: b.mp4, in: 1}, duration: 2}
    """)
    cut = build(folder, renders=tmp_path / "renders").output
    audio = audio_samples(cut)[:, 0]
    a_full, b_full = amplitude(audio, 0.3, 1.4, 440), amplitude(audio, 2.7, 3.9, 660)
    assert a_full > 0.1 and b_full > 0.1
    # Before the dissolve (1.5-2.5 s) only a is heard.
    assert amplitude(audio, 0.3, 1.45, 550) < 0.02 * a_full
    assert amplitude(audio, 0.3, 1.45, 660) < 0.02 * a_full
    # At its midpoint, the cut at 2.0 s, each is at about half.
    assert 0.35 < amplitude(audio, 1.95, 2.05, 440) / a_full < 0.65
    assert 0.3 < amplitude(audio, 1.9, 2.0, 550) / b_full < 0.6      # b's handle, 0.4-0.5 of the way
    assert 0.4 < amplitude(audio, 2.0, 2.1, 660) / b_full < 0.7      # b from its in point, 0.5-0.6
    # b's handle is heard only before the cut, and a is gone once the dissolve ends.
    assert amplitude(audio, 2.1, 3.9, 550) < 0.02 * b_full
    assert amplitude(audio, 2.55, 3.9, 440) < 0.02 * b_full
    assert abs(loudness(cut) - -16) <= 1.0


def mix_key(folder: Path, shot: str) -> str:
    """The mix job's content key for a film of the one shot `shot` (a YAML flow mapping)."""
    write_project(folder, HEADER + f"          - {shot}\n")
    board = load(folder)
    plan = make_plan(board, footage=measure.footage_files(measure.check_media(board)))
    return make_graph(plan, Cache(folder / "cache")).job("mix").key


def test_the_mix_is_redone_when_footage_sound_changes(tmp_path):
    folder = tmp_path / "keys"
    footage(folder / "a.mp4", 2, tone(440))
    footage(folder / "b.mp4", 2, tone(660))
    base = mix_key(folder, "{id: a, footage: a.mp4, prompt: one}")
    assert mix_key(folder, "{id: a, footage: a.mp4, prompt: two}") == base   # a prompt is no sound
    changed = [mix_key(folder, shot) for shot in (
        "{id: a, footage: {file: a.mp4, in: 0.5}, prompt: one}",
        "{id: a, footage: a.mp4, sound: {gain: -3}, prompt: one}",
        "{id: a, footage: a.mp4, sound: off, prompt: one}",
    )]
    assert len({base, *changed}) == 4
    footage(folder / "a.mp4", 2, tone(550))     # the same file name, other sound
    assert mix_key(folder, "{id: a, footage: a.mp4, prompt: one}") != base


def test_sound_is_read_from_yaml_and_fountain_and_checked(tmp_path):
    folder = tmp_path / "read"
    (folder / "clip.mp4").parent.mkdir(parents=True)
    (folder / "clip.mp4").write_bytes(b"")       # reading checks only that the file is there
    write_project(folder, HEADER + """
              - {id: a, footage: clip.mp4, sound: {gain: -6}}
              - {id: b, footage: clip.mp4, sound: off}
              - {id: c, footage: clip.mp4, sound: {mute: true}}
              - {id: d, footage: clip.mp4}
    """)
    shots = {s.id: s for s in load(folder).shots}
    assert (shots["a"].sound.gain, shots["a"].sound.mute) == (-6.0, False)
    assert shots["b"].sound.mute and shots["c"].sound.mute and shots["d"].sound is None
    write_project(folder, "INT. ROOM - DAY\n\nRain on the window. [[footage: clip.mp4; sound: {gain: -3}]]\n\n"
                          "A door. [[footage: clip.mp4; sound: off]]\n", name="script.fountain")
    rain, door = load(folder / "script.fountain").shots
    assert rain.sound.gain == -3.0 and not rain.sound.mute and door.sound.mute

    write_project(folder, HEADER + """
              - {id: a, footage: clip.mp4, sound: {gain: loud, mutte: true}}
              - {id: b, prompt: a drawn shot, sound: {gain: -3}}
    """)
    with pytest.raises(FilmError) as raised:
        load(folder / "storyboard.yaml")
    found = "\n".join(map(str, raised.value.problems))
    # HEADER's shots list starts on line 8 (the text after it opens with a blank line).
    assert ":8: sound gain in dB must be a number, got 'loud'" in found
    assert ":8: unknown key 'mutte' in sound (did you mean 'mute'?)" in found
    assert ":9: shot 'b' has 'sound' but no footage" in found


def test_through_black_each_sound_fades_on_its_own_side_and_none_plays_before_the_file(tmp_path):
    from pipeline.audio.footage_sound import footage_sounds

    folder = tmp_path / "black"
    for name in ("a", "b", "c"):
        footage(folder / f"{name}.mp4", 3, tone(440))
    write_project(folder, HEADER + """
              - {id: a, footage: a.mp4, duration: 2, transition: {name: fade-black, duration: 1}}
              - {id: b, footage: b.mp4, duration: 2, transition: {name: dissolve, duration: 1}}
              - {id: c, footage: c.mp4, duration: 2}
    """)
    board = load(folder)
    plan = make_plan(board, footage=measure.footage_files(measure.check_media(board)))
    a, b, c = footage_sounds(plan, plan.starts())
    # a fades to silence over the half second before the cut at 2 s, as its picture fades to black
    assert (a.start, a.seconds, a.offset, a.fade_in, a.fade_out_at, a.fade_out) == pytest.approx((0, 2, 0, 0, 1.5, 0.5))
    # b rises from the cut over the half second after it, and cross-fades out over the dissolve
    # (3.5-4.5 s), reading its file past the cut at 4 s (the dissolve's tail handle).
    assert (b.start, b.seconds, b.offset, b.fade_in, b.fade_out_at, b.fade_out) == pytest.approx((2, 2.5, 0, 0.5, 1.5, 1))
    # c's picture holds its first frame before the cut at 4 s (its file starts there): its sound
    # starts at the cut, rising over the rest of the dissolve.
    assert (c.start, c.seconds, c.offset, c.fade_in, c.fade_out) == pytest.approx((4, 2, 0, 0.5, 0))
