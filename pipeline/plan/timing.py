"""How long things last: reading time, speech placed in its shot, and each shot's length.

All results are whole frames at the film's rate (`frames.py` converts); a shot lasts as long
as its writer says, or as its speech needs (with the pacing's lead-in and hold), or as its
words take to read when no speech is made, and never less than the pacing's shortest shot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Mapping

from ..audio.speakable import ENGLISH, speakable, unread_scripts
from ..errors import Problem
from ..frames import duration_frames, to_frames, to_seconds
from ..spec import Pacing as WrittenPacing, Shot, Storyboard
from .model import Pacing, SpeechPlan, Spoken

SILENT_LINE_SECONDS = 1.0   # a line with nothing to say (emoji only): its subtitle's time, as place_cues' minimum

# Reading time of writing without spaces between words. Chinese and Japanese subtitles are
# commonly held to about 4 to 7 characters a second (Netflix: Japanese 4, Traditional Chinese 7,
# Simplified Chinese 9 at most); half a word a character gives 5.3 a second at the default 160
# words a minute, and follows `pacing.words_per_minute` as English does. Korean is written in
# words of about three syllables with spaces between: a syllable is a third of a word.
CJK_WORDS_PER_CHARACTER = 0.5
HANGUL_WORDS_PER_SYLLABLE = 1 / 3
_CJK = re.compile("[\u3005\u3007\u3021-\u3029\u3038-\u303b\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf"
                  "\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\uffa0-\uffdc]")

Reads = Callable[[str], object]   # speaker -> what their voice can read (`speakable.Reader`), or None


def words(text: str) -> float:
    """How many words `text` is worth to read: its words, with Chinese and Japanese characters
    and Korean syllables counted by the characters (`CJK_WORDS_PER_CHARACTER`)."""
    cjk = len(_CJK.findall(text))
    hangul = len(_HANGUL.findall(text))
    if cjk or hangul:
        text = _HANGUL.sub(" ", _CJK.sub(" ", text))
    return len(re.findall(r"\w+(?:['’]\w+)*", text)) + cjk * CJK_WORDS_PER_CHARACTER \
        + hangul * HANGUL_WORDS_PER_SYLLABLE


def pacing_in_frames(pacing: WrittenPacing, fps: Fraction) -> Pacing:
    """The writer's pacing (seconds) in frames at `fps`."""
    return Pacing(words_per_minute=pacing.words_per_minute, lead_in=to_frames(pacing.lead_in, fps),
                  hold=to_frames(pacing.hold, fps), line_gap=to_frames(pacing.line_gap, fps),
                  min_frames=duration_frames(pacing.min_duration, fps))


def reading_frames(texts: list[str], pacing: WrittenPacing, fps: Fraction) -> int:
    """Frames to read `texts` at the pacing's words a minute, with its lead-in and tail when
    there is anything to read, and at least its shortest shot."""
    count = sum(words(t) for t in texts)
    seconds = count * 60.0 / pacing.words_per_minute + (pacing.lead_in + pacing.hold if count else 0)
    return duration_frames(max(seconds, pacing.min_duration), fps)


def spoken_lines(shot: Shot) -> list[tuple[str, str, bool]]:
    """(speaker, text, dual) for what is said in a shot, in order: narration, then dialogue."""
    said = [("", shot.narration, False)] if shot.narration else []
    return said + [(line.character, line.text, line.dual) for line in shot.lines]


def voice_readers(board: Storyboard) -> Reads:
    """speaker -> what their voice can read (`speakable.Reader`); None for a voice that is not
    usable. Each speaker's voice is looked up once."""
    from ..audio import tts

    known: dict[str, object] = {}

    def reads(speaker: str):
        if speaker not in known:
            try:
                voice = tts.voice_for(board, speaker)
                known[speaker] = tts.reader(tts.find_model(voice.model, board.root), voice.language)
            except tts.VoiceError:
                known[speaker] = None
        return known[speaker]

    return reads


