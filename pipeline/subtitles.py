"""Subtitles: split spoken text into cues, time them on a shot, write SRT, WebVTT and ASS.

The file formats are pysubs2's job: every writer builds a `pysubs2.SSAFile` and lets pysubs2
serialise it ("srt", "vtt", "ass"). What this module owns is the part no library does: breaking
text into subtitle chunks by the usual broadcast rule (at most 2 lines of at most 42 columns,
a Chinese, Japanese or Korean character taking two; breaking at sentence ends, then at clause
boundaries, then between words, or between Chinese and Japanese characters, with balanced
lines, no line left hanging on a function word) and laying those chunks out in time over a shot.

A film's cues follow the Netflix Timed Text Style Guide and the BBC Subtitle Guidelines
(`cues_for`): a line's first cue comes up when the line is heard; a cue stays up while its shot
runs on (to the next cue, 2 frames before it, or the cut, at most 7 s) and long enough to be
read (at most 17 characters a second in a lesson, 20 otherwise: `reading_speed`); lines said
together share a cue, a dash before each speaker's. Each cue has a place on the frame: the
bottom title-safe band, or the top, or raised, where a still has lettering of its own under
the bottom band (`place_cues_on_shots`, measured by `edit.safe_areas`); SRT says "top" with
`{\an8}`, WebVTT with its `line:` setting, ASS with its alignment and margin.

Times are integer frames at a frame rate given as a `fractions.Fraction`; they become
milliseconds only when a file is written (`frames_to_ms`: ``round(frame * 1000 / fps)``). ASS
times have centisecond resolution, so `write_ass` places each cue boundary in the middle of the
frame interval (see `_ass_ms`), which makes burned-in subtitles change on exactly the right
frame. Files are written under a temporary name in the same folder and moved into place with
`os.replace`, so an interrupted write never leaves a partial file.
"""

from __future__ import annotations

import bisect
import math
import os
import re
import unicodedata
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Collection, Literal, Sequence

from .cache import write_text
from .edit.safe_areas import TITLE_SAFE, Place, SubtitleLook

from .plan.model import StillSource

if TYPE_CHECKING:
    import pysubs2   # loads when a subtitle file is written, not when a film is planned

    from .plan import Plan

__all__ = [
    "Caption", "Cue", "captions_from_words", "split_text", "place_cues", "frames_to_ms", "display_width",
    "write_captions",
    "write_srt", "write_vtt", "write_ass", "cues_for", "time_for_reading", "place_cues_on_shots",
    "reading_speed",
]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Cue:
    """One subtitle on screen over frames [start, end)."""

    start: int          # first frame on screen
    end: int            # first frame after (exclusive)
    text: str           # may contain "\n" between its (at most 2) lines
    speaker: str = ""   # character name, "" for narration
    align: Literal["bottom", "top"] = "bottom"   # the edge of the frame it sits at
    margin: float | None = None    # from that edge to its text, a fraction of the height (None: title-safe 5%)


# --------------------------------------------------------------------------- splitting

_CLOSERS = "\"'”’»)]」』）】〕〉》〙〗〛"
_SENTENCE_END = re.compile(r"[.!?…。！？]+[" + re.escape(_CLOSERS) + r"]*$")
_CLAUSE_END = re.compile(r"[,;:—–，、；：][" + re.escape(_CLOSERS) + r"]*$|^[—–-]+$")
# Chinese and Japanese: a line may break between any two characters, except before these
# (closing punctuation, small kana, the prolonged sound mark: kinsoku shori)...
_NO_LINE_START = frozenset(",.!?:;)]}…‥、。，．！？：；）」』】〕〉》〙〗〛”’・ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ〜～")
# ...and after these (opening brackets).
_NO_LINE_END = frozenset("([{「『（【〔〈《〘〖〚“‘")
_ABBREVIATIONS = frozenset(
    "mr. mrs. ms. dr. st. jr. sr. prof. vs. e.g. i.e. mt. capt. lt. col. gen. sgt. rev. fr.".split()
)
# Function words a line (or a cue) must not end on, leaving them hanging from the words they
# lead into (BBC Subtitle Guidelines: keep an article with its noun, a preposition with its
# phrase, a conjunction with its clause, a pronoun with its verb, an auxiliary with its verb):
# articles and determiners, prepositions, conjunctions, subject pronouns (with their
# contractions; not "you" and "it", which end a clause as objects as often: "we will follow
# it / around the water cycle"), auxiliaries and copulas.
_ARTICLES = "a an the my your his her its our their every each"
_PREPOSITIONS = ("to of in on at by for with from into onto about after before over under through without between "
                 "against across along among around behind below beneath beside beyond during inside toward towards "
                 "upon within")
_CONJUNCTIONS = ("and or but nor so as if than that when while because which who whom whose where until unless since "
                 "though although whether")
_PRONOUNS = ("i he she we they i'm i've i'll i'd you're you've you'll you'd he's he'll he'd she's she'll she'd "
             "it's it'll we're we've we'll we'd they're they've they'll they'd")
# Auxiliaries and copulas, kept with the verb or complement they lead into (BBC: do not split
# "why do / the flowers close", "it is / the same"); at a clause's end they are closed by its
# punctuation ("Yes, I do.") and may end a line.
_AUXILIARIES = "do does did is are was were be been am has have had will would can could shall should may might must"
FUNCTION_WORDS = frozenset(f"{_ARTICLES} {_PREPOSITIONS} {_CONJUNCTIONS} {_PRONOUNS} {_AUXILIARIES}".split())
#: Words a line reads well starting with (BBC: break before a conjunction or a preposition).
_OPENERS = frozenset(f"{_PREPOSITIONS} {_CONJUNCTIONS}".split())

# Costs for breaking between chunks inside one sentence (a sentence that does not fit).
_CHUNK_COST = 300.0
_CLAUSE_BREAK_COST = 300.0
_WORD_BREAK_COST = 1500.0
_WEAK_BREAK_COST = 300.0
_SLACK_WEIGHT = 0.05
# Bonuses and penalties for where the line break inside a chunk goes (vs. squared imbalance).
_LINE_SENTENCE_BONUS = 300.0   # two lines differing by d cost d**2 / 2: a single short word
_LINE_CLAUSE_BONUS = 200.0     # on a line (d >= ~28 when lines are <= 42) still loses
_LINE_OPENER_BONUS = 30.0      # a line starting with a conjunction or a preposition
_LINE_WEAK_PENALTY = 50.0      # (only where no layout avoids it) a line ending on a function word


def display_width(text: str) -> int:
    """Columns `text` takes on screen: a wide or full-width character (Chinese, Japanese, Korean,
    emoji: East Asian Width W or F) two, a combining mark or joiner none, anything else one."""
    width = 0
    for c in text:
        if unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return width


