"""The editor's timeline (timeline.otio): read back with OpenTimelineIO, it is the cut.

Clip order, cut points, durations and transitions are compared with build.json; then frames of
the cut are rebuilt from the timeline's edit decisions alone (which media file, which frame of
it, and across a dissolve both, blended) and compared with final.mp4's frames.
"""

from __future__ import annotations

import json
import re
import subprocess
from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest

from pipeline.edit import ffmpeg
from pipeline.export import otio as otio_export
from pipeline.transitions import split

from conftest import frames_of, solid_png, write_project


@pytest.fixture(scope="module")
def exported(lighthouse):
    stale = lighthouse.folder / otio_export.MEDIA / "audio" / "a-line-since-cut.wav"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"RIFF")
    otio_export.write(lighthouse, lighthouse.folder.parent)
    assert not stale.exists()   # the media folder holds what the timeline uses, no more
    timeline = otio.adapters.read_from_file(str(lighthouse.folder / otio_export.FILE))
    report = json.loads((lighthouse.folder / "build.json").read_text())
    return lighthouse, timeline, report


path_of = otio_export.file_of


def test_the_clips_are_the_cuts_shots_to_the_frame(exported):
    result, timeline, report = exported
    video = timeline.video_tracks()
    assert len(video) == 1
    clips = list(video[0].find_clips())
    assert [c.name for c in clips] == [s["id"] for s in report["shots"]]
    rate = float(result.plan.fmt.fps)
    for clip, shot in zip(clips, report["shots"]):
        placed = clip.range_in_parent()
        assert (placed.start_time.value, placed.duration.value) == (shot["start"], shot["frames"]), clip.name
        assert placed.start_time.rate == rate
        assert clip.metadata["film"]["seed"] == shot["seed"] and clip.metadata["film"]["prompt"] == shot["prompt"]
        # the media holds handles either side of what is cut in, a second at least
        available, used = clip.media_reference.available_range, clip.source_range
        assert used.start_time.value >= round(rate) and available.duration.value - used.end_time_exclusive().value \
            >= round(rate)
        info = ffmpeg.probe(path_of(clip))
        assert round(info.duration * rate) == available.duration.value, clip.name
    # each shot's file says how it was made, for whoever cuts it into another film
    header = ffmpeg.header(path_of(clips[1]))
    assert "Drawn by software" in header and "shot headland" in header
    assert "writer's own picture" in ffmpeg.header(path_of(next(c for c in clips if c.name == "photograph")))
    assert video[0].duration().value == report["frames"]


def test_the_transitions_sit_on_the_cuts_they_join(exported):
    _, timeline, report = exported
    found = [t for t in timeline.video_tracks()[0] if isinstance(t, otio.schema.Transition)]
    expected = [s for s in report["shots"][:-1] if s["transition"]["frames"]]
    assert [t.name for t in found] == [s["transition"]["name"] for s in expected]
    for transition, shot in zip(found, expected):
        before, after = split(shot["transition"]["frames"])
        assert (transition.in_offset.value, transition.out_offset.value) == (before, after)
        cut = shot["start"] + shot["frames"]
        assert transition.range_in_parent().start_time.value == cut - before
    assert {t.transition_type for t in found if t.name == "dissolve"} == {otio.schema.TransitionTypes.SMPTE_Dissolve}


def test_the_sound_is_on_its_own_tracks_with_scene_markers(exported):
    result, timeline, _ = exported
    names = [t.name for t in timeline.audio_tracks()]
    assert {"Dialogue TOM", "Dialogue ELSIE", "Narration", "Music", "Effects"} <= set(names)
    lines = {(line.speaker, line.text) for shot in result.plan.shots for line in shot.speech}
    on_tracks = {(c.metadata["film"]["speaker"], c.metadata["film"]["text"])
                 for t in timeline.audio_tracks() if t.name.startswith(("Dialogue", "Narration")) for c in t.find_clips()}
    assert on_tracks == lines
    # a line starts where the plan puts it on the cut, and its file lasts as long
    tom = next(t for t in timeline.audio_tracks() if t.name == "Dialogue TOM")
    first = next(iter(tom.find_clips()))
    shot = next(s for s in result.plan.shots if s.id == first.metadata["film"]["shot"])
    line = next(l for l in shot.speech if l.text == first.metadata["film"]["text"])
    start = result.plan.starts()[result.plan.shots.index(shot)] + line.start
    assert first.range_in_parent().start_time.value == start
    assert path_of(first).is_file() and path_of(first).parent.name == "audio"
    reference = next(t for t in timeline.audio_tracks() if t.name == "Mix (reference)")
    assert not reference.enabled and reference.duration().value == result.plan.total
    headings = [m.name for m in timeline.tracks.markers if m.color == otio.schema.MarkerColor.GREEN]
    assert headings == list(dict.fromkeys(s.heading.text for s in result.plan.shots if s.scene))


