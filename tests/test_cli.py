"""The `film` command: exit codes, one line per problem, nothing written on bad input."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import write_project

PROJECTS = Path(__file__).resolve().parent.parent / "projects"


def film(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True)


def test_bad_storyboard_exits_1_with_every_problem_and_writes_nothing(tmp_path):
    path = write_project(tmp_path / "bad", """
        titel: Oops
        scenes:
          - shots:
              - {id: a, prompt: x, camera: zoomin}
              - {id: a, prompt: y, transition: crossfade}
    """)
    for command in ("check", "plan", "build"):
        result = film(command, str(path.parent), cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert lines == [
            f"{path}:1: unknown key 'titel' in the storyboard (did you mean 'title'?)",
            f"{path}:4: unknown camera move 'zoomin' (did you mean 'zoom-in'?); one of: static, zoom-in, zoom-out, "
            "pan-left, pan-right, tilt-up, tilt-down, dolly-in, dolly-out, crane-up",
            f"{path}:5: duplicate shot id 'a' (first used at {path}:4)",
            f"{path}:5: unknown transition 'crossfade'; one of: cut, dissolve, fade-black, wipe-left, wipe-right, "
            "slide-left, slide-right, iris",
        ]
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "renders").exists()


def test_footage_that_is_not_a_video_is_an_input_error(tmp_path):
    folder = tmp_path / "bad-footage"
    folder.mkdir()
    (folder / "clip.mp4").write_bytes(b"not a video at all")
    path = write_project(folder, """
        scenes:
          - shots:
              - {id: a, footage: clip.mp4, duration: 1}
    """)
    result = film("check", str(folder), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"{path}:3: footage 'clip.mp4' is not a readable video"


def test_missing_project_is_a_clear_error(tmp_path):
    result = film("build", "nowhere", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.strip() == "nowhere: no such file or folder"


def test_new_check_plan_build(tmp_path):
    created = film("new", "my-film", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    storyboard = tmp_path / "my-film" / "storyboard.yaml"
    assert storyboard.is_file()
    # shrink the scaffold so the test stays fast
    storyboard.write_text(storyboard.read_text().replace("size: 1280x720", "size: 160x96"))
    checked = film("check", "my-film", cwd=tmp_path)
    assert checked.returncode == 0 and "ok" in checked.stdout
    planned = film("plan", "my-film", cwd=tmp_path)
    assert planned.returncode == 0
    rows = planned.stdout.splitlines()
    assert rows[0].split()[:5] == ["shot", "start", "dur", "seed", "status"]
    assert any(r.startswith("opening") and "to render" in r for r in rows)
    # check and plan make no speech and write nothing: durations of unspoken lines are estimates
    assert not (tmp_path / "renders").exists() and not (tmp_path / "my-film" / "renders").exists()
    assert any("~" in r for r in rows[1:]) and "about" in rows[-2]
    built = film("build", "my-film", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    # renders go in the project's folder, wherever the command is run from
    assert re.match(r"21 rendered, 0 cached, [\d.]+ s → my-film/renders/my-film/final.mp4", built.stdout), built.stdout
    # each stage is named on its own line, also when the output is not a terminal
    assert built.stderr.splitlines()[:2] == ["speech: 2 jobs, 2 to run", "pictures and sound: 19 jobs, 19 to run"]
    assert (tmp_path / "my-film" / "renders" / "my-film" / "final.mp4").is_file()
    # from the parent folder and from inside the project: the same renders, everything cached
    for cwd, named in ((tmp_path, "my-film"), (tmp_path / "my-film", "."), (tmp_path / "my-film" / "renders", ".."),
                       (tmp_path / "my-film", "storyboard.yaml"), (tmp_path / "my-film" / "renders", "../storyboard.yaml")):
        replanned = film("plan", named, cwd=cwd)
        assert all("to render" not in r and "~" not in r for r in replanned.stdout.splitlines()[1:-1]), cwd
        assert "about" not in replanned.stdout and " 0 of " in replanned.stdout.splitlines()[-1]
    assert not (tmp_path / "renders").exists() and not (tmp_path / "my-film" / "renders" / "renders").exists()
    rebuilt = film("build", "my-film", cwd=tmp_path)
    assert rebuilt.stdout.startswith("0 rendered,")
    assert film("new", "my-film", cwd=tmp_path).returncode == 1


def test_a_picture_that_is_not_an_image_is_refused_before_building(tmp_path):
    folder = tmp_path / "broken"
    (folder).mkdir()
    (folder / "photo.png").write_bytes(b"not an image at all")
    write_project(folder, """
        title_card: false
        size: 160x96
        scenes:
          - shots:
              - {id: a, image: photo.png, duration: 1}
    """)
    result = film("build", str(folder), cwd=tmp_path)
    # film check probes media, so the build stops before it starts (exit 2 for job faults: test_job_errors.py)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"{folder / 'storyboard.yaml'}:5: image 'photo.png' is not a picture")
    assert "Traceback" not in result.stderr and not (tmp_path / "renders").exists()


def test_new_from_a_screenplay_writes_names_as_yaml_and_check_reads_them_back(tmp_path):
    (tmp_path / "bar.fountain").write_text(
        "INT. BAR - NIGHT\n\nThe regulars.\n\nREGGIE'S VOICE\nLast orders.\n\nJOSÉ\nUna más.\n\n李明\n再来一杯。\n\n"
        "COP #2\nClosing time.\n\nDR. NO: THE SEQUEL\nNo.\n\n\"BIG\" JIM\nFine.\n", encoding="utf-8")
    created = film("new", "bar", "--from", "bar.fountain", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    sidecar = (tmp_path / "bar" / "film.yaml").read_text(encoding="utf-8")
    cast = sidecar.split("\ncast:\n", 1)[1].splitlines()
    assert [row.split(": {look", 1)[0] for row in cast] == [
        "  REGGIE'S VOICE", "  JOSÉ", "  李明", "  'COP #2'", "  'DR. NO: THE SEQUEL'", "  '\"BIG\" JIM'"]
    # the sidecar reads back with the same six names: none is left out of the cast, nor added to it
    checked = film("check", "bar", cwd=tmp_path)
    assert checked.returncode == 0 and "ok" in checked.stdout, checked.stderr
    assert "never speaks" not in checked.stderr and "Traceback" not in checked.stderr


def test_out_must_be_a_folder_renders_can_go_in(tmp_path):
    """`--out` naming a file, or a place nothing can be written, is an input error (exit 1,
    no traceback) for every command that reads or writes renders."""
    (tmp_path / "afile").write_text("not a folder")
    for command in ("check", "plan", "build"):
        result = film(command, str(PROJECTS / "lighthouse"), "--out", str(tmp_path / "afile" / "renders"), cwd=tmp_path)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.strip().endswith(f"--out must be a folder, but {tmp_path / 'afile'} is a file")
    result = film("build", str(PROJECTS / "lighthouse"), "--out", "/proc/film-renders", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.startswith("/proc/film-renders: --out: cannot write in /proc")
    # the commands that only read answer from a place they cannot write (a read-only share)
    for command in ("check", "plan", "status"):
        result = film(command, str(PROJECTS / "lighthouse"), "--out", "/proc/film-renders", cwd=tmp_path)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (command, result.stderr)


def test_renders_blocked_by_a_file_or_a_closed_pipe_give_no_traceback(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "lighthouse").write_text("a file where the film's folder goes")
    result = film("check", str(PROJECTS / "lighthouse"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(str(tmp_path / "out" / "lighthouse")) and "Not a directory" in result.stderr
    assert film("check", str(PROJECTS / "lighthouse"), "--out", "", cwd=tmp_path).returncode == 1
    # `film plan | head -1`: the reader goes away after one line
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "plan", str(PROJECTS / "lighthouse"), "--out",
                                str(tmp_path / "renders")], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, bufsize=1)
    assert process.stdout.readline().startswith("shot")
    process.stdout.close()
    stderr = process.stderr.read()
    assert process.wait() in (0, 141) and "Traceback" not in stderr


SPOKEN = """
title: Spoken
fps: 12
size: 96x54
scenes:
  - shots:
      - {id: harbour, prompt: boats come home, narration: "The boats came home before the storm."}
