"""A line with no sentence end (thousands of words with no full stop, a run of letters with no
space) is handed to Piper in pieces of at most `LONGEST_SENTENCE` phonemes, since its model's
memory grows with the sentence (10,000 characters ran out of memory), and every written word
is still timed; a line of ordinary sentences is handed over whole, as it always was."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.audio import tts
from pipeline.audio.tts import Speaker, _cut, find_model
from pipeline.spec import Voice

CLAUSE = "the keeper climbed the long stairs, and counted every step while the storm beat at the glass "
FAST = Voice(rate=4.0)   # the same pieces in less audio: keeps the test quick


@pytest.fixture(scope="module")
def voice():
    speaker, model = Speaker(), find_model("joe", Path("."))
    return speaker, model, speaker._load(model)


@pytest.fixture
def handed(voice, monkeypatch):
    """What goes into Piper: the text of each `synthesize` call and the phonemes of each
    sentence its model is run on."""
    piper_voice = voice[2]
    seen = {"texts": [], "phonemes": []}
    synthesize, to_ids = piper_voice.synthesize, piper_voice.phonemes_to_ids

    def counted_synthesize(text, *args, **kwargs):
        seen["texts"].append(text)
        return synthesize(text, *args, **kwargs)

    def counted_ids(phonemes):
        seen["phonemes"].append(len(phonemes))
        return to_ids(phonemes)

    monkeypatch.setattr(piper_voice, "synthesize", counted_synthesize)
    monkeypatch.setattr(piper_voice, "phonemes_to_ids", counted_ids)
    return seen


def loud_seconds(samples: np.ndarray, rate: int) -> float:
    """How many 100 ms windows of `samples` are above -40 dBFS, in seconds."""
    block = rate // 10
    frames = samples[:len(samples) // block * block].astype(np.float64).reshape(-1, block)
    return float((10 * np.log10(np.square(frames).mean(axis=1) + 1e-12) > -40).sum() / 10)


def check_split(seen: dict, text: str) -> None:
    assert len(seen["texts"]) > 1
    assert max(map(len, seen["texts"])) <= tts.LONGEST_SENTENCE
    assert max(seen["phonemes"]) <= tts.LONGEST_SENTENCE
    assert "".join(seen["texts"]).replace(" ", "") == text.replace(" ", "")   # nothing left out


def test_a_long_sentence_with_no_full_stop_is_spoken_in_pieces_with_every_word_timed(voice, handed):
    speaker, model, _ = voice
    text = (CLAUSE * 33).strip()                          # about 3,000 characters, one sentence
    assert 2900 <= len(text) <= 3100 and not re.search(r"[.!?]", text)
    speech = speaker.synthesise(text, FAST, model)
    check_split(handed, text)

    words = speech.words
    assert len(words) == len(text.split())
    assert all(start < end for start, end in words)                         # every word spoken
    assert all(a[1] <= b[0] for a, b in zip(words, words[1:]))              # in order
    assert max(b[0] - a[1] for a, b in zip(words, words[1:])) < 1.0         # no word lost
    assert words[0][0] < 0.5 and speech.seconds - 0.5 < words[-1][1] <= speech.seconds

    one = speaker.synthesise(CLAUSE.strip(), FAST, model).seconds          # as long as the words need
    assert 0.8 * 33 * one <= speech.seconds <= 1.25 * 33 * one
    assert loud_seconds(speech.samples, speech.rate) >= 0.6 * speech.seconds


def test_a_run_of_letters_with_no_space_is_cut_between_letters(voice, handed):
    speaker, model, _ = voice
    text = "Ab" * 1000
    speech = speaker.synthesise(text, FAST, model)
    check_split(handed, text)

    assert len(speech.words) == 1
    start, end = speech.words[0]
    assert start < 0.5 and speech.seconds - 0.5 < end <= speech.seconds

    piece = len(handed["texts"][0])                       # every piece is as long as the first
    one = speaker.synthesise(text[:piece], FAST, model).seconds
    assert 0.8 * len(text) / piece * one <= speech.seconds <= 1.25 * len(text) / piece * one
    assert loud_seconds(speech.samples, speech.rate) >= 0.6 * speech.seconds


def test_ordinary_sentences_are_handed_over_whole_and_sound_as_before(voice, handed, monkeypatch):
    speaker, model, _ = voice
    text = "Tom, the Harriet is still out there. They can't see the rocks."
    speech = speaker.synthesise(text, Voice(), model)
    assert handed["texts"] == [text] and len(handed["phonemes"]) == 2

    monkeypatch.setattr(tts, "LONGEST_SENTENCE", 10 ** 9)
    unbounded = speaker.synthesise(text, Voice(), model)
    assert np.array_equal(speech.samples, unbounded.samples)
    assert speech.words == unbounded.words


def test_a_sentence_is_cut_at_its_best_breaks():
    fits = lambda piece: True   # noqa: E731
    clauses = "one two three four, five six seven; eight nine ten eleven twelve"
    assert _cut(clauses, 40, fits) == ["one two three four, five six seven;", "eight nine ten eleven twelve"]
    assert _cut("aaaa bbbb cccc dddd", 10, fits) == ["aaaa bbbb", "cccc dddd"]
    assert _cut("x" * 25, 10, fits) == ["x" * 10, "x" * 10, "x" * 5]
    assert _cut("e\u0301" * 6, 5, fits) == ["e\u0301e\u0301", "e\u0301e\u0301", "e\u0301e\u0301"]
    # a piece that still reads as too many phonemes is cut again, smaller
    assert _cut("aaaa bbbb cccc dddd", 20, lambda piece: len(piece) <= 9) == ["aaaa bbbb", "cccc dddd"]