def _breaks_anywhere(c: str) -> bool:
    """Chinese and Japanese characters (and CJK punctuation): a line may break beside them."""
    cp = ord(c)
    return 0x2E80 <= cp <= 0x303F or 0x3040 <= cp <= 0x31FF or 0x3400 <= cp <= 0x4DBF or 0x4E00 <= cp <= 0x9FFF \
        or 0xF900 <= cp <= 0xFAFF or 0xFF00 <= cp <= 0xFF60 or 0x20000 <= cp <= 0x3134F


@dataclass(frozen=True)
class Token:
    """A piece of text a line may break after: a word (or part of one, in a script that breaks
    between characters), and what follows it."""

    word: str
    sentence_end: bool = False   # a sentence ends after this word
    clause_end: bool = False     # a clause ends after this word (comma, semicolon, dash, ...)
    weak: bool = False           # a function word (`FUNCTION_WORDS`)
    space: bool = True           # a space before it when it follows another token on a line
    width: int = -1              # display columns (`display_width`)
    opens: bool = False          # a conjunction or preposition: a line reads well starting with it

    @property
    def dangles(self) -> bool:
        """Whether a line (or a cue) ending on this token would leave a function word hanging:
        one not closed by punctuation."""
        return self.weak and not (self.sentence_end or self.clause_end)


def _pieces(word: str, max_chars: int) -> list[str]:
    """A whitespace-separated word cut where a line may break inside it: between Chinese and
    Japanese characters (keeping closing punctuation with the character before it and opening
    brackets with the one after), and a piece wider than a line into line-sized pieces."""
    units: list[str] = []
    run = ""
    for c in word:
        if _breaks_anywhere(c):
            if run:
                units.append(run)
                run = ""
            units.append(c)
        else:
            run += c
    if run:
        units.append(run)
    merged: list[str] = []
    for unit in units:
        if merged and (unit[0] in _NO_LINE_START or merged[-1][-1] in _NO_LINE_END):
            merged[-1] += unit
        else:
            merged.append(unit)
    out: list[str] = []
    for unit in merged:
        piece = ""
        for c in unit:
            if piece and display_width(piece + c) > max_chars:
                out.append(piece)
                piece = ""
            piece += c
        out.append(piece)
    return out


def _plain_word(word: str) -> str:
    """A word as `FUNCTION_WORDS` lists it: lower case, without the quotes, brackets and
    punctuation round it, with a straight apostrophe."""
    return word.lower().replace("’", "'").rstrip(_CLOSERS).lstrip("\"'“‘«([「『（").strip(".,;:!?…—–-")


def word_tokens(text: str, max_chars: int) -> list[Token]:
    """`text` as the tokens lines are made of, each word marked where a sentence or clause ends
    after it, and words longer than `max_chars` columns cut into pieces that fit."""
    words: list[tuple[str, bool]] = []
    for word in text.split():
        # Chinese and Japanese break between characters; a word longer than a line is hard-split.
        words.extend((piece, n == 0) for n, piece in enumerate(_pieces(word, max_chars)))
    tokens = []
    for i, (word, space) in enumerate(words):
        following = words[i + 1][0] if i + 1 < len(words) else ""
        bare = word.lower().rstrip(_CLOSERS).lstrip("\"'“‘«([「『（")
        stop = bool(_SENTENCE_END.search(word))
        abbreviation = bare in _ABBREVIATIONS or re.fullmatch(r"[a-z]\.", bare) is not None  # "Mr.", "J."
        # "Wait... and then" is a pause, not a sentence end: the next word is lower case.
        sentence_end = not following or (stop and not abbreviation and not following[:1].islower())
        clause_end = not sentence_end and (bool(_CLAUSE_END.search(word)) or (stop and not abbreviation))
        function = _plain_word(word)
        tokens.append(Token(word, sentence_end, clause_end, function in FUNCTION_WORDS, space,
                             display_width(word), function in _OPENERS))
    return tokens


def _gap(t: Token) -> int:
    return 1 if t.space else 0


def _length(tokens: Sequence[Token]) -> int:
    return sum(t.width for t in tokens) + sum(_gap(t) for t in tokens[1:])


def _join(tokens: Sequence[Token]) -> str:
    return "".join((" " if n and t.space else "") + t.word for n, t in enumerate(tokens))


def _lines_needed(tokens: Sequence[Token], max_chars: int) -> int:
    """Fewest lines of at most max_chars columns that hold the tokens (greedy fill is optimal for this)."""
    lines, width = 1, None
    for t in tokens:
        if width is None:
            width = t.width
        elif width + _gap(t) + t.width <= max_chars:
            width += _gap(t) + t.width
        else:
            lines, width = lines + 1, t.width
    return lines


def _fits(tokens: Sequence[Token], max_chars: int, max_lines: int) -> bool:
    """Whether the tokens fit `max_lines` lines at all (with breaks anywhere): once a run of
    tokens does not, no longer run does."""
    return _lines_needed(tokens, max_chars) <= max_lines


def _layout(tokens: Sequence[Token], max_chars: int, max_lines: int = 2,
            strict: bool = True) -> tuple[list[str], float] | None:
    """Break one chunk into the fewest lines (at most `max_lines`), balanced, preferring breaks
    at punctuation and before conjunctions and prepositions.

    Strict: no line ends on a function word left hanging (`Token.dangles`); None when no
    layout avoids it. Not strict: such a break only costs more (None only when the tokens do
    not fit `max_lines` lines at all).

    Returns the lines and the layout's cost (squared deviations of the line widths from their
    mean, plus penalties and bonuses for where the breaks are); 0 for a single line.
    """
    if _length(tokens) <= max_chars:
        return [_join(tokens)], 0.0
    for k in range(_lines_needed(tokens, max_chars), max_lines + 1):
        found = _balanced(tokens, max_chars, k, strict)
        if found is not None:
            return found
    return None


def _balanced(tokens: Sequence[Token], max_chars: int, k: int, strict: bool) -> tuple[list[str], float] | None:
    """The best layout of the tokens on exactly `k` lines (see `_layout`), or None."""
    n = len(tokens)
    mean = _length(tokens) / k
    prefix, gaps = [0], [0]
    for t in tokens:
        prefix.append(prefix[-1] + t.width)
        gaps.append(gaps[-1] + _gap(t))
    inf = float("inf")

    def break_cost(j: int) -> float:          # cost of a line break after tokens[j - 1]
        t = tokens[j - 1]
        if t.dangles:
            return inf if strict else _LINE_WEAK_PENALTY
        bonus = _LINE_OPENER_BONUS if tokens[j].opens else 0.0
        if t.sentence_end:
            return -_LINE_SENTENCE_BONUS - bonus
        if t.clause_end:
            return -_LINE_CLAUSE_BONUS - bonus
        return -bonus

    # best[l][j]: cost of laying tokens[:j] on l lines; back[l][j]: where line l starts.
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for lines in range(1, k + 1):
        for j in range(1, n + 1):
            after = break_cost(j) if j < n else 0.0
            if after == inf:
                continue
            for i in range(j - 1, -1, -1):
                width = prefix[j] - prefix[i] + gaps[j] - gaps[i + 1]
                if width > max_chars:
                    break
                if best[lines - 1][i] == inf:
                    continue
                cost = best[lines - 1][i] + (width - mean) ** 2 + after
                if lines == 1 and width > mean:
                    cost += 0.5                  # tie-break: a pyramid (short top line) reads best
                if cost < best[lines][j]:
                    best[lines][j], back[lines][j] = cost, i
    if best[k][n] == inf:
        return None
    out: list[str] = []
    j = n
    for lines in range(k, 0, -1):
        i = back[lines][j]
        out.append(_join(tokens[i:j]))
        j = i
    return out[::-1], best[k][n]


