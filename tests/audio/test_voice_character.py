"""Voices people can tell apart: a woman's voice measures as a woman's (pitch and formants), a
man's as a man's, the conversion keeps the line's length and word times, speech stays
intelligible, characters get a voice by their gender, and `film new` gives each part its own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from audio.test_voices import read_wav
from pipeline.audio import voices
from pipeline.audio.tts import Speaker, VoiceError, find_model
from pipeline.errors import StoryboardError
from pipeline.names import person
from pipeline.parse import load
from pipeline.spec import Voice

SENTENCE = "The light has not failed in forty years, and it will not fail tonight."


@pytest.fixture(scope="module")
def spoken(tmp_path_factory):
    """The sentence said by each preset: name -> (samples, rate, word times)."""
    folder = tmp_path_factory.mktemp("voices")
    speaker, model = Speaker(), find_model("joe", folder)
    out = {}
    for name in voices.PRESETS:
        path = folder / f"{name}.wav"
        words = speaker.speak(SENTENCE, Voice(preset=name), model, path)
        out[name] = (*read_wav(path), words, path)
    return out


def onset(samples: np.ndarray, rate: int) -> float:
    """When the sound first rises above -40 dBFS, in 10 ms blocks (as test_examples measures)."""
    block = rate // 100
    frames = len(samples) // block
    db = 10 * np.log10(np.square(samples[:frames * block].astype(np.float64)).reshape(frames, -1).mean(axis=1) + 1e-12)
    return float(np.flatnonzero(db > -40)[0] / 100)


def test_the_woman_measures_as_a_woman_and_the_man_as_a_man(spoken):
    man, rate = spoken["man"][:2]
    woman = spoken["woman"][0]
    _, voiced = voices.pitch_track(man, rate)          # compare formants on the same sounds
    his, hers = voices.measure(man, rate, voiced), voices.measure(woman, rate, voiced)
    assert 85 <= voices.measure(man, rate).f0 <= 155
    assert 165 <= voices.measure(woman, rate).f0 <= 255
    assert his.frames > 20 and hers.frames > 20
    for formant in (0, 1):                              # F1 and F2 at least 8% higher
        assert hers.mean_formants[formant] >= 1.08 * his.mean_formants[formant], (his, hers)


def test_every_preset_is_in_its_range(spoken):
    """Median pitch by gender and age, formants up for women and children, not for men."""
    man, rate = spoken["man"][:2]
    _, voiced = voices.pitch_track(man, rate)
    his = voices.measure(man, rate, voiced)
    for name, preset in voices.PRESETS.items():
        samples = spoken[name][0]
        pitch = voices.measure(samples, rate).f0
        low, high = {"male": {"adult": (85, 155), "old": (85, 155), "child": (190, 290)},
                     "female": {"adult": (165, 255), "old": (150, 230), "child": (200, 300)}}[preset.gender][preset.age]
        assert low <= pitch <= high, (name, pitch)
        formants = voices.measure(samples, rate, voiced).mean_formants
        ratio = (formants[0] / his.mean_formants[0] + formants[1] / his.mean_formants[1]) / 2
        if preset.gender == "female" or preset.age == "child":
            assert ratio >= 1.08, (name, ratio)
        else:
            assert 0.92 <= ratio <= 1.06, (name, ratio)


def test_conversion_keeps_the_length_and_the_word_times(spoken):
    man, rate, man_words, _ = spoken["man"]
    for name in ("woman", "girl"):
        samples, _, words, _ = spoken[name]
        assert abs(len(samples) - len(man)) <= 0.01 * len(man)
        assert words == man_words                      # the synthesiser's times, untouched
        assert abs(onset(samples, rate) - words[0][0]) <= 0.03, name
        assert words[-1][1] <= len(samples) / rate + 1e-3


def test_the_converted_voices_are_understood(spoken):
    """A listener's proxy: the bundled recogniser transcribes the woman and the girl as well
    as the man it was made from."""
    from pipeline.audio.asr import Recognizer, word_error_rate

    recognizer = Recognizer()
    for name in ("man", "woman", "girl", "old-woman"):
        heard = recognizer.transcribe(spoken[name][3]).text
        assert word_error_rate(SENTENCE, heard) <= 0.25, (name, heard)


def test_a_voice_jobs_words_match_its_audio(project, tmp_path):
    """Through a build's voice job: speech.wav and words.json agree (first word within 30 ms
    of where the sound starts), and the line lasts as long as in the man's voice."""
    from pipeline.build import prepare
    from pipeline.cache import Cache

    board = load(project("""
        cast:
          ELSIE: {look: "woman in a green coat"}
          TOM: {voice: man}
        scenes: [{shots: [{prompt: a, lines: [{ELSIE: "Tom, the Harriet is still out there."},
                                               {TOM: "Tom, the Harriet is still out there."}]}]}]
    """))
    assert board.character("ELSIE").voice.preset == "woman"
    _, results = prepare(board, Cache(tmp_path / "cache"))
    made = {}
    for result in results:
        folder = Path(result.output)
        words = json.loads((folder / "words.json").read_text(encoding="utf-8"))["words"]
        samples, rate = read_wav(folder / "speech.wav")
        assert abs(onset(samples, rate) - words[0][0]) <= 0.03
        made[result.id.split(":")[0]] = len(samples)
    assert abs(made["ELSIE"] - made["TOM"]) <= 0.01 * made["TOM"]


