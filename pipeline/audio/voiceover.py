"""Voice-over projects: find each shot's narration in a recording, so the pictures follow the voice.

The written narration and the recognised words are aligned word by word (difflib's longest
matching blocks over normalised words), which tolerates a speaker's small departures from the
script. Each narrated shot gets the slice of the recording from its first word to its last; cut
points fall in the middle of the pause between two shots' words, so no breath is clipped.

The subtitles are the script's words wherever the recording says them, timed by the recording
(`subtitle_words`). The recognised words replace the script's only where the speaker really
departed from it: words the recogniser heard that the script lacks, heard with confidence and
not spelled like the script's words there. A low-confidence difference, or one spelled alike
("into" for "and to"), is the recogniser mishearing (whisper tiny hears "fallen to snow"
for "fallen as snow"), so the script's words stand; a run of written words with nothing
heard for it at all is kept if short (a word the recogniser dropped) and left out if long (a
passage the speaker skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from .asr import Word, normalise_words

LEAD = 0.4   # seconds of the recording kept before the first word
TAIL = 0.8   # and after the last
CONFIDENT = 0.5    # a heard word at least this probable was said (whisper's word probability)
SKIPPED = 4        # this many written words in a row with nothing heard for them were skipped
ALIKE = 0.6        # written and heard letters this alike (difflib ratio) are the same words misheard
HEARD = 0.5        # a narration is in the recording when at least this share of its words is heard there


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
    """The recording does not say the narration; `narration` is the index of the one it does
    not say, where one is to blame (None when it is the whole recording)."""

    def __init__(self, message: str, narration: int | None = None):
        super().__init__(message)
        self.narration = narration


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
    # Each shot must be found on its own: half of its words heard, in the script's order (a
    # narration the recording never says, or says out of order, would take its neighbours' words).
    for k, text in enumerate(narrations):
        written = owner.count(k)
        if first[k] is None or found[k] < HEARD * written:
            if not written:
                raise AlignmentError(f"narration {k + 1} ('{text[:40]}') has no words to find in the recording; "
                                     "in a voice-over film each narration is a part of the recording", k)
            raise AlignmentError(f"narration {k + 1} ('{text[:40]}') was not heard in the recording, "
                                 f"in the script's order ({found[k]} of {written} words)", k)
    # Boundaries between shots: halfway through the pause between one's last word and the next's first.
    cuts = [max(0.0, heard[first[0]].start - LEAD)]
    for k in range(len(narrations) - 1):
        end, start = heard[last[k]].end, heard[first[k + 1]].start
        cuts.append((end + start) / 2 if start > end else start)
    cuts.append(min(duration, heard[last[-1]].end + TAIL))
    said = subtitle_words(narrations, heard)
    slices = []
    for k in range(len(narrations)):
        a, b = cuts[k], cuts[k + 1]
        words = tuple(Word(w.text, w.start - a, w.end - a) for w in said if a <= w.start < b)
        slices.append(Slice(a, b, words, found[k]))
    return slices


def _sounds_alike(written: list[str], heard: list[str]) -> bool:
    """Whether a heard stretch is spelled so like the written one that the recogniser most
    likely misheard it ("into" for "and to"): most of their letters match, in order."""
    if not written or not heard:
        return False
    return SequenceMatcher(None, "".join(written), "".join(heard), autojunk=False).ratio() >= ALIKE


def subtitle_words(narrations: list[str], heard: list[Word]) -> list[Word]:
    """What the subtitles say, word by word, timed by the recording: the script's words (as
    written, `str.split()` tokens) where the recording says them or the recogniser misheard
    them, the recording's words where the speaker confidently said something else. In order."""
    written = [token for text in narrations for token in text.split()]
    ref, ref_token = [], []
    for t, token in enumerate(written):
        for word in normalise_words(token):
            ref.append(word)
            ref_token.append(t)
    hyp, hyp_word = [], []
    for j, word in enumerate(heard):
        for part in normalise_words(word.text):
            hyp.append(part)
            hyp_word.append(j)
    times: dict[int, tuple[float, float]] = {}       # written token -> time
    extra: list[Word] = []                           # heard words said instead of, or besides, the script
    dropped: set[int] = set()

    def place(tokens: list[int], start: float, end: float) -> None:
        """Spread written tokens evenly over [start, end] (seconds)."""
        step = (end - start) / max(len(tokens), 1)
        for n, t in enumerate(tokens):
            low, high = times.get(t, (start + n * step, start + (n + 1) * step))
            times[t] = (min(low, start + n * step), max(high, start + (n + 1) * step))

    for op, i1, i2, j1, j2 in SequenceMatcher(None, ref, hyp, autojunk=False).get_opcodes():
        tokens = list(dict.fromkeys(ref_token[i1:i2]))
        words = [heard[j] for j in dict.fromkeys(hyp_word[j1:j2])]
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                place([ref_token[i]], heard[hyp_word[j]].start, heard[hyp_word[j]].end)
        elif words and all(w.probability >= CONFIDENT for w in words) and not _sounds_alike(ref[i1:i2], hyp[j1:j2]):
            extra += words                            # said, and not in the script
            dropped.update(tokens)
        elif words:
            place(tokens, words[0].start, words[-1].end)   # misheard: the script's words, at that time
        elif len(tokens) >= SKIPPED:
            dropped.update(tokens)                    # a passage the speaker skipped
    out = []
    for t, token in enumerate(written):
        if t in dropped and t not in times:
            continue
        if t not in times:                            # dropped by the recogniser: between its neighbours
            before = max((times[u][1] for u in times if u < t), default=heard[0].start if heard else 0.0)
            after = min((times[u][0] for u in times if u > t), default=before)
            times[t] = (before, max(before, after))
        out.append(Word(token, *times[t]))
    kept = {id(w) for w in extra}
    return sorted(out + [w for w in heard if id(w) in kept], key=lambda w: (w.start, w.end))
