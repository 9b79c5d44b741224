"""Shared helpers: write small projects, read frames and audio back with real ffmpeg."""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline.edit import ffmpeg


def pytest_configure(config):
    """The `film` processes the tests start load the package as a user's Python does, from
    compiled modules: a machine that sets PYTHONDONTWRITEBYTECODE (CI sandboxes do) would
    otherwise compile all of it again in each of them, a third of a second every time."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "pipeline"), quiet=1)


def write_project(folder: Path, storyboard: str, name: str = "storyboard.yaml") -> Path:
    """Write a storyboard (dedented) into `folder` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(storyboard).lstrip(), encoding="utf-8")
    return path


def solid_png(path: Path, colour: tuple[int, int, int], size=(320, 180)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path)
    return path


def frame_at(video: Path, index: int) -> np.ndarray:
    """Decode frame number `index` (0-based) of `video` as an RGB array."""
    result = subprocess.run(
        [ffmpeg.exe(), "-v", "error", "-i", str(video), "-vf", f"select=eq(n\\,{index})", "-fps_mode", "passthrough",
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True, check=True)
    info = ffmpeg.probe(video)
    return np.frombuffer(result.stdout, np.uint8).reshape(info.height, info.width, 3)


def frames_of(video: Path, wanted) -> dict[int, np.ndarray]:
    """Frames `wanted` (0-based numbers) of `video`, decoded in one pass, as float32 RGB arrays."""
    info = ffmpeg.probe(video)
    numbers = sorted(set(wanted))
    pick = ffmpeg.select_frames(numbers)
    raw = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(video), "-vf", f"select='{pick}'",
                          "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    found = np.frombuffer(raw, np.uint8).reshape(-1, info.height, info.width, 3).astype(np.float32)
    assert len(found) == len(numbers), f"{video.name}: asked {numbers}, got {len(found)} frames"
    return dict(zip(numbers, found))


def count_frames(video: Path) -> int:
    """Decode the whole video stream and count its frames."""
    result = subprocess.run([ffmpeg.exe(), "-v", "info", "-nostats", "-i", str(video), "-map", "0:v:0", "-f", "null", "-"],
                            capture_output=True, text=True)
    found = re.findall(r"frame=\s*(\d+)", result.stderr)
    if not found:
        result = subprocess.run([ffmpeg.exe(), "-i", str(video), "-map", "0:v:0", "-f", "null", "-"],
                                capture_output=True, text=True)
        found = re.findall(r"frame=\s*(\d+)", result.stderr)
    return int(found[-1])


def audio_samples(video: Path, rate: int = 48000) -> np.ndarray:
    """The audio track as float32 stereo samples, shape (n, 2)."""
    result = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(video), "-map", "0:a:0", "-f", "f32le",
                             "-ac", "2", "-ar", str(rate), "-"], capture_output=True, check=True)
    return np.frombuffer(result.stdout, np.float32).reshape(-1, 2)


@pytest.fixture
def project(tmp_path):
    """A factory: project(storyboard_text) → path of a storyboard in a fresh folder."""
    def make(storyboard: str, folder: str = "film") -> Path:
        return write_project(tmp_path / folder, storyboard)
    return make


# The examples built once per test session at preview size, shared by every test that only
# reads them (building each takes 10-20 s on two cores). Tests that build again into the
# same renders folder must make their own.
EXAMPLES = Path(__file__).resolve().parent.parent / "projects"


@pytest.fixture(scope="session")
def lighthouse(tmp_path_factory):
    from pipeline.build import build
    return build(EXAMPLES / "lighthouse", renders=tmp_path_factory.mktemp("lighthouse"), preview=True)


@pytest.fixture(scope="session")
def lesson(tmp_path_factory):
    from pipeline.build import build
    return build(EXAMPLES / "water-cycle", renders=tmp_path_factory.mktemp("lesson"), preview=True)


@pytest.fixture(scope="session")
def screenplay(tmp_path_factory):
    from pipeline.build import build
    return build(EXAMPLES / "screenplay", renders=tmp_path_factory.mktemp("screenplay"), preview=True)


def renders_from(result, folder: Path) -> Path:
    """A renders folder in `folder` for another build of `result`'s film (a variant of it, of
    the same name) that starts from `result`'s cache: each cached file is hard-linked (a build
    replaces files, never writes into one), so what the variant shares is not made again and
    `result`'s own outputs are left as they are."""
    import os
    import shutil

    film = result.folder.parent if result.plan.preview else result.folder
    renders = folder / "renders"
    shutil.copytree(film / "cache", renders / film.name / "cache", copy_function=os.link)
    return renders
