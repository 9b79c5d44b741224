"""The diffusers generator on tiny random-weight pipelines built in code and saved with
save_pretrained (no weights can be downloaded here), loaded through the generator's real path."""

from __future__ import annotations

import functools
import json
import subprocess
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from conftest import count_frames  # noqa: E402
from pipeline.build import build, takes  # noqa: E402
from pipeline.cli import main  # noqa: E402
from pipeline.edit import ffmpeg  # noqa: E402
from pipeline.generators import diffusion_models  # noqa: E402
from pipeline.models import ENV  # noqa: E402
from pipeline.testing.tiny_pipelines import (  # noqa: E402
    one_thread, save_cogvideox_text_to_video, save_ltx_image_to_video, save_stable_diffusion, save_wan_image_to_video,
    save_wan_text_to_video,
)


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Each tiny pipeline saved once for the module: {name: folder}."""
    root = tmp_path_factory.mktemp("models")
    return {"wan": save_wan_text_to_video(root / "wan"), "wan-i2v": save_wan_image_to_video(root / "wan-i2v"),
            "cogvideox": save_cogvideox_text_to_video(root / "cogvideox"), "sd": save_stable_diffusion(root / "sd"),
            "ltx-i2v": save_ltx_image_to_video(root / "ltx-i2v")}


@pytest.fixture(autouse=True)
def models_folder(models, monkeypatch):
    """The tiny pipelines are the user's models folder (`$FILM_MODELS`): a storyboard names
    one by its folder's name there, never by an absolute path."""
    monkeypatch.setenv(ENV, str(models_root(models)))


@pytest.fixture(autouse=True)
def fresh_loads():
    """Each test starts with no pipeline loaded (so load counts mean something), and runs the
    tiny models on one CPU thread: at these sizes two threads on a busy 2-core machine are
    20-40x slower."""
    diffusion_models._LOADED.clear()
    diffusion_models.LOADS.clear()
    with one_thread():
        yield
    diffusion_models._LOADED.clear()


def project(folder: Path, model: Path | str, shots: str, options: str = "size: 32x32, steps: 2, guidance: 1.0",
            extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model = model.name if isinstance(model, Path) else model   # a folder in the models folder
    text = textwrap.dedent(f"""\
        title: Tiny
        size: 96x64
        fps: 12
        speech: false
        title_card: false
        generator: {{name: diffusers, model: {model}, {options}}}
        {extra}
        scenes:
          - heading: EXT. SEA - NIGHT
            shots:
        """) + textwrap.indent(textwrap.dedent(shots), " " * 6)
    (folder / "storyboard.yaml").write_text(text, encoding="utf-8")
    return folder


def start_image(folder: Path, colour: tuple[int, int, int], size: int = 40) -> Path:
    """A plain picture `start.png` in the project folder, for `first_frame:`."""
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (size, size), colour).save(folder / "start.png")
    return folder / "start.png"


def clip_of(result, shot_id: str) -> Path:
    job = next(r for r in result.results if r.kind == "diffusion" and r.id.split(" take ")[0] == shot_id)
    return Path(job.output)


def read_frames(clip: Path) -> np.ndarray:
    """Every frame of a generated clip (its own fps and size), as uint8 RGB."""
    info = ffmpeg.probe(clip / "clip.mkv")
    raw = subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(clip / "clip.mkv"), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, info.height, info.width, 3)


def test_wan_shots_follow_the_family_rules_and_the_cut(models, tmp_path):
    folder = project(tmp_path / "p", models["wan"], """\
        - {id: one, prompt: "the sea at night", duration: 2}
        - {id: two, prompt: "a lighthouse", duration: 1}
    """)
    result = build(folder, renders=tmp_path / "renders")
    assert count_frames(result.output) == result.plan.total == 36
    one, two = read_frames(clip_of(result, "one")), read_frames(clip_of(result, "two"))
    # 2 s at Wan's 16 fps is 32 frames (one 33-frame call, 4k+1, trimmed); 1 s is 16 (17 made)
    assert one.shape == (32, 32, 32, 3) and two.shape == (16, 32, 32, 3)
    assert diffusion_models.LOADS == ["wan"]          # loaded once for both shots
    lock = json.loads((tmp_path / "renders" / "p" / "lock.json").read_text(encoding="utf-8"))
    assert lock["one"]["pipeline"] == "WanPipeline" and lock["one"]["revision"].startswith("local:")
    assert set(lock["one"]["versions"]) == {"torch", "diffusers", "transformers"}


