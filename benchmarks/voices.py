"""Voices and speech speed, on this machine.

First, what each voice is: every preset, then each voice of the project (narrator and cast),
says a sentence (the project's voices: their own lines), and its median pitch and first three
formants (F1-F3, mean over the frames voiced in the source voice saying the same words) are
printed against the source voice (the bundled joe, unconverted), with the word error rate of
whisper tiny.en on it. Then the two ways of making a woman's voice from joe are compared on
one sentence: the WORLD vocoder (what `voices.convert` does) and ffmpeg alone (resample by the
formant ratio, then rubberband's formant-preserving pitch shift with the tempo restored).

Then speed: synthesises the example short film's lines in their voices (model loaded once,
as in a build), then transcribes the result with the bundled whisper tiny.en, and prints how
many times faster than real time each ran (targets: synthesis 10x, transcription 5x), and the
word error rate of the transcription against the script. Then it builds the film (preview size)
and measures its final mix: the word error rate (target 10%) and how far each subtitle cue's
start is from its first word as recognised in the mix (target 150 ms).

    python benchmarks/voices.py [PROJECT] [--voices]     (--voices: the measures only, no film)
"""

from __future__ import annotations

import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np
import pysubs2

from pipeline.audio.asr import Recognizer, cue_offsets, word_error_rate
from pipeline.build import build
from pipeline.audio import voices
from pipeline.audio.tts import Speaker, find_model, speaking_rate, voice_for
from pipeline.edit import ffmpeg
from pipeline.parse import load
from pipeline.plan import spoken_lines
from pipeline.spec import Voice

SENTENCE = "The light has not failed in forty years, and it will not fail tonight."


def seconds_of(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()


def read(path: Path):
    with wave.open(str(path), "rb") as handle:
        data = handle.readframes(handle.getnframes())
        return np.frombuffer(data, np.int16).astype(np.float32) / 32768, handle.getframerate()


def describe(voice: Voice) -> str:
    keys = [f"preset {voice.preset}"] if voice.preset else [f"model {voice.model or 'joe'}"]
    keys += [f"pitch {voice.pitch:+g}"] if voice.pitch else []
    keys += [f"formant {voice.formant:g}"] if voice.formant != 1 else []
    keys += [f"rate {voice.rate:g}"] if voice.rate != 1 else []
    return ", ".join(keys)


def measure_voices(board, speaker: Speaker, recognizer: Recognizer, work: Path) -> None:
    """Each preset, then each of the project's voices, against the source voice."""
    model = find_model("joe", board.root)
    said = {who: [] for who in ["", *(c.name for c in board.cast)]}
    for shot in board.shots:
        for who, text, _ in spoken_lines(shot):
            said.setdefault(who, []).append(text)
    rows = [(f"preset {name}", Voice(preset=name), SENTENCE) for name in voices.PRESETS]
    rows += [(who or "narrator", voice_for(board, who), " ".join(texts)) for who, texts in said.items() if texts]
    sources: dict[tuple[str, float], tuple] = {}
    print(f"{'voice':<18} {'settings':<42} {'F0 Hz':>6} {'F1':>5} {'F2':>5} {'F3':>5}  {'vs source F1/F2/F3':<18} WER")
    for n, (name, voice, text) in enumerate(rows):
        pace = speaking_rate(voice)        # the source at the same pace: the same sounds at the same times
        if (text, pace) not in sources:
            path = work / f"source-{len(sources)}.wav"
            speaker.speak(text, Voice(rate=pace), model, path)
            samples, rate = read(path)
            _, voiced = voices.pitch_track(samples, rate)
            sources[text, pace] = (voiced, voices.measure(samples, rate, voiced), voices.measure(samples, rate).f0)
            print(f"{'(source: joe)':<18} {describe(Voice(rate=pace)):<42} {sources[text, pace][2]:6.0f} "
                  + " ".join(f"{f:5.0f}" for f in sources[text, pace][1].mean_formants))
        voiced, source, _ = sources[text, pace]
        path = work / f"voice-{n}.wav"
        speaker.speak(text, voice, find_model(voice.model, board.root), path)
        samples, rate = read(path)
        made = voices.measure(samples, rate, voiced)
        ratios = "/".join(f"{m / s:.2f}" for m, s in zip(made.mean_formants, source.mean_formants))
        wer = word_error_rate(text, recognizer.transcribe(path).text)
        print(f"{name:<18} {describe(voice):<42} {voices.measure(samples, rate).f0:6.0f} "
              + " ".join(f"{f:5.0f}" for f in made.mean_formants) + f"  {ratios:<18} {wer:.0%}")


def compare_techniques(speaker: Speaker, recognizer: Recognizer, work: Path) -> None:
    """A woman from joe two ways, on one sentence: WORLD, and ffmpeg's resample + rubberband."""
    model = find_model("joe", Path("."))
    speech = speaker.synthesise(SENTENCE, Voice(), model)
    change = voices.conversion(Voice(preset="woman"))
    rate = speech.rate
    _, voiced = voices.pitch_track(speech.samples, rate)
    source = voices.measure(speech.samples, rate, voiced)
    world = work / "world.wav"
    ffmpeg.run(["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-", "-c:a", "pcm_s16le", str(world)],
               stdin=voices.convert(speech.samples, rate, change).tobytes())
    rubberband = work / "rubberband.wav"
    chain = [f"asetrate={rate * change.formant:.3f}", f"aresample={rate}",
             f"rubberband=tempo={1 / change.formant:.6f}:pitch={change.pitch / change.formant:.6f}:formant=preserved"]
    ffmpeg.run(["-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-", "-af", ",".join(chain), "-c:a", "pcm_s16le",
                str(rubberband)], stdin=speech.samples.astype(np.float32).tobytes())
    print(f"a woman from joe (pitch x{change.pitch:.2f}, formants x{change.formant:.2f}), two ways:")
    for name, path in (("WORLD vocoder", world), ("ffmpeg rubberband", rubberband)):
        samples, got = read(path)
        made = voices.measure(samples, got, voiced)
        ratios = "/".join(f"{m / s:.2f}" for m, s in zip(made.mean_formants, source.mean_formants))
        heard = recognizer.transcribe(path).text
        print(f"  {name:<18} F0 {voices.measure(samples, got).f0:4.0f} Hz, formants x{ratios}, "
              f"{len(samples) / got:.3f} s of {speech.seconds:.3f}, WER {word_error_rate(SENTENCE, heard):.0%}: {heard!r}")


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    project = Path(arguments[0] if arguments else "projects/lighthouse")
    board = load(project)
    lines = [(who, text) for shot in board.shots for who, text, _ in spoken_lines(shot)]
    speaker = Speaker()
    with tempfile.TemporaryDirectory() as folder:
        recognizer = Recognizer()
        measure_voices(board, speaker, recognizer, Path(folder))
        compare_techniques(speaker, recognizer, Path(folder))
    if "--voices" in sys.argv:
        return
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
