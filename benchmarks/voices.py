"""Speech speed: synthesis and transcription against real time, on this machine.

Synthesises the example short film's lines with the bundled Piper voice (model loaded once,
as in a build), then transcribes the result with the bundled whisper tiny.en, and prints how
many times faster than real time each ran (targets: synthesis 10x, transcription 5x), and the
word error rate of the transcription against the script. Then it builds the film (preview size)
and measures its final mix: the word error rate (target 10%) and how far each subtitle cue's
start is from its first word as recognised in the mix (target 150 ms).

    python benchmarks/voices.py [PROJECT]
"""

from __future__ import annotations

import sys
import tempfile
import time
import wave
from pathlib import Path

import pysubs2

from pipeline.audio.asr import Recognizer, cue_offsets, word_error_rate
from pipeline.build import build
from pipeline.audio.tts import Speaker, find_model, voice_for
from pipeline.parse import load
from pipeline.plan import spoken_lines


def seconds_of(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def main() -> None:
    project = Path(sys.argv[1] if len(sys.argv) > 1 else "projects/lighthouse")
    board = load(project)
    lines = [(who, text) for shot in board.shots for who, text, _ in spoken_lines(shot)]
    speaker = Speaker()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        # Load the voice models first, as a build does once, so the figure is synthesis alone.
        models = {who: find_model(voice_for(board, who).model, board.root) for who, _ in lines}
        speaker.speak("Ready.", voice_for(board, lines[0][0]), models[lines[0][0]], work / "warm.wav")
        started = time.perf_counter()
        clips = []
        for n, (who, text) in enumerate(lines):
            clip = work / f"{n:03d}.wav"
            speaker.speak(text, voice_for(board, who), models[who], clip)
            clips.append(clip)
        synthesis = time.perf_counter() - started
        audio = sum(seconds_of(c) for c in clips)
        print(f"synthesis: {len(lines)} lines, {audio:.1f} s of speech in {synthesis:.2f} s = "
              f"{audio / synthesis:.1f}x real time (target 10x)")

        joined = work / "all.wav"
        with wave.open(str(joined), "wb") as out:
            out.setnchannels(1), out.setsampwidth(2), out.setframerate(48000)
            for clip in clips:
                with wave.open(str(clip), "rb") as handle:
                    out.writeframes(handle.readframes(handle.getnframes()) + b"\0\0" * 24000)
        recognizer = Recognizer()
        recognizer.transcribe(work / "warm.wav")   # load the model once, as `film transcribe` does
        started = time.perf_counter()
        transcript = recognizer.transcribe(joined)
        transcription = time.perf_counter() - started
        print(f"transcription: {transcript.seconds:.1f} s of audio in {transcription:.2f} s = "
              f"{transcript.seconds / transcription:.1f}x real time (target 5x)")
        reference = " ".join(text for _, text in lines)
        print(f"word error rate of the synthesised lines: {word_error_rate(reference, transcript.text):.1%}")

        film = build(project, renders=work / "renders", preview=True)
        heard = recognizer.transcribe(film.output)
        print(f"word error rate of the film's final mix: {word_error_rate(reference, heard.text):.1%} (target 10%)")
        cues = pysubs2.load(str(film.folder / "subtitles.srt"))
        offsets = cue_offsets([(e.start / 1000, e.plaintext) for e in cues], heard.words)
        measured = [abs(o) * 1000 for o in offsets if o is not None]
        print(f"subtitle sync: {len(measured)} of {len(cues)} cues' first words recognised in the mix; "
              f"largest offset {max(measured):.0f} ms, mean {sum(measured) / len(measured):.0f} ms (target 150 ms)")


if __name__ == "__main__":
    main()
