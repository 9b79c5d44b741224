"""`film check` probes every media file a storyboard names: bad files are `file:line` problems
(exit 1, every problem at once, nothing written), made here with real ffmpeg and Pillow."""

from __future__ import annotations

import struct
import subprocess
import warnings
import zlib
from pathlib import Path

import pytest
from PIL import Image

from conftest import solid_png, write_project
from pipeline import measure
from pipeline.cli import main
from pipeline.edit import ffmpeg
from pipeline.errors import StoryboardError
from pipeline.parse import load


def make_media(path: Path, *lavfi: str, faststart: bool = False) -> Path:
    """A short file from ffmpeg's test sources (`testsrc`, `sine`), encoded by its suffix."""
    inputs = [arg for source in lavfi for arg in ("-f", "lavfi", "-i", source)]
    extra = ["-pix_fmt", "yuv420p"] if any(s.startswith("testsrc") for s in lavfi) else []
    ffmpeg.run([*inputs, *extra, *(["-movflags", "+faststart"] if faststart else []), path])
    return path


def cut_short(source: Path, target: Path) -> Path:
    """The first half of `source`'s bytes, as an interrupted copy or download leaves it."""
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: length, type, data and its checksum."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def one_colour_png(path: Path, width: int, height: int, colour: tuple[int, int, int]) -> Path:
    """A one-colour PNG of any size, written directly (1-bit palette): 240 megapixels cost a
    30 MB buffer and about 30 KB of file, where Pillow would build a 720 MB image first."""
    row = b"\x00" + bytes((width + 7) // 8)   # filter 0, every pixel palette entry 0
    pixels = zlib.compress(row * height, 9)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 3, 0, 0, 0))
                     + chunk(b"PLTE", bytes(colour)) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


def garbled_png(path: Path) -> Path:
    """A PNG whose pixel data is noise under correct checksums: only decoding it finds out."""
    noise = bytes((n * 37 + 11) % 251 for n in range(400))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 64, 36, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", noise) + chunk(b"IEND", b""))
    return path


def check(folder: Path, renders: Path, capsys, command: str = "check") -> tuple[int, list[str], str]:
    """Run `film COMMAND folder` in-process: (exit code, stderr lines, stdout)."""
    code = main([command, str(folder), "--out", str(renders)])
    out, err = capsys.readouterr()
    return code, err.splitlines(), out


HEADER = "speech: false\ntitle_card: false\nsize: 64x36\nfps: 12\nmusic: {file: theme.png}\nscenes:\n  - shots:\n"
MUSIC = "music file 'theme.png' has no sound (no audio stream)"
# Each shot, and what the writer must read about it at its line ('' where nothing is wrong; a
# message ending in '(…)' takes ffmpeg's or Pillow's words for the damage).
SHOTS = [
    ("{id: a, footage: voice.m4a}",
     "footage 'voice.m4a' has no video stream (it holds only sound: use it as music or an sfx)"),
    ("{id: b, image: notes.png}", "image 'notes.png' is not a picture (Pillow cannot identify it; use PNG, JPEG or WebP)"),
    ("{id: c, image: cut.png}", "image 'cut.png' is damaged or cut short (…)"),
    ("{id: d, footage: cut.mp4}", "footage 'cut.mp4' is damaged or cut short (…)"),
    ("{id: e, footage: nomoov.mp4}", "footage 'nomoov.mp4' is not a readable video"),
    ("{id: f, image: empty.png}", "image 'empty.png' is an empty file (0 bytes)"),
    ("{id: g, footage: {file: clip.mp4, in: 5}}", "footage 'clip.mp4' is 2.00 s long; its in point 5 s is past the end"),
    ("{id: h, prompt: a door slams, sfx: [clip.mp4]}", "sound effect 'clip.mp4' has no sound (no audio stream)"),
    ("{id: i, image: cut.jpg}", "image 'cut.jpg' is damaged or cut short (…)"),
    ("{id: j, footage: {file: clip.mp4, in: 0.5, out: 7}}",
     "footage 'clip.mp4' is 2.00 s long; its out point 7 s is past the end"),
    ("{id: k, image: garbled.png}", "image 'garbled.png' is damaged or cut short (…)"),
    ("{id: l, footage: {file: clip.mp4, in: 0.5, out: 2}, sfx: [{file: voice.m4a, at: 0.2}]}", ""),
    ("{id: m, image: whole.jpg}", ""),
]


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory) -> Path:
    """A project naming a bad file in each way a file can be bad, and some good ones."""
    folder = tmp_path_factory.mktemp("bad")
    clip = make_media(folder / "clip.mp4", "testsrc=d=2:s=64x36:r=12")               # video, no sound
    make_media(folder / "voice.m4a", "sine=d=2")                                      # sound, no video
    cut_short(make_media(folder / "whole.mp4", "testsrc=d=2:s=64x36:r=12", faststart=True), folder / "cut.mp4")
    cut_short(clip, folder / "nomoov.mp4")   # the index (moov) is at the end, so it is gone
    solid_png(folder / "theme.png", (0, 0, 200))
    (folder / "notes.png").write_text("shot list: beach, house, lighthouse\n", encoding="utf-8")
    cut_short(solid_png(folder / "whole.png", (200, 0, 0)), folder / "cut.png")
    Image.new("RGB", (640, 360), (0, 200, 0)).save(folder / "whole.jpg", quality=90)
    cut_short(folder / "whole.jpg", folder / "cut.jpg")
    (folder / "empty.png").write_bytes(b"")
    garbled_png(folder / "garbled.png")
    write_project(folder, HEADER + "".join(f"      - {shot}\n" for shot, _ in SHOTS))
    return folder