"""


def test_takes_and_jobs_are_checked_before_anything_is_made(tmp_path):
    """A mistyped shot, a drawn shot's takes, or `--jobs` under 1: exit 1 naming it, with no
    speech made and nothing written (speech takes seconds a line)."""
    folder = write_project(tmp_path / "spoken", SPOKEN).parent
    renders = tmp_path / "renders"
    typo = film("takes", str(folder), "harbor", "--out", str(renders), cwd=tmp_path)
    assert typo.returncode == 1 and "no shot 'harbor' (did you mean 'harbour'?)" in typo.stderr
    drawn = film("takes", str(folder), "harbour", "--out", str(renders), cwd=tmp_path)
    assert drawn.returncode == 1 and "drawn by 'animatic', not generated, so it has no takes" in drawn.stderr
    jobs = film("build", str(folder), "--jobs", "-2", "--out", str(renders), cwd=tmp_path)
    assert jobs.returncode == 1 and jobs.stderr.startswith("--jobs: ") and "Traceback" not in jobs.stderr
    assert not renders.exists()


def test_a_film_without_subtitles_leaves_none_beside_its_cut(tmp_path):
    folder = write_project(tmp_path / "subs", SPOKEN.replace("title: Spoken", "title: Spoken\nspeech: false")).parent
    renders = tmp_path / "renders"
    assert film("build", str(folder), "--out", str(renders), cwd=tmp_path).returncode == 0
    assert (renders / "subs" / "subtitles.srt").is_file()
    board = folder / "storyboard.yaml"
    board.write_text(board.read_text().replace("speech: false", "speech: false\nsubtitles: off"))
    assert film("build", str(folder), "--out", str(renders), cwd=tmp_path).returncode == 0
    assert not (renders / "subs" / "subtitles.srt").exists() and not (renders / "subs" / "subtitles.vtt").exists()


def test_an_ffmpeg_that_does_not_run_is_one_answer_before_anything_is_made(tmp_path):
    import os

    folder = write_project(tmp_path / "f", SPOKEN.replace("title: Spoken", "title: Spoken\nspeech: false")).parent
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")   # never read: ffmpeg is checked first
    env = {**os.environ, "IMAGEIO_FFMPEG_EXE": str(tmp_path / "no-ffmpeg")}
    for args in (["build", str(folder), "--out", str(tmp_path / "r")], ["transcribe", str(audio)]):
        result = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=tmp_path, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 1, result.stderr
        assert result.stderr.startswith(f"IMAGEIO_FFMPEG_EXE={tmp_path / 'no-ffmpeg'}: cannot run ffmpeg")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "r").exists()


def test_a_project_shipping_its_renders_as_a_link_is_not_built_through_it(tmp_path):
    """A shared project with `renders/NAME` (or its cache) linking elsewhere: the build refuses,
    and nothing is written where the link points."""
    folder = write_project(tmp_path / "shared", SPOKEN.replace("title: Spoken", "title: Spoken\nspeech: false")).parent
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "renders").mkdir()
    (folder / "renders" / "shared").symlink_to(elsewhere)
    result = film("build", ".", cwd=folder)
    assert result.returncode == 1 and "is a link to" in result.stderr and "Traceback" not in result.stderr
    assert not any(elsewhere.iterdir())
    (folder / "renders" / "shared").unlink()
    (folder / "renders" / "shared").mkdir()
    (folder / "renders" / "shared" / "cache").symlink_to(elsewhere)
    result = film("build", ".", cwd=folder)
    assert result.returncode == 1 and "cache: is a link to" in result.stderr and not any(elsewhere.iterdir())
    # The project's `renders` itself a link, built from inside the project.
    shutil.rmtree(folder / "renders")
    (folder / "renders").symlink_to(elsewhere)
    result = film("build", ".", cwd=folder)
    assert result.returncode == 1 and f"{folder / 'renders'}: is a link to" in result.stderr
    assert not any(elsewhere.iterdir())


def test_problems_and_warnings_holding_a_line_break_stay_on_one_line(capsys):
    """Read as Latin-1, byte 0x85 is NEL, a line break to Python and to terminals; a name can
    hold one (found by benchmarks/fuzz.py in a mutated screenplay's cast warning). Each problem
    and warning is one `file:line:` line, the break shown escaped."""
    from pipeline.cli import _print_warnings
    from pipeline.errors import Problem

    said = "cast member 'BO\x85B' never speaks\n(did you mean 'BOB\u2028'?)"
    _print_warnings([Problem("film.yaml", 5, said)])
    print(Problem("film.yaml", 6, said), file=sys.stderr)
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "film.yaml:5: warning: cast member 'BO\\x85B' never speaks\\n(did you mean 'BOB\\u2028'?)",
        "film.yaml:6: cast member 'BO\\x85B' never speaks\\n(did you mean 'BOB\\u2028'?)"]