def _split_sentence(tokens: Sequence[Token], max_chars: int, max_lines: int,
                    strict: bool = True) -> list[list[Token]]:
    """Split one sentence that does not fit a chunk: fewest chunks, at clauses where possible,
    even sizes; strict, no chunk ends (nor has a line end) on a function word left hanging,
    unless the sentence cannot be split so."""
    n = len(tokens)
    capacity = max_chars * max_lines
    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] == inf:
            continue
        for j in range(i + 1, n + 1):
            chunk = tokens[i:j]
            if not _fits(chunk, max_chars, max_lines):
                break
            last = tokens[j - 1]
            if j < n and strict and last.dangles:
                continue
            layout = _layout(chunk, max_chars, max_lines, strict)
            if layout is None:
                continue
            if j == n:
                cut = 0.0
            elif last.clause_end or last.sentence_end:
                cut = _CLAUSE_BREAK_COST
            else:
                cut = _WORD_BREAK_COST + (_WEAK_BREAK_COST if last.dangles else 0.0)
            cost = best[i] + _CHUNK_COST + cut + _SLACK_WEIGHT * (capacity - _length(chunk)) ** 2 + layout[1]
            if cost < best[j]:
                best[j], back[j] = cost, i
    if best[n] == inf:
        return _split_sentence(tokens, max_chars, max_lines, strict=False)
    chunks = []
    j = n
    while j > 0:
        chunks.append(list(tokens[back[j]:j]))
        j = back[j]
    return chunks[::-1]


def _pack_sentences(sentences: Sequence[Sequence[Token]], max_chars: int,
                    max_lines: int) -> list[list[Token]]:
    """Group consecutive whole sentences (each fits a chunk) into as few, as full chunks as possible."""
    n = len(sentences)
    capacity = max_chars * max_lines
    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        merged: list[Token] = []
        for j in range(i + 1, n + 1):
            merged = merged + list(sentences[j - 1])
            if not _fits(merged, max_chars, max_lines):
                break
            layout = _layout(merged, max_chars, max_lines)
            if layout is None:
                continue
            cost = best[i] + _CHUNK_COST + _SLACK_WEIGHT * (capacity - _length(merged)) ** 2 + layout[1]
            if cost < best[j]:
                best[j], back[j] = cost, i
    chunks = []
    j = n
    while j > 0:
        chunks.append([t for s in sentences[back[j]:j] for t in s])
        j = back[j]
    return chunks[::-1]


def split_text(text: str, max_chars: int = 42, max_lines: int = 2) -> list[str]:
    """Break spoken text into subtitle chunks of at most `max_lines` lines of at most `max_chars` columns.

    Widths are display columns (`display_width`): a Chinese, Japanese or Korean character takes
    two, so a line holds 21 of them; Chinese and Japanese lines break between characters, never
    before closing punctuation (`。`, `、`, `」`...) nor after an opening bracket.

    Lines of a chunk are joined with "\\n". Whitespace is normalised; empty or blank text gives [].
    Chunks end at sentence ends (. ! ? …) whenever the sentence fits in a chunk; short sentences
    that fit together share a chunk. A sentence too long for one chunk is split into the fewest
    chunks, preferably at clause boundaries (, ; : — –), else between words, with sizes kept even.
    Inside a chunk, the fewest lines are used and balanced, preferring a line break after
    punctuation or before a conjunction or preposition. No line and no chunk ends on a function
    word (an article, preposition, conjunction, subject pronoun or auxiliary: `FUNCTION_WORDS`) unless
    punctuation closes it: a sentence that fits a chunk only with such a break is split into
    more chunks (where even that cannot avoid one, it is the least of the breaks). A single word
    longer than `max_chars` is hard-split.
    """
    if max_chars < 1 or max_lines < 1:
        raise ValueError(f"max_chars and max_lines must be >= 1, not {max_chars} and {max_lines}")
    tokens = word_tokens(text, max_chars)
    if not tokens:
        return []
    sentences: list[list[Token]] = [[]]
    for t in tokens:
        sentences[-1].append(t)
        if t.sentence_end:
            sentences.append([])
    sentences = [s for s in sentences if s]

    chunks: list[list[Token]] = []
    run: list[list[Token]] = []            # consecutive sentences that each fit a chunk
    for sentence in sentences:
        if _layout(sentence, max_chars, max_lines) is not None:
            run.append(sentence)
            continue
        chunks += _pack_sentences(run, max_chars, max_lines)
        run = []
        chunks += _split_sentence(sentence, max_chars, max_lines)
    chunks += _pack_sentences(run, max_chars, max_lines)
    laid = [_layout(chunk, max_chars, max_lines) or _layout(chunk, max_chars, max_lines, strict=False)
            for chunk in chunks]
    return ["\n".join(layout[0]) for layout in laid if layout is not None]


# --------------------------------------------------------------------------- timing

