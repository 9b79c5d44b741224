"""Builds side by side: one build of a film at a time (the others wait, and say so), a project
never overwrites another of the same name, and ffmpeg dies with a build killed by SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import count_frames, write_project
from pipeline.edit.children import descendants

SMALL = """
title_card: false
fps: 12
size: 160x96
scenes:
  - shots:
      - {id: one, prompt: "a quiet harbour", duration: 2}
      - {id: two, prompt: "a boat leaves", duration: 2, camera: zoom-in}
"""


def start(*args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_three_builds_of_one_film_at_once_all_succeed_one_after_another(tmp_path):
    folder = tmp_path / "harbour"
    write_project(folder, SMALL)
    builds = [start("build", str(folder), "--jobs", "1", cwd=tmp_path) for _ in range(3)]
    outcomes = [(p.wait(timeout=300), *p.communicate()) for p in builds]
    assert all(code == 0 for code, _, _ in outcomes), outcomes
    # one made the film; the others waited (and said so) and then found everything made
    assert sorted(int(out.split()[0]) for _, out, _ in outcomes)[:2] == [0, 0], outcomes
    assert any("another build of harbour is running" in err for _, _, err in outcomes), outcomes
    renders = folder / "renders" / "harbour"
    assert count_frames(renders / "final.mp4") == 48
    assert not [p for p in renders.rglob("*") if ".tmp-" in p.name]


def test_two_projects_of_one_name_sharing_out_never_touch_each_others_cut(tmp_path):
    first, second = tmp_path / "a" / "film", tmp_path / "b" / "film"
    write_project(first, SMALL)
    write_project(second, SMALL.replace("a quiet harbour", "a busy harbour"))
    out = tmp_path / "out"
    assert start("build", str(first), "--out", str(out), cwd=tmp_path).wait(timeout=300) == 0
    cut = (out / "film" / "final.mp4").read_bytes()
    refused = start("build", str(second), "--out", str(out), cwd=tmp_path)
    assert refused.wait(timeout=300) == 1
    err = refused.stderr.read()
    assert err.strip() == (f"{out / 'film'}: holds the builds of {first / 'storyboard.yaml'}, another project named "
                           f"'film'; build {second / 'storyboard.yaml'} with --out OTHER_FOLDER, or rename one of them"), err
    assert (out / "film" / "final.mp4").read_bytes() == cut
    planned = start("plan", str(second), "--out", str(out), cwd=tmp_path)   # reading it is said, not refused
    assert planned.wait(timeout=60) == 0
    assert f"out/film: warning: holds the builds of {first / 'storyboard.yaml'}" in planned.stderr.read()
    # cleaning it, even as a dry run, is refused: the other project's outputs are not "unused"
    for dry in (["--dry-run"], []):
        cleaned = start("clean", str(second), "--out", str(out), *dry, cwd=tmp_path)
        assert cleaned.wait(timeout=60) == 1 and "holds the builds of" in cleaned.stderr.read(), dry
    assert (out / "film" / "final.mp4").read_bytes() == cut
    # the first project moved away: its folder is handed over to the one that builds now
    first.rename(tmp_path / "a" / "moved")
    assert start("build", str(second), "--out", str(out), cwd=tmp_path).wait(timeout=300) == 0


def _ffmpeg_writing_into(folder: Path) -> list[int]:
    """Process ids of ffmpeg processes whose command line names `folder`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if command and b"ffmpeg" in Path(command[0].decode(errors="replace")).name.encode() \
                    and any(str(folder).encode() in part for part in command):
                found.append(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            out.add(pid)
    return out


@pytest.mark.parametrize("executor", ["threads", "processes", "ray"])
def test_everything_a_build_started_dies_with_it_when_it_is_killed_by_sigkill(tmp_path, executor):
    folder = tmp_path / "long"
    # shots that take ffmpeg seconds each to encode, so that one left running would be seen
    shots = "\n".join(f"      - {{id: s{n}, prompt: 'shot {n}', duration: 8, camera: zoom-in}}" for n in range(4))
    write_project(folder, f"title_card: false\nfps: 24\nsize: 1280x720\nscenes:\n  - shots:\n{shots}\n")
    renders = tmp_path / "renders"
    process = start("build", str(folder), "--out", str(renders), "--jobs", "2", "--executor", executor, cwd=tmp_path)
    deadline = time.time() + 120
    while time.time() < deadline and not _ffmpeg_writing_into(renders):
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.02)
    assert _ffmpeg_writing_into(renders), "no ffmpeg seen running"
    started = descendants(process.pid)            # ffmpeg, the warden, worker processes, Ray's
    assert any(pid in started for pid in _ffmpeg_writing_into(renders)), started   # it sees what runs
    os.kill(process.pid, signal.SIGKILL)        # the build alone, as the kernel's OOM killer would
    process.wait()
    time.sleep(0.5)                             # the warden kills them at once; an orphan runs on for seconds
    assert _ffmpeg_writing_into(renders) == []
    deadline = time.time() + 5                  # workers notice within 0.2 s, the pool's helpers soon after
    while _alive(started) and time.time() < deadline:
        time.sleep(0.1)
    assert not _alive(started), [Path(f"/proc/{p}/cmdline").read_bytes()[:80] for p in _alive(started)]


@pytest.mark.parametrize("sent, code, said", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_ctrl_c_or_kill_stops_the_build_at_once_with_one_line(tmp_path, sent, code, said):
    """Ctrl-C (SIGINT), or `kill` (SIGTERM: a scheduler stopping a job), stops the build in
    about a second with one line: its exit code 128 + the signal, its ffmpeg processes killed."""
    folder = tmp_path / "long"
    shots = "\n".join(f"      - {{id: s{n}, prompt: 'shot {n}', duration: 8, camera: zoom-in}}" for n in range(4))
    write_project(folder, f"title_card: false\nfps: 24\nsize: 1280x720\nscenes:\n  - shots:\n{shots}\n")
    renders = tmp_path / "renders"
    process = start("build", str(folder), "--out", str(renders), "--jobs", "2", cwd=tmp_path)
    deadline = time.time() + 120
    while time.time() < deadline and not _ffmpeg_writing_into(renders):
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.02)
    asked = time.time()
    process.send_signal(sent)                 # to the build alone: its ffmpeg processes are its to stop
    exited = process.wait(timeout=30)
    stopped = time.time() - asked
    err = process.stderr.read()
    assert exited == code and err.splitlines()[-1] == f"{said}; nothing half-written is kept", err
    # Its ffmpeg processes are killed, not waited for (each encode here takes several seconds);
    # a panel being drawn in Python is finished first. About a second on an idle machine.
    assert "Traceback" not in err and stopped < 10, (stopped, err)
    assert _ffmpeg_writing_into(renders) == []
    assert not [p for p in renders.rglob("*") if ".tmp-" in p.name]


def test_a_copied_project_brings_its_renders_and_builds_from_them(tmp_path):
    import shutil

    original = tmp_path / "a" / "harbour"
    write_project(original, SMALL)
    assert start("build", str(original), cwd=tmp_path).wait(timeout=300) == 0
    copy = tmp_path / "b" / "harbour"
    shutil.copytree(original, copy)             # renders and all: they record the original
    built = start("build", str(copy), cwd=tmp_path)
    assert built.wait(timeout=300) == 0, built.stderr.read()
    assert built.stdout.read().startswith("0 rendered,")