def test_same_seed_same_frames_other_seed_other_frames(models, tmp_path):
    shots = """\
        - {id: one, prompt: "waves", duration: 1, takes: 2}
    """
    first = build(project(tmp_path / "a", models["wan"], shots), renders=tmp_path / "r1")
    again = build(project(tmp_path / "a", models["wan"], shots), renders=tmp_path / "r2")
    take1 = [r for r in first.results if r.kind == "diffusion"]
    assert len(take1) == 2
    a, b = (read_frames(Path(r.output)) for r in sorted(take1, key=lambda r: r.id))
    assert np.array_equal(read_frames(clip_of(again, "one")), read_frames(clip_of(first, "one")))
    assert not np.array_equal(a, b)


def test_picking_another_take_renders_nothing_again(models, tmp_path):
    folder = project(tmp_path / "p", models["wan"], """\
        - {id: one, prompt: "waves", duration: 1, takes: 2}
    """)
    build(folder, renders=tmp_path / "renders")
    sheet, count = takes(folder, "one", renders=tmp_path / "renders")
    assert count == 2 and Image.open(sheet).size[1] > 2 * 60
    text = (folder / "storyboard.yaml").read_text(encoding="utf-8").replace("takes: 2}", "takes: 2, take: 2}")
    (folder / "storyboard.yaml").write_text(text, encoding="utf-8")
    second = build(folder, renders=tmp_path / "renders")
    assert all(r.status == "cached" for r in second.results if r.kind == "diffusion")
    assert any(r.status == "rendered" for r in second.results if r.kind == "segment")


def test_continuity_previous_starts_from_the_last_frame(models, tmp_path, monkeypatch):
    import diffusers

    seen = []
    original = diffusers.WanImageToVideoPipeline.__call__

    @functools.wraps(original)      # keeps the signature, which the generator reads
    def spy(self, *args, **kwargs):
        seen.append(np.asarray(kwargs["image"]).copy())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(diffusers.WanImageToVideoPipeline, "__call__", spy)
    start_image(tmp_path / "p", (200, 40, 40))
    folder = project(tmp_path / "p", models["wan-i2v"], """\
        - {id: one, prompt: "a red door", duration: 1, first_frame: start.png}
        - {id: two, prompt: "the door opens", duration: 1, continuity: previous}
    """)
    result = build(folder, renders=tmp_path / "renders")
    assert len(seen) == 2
    assert np.abs(seen[0].astype(int) - (200, 40, 40)).max() <= 2        # the first frame given
    last = np.asarray(Image.open(clip_of(result, "one") / "last.png"))
    assert np.array_equal(seen[1], last)                                  # the shot before's last frame
    # its colours were matched to the frame it continues
    two = read_frames(clip_of(result, "two")).reshape(-1, 3).mean(0)
    assert np.abs(two - last.reshape(-1, 3).mean(0)).max() < 4
    assert result.plan.shots[1].seed == result.plan.shots[0].seed


def test_a_shot_longer_than_the_model_continues_from_its_own_last_frame(models, tmp_path):
    start_image(tmp_path / "p", (30, 90, 200))
    folder = project(tmp_path / "p", models["wan-i2v"], """\
        - {id: long, prompt: "the tide", duration: 2, first_frame: start.png}
    """, options="size: 32x32, steps: 2, guidance: 1.0, max_frames: 9")
    result = build(folder, renders=tmp_path / "renders")
    frames = read_frames(clip_of(result, "long"))
    assert frames.shape[0] == 32            # four 9-frame calls, each continuing the last


@pytest.mark.parametrize("fallback, check", [
    ("hold", lambda f: np.array_equal(f[-1], f[8]) and f.shape[0] == 32),
    ("loop", lambda f: np.array_equal(f[9], f[0]) and f.shape[0] == 32),
    ("slow", lambda f: f.shape[0] == 9),
])
def test_a_text_to_video_model_that_cannot_chain_uses_the_fallback(models, tmp_path, fallback, check):
    folder = project(tmp_path / fallback, models["wan"], """\
        - {id: long, prompt: "the tide", duration: 2}
    """, options=f"size: 32x32, steps: 2, guidance: 1.0, max_frames: 9, fallback: {fallback}")
    result = build(folder, renders=tmp_path / "renders")
    assert check(read_frames(clip_of(result, "long")))
    assert count_frames(result.output) == result.plan.total == 24