def expected_problems(path: Path) -> list[str]:
    first_shot = HEADER.count("\n") + 1
    return [f"{path}:5: {MUSIC}"] + [f"{path}:{first_shot + n}: {message}"
                                     for n, (_, message) in enumerate(SHOTS) if message]


def fits(line: str, want: str) -> bool:
    if want.endswith("(…)"):
        return line.startswith(want[:-2]) and line.endswith(")") and len(line) > len(want)
    return line == want


@pytest.mark.parametrize("command", ["check", "build", "plan"])
def test_every_bad_file_is_a_problem_at_its_line_all_at_once(bad_project, tmp_path, capsys, command):
    renders = tmp_path / "renders"
    code, lines, out = check(bad_project, renders, capsys, command)
    assert code == 1 and out == ""
    expected = expected_problems(bad_project / "storyboard.yaml")
    assert len(lines) == len(expected) and all(fits(line, want) for line, want in zip(lines, expected)), \
        "\n".join(lines)
    assert not renders.exists()


def test_a_screenplay_directive_is_located_in_the_script(tmp_path, capsys):
    folder = tmp_path / "script"
    folder.mkdir()
    make_media(folder / "gulls.m4a", "sine=d=1")
    script = folder / "harbour.fountain"
    script.write_text("EXT. HARBOUR - DAWN\n\n[[footage: gulls.m4a]]\nThe boats come home.\n", encoding="utf-8")
    code, lines, _ = check(script, tmp_path / "renders", capsys)
    assert code == 1 and lines == [
        f"{script}:3: footage 'gulls.m4a' has no video stream (it holds only sound: use it as music or an sfx)"]


def test_a_missing_file_suggests_a_close_name_in_its_folder(tmp_path, capsys):
    folder = tmp_path / "typo"
    solid_png(folder / "assets" / "sunset.png", (200, 100, 0))
    path = write_project(folder, """
        speech: false
        scenes:
          - shots:
              - {id: a, image: assets/sunest.png}
              - {id: b, image: assets/moon.png}
    """)
    code, lines, _ = check(folder, tmp_path / "renders", capsys)
    assert code == 1
    assert lines == [
        f"{path}:4: image 'assets/sunest.png' not found (looked in {folder / 'assets'}) "
        "(did you mean 'assets/sunset.png'?)",
        f"{path}:5: image 'assets/moon.png' not found (looked in {folder / 'assets'})",
    ]
    assert not (tmp_path / "renders").exists()


def test_a_very_large_still_passes_check(tmp_path, capsys):
    """220 megapixels and more is past Pillow's decompression-bomb limit: check reads the header
    only, says nothing about it, and the still generator scales it down at build time."""
    folder = tmp_path / "huge"
    folder.mkdir()
    big = one_colour_png(folder / "panorama.png", 20000, 12000, (40, 90, 160))
    assert big.stat().st_size < 100_000
    with pytest.raises(Image.DecompressionBombError):   # the guard this check must not trip
        Image.open(big)
    write_project(folder, """
        speech: false
        title_card: false
        size: 64x36
        scenes:
          - shots:
              - {id: wide, image: panorama.png, duration: 1}
    """)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, lines, out = check(folder, tmp_path / "renders", capsys)
    assert code == 0 and lines == [] and "ok" in out
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    assert measure.probe_picture(big) == measure.Probe(picture=measure.Picture("PNG", 20000, 12000, "P"))