def test_the_timeline_rebuilds_the_cut_frame_by_frame(exported):
    """Which media frame the timeline puts on screen at sampled times, and at a dissolve's
    midpoint the two frames it blends, against what final.mp4 shows there."""
    result, timeline, _ = exported
    fmt = result.plan.fmt
    size = (fmt.width, fmt.height)
    track = timeline.video_tracks()[0]
    wanted: dict = {}   # media path -> frames; samples: (cut frame, [(path, frame, weight)])
    samples = []
    items = list(track)
    for i, item in enumerate(items):
        if isinstance(item, otio.schema.Transition):
            if item.transition_type != otio.schema.TransitionTypes.SMPTE_Dissolve:
                continue
            outgoing, incoming = items[i - 1], items[i + 1]
            cut = int(outgoing.range_in_parent().end_time_exclusive().value)
            before, after = int(item.in_offset.value), int(item.out_offset.value)
            # the centre of the dissolve, where both are seen as much: frames from the cut
            at = cut - before + (before + after) // 2
            weight = (at - (cut - before)) / (before + after)   # the incoming shot's share (xfade's fade)
            a = int(outgoing.source_range.start_time.value) + at - int(outgoing.range_in_parent().start_time.value)
            b = int(incoming.source_range.start_time.value) + at - cut
            samples.append((at, [(path_of(outgoing), a, 1 - weight), (path_of(incoming), b, weight)]))
            continue
        placed = item.range_in_parent()
        middle = int(placed.start_time.value + placed.duration.value // 2)
        samples.append((middle, [(path_of(item), int(item.source_range.start_time.value) + middle
                                  - int(placed.start_time.value), 1.0)]))
    assert sum(len(parts) == 2 for _, parts in samples) >= 2   # dissolves were sampled
    for _, parts in samples:
        for path, n, _ in parts:
            wanted.setdefault(path, []).extend([n, n + 12])
    media = {path: frames_of(path, frames) for path, frames in wanted.items()}
    cut = frames_of(result.output, [at for at, _ in samples])
    for at, parts in samples:
        rebuilt = sum(media[path][n] * w for path, n, w in parts)
        error = np.abs(rebuilt - cut[at]).mean()
        assert error < 3.0, f"frame {at}: the timeline's frame differs from the cut's by {error:.1f}"
    # the comparison can tell frames apart: half a second off, a moving shot differs (and a
    # dissolve's blend a frame off, by 1/24 of the way, differs by more than 3: measured 4.4)
    moving = [(at, parts) for at, parts in samples if len(parts) == 1
              and np.abs(media[parts[0][0]][parts[0][1] + 12] - media[parts[0][0]][parts[0][1]]).mean() > 3]
    assert moving, "no sampled shot moves"


def test_exact_frames_at_23_976(tmp_path):
    from pipeline.build import build

    folder = tmp_path / "ntsc"
    solid_png(folder / "red.png", (200, 30, 30))
    solid_png(folder / "blue.png", (30, 30, 200))
    write_project(folder, """
        title_card: false
        fps: 24000/1001
        size: 160x96
        scenes:
          - shots:
              - {id: one, image: red.png, duration: 1.5, transition: dissolve}
              - {id: two, image: blue.png, duration: 2}
    """)
    result = build(folder, renders=tmp_path / "renders", exports=("otio",))
    assert result.exported == (result.folder / otio_export.FILE,)
    timeline = otio.adapters.read_from_file(str(result.exported[0]))
    clips = list(timeline.video_tracks()[0].find_clips())
    rate = Fraction(24000, 1001)
    assert [c.range_in_parent().start_time.rate for c in clips] == [float(rate)] * 2
    assert [c.range_in_parent().duration.value for c in clips] == [s.frames for s in result.plan.shots]
    assert clips[1].range_in_parent().start_time.to_timecode() == otio.opentime.RationalTime(
        result.plan.shots[0].frames, float(rate)).to_timecode()
    end = timeline.video_tracks()[0].duration()
    assert end.value == result.plan.total and abs(end.to_seconds() - float(result.plan.total / rate)) < 1e-9


@pytest.mark.parametrize("name", ["fcp7xml", "edl", "kdenlive"])
def test_other_editors_formats_read_back_as_the_same_cut(exported, name):
    from pipeline.export import editors, get

    result, _, report = exported
    (path,) = get(name)(result, result.folder.parent)
    wanted = editors.FORMATS[name]
    extra = {"rate": float(result.plan.fmt.fps)} if name == "edl" else {}
    back = otio.adapters.read_from_file(str(path), adapter_name=wanted.adapter, **extra)
    video = back.video_tracks()[0]
    clips = list(video.find_clips())
    assert [c.name for c in clips] == [s["id"] for s in report["shots"]]
    assert video.duration().value == report["frames"]
    if not wanted.picture_only:   # every sound track but the reference mix, which these formats would play
        assert len(back.audio_tracks()) == len([t for t in exported[1].audio_tracks() if t.enabled])
    else:   # a reel per shot (CMX 3600 keeps 8 characters of a name: shot ids would merge)
        reels = re.findall(r"^\d{3}\s+(\S+)\s+V\s+[CDW]", path.read_text(), re.M)
        assert len(set(reels)) == len(report["shots"]) and all(len(r) <= 8 for r in reels)
    cuts = [s["start"] + s["frames"] for s in report["shots"][:-1]]
    if name == "fcp7xml":   # clips cut to cut, transitions centred on the cuts
        assert [(c.range_in_parent().start_time.value, c.duration().value) for c in clips] == [
            (s["start"], s["frames"]) for s in report["shots"]]
    if name != "kdenlive":  # (the Kdenlive adapter drops transitions: said in export.editors)
        found = [t.range_in_parent() for t in video if isinstance(t, otio.schema.Transition)]
        expected = [(cut - split(s["transition"]["frames"])[0], s["transition"]["frames"])
                    for cut, s in zip(cuts, report["shots"]) if s["transition"]["frames"]]
        assert [(r.start_time.value, r.duration.value) for r in found] == expected


def test_clean_keeps_the_editors_shots(exported):
    """The shots `film export` encoded are jobs of the film too: `film clean` leaves them."""
    from pipeline import measure
    from pipeline.build.clean import every_job
    from pipeline.cache import Cache
    from pipeline.parse import load

    result = exported[0]
    board = load(result.plan.source)
    cache = Cache(result.cache.root)
    kept = {job.output for job in every_job(board, cache, measure.check_media(board, cache=cache))}
    made = [job.output for _, job, _ in otio_export.media_jobs(result.plan, result.graph, result.cache)]
    assert made and all(output in kept and output.exists() for output in made)