def _allocate(weights: Sequence[int], total: int, lo: int, hi: int) -> list[int]:
    """Integer durations proportional to `weights`, each in [lo, hi], summing to min(total, n * hi).

    Needs n * lo <= total and lo <= hi. The real-valued solution is clamp(lam * w, lo, hi) with lam
    chosen so the durations sum to `total` (exact, with Fractions); it is then rounded down and the
    frames left over go to the largest fractional parts (ties: earliest first).
    """
    n = len(weights)
    if n * hi <= total:
        return [hi] * n

    def clamped(lam: Fraction) -> list[Fraction]:
        return [min(max(lam * w, Fraction(lo)), Fraction(hi)) for w in weights]

    # sum(clamped(lam)) is continuous, piecewise linear and non-decreasing in lam, from n * lo at 0
    # to n * hi > total at the last breakpoint: find the piece where it reaches total.
    points = [Fraction(0)] + sorted({Fraction(lo, w) for w in weights} | {Fraction(hi, w) for w in weights})
    sums = {0: Fraction(n * lo), len(points) - 1: Fraction(n * hi)}

    def total_at(i: int) -> Fraction:
        if i not in sums:
            sums[i] = sum(clamped(points[i]))
        return sums[i]

    lam = points[0]
    if total_at(0) < total:
        low, high = 0, len(points) - 1          # total_at(low) < total <= total_at(high)
        while high - low > 1:
            mid = (low + high) // 2
            if total_at(mid) < total:
                low = mid
            else:
                high = mid
        lam = points[low] + (points[high] - points[low]) * (total - total_at(low)) / (total_at(high) - total_at(low))
    exact = clamped(lam)
    floors = [int(d) for d in exact]            # d >= lo >= 0, so int() is floor
    left = int(sum(exact)) - sum(floors)
    order = sorted(range(n), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def place_cues(texts: list[tuple[str, str]], start: int, end: int, fps: Fraction,
               lead_in: int = 0, tail: int = 0, min_frames: int | None = None,
               max_frames: int | None = None) -> list[Cue]:
    """Lay out the subtitles of a shot spanning frames [start, end).

    `texts` are (speaker, text) pairs spoken in this order. Each text is split with `split_text`
    and the chunks are laid one after another, without gaps or overlaps, inside the window
    [start + lead_in, end - tail) (the whole shot if that window has fewer frames than there are
    chunks). Each chunk gets time proportional to its width (`display_width`), clamped to
    [min_frames, max_frames] (defaults: 1 s and 7 s at `fps`); if the window is too short for
    every chunk to get min_frames, they share it (each still at least one frame). When every
    chunk is at max_frames the cues end before the window does. Integer frames, deterministic.

    Raises ValueError when there are more chunks than frames in the shot, or for bad arguments.
    """
    fps = Fraction(fps)
    if fps <= 0:
        raise ValueError(f"fps must be positive, not {fps}")
    if lead_in < 0 or tail < 0:
        raise ValueError(f"lead_in and tail must be >= 0, not {lead_in} and {tail}")
    lo = max(1, round(fps)) if min_frames is None else int(min_frames)
    hi = round(fps * 7) if max_frames is None else int(max_frames)
    if lo < 1 or hi < lo:
        raise ValueError(f"need 1 <= min_frames <= max_frames, not {lo} and {hi}")

    chunks = [(speaker, chunk) for speaker, text in texts for chunk in split_text(text)]
    if not chunks:
        return []
    n = len(chunks)
    first, stop = start + lead_in, end - tail
    if stop - first < n:
        first, stop = start, end
    if stop - first < n:
        raise ValueError(f"{n} subtitle chunk(s) do not fit in a shot of {max(0, end - start)} frame(s)")
    window = stop - first
    if n * lo > window:
        lo = window // n
        hi = max(hi, lo)
    weights = [max(display_width(chunk.replace("\n", " ")), 1) for _, chunk in chunks]
    cues = []
    at = first
    for (speaker, chunk), frames in zip(chunks, _allocate(weights, window, lo, hi)):
        cues.append(Cue(at, at + frames, chunk, speaker))
        at += frames
    return cues


# --------------------------------------------------------------------------- writing

@dataclass(frozen=True)
class Caption:
    """Words on screen timed to speech, in milliseconds: [start_ms, end_ms). A film's subtitles
    are `Cue`s in its frames; captions are what words heard in a recording give before (or
    without: `film transcribe`) a film to place them on."""

    start_ms: int
    end_ms: int
    text: str


def captions_from_words(phrases: Sequence[tuple[str, Sequence[tuple[float, float]]]], max_chars: int = 42,
                        max_lines: int = 2, min_seconds: float = 1.0) -> list[Caption]:
    """Captions that follow spoken words: each phrase's text split by the subtitle rules, each
    chunk on screen from its first word's start to its last word's end (at least `min_seconds`
    when the next caption leaves room), in whole milliseconds.

    `phrases` holds (text, [(start, end) seconds for each whitespace-separated word of text]).
    A chunk that holds part of a word (Chinese and Japanese break inside a word) takes its share
    of the word's time by characters. Chunks whose words are not heard (zero-length times: a
    script the voice does not read) share the time until the next heard chunk by their width,
    or, at the end, follow one another, each on screen as long as it takes to read (at
    `READING_COLUMNS_PER_SECOND`, at least `min_seconds`).
    """
    ms = 1000
    captions: list[Caption] = []
    for text, times in phrases:
        if not times:
            continue
        # For each non-space character: its word, and where in the word it is (0..1).
        where = [(k, i / len(word), (i + 1) / len(word)) for k, word in enumerate(text.split())
                 for i in range(len(word))]
        if not where:
            continue

        def at(k: int, fraction: float) -> float:
            start, end = times[min(k, len(times) - 1)]
            return start + (end - start) * fraction

        done = 0
        for chunk in split_text(text, max_chars, max_lines):
            count = sum(not c.isspace() for c in chunk)
            span = where[done:done + count] or where[-1:]
            done += count
            start, end = at(span[0][0], span[0][1]), at(span[-1][0], span[-1][2])
            captions.append(Caption(round(start * ms), max(round(end * ms), round(start * ms) + 1), chunk))
    captions = _spread_unheard(captions, min_seconds)
    out: list[Caption] = []
    for i, caption in enumerate(captions):
        limit = captions[i + 1].start_ms if i + 1 < len(captions) else caption.start_ms + 10 * ms
        end = min(max(caption.end_ms, caption.start_ms + round(min_seconds * ms)), limit)
        out.append(replace(caption, end_ms=max(end, caption.start_ms + 1)))
    return out


READING_COLUMNS_PER_SECOND = 12.0   # a chunk not heard: 6 Chinese characters (or 12 letters) a second


def _spread_unheard(captions: list[Caption], min_seconds: float) -> list[Caption]:
    """Captions starting together (their words take no time: not spoken) spread out in time."""
    out: list[Caption] = []
    i = 0
    while i < len(captions):
        j = i + 1
        while j < len(captions) and captions[j].start_ms == captions[i].start_ms:
            j += 1
        group = captions[i:j]
        if len(group) > 1:
            first = group[0].start_ms
            widths = [max(display_width(c.text.replace("\n", " ")), 1) for c in group]
            if j < len(captions) and captions[j].start_ms > first + len(group):
                span = captions[j].start_ms - first
                edges = [first + round(span * sum(widths[:n]) / sum(widths)) for n in range(len(group) + 1)]
            else:
                edges = [first]
                for w in widths:
                    edges.append(edges[-1] + max(round(w / READING_COLUMNS_PER_SECOND * 1000),
                                                 round(min_seconds * 1000), 1))
            group = [replace(c, start_ms=edges[n],
                             end_ms=max(c.end_ms, edges[n + 1]) if n + 1 == len(group) else edges[n + 1])
                     for n, c in enumerate(group)]
        out += group
        i = j
    return out


def frames_to_ms(frame: int, fps: Fraction) -> int:
    """Milliseconds of a frame boundary: round(frame * 1000 / fps)."""
    return round(Fraction(frame) * 1000 / Fraction(fps))


def _ass_ms(frame: int, fps: Fraction) -> int:
    """A centisecond-exact time (in ms) in the middle of the interval between frames frame-1 and frame.

    ASS stores centiseconds and ffmpeg's subtitles filter asks libass for the frame's time in
    whole ms; a boundary placed mid-interval (error under 5 ms) is never mistaken for a
    neighbouring frame at frame rates up to ~90 fps. Frame 0 maps to 0.
    """
    return max(0, 10 * round((Fraction(frame) - Fraction(1, 2)) * 100 / Fraction(fps)))


def _protect_backslashes(text: str) -> str:
    # pysubs2 (and libass) read \N, \n and \h in event text as line breaks / hard spaces; keep a
    # literal backslash literal by putting an invisible word joiner after it.
    return re.sub(r"\\(?=[nNh])", "\\\\\u2060", text)


def _protect_srt_markup(text: str) -> str:
    # SubRip has no escapes, and players obey HTML-like tags (`<b>`, `<font>`) and ASS override
    # blocks (`{\fs200}`) in it: a word joiner after the `<` or `{` shows them as written.
    return re.sub(r"(<(?=[A-Za-z/])|\{(?=\\))", "\\1\u2060", text)


def _shown(cues: Sequence[Cue]) -> list[Cue]:
    return [c for c in sorted(cues, key=lambda c: (c.start, c.end)) if c.end > c.start]


def _timed(cues: Sequence[Cue], fps: Fraction) -> list[tuple[int, int, Cue]]:
    """(start ms, end ms, cue) of each cue shown, in time order."""
    return [(frames_to_ms(c.start, fps), frames_to_ms(c.end, fps), c) for c in _shown(cues)]


def _plain_events(timed: Sequence[tuple[int, int, Cue]], escape_html: bool, top_tag: bool = False) -> pysubs2.SSAFile:
    import pysubs2

    subs = pysubs2.SSAFile()
    for start, end, cue in timed:
        text = _protect_backslashes(cue.text)
        if escape_html:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        else:
            text = _protect_srt_markup(text)
        if top_tag and cue.align == "top":
            text = TOP_TAG + text
        subs.append(pysubs2.SSAEvent(start=start, end=end, text=text.replace("\n", r"\N"), name=cue.speaker))
    return subs


#: How a SubRip cue asks to be shown at the top centre (the ASS alignment 8 tag, which players
#: that read SRT honour: VLC, mpv, ffmpeg/libass, most TVs).
TOP_TAG = r"{\an8}"


def write_srt(cues: list[Cue], fps: Fraction, path: PathLike) -> None:
    """Write the cues as a SubRip (.srt) file, UTF-8, numbered in time order, times round(frame * 1000 / fps) ms.

    A cue at the top starts with `TOP_TAG`; SubRip has no way to say how far from the edge."""
    # keep_ssa_tags: pass the text through verbatim (only \N becomes a line break); there is no styling.
    _write_srt(_timed(cues, fps), path)


def _write_srt(timed: Sequence[tuple[int, int, Cue]], path: PathLike) -> None:
    write_text(Path(path), _plain_events(timed, escape_html=False, top_tag=True).to_string("srt", keep_ssa_tags=True))


def vtt_settings(cue: Cue) -> str:
    """The WebVTT cue settings that place `cue`: none for the player's own bottom line; at the
    top, its box's top `line:` its margin down (`line:5%`); raised from the bottom, its box's
    bottom edge there (`line:85%,end`)."""
    if cue.align == "top":
        return f"line:{_percent(TITLE_SAFE if cue.margin is None else cue.margin)}"
    if cue.margin is not None:
        return f"line:{_percent(1 - cue.margin)},end"
    return ""


_VTT_TIMING = re.compile(r"\d+:\d\d:\d\d\.\d{3} --> \d+:\d\d:\d\d\.\d{3}")


def _percent(fraction: float) -> str:
    return f"{round(100 * fraction, 2):g}%"


def write_vtt(cues: list[Cue], fps: Fraction, path: PathLike) -> None:
    """Write the cues as a WebVTT (.vtt) file, UTF-8, with &, < and > escaped as the format
    requires, and each cue's place in its settings (`vtt_settings`)."""
    _write_vtt(_timed(cues, fps), path)


def _write_vtt(timed: Sequence[tuple[int, int, Cue]], path: PathLike) -> None:
    text = _plain_events(timed, escape_html=True).to_string("vtt", keep_ssa_tags=True)
    # pysubs2 writes the cues in time order, one "start --> end" line each, as `timed` lists them.
    settings = iter([vtt_settings(cue) for _, _, cue in timed])
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if _VTT_TIMING.fullmatch(line):
            extra = next(settings, "")
            if extra:
                lines[n] = f"{line} {extra}"
    write_text(Path(path), "\n".join(lines))


def write_vtt_text(cues: Sequence[tuple[int, int, str]], path: PathLike) -> None:
    """Write (start ms, end ms, text) cues as a WebVTT file, escaped as `write_vtt` does (a
    chapters track: `export.chapters`)."""
    _write_vtt([(start, end, Cue(0, 0, text)) for start, end, text in cues], path)


def write_captions(captions: Sequence[Caption], srt: PathLike, vtt: PathLike) -> None:
    """Write captions (milliseconds) as a SubRip and a WebVTT file, at the bottom of the picture."""
    timed = [(c.start_ms, c.end_ms, Cue(0, 0, c.text))
             for c in sorted(captions, key=lambda c: (c.start_ms, c.end_ms)) if c.end_ms > c.start_ms]
    _write_srt(timed, srt)
    _write_vtt(timed, vtt)


# Bump when the look of burned-in subtitles changes, so cached segments are redrawn.
ASS_STYLE_VERSION = "6"  # 3: every script in a bundled font, one box per cue; 4: right-to-left cues, every
#                          face at the same em; 5: title-safe margins, cues at the top or raised; 6: braces as written


def _with_fonts(text: str, font_name: str, bold: bool) -> str:
    """`text` with a `\\fn` override before each run that `font_name` (a bundled face) lacks,
    naming the bundled face that has it (see `fonts.runs`): libass falls back only to the
    system's fonts, which a fresh machine may not have."""
    from . import fonts

    first = next((f for f in fonts.ALL if fonts.ass_family(f) == font_name), fonts.LATO)
    parts = fonts.runs(text, first)
    if all(face == first for _, face in parts):
        return text
    out = []
    scaled = False
    for run, face in parts:
        if out and out[-1].endswith("\\"):
            out[-1] += "\u2060"  # a backslash before "{" would escape the brace
        tag = "\\fn" + fonts.ass_family(face)
        # Each face drawn at the em of the first (libass sizes faces by their OS/2 heights).
        scale = round(100 * fonts.ass_em(first) / fonts.ass_em(face))
        scale = 100 if abs(scale - 100) <= 3 else scale
        if scale != 100 or scaled:
            tag += f"\\fscx{scale}\\fscy{scale}"
            scaled = scale != 100
        # Noto Sans CJK's default instance is Thin and libass draws the default instance: its
        # synthetic bold brings it to about the weight of the text around it.
        if face.path == fonts.CJK_FILE and not bold:
            tag += "\\b1"
        elif out and not bold:
            tag += "\\b0"
        out.append("{" + tag + "}" + run)
    return "".join(out)


_RTL_STYLE = "Right to left"


def _right_to_left(text: str) -> bool:
    """Whether `text` has right-to-left letters (Hebrew, Arabic, ...): its base direction is
    then left to libass to find (a Latin cue quoting a Hebrew word stays left to right)."""
    return not text.isascii() and any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def write_ass(cues: list[Cue], fps: Fraction, path: PathLike, width: int, height: int,
              font_name: str = "Lato", offset: int = 0) -> None:
    """Write the cues as an ASS file for burning in (ffmpeg's `subtitles` filter) on a `width` x `height` video.

    PlayResX/PlayResY match the video; one "Default" style: white text on a translucent dark
    box (readable on bright diagrams as on night scenes), bottom centre in the title-safe area
    (5% margins), font size about height/18 (smaller on portrait video, so 42 characters fit the
    width): `safe_areas.SubtitleLook`. A cue at the top is aligned top centre (`\an8`); a cue
    with its own `margin` has it as its vertical margin. Times are shifted by -`offset`
    frames, for a video segment that starts at frame `offset`: cues entirely before it are dropped,
    a cue straddling it starts at 0. Braces (ASS override blocks) in the text become parentheses.
    Characters `font_name` lacks are set in the bundled face that has them (`\\fn` overrides); the
    `subtitles` filter must be given `fontsdir=fonts.FONT_DIR`.
    """
    import pysubs2

    look = SubtitleLook(int(width), int(height))
    subs = pysubs2.SSAFile()
    subs.info.update({"PlayResX": str(int(width)), "PlayResY": str(int(height)),
                      "WrapStyle": "0", "ScaledBorderAndShadow": "yes"})
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=font_name,
        fontsize=float(look.font_size),
        primarycolor=pysubs2.Color(255, 255, 255, 0),
        secondarycolor=pysubs2.Color(255, 255, 255, 0),
        # `outline` is the box's padding; the outline itself is transparent (no halo round letters).
        outlinecolor=pysubs2.Color(0, 0, 0, 255),
        backcolor=pysubs2.Color(0, 0, 0, 100),
        bold=False,
        # BorderStyle 4 (libass): one box in the back colour behind the whole cue; 3 draws a box
        # per run, and a cue in several fonts showed seams where the boxes overlapped.
        borderstyle=4,
        outline=look.padding,
        shadow=0.0,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=look.margin_h,
        marginr=look.margin_h,
        marginv=look.margin_v(),
    )
    # libass lays a cue out left to right unless its style's Encoding is -1 (libass's own value:
    # the base direction found from the text, as the Unicode bidi algorithm does): without it a
    # Hebrew or Arabic cue's final "!" or "." was drawn on the right, after the first word.
    # Cues with right-to-left letters use that style; other cues keep the usual one.
    subs.styles[_RTL_STYLE] = subs.styles["Default"].copy()
    subs.styles[_RTL_STYLE].encoding = -1
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        first, stop = max(0, cue.start - offset), cue.end - offset
        if stop <= first:
            continue
        # libass reads `\{` and `\}` as the braces themselves (a bare `{` opens an override block).
        text = _with_fonts(_protect_backslashes(cue.text).replace("{", "\\{").replace("}", "\\}"), font_name, False)
        if cue.align == "top":
            text = TOP_TAG + text
        subs.append(pysubs2.SSAEvent(start=_ass_ms(first, fps), end=_ass_ms(stop, fps),
                                     text=text.replace("\n", r"\N"), name=cue.speaker,
                                     marginv=0 if cue.margin is None else max(1, look.margin_v(cue.margin)),
                                     style=_RTL_STYLE if _right_to_left(cue.text) else "Default"))
    write_text(Path(path), subs.to_string("ass"))


