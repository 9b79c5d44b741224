"""The generator contract (pipeline.generators.base): every generator is used only through it,
its options are checked the same way for all (an unknown one is a file:line problem), `film
check` imports no generator it does not need, and a generated shot's takes are labelled and
located by the generator itself."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

from pipeline import generators
from pipeline.cli import main
from pipeline.generators.base import BaseGenerator, Generator
from pipeline.spec import GeneratorSpec, Loc

EXAMPLES = Path(__file__).resolve().parents[2] / "projects"


def storyboard(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "storyboard.yaml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder / "storyboard.yaml"


@pytest.mark.parametrize("name", [*generators.REGISTRY, *generators.INTERNAL])
def test_every_generator_subclasses_the_base_and_keeps_the_contract(name):
    generator = generators.get(name)
    assert isinstance(generator, BaseGenerator) and isinstance(generator, Generator)
    assert generator.name == name and generator.version
    if name == "diffusers":
        from dataclasses import fields

        from pipeline.generators.diffusion_settings import DiffusionSettings

        assert set(generator.options.names) == {f.name for f in fields(DiffusionSettings)}
    else:
        assert generator.options.names == ()


def test_the_base_cannot_stand_in_for_a_generator_without_prepare():
    class Nameless(BaseGenerator):
        name, version = "nameless", "1"

    with pytest.raises(TypeError):
        Nameless()


def test_drawn_generators_lock_nothing_and_take_no_options():
    spec = GeneratorSpec("still", {"stepz": 3, "fps": 2}, Loc("film.yaml", 4))
    assert [str(p) for p in generators.get("still").check(spec, Path("."))] == [
        "film.yaml:4: unknown still option 'stepz'; still takes no options",
        "film.yaml:4: unknown still option 'fps'; still takes no options",
    ]
    assert generators.get("animatic").check(GeneratorSpec("animatic", {}, Loc("f", 1)), Path(".")) == []
    for name in ("animatic", "still", "footage", "card"):
        assert generators.get(name).lock_entry(None, None) is None


def test_an_unknown_animatic_option_is_a_file_line_problem(tmp_path, capsys):
    path = storyboard(tmp_path / "p", """\
        title: T
        generator: {name: animatic, stepz: 3}
        scenes:
          - heading: EXT. SEA - NIGHT
            generator: {name: animatic, camera: pan}
            shots:
              - {id: one, prompt: waves, duration: 1}
              - id: two
                generator: {name: still, model: x}
                image: sea.png
    """)
    Image.new("RGB", (32, 18), (0, 40, 90)).save(path.parent / "sea.png")
    assert main(["check", str(path.parent)]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        f"{path}:2: unknown animatic option 'stepz'; animatic takes no options",
        f"{path}:5: unknown animatic option 'camera'; animatic takes no options",
        f"{path}:9: unknown still option 'model'; still takes no options",
    ]


def test_a_diffusers_option_is_checked_without_torch_and_worded_as_before():
    spec = GeneratorSpec("diffusers", {"model": "org/m", "stepz": 2, "steps": 0}, Loc("film.yaml", 6))
    code = textwrap.dedent(f"""\
        import sys
        from pathlib import Path
        from pipeline import generators
        from pipeline.spec import GeneratorSpec, Loc
        spec = GeneratorSpec("diffusers", {dict(spec.options)!r}, Loc("film.yaml", 6))
        for problem in generators.get("diffusers").check(spec, Path(".")):
            print(problem)
        print("torch" in sys.modules, "diffusers" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "film.yaml:6: unknown diffusers option 'stepz' (did you mean 'steps'?)",
        "film.yaml:6: diffusers steps must be at least 1, got 0",
        "False False",
    ]


def test_film_check_of_a_drawn_film_imports_no_generation_library():
    code = textwrap.dedent(f"""\
        import sys
        from pipeline.cli import main
        rc = main(["check", {str(EXAMPLES / "lighthouse")!r}])
        print(rc, sorted(m for m in ("torch", "diffusers", "transformers", "pipeline.generators.diffusers")
                         if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "0 []"


def test_takes_are_labelled_and_located_by_the_generator(tmp_path, monkeypatch):
    pytest.importorskip("diffusers")
    pytest.importorskip("transformers")
    from pipeline.build import takes
    from pipeline.cache import Cache
    from pipeline.export.contact import take_frames
    from pipeline.generators.base import Context
    from pipeline.generators.diffusers import take_seed
    from pipeline.parse import load
    from pipeline.plan import make_plan
    from pipeline.testing.tiny_pipelines import one_thread, save_stable_diffusion, save_wan_text_to_video

    monkeypatch.setenv("FILM_MODELS", str(tmp_path / "models"))
    with one_thread():
        for name, save, media in (("wan", save_wan_text_to_video, "clip.mkv"),
                                  ("sd", save_stable_diffusion, "image.png")):
            model = save(tmp_path / "models" / name).name   # found in the models folder
            path = storyboard(tmp_path / name, f"""\
                title: Tiny
                size: 96x64
                fps: 12
                speech: false
                title_card: false
                generator: {{name: diffusers, model: {model}, size: 32x32, steps: 2, guidance: 1.0}}
                scenes:
                  - heading: EXT. SEA - NIGHT
                    shots:
                      - {{id: one, prompt: waves, duration: 1, takes: 2, take: 2}}
            """)
            plan = make_plan(load(path.parent))
            ctx = Context(cache=Cache(tmp_path / "cache"), fmt=plan.fmt, root=plan.root, project_seed=plan.seed)
            shot = plan.shots[0]
            prepared = generators.get("diffusers").prepare(shot, ctx)
            first, second = prepared.takes
            assert [t.label for t in prepared.takes] == [
                f"take 1 (seed {shot.seed})", f"take 2 (seed {take_seed(shot.seed, 2)})"]
            assert (first.seed, second.seed) == (shot.seed, take_seed(shot.seed, 2)) and first.seed != second.seed
            assert all(t.media == t.job.output / media for t in prepared.takes)
            assert prepared.job is second.job and prepared.extra_jobs == (first.job,)

            renders = tmp_path / "renders" / name
            sheet, count = takes(path.parent, "one", renders=renders)
            assert count == 2 and sheet.is_file()
            again = generators.get("diffusers").prepare(shot, Context(
                cache=Cache(renders / name / "cache"), fmt=plan.fmt, root=plan.root, project_seed=plan.seed))
            for take in again.takes:
                frames = take_frames(take.media)
                assert len(frames) == 4 and take.media.is_file()
                if media == "image.png":
                    assert all(f.tobytes() == frames[0].tobytes() for f in frames)