def test_a_picture_too_large_to_read_even_reduced_is_refused_by_check(tmp_path, capsys):
    """Past what stills decode at once (a PNG cannot be decoded reduced), check says so."""
    from pipeline.generators.still import MAX_DECODED_PIXELS

    folder = tmp_path / "vast"
    folder.mkdir()
    width, height = 30000, MAX_DECODED_PIXELS // 30000 + 2
    one_colour_png(folder / "vast.png", width, height, (0, 0, 0))
    path = write_project(folder, """
        speech: false
        scenes:
          - shots:
              - {id: a, image: vast.png, duration: 1}
    """)
    code, lines, _ = check(folder, tmp_path / "renders", capsys)
    assert code == 1 and lines == [
        f"{path}:4: image 'vast.png' is {width}x{height} ({width * height / 1e6:.0f} megapixels), too large to read; "
        f"scale it below {MAX_DECODED_PIXELS / 1e6:.0f} megapixels"]


def test_each_file_is_probed_once_however_many_shots_name_it(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "many"
    folder.mkdir()
    make_media(folder / "clip.mp4", "testsrc=d=2:s=64x36:r=12", "sine=d=2")
    shots = "\n".join(f"      - {{id: s{n}, footage: {{file: clip.mp4, in: {n % 4 * 0.25}}}, sfx: [clip.mp4]}}"
                      for n in range(40))
    write_project(folder, "speech: false\ntitle_card: false\nsize: 64x36\nfps: 12\nscenes:\n  - shots:\n" + shots)
    board = load(folder)
    runs = []

    class Spy(subprocess.Popen):   # counts the ffmpeg processes started; runs each as it is
        def __init__(self, command, *args, **kwargs):
            if command[0] == ffmpeg.exe() and "-version" not in command:
                runs.append(command)
            super().__init__(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Spy)
    assert measure.media_problems(board) == []
    # one ffmpeg run as footage, one as a sound, for 40 shots naming it twice each
    assert len(runs) == 2 and all(str(folder / "clip.mp4") in command for command in runs)


@pytest.mark.parametrize("kept", [1 / 3, 1 / 2, 3 / 4])
def test_a_long_file_cut_short_anywhere_is_caught(tmp_path, kept):
    """Only the start of a file is decoded, but its end is read and its index weighed against
    its size: a long take cut short a third, half or three quarters of the way in is caught
    (its header still says 20 s: the index, at the start for the web, survives the cut). With
    sound beside the picture, reading past the end of a cut file says nothing at all: only the
    index tells."""
    long = make_media(tmp_path / "long.mp4", "testsrc=d=20:s=160x96:r=24", "sine=d=20", faststart=True)
    assert measure.probe_file(long, "video").damage == ""
    cut = long.with_name("cut.mp4")
    data = long.read_bytes()
    cut.write_bytes(data[: int(len(data) * kept)])
    found = measure.probe_file(cut, "video")
    assert found.media is not None and found.media.duration == pytest.approx(20, abs=0.1)
    assert found.damage != ""


def test_a_rebuild_probes_no_file_that_has_not_changed(tmp_path, monkeypatch):
    """What probing found is kept in the cache while a file's size and time stay the same, so a
    rebuild with no change probes nothing; a changed file is probed again."""
    import subprocess as real
    from pipeline import measure
    from pipeline.cache import Cache

    folder = tmp_path / "film"
    folder.mkdir()
    ffmpeg_exe = measure.ffmpeg.exe()
    real.run([ffmpeg_exe, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36:r=24:d=1",
              "-pix_fmt", "yuv420p", str(folder / "clip.mp4")], check=True)
    path = write_project(folder, """
        title_card: false
        speech: false
        scenes:
          - shots:
              - {id: a, footage: clip.mp4}
    """)
    board = load(path)
    cache = Cache(tmp_path / "cache")
    runs = []
    original = measure.probe_file
    monkeypatch.setattr(measure, "probe_file", lambda *a: runs.append(a) or original(*a))
    measure.check_media(board, cache=cache)
    cache.save()
    measure.check_media(board, cache=Cache(tmp_path / "cache"))
    assert len(runs) == 1
    (folder / "clip.mp4").write_bytes(b"not a video any more")
    with pytest.raises(StoryboardError, match="footage 'clip.mp4' is not a readable video"):
        measure.check_media(board, cache=Cache(tmp_path / "cache"))
    assert len(runs) == 2