def place_speech(shot: Shot, speech: Mapping[tuple, Spoken], pacing: Pacing, fps: Fraction,
                 reads: Reads = lambda speaker: None, said: dict | None = None) -> tuple[SpeechPlan, ...]:
    """Lines one after another after the lead-in, a gap apart; a dual line starts with the one before.

    `speech` maps (speaker, text) — and (speaker, text, n) for the n-th saying of a recorded
    line — to its audio; `said` counts the sayings so far across the film. A line whose voice
    says nothing of it (emoji only, or written in a script the voice cannot read) is a silent
    beat that keeps its subtitle: at least `SILENT_LINE_SECONDS`, and as long as its text takes
    to read; so is a line the voice says only part of, at least. Raises KeyError for a line
    `speech` lacks."""
    at, gap = pacing.lead_in, pacing.line_gap
    placed: list[SpeechPlan] = []
    said = {} if said is None else said
    for speaker, text, dual in spoken_lines(shot):
        # The n-th time a text is said in the film: a recording says it again, at another
        # place (`speech` holds ("", text, n) for each repeat); a synthesised line is the same.
        said[(speaker, text)] = n = said.get((speaker, text), 0) + 1
        audio = speech.get((speaker, text, n)) or speech[(speaker, text)]
        length = to_frames(audio.seconds, fps, up=True)
        if not audio.recorded:
            voice = reads(speaker) or ENGLISH
            if not speakable(text, voice) or unread_scripts(text, voice):
                # Nothing (or not all) to pronounce: its subtitle stays a beat, and long enough to read.
                shown = words(text) * 60.0 / pacing.words_per_minute
                length = max(length, to_frames(round(max(SILENT_LINE_SECONDS, shown), 3), fps, up=True))
        if audio.recorded:  # the recording runs on from shot to shot: no lead-in, no gap
            at, gap_after = 0, 0
        else:
            gap_after = gap
        start = placed[-1].start if dual and placed else at
        placed.append(SpeechPlan(speaker, audio.text or text, start, length, audio.path, audio.words,
                                 audio.offset, audio.recorded, audio.estimated))
        at = max(at, start + length + gap_after)
    return tuple(placed)


@dataclass(frozen=True)
class Length:
    """A shot's length in frames, and what is wrong with it: `problem` (an input error) or
    `warning` (may be wrong: its speech is only estimated), each '' when none."""

    frames: int
    problem: str = ""
    warning: str = ""


def shot_length(shot: Shot, placed: tuple[SpeechPlan, ...], texts: list[str], pacing: Pacing,
                written: WrittenPacing, fps: Fraction, footage_frames: int, timed: bool) -> Length:
    """How long `shot` lasts: its `duration` (checked against its speech), else its footage's
    length, else a voice-over's words, else its speech with lead-in and hold (`timed`: speech
    was measured), else the time to read `texts`; never under the pacing's shortest shot."""
    needed = max((p.start + p.frames + (0 if p.recorded else pacing.hold) for p in placed), default=0)
    if shot.duration is not None:
        frames = duration_frames(shot.duration, fps)
        if frames >= needed or shot.fit == "trim":
            return Length(frames)
        if any(p.estimated for p in placed):
            return Length(frames, warning=(
                f"shot '{shot.id}' lasts {to_seconds(frames, fps):.2f} s but its speech is estimated to need "
                f"about {to_seconds(needed, fps):.1f} s (with lead-in and tail); film build will know"))
        return Length(frames, problem=(
            f"shot '{shot.id}' lasts {to_seconds(frames, fps):.2f} s but its speech needs "
            f"{to_seconds(needed, fps):.2f} s (with lead-in and tail); lengthen it or add 'fit: trim'"))
    if shot.footage is not None:
        return Length(max(footage_frames, needed))
    if placed and placed[0].recorded:
        return Length(needed)          # a voice-over shot spans its words, so the voice runs on unbroken
    if timed:
        shown = reading_frames([shot.title], written, fps) if shot.title else pacing.min_frames
        return Length(max(needed, pacing.min_frames, shown))
    return Length(reading_frames(texts + ([shot.title] if shot.title else []), written, fps))


def footage_frames(shot: Shot, length: float | None, fps: Fraction, problems: list[Problem]) -> int:
    """How long a footage shot's footage runs from its `in` to its `out` (or the file's end),
    given the file's measured `length` in seconds (None: it could not be read)."""
    footage = shot.footage
    if not length:
        problems.append(footage.loc.problem(f"footage '{footage.file}' is not a readable video"))
        return 1
    if length <= footage.start:
        problems.append(footage.loc.problem(
            f"footage '{footage.file}' is {length:.2f} s long; its in point {footage.start:g} s is past the end"))
        return 1
    return duration_frames((footage.end or length) - footage.start, fps)