# ---------------------------------------------------------------------------------------------
# Cues for a planned film


# Subtitling by the book (Netflix Timed Text Style Guide; BBC Subtitle Guidelines).
MAX_CPS = 20.0            # characters a second a cue may ask of an adult (Netflix, English)
MAX_CPS_NARRATED = 17.0   # ... of a film only narrated, a lesson (Netflix: children's programmes)
MAX_SECONDS = 7.0         # the longest a cue stays up
MIN_SECONDS = Fraction(5, 6)   # the shortest (Netflix: five-sixths of a second, 20 frames at 24 fps)
GAP_FRAMES = 2            # frames between one cue and the next, so that a change of cue is seen
LAG_SECONDS = 0.125       # how late a later part of a line may come, for the part before to be read
HOLD_PAST_CUT_SECONDS = 0.5   # a cue that must run over a cut stays this long past it (12 frames at 24)


def reading_speed(plan: "Plan") -> float:
    """The most characters a second the film's cues may ask of a reader: `subtitles: {max_cps}`,
    else `MAX_CPS_NARRATED` for a film that is only narrated (no character speaks: a lesson, an
    explainer), else `MAX_CPS`."""
    chosen = plan.subtitles.max_cps
    if chosen:
        return float(chosen)
    narrated = all(speaker == "" for shot in plan.shots for speaker, _ in shot.texts)
    return MAX_CPS_NARRATED if narrated else MAX_CPS


