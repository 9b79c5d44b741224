"""Storyboards shaped like the schema, with careless and hostile values: `film check` answers
every one with exit 0 or 1, never a traceback or a hang, only `file:line: message` lines when
it refuses one, and writes nothing (not the `--out` folder, not a file in the project).

Where `test_fuzz.py` mutates the example scripts byte by byte (and so mostly tests the YAML
syntax errors), this builds storyboards as Python values with `hypothesis` and dumps them with
`yaml.safe_dump`: every document is valid YAML, so each case reaches the reader's typed
accessors, `validate`, the media probes and the planner. Each value is a plausible one, or a
value of the wrong kind (a list for text, a mapping, true/false), an edge number (NaN, the
infinities, -0.0, 1e300, integers past a float, negatives), an empty, very long, unicode or
control-character string, a path that leaves the folder or names a playlist, a missing or
broken file; keys are sometimes misspelt.

The cases are derandomized (the same on every run: a CI test must not be flaky).
`FILM_FUZZ_EXAMPLES` sets how many (default 150: about 10 s on two cores when all pass; a failure
is shrunk to a small storyboard, which takes minutes); `benchmarks/fuzz.py` runs
thousands.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import struct
import sys
import tempfile
import traceback
import wave
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from test_corpus import SECONDS, TooSlow, answered

EXAMPLES = int(os.environ.get("FILM_FUZZ_EXAMPLES", "100"))
TESTS = Path(__file__).resolve().parent

# -- values of every kind ---------------------------------------------------------------------

def lean(weight: int, usual: st.SearchStrategy, *rest: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` `weight` times as often as each of `rest` (`st.one_of` draws its branches alike
    and merges repeated ones, so repeating a branch there does not weigh it)."""
    return st.sampled_from([usual] * weight + list(rest)).flatmap(lambda chosen: chosen)


EDGE_NUMBERS = [
    0, -0.0, 0.0, -1, 1, 0.5, -0.5, 1e-300, 5e-324, 1e300, -1e300, 1.7976931348623157e308,
    math.nan, math.inf, -math.inf,
    2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53 + 1, 2**63, -2**63, 2**64, 10**20, 10**309, -(10**309), 10**400,
    3, 4, 16, 17, 20, 21, 24, 59.9, 60, 120, 121, 599.9, 600, 600.0001, 3599.99, 3600, 3600.001,
    86400, 86400.5, -60, -60.1, -36, -5, -4.9, -20, 1000, 1001, 19.9,
]
numbers = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True))

STRANGE_TEXT = [
    "", " ", "   \t ", "a harbour at dusk", "TOM", "ELSIE", "dissolve", "static", "Ünïcödé ✨", "日本語のテキストです",
    "مرحبا", "\u202egnp.exe", "\u200b", "\ufeff", "\x00", "\x07bell", "\x1b[31mred", "\x7f", "\x85", "\u2028",
    "line\nbreak", "two\n\nparagraphs", "tab\there", "\r", "'quoted'", '"', "#", "# comment", "- x", ": x", "*a",
    "&a", "!!python/name:os.system", "{}", "[]", "null", "~", "yes", "no", "on", "off", "NaN", ".inf", "-.inf",
    "1e400", "0x10", "0o7", "1_000", "24000/1001", "0/0", "1/0", "%s%n%x", "{0}", "{{ 7*7 }}", "{% raw %}",
    "<script>", "(whispering)", "(whispering) hello", "()", "(", "$HOME", "~/x", "C:\\x", "a" * 201, "é" * 300,
    "TOM: hi", "EXT. SEA - NIGHT", "INT./EXT. CAR - DAY", "I/E HOUSE", "EST. CITY", "-", "--", "...", "\\",
]
short_text = st.one_of(st.sampled_from(STRANGE_TEXT), st.text(max_size=30))
long_text = st.builds(lambda unit, n: unit * n, st.sampled_from(["a", "é", "word ", "\n", "日", "TOM "]),
                      st.sampled_from([500, 2_600, 10_001, 40_000]))
PROSE = ["a lighthouse on a rocky headland at dusk", "TOM climbs the stairs with a lantern", "ELSIE looks out to sea",
         "the storm has passed", "Rome, 80 AD. The games are about to begin.", "Not tonight.", "Tom, look!",
         "(whispering) Over here.", "rain on the window", "a fishing boat rounds the point"]
prose = st.sampled_from(PROSE)
texts = lean(5, prose, short_text, short_text, long_text)

