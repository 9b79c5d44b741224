"""Speech recognition: words, word onsets that match the audio, both engines, `film transcribe`."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pysubs2
import pytest

from pipeline.audio.asr import (
    SAMPLE_RATE, Phrase, Recognizer, Word, refine_onsets, word_error_rate, word_times,
)
from pipeline.audio.tts import Speaker, find_model
from pipeline.cli import main
from pipeline.errors import FilmError
from pipeline.spec import Voice

LINE = "The lamp is lit. Keep it burning until morning."


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def speech_onsets(path: Path, threshold_db: float = -30.0) -> float:
    """Seconds until the first sound within `threshold_db` of the file's loudest 10 ms."""
    with wave.open(str(path), "rb") as handle:
        audio = np.frombuffer(handle.readframes(handle.getnframes()), np.int16).astype(float)
        rate = handle.getframerate()
    hop = rate // 100
    frames = audio[:len(audio) // hop * hop].reshape(-1, hop)
    db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-9)
    return float(np.argmax(db > db.max() + threshold_db)) / 100


@pytest.fixture(scope="module")
def line_after_silence(tmp_path_factory) -> tuple[Path, float]:
    """A Piper line with 1.5 s of room tone before it, and when its first word truly starts."""
    folder = tmp_path_factory.mktemp("asr")
    spoken = folder / "line.wav"
    Speaker().speak(LINE, Voice(), find_model("", folder), spoken)
    with wave.open(str(spoken), "rb") as handle:
        rate = handle.getframerate()
        voice = np.frombuffer(handle.readframes(handle.getnframes()), np.int16).astype(np.float32) / 32768
    tone = np.random.default_rng(1).normal(0, 0.002, int(1.5 * rate)).astype(np.float32)
    path = write_wav(folder / "padded.wav", np.concatenate([tone, voice, tone]), rate)
    return path, 1.5 + speech_onsets(spoken)


def test_recognised_words_and_their_onset(line_after_silence):
    path, onset = line_after_silence
    transcript = Recognizer().transcribe(path)
    assert word_error_rate(LINE, transcript.text) <= 0.1, transcript.text
    assert abs(transcript.words[0].start - onset) <= 0.05
    assert all(a.start <= b.start for a, b in zip(transcript.words, transcript.words[1:]))
    assert transcript.seconds == pytest.approx(3.0 + onset - 1.5 + 1.0, abs=2.0)


def burst_track() -> tuple[np.ndarray, list[float]]:
    """Quiet background with loud bursts ("words") starting at known times."""
    rng = np.random.default_rng(0)
    audio = rng.normal(0, 0.003, 6 * SAMPLE_RATE).astype(np.float32)
    starts = [1.0, 1.3, 3.2]
    for start, length in zip(starts, (0.25, 0.6, 0.5)):
        a = int(start * SAMPLE_RATE)
        audio[a:a + int(length * SAMPLE_RATE)] += rng.normal(0, 0.2, int(length * SAMPLE_RATE)).astype(np.float32)
    return audio, starts


def test_a_word_after_a_pause_moves_to_where_its_sound_starts():
    audio, (first, second, third) = burst_track()
    # As whisper may report them: the first word 0.3 s late, the third 0.35 s early,
    # the second running straight on from the first (so it keeps its time).
    phrases = (Phrase("one two.", 1.3, 1.9, (Word("one", 1.3, 1.45), Word("two.", 1.45, 1.9))),
               Phrase("three", 2.85, 3.7, (Word("three", 2.85, 3.7),)))
    refined = refine_onsets(phrases, audio)
    one, two = refined[0].words
    (three,) = refined[1].words
    assert abs(one.start - first) <= 0.02 and refined[0].start == one.start
    assert two.start == 1.45
    assert abs(three.start - third) <= 0.02
    # the second burst is not a pause away, so "two" was not pulled onto it either
    assert second != two.start


def test_a_first_word_placed_in_silence_starts_where_the_sound_does():
    audio, (first, _, _) = burst_track()
    refined = refine_onsets((Phrase("one", 0.0, 1.2, (Word("one", 0.0, 1.2),)),), audio)
    assert abs(refined[0].words[0].start - first) <= 0.02


def test_each_written_word_gets_the_time_it_is_heard():
    heard = [Word("In", 0.0, 0.2), Word("nineteen", 0.2, 0.6), Word("twenty-one,", 0.6, 1.0),
             Word("the", 1.1, 1.2), Word("lamp", 1.2, 1.5), Word("lit.", 1.6, 1.9)]
    times = word_times("In 1921, the *lamp* was lit.", heard)
    assert len(times) == 6
    assert times[0] == (0.0, 0.2)
    assert times[2] == (1.1, 1.2) and times[3] == (1.2, 1.5) and times[5] == (1.6, 1.9)
    assert 1.5 <= times[4][0] < times[4][1] <= 1.6            # "was" was not heard: it sits in the gap
    assert times[1][0] >= 0.2 and times[1][1] <= 1.1          # "1921," heard as two words between
    assert all(a[0] <= b[0] for a, b in zip(times, times[1:]))


def test_film_transcribe_writes_subtitles_at_the_words(line_after_silence, tmp_path, capsys):
    path, onset = line_after_silence
    assert main(["transcribe", str(path), "--out", str(tmp_path / "line")]) == 0
    srt = pysubs2.load(str(tmp_path / "line.srt"))
    vtt = pysubs2.load(str(tmp_path / "line.vtt"))
    said = " ".join(e.plaintext.replace("\n", " ") for e in srt)
    assert word_error_rate(LINE, said) <= 0.1, said
    assert abs(srt[0].start / 1000 - onset) <= 0.15
    assert [e.start for e in vtt] == [e.start for e in srt]


