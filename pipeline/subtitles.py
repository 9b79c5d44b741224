"""Subtitles: split spoken text into cues, time them on a shot, write SRT, WebVTT and ASS.

The file formats are pysubs2's job: every writer builds a `pysubs2.SSAFile` and lets pysubs2
serialise it ("srt", "vtt", "ass"). What this module owns is the part no library does: breaking
text into subtitle chunks by the usual broadcast rule (at most 2 lines of at most 42 columns,
a Chinese, Japanese or Korean character taking two; breaking at sentence ends, then at clause
boundaries, then between words, or between Chinese and Japanese characters, with balanced
lines) and laying those chunks out in time over a shot.

Times are integer frames at a frame rate given as a `fractions.Fraction`; they become
milliseconds only when a file is written (`frames_to_ms`: ``round(frame * 1000 / fps)``). ASS
times have centisecond resolution, so `write_ass` places each cue boundary in the middle of the
frame interval (see `_ass_ms`), which makes burned-in subtitles change on exactly the right
frame. Files are written under a temporary name in the same folder and moved into place with
`os.replace`, so an interrupted write never leaves a partial file.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import pysubs2

from .cache import write_text

if TYPE_CHECKING:
    from .plan import Plan

__all__ = [
    "Cue", "split_text", "place_cues", "frames_to_ms", "display_width",
    "write_srt", "write_vtt", "write_ass",
]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class Cue:
    """One subtitle on screen over frames [start, end)."""

    start: int          # first frame on screen
    end: int            # first frame after (exclusive)
    text: str           # may contain "\n" between its (at most 2) lines
    speaker: str = ""   # character name, "" for narration


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
#: Words a line (or a chunk) should not end on: articles, short prepositions, conjunctions.
_WEAK_ENDINGS = frozenset(
    "a an the to of in on at by for with from into onto about after before over under through without "
    "between against and or but nor so as if than that when while because which who whom whose where "
    "until unless since my your his her its our their".split()
)

# Costs for breaking between chunks inside one sentence (a sentence that does not fit).
_CHUNK_COST = 300.0
_CLAUSE_BREAK_COST = 300.0
_WORD_BREAK_COST = 1500.0
_WEAK_BREAK_COST = 300.0
_SLACK_WEIGHT = 0.05
# Bonuses and penalties for where the line break inside a chunk goes (vs. squared imbalance).
_LINE_SENTENCE_BONUS = 300.0   # two lines differing by d cost d**2 / 2: a single short word
_LINE_CLAUSE_BONUS = 200.0     # on a line (d >= ~28 when lines are <= 42) still loses
_LINE_WEAK_PENALTY = 50.0


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
class _Token:
    word: str
    sentence_end: bool = False   # a sentence ends after this word
    clause_end: bool = False     # a clause ends after this word (comma, semicolon, dash, ...)
    weak: bool = False           # an article, preposition or conjunction
    space: bool = True           # a space before it when it follows another token on a line
    width: int = -1              # display columns (`display_width`)


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


def _tokens(text: str, max_chars: int) -> list[_Token]:
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
        tokens.append(_Token(word, sentence_end, clause_end, bare.strip(".,;:!?…") in _WEAK_ENDINGS,
                             space, display_width(word)))
    return tokens


def _gap(t: _Token) -> int:
    return 1 if t.space else 0


def _length(tokens: Sequence[_Token]) -> int:
    return sum(t.width for t in tokens) + sum(_gap(t) for t in tokens[1:])


def _join(tokens: Sequence[_Token]) -> str:
    return "".join((" " if n and t.space else "") + t.word for n, t in enumerate(tokens))


def _lines_needed(tokens: Sequence[_Token], max_chars: int) -> int:
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


def _fits(tokens: Sequence[_Token], max_chars: int, max_lines: int) -> bool:
    return _lines_needed(tokens, max_chars) <= max_lines


def _layout(tokens: Sequence[_Token], max_chars: int) -> tuple[list[str], float]:
    """Break one chunk into the fewest lines, balanced, preferring breaks at punctuation.

    Returns the lines and the layout's cost (squared deviations of the line widths from their
    mean, plus penalties for breaking after a weak word, minus bonuses for breaking after
    punctuation); 0 for a single line.
    """
    if _length(tokens) <= max_chars:
        return [_join(tokens)], 0.0
    k = _lines_needed(tokens, max_chars)
    n = len(tokens)
    mean = _length(tokens) / k
    prefix, gaps = [0], [0]
    for t in tokens:
        prefix.append(prefix[-1] + t.width)
        gaps.append(gaps[-1] + _gap(t))

    def break_cost(j: int) -> float:          # cost of a line break after tokens[j - 1]
        t = tokens[j - 1]
        if t.sentence_end:
            return -_LINE_SENTENCE_BONUS
        if t.clause_end:
            return -_LINE_CLAUSE_BONUS
        return _LINE_WEAK_PENALTY if t.weak else 0.0

    inf = float("inf")
    # best[l][j]: cost of laying tokens[:j] on l lines; back[l][j]: where line l starts.
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    back = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for lines in range(1, k + 1):
        for j in range(1, n + 1):
            for i in range(j - 1, -1, -1):
                width = prefix[j] - prefix[i] + gaps[j] - gaps[i + 1]
                if width > max_chars:
                    break
                if best[lines - 1][i] == inf:
                    continue
                cost = best[lines - 1][i] + (width - mean) ** 2
                if j < n:
                    cost += break_cost(j)
                if lines == 1 and width > mean:
                    cost += 0.5                  # tie-break: a pyramid (short top line) reads best
                if cost < best[lines][j]:
                    best[lines][j], back[lines][j] = cost, i
    out: list[str] = []
    j = n
    for lines in range(k, 0, -1):
        i = back[lines][j]
        out.append(_join(tokens[i:j]))
        j = i
    return out[::-1], best[k][n]


def _split_sentence(tokens: Sequence[_Token], max_chars: int, max_lines: int) -> list[list[_Token]]:
    """Split one sentence that does not fit a chunk: fewest chunks, at clauses where possible, even sizes."""
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
            if j == n:
                cut = 0.0
            elif last.clause_end or last.sentence_end:
                cut = _CLAUSE_BREAK_COST
            else:
                cut = _WORD_BREAK_COST + (_WEAK_BREAK_COST if last.weak else 0.0)
            cost = (best[i] + _CHUNK_COST + cut + _SLACK_WEIGHT * (capacity - _length(chunk)) ** 2
                    + _layout(chunk, max_chars)[1])
            if cost < best[j]:
                best[j], back[j] = cost, i
    chunks = []
    j = n
    while j > 0:
        chunks.append(list(tokens[back[j]:j]))
        j = back[j]
    return chunks[::-1]


def _pack_sentences(sentences: Sequence[Sequence[_Token]], max_chars: int,
                    max_lines: int) -> list[list[_Token]]:
    """Group consecutive whole sentences (each fits a chunk) into as few, as full chunks as possible."""
    n = len(sentences)
    capacity = max_chars * max_lines
    inf = float("inf")
    best = [inf] * (n + 1)
    back = [0] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        merged: list[_Token] = []
        for j in range(i + 1, n + 1):
            merged = merged + list(sentences[j - 1])
            if not _fits(merged, max_chars, max_lines):
                break
            cost = (best[i] + _CHUNK_COST + _SLACK_WEIGHT * (capacity - _length(merged)) ** 2
                    + _layout(merged, max_chars)[1])
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
    punctuation and avoiding one after an article or preposition. A single word longer than
    `max_chars` is hard-split.
    """
    if max_chars < 1 or max_lines < 1:
        raise ValueError(f"max_chars and max_lines must be >= 1, not {max_chars} and {max_lines}")
    tokens = _tokens(text, max_chars)
    if not tokens:
        return []
    sentences: list[list[_Token]] = [[]]
    for t in tokens:
        sentences[-1].append(t)
        if t.sentence_end:
            sentences.append([])
    sentences = [s for s in sentences if s]

    chunks: list[list[_Token]] = []
    run: list[list[_Token]] = []            # consecutive sentences that each fit a chunk
    for sentence in sentences:
        if _fits(sentence, max_chars, max_lines):
            run.append(sentence)
            continue
        chunks += _pack_sentences(run, max_chars, max_lines)
        run = []
        chunks += _split_sentence(sentence, max_chars, max_lines)
    chunks += _pack_sentences(run, max_chars, max_lines)
    return ["\n".join(_layout(chunk, max_chars)[0]) for chunk in chunks]


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