def test_cogvideox_clips_are_8k_plus_1_at_8_fps(models, tmp_path):
    folder = project(tmp_path / "p", models["cogvideox"], """\
        - {id: one, prompt: "a boat", duration: 2}
    """, options="size: 32x32, steps: 2, guidance: 1.0")
    result = build(folder, renders=tmp_path / "renders")
    assert read_frames(clip_of(result, "one")).shape[0] == 16             # 2 s at 8 fps (a 17-frame call)
    assert count_frames(result.output) == result.plan.total


def test_ltx_image_to_video_is_8k_plus_1_at_24_fps_from_its_first_frame(models, tmp_path):
    start_image(tmp_path / "p", (240, 200, 40), size=64)
    folder = project(tmp_path / "p", models["ltx-i2v"], """\
        - {id: one, prompt: "a boat", duration: 1, first_frame: start.png}
    """)
    result = build(folder, renders=tmp_path / "renders")
    frames = read_frames(clip_of(result, "one"))
    assert frames.shape == (24, 32, 32, 3)                # 1 s at 24 fps (a 25-frame call)
    assert np.abs(frames.reshape(-1, 3).mean(0) - (240, 200, 40)).max() < 4   # colours matched to its start


def test_a_text_to_image_model_makes_a_still_moved_by_the_camera(models, tmp_path):
    folder = project(tmp_path / "p", models["sd"], """\
        - {id: still, prompt: "a harbour", duration: 1, camera: zoom-in}
    """, options="size: 32x32, steps: 2")
    result = build(folder, renders=tmp_path / "renders")
    image = Image.open(clip_of(result, "still") / "image.png")
    assert image.size == (120, 80)       # the camera's canvas for 96x64
    assert count_frames(result.output) == result.plan.total == 12