PATHS = [
    "assets/pic.png", "assets/tone.wav", "assets/clip.mp4", "assets/garbage.png", "assets/garbage.mp4",
    "assets/empty.png", "assets/empty.wav", "assets/list.m3u8", "assets/outside.wav", "assets/outside.png",
    "assets", ".", "", "/", "../x.png", "../../etc/passwd", "/etc/passwd", "/dev/zero", "/dev/random", "/proc/self/environ",
    "a.m3u8", "assets/missing.png", "assets/pic.PNG", "ASSETS/PIC.png", "assets/pic.png/", "assets//pic.png",
    "assets/../assets/pic.png", "./assets/tone.wav", "~/x.wav", "$HOME/x.wav", "file:///etc/passwd",
    "http://example.com/a.mp4", "C:\\x.png", "x\x00y.png", "storyboard.yaml", "a" * 300 + ".png", "é.wav", " assets/pic.png ",
]
GOOD_PATHS = ["assets/pic.png", "assets/tone.wav", "assets/clip.mp4"]
paths = lean(2, st.sampled_from(GOOD_PATHS), st.sampled_from(PATHS), st.sampled_from(PATHS), short_text)

scalars = st.one_of(st.none(), st.booleans(), numbers, short_text, st.dates(),
                    st.just(b"\x00\xff binary"))
wrong = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(st.one_of(short_text, st.integers(), st.booleans(), st.none()), scalars, max_size=3),
    st.lists(st.lists(scalars, max_size=2), max_size=2),
)


metadata = lean(6, st.dictionaries(short_text, st.one_of(scalars, st.lists(scalars, max_size=2)), max_size=3), wrong)


def mostly(plausible: st.SearchStrategy, weight: int = 10) -> st.SearchStrategy:
    """`plausible` most of the time, a value of any kind else."""
    return lean(weight, plausible, wrong)


def choice(*options) -> st.SearchStrategy:
    return st.sampled_from(options)


def typos(key: str) -> list[str]:
    """Misspellings of `key`, as writers make them."""
    return [key[:-1], key + "s", key.upper(), key.title(), key.replace("_", "-"), key.replace("_", " "),
            " " + key, key + " ", key[1:] + key[0], key + "_"]


def record(fields: dict[str, st.SearchStrategy], extra: dict[str, st.SearchStrategy] | None = None,
           required: tuple[str, ...] = ()) -> st.SearchStrategy:
    """A mapping with any of `fields` (each of its own kind), sometimes a misspelt key or an
    `extra` one (aliases such as `speed`)."""
    keys = list(fields)
    odd = st.one_of(st.sampled_from([t for k in keys for t in typos(k)] + list(extra or {})),
                    st.sampled_from(["", "?", "x", "name", "file", "duration", "NaN", "<<"]))
    base = st.fixed_dictionaries({k: fields[k] for k in required},
                                 optional={k: v for k, v in fields.items() if k not in required})
    misspelt = lean(8, st.just({}), st.dictionaries(odd, mostly(scalars), max_size=2))
    return st.builds(lambda a, b: {**b, **a}, base, misspelt)


