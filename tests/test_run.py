"""The runner's two interfaces: a reporter hears every stage and job (with why it reruns), and
an executor decides where jobs run. Both are exercised with real builds of a tiny film."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from conftest import solid_png, write_project
from pipeline.build import build, execute
from pipeline.cache import Cache, Reason, make_job
from pipeline.errors import JobError

FILM = """
speech: false
fps: 12
size: 96x54
title_card: false
scenes:
  - shots:
      - {id: sea, prompt: the sea, duration: 1, transition: {name: dissolve, duration: 0.5}}
      - {id: photo, image: red.png, duration: 1}
"""


class Recorder:
    """A reporter that writes down what it hears."""

    def __init__(self) -> None:
        self.heard: list[tuple] = []

    def stage(self, name, jobs, to_run):
        self.heard.append(("stage", name, jobs, to_run))

    def started(self, job, reason):
        self.heard.append(("started", job.id, reason))

    def finished(self, done, total, result):
        self.heard.append(("finished", result.id, result.status))

    def failed(self, job, error):
        self.heard.append(("failed", job.id, type(error).__name__))


@pytest.fixture
def film(tmp_path) -> Path:
    solid_png(tmp_path / "f" / "red.png", (200, 30, 30), size=(64, 36))
    return write_project(tmp_path / "f", FILM).parent


def test_a_reporter_hears_each_stage_and_each_job_with_its_reason(film, tmp_path):
    first = Recorder()
    result = build(film, renders=tmp_path / "r", reporter=first)
    stages = [h for h in first.heard if h[0] == "stage"]
    assert stages == [("stage", "pictures and sound", len(result.results), len(result.results))]
    started = {h[1]: h[2] for h in first.heard if h[0] == "started"}
    assert set(started) == {r.id for r in result.results} and set(started.values()) == {Reason("new")}
    finished = [h for h in first.heard if h[0] == "finished"]
    assert sorted(finished) == sorted(("finished", r.id, "rendered") for r in result.results)
    # each job is heard finishing after it is heard starting
    assert all(first.heard.index(("started", h[1], Reason("new"))) < first.heard.index(h) for h in finished)

    # the sea changes: its shot, the segments it is in and the cut rerun, each saying why
    storyboard = film / "storyboard.yaml"
    storyboard.write_text(storyboard.read_text().replace("the sea", "the calm sea"))
    again = Recorder()
    build(film, renders=tmp_path / "r", reporter=again)
    started = {h[1]: h[2] for h in again.heard if h[0] == "started"}
    # named as deep as the change goes: the panel's action, its caption, its text on screen
    assert started["sea"] == Reason("changed", ("panel.action", "panel.caption", "panel.scene_texts.0"))
    # a key from upstream is named as the job it belongs to
    assert started["final"].kind == "changed" and "upstream segment body:sea" in started["final"].changed, \
        started["final"]
    assert "photo" not in started and ("finished", "photo", "cached") in again.heard


class InlineExecutor:
    """An executor that runs each job at once on the caller's thread (as a debugger would want)."""

    def __init__(self) -> None:
        self.ran = 0

    def submit(self, fn) -> Future:
        future: Future = Future()
        self.ran += 1
        try:
            future.set_result(fn())
        except BaseException as error:   # noqa: BLE001 - handed back through the future
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True) -> None:
        pass


def test_any_executor_runs_the_jobs_and_a_failure_is_reported_and_raised(tmp_path):
    cache = Cache(tmp_path / "cache")
    written = []

    def write(text):
        def run(out: Path) -> None:
            out.write_text(text)
            written.append(text)
        return run

    def fail(out: Path) -> None:
        raise ValueError("no ink")

    a = make_job(cache, "note", "a", {"text": "a"}, write("a"), suffix=".txt")
    b = make_job(cache, "note", "b", {"text": "b"}, write("b"), suffix=".txt", deps=("a",))
    executor = InlineExecutor()
    results = execute([b, a], cache, executor=executor)   # dependencies first, whatever the order given
    assert written == ["a", "b"] and executor.ran == 2 and [r.id for r in results] == ["b", "a"]
    assert a.output.read_text() == "a"

    broken = make_job(cache, "note", "c", {"text": "c"}, fail, suffix=".txt")
    recorder = Recorder()
    with pytest.raises(JobError, match="note c.*ValueError: no ink"):
        execute([broken], cache, executor=InlineExecutor(), reporter=recorder)
    assert ("failed", "c", "JobError") in recorder.heard and not broken.output.exists()