def characters(cue: Cue) -> int:
    """What a reader reads of a cue: its characters, spaces and punctuation, not its line breaks."""
    return len(cue.text.replace("\n", ""))


def cues_for(plan: "Plan") -> list[Cue]:
    """Subtitle cues for narration and dialogue (frames): each line's first cue on screen when
    the line is first heard, timed and placed by `time_for_reading` and `place_cues_on_shots`."""
    fps = plan.fmt.fps
    pacing = plan.pacing
    cues: list[Cue] = []
    heard: set[int] = set()       # where a line's first cue starts: when it is first heard
    for shot, start in zip(plan.shots, plan.starts()):
        if shot.speech:
            end_of_shot = start + shot.frames
            for group in _spoken_together(shot.speech):
                begin = start + group[0].start
                if begin >= end_of_shot:
                    continue
                said = line_cues(group[0], begin, end_of_shot, fps) if len(group) == 1 else \
                    _together_cues(group, begin, end_of_shot, fps)
                heard.update(c.start for c in said[:1])
                cues += said
        elif shot.texts:
            cues += place_cues(list(shot.texts), start, start + shot.frames, fps,
                               lead_in=pacing.lead_in, tail=pacing.hold)
    bounds = [(start, start + shot.frames) for shot, start in zip(plan.shots, plan.starts())]
    cues = time_for_reading(no_overlap(cues), bounds, fps, reading_speed(plan), heard)
    return place_cues_on_shots(cues, plan)