def test_locked_builds_refuse_anything_different(models, tmp_path, capsys):
    folder = project(tmp_path / "p", models["wan"], """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    renders = tmp_path / "renders"
    assert main(["build", str(folder), "--out", str(renders), "--locked"]) == 1
    assert "no lock file" in capsys.readouterr().err
    build(folder, renders=renders)
    lock = renders / "p" / "lock.json"
    entries = json.loads(lock.read_text(encoding="utf-8"))
    entries["one"]["seed"] += 1
    entries["one"]["versions"]["diffusers"] = "0.1.0"
    lock.write_text(json.dumps(entries), encoding="utf-8")
    assert main(["build", str(folder), "--out", str(renders), "--locked"]) == 1
    err = capsys.readouterr().err
    assert "shot 'one': seed is" in err and "shot 'one': versions is" in err


def test_a_model_not_in_the_cache_offline_is_one_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    folder = project(tmp_path / "p", "someone/not-downloaded-model", """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    assert main(["build", str(folder), "--out", str(tmp_path / "renders")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{folder / 'storyboard.yaml'}:6: ")
    assert "'someone/not-downloaded-model' is not in the local Hugging Face cache" in err[0]
    assert "hf download someone/not-downloaded-model" in err[0]
    assert not (tmp_path / "renders" / "p" / "final.mp4").exists()


def models_root(models) -> Path:
    return next(iter(models.values())).parent


def test_a_missing_model_folder_is_found_by_film_check(models, tmp_path, capsys):
    folder = project(tmp_path / "p", "./models/none", """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    assert main(["check", str(folder)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{folder / 'storyboard.yaml'}:6: diffusers model './models/none' not found in the project folder or the "
        f"models folder {models_root(models)}")


@pytest.mark.parametrize("written", ["{root}/wan", "../models0/wan", "~/wan"])
def test_a_model_folder_outside_the_project_is_refused(models, tmp_path, capsys, written):
    """An existing pipeline folder, named by a path leading out of the project, is refused the
    way a missing one would be: the project does not choose where film reads from."""
    folder = project(tmp_path / "p", written.format(root=models_root(models)), """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{folder / 'storyboard.yaml'}:6: diffusers model ") and "is outside the project" in err


def test_wrong_options_are_found_by_film_check(tmp_path, capsys):
    folder = project(tmp_path / "p", "org/model", """\
        - {id: one, prompt: "waves", duration: 1}
    """, options="stepz: 2, dtype: fp8")
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert ":6: unknown diffusers option 'stepz' (did you mean 'steps'?)" in err
    assert ":6: diffusers dtype 'fp8'" in err


def test_the_generated_example_builds_end_to_end(tmp_path):
    """projects/generated with its tiny Wan (made by its make_model.py) from storyboard to cut."""
    import shutil
    import sys

    example = Path(__file__).resolve().parents[2] / "projects" / "generated"
    folder = tmp_path / "generated"
    shutil.copytree(example, folder, ignore=shutil.ignore_patterns("models"))
    subprocess.run([sys.executable, str(folder / "make_model.py"), str(folder / "models" / "tiny-wan")],
                   check=True, capture_output=True)
    result = build(folder, renders=tmp_path / "renders", preview=True)
    assert count_frames(result.output) == result.plan.total
    generated = [r for r in result.results if r.kind == "diffusion"]
    assert len(generated) == 4                       # three shots, one of them with two takes
    assert diffusion_models.LOADS == ["models/tiny-wan"]                 # loaded once
    assert [s.generator.name for s in result.plan.shots if s.kind == "shot"] == ["diffusers"] * 3


def test_running_out_of_gpu_memory_retries_once_with_vae_tiling():
    """No GPU here, so a stand-in pipeline raises CUDA's out-of-memory error on its first call
    (the generator's own retry code runs for real)."""
    from types import SimpleNamespace

    from pipeline.generators.diffusers import Request, call_pipeline
    from pipeline.generators.families import FAMILIES

    class Vae:
        tiled = False

        def enable_tiling(self):
            self.tiled = True

    class OutOfMemoryError(RuntimeError):
        pass

    class Pipe:
        vae = Vae()
        calls = 0

        def __call__(self, prompt=None, num_frames=None, height=None, width=None, generator=None, output_type=None):
            Pipe.calls += 1
            if not self.vae.tiled:
                raise OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
            return SimpleNamespace(frames=[np.zeros((num_frames, height, width, 3), np.float32)])

    pipe = Pipe()
    loaded = diffusion_models.Loaded(pipe, None, FAMILIES["WanPipeline"])
    request = Request("waves", "", 1, 16, 16, 9, 2, 1.0, "slow", False)
    frames = call_pipeline(loaded, pipe, request, image=None, frames=9)
    assert frames.shape == (9, 16, 16, 3) and Pipe.calls == 2 and pipe.vae.tiled


def test_a_missing_install_extra_is_named(tmp_path, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "diffusers" else real(name, *a))
    folder = project(tmp_path / "p", "org/model", """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    assert main(["check", str(folder)]) == 1
    assert capsys.readouterr().err.strip() == (f"{folder / 'storyboard.yaml'}:6: the diffusers generator needs "
                                               "diffusers: pip install 'film[diffusers]'")


def test_a_hub_model_in_the_local_cache_loads_offline_at_its_commit(models, tmp_path, monkeypatch):
    """A hub id resolved through a Hugging Face cache laid out as `hf download` leaves it
    (refs/main naming the snapshot's commit), with HF_HUB_OFFLINE set."""
    import shutil

    import huggingface_hub.constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    cache = tmp_path / "hub"
    repo = cache / "models--tiny-org--tiny-wan"
    shutil.copytree(models["wan"], repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    folder = project(tmp_path / "p", "tiny-org/tiny-wan", """\
        - {id: one, prompt: "the sea", duration: 1}
    """)
    result = build(folder, renders=tmp_path / "renders")
    assert count_frames(result.output) == result.plan.total
    lock = json.loads((tmp_path / "renders" / "p" / "lock.json").read_text(encoding="utf-8"))
    assert lock["one"]["model"] == "tiny-org/tiny-wan" and lock["one"]["revision"] == commit


def project_copy_of(models, folder: Path, name: str = "wan") -> Path:
    """A copy of a tiny pipeline inside the project, at models/<name>; returns its folder."""
    import shutil

    return Path(shutil.copytree(models[name], folder / "models" / name))


@pytest.mark.parametrize("index, message", [
    ('{"_class_name": "WanPipeline",', "model_index.json is not valid JSON (line 1: "),
    ('{"_class_name": ["diffusers", "WanPipeline"]}', "model_index.json names no pipeline class (_class_name is "),
    ('{"_class_name": 42}', "model_index.json names no pipeline class (_class_name is 42, not a class name)"),
    ('{"_class_name": null}', "model_index.json names no pipeline class (_class_name is null, not a class name)"),
    ('{"vae": ["diffusers", "AutoencoderKLWan"]}', "model_index.json names no pipeline class (_class_name)"),
    ('["WanPipeline"]', "model_index.json is not a JSON object"),
    ('{"_class_name": "NoSuchPipeline"}', "pipeline class 'NoSuchPipeline' is not in diffusers {version}"),
    ('{"_class_name": "WanPipline"}', "pipeline class 'WanPipline' is not in diffusers {version} "
                                      "(did you mean 'WanPipeline'?)"),
    ('{"_class_name": "AutoencoderKL"}', "'AutoencoderKL' (_class_name) is not a pipeline class of diffusers"),
])
def test_a_broken_model_index_is_found_by_film_check(models, tmp_path, capsys, index, message):
    """What a build would meet loading the pipeline (a traceback, or a failed job) is one line
    at the generator's storyboard line, from check and from build alike."""
    import diffusers

    folder = project(tmp_path / "p", "models/wan", """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    copy = project_copy_of(models, folder)
    assert main(["check", str(folder)]) == 0          # the copy as saved is a pipeline check accepts
    capsys.readouterr()
    (copy / "model_index.json").write_text(index, encoding="utf-8")
    expected = (f"{folder / 'storyboard.yaml'}:6: diffusers model 'models/wan': "
                f"{message.format(version=diffusers.__version__)}")
    for command in (["check", str(folder)], ["build", str(folder), "--out", str(tmp_path / "renders")]):
        assert main(command) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(expected), err
    assert not (tmp_path / "renders" / "p" / "final.mp4").exists()


def test_film_check_looks_for_a_hub_model_in_the_local_cache_only(models, tmp_path, monkeypatch, capfd):
    """Online or not, check answers at once from the local cache: no request, no retries
    (with the network blocked here, so a request would show as one, not as a 30 s wait)."""
    import shutil
    import socket
    import time

    import huggingface_hub.constants

    cache = tmp_path / "hub"
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    requests = []

    def no_network(*args, **kwargs):
        requests.append(args)
        raise OSError("the network is blocked in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    folder = project(tmp_path / "p", "tiny-org/tiny-wan", """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    where = f"{folder / 'storyboard.yaml'}:6: diffusers model 'tiny-org/tiny-wan'"
    started = time.monotonic()
    assert main(["check", str(folder)]) == 1
    seconds = time.monotonic() - started
    out, err = capfd.readouterr()
    assert err.strip().splitlines() == [
        f"{where} is not in the local Hugging Face cache; download it first with: hf download tiny-org/tiny-wan"]
    assert requests == [] and "Retrying" not in out + err and seconds < 15

    # the cache as `hf download` leaves it: refs/main names the snapshot's commit
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--tiny-org--tiny-wan"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    (repo / ".no_exist" / commit).mkdir(parents=True)        # the hub said it has no model_index.json
    (repo / ".no_exist" / commit / "model_index.json").touch()
    assert main(["check", str(folder)]) == 1
    assert capfd.readouterr().err.strip().splitlines() == [
        f"{where} is not a diffusers pipeline: the local Hugging Face cache records that it has no model_index.json"]
    shutil.rmtree(repo / ".no_exist")
    shutil.copytree(models["wan"], repo / "snapshots" / commit)
    assert main(["check", str(folder)]) == 0
    assert requests == []


def test_a_hub_id_the_hub_cannot_have_is_one_clear_error(tmp_path, monkeypatch, capsys):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "empty-hub"))
    folder = project(tmp_path / "p", "some..one/model", """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    where = f"{folder / 'storyboard.yaml'}:6: diffusers model 'some..one/model'"
    assert err[0].startswith(f"{where} is not a valid hub id (")


def test_a_link_out_of_the_project_inside_a_model_folder_is_refused(models, tmp_path, capsys):
    """A pipeline copied into the project whose vae folder is a link to one outside it: the
    project would read files from outside itself."""
    import shutil

    folder = project(tmp_path / "p", "models/wan", """\
        - {id: one, prompt: "waves", duration: 1}
    """)
    copy = project_copy_of(models, folder)
    assert main(["check", str(folder)]) == 0
    capsys.readouterr()
    shutil.rmtree(copy / "vae")
    (copy / "vae").symlink_to(models["wan"] / "vae", target_is_directory=True)
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{folder / 'storyboard.yaml'}:6: diffusers model 'models/wan' ")
    assert "holds a link leading out of the project" in err[0]