def cues_from_words(phrases: Sequence[tuple[str, Sequence[tuple[float, float]]]], rate: int = 1000,
                    max_chars: int = 42, max_lines: int = 2, min_seconds: float = 1.0) -> list[Cue]:
    """Cues that follow spoken words: each phrase's text split by the subtitle rules, each chunk
    on screen from its first word's start to its last word's end (at least `min_seconds` when
    the next cue leaves room), in units of 1/`rate` s.

    `phrases` holds (text, [(start, end) seconds for each whitespace-separated word of text]).
    A chunk that holds part of a word (Chinese and Japanese break inside a word) takes its share
    of the word's time by characters. Chunks whose words are not heard (zero-length times: a
    script the voice does not read) share the time until the next heard chunk by their width,
    or, at the end, follow one another, each on screen as long as it takes to read (at
    `READING_COLUMNS_PER_SECOND`, at least `min_seconds`).
    """
    cues: list[Cue] = []
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
            cues.append(Cue(round(start * rate), max(round(end * rate), round(start * rate) + 1), chunk))
    cues = _spread_unheard(cues, rate, min_seconds)
    out: list[Cue] = []
    for i, cue in enumerate(cues):
        limit = cues[i + 1].start if i + 1 < len(cues) else cue.start + 10 * rate
        end = min(max(cue.end, cue.start + round(min_seconds * rate)), limit)
        out.append(replace(cue, end=max(end, cue.start + 1)))
    return out