def time_for_reading(cues: Sequence[Cue], shots: Sequence[tuple[int, int]], fps: Fraction, max_cps: float,
                     heard: Collection[int] = ()) -> list[Cue]:
    """The cues (in time order, not overlapping) timed to be read: `shots` are the cut's shots
    as [start, end) frames, `heard` the frames where a cue must start (a line's first words).

    1. A cue stays up while its shot runs on: until the next cue starts (`GAP_FRAMES` before
       it), or the cut, or `MAX_SECONDS` after it came, whichever is first (never shorter than
       its words are heard, but always the gap before the next).
    2. A cue that asks more than `max_cps` characters a second (`characters`) is helped:
       first by the next cue, a later part of the same line (not in `heard`), coming up to
       `LAG_SECONDS` late, as far as that cue stays readable itself; then, if the cut ended
       it, by running over the cut (at least `HOLD_PAST_CUT_SECONDS` past it, so it does not
       flash over the new shot), until the gap before the next cue or `MAX_SECONDS`.
    3. A cue shorter than `MIN_SECONDS` stays that long where the next cue leaves room.
    4. A line still too fast (a quick voice: the lag is not enough) has its later parts come
       later still, each as soon as the part before has been read, into the silence before
       the next line is heard (its first cue never moves). Only where the time from one line
       heard to the next cannot hold the line's characters at `max_cps` (the shot leaves no
       room: the plan's to lengthen) do its parts share that time by their length.
    """
    fps = Fraction(fps)
    ordered = sorted(cues, key=lambda c: (c.start, c.end))
    n = len(ordered)
    starts = [c.start for c in ordered]
    ends = [c.end for c in ordered]
    spoken = list(ends)          # until its words are heard
    was = list(starts)
    cut_at = sorted(end for _, end in shots)
    film_end = max(cut_at, default=max(ends, default=0))
    longest = round(fps * Fraction(str(MAX_SECONDS)))
    shortest = max(1, round(fps * Fraction(MIN_SECONDS)))
    lag = round(fps * Fraction(str(LAG_SECONDS)))
    hold = round(fps * Fraction(str(HOLD_PAST_CUT_SECONDS)))

    def cut_after(frame: int) -> int:
        k = bisect.bisect_right(cut_at, frame)
        return cut_at[k] if k < len(cut_at) else film_end

    def limit(i: int) -> int:
        return starts[i + 1] - GAP_FRAMES if i + 1 < n else film_end

    def needed(i: int) -> int:
        # a millisecond more, so that the times written (whole ms) keep the rate too
        return math.ceil((characters(ordered[i]) / Fraction(str(max_cps)) + Fraction(1, 1000)) * fps)

    for i in range(n):
        ends[i] = max(starts[i] + 1, min(max(ends[i], min(limit(i), cut_after(starts[i]), starts[i] + longest)), limit(i)))

    def push(j: int, amount: int) -> bool:
        """Start cue j `amount` frames later (within the lag), keeping it readable, if need be
        by pushing the cues after it too; all or nothing. A cue heard, or too fast already,
        does not move."""
        if j >= n or was[j] in heard or starts[j] + amount - was[j] > lag or ends[j] - starts[j] < needed(j):
            return False
        deficit = needed(j) - (ends[j] - starts[j] - amount)
        if deficit > 0:
            if ends[j] < limit(j) or not push(j + 1, deficit):
                return False
            ends[j] = limit(j)
        starts[j] += amount
        return True

    for i in range(n):
        short = needed(i) - (ends[i] - starts[i])
        if short > 0 and ends[i] >= limit(i):
            for amount in range(min(short, lag), 0, -1):
                if push(i + 1, amount):
                    ends[i] = limit(i)
                    short -= amount
                    break
        cut = cut_after(starts[i])
        if short > 0 and ends[i] >= cut and limit(i) > ends[i]:
            ends[i] = min(limit(i), starts[i] + longest, max(starts[i] + needed(i), cut + hold))
        if ends[i] - starts[i] < shortest:
            ends[i] = max(ends[i], min(limit(i), starts[i] + shortest))

    def settle(i: int) -> None:
        """Cue i's end by rules 1 to 3, from where it starts now."""
        last, cut = limit(i), cut_after(starts[i])
        end = min(max(spoken[i], min(last, cut, starts[i] + longest)), last)
        if end - starts[i] < needed(i) and end >= cut and last > end:
            end = min(last, starts[i] + longest, max(starts[i] + needed(i), cut + hold))
        if end - starts[i] < shortest:
            end = max(end, min(last, starts[i] + shortest))
        ends[i] = max(starts[i] + 1, end)

    # 4. A line whose parts are still too fast (a quick voice: its words come faster than they
    #    can be read, and the lag above is not enough) has its later parts re-laid between its
    #    first cue (heard: it stays) and the next line's, using the silence after it: each part
    #    as soon as the part before it has been read. Where even that whole span is too short
    #    for the line's characters, the parts share it by their lengths (the slowest rate the
    #    span allows).
    anchors = [i for i in range(n) if i == 0 or was[i] in heard] + [n]
    for a, b in zip(anchors, anchors[1:]):
        if all(ends[k] - starts[k] >= needed(k) for k in range(a, b)):
            continue
        end_of_run = starts[b] - GAP_FRAMES if b < n else film_end
        need = [needed(k) for k in range(a, b)]
        if starts[a] + sum(need) + GAP_FRAMES * (b - a - 1) <= end_of_run:
            latest = [0] * (b - a)
            latest[-1] = end_of_run - need[-1]
            for k in range(b - a - 2, -1, -1):
                latest[k] = latest[k + 1] - GAP_FRAMES - need[k]
            for k in range(a + 1, b):
                starts[k] = min(max(was[k], starts[k - 1] + need[k - a - 1] + GAP_FRAMES), latest[k - a])
        else:
            span = max(0, end_of_run - starts[a] - GAP_FRAMES * (b - a - 1))
            counts = [max(characters(ordered[k]), 1) for k in range(a, b)]
            for k in range(a + 1, b):
                starts[k] = max(starts[k - 1] + 1,
                                starts[a] + span * sum(counts[:k - a]) // sum(counts) + GAP_FRAMES * (k - a))
        for k in range(a, b):
            settle(k)
    return [replace(c, start=starts[i], end=ends[i]) for i, c in enumerate(ordered)]


def place_cues_on_shots(cues: Sequence[Cue], plan: "Plan") -> list[Cue]:
    """Each cue placed as `subtitles: {position, margin}` asks: at the bottom or the top, its
    margin from the edge. With `position: auto` (the default) a cue starting over a still is
    put where the still has no lettering of its own (`safe_areas.choose_place`, measured on the
    still as the shot's camera frames it while the cues are up): all the cues over one still
    go to the same place. Other shots keep the bottom (an animatic panel has its caption and
    slate at the top, out of the subtitles' way)."""
    position, margin = plan.subtitles.position, plan.subtitles.margin
    band = Place("top" if position == "top" else "bottom", TITLE_SAFE if margin is None else margin)
    placed = [replace(c, align=band.align, margin=margin) for c in cues]
    if position != "auto":
        return placed
    from .camera import canvas_size
    from .edit.safe_areas import choose_place, still_view

    fmt = plan.fmt
    look = SubtitleLook(fmt.width, fmt.height)
    for shot, start in zip(plan.shots, plan.starts()):
        if not isinstance(shot.source, StillSource) or shot.kind != "shot":
            continue
        mine = [k for k, c in enumerate(placed) if start <= c.start < start + shot.frames]
        if not mine:
            continue
        total = shot.head + shot.frames + shot.tail
        view = still_view(shot.source.image, canvas_size(fmt.width, fmt.height), shot.camera, total,
                          shot.source.background)
        if view is None:
            continue
        over = []
        for k in mine:
            cue = placed[k]
            last = min(cue.end, start + shot.frames) - 1
            frames = sorted({shot.head + f - start for f in range(cue.start, last, max(1, round(fmt.fps / 4)))}
                            | {shot.head + last - start})
            over.append((cue.text.split("\n"), frames))
        place = choose_place(view, look, band, over)
        for k in mine:
            placed[k] = replace(placed[k], align=place.align,
                                margin=None if place.margin == TITLE_SAFE and margin is None else place.margin)
    return placed


#: Before each speaker's line in a cue that two speakers share (Netflix: a hyphen before each
#: line; here with a space after it, the same in every cue).
DASH = "- "


def _spoken_together(lines) -> list[list]:
    """A shot's lines in groups said at the same time: a dual line starts with the line before."""
    groups: list[list] = []
    for line in lines:
        if groups and line.start == groups[-1][0].start and not line.recorded:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def line_cues(line, begin: int, end_of_shot: int, fps, max_lines: int = 2, max_chars: int = 42) -> list[Cue]:
    """The cues of one placed line (`plan.SpeechPlan`) heard from frame `begin`, never past
    `end_of_shot`: on its words' times when it has them, else spread over its length."""
    if line.words:
        return _cues_on_words(line, begin, end_of_shot, fps, max_lines, max_chars)
    return place_cues([(line.speaker, line.text)], begin, min(begin + line.frames, end_of_shot), fps)


def _together_cues(group, begin: int, end_of_shot: int, fps) -> list[Cue]:
    """Cues for lines spoken at the same time (dual dialogue, `ANN AND BOB`), as subtitlers set
    two speakers: the same words said by several are shown once; different lines share each
    cue, one line per speaker, each after a dash, from the first to start until the next."""
    # The same words, whatever their case or punctuation ("Together!" and "together").
    texts = {" ".join(re.sub(r"\W+", " ", line.text).casefold().split()) for line in group}
    if len(texts) == 1:
        longest = max(group, key=lambda line: line.frames)
        speakers = " & ".join(dict.fromkeys(line.speaker for line in group))
        return [replace(c, speaker=speakers) for c in line_cues(longest, begin, end_of_shot, fps)]
    # One line each, short enough for its dash.
    per_line = [line_cues(line, begin, end_of_shot, fps, max_lines=1, max_chars=40) for line in group]
    end = min(max(begin + line.frames for line in group), end_of_shot)
    out: list[Cue] = []
    for k in range(max(len(cues) for cues in per_line)):
        said = [cues[k] for cues in per_line if k < len(cues)]
        # Two speakers to a cue at most (a subtitle has two lines); a third waits for the next.
        for pair in (said[i:i + 2] for i in range(0, len(said), 2)):
            text = pair[0].text if len(pair) == 1 else "\n".join(DASH + c.text for c in pair)
            out.append(Cue(min(c.start for c in pair), end, text, " & ".join(c.speaker for c in pair)))
    # Each cue is up for at least a second before the next replaces it (as far as the lines last),
    # the gap between them (`GAP_FRAMES`) apart.
    least = max(round(fps), 1) + GAP_FRAMES
    for k in range(1, len(out)):
        out[k] = replace(out[k], start=min(max(out[k].start, out[k - 1].start + least), max(end - 1, out[k - 1].start + 1)))
    for k in range(len(out) - 1):
        out[k] = replace(out[k], end=max(out[k + 1].start, out[k].start + 1))
    return [c for c in out if c.end > c.start]


def _cues_on_words(line, begin: int, end_of_shot: int, fps, max_lines: int = 2, max_chars: int = 42) -> list[Cue]:
    """The line's written words, split into cues, each on screen from when its words are heard.

    `line.words` holds a time for each written word. Should the counts differ, written word k
    of N takes the time of word k*M/N.
    """
    written = line.text.split()
    heard = line.words
    times = heard if len(heard) == len(written) else \
        [heard[min(k * len(heard) // len(written), len(heard) - 1)] for k in range(len(written))]
    offset = float(begin / fps)
    phrase = [(line.text, [(offset + a, offset + b) for a, b in times])]
    captions = captions_from_words(phrase, max_chars=max_chars, max_lines=max_lines)
    out = []
    for n, caption in enumerate(captions):
        first = max(round(caption.start_ms * fps / 1000), begin)
        # A cue stays up until the next part of the line starts; the last until the line ends.
        follow = round(captions[n + 1].start_ms * fps / 1000) if n + 1 < len(captions) else begin + line.frames
        last = min(max(round(caption.end_ms * fps / 1000), follow), end_of_shot)
        if last > first:
            out.append(Cue(first, last, caption.text, line.speaker))
    return out


def no_overlap(cues: list[Cue]) -> list[Cue]:
    """On screen a cue ends where the next one starts (lines said together are already one cue);
    two cues starting together become one, each speaker's line after a dash (`DASH`) when
    they are one line each."""
    cues = sorted(cues, key=lambda c: (c.start, c.end))
    out: list[Cue] = []
    for cue in cues:
        if out and out[-1].end > cue.start:
            previous = out.pop()
            if cue.start > previous.start:
                out.append(replace(previous, end=cue.start))
            else:  # starting together: one cue with both
                both = [previous.text, cue.text]
                if previous.speaker != cue.speaker and all("\n" not in t for t in both):
                    both = [t if t.startswith(DASH) else DASH + t for t in both]
                cue = replace(cue, end=max(previous.end, cue.end), text="\n".join(both),
                              speaker=" & ".join(dict.fromkeys((previous.speaker, cue.speaker))))
        out.append(cue)
    return out
