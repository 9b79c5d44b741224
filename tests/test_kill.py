"""kill -9 at any moment, then rebuild: the build succeeds, the cut is valid, every job finished
before the kill is reused.

Twenty kills at random moments (seeded, stratified) of a small film that has every kind of job
(voice, card, shot, segment, music, mix, subtitles, final). The renders folder is kept across
the kills, as a user's would be: each build starts from what the one killed before it left.
Half the kills take the whole process group (the build and its ffmpeg processes at once), half
only the build process, whose ffmpeg processes its warden must then kill.

Seventeen kills come at a moment in time: a fraction of how long that build should take from
what the cache holds (a cold build's time when nothing is made, a cached build's when all is,
and never less than the longest job still to make), one fraction drawn uniformly inside each
seventeenth of (0, 1), in rising order, so the kills sweep start-up, speech and pictures and
sound as the cache fills. The last three come once every job is done, at a random moment of
the ~0.1 s left (the last checks and publishing), which moments in time would almost never hit.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from pipeline.cache import damage
from conftest import audio_samples, count_frames, write_project

KILLS = 10
PUBLISHING = 3   # of them while final.mp4 is published
NAME = "kill-film"
STORYBOARD = """\
    title: Kill Film
    fps: 12
    size: 160x96
    seed: 9
    music: {generate: ambient, gain: -6}
    cast:
      ANA: {look: "red coat"}
    scenes:
      - heading: EXT. PIER - DAY
        shots:
          - id: pier
            prompt: "an empty pier"
            narration: "Nobody fished here any more."
            transition: {name: dissolve, duration: 0.5}
          - id: gull
            prompt: "a gull lands"
            duration: 2
            camera: zoom-in
      - heading: INT. CAFE - NIGHT
        shots:
          - id: cafe
            prompt: "a lamp in a cafe window"
            lines:
              - ANA: "We close at nine."
"""


def command(project: Path, renders: Path) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", str(project), "--out", str(renders)]


def timed_build(project: Path, renders: Path) -> tuple[float, float, dict]:
    """Build to the end; its wall time, the time from its last stage line ("pictures and sound")
    to its end (the jobs, then publishing), and its build.json."""
    started = time.monotonic()
    process = subprocess.Popen(command(project, renders), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    lines, last = [], started
    for line in process.stdout:
        lines.append(line)
        if line.startswith("pictures and sound:"):
            last = time.monotonic()
    process.wait(timeout=300)
    ended = time.monotonic()
    assert process.returncode == 0, "".join(lines)
    return ended - started, ended - last, json.loads((renders / NAME / "build.json").read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sealed(renders: Path) -> dict[Path, str]:
    """Every output the cache holds a seal for (temporary names aside) → what damage() says."""
    found = {}
    for seal in (renders / NAME / "cache").rglob("*.seal"):
        if ".tmp-" not in seal.name:
            output = seal.with_name(seal.name.removesuffix(".seal"))
            found[output] = damage(output)
    return found


def intact(renders: Path) -> dict[Path, tuple[int, int]]:
    """The outputs that are finished (sealed and intact) → (inode, mtime): what a build that
    reuses them leaves as it is."""
    return {output: (output.stat().st_ino, output.stat().st_mtime_ns)
            for output, problem in sealed(renders).items() if problem == ""}


def alive_in_group(group: int) -> list[str]:
    """The processes of process group `group` still running (zombies, which no longer run, aside)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if rest[0] != "Z" and int(rest[2]) == group:
            found.append(f"{entry.name} {comm}")
    return found


def published_stamp(renders: Path) -> tuple:
    """What the published cut is now (a build publishes a new file, even of the same cut), and
    whether one is being published."""
    folder = renders / NAME
    final = folder / "final.mp4"
    publishing = folder.exists() and any(".final.tmp-" in name for name in os.listdir(folder))
    return (final.stat().st_ino if final.exists() else None, publishing)


def stage(log: Path, renders: Path, before: dict) -> str:
    """The stage a killed build was in: the last stage it announced, or publishing once it has
    sealed the final job."""
    text = log.read_text(encoding="utf-8", errors="replace")
    if any(output.parent.name == "final" and problem == "" and output not in before
           for output, problem in sealed(renders).items()):
        return "publishing"
    if "pictures and sound:" in text:
        return "pictures and sound"
    return "speech" if "speech:" in text else "start-up"


