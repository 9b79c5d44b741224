"""When the machine says no (a full disk, a limit on file size, ffmpeg killed by a signal),
the build stops with one line naming the job and what to do, exit 2, no traceback, and
nothing half-written that the next build trusts."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import count_frames, write_project

TINY = """\
speech: false
title_card: false
scenes:
  - shots:
      - {id: a, prompt: a lighthouse at dusk, duration: 1}
      - {id: b, prompt: waves on the rocks, duration: 1}
"""


def film(*args: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    """`film ARGS` in a child process, with a limit on the size of any file it writes."""
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          preexec_fn=limit if limit_bytes else None, timeout=300)


def test_ffmpeg_stopped_by_the_file_size_limit_says_so():
    """A negative return code is the signal that ended ffmpeg: named, with what it means (this
    used to read 'ffmpeg exited -25:' and nothing else)."""
    script = textwrap.dedent("""
        import resource, sys, tempfile
        from pipeline.edit.ffmpeg import FFmpegError, run
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))
        try:
            run(["-f", "lavfi", "-i", "sine=d=2", tempfile.mkdtemp() + "/tone.wav"], what="tone")
        except FFmpegError as error:
            print(error)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60).stdout
    assert out.startswith("tone: ffmpeg was stopped by SIGXFSZ: a file grew past the size limit on files (ulimit -f)")


def test_a_file_size_limit_fails_the_build_cleanly_and_the_next_build_recovers(tmp_path):
    folder = write_project(tmp_path / "tiny", TINY).parent
    renders = tmp_path / "renders"
    stopped = film("build", str(folder), "--out", str(renders), "--preview", limit_bytes=30_000)
    assert stopped.returncode == 2, stopped.stderr
    assert "Traceback" not in stopped.stderr
    error = stopped.stderr.strip().splitlines()[-1]
    assert error.startswith("error: job ") and "size limit on files (ulimit -f)" in error, error
    assert not (renders / "tiny" / "preview" / "final.mp4").exists()
    done = film("build", str(folder), "--out", str(renders), "--preview")
    assert done.returncode == 0, done.stderr
    assert count_frames(renders / "tiny" / "preview" / "final.mp4") == 48


@pytest.fixture
def small_disk(tmp_path):
    """A 400 KB file system (tmpfs), which needs the right to mount: root on Linux."""
    disk = tmp_path / "disk"
    disk.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(disk)], capture_output=True)
    if made.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (mount said: "
                    f"{made.stderr.decode(errors='replace').strip()})")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_full_disk_fails_the_build_cleanly_and_the_next_build_recovers(tmp_path, small_disk):
    folder = write_project(tmp_path / "tiny", TINY).parent
    full = film("build", str(folder), "--out", str(small_disk), "--preview")
    assert full.returncode == 2, full.stderr
    assert "Traceback" not in full.stderr
    error = full.stderr.strip().splitlines()[-1]
    assert error.startswith("error: job "), full.stderr
    assert "No space left on device" in error or "the disk is full" in error
    assert not (small_disk / "tiny" / "preview" / "final.mp4").exists()
    # Room made: the same folder builds, trusting nothing the full disk cut short.
    subprocess.run(["mount", "-o", "remount,size=50m", str(small_disk)], check=True)
    done = film("build", str(folder), "--out", str(small_disk), "--preview")
    assert done.returncode == 0, done.stderr
    assert count_frames(small_disk / "tiny" / "preview" / "final.mp4") == 48