@pytest.mark.parametrize("kind", ["digital silence", "hiss at -60 dBFS", "steady hum at -30 dBFS"])
def test_film_transcribe_finds_no_speech_in_a_recording_without_any(kind, tmp_path, capsys):
    """Silence is measured, not asked of whisper (which "hears" "You" in 2 s of digital silence)."""
    rate, seconds = 16000, 2.0
    t = np.arange(int(rate * seconds)) / rate
    samples = {"digital silence": np.zeros_like(t),
               "hiss at -60 dBFS": np.random.default_rng(0).normal(0, 10 ** (-60 / 20), len(t)),
               "steady hum at -30 dBFS": np.sqrt(2) * 10 ** (-30 / 20) * np.sin(2 * np.pi * 120 * t)}[kind]
    path = write_wav(tmp_path / "quiet.wav", samples.astype(np.float32), rate)
    assert main(["transcribe", str(path)]) == 1
    assert capsys.readouterr().err.strip() == f"{path}: no speech found"
    assert not list(tmp_path.glob("quiet.srt")) and not list(tmp_path.glob("quiet.vtt"))


def test_words_heard_in_a_silent_stretch_are_dropped(line_after_silence, tmp_path):
    """Speech, then 3 s of digital silence: every word is where there is sound."""
    path, _ = line_after_silence
    with wave.open(str(path), "rb") as handle:
        rate = handle.getframerate()
        voice = np.frombuffer(handle.readframes(handle.getnframes()), np.int16).astype(np.float32) / 32768
    longer = write_wav(tmp_path / "then-silence.wav", np.concatenate([voice, np.zeros(3 * rate, np.float32)]), rate)
    transcript = Recognizer().transcribe(longer)
    assert word_error_rate(LINE, transcript.text) <= 0.1, transcript.text
    assert all(w.start < len(voice) / rate + 0.05 for w in transcript.words)


def test_an_unknown_engine_is_named(tmp_path, capsys):
    with pytest.raises(FilmError, match="did you mean 'openai-whisper'"):
        Recognizer(engine="openai-wisper")
    assert main(["transcribe", str(tmp_path / "nothing.wav")]) == 1
    assert "no such file" in capsys.readouterr().err


# ---------------------------------------------------------------- openai-whisper

def tiny_whisper_checkpoint(path: Path) -> Path:
    """A random-weight English-only whisper (2 MB), saved the way openai-whisper's own
    checkpoints are: {"dims": ..., "model_state_dict": ...}. No weights can be downloaded here."""
    torch = pytest.importorskip("torch")
    model_module = pytest.importorskip("whisper.model")
    torch.manual_seed(0)
    dims = model_module.ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=16, n_audio_head=2,
                                        n_audio_layer=1, n_vocab=51864, n_text_ctx=448, n_text_state=16,
                                        n_text_head=2, n_text_layer=1)
    model = model_module.Whisper(dims)
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def test_openai_whisper_loads_a_checkpoint_once_and_transcribes(line_after_silence, tmp_path):
    checkpoint = tiny_whisper_checkpoint(tmp_path / "tiny.pt")
    path, _ = line_after_silence
    recognizer = Recognizer(checkpoint, engine="openai-whisper")
    transcript = recognizer.transcribe(path)
    loaded = recognizer.load()
    assert recognizer.load() is loaded and loaded.dims.n_audio_state == 16
    # Random weights say nothing sensible, but the times must be real times in the audio.
    assert transcript.seconds == pytest.approx(Recognizer().transcribe(path).seconds)
    for word in transcript.words:
        assert 0.0 <= word.start <= word.end <= transcript.seconds + 0.01


def test_openai_whisper_rejects_what_is_not_a_checkpoint(tmp_path):
    pytest.importorskip("whisper")
    bogus = tmp_path / "voice.pt"
    bogus.write_bytes(b"not a checkpoint")
    with pytest.raises(FilmError, match="not an openai-whisper checkpoint"):
        Recognizer(bogus, engine="openai-whisper").load()
    with pytest.raises(FilmError, match="did you mean 'base.en'"):
        Recognizer("bse.en", engine="openai-whisper").load()
    with pytest.raises(FilmError, match="needs a model"):
        Recognizer(engine="openai-whisper")


def test_the_storyboard_names_its_recogniser_and_mistakes_are_located(tmp_path):
    from conftest import write_project
    from pipeline.parse import load
    from pipeline.errors import StoryboardError

    path = write_project(tmp_path, """
        recognizer: {engine: openai-wisper}
        scenes: [{shots: [{prompt: a, narration: hello}]}]
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:1: unknown speech recognition engine 'openai-wisper' (did you mean 'openai-whisper'?); "
        "one of: faster-whisper, openai-whisper"]
    write_project(tmp_path, """
        recognizer: {engine: openai-whisper, model: models/tiny.pt}
        scenes: [{shots: [{prompt: a, narration: hello}]}]
    """)
    with pytest.raises(StoryboardError, match=r":1: recognizer model 'models/tiny.pt' not found"):
        load(path)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "tiny.pt").write_bytes(b"checkpoint")
    board = load(path)
    assert board.project.recognizer.engine == "openai-whisper"
    assert board.project.recognizer.model == "models/tiny.pt"
