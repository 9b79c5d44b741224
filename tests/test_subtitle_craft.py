"""Subtitles by the book, where they can be read: reading speed, how long a cue stays up, dual
dialogue, line breaks (Netflix Timed Text Style Guide, BBC Subtitle Guidelines), and a place on
the frame of their own: never over the animatic's caption and slate, nor over a still's own
lettering where the picture leaves room elsewhere.

The examples are built at preview size. Where a burned frame is read, the subtitles' pixels are
where it differs from the same film built without them."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pysubs2
import pytest
from PIL import Image

from conftest import renders_from, write_project
from pipeline import subtitles
from pipeline.build import build, prepare
from pipeline.cache import Cache
from pipeline.edit import ffmpeg
from pipeline.edit.safe_areas import Place, SubtitleLook
from pipeline.generators.drawing import PanelRequest, draw_overlay
from pipeline.parse import load
from pipeline.subtitles import (
    DASH, TOP_TAG, Cue, cues_for, reading_speed, split_text, time_for_reading, write_ass, write_srt, write_vtt,
)

PROJECTS = Path(__file__).resolve().parent.parent / "projects"

# Words a line must not end on (unless punctuation closes them): articles and determiners,
# prepositions, conjunctions, subject pronouns, auxiliaries and copulas (BBC: keep each with
# what it leads into).
FUNCTION_WORDS = set("""
    a an the my your his her its our their every each
    to of in on at by for with from into onto about after before over under through without between against
    across along among around behind below beneath beside beyond during inside toward towards upon within
    and or but nor so as if than that when while because which who whom whose where until unless since though
    although whether i he she we they i'm i've i'll i'd you're you've you'll you'd he's she's it's we're we've
    we'll we'd they're they've they'll they'd
    do does did is are was were be been am has have had will would can could shall should may might must
