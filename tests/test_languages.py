"""A film in several languages: PO files, `film translations`, voices per language, and the
two ways a language version is made (`localize: retime` and `dub`), probed in their outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from babel.messages.pofile import read_po

from conftest import count_frames, solid_png, write_project
from pipeline.edit import ffmpeg
from pipeline.parse import load
from pipeline.spec import Version

SCRIPT = """
    title: Water
    size: 320x180
    title_card: false
    languages: [en, es]
    {extra}
    scenes:
      - heading: EXT. SEA - DAY
        shots:
          - {{id: sea, prompt: "a cloud over the sea", narration: "Water rises from the sea."}}
          - id: rain
            title: "The end"
            lines:
              - ANA: "Then it falls as rain."
    cast: {{ANA: {{voice: woman}}}}
"""
SPANISH = {"Water": "Agua", "Water rises from the sea.": "El agua sube del mar.",
           "Then it falls as rain.": "Luego cae en lluvia.", "The end": "Fin"}


def film(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True)


def translate(po: Path, words: dict[str, str]) -> None:
    """Fill in `po` as a translator would: each msgstr of a msgid in `words`."""
    text = po.read_text(encoding="utf-8")
    for original, translated in words.items():
        text = text.replace(f'msgid "{original}"\nmsgstr ""', f'msgid "{original}"\nmsgstr "{translated}"')
    po.write_text(text, encoding="utf-8")


def project(folder: Path, extra: str = "", words: dict[str, str] | None = None) -> Path:
    path = write_project(folder, SCRIPT.format(extra=extra))
    done = film("translations", str(folder), cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    translate(folder / "locales" / "es.po", SPANISH if words is None else words)
    return path


def test_translations_writes_the_template_and_reports_untranslated_and_stale(tmp_path):
    folder = tmp_path / "water"
    path = write_project(folder, SCRIPT.format(extra=""))
    done = film("translations", str(folder), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with open(folder / "locales" / "messages.pot", "rb") as handle:
        template = read_po(handle)
    found = {(m.context, m.id): m.locations for m in template if m.id}
    # each text with who says it (or what shows it) as its context, and where it is written
    assert found == {("title", "Water"): [("storyboard.yaml", 1)],
                     ("narrator", "Water rises from the sea."): [("storyboard.yaml", 9)],
                     ("ANA", "Then it falls as rain."): [("storyboard.yaml", 13)],
                     ("title card", "The end"): [("storyboard.yaml", 11)]}
    assert "es: " in done.stdout and "(new): 0 of 4 translated, 4 untranslated" in done.stdout
    assert f"{path}:13: untranslated: ANA: Then it falls as rain." in done.stdout

    translate(folder / "locales" / "es.po", SPANISH)
    # The writer changes a line and drops the title card: the old translation is kept, marked
    # stale (fuzzy: not used until a translator looks), and the card's is no longer needed.
    path.write_text(path.read_text().replace("Then it falls as rain.", "Then it falls as cold rain.")
                    .replace('title: "The end"', 'prompt: "rain on a roof"'), encoding="utf-8")
    done = film("translations", str(folder), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "es: " in done.stdout and ": 2 of 3 translated, 1 stale (the original changed since), 1 no longer in " \
                                     "the script" in done.stdout
    assert f"{path}:13: stale: ANA: Then it falls as cold rain." in done.stdout
    board = load(folder, version=Version(language="es"))
    assert board.shots[1].lines[0].text == "Then it falls as cold rain."   # stale: said as written
    assert board.shots[0].narration == "El agua sube del mar." and board.project.title == "Agua"
    assert [str(w) for w in board.warnings if "not translated" in w.message] == [
        f"{folder / 'locales' / 'es.po'}: 1 text not translated into 'es' (or stale: the original changed since): "
        "said and shown as the script writes them; film translations PROJECT lists them"]
    # Run again with nothing changed, the files are as they were (no date-only or comment churn).
    before = (folder / "locales" / "es.po").read_bytes()
    assert film("translations", str(folder), cwd=tmp_path).returncode == 0
    assert (folder / "locales" / "es.po").read_bytes() == before
    # A line Babel would misread is refused at its line, and the file left as it is.
    po = folder / "locales" / "es.po"
    po.write_text(before.decode() + 'msgid "broken\nmsgstr "x"\n', encoding="utf-8")
    lines = len(before.decode().splitlines())
    done = film("translations", str(folder), cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.startswith(f"{po}:{lines + 1}: not a line of a PO file: 'msgid \"broken'")
    assert po.read_text(encoding="utf-8").endswith('msgid "broken\nmsgstr "x"\n')


def test_a_language_without_its_po_file_or_not_listed_is_refused(tmp_path):
    folder = tmp_path / "water"
    write_project(folder, SCRIPT.format(extra=""))
    done = film("build", str(folder), cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"{folder / 'locales' / 'es.po'}: no translations into 'es' yet: `film "
                                   "translations PROJECT` writes this file for a translator to fill in")
    assert not (folder / "renders").exists()
    done = film("build", str(folder), "--language", "FR", cwd=tmp_path)
    assert done.returncode == 1 and done.stderr.strip() == "--language: 'FR' is not one of the film's languages (en, es)"
    bad = write_project(tmp_path / "bad", SCRIPT.format(extra="").replace("[en, es]", "[en, espanol]"))
    done = film("check", str(bad.parent), cwd=tmp_path)
    assert done.returncode == 1 and f"{bad}:4: unknown language 'espanol'" in done.stderr


def test_voices_per_language_and_the_others_read_its_phonemes(tmp_path):
    folder = tmp_path / "water"
    project(folder, extra="voices: {es: {narrator: {preset: man, rate: 0.9}}}")
    board = load(folder, version=Version(language="es"))
    assert board.project.narrator.preset == "man" and board.project.narrator.rate == 0.9
    ana = board.character("ANA").voice
    assert ana.preset == "woman" and ana.language == "es"   # her own voice, reading Spanish
    assert any("no voice for ANA in 'es'" in w.message for w in board.warnings)


STREAM = re.compile(r"Stream #0:\d+(?:\[\w+\])?(?:\((\w+)\))?: (\w+):")


def streams(video: Path) -> list[dict]:
    """Each stream of `video` as ffmpeg lists it: its kind, its language tag, whether default."""
    text = subprocess.run([ffmpeg.exe(), "-hide_banner", "-i", str(video)], capture_output=True, text=True).stderr
    return [{"kind": found[2], "language": found[1] or "", "default": line.rstrip().endswith("(default)")}
            for line in text.splitlines() if (found := STREAM.search(line))]


def subtitle_track(video: Path, n: int) -> list[str]:
    text = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(video), "-map", f"0:s:{n}", "-f", "srt", "-"],
                          capture_output=True, text=True, check=True).stdout
    return [block.split("\n", 2)[2].replace("\n", " ") for block in text.strip().split("\n\n")]


@pytest.fixture(scope="module")
def retimed(tmp_path_factory) -> Path:
    """The film built in English and Spanish (`localize: retime`, the default here)."""
    folder = tmp_path_factory.mktemp("retimed") / "water"
    project(folder, extra="pacing: {min_duration: 1}")
    done = film("build", str(folder), cwd=folder.parent)
    assert done.returncode == 0, done.stderr
    return folder


def test_retime_makes_a_cut_per_language_timed_to_its_own_speech(retimed):
    renders = retimed / "renders" / "water"
    own, spanish = renders / "final.mp4", renders / "es" / "final.mp4"
    assert [(s["kind"], s["language"]) for s in streams(own)] == [("Video", "und"), ("Audio", "eng")]
    assert [(s["kind"], s["language"]) for s in streams(spanish)] == [("Video", "und"), ("Audio", "spa")]
    assert (renders / "subtitles.srt").read_text().count("Water rises from the sea.") == 1
    cues = (renders / "es" / "subtitles.srt").read_text()
    assert "El agua sube del mar." in cues and "Luego cae en lluvia." in cues and "Water" not in cues
    # Each cut lasts as its own speech does: the film's timing from build.json, to the frame.
    for folder_of in (renders, renders / "es"):
        report = json.loads((folder_of / "build.json").read_text())
        assert count_frames(folder_of / "final.mp4") == report["frames"]
    reports = {tag: json.loads((renders / tag / "build.json").read_text()) for tag in ("", "es")}
    assert reports[""]["frames"] != reports["es"]["frames"]
    # Spanish speech made with voices, and the sea's drawing (no words on it) made once.
    jobs = {(j["kind"], j["id"]): j["status"] for j in reports["es"]["jobs"]}
    assert jobs[("shot", "sea")] == "cached" and jobs[("card", "rain")] == "rendered"
    assert sum(kind == "voice" and status == "rendered" for (kind, _), status in jobs.items()) == 2


def test_dub_keeps_the_picture_and_carries_every_language_in_one_mp4(retimed, tmp_path):
    # The same film dubbed, from the retimed build's cache (linked: a build replaces files,
    # never writes into one): its English picture and both languages' speech are made already.
    folder = tmp_path / "water"
    shutil.copytree(retimed, folder, ignore=shutil.ignore_patterns("renders"))
    shutil.copytree(retimed / "renders" / "water" / "cache", folder / "renders" / "water" / "cache",
                    copy_function=os.link)
    script = folder / "storyboard.yaml"
    script.write_text(script.read_text().replace("languages: [en, es]", "languages: [en, es]\nlocalize: dub"))
    done = film("build", str(folder), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    renders = folder / "renders" / "water"
    cut = renders / "final.mp4"
    assert [(s["kind"], s["language"]) for s in streams(cut)] == [
        ("Video", "und"), ("Audio", "eng"), ("Audio", "spa"), ("Subtitle", "eng"), ("Subtitle", "spa")]
    assert [s["default"] for s in streams(cut)[1:3]] == [True, False]   # the film's own sound plays first
    assert subtitle_track(cut, 0) == ["Water rises from the sea.", "Then it falls as rain."]
    assert subtitle_track(cut, 1) == ["El agua sube del mar.", "Luego cae en lluvia."]
    report = json.loads((renders / "build.json").read_text())
    assert count_frames(cut) == report["frames"]
    # The Spanish sound has its speech where the English has its own: each line fitted into
    # its original's time, with the picture as it was.
    english, spanish = (audio_samples_of(cut, n) for n in (0, 1))
    assert len(english) == len(spanish)
    for shot in report["shots"][:2]:   # the sea and the rain; then the credits, unspoken
        start, end = shot["start"] / 24, (shot["start"] + shot["frames"]) / 24
        window = slice(int((start + 0.5) * 8000), int((end - 0.5) * 8000))
        assert loudness_db(spanish[window]) > -35 and loudness_db(english[window]) > -35, shot["id"]
    assert not np.allclose(english, spanish)
    dub = json.loads((renders / "es" / "build.json").read_text())
    assert {j["kind"] for j in dub["jobs"]} <= {"voice", "dub", "passage", "mix", "subtitles", "music"}
    # `film clean` keeps every language's jobs: the next build makes nothing.
    assert film("clean", str(folder), cwd=tmp_path).returncode == 0
    again = film("build", str(folder), cwd=tmp_path)
    assert again.returncode == 0 and again.stdout.splitlines()[-1].startswith("0 rendered"), again.stdout


def audio_samples_of(video: Path, track: int) -> np.ndarray:
    raw = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(video), "-map", f"0:a:{track}", "-ac", "1",
                          "-ar", "8000", "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def loudness_db(samples: np.ndarray) -> float:
    return 10 * np.log10(float(np.mean(np.square(samples))) + 1e-12)


def test_a_dubbed_line_that_cannot_fit_is_a_problem_at_its_line(tmp_path):
    folder = tmp_path / "water"
    path = project(folder, extra="localize: dub",
                   words={**SPANISH, "Water rises from the sea.": "El agua del océano, calentada por el sol de la "
                                                                  "mañana, sube lentamente hacia el cielo."})
    done = film("build", str(folder), cwd=tmp_path)
    assert done.returncode == 1
    message = done.stderr.strip().splitlines()[-1]   # after the warning that Ana reads Spanish
    assert message.startswith(f"{path}:9: the narrator's line in 'es' lasts ") and \
        "more than the 15% a dub may speed it up: shorten its translation" in message and message.endswith("(in 'es')")
    assert not list((folder / "renders" / "water" / "cache").glob("segment/*")), "pictures made before the dub failed"


def test_right_to_left_subtitles_are_marked_for_players(tmp_path):
    """Arabic subtitles: each line opened and closed with a right-to-left mark (the subtitles
    job alone is run: what a build writes beside the cut)."""
    from pipeline.build import prepare
    from pipeline.build.graph import make_graph
    from pipeline.build.run import execute
    from pipeline.cache import Cache

    folder = tmp_path / "water"
    write_project(folder, SCRIPT.format(extra="speech: false").replace("[en, es]", "[en, ar]"))
    assert film("translations", str(folder), cwd=tmp_path).returncode == 0
    translate(folder / "locales" / "ar.po", {"Water rises from the sea.": "يرتفع الماء من البحر.",
                                             "Then it falls as rain.": "ثم يسقط مطرًا."})
    cache = Cache(tmp_path / "cache")

    def subtitles(board) -> list[str]:
        job = make_graph(prepare(board, cache, synthesise=False)[0], cache).job("subtitles")
        execute([job], cache)
        return [row for row in (job.output / "subtitles.srt").read_text(encoding="utf-8").splitlines()
                if row and not row[0].isdigit()]

    assert subtitles(load(folder, version=Version(language="ar"))) == [
        "\u200fيرتفع الماء من البحر.\u200f", "\u200fثم يسقط مطرًا.\u200f"]
    # the film's own language is left to the player
    assert subtitles(load(folder)) == ["Water rises from the sea.", "Then it falls as rain."]


def test_each_language_version_knows_its_language(tmp_path):
    """`{{ language }}` in a film with languages: a still drawn in each language is chosen by it."""
    folder = tmp_path / "maps"
    for tag in ("en", "es"):
        solid_png(folder / "assets" / f"map-{tag}.png", (20, 90, 200))
    write_project(folder, """
        languages: [en, es]
        scenes:
          - shots:
              - {id: map, image: "assets/map-{{ language }}.png", duration: 2, when: "language == 'es'"}
              - {id: sea, prompt: "the sea", duration: 2}
    """)
    (folder / "locales").mkdir()
    (folder / "locales" / "es.po").write_text('msgid ""\nmsgstr ""\n"Language: es\\n"\n', encoding="utf-8")
    assert [s.id for s in load(folder).shots] == ["sea"]
    spanish = load(folder, version=Version(language="es"))
    assert [(s.id, s.image) for s in spanish.shots] == [("map", "assets/map-es.png"), ("sea", None)]