def test_characters_get_a_voice_by_their_gender_and_age():
    assert person("ELSIE", "woman in her sixties, grey braid") == ("female", "old")
    assert person("TOM", "old keeper, white beard") == ("male", "old")
    assert person("JUNE", "girl of twelve, red coat") == ("female", "child")
    assert person("MARY") == ("female", "adult") and person("JOHN") == ("male", "adult")
    assert person("WOMAN'S VOICE") == ("female", "adult") and person("MRS. BLOOM")[0] == "female"
    assert person("COP #2") == (None, "adult")
    assert voices.preset_for("JUNE", "girl of twelve") == "girl"
    assert voices.preset_for("NELL", "captain in her sixties") == "old-woman"
    assert voices.preset_for("ALEX", "young woman, green raincoat") == "woman"
    assert voices.preset_for("COP #2") == "man"


def test_a_storyboards_cast_speaks_by_gender_each_unlike_the_others(project):
    board = load(project("""
        cast:
          ELSIE: "woman in her thirties"
          TOM: {look: "keeper"}
          ANN: {voice: {rate: 1.1}}
          JIM: {}
          MEG: {voice: {preset: man}}
        scenes: [{shots: [{prompt: a, narration: hi}]}]
    """))
    cast = {c.name: c.voice for c in board.cast}
    assert cast["ELSIE"].preset == "woman" and (cast["ELSIE"].pitch, cast["ELSIE"].formant) == (0, 1)
    assert cast["TOM"].preset == "man" and cast["TOM"].pitch != 0        # the narrator is the plain man
    assert cast["ANN"].preset == "woman" and cast["ANN"].rate == 1.1
    assert cast["JIM"].preset == "man" and cast["JIM"].pitch not in (0, cast["TOM"].pitch)
    assert cast["MEG"].preset == "man" and cast["MEG"].pitch == 0       # as written
    sounds = {(v.preset, v.pitch, v.formant) for name, v in cast.items() if name != "ANN"}
    assert len(sounds) == 4


def test_film_new_gives_mary_and_john_voices_of_their_own(tmp_path):
    from pipeline.cli import main

    script = tmp_path / "tea.fountain"
    script.write_text("INT. KITCHEN - DAY\n\nMary pours.\n\nMARY\nMore tea, John?\n\nJOHN\nPlease.\n\n"
                      "SUSAN\nAnd me.\n", encoding="utf-8")
    assert main(["new", str(tmp_path / "tea"), "--from", str(script)]) == 0
    settings = yaml.safe_load((tmp_path / "tea" / "film.yaml").read_text(encoding="utf-8"))
    cast = {name: entry["voice"] for name, entry in settings["cast"].items()}
    assert cast["MARY"] == {"preset": "woman"} and cast["JOHN"]["preset"] == "man"
    assert cast["SUSAN"]["preset"] == "woman" and cast["SUSAN"] != cast["MARY"]
    board = load(tmp_path / "tea")
    voiced = {c.name: (c.voice.preset, c.voice.pitch, c.voice.formant) for c in board.cast}
    assert len(set(voiced.values())) == 3 and voiced["MARY"] == ("woman", 0, 1)


