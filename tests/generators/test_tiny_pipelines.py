"""The tiny random-weight pipelines of tiny_pipelines.py: each is saved, loaded back through
`DiffusionPipeline.from_pretrained` (a local folder, nothing downloaded) and called once at a tiny size."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from pipeline.testing import tiny_pipelines  # noqa: E402
from pipeline.testing.tiny_pipelines import CALL_ARGUMENTS  # noqa: E402

CLASSES = {
    "save_wan_text_to_video": "WanPipeline",
    "save_wan_image_to_video": "WanImageToVideoPipeline",
    "save_cogvideox_text_to_video": "CogVideoXPipeline",
    "save_stable_diffusion": "StableDiffusionPipeline",
    "save_ltx_image_to_video": "LTXImageToVideoPipeline",
}
RED = Image.new("RGB", (32, 32), (200, 30, 30))
BLUE = Image.new("RGB", (32, 32), (20, 40, 220))


@pytest.fixture(scope="module", autouse=True)
def single_thread():
    with tiny_pipelines.one_thread():
        yield


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Every tiny pipeline saved once for the module: {function name: folder}."""
    root = tmp_path_factory.mktemp("tiny")
    return {name: getattr(tiny_pipelines, name)(root / name) for name in CALL_ARGUMENTS}


@pytest.fixture(scope="module")
def loaded(folders):
    """Each saved pipeline loaded back once (lazily): loaded(name) -> pipeline."""
    cache = {}

    def load(name):
        if name not in cache:
            pipe = diffusers.DiffusionPipeline.from_pretrained(folders[name])
            pipe.set_progress_bar_config(disable=True)
            cache[name] = pipe
        return cache[name]
    return load


def call(pipe, name, seed=0, **extra):
    """One tiny call with the module's arguments; the frames (F, H, W, 3) of a video, or the (H, W, 3) image."""
    arguments = dict(CALL_ARGUMENTS[name], prompt="a monkey dances in the rain at night",
                     generator=torch.Generator().manual_seed(seed), output_type="np")
    if "image_to_video" in name:
        arguments["image"] = RED
    arguments.update(extra)
    output = pipe(**arguments)
    return np.asarray(output.frames[0] if hasattr(output, "frames") else output.images[0])


def test_every_builder_has_call_arguments():
    builders = {name for name, _ in inspect.getmembers(tiny_pipelines, inspect.isfunction)
                if name.startswith("save_")}
    assert builders == set(CALL_ARGUMENTS) == set(CLASSES)


@pytest.mark.parametrize("name", list(CLASSES))
def test_saved_folder_loads_as_its_class_and_makes_the_right_shape(name, folders, loaded):
    folder = folders[name]
    assert (folder / "model_index.json").is_file()
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    assert size < 2_000_000, f"{name} takes {size} bytes on disk"
    pipe = loaded(name)
    assert type(pipe).__name__ == CLASSES[name]
    assert isinstance(pipe, getattr(diffusers, CLASSES[name]))
    out = call(pipe, name)
    arguments = CALL_ARGUMENTS[name]
    expected = (arguments["height"], arguments["width"], 3)
    if "num_frames" in arguments:
        expected = (arguments["num_frames"], *expected)
    assert out.shape == expected
    assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    assert out.std() > 0  # not a constant picture


def test_wan_same_seed_same_frames_other_seed_other_frames(loaded):
    pipe = loaded("save_wan_text_to_video")
    first = call(pipe, "save_wan_text_to_video", seed=0)
    again = call(pipe, "save_wan_text_to_video", seed=0)
    other = call(pipe, "save_wan_text_to_video", seed=1)
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - other).max() > 1e-3


def test_wan_takes_other_sizes_and_lengths(loaded):
    out = call(loaded("save_wan_text_to_video"), "save_wan_text_to_video", height=32, width=48, num_frames=5)
    assert out.shape == (5, 32, 48, 3)


def test_wan_image_to_video_follows_its_first_and_last_image(loaded):
    name = "save_wan_image_to_video"
    pipe = loaded(name)
    assert pipe.transformer_2 is not None and pipe.image_encoder is None  # the Wan 2.2 A14B layout
    red = call(pipe, name, image=RED)
    np.testing.assert_array_equal(red, call(pipe, name, image=RED))
    blue = call(pipe, name, image=BLUE)
    assert np.abs(red - blue).max() > 1e-2
    red_to_blue = call(pipe, name, image=RED, last_image=BLUE)
    assert red_to_blue.shape == red.shape
    assert np.abs(red - red_to_blue).max() > 1e-3


def test_wan_21_image_to_video_with_a_clip_image_encoder(tmp_path):
    folder = tiny_pipelines.save_wan_image_to_video(tmp_path / "wan21", clip_image_encoder=True)
    pipe = diffusers.DiffusionPipeline.from_pretrained(folder)
    pipe.set_progress_bar_config(disable=True)
    assert type(pipe).__name__ == "WanImageToVideoPipeline"
    assert pipe.image_encoder is not None and pipe.image_processor is not None and pipe.transformer_2 is None
    name = "save_wan_image_to_video"
    red = call(pipe, name, image=RED)
    assert red.shape == (9, 32, 32, 3)
    assert np.abs(red - call(pipe, name, image=BLUE)).max() > 1e-2


def test_ltx_image_to_video_follows_its_image(loaded):
    name = "save_ltx_image_to_video"
    pipe = loaded(name)
    assert np.abs(call(pipe, name, image=RED) - call(pipe, name, image=BLUE)).max() > 1e-2


def test_the_prompt_reaches_the_picture(loaded):
    pipe = loaded("save_stable_diffusion")
    one = call(pipe, "save_stable_diffusion")
    other = call(pipe, "save_stable_diffusion", prompt="a red city street")
    assert np.abs(one - other).max() > 1e-3


def test_building_again_gives_the_same_files(folders, tmp_path):
    """Seeded builds: the same weights, tokenizer and configs byte for byte, whatever the caller's RNG."""
    for name in ("save_wan_image_to_video", "save_stable_diffusion"):
        torch.manual_seed(1234)
        state = torch.get_rng_state()
        again = getattr(tiny_pipelines, name)(tmp_path / name)
        assert torch.equal(torch.get_rng_state(), state)  # the caller's RNG is left alone
        first = {p.relative_to(folders[name]): p.read_bytes() for p in folders[name].rglob("*") if p.is_file()}
        second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
        assert first.keys() == second.keys()
        assert [path for path in first if first[path] != second[path]] == []


def test_tokenizers_are_built_in_code_and_round_trip(loaded):
    for name, tokenizer_class in [("save_wan_text_to_video", "T5Tokenizer"),
                                  ("save_stable_diffusion", "CLIPTokenizer")]:
        tokenizer = loaded(name).tokenizer
        assert type(tokenizer).__name__.startswith(tokenizer_class)
        ids = tokenizer("INT. KITCHEN - NIGHT. A man opens the door, é 東京").input_ids
        assert ids[-1] == tokenizer.eos_token_id
        assert tokenizer.unk_token_id not in ids[:3]  # known words are whole tokens
    tokenizer = loaded("save_wan_text_to_video").tokenizer
    assert tokenizer.convert_ids_to_tokens(tokenizer("a man opens the fridge").input_ids) == [
        "▁a", "▁man", "▁opens", "▁the", "▁", "f", "r", "i", "d", "g", "e", "</s>"]  # unknown words: letters
