"""A mix that sits right, measured on the built examples (EBU R128, ffmpeg's `ebur128`):

* the music sits under the speech: the passages where only music plays measure at least 10 LU
  under the passages with speech, which stay on the programme's loudness target;
* the cut is never digitally silent: an ambience bed (room tone, wind, sea, town) plays under
  every scene, so no 100 ms window anywhere is below -70 dBFS RMS. -70 is EBU R128's absolute
  gate, the level its meter treats as silence; the beds sit at -46 to -50 LUFS, 20 dB and more
  above it, and digital silence (or 16-bit dither, about -96 dBFS) is far below it;
* an effect is held to `EFFECT_CEILING` (+4 LU momentary) over the programme, so the mix around
  it stays within +5 LU momentary (EBU R 128 s1's limit for short-form content is +5 LU
  short-term, +8 LU momentary): the foghorn stands out, but not 8 LU out;
* a short film's credits take under 15% of it, never scrolling faster than they can be read.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from conftest import audio_samples, write_project
from pipeline.audio import ambient
from pipeline.audio.ambient import AMBIENCE_LOOP_SECONDS, AMBIENCE_RATE, AMBIENCES, ambience, ambience_for, write_wav
from pipeline.audio.footage_sound import ambience_on_cut
from pipeline.audio.mix import AMBIENCE_LEVEL, EFFECT_CEILING, Effect, PlacedLine, Room, mix
from pipeline.plan import Bed
from pipeline.build import build
from pipeline.edit import ffmpeg
from pipeline.plan.cards import CREDIT_MIN_ON_SCREEN, CREDIT_READING_CPS
from pipeline.spec import MixSettings

PROJECTS = Path(__file__).resolve().parents[2] / "projects"
FOUNTAIN_TESTS = Path("/work/shared/fountain/cases/nyousefi-Fountain/FountainTests")
RATE = 48000
SILENCE = -70.0       # dBFS RMS of a 100 ms window: EBU R128's absolute gate
UNDER = 10.0          # LU the music-only passages sit under the speech, at least
EFFECT_LIMIT = 5.0    # LU the mix may stand over the programme where an effect plays


# --- measuring -----------------------------------------------------------------------------------

def _meter(path: Path) -> str:
    return subprocess.run([ffmpeg.exe(), "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128",
                           "-f", "null", "-"], capture_output=True, text=True).stderr


def integrated(samples: np.ndarray, folder: Path) -> float:
    """Integrated loudness (LUFS) of stereo samples."""
    path = folder / "passage.wav"
    write_wav(path, samples)
    text = _meter(path)
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", text[text.rindex("Summary:"):])[1])


def momentary(path: Path) -> np.ndarray:
    """(time, momentary LUFS) every 100 ms, as the meter logs them (time: the window's end)."""
    rows = re.findall(r"t:\s*([\d.]+)\s+TARGET:\S+ LUFS\s+M:\s*(-?[\d.]+|-?inf)", _meter(path))
    return np.array([(float(t), float(m)) for t, m in rows])


def windows_db(audio: np.ndarray, ms: int = 100, rate: int = RATE) -> np.ndarray:
    """RMS (dBFS, both channels) of each whole `ms` window."""
    n = rate * ms // 1000
    k = len(audio) // n
    x = audio[:k * n].astype(np.float64).reshape(k, n, 2)
    return 10 * np.log10(np.mean(x ** 2, axis=(1, 2)) + 1e-30)


def speech_spans(plan) -> list[tuple[float, float]]:
    """(start, end) seconds of every line of speech as the plan places it on the cut."""
    fps = float(plan.fmt.fps)
    spans = []
    for shot, start in zip(plan.shots, plan.starts()):
        for line in shot.speech:
            frames = min(line.frames, shot.frames - line.start)
            if frames > 0:
                spans.append(((start + line.start) / fps, (start + line.start + frames) / fps))
    return spans


def effect_spans(plan) -> list[tuple[float, float, Path]]:
    """(start, end, file) of each sound effect: from its `at` to its shot's last frame (and the
    transition out of it)."""
    fps = float(plan.fmt.fps)
    return [((start + sfx.at) / fps, (start + shot.frames + shot.transition_frames) / fps, sfx.file)
            for shot, start in zip(plan.shots, plan.starts()) for sfx in shot.sfx]


def mask(length: int, spans, value: bool) -> np.ndarray:
    out = np.full(length, not value)
    for a, b, *_ in spans:
        out[max(round(a * RATE), 0):max(round(b * RATE), 0)] = value
    return out


def balance(result, folder: Path) -> tuple[float, float, float]:
    """(programme, speech passages, music-only passages) integrated loudness of a built film.
    Music-only: no speech (nor the music's duck into and out of it, `attack` before a line and
    `release` after it) and no sound effect."""
    plan = result.plan
    audio = audio_samples(result.output)
    settings = plan.mix
    speech = speech_spans(plan)
    ducked = [(a - settings.attack, b + settings.release) for a, b in speech]
    music_only = mask(len(audio), ducked, False) & mask(len(audio), effect_spans(plan), False)
    assert music_only.sum() > 5 * RATE   # enough pauses to measure
    return (integrated(audio, folder), integrated(audio[mask(len(audio), speech, True)], folder),
            integrated(audio[music_only], folder))


def assert_never_silent(path: Path) -> None:
    db = windows_db(audio_samples(path))
    quiet = np.flatnonzero(db < SILENCE)
    assert not len(quiet), f"{len(quiet)} windows under {SILENCE} dBFS, from {quiet[0] / 10:.1f} s (min {db.min():.1f})"


# --- the examples --------------------------------------------------------------------------------

@pytest.mark.parametrize("example", ["lighthouse", "lesson", "screenplay"])
def test_the_music_sits_well_under_the_speech_which_stays_on_target(example, request, tmp_path):
    result = request.getfixturevalue(example)
    target = result.plan.mix.loudness
    programme, speech, music = balance(result, tmp_path)
    assert music <= speech - UNDER, (programme, speech, music)
    assert abs(speech - target) <= 1.0, (programme, speech, music)
    assert abs(programme - target) <= 1.0, (programme, speech, music)


@pytest.mark.parametrize("example", ["lighthouse", "lesson", "screenplay"])
def test_no_digital_silence_anywhere_in_the_cut(example, request):
    assert_never_silent(request.getfixturevalue(example).output)


def test_the_foghorn_stands_out_but_within_the_limit(lighthouse):
    plan = lighthouse.plan
    programme = integrated(audio_samples(lighthouse.output), lighthouse.folder)
    curve = momentary(lighthouse.output)
    (start, end, _), = [span for span in effect_spans(plan) if span[2].name == "foghorn.wav"]
    during = curve[(curve[:, 0] >= start + 0.4) & (curve[:, 0] <= end + 0.4), 1]
    assert programme + 1.0 <= during.max() <= programme + EFFECT_LIMIT, (programme, during.max())


def test_a_short_films_credits_are_short_and_readable(lighthouse):
    plan = lighthouse.plan
    credits = plan.shots[-1]
    assert credits.kind == "credits"
    assert credits.frames < 0.15 * plan.total
    # each line is wholly on screen long enough to read it, at the film's full size
    from pipeline.generators.drawing.cards import credits_lines

    from pipeline.parse import load

    project = load(plan.source).project
    content, lines = credits_lines(project.width, project.height, credits.source.credits)
    seconds = credits.frames / float(plan.fmt.fps)
    for tall, text in lines:
        on_screen = seconds * (project.height - tall) / (content + project.height)
        assert on_screen >= max(CREDIT_MIN_ON_SCREEN, len(text) / CREDIT_READING_CPS) - 0.05, text


# --- a screenplay with no sidecar ----------------------------------------------------------------

SCRIPT = """Title: Quiet Hours
Author: Test

INT. KITCHEN - NIGHT

A kettle sits cold. The clock ticks on and on, and nobody moves for a long while, long enough to hear the house settle.

ANNA
Still up?

EXT. HARBOUR WALL - DAWN

Gulls wheel over the boats. The tide turns slowly and the ropes creak, and the light comes up over the water.

.ROOFTOP

BEN
Look at that.

EXT. OPEN FIELD - DAY

Grass bends in the wind.
"""


def test_a_screenplay_without_a_sidecar_is_never_silent(tmp_path):
    script = write_project(tmp_path / "quiet", SCRIPT, name="quiet.fountain")
    result = build(script, renders=tmp_path / "renders", preview=True)
    assert_never_silent(result.output)
    rooms = ambience_on_cut(result.plan, result.plan.starts())
    # room tone for the title, the kitchen and the credits; the sea at the harbour (and on the
    # rooftop, a slug line alone that keeps it), wind in the field
    assert [r.kind for r in rooms] == ["room", "sea", "wind", "room"]


def test_brick_and_steel_is_never_silent(tmp_path):
    source = FOUNTAIN_TESTS / "Brick And Steel.txt"
    if not source.exists():
        pytest.skip(f"{source} is not here (the shared Fountain test cases); the script above checks the same")
    script = tmp_path / "brick" / "brick-and-steel.fountain"
    script.parent.mkdir()
    shutil.copyfile(source, script)
    assert_never_silent(soundtrack(script, tmp_path / "renders"))


def soundtrack(target: Path, renders: Path) -> Path:
    """Build only a film's soundtrack (its speech, music and mix jobs, no pictures): the very
    track `final.mp4` carries (the cut copies it), in a fraction of the time of a whole build."""
    from pipeline.build import execute, make_graph, prepare
    from pipeline.cache import Cache
    from pipeline.parse import load

    board = load(target)
    cache = Cache(renders / board.name / "cache")
    plan, _ = prepare(board, cache, preview=True)
    jobs = make_graph(plan, cache).jobs
    (soundtrack,) = [job for job in jobs if job.kind == "mix"]
    execute([job for job in jobs if job.id in soundtrack.deps] + [soundtrack], cache)
    return soundtrack.output


# --- the mix, on its own -------------------------------------------------------------------------

def pad(tmp_path: Path, level: float, seconds: float = 12.0) -> Path:
    path = tmp_path / f"pad{level}.wav"
    write_wav(path, ambient.ambient_pad(seconds, seed=1) * 10 ** (level / 20))
    return path


def tone(tmp_path: Path, seconds: float, hz: float, level: float) -> Path:
    t = np.arange(round(seconds * RATE)) / RATE
    path = tmp_path / f"tone{hz}-{level}.wav"
    write_wav(path, (level * np.sin(2 * np.pi * hz * t)).astype(np.float32))
    return path


def test_a_beds_gain_is_its_level_under_the_speech_whatever_the_files_level(tmp_path):
    line = PlacedLine(tone(tmp_path, 3.0, 300, 0.3), 5.0, 3.0)
    levels = []
    for file_level in (0.0, -20.0):   # a loud and a quiet file, the same gain
        bed = Bed(pad(tmp_path, file_level), 0.0, 10.0, gain=-14, fade_in=0, fade_out=0, loop=True)
        out = tmp_path / f"mix{file_level}.m4a"
        mix([bed], [line], 10.0, out, MixSettings())
        audio = audio_samples(out)
        music, speech = integrated(audio[:4 * RATE], tmp_path), integrated(audio[5 * RATE:8 * RATE], tmp_path)
        assert abs(speech - -16.0) <= 1.5   # on target, lifted a little by the final gain (`SPEECH_LIFT`)
        levels.append(music)
    assert abs(levels[0] - levels[1]) <= 0.5
    assert abs(levels[0] - (-16.0 - 14.0)) <= 1.5


def test_a_loud_effect_is_held_under_the_ceiling(tmp_path):
    line = PlacedLine(tone(tmp_path, 4.0, 300, 0.1), 0.5, 4.0)
    horn = Effect(tone(tmp_path, 1.5, 150, 0.9), 6.0, 1.5, gain=12.0)   # far too loud as written
    out = tmp_path / "mix.m4a"
    mix([], [line], 9.0, out, MixSettings(), effects=[horn])
    curve = momentary(out)
    during = curve[(curve[:, 0] >= 6.4) & (curve[:, 0] <= 7.6), 1]
    # pulled down to the ceiling (the final gain, bringing a programme this loud effect lifts back
    # to the target, may lower it a little more), still well over the speech
    assert -16.0 + EFFECT_CEILING - 2.0 <= during.max() <= -16.0 + EFFECT_CEILING + 0.5


def test_ambience_fills_the_gaps_at_its_level_and_crossfades_without_a_dip(tmp_path):
    line = PlacedLine(tone(tmp_path, 2.0, 300, 0.3), 1.0, 2.0)
    # the sea for a whole loop, so its waves average out
    sea_seconds = 0.4 + AMBIENCE_LOOP_SECONDS
    rooms = [Room("room", 0.0, 5.2, fade_out=0.4, seed=3),
             Room("sea", 4.8, sea_seconds, fade_in=0.4, offset=7.0, seed=3)]
    out = tmp_path / "mix.m4a"
    mix([], [line], 4.8 + sea_seconds, out, MixSettings(), rooms=rooms)
    audio = audio_samples(out)
    db = windows_db(audio)
    assert db.min() > SILENCE
    room, sea = integrated(audio[round(3.5 * RATE):round(4.7 * RATE)], tmp_path), integrated(audio[round(5.2 * RATE):], tmp_path)
    assert abs(room - (-16 + AMBIENCE_LEVEL["room"])) <= 1.5
    assert abs(sea - (-16 + AMBIENCE_LEVEL["sea"])) <= 1.0
    # equal-power: the level through the cross-fade stays between the two beds' levels
    across = db[47:53]
    assert across.min() >= min(db[40:47].min(), db[53:60].min()) - 1.5


def test_a_mix_of_nothing_but_silence_stays_silent_without_ambience(tmp_path):
    out = tmp_path / "mix.m4a"
    mix([], [PlacedLine(tone(tmp_path, 1.0, 300, 0.0), 0.5, 1.0)], 2.0, out)
    assert np.abs(audio_samples(out)).max() == 0.0


# --- the beds ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", AMBIENCES)
def test_an_ambience_loop_is_steady_seamless_and_seeded(kind):
    loop = ambience(kind, seed=5)
    assert loop.shape == (AMBIENCE_LOOP_SECONDS * AMBIENCE_RATE, 2) and loop.dtype == np.float32
    assert 0.45 <= np.abs(loop).max() <= 0.5
    assert np.array_equal(loop, ambience(kind, seed=5)) and not np.array_equal(loop, ambience(kind, seed=6))
    db = windows_db(loop, rate=AMBIENCE_RATE)
    assert db.max() - db.min() < 14   # it moves (gusts, waves), never drops out
    # tiles: the jump from the loop's end to its start is no bigger than between neighbours
    step = np.abs(np.diff(loop, axis=0)).max()
    assert np.abs(loop[0] - loop[-1]).max() <= step
    left, right = loop[:, 0].astype(np.float64), loop[:, 1].astype(np.float64)
    assert 0.1 < np.corrcoef(left, right)[0, 1] < 0.7   # wide, with no hole in the middle


def test_the_heading_chooses_the_bed():
    assert ambience_for("INT", "LAMP ROOM") == "room"
    assert ambience_for("EXT", "GULL POINT HEADLAND") == "sea"
    assert ambience_for("EXT", "HARROW PIER") == "sea"
    assert ambience_for("INT/EXT", "FERRY DECK") == "sea"
    assert ambience_for("EXT", "MAIN STREET") == "town"
    assert ambience_for("EXT", "BRICK'S PATIO") == "wind"
    assert ambience_for("", "OVERVIEW") is None
    with pytest.raises(ValueError, match="valid ambiences"):
        ambience("forest")
