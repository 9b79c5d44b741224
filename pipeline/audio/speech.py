"""The film's speech as cached jobs: each line synthesised, each synthesised line's words
located by speech recognition, and a voice-over recording transcribed and sliced per shot.

`jobs` returns the jobs and a function that reads their results once they have run, as the
(speaker, text) → `Spoken` map that `plan.make_plan` times the shots with.
"""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..cache import Cache, Job, make_job
from ..edit.ffmpeg import FFmpegError, probe
from ..errors import StoryboardError
from ..plan import Spoken, spoken_lines
from ..spec import Storyboard, resolve_asset

ASR_VERSION = "2"  # 2: word onsets after pauses refined from the audio; a time per written word


def jobs(board: Storyboard, cache: Cache) -> tuple[list[Job], Callable[[], dict[tuple[str, str], Spoken]]]:
    """Every speech job of the film, and a function that collects their results after they ran."""
    voices = speech_jobs(board, cache)
    recognizer = recognition(board, cache)
    aligned = {key: alignment_job(cache, job, key[1], recognizer) for key, job in voices.items()}
    recording = transcript_job(board, cache, recognizer) if board.project.voiceover else None

    def collect() -> dict[tuple[str, str], Spoken]:
        spoken = {key: Spoken(job.output, wav_seconds(job.output), read_words(aligned[key].output))
                  for key, job in voices.items()}
        if recording is not None:
            spoken.update(narration_from_recording(board, recording))
        return spoken

    return [*voices.values(), *aligned.values(), *([recording] if recording else [])], collect


def speech_jobs(board: Storyboard, cache: Cache) -> dict[tuple[str, str], Job]:
    """A job per distinct (speaker, text) said in the film, keyed by the text and the voice."""
    from . import tts

    speaker = _speaker()
    jobs: dict[tuple[str, str], Job] = {}
    for shot in board.shots:
        for who, text, _ in spoken_lines(shot):
            if (who, text) in jobs or (who == "" and board.project.voiceover):
                continue
            voice = tts.voice_for(board, who)
            model = tts.find_model(voice.model, board.root)
            inputs = {"tts": tts.TTS_VERSION, "model": cache.digest(model.model), "text": tts.speakable(text),
                      "speaker": voice.speaker, "rate": voice.rate, "pitch": voice.pitch, "gain": voice.gain}
            jobs[(who, text)] = make_job(
                cache, "voice", f"{who or 'narrator'}: {text[:40]}", inputs,
                lambda out, text=text, voice=voice, model=model: speaker.speak(text, voice, model, out),
                suffix=".wav")
    return jobs


@lru_cache(maxsize=1)
def _speaker():
    """One Speaker per process, so each voice model loads once however many builds run."""
    from .tts import Speaker

    return Speaker()


@lru_cache(maxsize=4)
def _recognizer(engine: str, model: str | None):
    """One speech recogniser per engine and model per process (the model loads on first use)."""
    from .asr import Recognizer

    return Recognizer(model, engine)


@dataclass(frozen=True)
class ProjectRecognizer:
    """The project's speech recogniser: made on first use, and what its results depend on."""

    engine: str
    model: str | None
    identity: str

    def get(self):
        return _recognizer(self.engine, self.model)

    @property
    def key(self) -> dict[str, str]:
        return {"asr": ASR_VERSION, "engine": self.engine, "model": self.identity}


def recognition(board: Storyboard, cache: Cache) -> ProjectRecognizer:
    """The recogniser that `board.project.recognizer` names (default: the bundled tiny.en)."""
    setting = board.project.recognizer
    model = str(resolve_asset(board.root, setting.model)) if setting.model else None
    identity = cache.digest(Path(model)) if model and Path(model).is_file() else (model or "bundled tiny.en")
    return ProjectRecognizer(setting.engine, model, identity)


def wav_seconds(path: Path) -> float:
    """Length of a WAV file from its header."""
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def transcript_job(board: Storyboard, cache: Cache, recognizer: ProjectRecognizer) -> Job:
    """Recognise a voice-over recording once (cached by its content): words and their times."""
    voiceover = board.project.voiceover
    path = resolve_asset(board.root, voiceover.file)
    try:
        readable = probe(path).audio_codec is not None
    except FFmpegError:
        readable = False
    if not readable:
        raise StoryboardError([voiceover.loc.problem(f"voice-over '{voiceover.file}' is not a readable audio file")])

    def run(out: Path) -> None:
        transcript = recognizer.get().transcribe(path)
        out.write_text(json.dumps({"seconds": transcript.seconds,
                                   "words": [[w.text, round(w.start, 3), round(w.end, 3)] for w in transcript.words]}),
                       encoding="utf-8")

    return make_job(cache, "transcript", f"voice-over {voiceover.file}",
                    {"recording": cache.digest(path), **recognizer.key}, run, suffix=".json")


def narration_from_recording(board: Storyboard, recording: Job) -> dict[tuple[str, str], Spoken]:
    """Each shot's narration as its slice of the voice-over."""
    from .asr import Word
    from .voiceover import AlignmentError, align

    voiceover = board.project.voiceover
    path = resolve_asset(board.root, voiceover.file)
    data = json.loads(recording.output.read_text(encoding="utf-8"))
    heard = [Word(text, start, end) for text, start, end in data["words"]]
    narrations = [shot.narration for shot in board.shots if shot.narration]
    try:
        slices = align(narrations, heard, data["seconds"])
    except AlignmentError as error:
        raise StoryboardError([voiceover.loc.problem(f"voice-over '{voiceover.file}': {error}")]) from None
    return {("", text): Spoken(path, piece.end - piece.start, tuple((w.start, w.end) for w in piece.words),
                               offset=piece.start, recorded=True, text=piece.text)
            for text, piece in zip(narrations, slices)}


def alignment_job(cache: Cache, voice: Job, text: str, recognizer: ProjectRecognizer) -> Job:
    """When each written word of a synthesised line is spoken, recognised from its audio (JSON)."""
    def run(out: Path) -> None:
        from .asr import word_times

        transcript = recognizer.get().transcribe(voice.output)
        words = [list(pair) for pair in word_times(text, transcript.words)]
        out.write_text(json.dumps({"words": words, "text": transcript.text}), encoding="utf-8")

    return make_job(cache, "words", f"align {voice.id}", {"voice": voice.key, "text": text, **recognizer.key},
                    run, suffix=".json", deps=(voice.id,))


def read_words(path: Path) -> tuple[tuple[float, float], ...]:
    """(start, end) seconds of each recognised word, from an alignment job's output."""
    return tuple(tuple(pair) for pair in json.loads(path.read_text(encoding="utf-8"))["words"])
