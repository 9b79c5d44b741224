"""The film's speech as cached jobs: each line synthesised (with when its words are spoken,
from the synthesiser's own alignments), and a voice-over recording transcribed and sliced per
shot. Recognition is for recordings only: a synthesised line's word times are exact.

`jobs` returns the jobs and a function that reads their results once they have run, as the
(speaker, text) → `Spoken` map that `plan.make_plan` times the shots with.
"""

from __future__ import annotations

import json
import re
import wave
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..cache import Cache, Job, make_job
from ..edit.ffmpeg import FFmpegError, probe
from ..errors import StoryboardError
from ..plan import Spoken, spoken_lines, words as count_words
from ..spec import Storyboard, resolve_asset

ASR_VERSION = "3"  # 3: words in silence dropped; each word's confidence kept
VOICE_AUDIO = "speech.wav"
VOICE_WORDS = "words.json"


def jobs(board: Storyboard, cache: Cache) -> tuple[list[Job], Callable[[], dict[tuple[str, str], Spoken]]]:
    """Every speech job of the film, and a function that collects their results after they ran."""
    voices = speech_jobs(board, cache)
    recording = transcript_job(board, cache, recognition(board, cache)) if board.project.voiceover else None

    def collect() -> dict[tuple[str, str], Spoken]:
        spoken = {key: read_voice(job.output) for key, job in voices.items()}
        for key, job in voices.items():
            cache.remember_timing(job.key, spoken[key].seconds, [list(w) for w in spoken[key].words])
        if recording is not None:
            spoken.update(narration_from_recording(board, recording))
        return spoken

    return [*voices.values(), *([recording] if recording else [])], collect


# The bundled voice at rate 1, fitted on the examples' 26 lines (mean error 0.35 s a line): a
# line takes 0.11 s, each word 0.30 s (about 200 words a minute), each further sentence 0.35 s.
ESTIMATED_LINE_SECONDS = 0.11
ESTIMATED_WORD_SECONDS = 0.30
ESTIMATED_SENTENCE_SECONDS = 0.35


def spoken_without_synthesis(board: Storyboard, cache: Cache) -> dict[tuple[str, str], Spoken]:
    """What is said in the film, without making any audio (for `film check` and `film plan`):
    lines already synthesised as they are (from the cache), the rest estimated from their
    words at their voice's rate (`Spoken.estimated`). A voice-over not yet transcribed shares
    its recording's length out between the narrations by their words. Reads only."""
    spoken: dict[tuple[str, str], Spoken] = {}
    for key, job in speech_jobs(board, cache).items():
        if not cache.damage(job.output):
            try:
                spoken[key] = read_voice(job.output)
                continue
            except (OSError, ValueError, KeyError, wave.Error):
                pass   # a damaged cache entry: the build will redo it
        made = cache.timing(job.key)
        if made is not None:   # made here before and gone since: it will be made the same again
            seconds, words = made
            spoken[key] = Spoken(job.output / VOICE_AUDIO, seconds, tuple((float(a), float(b)) for a, b in words))
            continue
        said, rate = job.inputs["text"], job.inputs["rate"] or 1.0   # what the voice says, and how fast
        sentences = max(len(re.findall(r"[.!?]+(?:\s|$)", said)), 1)
        seconds = (ESTIMATED_LINE_SECONDS + count_words(said) * ESTIMATED_WORD_SECONDS
                   + (sentences - 1) * ESTIMATED_SENTENCE_SECONDS) / rate
        spoken[key] = Spoken(job.output / VOICE_AUDIO, seconds, (), estimated=True)
    if board.project.voiceover:
        spoken.update(_narration_estimated(board, cache))
    return spoken


def _narration_estimated(board: Storyboard, cache: Cache) -> dict[tuple[str, str], Spoken]:
    """Each narration's slice of the voice-over: as transcribed if it was, else its share of
    the recording by words."""
    recording = transcript_job(board, cache, recognition(board, cache))
    if not cache.damage(recording.output):
        return narration_from_recording(board, recording)
    path = resolve_asset(board.root, board.project.voiceover.file)
    seconds = probe(path).duration or 0.0
    narrations = [shot.narration for shot in board.shots if shot.narration]
    total = sum(count_words(text) for text in narrations) or 1
    shares, at = [], 0.0
    for text in narrations:
        share = seconds * count_words(text) / total
        shares.append((text, Spoken(path, share, (), offset=at, recorded=True, text=text, estimated=True)))
        at += share
    return _by_saying(shares)


