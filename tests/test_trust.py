"""Nothing trusted that is broken: every cached output is sealed with its size and digest when
made and checked when reused, so a file cut short, zeroed, replaced or edited is redone (with
"damaged" as the reason) and the cut is whole again; the published cut is a copy, not the
cache's own file; memo files holding garbage cost a re-hash, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from conftest import audio_samples, count_frames, solid_png, write_project
from pipeline.build import build
from pipeline.cache import damage, fingerprint, seal, seal_of

FILM = """
title: Kept Film
fps: 12
size: 160x96
seed: 3
music: {generate: ambient, gain: -6}
subtitles: on
scenes:
  - heading: EXT. BEACH - DAY
    shots:
      - id: beach
        prompt: "a girl walks along the shore"
        narration: "The sea was calm that day."
        transition: {name: dissolve, duration: 0.5}
      - id: photo
        image: red.png
        duration: 2
      - id: house
        prompt: "a candle in a window"
        narration: "Nobody came."
"""

# Each kind of cached output, and the file in it that is damaged (a folder's first file).
KINDS = ("shot", "voice", "music", "mix", "segment", "subtitles", "final")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(path.stat().st_size // 2, 1)])


def _zero(path: Path) -> None:
    with path.open("r+b") as handle:       # in place: same size, same inode
        handle.write(bytes(path.stat().st_size))


def _replace(path: Path) -> None:
    garbage = np.random.default_rng(7).integers(0, 256, path.stat().st_size, dtype=np.uint8).tobytes()
    other = path.with_name("other")
    other.write_bytes(garbage)
    os.replace(other, path)                # another file, same size, under the same name


DAMAGES = {"truncated": _truncate, "zeroed": _zero, "replaced": _replace}


def _film(tmp_path: Path) -> Path:
    folder = tmp_path / "kept"
    solid_png(folder / "red.png", (220, 30, 30))
    write_project(folder, FILM)
    return folder


def _file_of(output: Path) -> Path:
    return output if output.is_file() else sorted(p for p in output.rglob("*") if p.is_file())[0]


def _heard(video: Path) -> float:
    samples = audio_samples(video)
    return float(np.sqrt(np.mean(samples ** 2)))


def test_every_kind_of_damaged_output_is_found_and_redone_to_the_same_bytes(tmp_path):
    folder, renders = _film(tmp_path), tmp_path / "renders"
    first = build(folder, renders=renders)
    made = {r.kind: Path(r.output) for r in first.results if r.kind in KINDS}
    assert set(made) == set(KINDS)
    original = {kind: fingerprint(path) for kind, path in made.items()}
    frames, loudness = count_frames(first.output), _heard(first.output)
    assert frames == first.plan.total and loudness > 0.01

    # three rounds, each damaging every kind of output at once, each round a different way
    names = list(DAMAGES)
    for round_ in range(3):
        how = {kind: names[(i + round_) % 3] for i, kind in enumerate(KINDS)}
        for kind, path in made.items():
            DAMAGES[how[kind]](_file_of(path))
            assert damage(path), f"{how[kind]} {kind} not seen as damaged"
        again = build(folder, renders=renders)
        ran = {r.kind: r for r in again.results if r.status == "rendered"}
        assert set(ran) >= set(KINDS), f"round {round_}: not redone: {set(KINDS) - set(ran)}"
        for kind in KINDS:
            assert ran[kind].reason.kind == "damaged", (kind, how[kind], ran[kind].reason)
        assert "cut short" in str(next(r.reason for k, r in ran.items() if how.get(k) == "truncated"))
        for kind in ("voice", "subtitles", "shot"):   # a folder's damage names the file in it
            assert str(ran[kind].reason).startswith(f"damaged: {_file_of(made[kind]).name}: "), ran[kind].reason
        # only the damaged jobs ran: every other output (and every job downstream) was reused
        assert {(r.kind, r.id) for r in again.results if r.status == "rendered"} == \
            {(r.kind, r.id) for r in again.results if str(r.output) in {str(p) for p in made.values()}}
        # the same bytes as first made (same inputs, same frames), and the cut whole to the frame
        for kind, path in made.items():
            assert fingerprint(path).sha256 == original[kind].sha256, kind
        assert count_frames(again.output) == frames and abs(_heard(again.output) - loudness) < 1e-3
        assert fingerprint(again.output).sha256 == original["final"].sha256


def test_a_damaged_folder_output_names_the_file_in_its_own_sizes(tmp_path):
    folder = tmp_path / "subtitles"
    folder.mkdir()
    (folder / "subtitles.srt").write_bytes(b"s" * 669)
    (folder / "subtitles.vtt").write_bytes(b"v" * 677)
    seal(folder, fingerprint(folder))
    assert damage(folder) == ""
    (folder / "subtitles.srt").write_bytes(b"s" * 40)
    assert damage(folder) == "subtitles.srt: cut short: 40 of 669 bytes"
    (folder / "subtitles.srt").write_bytes(b"x" * 669)
    assert damage(folder) == "subtitles.srt: its bytes changed since it was made"
    (folder / "subtitles.srt").unlink()
    assert damage(folder) == "subtitles.srt gone"


def test_the_published_cut_is_a_copy_so_editing_it_leaves_the_cache_whole(tmp_path):
    folder, renders = _film(tmp_path), tmp_path / "renders"
    first = build(folder, renders=renders)
    cached = Path(next(r.output for r in first.results if r.kind == "final"))
    for published in (first.output, first.folder / "subtitles.srt", first.folder / "subtitles.vtt"):
        assert published.stat().st_nlink == 1 and not published.samefile(cached)
    copied = first.output.stat().st_ino
    assert build(folder, renders=renders).output.stat().st_ino == copied   # a no-op copies nothing
    _zero(first.output)                         # the user edits the published file in place
    assert damage(cached) == ""
    again = build(folder, renders=renders)
    assert again.rendered == 0 and count_frames(again.output) == first.plan.total   # copied again


def test_memo_files_holding_garbage_cost_work_never_a_traceback(tmp_path):
    folder, renders = _film(tmp_path), tmp_path / "renders"
    build(folder, renders=renders)
    for garbage in (b"\xff\xfe not json", b"[1, 2, 3]", b'{"x": 5, "y": [1], "z": {"key": 3}}', b""):
        for memo in ("manifest.json", "digests.json", "probes.json"):
            (renders / "kept" / "cache" / memo).write_bytes(garbage)
        again = build(folder, renders=renders)
        assert again.rendered == 0 and count_frames(again.output) == again.plan.total, garbage


def test_a_lost_report_or_half_the_cache_rebuilds_only_what_is_missing(tmp_path):
    folder, renders = _film(tmp_path), tmp_path / "renders"
    first = build(folder, renders=renders)
    (first.folder / "build.json").unlink()
    assert build(folder, renders=renders).rendered == 0
    assert json.loads((first.folder / "build.json").read_text())["rendered"] == 0
    segments = sorted((renders / "kept" / "cache" / "segment").glob("*.mp4"))
    gone = segments[::2]
    for path in gone:
        path.unlink()
    seal_of(segments[1]).unlink()              # a segment whose seal a kill prevented
    again = build(folder, renders=renders)
    ran = {Path(r.output) for r in again.results if r.status == "rendered"}
    assert ran == {*gone, segments[1]}, ran
    reasons = {Path(r.output): str(r.reason) for r in again.results if r.status == "rendered"}
    assert reasons[segments[1]].startswith("damaged: not sealed") and reasons[gone[0]] == "output missing"
    assert count_frames(again.output) == first.plan.total