def test_kill_9_at_any_moment_then_rebuild(tmp_path):
    project = tmp_path / NAME
    write_project(project, STORYBOARD)

    # A clean, uninterrupted build elsewhere: how long a cold build takes, each job's share of
    # it, and the cut every build of this film must make, byte for byte.
    clean = tmp_path / "clean"
    cold, _, reference = timed_build(project, clean)
    expected = sha256(clean / NAME / "final.mp4")
    warm, tail, again = timed_build(project, clean)
    assert {job["status"] for job in again["jobs"]} == {"cached"}
    share = {job["output"].replace(str(clean), "", 1): job["seconds"] for job in reference["jobs"]}
    assert {job["kind"] for job in reference["jobs"]} >= {"voice", "card", "shot", "segment", "music", "mix",
                                                          "subtitles", "final"}

    renders = tmp_path / "renders"
    rng = random.Random(20240909)
    # Most kills at a moment in time; the last few once every job is done, in the milliseconds
    # the build takes to publish the cut, which moments in time would all but never hit.
    timed = KILLS - PUBLISHING
    moments = [(slot + rng.random()) / timed for slot in range(timed)] + [None] * PUBLISHING
    whole_group = [True, False] * (KILLS // 2)
    rng.shuffle(whole_group)
    log = tmp_path / "build.log"
    history = []
    for fraction, group in zip(moments, whole_group):
        before = intact(renders)
        was_published = published_stamp(renders)
        left = [seconds for output, seconds in share.items() if renders / output.lstrip("/") not in before]
        expect = warm + max((cold - warm) * sum(left) / sum(share.values()), max(left, default=0))
        moment = None if fraction is None else fraction * expect
        with log.open("wb") as out:
            started = time.monotonic()
            process = subprocess.Popen(command(project, renders), stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
            if moment is None:   # once every job is done: between the last stage line and the end
                seals = [renders / f"{output.lstrip('/')}.seal" for output in share]
                while process.poll() is None and time.monotonic() - started < 120 and not (
                        "pictures and sound:" in log.read_text(errors="replace") and all(map(Path.exists, seals))):
                    time.sleep(0.001)
                moment = time.monotonic() - started + rng.random() * tail
            while process.poll() is None and time.monotonic() - started < moment:
                time.sleep(0.001 if fraction is None else 0.005)
            killed = process.poll() is None
            if killed:
                if group:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    os.kill(process.pid, signal.SIGKILL)
            process.wait()
        if not killed:
            where = "finished"
        elif fraction is None:
            where = "publishing" if published_stamp(renders) != was_published else "last jobs"
        else:
            where = stage(log, renders, before)
        history.append(f"{moment:5.2f} s {'group' if group else 'build'} → {where}")
        if not killed:
            assert process.returncode == 0, log.read_text(errors="replace")
        # Whatever was killed with the build (or by its warden) is gone: nothing writes on.
        deadline = time.monotonic() + 10
        while alive_in_group(process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        left_running = alive_in_group(process.pid)
        if left_running:
            os.killpg(process.pid, signal.SIGKILL)
        assert not left_running, f"still running 10 s after the build was killed: {left_running}\n{history}"
        # Nothing half-written is trusted: every sealed output is whole.
        damaged = {str(output): problem for output, problem in sealed(renders).items() if problem}
        assert not damaged, f"sealed but damaged after kill {len(history)}: {damaged}\n{history}"
        # A published cut is whole: the old one or the new one, never part of one.
        published = renders / NAME / "final.mp4"
        assert not published.exists() or sha256(published) == expected, f"kill {len(history)}\n{history}"
        if (renders / NAME / "build.json").exists():
            json.loads((renders / NAME / "build.json").read_text(encoding="utf-8"))
        # What was finished before this build was reused by it, not made again.
        after = intact(renders)
        remade = [str(output) for output, stamp in before.items() if after.get(output) != stamp]
        assert not remade, f"finished before kill {len(history)} but made again: {remade}\n{history}"

    summary = "\n".join(history)
    print(summary)
    print(f"cold {cold:.2f} s, cached {warm:.2f} s (publishing {tail * 1000:.0f} ms)")
    assert sum(" → finished" not in line for line in history) >= KILLS // 2, summary
    before = intact(renders)
    done = subprocess.run(command(project, renders), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stderr}\n{summary}"

    report = json.loads((renders / NAME / "build.json").read_text(encoding="utf-8"))
    status = {Path(job["output"]): job["status"] for job in report["jobs"]}
    assert len(status) == len(reference["jobs"])
    # a job's output is reused when the build reports it cached; a part of the mix (no job of its
    # own: a chunk, a measurement) when the mix left it as it was
    after = intact(renders)
    not_reused = {str(output): status.get(output) for output in before
                  if (status.get(output) != "cached" if output in status else after.get(output) != before[output])}
    print(f"last build: {sum(s == 'rendered' for s in status.values())} of {len(status)} jobs rendered")
    assert not not_reused, f"finished before the last build but not reused: {not_reused}\n{summary}"

    final = renders / NAME / "final.mp4"
    assert count_frames(final) == report["frames"] == reference["frames"]
    samples = audio_samples(final)
    assert len(samples) and float((samples.astype("float64") ** 2).mean() ** 0.5) > 0.01
    assert sha256(final) == expected, summary
    assert not [str(p) for p in renders.rglob("*.tmp-*")], summary