def read_voice(folder: Path) -> Spoken:
    """A voice job's output (`speech.wav` and `words.json` in a folder) as a Spoken line."""
    audio = folder / VOICE_AUDIO
    words = json.loads((folder / VOICE_WORDS).read_text(encoding="utf-8"))["words"]
    return Spoken(audio, wav_seconds(audio), tuple((float(a), float(b)) for a, b in words))


def speech_jobs(board: Storyboard, cache: Cache) -> dict[tuple[str, str], Job]:
    """A job per distinct (speaker, text) said in the film, keyed by the text and the voice."""
    from . import tts

    jobs: dict[tuple[str, str], Job] = {}
    for shot in board.shots:
        for who, text, _ in spoken_lines(shot):
            if (who, text) in jobs or (who == "" and board.project.voiceover):
                continue
            voice = tts.voice_for(board, who)
            model = tts.find_model(voice.model, board.root)
            inputs = {"tts": tts.TTS_VERSION, "model": cache.digest(model.model),
                      "text": tts.speakable(text, tts.reader(model, voice.language)),
                      **tts.voice_inputs(voice)}
            jobs[(who, text)] = make_job(
                cache, "voice", f"{who or 'narrator'}: {text[:40]}", inputs,
                # the speaker of the process the job runs in (a worker's own, loaded once there)
                lambda out, text=text, voice=voice, model=model: _speak(_speaker(), text, voice, model, out))
    return jobs


def _speak(speaker, text: str, voice, model, out: Path) -> None:
    """A voice job: the line's audio and its word times, together in one folder."""
    out.mkdir(parents=True)
    words = speaker.speak(text, voice, model, out / VOICE_AUDIO)
    (out / VOICE_WORDS).write_text(json.dumps({"text": text, "words": [list(w) for w in words]}), encoding="utf-8")


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
    from .asr import model_path

    setting = board.project.recognizer
    model = model_path(setting, board.root)
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
                                   "words": [[w.text, round(w.start, 3), round(w.end, 3), w.probability]
                                             for w in transcript.words]}),
                       encoding="utf-8")

    return make_job(cache, "transcript", f"voice-over {voiceover.file}",
                    {"recording": cache.digest(path), **recognizer.key}, run, suffix=".json")


def _by_saying(narrations: list[tuple[str, Spoken]]) -> dict[tuple, Spoken]:
    """The narrations of a recording keyed as `plan.timing.place_speech` looks them up: ("", text),
    and ("", text, n) for the n-th time the same text is said (another place in the recording)."""
    said: Counter[str] = Counter()
    out: dict[tuple, Spoken] = {}
    for text, spoken in narrations:
        said[text] += 1
        out[("", text) if said[text] == 1 else ("", text, said[text])] = spoken
    return out


def narration_from_recording(board: Storyboard, recording: Job) -> dict[tuple[str, str], Spoken]:
    """Each shot's narration as its slice of the voice-over."""
    from .asr import Word
    from .voiceover import AlignmentError, align

    voiceover = board.project.voiceover
    path = resolve_asset(board.root, voiceover.file)
    data = json.loads(recording.output.read_text(encoding="utf-8"))
    heard = [Word(*word) for word in data["words"]]
    narrated = [shot for shot in board.shots if shot.narration]
    narrations = [shot.narration for shot in narrated]
    try:
        slices = align(narrations, heard, data["seconds"])
    except AlignmentError as error:
        # At the narration the recording does not say, where one is to blame.
        where = narrated[error.narration].at("narration") if error.narration is not None else voiceover.loc
        raise StoryboardError([where.problem(f"voice-over '{voiceover.file}': {error}")]) from None
    return _by_saying([(text, Spoken(path, piece.end - piece.start, tuple((w.start, w.end) for w in piece.words),
                                     offset=piece.start, recorded=True, text=piece.text))
                       for text, piece in zip(narrations, slices)])
