"""One script, many films: `vars:`, `{{ name }}` in the script's texts, `when:`, `--var` and
`--variants` (`pipeline/parse/versions.py`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import MappingProxyType

import pysubs2
import pytest

from conftest import count_frames, solid_png, write_project
from pipeline.errors import FilmError, StoryboardError
from pipeline.parse import load
from pipeline.parse.versions import given, read_rows
from pipeline.spec import Version

STORY = """
    title: "A Story for {{ name }}"
    vars: {name: Sam, animal: owl, age: 6, bright: false}
    credits: {"Told for": "{{ name }}"}
    scenes:
      - heading: "EXT. {{ animal | upper }} WOOD - NIGHT"
        shots:
          - {id: a, prompt: "a little {{ animal }}", narration: "Goodnight, {{ name }}."}
          - {id: b, prompt: "stars", when: "age >= 6", narration: "Count the stars."}
          - id: c
            prompt: "the moon"
            lines:
              - {character: MOTH, text: "Shine, moon!", when: bright}
              - MOTH: "Sleep well, {{ name }}."
    cast: {MOTH: {look: "a {{ animal }}'s friend, a moth"}}
"""


def version(**values) -> Version:
    return Version(values=MappingProxyType({k: str(v) for k, v in values.items()}))


def test_values_reach_every_text_and_when_keeps_or_drops(tmp_path):
    path = write_project(tmp_path / "story", STORY)
    sam = load(path)
    assert sam.project.title == "A Story for Sam"
    assert sam.project.credits == (("Told for", ("Sam",)),)
    assert sam.scenes[0].heading.location == "OWL WOOD" and sam.scenes[0].heading.time_of_day == "NIGHT"
    assert [s.id for s in sam.shots] == ["a", "b", "c"]
    assert sam.shots[0].prompt == "a little owl" and sam.shots[0].narration == "Goodnight, Sam."
    assert [line.text for line in sam.shots[2].lines] == ["Sleep well, Sam."]
    assert sam.cast[0].look == "a owl's friend, a moth"

    # Values from the command line are text, read as each default's type: 5 < 6 drops shot b.
    ana = load(path, version=version(name="Ana", animal="fox", age=5, bright="yes"))
    assert [s.id for s in ana.shots] == ["a", "c"]
    assert [line.text for line in ana.shots[1].lines] == ["Shine, moon!", "Sleep well, Ana."]
    assert ana.shots[0].narration == "Goodnight, Ana." and ana.scenes[0].heading.location == "FOX WOOD"
    # The ids are the script's, whatever the values: the same shot is the same shot in every version.
    assert ana.shots[0].id == sam.shots[0].id


def test_unknown_variables_and_bad_templates_are_file_line_problems_all_at_once(tmp_path):
    path = write_project(tmp_path / "story", """
        vars: {name: Sam, city: Lisbon}
        scenes:
          - shots:
              - {id: a, prompt: "{{ nmae }} in {{ city }}"}
              - {id: b, prompt: "x", when: "ctiy == 'Rome'", narration: "{{ name.__class__ }}"}
              - {id: c, prompt: "{{ city", narration: "{% include 'secret.txt' %}"}
    """)
    with pytest.raises(StoryboardError) as error:
        load(path)
    said = [str(p) for p in error.value.problems]
    assert said == [
        f"{path}:4: unknown variable 'nmae' in shot 'a' prompt (did you mean 'name'?); the script's vars: name, city",
        f"{path}:5: unknown variable 'ctiy' in the 'when' of shot 'b' (did you mean 'city'?); the script's vars: "
        "name, city",
        f"{path}:5: in shot 'b' narration: not allowed in a script's text (access to attribute '__class__' of "
        "'str' object is unsafe.)",
        f"{path}:6: in shot 'c' prompt: template syntax error: unexpected end of template, expected 'end of print "
        "statement'.",
        # no loader: a template reads nothing from disk
        f"{path}:6: in shot 'c' narration: a script's text cannot include, import or extend another file",
    ]


def test_a_path_made_from_a_variable_stays_in_the_project_folder(tmp_path):
    folder = tmp_path / "story"
    folder.mkdir()
    solid_png(folder / "fox.png", (200, 90, 20))
    (tmp_path / "secret.png").write_bytes((folder / "fox.png").read_bytes())
    path = write_project(folder, """
        vars: {animal: fox}
        scenes:
          - shots:
              - {id: a, image: "{{ animal }}.png", duration: 2}
    """)
    assert load(path).shots[0].image == "fox.png"
    with pytest.raises(StoryboardError) as error:
        load(path, version=version(animal="../secret"))
    assert str(error.value) == f"{path}:4: image '../secret.png' is outside the project folder {folder.resolve()}"


def test_values_the_script_does_not_take_are_refused(tmp_path):
    path = write_project(tmp_path / "story", """
        vars: {name: Sam, age: 6, kid: true, city: }
        scenes:
          - shots:
              - {id: a, prompt: "{{ name }} in {{ city }}", duration: 2}
    """)
    with pytest.raises(FilmError) as error:
        load(path, version=given(["nam=Ana", "age=six", "kid=maybe"]))
    assert [str(p) for p in error.value.problems] == [
        f"{path}:1: variable 'city' has no default and this version gives it no value (--var city=..., or a "
        "'city' column in --variants)",
        "--var: unknown variable 'nam' (did you mean 'name'?); the script's vars: name, age, kid, city",
        "--var: variable 'age': 'six' is not a number (its default is 6)",
        "--var: variable 'kid': 'maybe' is not yes or no (its default is true)",
    ]
    with pytest.raises(FilmError, match="is not NAME=VALUE"):
        given(["name"])


def test_braces_in_a_script_without_vars_are_its_own_words(tmp_path):
    path = write_project(tmp_path / "plain", """
        scenes:
          - heading: "INT. ROOM {% if x %}"
            shots:
              - {id: a, prompt: "a sign reading {% raw", narration: "Hello {{ name }}."}
    """)
    board = load(path)
    assert board.shots[0].narration == "Hello {{ name }}." and board.shots[0].prompt == "a sign reading {% raw"
    assert [str(w) for w in board.warnings] == [
        f"{path}:2: '{{% if x %}}' looks like a template, but the script declares no vars: it is filmed as written",
        f"{path}:4: '{{{{ name }}}}' looks like a variable, but the script declares no vars: add 'vars: "
        "{name: ...}', or it is filmed as written"]


def test_variant_tables_are_read_with_every_problem_at_its_line(tmp_path):
    rows = tmp_path / "viewers.csv"
    rows.write_text("id,name,age\nana,Ana,7\nkofi,Kofi,\n", encoding="utf-8")
    versions = read_rows(rows)
    assert [(v.name, dict(v.values), v.origin) for v in versions] == [
        ("ana", {"id": "ana", "name": "Ana", "age": "7"}, f"{rows}:2"),
        ("kofi", {"id": "kofi", "name": "Kofi"}, f"{rows}:3")]   # an empty cell: the default
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "name": "A"}\n[1]\n{"id": "a"}\n{"id": "../up"}\nnot json\n', encoding="utf-8")
    with pytest.raises(FilmError) as error:
        read_rows(bad)
    assert [str(p) for p in error.value.problems] == [
        f"{bad}:2: a row must be one object of names to plain values",
        f"{bad}:5: not JSON: Expecting value: line 1 column 1 (char 0)",
        f"{bad}:3: two rows named 'a' (the first at line 1)",
        f"{bad}:4: variant name '../up' must be a folder's name: letters, digits, '-', '_' and '.' (not first), "
        "at most 100"]
    unnamed = tmp_path / "unnamed.jsonl"
    unnamed.write_text('{"name": "A"}\n{"name": "B"}\n', encoding="utf-8")
    assert [v.name for v in read_rows(unnamed)] == ["1", "2"]


def film(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True)


def test_variants_build_one_cut_each_sharing_what_they_have_in_common(tmp_path):
    """Three viewers: each cut says its own name in its subtitles and lasts as its shots do; a
    shot no value touches is made once for all three (cached in the second and third)."""
    folder = tmp_path / "story"
    write_project(folder, """
        title: "For {{ name }}"
        size: 320x180
        speech: false
        title_card: false
        transition: {name: dissolve, duration: 0.5}
        vars: {name: Sam, long: false}
        scenes:
          - shots:
              - {id: moon, prompt: "the moon over the sea", duration: 2}
              - {id: hello, title: "Goodnight, {{ name }}", duration: 2, narration: "Sleep well, {{ name }}."}
          - shots:
              - {id: more, prompt: "the stars", duration: 1, when: long}
    """)
    rows = folder / "viewers.csv"
    rows.write_text("id,name,long\nana,Ana,no\nbo,Bo,yes\ncy,Cy,no\n", encoding="utf-8")
    done = film("build", str(folder), "--variants", str(rows), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert [line.split(":")[0] for line in out[:3]] == ["variant 1/3 ana", "variant 2/3 bo", "variant 3/3 cy"]
    assert out[3].split() == ["variant", "shots", "rendered", "cached", "seconds", "length", "cut"]
    assert [row.split()[:2] for row in out[4:]] == [["ana", "2"], ["bo", "3"], ["cy", "2"]]
    variants = folder / "renders" / "story" / "variants"
    for name, person, seconds in (("ana", "Ana", 4.0), ("bo", "Bo", 5.0), ("cy", "Cy", 4.0)):
        cut = variants / name / "final.mp4"
        assert count_frames(cut) == round(seconds * 24), name
        cues = [e.plaintext for e in pysubs2.load(str(variants / name / "subtitles.srt"))]
        assert cues == [f"Sleep well, {person}."], name
    jobs = {name: {(j["kind"], j["id"]): j["status"] for j in
                   json.loads((variants / name / "build.json").read_text())["jobs"]} for name in ("ana", "bo", "cy")}
    assert jobs["ana"][("shot", "moon")] == "rendered"
    assert jobs["bo"][("shot", "moon")] == jobs["cy"][("shot", "moon")] == "cached"
    assert jobs["bo"][("card", "hello")] == jobs["cy"][("card", "hello")] == "rendered"   # the name is on it
    # Ana's and Cy's films differ only in the name: Cy's ran just the card and what shows it.
    assert {k for k, s in jobs["cy"].items() if s == "rendered"} == {
        ("card", "hello"), ("segment", "body:hello"), ("segment", "dissolve:moon>hello"), ("subtitles", "subtitles"),
        ("final", "final")}
    assert not (folder / "renders" / "story" / "final.mp4").exists()
    # `film clean` keeps every row's jobs (the table built last is remembered): building them
    # again makes nothing.
    assert film("clean", str(folder), cwd=tmp_path).returncode == 0
    again = film("build", str(folder), "--variants", str(rows), cwd=tmp_path)
    assert [row.split()[2] for row in again.stdout.splitlines()[4:]] == ["0", "0", "0"], again.stdout


def test_variants_are_all_checked_before_any_is_built(tmp_path):
    folder = tmp_path / "story"
    path = write_project(folder, """
        vars: {name: Sam, age: 6}
        scenes:
          - shots:
              - {id: a, prompt: "hello {{ name }}", duration: 2, when: "age + 1 > 3"}
    """)
    rows = folder / "viewers.csv"
    # A misspelt column is the header's mistake, said once; a value that breaks a template is
    # said for every row that gives one; two columns of one name are refused.
    rows.write_text("id,name,agee\nana,Ana,7\nbo,Bo,8\n", encoding="utf-8")
    for command in ("check", "build"):
        done = film(command, str(folder), "--variants", str(rows), cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr.splitlines() == [
            f"{rows}:1: unknown variable 'agee' (did you mean 'age'?); the script's vars: name, age"]
    assert not (folder / "renders").exists()
    rows.write_text("id,name,age\nana,Ana,seven\nbo,Bo,8\ncy,Cy,nine\n", encoding="utf-8")
    done = film("check", str(folder), "--variants", str(rows), cwd=tmp_path)
    assert done.stderr.splitlines() == [f"{rows}:2: variable 'age': 'seven' is not a number (its default is 6)",
                                        f"{rows}:4: variable 'age': 'nine' is not a number (its default is 6)"]
    path.write_text(path.read_text().replace('"hello {{ name }}"', '"hello {{ 10 // (age - 8) }}"'))
    rows.write_text("id,name,age\nana,Ana,8\nbo,Bo,8\ncy,Cy,9\n", encoding="utf-8")
    done = film("check", str(folder), "--variants", str(rows), cwd=tmp_path)
    assert done.stderr.splitlines() == [
        f"{path}:4: in shot 'a' prompt: integer division or modulo by zero (variant ana, {rows}:2)",
        f"{path}:4: in shot 'a' prompt: integer division or modulo by zero (variant bo, {rows}:3)"]
    rows.write_text("id,name,name\nana,Ana,Bo\n", encoding="utf-8")
    done = film("check", str(folder), "--variants", str(rows), cwd=tmp_path)
    assert done.stderr.strip() == f"{rows}:1: two columns named 'name': which is meant?"
    done = film("build", str(folder), "--var", "name=Ana", "--variants", str(rows), cwd=tmp_path)
    assert done.returncode == 1 and "not both" in done.stderr


def test_a_screenplay_takes_its_vars_from_its_sidecar(tmp_path):
    folder = tmp_path / "play"
    folder.mkdir()
    (folder / "film.yaml").write_text("vars: {name: Sam, late: false}\n", encoding="utf-8")
    script = folder / "play.fountain"
    script.write_text("""Title: Goodnight {{ name }}

INT. BEDROOM - NIGHT

A lamp glows beside {{ name }}'s bed.

MOTHER
Sleep well, {{ name }}.

The clock strikes ten. [[when: late]]
""", encoding="utf-8")
    sam = load(script)
    assert sam.project.title == "Goodnight Sam"
    assert [line.text for shot in sam.shots for line in shot.lines] == ["Sleep well, Sam."]
    assert not any("clock" in shot.prompt for shot in sam.shots)
    ana = load(script, version=given(["name=Ana", "late=yes"]))
    assert any("clock" in shot.prompt for shot in ana.shots) and "Ana's bed" in ana.shots[0].prompt


def test_a_value_that_is_no_number_is_refused(tmp_path):
    path = write_project(tmp_path / "story", """
        vars: {age: 6}
        scenes:
          - shots:
              - {id: a, prompt: "a child of {{ age }}", duration: 2}
    """)
    for value in ("nan", "inf", "1e400"):
        with pytest.raises(FilmError) as error:
            load(path, version=given([f"age={value}"]))
        assert str(error.value) == f"--var: variable 'age': '{value}' is not a number (its default is 6)"
    assert load(path, version=given(["age=7.5"])).shots[0].prompt == "a child of 7.5"
