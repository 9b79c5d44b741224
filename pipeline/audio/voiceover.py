"""Voice-over projects: find each shot's narration in a recording, so the pictures follow the voice.

The written narration and the recognised words are aligned word by word (difflib's longest
matching blocks over normalised words), which tolerates a speaker's small departures from the
script. Each narrated shot gets the slice of the recording from its first word to its last; cut
points fall in the middle of the pause between two shots' words, so no breath is clipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from .asr import Word, normalise_words

LEAD = 0.4   # seconds of the recording kept before the first word
TAIL = 0.8   # and after the last


@dataclass(frozen=True)
class Slice:
    """The part of the recording that narrates one shot."""

    start: float
    end: float
    words: tuple[Word, ...]
    found: int      # how many of the shot's written words were heard

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


class AlignmentError(ValueError):
    """The recording does not say the narration."""


def align(narrations: list[str], heard: list[Word], duration: float) -> list[Slice]:
    """One slice of the recording per narration, in order; raises AlignmentError if the
    recording says too little of the script to place the shots."""
    if not heard:
        raise AlignmentError("no speech found in the recording")
    ref, owner = [], []
    for k, text in enumerate(narrations):
        tokens = normalise_words(text)
        ref += tokens
        owner += [k] * len(tokens)
    hyp, word_of = [], []
    for j, word in enumerate(heard):
        tokens = normalise_words(word.text)
        hyp += tokens
        word_of += [j] * len(tokens)
    first: list[int | None] = [None] * len(narrations)
    last: list[int | None] = [None] * len(narrations)
    found = [0] * len(narrations)
    for block in SequenceMatcher(None, ref, hyp, autojunk=False).get_matching_blocks():
        for i in range(block.size):
            k, j = owner[block.a + i], word_of[block.b + i]
            first[k] = j if first[k] is None else min(first[k], j)
            last[k] = j if last[k] is None else max(last[k], j)
            found[k] += 1
    if sum(found) < 0.5 * len(ref):
        raise AlignmentError(f"the recording does not match the narration: {sum(found)} of {len(ref)} "
                             "written words were heard")
    missing = [k for k, f in enumerate(first) if f is None]
    if missing:
        raise AlignmentError(f"narration {missing[0] + 1} ('{narrations[missing[0]][:40]}') was not heard in the recording")
    # Boundaries between shots: halfway through the pause between one's last word and the next's first.
    cuts = [max(0.0, heard[first[0]].start - LEAD)]
    for k in range(len(narrations) - 1):
        end, start = heard[last[k]].end, heard[first[k + 1]].start
        cuts.append((end + start) / 2 if start > end else start)
    cuts.append(min(duration, heard[last[-1]].end + TAIL))
    slices = []
    for k in range(len(narrations)):
        a, b = cuts[k], cuts[k + 1]
        words = tuple(Word(w.text, w.start - a, w.end - a) for w in heard if a <= w.start < b)
        slices.append(Slice(a, b, words, found[k]))
    return slices
