"""`film status`, `film explain` and `film plan` say what `film build` will do, job by job and
why; they write nothing."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from conftest import write_project
from pipeline import cli

FILM = """
title: Status Film
fps: 12
size: 160x96
seed: 4
music: {generate: ambient, gain: -6}
cast:
  ANA: {look: "green scarf"}
scenes:
  - heading: EXT. PIER - DAY
    shots:
      - id: pier
        prompt: "an empty pier"
        narration: "Nobody fished here any more."
      - id: gull
        prompt: "a gull lands"
        duration: 2
  - heading: INT. CAFE - NIGHT
    shots:
      - id: cafe
        prompt: "a lamp in a cafe window"
        lines:
          - ANA: "We close at nine."
"""


def film(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`film ARGS` run from `cwd`, in this process (what it prints and its exit code, as a user
    sees them; a new process for each of the dozens of commands here would cost seconds each)."""
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = cli.main(list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def to_run(status: dict) -> set[tuple[str, str]]:
    jobs = [j for s in status["shots"] for j in s["jobs"]] + status["film"]
    return {(j["kind"], j["id"]) for j in jobs if j["status"] == "to run"}


def rendered(folder: Path) -> set[tuple[str, str]]:
    report = json.loads((folder / "renders" / "harbour" / "build.json").read_text())
    return {(j["kind"], j["id"]) for j in report["jobs"] if j["status"] == "rendered"}


def test_status_predicts_exactly_what_the_build_renders(tmp_path):
    folder = tmp_path / "harbour"
    script = write_project(folder, FILM)
    before = json.loads(film("status", "harbour", "--json", cwd=tmp_path).stdout)
    assert not (folder / "renders").exists()                  # status writes nothing
    assert before["to_run"] == before["jobs"] == len(to_run(before))
    # every job counts, speech too: three shots' voices, pictures, segments, music, mix, cut
    assert {kind for kind, _ in to_run(before)} >= {"voice", "shot", "segment", "music", "mix", "final"}
    assert film("build", "harbour", cwd=tmp_path).returncode == 0
    assert rendered(folder) == to_run(before)

    plain = film("status", "harbour", cwd=tmp_path).stdout.splitlines()
    assert plain[-1] == f"0 of {before['jobs']} jobs to run" and all("cached" in line for line in plain[:-1])

    # an output touched but whole (copied, restored from a backup) is cached, and status leaves
    # its seal as it was: it writes nothing, not even the cache's own memo of the new stamp
    cache = folder / "renders" / "harbour" / "cache"
    touched = next((cache / "segment").glob("*.mp4"))
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    seals = {p: p.read_bytes() for p in cache.rglob("*.seal")}
    assert film("status", "harbour", cwd=tmp_path).stdout.splitlines()[-1] == f"0 of {before['jobs']} jobs to run"
    assert {p: p.read_bytes() for p in cache.rglob("*.seal")} == seals

    # one narration line changes: its voice, its shot's segments, the mix and the cut, and why
    script.write_text(script.read_text().replace("Nobody fished here any more.", "Nobody fished here now."))
    after = json.loads(film("status", "harbour", "--json", cwd=tmp_path).stdout)
    pier = next(s for s in after["shots"] if s["id"] == "pier")
    voice = next(j for j in pier["jobs"] if j["kind"] == "voice")
    assert voice["status"] == "to run" and voice["reason"] == "new"
    planned = film("plan", "harbour", cwd=tmp_path).stdout.splitlines()
    assert planned[-2].split("; ")[1].startswith(f"{after['to_run']} of {after['jobs']} jobs to render (")
    rows = {row.split()[0]: row for row in planned[1:-2]}
    assert "to render" in rows["pier"] and "cached" in rows["cafe"]
    assert film("build", "harbour", cwd=tmp_path).returncode == 0
    assert rendered(folder) == to_run(after)

    # a damaged output is named with what is wrong with it
    segment = Path(next(j["output"] for s in after["shots"] if s["id"] == "gull" for j in s["jobs"]
                        if j["kind"] == "segment"))
    segment.write_bytes(segment.read_bytes()[:100])
    shown = film("status", "harbour", cwd=tmp_path).stdout
    assert re.search(r"^gull +segment body:gull: damaged: cut short: 100 of [\d,]+ bytes$", shown, re.M), shown


def test_explain_shows_one_shot_and_refuses_an_unknown_one(tmp_path):
    write_project(tmp_path / "harbour", FILM)
    explained = film("explain", "harbour", "cafe", "--json", cwd=tmp_path)
    assert explained.returncode == 0, explained.stderr
    facts = json.loads(explained.stdout)
    assert facts["id"] == "cafe" and facts["scene"] == "INT. CAFE - NIGHT" and facts["estimated"] is True
    assert facts["lines"] == [{"speaker": "ANA", "text": "We close at nine."}]
    # its voice, its picture, its body and the cut out of it to the credits
    assert [j["kind"] for j in facts["jobs"]] == ["voice", "shot", "segment", "segment"]
    assert {j["reason"] for j in facts["jobs"]} == {"new"}
    plain = film("explain", "harbour", "cafe", cwd=tmp_path)
    assert plain.stdout.splitlines()[0].startswith("cafe: shot by animatic, ")
    assert "  ANA: We close at nine." in plain.stdout.splitlines()
    wrong = film("explain", "harbour", "cafee", cwd=tmp_path)
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert wrong.stderr.strip().endswith("no shot 'cafee' (did you mean 'cafe'?)"), wrong.stderr
    assert not (tmp_path / "harbour" / "renders").exists()


def test_clean_removes_what_no_job_uses_and_forget_drops_one_shot(tmp_path):
    folder = tmp_path / "harbour"
    script = write_project(folder, FILM)
    cache = folder / "renders" / "harbour" / "cache"
    assert film("clean", "harbour", cwd=tmp_path).stdout.strip() == \
        "harbour/renders/harbour/cache: nothing to clean (no build yet)"
    assert film("build", "harbour", cwd=tmp_path).returncode == 0
    nothing = film("clean", "harbour", "--dry-run", cwd=tmp_path)
    assert nothing.stdout.strip() == "would remove 0 outputs no job uses (0.0 MB) from harbour/renders/harbour/cache"
    # the line changes: its old voice, the old segments, mix and cut are used by no job now
    script.write_text(script.read_text().replace("We close at nine.", "We close at ten."))
    first = json.loads((folder / "renders" / "harbour" / "build.json").read_text())
    assert film("build", "harbour", cwd=tmp_path).returncode == 0
    second = json.loads((folder / "renders" / "harbour" / "build.json").read_text())
    old = {Path(j["output"]) for j in first["jobs"]} - {Path(j["output"]) for j in second["jobs"]}
    listed = film("clean", "harbour", "--dry-run", cwd=tmp_path).stdout.splitlines()
    paths = {tmp_path / line for line in listed[:-1] if not line.endswith(".seal")}
    # the mix's parts the new mix no longer uses (the chunk the line sounds in): listed, counted apart
    parts = {p for p in paths if "mixparts" in p.parts}
    mix = next(Path(j["output"]).stem for j in second["jobs"] if j["kind"] == "mix")
    used = set(json.loads((cache / "mixparts" / "used" / f"{mix}.json").read_text())) | {f"used/{mix}.json"}
    assert paths - parts == old and parts and not {p.relative_to(cache / "mixparts").as_posix() for p in parts} & used
    assert listed[-1].startswith(f"would remove {len(old)} outputs no job uses and {len(parts)} parts of earlier "
                                 "mixes (")
    assert all(p.exists() for p in old | parts)                # a dry run removes nothing
    assert film("clean", "harbour", cwd=tmp_path).returncode == 0
    assert not any(p.exists() for p in old | parts) and not [p for p in cache.rglob("*.seal")
                                                              if not p.with_name(p.name[:-5]).exists()]
    assert all((cache / "mixparts" / name).exists() for name in used)   # what the mix uses stays
    assert film("build", "harbour", cwd=tmp_path).stdout.startswith("0 rendered,")

    # forget one shot: the next build makes exactly its outputs again, and nothing else
    explained = json.loads(film("explain", "harbour", "cafe", "--json", cwd=tmp_path).stdout)
    forgot = film("forget", "harbour", "cafe", cwd=tmp_path)
    assert forgot.stdout.startswith(f"forgot cafe: {len(explained['jobs'])} outputs (")
    # its voice is gone, but how long it was is remembered: status predicts the build exactly
    predicted = to_run(json.loads(film("status", "harbour", "--json", cwd=tmp_path).stdout))
    assert film("build", "harbour", cwd=tmp_path).returncode == 0
    assert rendered(folder) == {(j["kind"], j["id"]) for j in explained["jobs"]} == predicted