READING_COLUMNS_PER_SECOND = 12.0   # a chunk not heard: 6 Chinese characters (or 12 letters) a second


def _spread_unheard(cues: list[Cue], rate: int, min_seconds: float) -> list[Cue]:
    """Cues starting together (their words take no time: not spoken) spread out in time."""
    out: list[Cue] = []
    i = 0
    while i < len(cues):
        j = i + 1
        while j < len(cues) and cues[j].start == cues[i].start:
            j += 1
        group = cues[i:j]
        if len(group) > 1:
            widths = [max(display_width(c.text.replace("\n", " ")), 1) for c in group]
            if j < len(cues) and cues[j].start > group[0].start + len(group):
                span = cues[j].start - group[0].start
                edges = [group[0].start + round(span * sum(widths[:n]) / sum(widths)) for n in range(len(group) + 1)]
            else:
                edges = [group[0].start]
                for w in widths:
                    edges.append(edges[-1] + max(round(w / READING_COLUMNS_PER_SECOND * rate),
                                                 round(min_seconds * rate), 1))
            group = [replace(c, start=edges[n], end=max(c.end, edges[n + 1]) if n + 1 == len(group) else edges[n + 1])
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


def _plain_events(cues: Sequence[Cue], fps: Fraction, escape_html: bool) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in sorted(cues, key=lambda c: (c.start, c.end)):
        if cue.end <= cue.start:
            continue
        text = _protect_backslashes(cue.text)
        if escape_html:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        subs.append(pysubs2.SSAEvent(start=frames_to_ms(cue.start, fps), end=frames_to_ms(cue.end, fps),
                                     text=text.replace("\n", r"\N"), name=cue.speaker))
    return subs


def write_srt(cues: list[Cue], fps: Fraction, path: PathLike) -> None:
    """Write the cues as a SubRip (.srt) file, UTF-8, numbered in time order, times round(frame * 1000 / fps) ms."""
    # keep_ssa_tags: pass the text through verbatim (only \N becomes a line break); there is no styling.
    write_text(Path(path), _plain_events(cues, fps, escape_html=False).to_string("srt", keep_ssa_tags=True))


def write_vtt(cues: list[Cue], fps: Fraction, path: PathLike) -> None:
    """Write the cues as a WebVTT (.vtt) file, UTF-8, with &, < and > escaped as the format requires."""
    write_text(Path(path), _plain_events(cues, fps, escape_html=True).to_string("vtt", keep_ssa_tags=True))


# Bump when the look of burned-in subtitles changes, so cached segments are redrawn.
ASS_STYLE_VERSION = "4"  # 3: every script in a bundled font, one box per cue; 4: right-to-left cues, every
#                          face at the same em


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
    box (readable on bright diagrams as on night scenes), bottom centre, font size about height/18 (smaller on portrait video, so 42
    characters fit the width), vertical margin about height/20. Times are shifted by -`offset`
    frames, for a video segment that starts at frame `offset`: cues entirely before it are dropped,
    a cue straddling it starts at 0. Braces (ASS override blocks) in the text become parentheses.
    Characters `font_name` lacks are set in the bundled face that has them (`\\fn` overrides); the
    `subtitles` filter must be given `fontsdir=fonts.FONT_DIR`.
    """
    subs = pysubs2.SSAFile()
    subs.info.update({"PlayResX": str(int(width)), "PlayResY": str(int(height)),
                      "WrapStyle": "0", "ScaledBorderAndShadow": "yes"})
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname=font_name,
        fontsize=float(round(min(height / 18, width / 26))),
        primarycolor=pysubs2.Color(255, 255, 255, 0),
        secondarycolor=pysubs2.Color(255, 255, 255, 0),
        # `outline` is the box's padding; the outline itself is transparent (no halo round letters).
        outlinecolor=pysubs2.Color(0, 0, 0, 255),
        backcolor=pysubs2.Color(0, 0, 0, 100),
        bold=False,
        # BorderStyle 4 (libass): one box in the back colour behind the whole cue; 3 draws a box
        # per run, and a cue in several fonts showed seams where the boxes overlapped.
        borderstyle=4,
        outline=max(1.0, round(height / 110, 1)),
        shadow=0.0,
        alignment=pysubs2.Alignment.BOTTOM_CENTER,
        marginl=round(width / 40),
        marginr=round(width / 40),
        marginv=round(height / 20),
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
        text = _with_fonts(_protect_backslashes(cue.text).replace("{", "(").replace("}", ")"), font_name, False)
        subs.append(pysubs2.SSAEvent(start=_ass_ms(first, fps), end=_ass_ms(stop, fps),
                                     text=text.replace("\n", r"\N"), name=cue.speaker,
                                     style=_RTL_STYLE if _right_to_left(cue.text) else "Default"))
    write_text(Path(path), subs.to_string("ass"))


# ---------------------------------------------------------------------------------------------
# Cues for a planned film


def cues_for(plan: "Plan") -> list[Cue]:
    """Subtitle cues for narration and dialogue, timed within their shots (frames)."""
    fps = plan.fmt.fps
    pacing = plan.board.project.pacing
    cues: list[Cue] = []
    for shot, start in zip(plan.shots, plan.starts()):
        if shot.speech:
            # Each line's subtitles stay on screen while it is spoken (cut off where the shot is).
            end_of_shot = start + shot.frames
            for group in _spoken_together(shot.speech):
                begin = start + group[0].start
                if begin >= end_of_shot:
                    continue
                if len(group) == 1:
                    cues += _line_cues(group[0], begin, end_of_shot, fps)
                else:
                    cues += _together_cues(group, begin, end_of_shot, fps)
        elif shot.texts:
            cues += place_cues(list(shot.texts), start, start + shot.frames, fps,
                                    lead_in=round(pacing.lead_in * fps), tail=round(pacing.tail * fps))
    return _no_overlap(cues)


def _spoken_together(lines) -> list[list]:
    """A shot's lines in groups said at the same time: a dual line starts with the line before."""
    groups: list[list] = []
    for line in lines:
        if groups and line.start == groups[-1][0].start and not line.recorded:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _line_cues(line, begin: int, end_of_shot: int, fps, max_lines: int = 2, max_chars: int = 42) -> list[Cue]:
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
        return [replace(c, speaker=speakers) for c in _line_cues(longest, begin, end_of_shot, fps)]
    # One line each, short enough for its dash.
    per_line = [_line_cues(line, begin, end_of_shot, fps, max_lines=1, max_chars=40) for line in group]
    end = min(max(begin + line.frames for line in group), end_of_shot)
    out: list[Cue] = []
    for k in range(max(len(cues) for cues in per_line)):
        said = [cues[k] for cues in per_line if k < len(cues)]
        # Two speakers to a cue at most (a subtitle has two lines); a third waits for the next.
        for pair in (said[i:i + 2] for i in range(0, len(said), 2)):
            text = pair[0].text if len(pair) == 1 else "\n".join(f"- {c.text}" for c in pair)
            out.append(Cue(min(c.start for c in pair), end, text, " & ".join(c.speaker for c in pair)))
    # Each cue is up for at least a second before the next replaces it (as far as the lines last).
    least = max(round(fps), 1)
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
    cues = cues_from_words(phrase, rate=1000, max_chars=max_chars, max_lines=max_lines)
    out = []
    for n, cue in enumerate(cues):
        first = max(round(cue.start * fps / 1000), begin)
        # A cue stays up until the next part of the line starts; the last until the line ends.
        follow = round(cues[n + 1].start * fps / 1000) if n + 1 < len(cues) else begin + line.frames
        last = min(max(round(cue.end * fps / 1000), follow), end_of_shot)
        if last > first:
            out.append(Cue(first, last, cue.text, line.speaker))
    return out


def _no_overlap(cues: list[Cue]) -> list[Cue]:
    """On screen a cue ends where the next one starts (lines said together are already one cue)."""
    cues = sorted(cues, key=lambda c: (c.start, c.end))
    out: list[Cue] = []
    for cue in cues:
        if out and out[-1].end > cue.start:
            previous = out.pop()
            if cue.start > previous.start:
                out.append(replace(previous, end=cue.start))
            else:  # starting together: one cue with both
                cue = replace(cue, end=max(previous.end, cue.end), text=f"{previous.text}\n{cue.text}")
        out.append(cue)
    return out