""".split())
TEAL = (0, 150, 136)          # the diagrams' colour for the Collection stage (make_diagrams.py: COLL)


# --------------------------------------------------------------------------- builds

def _copy(project: str, folder: Path, subtitles: str) -> Path:
    """A copy of an example project (same name, so a build shares its cache) with `subtitles:` set."""
    target = folder / project
    shutil.copytree(PROJECTS / project, target)
    board = target / "storyboard.yaml"
    text = board.read_text(encoding="utf-8")
    if re.search(r"^subtitles:", text, re.M):
        text = re.sub(r"^subtitles:.*$", f"subtitles: {subtitles}", text, flags=re.M)
    else:
        text = f"subtitles: {subtitles}\n{text}"
    board.write_text(text, encoding="utf-8")
    return target


def _other_build(tmp_path_factory, project: str, result, other: str):
    """The example as it is (`result`, a build shared by the session), and built again without
    (or with) burned subtitles from its cache: (the example's result, its folder, the other's)."""
    copy = _copy(project, tmp_path_factory.mktemp("copy"), other)
    again = build(copy, renders=renders_from(result, tmp_path_factory.mktemp("other")), preview=True,
                  languages=())   # the film's own language is what these tests compare
    return result, result.folder, again


@pytest.fixture(scope="module")
def lessons(tmp_path_factory, lesson):
    """The burned-in lesson (as it is), and the same lesson without subtitles."""
    return _other_build(tmp_path_factory, "water-cycle", lesson, "off")


@pytest.fixture(scope="module")
def lighthouses(tmp_path_factory, lighthouse):
    """The short film as it is (sidecar subtitles), and the same film with them burned in."""
    return _other_build(tmp_path_factory, "lighthouse", lighthouse, "burn")


def srt_cues(path: Path) -> list[pysubs2.SSAEvent]:
    return list(pysubs2.load(str(path)))


def frames_of(video: Path, indices) -> dict[int, np.ndarray]:
    """Decode the frames `indices` (0-based) of `video` in one pass, as RGB arrays (ints)."""
    wanted = sorted(set(indices))
    select = "+".join(f"eq(n\\,{i})" for i in wanted)
    result = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(video), "-vf", f"select='{select}'",
                             "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                            capture_output=True, check=True)
    info = ffmpeg.probe(video)
    shape = (info.height, info.width, 3)
    data = np.frombuffer(result.stdout, np.uint8).reshape(-1, *shape)
    assert len(data) == len(wanted)
    return {i: frame.astype(int) for i, frame in zip(wanted, data)}


def drawn(burned: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Where a burned frame shows a subtitle: it differs from the frame without subtitles all
    round (the subtitle's box darkens every pixel under it; the encoder's noise, a few edges)."""
    differs = (np.abs(burned - clean).max(axis=-1) > 40).astype(np.float32)
    table = np.pad(differs, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    r = 2
    rows, cols = differs.shape
    y0, y1 = np.clip(np.arange(rows) - r, 0, rows), np.clip(np.arange(rows) + r + 1, 0, rows)
    x0, x1 = np.clip(np.arange(cols) - r, 0, cols), np.clip(np.arange(cols) + r + 1, 0, cols)
    share = (table[y1][:, x1] - table[y0][:, x1] - table[y1][:, x0] + table[y0][:, x0]) / \
        ((y1 - y0)[:, None] * (x1 - x0)[None, :])
    return (share >= 0.6) & (differs > 0)


def box_of(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def overlap(a, b) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def frame_of(ms: int, fps: Fraction) -> int:
    return round(Fraction(ms) * fps / 1000)


# --------------------------------------------------------------------------- reading speed

def cps(event: pysubs2.SSAEvent) -> float:
    return len(event.plaintext.replace("\n", "")) / ((event.end - event.start) / 1000)


def test_a_lesson_reads_at_17_characters_a_second_and_a_drama_at_20(lessons, lighthouses, screenplay):
    lesson, _, _ = lessons
    short_film, _, _ = lighthouses
    assert reading_speed(lesson.plan) == 17 and reading_speed(short_film.plan) == 20 == reading_speed(screenplay.plan)
    for result, most in ((lesson, 17), (short_film, 20), (screenplay, 20)):
        events = srt_cues(result.folder / "subtitles.srt")
        assert events
        fast = [(e.plaintext, round(cps(e), 2)) for e in events if cps(e) > most]
        assert not fast, fast


def test_a_chosen_reading_speed_is_kept(tmp_path):
    path = write_project(tmp_path / "film", """
        title_card: false
        speech: false
        subtitles: {max_cps: 12}
        scenes:
          - shots:
              - {id: a, prompt: a room, narration: "Every night at nine, the last ferry left Harrow for the island."}
              - {id: b, prompt: a pier, narration: "Nobody came."}
    """)
    plan, _ = prepare(load(path.parent), Cache(tmp_path / "cache"))
    assert reading_speed(plan) == 12
    cues = cues_for(plan)
    assert all(len(c.text.replace("\n", "")) / ((c.end - c.start) / 24) <= 12 for c in cues)


def test_a_quick_narrator_is_still_read_at_17_characters_a_second(tmp_path):
    """A lesson whose narrator speaks quickly (rate 1.3): the first part of a line (49
    characters, said in about 2.4 s) is up long enough to be read, its later part coming up
    later, into the silence after the line; each line's first cue still comes when it is heard."""
    path = write_project(tmp_path / "film", """
        title_card: false
        fps: 24
        narrator: {voice: {rate: 1.3}}
        scenes:
          - shots:
              - {id: a, prompt: a cloud, duration: 6, narration: "Warm air lifts the vapour high into the cold sky, where it cools and gathers into clouds."}
              - {id: b, prompt: a hill, duration: 2.2, narration: "Rain falls."}
    """)
    result = build(path, renders=tmp_path / "renders", preview=True)
    assert reading_speed(result.plan) == 17
    events = srt_cues(result.folder / "subtitles.srt")
    assert [e.plaintext for e in events][:2] == ["Warm air lifts the vapour\nhigh into the cold sky,",
                                                 "where it cools and gathers into clouds."]
    fast = [(e.plaintext, round(cps(e), 2)) for e in events if cps(e) > 17]
    assert not fast, fast
    from test_examples import assert_lines_subtitled_when_heard
    assert_lines_subtitled_when_heard(result)


def _quick_film(rng, fps: Fraction):
    """Narration only, as a plan lays it: each shot a line of random words after a 0.5 s lead-in,
    said at 12 to 26 characters a second, then a 0.8 s tail (or less: the shot cut short)."""
    words = ("rain cloud vapour the river sea mountain falls rises into and cold warm air high sky "
             "droplets gather evaporation precipitation collection, water, journey. invisible over").split()
    shots, lines, at = [], [], 0
    for _ in range(rng.integers(1, 5)):
        text = " ".join(rng.choice(words, rng.integers(1, 22))).strip(",.") + "."
        speed = rng.uniform(12, 26)             # characters a second
        times, t = [], float(rng.uniform(0, 0.1))
        for word in text.split():
            times.append((t, t + len(word) / speed))
            t += (len(word) + 1) / speed
        frames = math.ceil(t * fps)
        lead = round(fps / 2)
        length = lead + frames + round(int(rng.integers(0, 25)) * fps / 24)
        lines.append((at, SimpleNamespace(text=text, words=times, speaker="", frames=frames), at + lead, at + length))
        shots.append((at, at + length))
        at += length
    return shots, lines


def test_every_cue_is_read_at_17_characters_a_second_where_the_lines_leave_time():
    """Many quick narrations, timed as `cues_for` times them: every cue's first part comes when its
    line is heard and no cue asks more than 17 characters a second, wherever the time from a line
    heard to the next (its words, the silence after them) holds its characters at that rate; where
    it does not, the line's cues share that time by their length."""
    rng = np.random.default_rng(17)
    fps = Fraction(24)
    checked = 0
    for _ in range(300):
        shots, lines = _quick_film(rng, fps)
        cues, heard, first = [], set(), []
        for _, line, begin, end in lines:
            said = subtitles.line_cues(line, begin, end, fps)
            heard.update(c.start for c in said[:1])
            first.append(said[0].start)
            cues += said
        got = time_for_reading(subtitles.no_overlap(cues), shots, fps, 17, heard)
        assert [c.start for c in got if c.start in heard] == first
        assert all(a.end + 2 <= b.start for a, b in zip(got, got[1:]))
        for k, begin in enumerate(first):
            mine = [c for c in got if begin <= c.start < (first[k + 1] if k + 1 < len(first) else shots[-1][1] + 1)]
            span = (first[k + 1] - 2 if k + 1 < len(first) else shots[-1][1]) - begin
            need = [math.ceil((len(c.text.replace("\n", "")) / Fraction(17) + Fraction(1, 1000)) * fps) for c in mine]
            rates = [len(c.text.replace("\n", "")) / ((c.end - c.start) / fps) for c in mine]
            if sum(need) + 2 * (len(mine) - 1) <= span:
                assert max(rates) <= 17, [(c.text, c.start, c.end) for c in mine]
                checked += len(mine)
            else:
                share = sum(len(c.text.replace("\n", "")) for c in mine) / ((span - 2 * (len(mine) - 1)) / fps)
                assert max(rates) <= share * 1.1 + 1, (rates, share)
    assert checked > 300


# --------------------------------------------------------------------------- time on screen

def test_a_cue_stays_up_while_its_shot_runs(lessons, lighthouses, screenplay):
    """Until the next cue (2 frames before it), or the shot's end, or 7 s, whichever comes
    first; past the shot's end only for reading speed; never under 5/6 s where there is room."""
    checked = 0
    for result in (lessons[0], lighthouses[0], screenplay):
        plan = result.plan
        fps = plan.fmt.fps
        most = reading_speed(plan)
        cuts = [start + shot.frames for shot, start in zip(plan.shots, plan.starts())]
        events = srt_cues(result.folder / "subtitles.srt")
        for n, event in enumerate(events):
            start, end = frame_of(event.start, fps), frame_of(event.end, fps)
            following = frame_of(events[n + 1].start, fps) if n + 1 < len(events) else plan.total + 2
            shot_end = next(cut for cut in cuts if cut > start)
            limit = min(following - 2, start + 7 * fps)
            assert end <= limit, (event.plaintext, end, limit)
            assert end >= min(limit, shot_end), (event.plaintext, end, limit, shot_end)
            if end > shot_end:   # over the cut only to be read in time
                assert len(event.plaintext.replace("\n", "")) / float((shot_end - start) / fps) > most
            assert end - start >= min(round(fps * 5 / 6), following - 2 - start)
            checked += 1
    assert checked > 25


def test_timing_by_the_book():
    fps = Fraction(24)
    shots = [(0, 100), (100, 400)]
    cues = [Cue(10, 40, "Short."), Cue(50, 60, "Then this one, said quickly."), Cue(120, 150, "Last.")]
    got = time_for_reading(cues, shots, fps, 20, heard={10, 50, 120})
    assert [(c.start, c.end) for c in got] == [(10, 48), (50, 100), (120, 288)]   # next cue, cut, 7 s

    # Too fast at the cut: it runs on over it, at least 12 frames past, not into the next cue.
    fast = [Cue(60, 90, "Thirty-five characters said quickly."), Cue(130, 160, "Next.")]
    got = time_for_reading(fast, shots, fps, 17, heard={60, 130})
    assert got[0].end == 112 and got[1].start == 130

    # A later part of a line comes up to 3 frames late so that the part before is read in time;
    # a line's first cue (heard) never moves.
    parts = [Cue(0, 30, "When the drops grow,"), Cue(30, 100, "they fall as rain."), Cue(100, 110, "Then.")]
    got = time_for_reading(parts, [(0, 200)], fps, 17, heard={0, 100})
    assert got[0].start == 0 and got[1].start == 31 and got[0].end == 29 and got[2].start == 100
    # Where 3 frames are not enough, later still, into the silence before the next line: the
    # first part up for 33 characters at 17 a second (47 frames), the second 2 frames after it.
    parts = [Cue(0, 40, "When the droplets grow too heavy,"), Cue(40, 80, "they fall as rain."), Cue(100, 110, "Then.")]
    got = time_for_reading(parts, [(0, 200)], fps, 17, heard={0, 100})
    assert [(c.start, c.end) for c in got[:2]] == [(0, 47), (49, 98)] and got[2].start == 100


# --------------------------------------------------------------------------- dual dialogue and breaks

def test_dual_dialogue_is_one_cue_with_a_dash_before_each_speaker(tmp_path, screenplay):
    script = tmp_path / "dual.fountain"
    script.write_text("""Title: Dual

EXT. PIER - NIGHT

The ferry idles.

NELL
Cast off the bow line.

JUNE ^
Wait for me, wait!
""", encoding="utf-8")
    result = build(script, renders=tmp_path / "renders", preview=True)
    [both] = [e for e in srt_cues(result.folder / "subtitles.srt") if "Cast off" in e.plaintext]
    assert both.plaintext.split("\n") == [DASH + "Cast off the bow line.", DASH + "Wait for me, wait!"]
    # Said together in the same words (NELL AND JUNE): shown once, without dashes.
    said = [e.plaintext for e in srt_cues(screenplay.folder / "subtitles.srt")]
    assert "See you tonight." in said


def last_words(lines: list[str]) -> list[str]:
    """The lines' last words that leave a function word hanging (no punctuation after it)."""
    out = []
    for line in lines:
        word = line.split()[-1].lstrip(DASH.strip())
        if re.search(r"[.,;:!?…—–\"'”’)]$", word):
            continue
        if word.lower().replace("’", "'") in FUNCTION_WORDS:
            out.append(line)
    return out


def test_no_line_ends_on_a_function_word(lessons, lighthouses, screenplay):
    for result in (lessons[0], lighthouses[0], screenplay):
        events = srt_cues(result.folder / "subtitles.srt")
        lines = [line for e in events for line in e.plaintext.split("\n")]
        assert not last_words(lines), last_words(lines)
        assert all(len(e.plaintext.split("\n")) <= 2 for e in events)
        assert all(len(line) <= 42 for line in lines)
    # The lesson's line that ended on "they" now breaks at its comma, "they" with its verb.
    chunks = split_text("When the droplets grow too heavy, they fall as rain, or as snow on the mountains.")
    assert not last_words([line for chunk in chunks for line in chunk.split("\n")])
    assert chunks[0] == "When the droplets grow too heavy,"


@pytest.mark.parametrize("text", [
    "Tom, the Harriet is still out there and they can't see the rocks from the cliff.",
    "She gave the letter to the keeper of the light before the storm came in from the sea.",
    "We will follow the water as it rises into the air and then we will watch it fall again.",
])
def test_breaks_keep_function_words_with_what_follows(text):
    chunks = split_text(text)
    assert not last_words([line for chunk in chunks for line in chunk.split("\n")]), chunks
    assert " ".join(" ".join(chunks).split()) == text


@pytest.mark.parametrize("text, first", [
    ("Grandma, why do the flowers close at night?", "Grandma, why do the flowers\nclose at night?"),
    ("The rain falls into the rivers and it is the same water that the dinosaurs drank.",
     "The rain falls into the rivers"),
])
def test_an_auxiliary_stays_with_its_verb(text, first):
    """Not "Grandma, why do / the flowers close at night?" nor "...and it is / the same...":
    an auxiliary or copula (do, is, have, will, ...) goes to the line with its verb or complement."""
    for max_chars, max_lines in ((42, 2), (40, 1)):
        chunks = split_text(text, max_chars, max_lines)
        lines = [line for chunk in chunks for line in chunk.split("\n")]
        assert not last_words(lines), chunks
        assert all(len(line) <= max_chars for line in lines) and all(chunk.count("\n") < max_lines for chunk in chunks)
        assert " ".join(" ".join(chunks).split()) == text
    assert split_text(text)[0] == first
    # Closed by punctuation, it ends a line like any other word.
    assert split_text("Do you know the way to the harbour? Yes, I do. Then take me there tonight.") == \
        ["Do you know the way to the harbour?\nYes, I do. Then take me there tonight."]


# --------------------------------------------------------------------------- places on the frame

def teal_box(frame: np.ndarray):
    """Where the diagram's Collection stage is drawn (its label and arrow, in teal), or None."""
    near = np.abs(frame - np.array(TEAL)).max(axis=-1) < 40
    return box_of(near) if near.sum() > 30 else None


def test_subtitles_leave_the_diagrams_collection_box_uncovered(lessons):
    """Over the overview (Collection's label at the bottom) and the summary (its box at the
    bottom): the subtitles go to the top, and never over the Collection label or box."""
    result, kept, clean = lessons
    plan = result.plan
    fps = plan.fmt.fps
    look = SubtitleLook(plan.fmt.width, plan.fmt.height)
    events = srt_cues(kept / "subtitles.srt")
    ids = [s.id for s in plan.shots]
    picked = {}
    for shot_id in ("overview", "summary"):
        n = ids.index(shot_id)
        shot, start = plan.shots[n], plan.starts()[n]
        end = start + shot.frames
        over = [e for e in events if start <= frame_of(e.start, fps) < end]
        assert over and all(e.text.startswith(TOP_TAG) for e in over)
        # the frames where the still is seen whole, out of the transitions on either side
        seen = (start + plan.shots[n - 1].transition_frames // 2 + 1, end - shot.transition_frames // 2 - 1)
        for e in over:
            a, b = frame_of(e.start, fps), frame_of(e.end, fps)
            for f in (a + 2, (a + b) // 2, b - 3):
                if seen[0] <= f <= seen[1]:
                    picked[f] = e
    assert len(picked) >= 8
    burned, unburned = frames_of(kept / "final.mp4", picked), frames_of(clean.output, picked)
    for f, event in picked.items():
        subtitle = box_of(drawn(burned[f], unburned[f]))
        collection = teal_box(unburned[f])
        assert collection is not None
        assert not overlap(subtitle, collection), (f, event.plaintext, subtitle, collection)
        # The box is where the ASS writer's geometry says (within the video's blur).
        expected = look.box(event.plaintext.split("\n"), Place("top"))
        assert all(abs(got - want) <= 6 for got, want in zip(subtitle, expected)), (subtitle, expected)


def test_captions_slates_and_burned_subtitles_keep_to_their_own_bands(lighthouses):
    """In every cue of the burned short film (three frames each), the subtitles' rows share
    none with the caption band or the slate of the animatic panels; the caption is at the top
    in both films (a player draws the sidecar's subtitles at the bottom)."""
    sidecar, kept, burned_result = lighthouses
    plan = burned_result.plan
    fps = plan.fmt.fps
    overlays = [np.asarray(Image.open(p)) for p in (kept.parent).rglob("overlay.png")]
    assert overlays
    caption_rows, slate_rows = set(), set()
    for overlay in overlays:
        alpha = overlay[..., 3] > 0
        caption_rows |= set(np.flatnonzero(alpha[:, -1]))                       # the band spans the width
        slate_rows |= set(np.flatnonzero(alpha[:, : overlay.shape[1] // 3].any(axis=1)))
        assert np.flatnonzero(alpha[:, -1]).max() < overlay.shape[0] / 2          # caption at the top
    panels = [(start, start + s.frames) for s, start in zip(plan.shots, plan.starts()) if s.generator.name == "animatic"]
    events = srt_cues(burned_result.folder / "subtitles.srt")
    picked = []
    for e in events:
        a, b = frame_of(e.start, fps), frame_of(e.end, fps)
        picked += [f for f in (a + 2, (a + b) // 2, b - 3) if any(lo <= f < hi for lo, hi in panels)]
    assert len(picked) > 10
    burned, clean = frames_of(burned_result.output, picked), frames_of(kept / "final.mp4", picked)
    for f in picked:
        rows = set(np.flatnonzero(drawn(burned[f], clean[f]).sum(axis=1) >= 3))
        assert len(rows) > 5, f
        assert not rows & caption_rows and not rows & slate_rows, f


def test_the_placement_is_written_in_every_format(tmp_path):
    cues = [Cue(0, 24, "At the top"), Cue(30, 60, "Raised", margin=0.2), Cue(70, 90, "Down here"),
            Cue(100, 120, "Low at the top", align="top", margin=0.12)]
    cues[0] = Cue(0, 24, "At the top", align="top")
    write_srt(cues, Fraction(24), tmp_path / "a.srt")
    write_vtt(cues, Fraction(24), tmp_path / "a.vtt")
    write_ass(cues, Fraction(24), tmp_path / "a.ass", 1280, 720)
    srt = (tmp_path / "a.srt").read_text(encoding="utf-8")
    assert f"{TOP_TAG}At the top" in srt and f"{TOP_TAG}Low at the top" in srt and srt.count(TOP_TAG) == 2
    vtt = (tmp_path / "a.vtt").read_text(encoding="utf-8").splitlines()
    timings = [line for line in vtt if "-->" in line]
    assert [(t.split(" --> ")[1].split(" ", 1) + [""])[1] for t in timings] == \
        ["line:5%", "line:80%,end", "", "line:12%"]
    assert "{" not in "".join(vtt)
    ass = pysubs2.load(str(tmp_path / "a.ass"))
    assert [e.text.startswith(TOP_TAG) for e in ass] == [True, False, False, True]
    assert [e.marginv for e in ass] == [0, 144, 0, 86]
    style = ass.styles["Default"]
    assert style.marginv == 36 and style.marginl == style.marginr == 64     # the title-safe 5%


def test_position_and_margin_are_the_writers_choice(tmp_path):
    def cues_with(setting: str):
        folder = tmp_path / setting.replace(" ", "").replace(":", "").replace(",", "").strip("{}")
        shutil.copytree(PROJECTS / "water-cycle" / "assets", folder / "assets")
        path = write_project(folder, f"""
            title_card: false
            speech: false
            size: 640x360
            subtitles: {setting}
            scenes:
              - shots:
                  - {{id: overview, image: assets/01-title.png, camera: zoom-out, narration: "Every drop of water on Earth is on a journey."}}
                  - {{id: panel, prompt: a harbour at dawn, narration: "The boats come home."}}
        """)
        plan, _ = prepare(load(path.parent), Cache(folder / "cache"))
        return {c.text: (c.align, c.margin) for c in cues_for(plan)}

    auto = cues_with("burn")
    assert auto == {"Every drop of water\non Earth is on a journey.": ("top", None), "The boats come home.": ("bottom", None)}
    assert set(cues_with("{mode: burn, position: bottom}").values()) == {("bottom", None)}
    assert set(cues_with("{mode: sidecar, position: top, margin: 8%}").values()) == {("top", 0.08)}
    assert set(cues_with("{position: bottom, margin: 36px}").values()) == {("bottom", 0.1)}


def test_subtitle_settings_are_checked_with_their_line(tmp_path):
    from pipeline.errors import StoryboardError

    path = write_project(tmp_path / "film", """
        title: Settings
        subtitles: {mode: burn, postion: top, margin: 45%, max_cps: 2}
        scenes: [{shots: [a room]}]
    """)
    with pytest.raises(StoryboardError) as error:
        load(path.parent)
    found = [str(p) for p in error.value.problems]
    assert any(p.endswith(":2: unknown key 'postion' in subtitles (did you mean 'position'?)") for p in found), found
    assert any(":2: subtitles margin 45% is more than 40%" in p for p in found), found
    assert any(":2: subtitles max_cps (characters a second) must be at least 5" in p for p in found), found
    path.write_text("subtitles: {position: middle}\nscenes: [{shots: [a room]}]\n", encoding="utf-8")
    with pytest.raises(StoryboardError) as error:
        load(path.parent)
    assert str(error.value.problems[0]).endswith(":1: unknown subtitles position 'middle'; one of: auto, bottom, top")


def test_the_caption_and_slate_go_where_the_subtitles_are_not():
    request = PanelRequest(width=400, height=226, frame_width=320, frame_height=180, setting="EXT", location="PIER",
                           time_of_day="NIGHT", cast=(), caption="The ferry idles at the end of the pier.",
                           scene_label="SC 1", shot_id="pier", camera="static", seed=1)
    accent = (232, 176, 64)

    def layout(subtitles_at: str):
        ov = np.asarray(draw_overlay(PanelRequest(**{**request.__dict__, "subtitles_at": subtitles_at})))
        band = np.flatnonzero(ov[:, -1, 3] > 0)
        slate = np.flatnonzero((np.abs(ov[..., :3].astype(int) - accent).max(axis=-1) < 12).any(axis=1))
        return band, slate

    band, slate = layout("bottom")          # subtitles at the bottom: caption at the top, slate below it
    assert band.max() < 60 and slate.min() > band.max()
    band, slate = layout("auto")
    assert band.max() < 60
    band, slate = layout("top")             # subtitles at the top: caption at the bottom, slate above it
    assert band.min() > 120 and slate.max() < band.min() and slate.min() > 90
    band, slate = layout("")                # no subtitles: as the panel's caption_at says
    assert band.min() > 120 and slate.max() < 40