def either(*strategies: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(*strategies)


# -- the schema ---------------------------------------------------------------------------------

CAMERAS = ("static", "zoom-in", "zoom-out", "pan-left", "pan-right", "tilt-up", "tilt-down", "dolly-in",
           "dolly-out", "crane-up", "Zoom-In", "zoom_in", "zoomin", "dolly", "")
TRANSITIONS = ("cut", "dissolve", "fade-black", "wipe-left", "wipe-right", "slide-left", "slide-right", "iris",
               "Dissolve", "fade", "disolve", "")
PRESETS = ("man", "woman", "girl", "boy", "old-man", "old-woman", "Woman", "womn", "joe", "x.onnx",
           "voices/x.onnx", "../x.onnx", "/etc/passwd", "")
NAMES = ("TOM", "ELSIE", "Tom", "MAYA", "NARRATOR", "日本", "JOSÉ", "COP #2", "", " ", "a" * 300)

seconds = mostly(lean(4, st.floats(0.1, 12), st.integers(1, 10), st.integers(1, 10), numbers))
gains = mostly(lean(4, st.floats(-40, 10), st.floats(-70, 30), numbers))
small = lean(5, st.integers(1, 4), st.integers(0, 17), numbers)
cameras = mostly(st.one_of(st.sampled_from(CAMERAS), short_text))
transition = mostly(either(st.sampled_from(TRANSITIONS),
                           record({"name": mostly(st.sampled_from(TRANSITIONS)), "duration": seconds})))
generator = mostly(either(
    choice("animatic", "still", "footage", "diffusers", "Animatic", "stable-diffusion", ""),
    record({"name": mostly(choice("animatic", "still", "footage", "diffusers", "")),
            "model": paths, "steps": mostly(numbers), "dtype": choice("auto", "fp16", "fp64", 16),
            "device": choice("cpu", "cuda", "tpu"), "task": choice("text-to-video", "image-to-video", "x"),
            "size": choice("832x480", "7x7", "0x0", "big"), "guidance": numbers, "fps": numbers,
            "compile": mostly(st.booleans())}),
))
voice = mostly(either(
    st.sampled_from(PRESETS),
    record({"preset": mostly(st.sampled_from(PRESETS)), "model": mostly(st.sampled_from(PRESETS + tuple(PATHS))),
            "speaker": mostly(st.one_of(st.integers(0, 2), numbers)),
            "rate": mostly(lean(2, st.floats(0.5, 2), st.floats(0, 3), numbers)),
            "pitch": mostly(lean(2, st.floats(-12, 12), st.floats(-30, 30), numbers)),
            "formant": mostly(lean(2, st.floats(0.7, 1.4), st.floats(0, 3), numbers)),
            "gain": gains},
           extra={"speed": numbers, "tone": numbers, "volume": numbers, "Loudness": numbers}),
))
character = mostly(either(texts, record({"look": mostly(texts), "voice": voice})))
cast = mostly(either(
    st.fixed_dictionaries({"TOM": character, "ELSIE": character}), st.fixed_dictionaries({"TOM": character}),
    st.dictionaries(st.one_of(st.sampled_from(NAMES), short_text, st.integers(0, 3), st.booleans()), character, max_size=3),
))
music_entry = either(
    choice("ambient", "Ambient", "assets/tone.wav", "assets/clip.mp4", "assets/list.m3u8", "../x.mp3"),
    record({"file": paths, "generate": mostly(choice("ambient", "Ambient", "techno", "")), "gain": gains,
            "fade_in": seconds, "fade_out": seconds, "start": seconds, "end": seconds, "loop": mostly(st.booleans())}),
)
music = mostly(either(music_entry, st.lists(mostly(music_entry), max_size=3)))
subtitles = mostly(either(
    choice("sidecar", "burn", "off", "Burn", "on", True, False, "srt"),
    record({"mode": mostly(choice("sidecar", "burn", "off", "BURN", True)),
            "position": mostly(choice("auto", "bottom", "top", "Top", "middle")),
            "margin": mostly(choice("8%", "40px", 40, 0, "0%", "40%", "41%", "100%", "1e400%", "-5%", "5 px", "8 %",
                                    "99999999999999999999999px", "0.5%", "%")),
            "max_cps": mostly(lean(2, st.integers(5, 60), numbers))}),
))
lines = st.lists(mostly(either(
    st.dictionaries(choice("TOM", "ELSIE"), mostly(texts), min_size=1, max_size=1),
    st.dictionaries(choice("TOM", "ELSIE"), mostly(texts), min_size=1, max_size=1),
    st.dictionaries(st.sampled_from(NAMES), mostly(texts), min_size=1, max_size=1),
    record({"character": mostly(choice("TOM", "ELSIE", *NAMES)), "text": mostly(texts), "parenthetical": mostly(texts),
            "dual": mostly(st.booleans())}),
    st.dictionaries(st.sampled_from(NAMES), texts, min_size=2, max_size=2),
)), max_size=3)
sfx_entry = either(paths, record({"file": paths, "at": seconds, "gain": gains}))
shot_ids = either(choice("a", "shot-1", "s.1", "_x", "-x", ".hidden", "../x", "/etc/passwd", "a/b", "a\\b", "é",
                         "x" * 201, "", " ", "con", "nul"), st.integers(-1, 3), short_text)
shot = either(
    texts,   # a bare string is a prompt
    record({
        "id": mostly(shot_ids),
        "prompt": mostly(texts),
        "camera": cameras,
        "duration": seconds,
        "narration": mostly(texts),
        "lines": mostly(lines),
        "transition": transition,
        "image": paths,
        "background": mostly(choice("black", "white", "#fff", "#ffffff", "#12345", "rgb(1, 2, 3)", "rgb(300,0,0)",
                                    "hsl(0,100%,50%)", "nope", "#", None, "")),
        "footage": mostly(either(paths, record({"file": paths, "in": seconds, "out": seconds}))),
        "title": mostly(texts),
        "continuity": mostly(either(choice("previous", "group-a", "Previous", ""), short_text)),
        "seed": mostly(lean(2, st.integers(0, 2**32 - 1), numbers)),
        "cast": mostly(either(choice("TOM", "ELSIE", *NAMES), st.lists(choice("TOM", "ELSIE", *NAMES), max_size=3))),
        "generator": generator,
        "fit": mostly(choice("trim", "Trim", "cut", "")),
        "sfx": mostly(either(sfx_entry, st.lists(mostly(sfx_entry), max_size=3))),
        "sound": mostly(either(choice("off", "on", True, False, "mute"),
                               record({"gain": gains, "mute": mostly(st.booleans())}))),
        "first_frame": paths,
        "takes": mostly(small),
        "take": mostly(small),
        "metadata": metadata,
    }),
)
scene = record({
    "heading": mostly(either(choice("EXT. GULL POINT - DUSK", "INT. LAMP ROOM - NIGHT", "INT./EXT. CAR - DAY",
                                    "I/E HOUSE - DAWN", "EST. CITY", "EXT.", "INT - - -"), texts)),
    "shots": mostly(lean(6, st.lists(mostly(shot, 8), min_size=1, max_size=4), st.just([])), 8),
    "camera": cameras,
    "transition": transition,
    "generator": generator,
    "metadata": metadata,
}, required=("shots",))
storyboard = record({
    "title": mostly(texts),
    "fps": mostly(either(choice(24, 25, 30, 60, "24000/1001", "30000/1001", 23.976, 120, 121, 0, 1, "1/0", "0/0",
                                "24 fps", "1e400", 1e-9, "-24"), numbers)),
    "size": mostly(either(choice("1280x720", "1920X1080", "16x16", "15x16", "7680x4320", "7682x4320", "0x0",
                                 "1280 x 720", "1280×720", "-2x4", "99999999999999999999x2", "1280x"), short_text)),
    "seed": mostly(lean(2, st.integers(0, 2**32 - 1), numbers)),
    "style": mostly(texts),
    "negative": mostly(texts),
    "generator": generator,
    "camera": cameras,
    "transition": transition,
    "subtitles": subtitles,
    "title_card": mostly(either(st.booleans(), record({"duration": seconds}))),
    "credits": mostly(st.dictionaries(short_text, mostly(either(texts, st.lists(texts, max_size=3))), max_size=3)),
    "cast": cast,
    "narrator": mostly(record({"voice": voice})),
    "voiceover": mostly(either(choice("assets/garbage.mp4", "assets/empty.wav", "assets/missing.wav", "../v.wav",
                                      "/etc/passwd", "assets/list.m3u8"),
                               record({"file": choice("assets/garbage.png", "/dev/zero", "a.m3u8")}))),
    "recognizer": mostly(record({"engine": mostly(choice("faster-whisper", "openai-whisper", "whisper", "")),
                                 "model": mostly(choice("tiny.en", "/etc", "../m", "assets", "assets/garbage.png",
                                                        "~/models", ""))})),
    "music": music,
    "mix": mostly(record({"loudness": mostly(lean(2, st.floats(-36, -5), numbers)),
                          "true_peak": mostly(lean(2, st.floats(-20, 0), numbers)),
                          "duck": mostly(lean(2, st.floats(-60, 0), numbers)),
                          "attack": seconds, "release": seconds})),
    "pacing": mostly(record({"words_per_minute": mostly(st.one_of(st.integers(100, 250), st.integers(0, 1100), numbers)),
                             "min_duration": seconds, "lead_in": seconds, "tail": seconds, "line_gap": seconds})),
    "metadata": metadata,
    "scenes": mostly(lean(8, st.lists(mostly(scene, 12), min_size=1, max_size=3), st.just([])), 12),
    # Speech is slow to synthesise; `check` only estimates it, but most cases leave it out.
    "speech": choice(False, False, False, False, False, False, False, True, "no", 0, None),
}, required=("speech", "scenes"))
documents = lean(20, storyboard, wrong)


# -- the project a case runs in -------------------------------------------------------------------

def make_assets(folder: Path) -> None:
    """The files the storyboards may name: good ones, broken ones, a playlist, links out."""
    from PIL import Image

    assets = folder / "assets"
    assets.mkdir(parents=True)
    Image.new("RGB", (64, 36), (200, 120, 40)).save(assets / "pic.png")
    with wave.open(str(assets / "tone.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(n / 5))) for n in range(4000)))
    shutil.copy(TESTS / "corpus" / "assets" / "music-is-a-video-without-sound" / "theme.mp4", assets / "clip.mp4")
    (assets / "garbage.png").write_bytes(b"not a picture\n" * 10)
    (assets / "garbage.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\xff" * 200)
    (assets / "empty.png").write_bytes(b"")
    (assets / "empty.wav").write_bytes(b"")
    (assets / "list.m3u8").write_text("#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n#EXTINF:1,\n../../outside.wav\n")
    os.symlink("/etc/hostname", assets / "outside.wav")
    os.symlink("/etc/passwd", assets / "outside.png")


def dump(document, unicode: bool) -> str:
    return yaml.safe_dump(document, allow_unicode=unicode, sort_keys=False, width=10**6)


def listing(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.lstat().st_mtime for p in folder.rglob("*")}


def outcome(text: str | bytes, name: str = "storyboard.yaml",
            template: Path | None = None) -> tuple[int | str, str, Path, Path, bool]:
    """`film check` on a project holding `text` as its script `name`, in a fresh folder: a copy
    of `template` (default: the assets of `make_assets`). Returns the exit code ('hang' past
    the alarm, 'traceback' for an exception out of `main`, its text then on stderr), stderr,
    the script, the renders folder and whether the project folder changed."""
    with workspace() as (root, folder):
        project = folder / "project"
        shutil.copytree(template or root / "template", project, symlinks=True,
                        ignore=shutil.ignore_patterns(name, "renders"))
        script = project / name
        script.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return _run(script, project, folder / "renders")


def _run(script: Path, project: Path, renders: Path) -> tuple[int | str, str, Path, Path, bool]:
    before = listing(project)
    with contextlib.redirect_stderr(io.StringIO()) as err, contextlib.redirect_stdout(io.StringIO()):
        try:
            code: int | str = answered(["check", str(project), "--out", str(renders)])
        except TooSlow:
            code = "hang"
        except SystemExit as stop:      # argparse, or a stray sys.exit
            code = stop.code
        except Exception:               # what a user sees as a traceback
            code = "traceback"
            print(traceback.format_exc(), file=sys.stderr)
    return code, err.getvalue(), script, renders, listing(project) != before


def judged(code, err: str, script: Path, renders: Path, changed: bool) -> list[str]:
    """What is wrong with `film check`'s answer; [] when it kept its promise."""
    wrongs = []
    if code == "hang":
        wrongs.append(f"no answer in {SECONDS} s")
    elif code not in (0, 1, "traceback"):
        wrongs.append(f"exit {code}")
    if "Traceback" in err:
        wrongs.append("a traceback")
    # About the script, or another file of its project (a screenplay's sidecar `film.yaml`).
    about = rf"(?:{re.escape(str(script))}|{re.escape(str(script.parent))}/[^:/]+)"
    if code == 1:
        where = re.compile(rf"^{about}(:\d+)?: ")
        odd = [line for line in err.rstrip("\n").split("\n") if not where.match(line)]
        if odd:
            wrongs.append(f"{len(odd)} stderr line(s) not `file:line: message`, first {odd[0][:200]!r}")
        if not err.strip():
            wrongs.append("exit 1 and nothing said")
    if code == 0:
        said = re.compile(rf"^{about}(:\d+)?: warning: ")
        odd = [line for line in err.split("\n") if line.strip() and not said.match(line)]
        if odd:
            wrongs.append(f"exit 0 with a line on stderr that is no warning: {odd[0][:200]!r}")
    if renders.exists():
        wrongs.append("check created the --out folder")
    if changed:
        wrongs.append("check changed the project folder")
    return wrongs


_WORKDIR: list[tempfile.TemporaryDirectory] = []


@contextlib.contextmanager
def workspace():
    """A folder for one case, beside a `template` project holding the assets (made once)."""
    if not _WORKDIR:
        _WORKDIR.append(tempfile.TemporaryDirectory(prefix="film-fuzz-"))
        make_assets(Path(_WORKDIR[0].name) / "template")
    root = Path(_WORKDIR[0].name)
    case = Path(tempfile.mkdtemp(dir=root, prefix="case-"))
    try:
        yield root, case
    finally:
        shutil.rmtree(case, ignore_errors=True)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(document=documents, unicode=st.booleans())
def test_schema_shaped_storyboards_get_an_answer(document, unicode):
    text = dump(document, unicode)
    code, err, script, renders, changed = outcome(text)
    wrongs = judged(code, err, script, renders, changed)
    assert not wrongs, f"{'; '.join(wrongs)}\n--- storyboard.yaml\n{text[:3000]}\n--- stderr\n{err[-3000:]}"
