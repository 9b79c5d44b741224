"""Where jobs run does not change what they make: a build on worker processes and one on a
local Ray instance (started by the test, with a fixed number of CPUs) write the same outputs,
byte for byte, into the same content-addressed cache as a build on threads."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import count_frames, solid_png, write_project
from pipeline.build import build
from pipeline.build.executors import EXECUTORS, named
from pipeline.errors import FilmError

FILM = """
title: Far Film
fps: 12
size: 160x96
seed: 8
music: {generate: ambient, gain: -8}
cast:
  ANA: {look: "yellow raincoat"}
scenes:
  - heading: EXT. QUAY - DAWN
    shots:
      - id: quay
        prompt: "a quay at dawn"
        narration: "The boats were already out."
        transition: {name: dissolve, duration: 0.5}
      - id: photo
        image: red.png
        duration: 2
        camera: zoom-in
      - id: ana
        prompt: "ANA waves"
        lines:
          - ANA: "Wait for me!"
"""


def outputs(renders: Path) -> dict[str, str]:
    """Every cached output (a file, or a folder's files) → its SHA-256, by its place in the cache."""
    cache = next(renders.iterdir()) / "cache"
    found = {}
    for path in sorted(cache.rglob("*")):
        if path.is_file() and not path.name.endswith(".seal") and not path.name.endswith(".json"):
            found[path.relative_to(cache).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture(scope="module")
def on_threads(tmp_path_factory):
    folder = tmp_path_factory.mktemp("far") / "far"
    solid_png(folder / "red.png", (200, 40, 40))
    write_project(folder, FILM)
    renders = folder.parent / "threads"
    result = build(folder, renders=renders)
    return folder, renders, result


def test_worker_processes_make_the_same_bytes_as_threads(on_threads, tmp_path):
    folder, threads, first = on_threads
    renders = tmp_path / "processes"
    result = build(folder, renders=renders, executor="processes", workers=2)
    assert result.rendered == len(first.results)
    assert outputs(renders) == outputs(threads)
    assert result.output.read_bytes() == first.output.read_bytes()


def test_a_local_ray_instance_makes_the_same_bytes_and_the_next_build_reuses_them(on_threads, tmp_path):
    ray = pytest.importorskip("ray", reason="Ray is in the test extra: pip install -e '.[test]'")
    folder, threads, first = on_threads
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        renders = tmp_path / "ray"
        result = build(folder, renders=renders, executor="ray")
        assert result.rendered == len(first.results)
        again = build(folder, renders=renders, executor="ray")
    finally:
        ray.shutdown()
    assert outputs(renders) == outputs(threads)
    assert result.output.read_bytes() == first.output.read_bytes()
    assert again.rendered == 0 and count_frames(again.output) == first.plan.total
    report = json.loads((renders / "far" / "build.json").read_text())
    assert {job["status"] for job in report["jobs"]} == {"cached"}


def test_an_unknown_executor_or_a_stray_address_is_an_input_error():
    assert set(EXECUTORS) == {"threads", "processes", "ray"}
    with pytest.raises(FilmError, match=r"--executor: no executor 'proceses' \(did you mean 'processes'\?\)"):
        named("proceses")
    with pytest.raises(FilmError, match="--address: names a Ray cluster: use it with --executor ray"):
        named("threads", address="10.0.0.1:6379")