@pytest.mark.parametrize("voice, message", [
    ("{preset: wman}", "2: unknown voice preset 'wman' (did you mean 'woman'?); presets: man, woman, girl, boy, "
                       "old-man, old-woman"),
    ("{preset: woman, formant: 2}", "2: voice formant ratio must be at most 1.5, got 2"),
    ("{model: woman}", "2: 'woman' is a voice preset, not a model: write voice: {preset: woman}"),
    ("wman", "2: unknown voice 'wman' (did you mean 'woman'?); bundled voices: joe; presets: man, woman, girl, "
             "boy, old-man, old-woman; or give the path of a Piper .onnx model"),
])
def test_voice_mistakes_say_where_and_what_was_meant(project, voice, message):
    path = project(f"""
        cast:
          ANN: {{voice: {voice}}}
        scenes: [{{shots: [{{prompt: a, lines: [{{ANN: hi}}]}}]}}]
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:{message}"]


def test_presets_are_written_in_any_case(project):
    board = load(project("""
        narrator: {voice: Old Woman}
        cast:
          ANN: {voice: {preset: OLD_MAN, pitch: 1, formant: 1.1}}
        scenes: [{shots: [{prompt: a, lines: [{ANN: hi}]}]}]
    """))
    assert board.project.narrator.preset == "old-woman"
    ann = board.character("ANN").voice
    assert (ann.preset, ann.pitch, ann.formant) == ("old-man", 1, 1.1)
    change = voices.conversion(ann)
    assert change.pitch == pytest.approx(2 ** (2 / 12)) and change.formant == pytest.approx(0.98 * 1.1)
    with pytest.raises(VoiceError):
        find_model("woman", Path("."))


@pytest.mark.parametrize("voice, message", [
    ("{preset: girl, pitch: 99}", "2: voice pitch in semitones must be at most 24, got 99"),
    ("{pitch: -30}", "2: voice pitch in semitones must be at least -24, got -30"),
    ("{preset: girl, pitch: 12}", "2: voice pitch 12 with preset girl (+15.5) puts the voice +27.5 semitones from "
                                  "the bundled voice (about 490 Hz); voices stay between -12 and +24 (about 50-400 Hz), "
                                  "so pitch here must be between -24 and 8.5"),
    ("{pitch: -20}", "2: voice pitch -20 puts the voice -20 semitones from the bundled voice (about 31 Hz); voices "
                     "stay between -12 and +24 (about 50-400 Hz), so pitch here must be between -12 and 24"),
    ("{pitch: .nan}", "2: voice pitch in semitones must be a finite number, got nan"),
    ("{rate: 10}", "2: voice rate must be at most 4, got 10"),
    ("{rate: 0}", "2: voice rate must be at least 0.25, got 0"),
    ("{rate: .inf}", "2: voice rate must be a finite number, got inf"),
    ("5", "2: voice must be a preset name, a model name or a mapping (such as {preset: woman, pitch: 2}), got 5"),
    ("[woman]", "2: voice must be a preset name, a model name or a mapping (such as {preset: woman, pitch: 2}), "
                "got a list"),
    ("{speed: 2}", "2: unknown key 'speed' in voice (did you mean 'rate'?)"),
    ("{tempo: 2}", "2: unknown key 'tempo' in voice (did you mean 'rate'?)"),
    ("{tone: 2}", "2: unknown key 'tone' in voice (did you mean 'pitch'?)"),
])
def test_voice_numbers_and_shapes_a_voice_can_take(project, voice, message):
    path = project(f"""
        cast:
          ANN: {{voice: {voice}}}
        scenes: [{{shots: [{{prompt: a, lines: [{{ANN: hi}}]}}]}}]
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:{message}"]


def test_a_preset_and_a_pitch_within_reach_pass(project):
    board = load(project("""
        cast:
          ANN: {voice: {preset: girl, pitch: 8.5, rate: 1.5}}
          BOB: {voice: {preset: man, pitch: -12, rate: 0.25}}
        scenes: [{shots: [{prompt: a, lines: [{ANN: hi}, {BOB: hi}]}]}]
    """))
    assert board.character("ANN").voice.pitch == 8.5 and board.character("BOB").voice.rate == 0.25


def test_an_unknown_voice_is_reported_with_every_other_problem(project):
    """`voice: womn` (a model that is not there) comes in the same pass as the rest, not only
    once everything else is fixed."""
    path = project("""
        narrator: {voice: womn}
        cast:
          ANN: {voice: {preset: woman}}
        scenes: [{shots: [{prompt: a, camera: zoomin, lines: [{ANN: hi}]}]}]
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    found = [str(p) for p in caught.value.problems]
    assert found[0].startswith(f"{path}:1: unknown voice 'womn' (did you mean 'woman'?)"), found
    assert found[1].startswith(f"{path}:4: unknown camera move 'zoomin' (did you mean 'zoom-in'?)"), found
    assert len(found) == 2


def test_an_unknown_voice_in_a_sidecar_is_reported_with_the_screenplays_problems(tmp_path):
    (tmp_path / "tea.fountain").write_text("INT. KITCHEN - DAY\n\nJUNE\nTea?\n\n[[camera: zoomin]]\n",
                                           encoding="utf-8")
    (tmp_path / "film.yaml").write_text("fps: fast\ncast:\n  JUNE: {voice: gurl}\n", encoding="utf-8")
    with pytest.raises(StoryboardError) as caught:
        load(tmp_path / "tea.fountain")
    found = [str(p) for p in caught.value.problems]
    sidecar = tmp_path / "film.yaml"
    assert any(p.startswith(f"{sidecar}:1: fps must be a number") for p in found), found
    assert any(p.startswith(f"{sidecar}:3: unknown voice 'gurl' (did you mean 'girl'?)") for p in found), found


def test_an_unknown_voice_is_not_checked_when_the_film_has_no_speech(project):
    board = load(project("""
        speech: false
        narrator: {voice: womn}
        scenes: [{shots: [a]}]
    """))
    assert board.project.narrator.model == "womn"


def test_film_check_refuses_a_pitch_past_reach_with_exit_1(tmp_path):
    import subprocess
    import sys

    from conftest import write_project

    path = write_project(tmp_path / "f", """
        cast:
          ANN: {voice: {preset: girl, pitch: 99}}
        scenes: [{shots: [{prompt: a, lines: [{ANN: hi}]}]}]
    """)
    result = subprocess.run([sys.executable, "-m", "pipeline", "check", str(path.parent)], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"{path}:2: voice pitch in semitones must be at most 24, got 99"]
