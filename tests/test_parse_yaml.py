"""Reading YAML storyboards: every problem reported at once, as file:line: message."""

from __future__ import annotations

from fractions import Fraction

import pytest

from pipeline.errors import StoryboardError
from pipeline.parse import load
from pipeline.spec import parse_heading


def problems(path) -> list[str]:
    with pytest.raises(StoryboardError) as caught:
        load(path)
    return [str(p) for p in caught.value.problems]


def test_reads_a_storyboard_with_lines_and_defaults(project):
    path = project("""
        title: Test
        fps: 25
        size: 640x360
        cast:
          MARCUS: {look: "red cloak"}
        scenes:
          - heading: EXT. COLOSSEUM - SUNSET
            shots:
              - id: arrival
                prompt: crowds pour in
                transition: {name: dissolve, duration: 0.5}
              - prompt: MARCUS looks up
                lines:
                  - MARCUS: "(quietly) Today, we remember."
    """)
    board = load(path)
    assert board.project.fps == Fraction(25)
    assert (board.project.width, board.project.height) == (640, 360)
    arrival, second = board.shots
    assert arrival.loc.line == 9 and arrival.transition.name == "dissolve" and arrival.transition.seconds == 0.5
    assert second.id == "marcus-looks-up" and second.auto_id
    line = second.lines[0]
    assert (line.character, line.text, line.parenthetical) == ("MARCUS", "Today, we remember.", "quietly")
    assert line.loc.line == 14
    assert board.scenes[0].heading.setting == "EXT" and board.scenes[0].heading.time_of_day == "SUNSET"


def test_every_problem_at_once_with_lines_and_hints(project, tmp_path):
    (tmp_path / "outside.png").write_bytes(b"x")
    path = project("""
        title: Broken
        fps: fast
        size: 1281x720
        sedd: 3
        cast:
          MARCUS: {look: "red cloak", voise: {}}
        scenes:
          - heading: EXT. ROME - DAY
            shots:
              - id: one
                prompt: a street
                camera: zoom-inn
                duration: -2
                transition: disolve
              - id: one
                prompt: again
                duration: soon
                lines:
                  - MARKUS: "Hello"
              - id: three
                image: missing.png
              - id: four
                image: ../outside.png
    """)
    found = problems(path)
    file = str(path)
    expected = [
        f"{file}:2: fps must be a number such as 24, 25, 30 or 24000/1001, got 'fast'",
        f"{file}:3: size 1281x720 must be even numbers between 16x16 and 7680x4320 (H.264 needs even sizes)",
        f"{file}:4: unknown key 'sedd' in the storyboard (did you mean 'seed'?)",
        f"{file}:6: unknown key 'voise' in cast member MARCUS (did you mean 'voice'?)",
        f"{file}:13: duration in seconds must be positive, got -2",
    ]
    for message in expected:
        assert message in found
    text = "\n".join(found)
    assert f"{file}:12: unknown camera move 'zoom-inn' (did you mean 'zoom-in'?); one of: static, zoom-in" in text
    assert f"{file}:14: unknown transition 'disolve' (did you mean 'dissolve'?); one of: cut, dissolve" in text
    assert f"{file}:15: duplicate shot id 'one' (first used at {file}:10)" in text
    assert f"{file}:17: duration in seconds must be a number of seconds, got 'soon'" in text
    assert f"{file}:19: unknown cast member 'MARKUS' in dialogue (did you mean 'MARCUS'?)" in text
    assert f"{file}:21: image 'missing.png' not found" in text
    assert f"{file}:23: image '../outside.png' is outside the project folder" in text
    assert len(found) == 12, found


def test_yaml_syntax_error_names_the_line(project):
    path = project("""
        title: Oops
        scenes:
          - heading: EXT. ROME - DAY
            shots:
              - prompt: "unclosed
              - prompt: fine
    """)
    [message] = problems(path)
    assert message.startswith(f"{path}:") and "YAML syntax error" in message
    line = int(message.split(":")[1])
    assert 5 <= line <= 7


def test_music_file_missing_and_unknown_generator(project):
    path = project("""
        generator: animatc
        music: [{file: theme.mp3}]
        scenes:
          - shots: [{prompt: a, generator: {name: stil}}]
    """)
    found = problems(path)
    assert any(":1: unknown generator 'animatc' (did you mean 'animatic'?); one of: animatic, still, footage" in p
               for p in found)
    assert any(":2: music file 'theme.mp3' not found" in p for p in found)
    assert any(":4: unknown generator 'stil' (did you mean 'still'?)" in p for p in found)


def test_empty_storyboard_and_scene_without_shots(project):
    assert "the storyboard is empty" in problems(project(""))[0]
    found = problems(project("""
        scenes:
          - heading: INT. ROOM - NIGHT
    """))
    assert found == [f"{found[0].split(':')[0]}:2: scene has no shots; add 'shots:' with at least one shot"]
    # nothing to film is an input error at check, not a failed render at build
    found = problems(project("""
        title: Nothing yet
        scenes: []
    """))
    assert found == [f"{found[0].split(':')[0]}:2: 'scenes' is empty; add at least one scene with shots"]


def test_a_shot_needs_something_to_show_and_one_source(project, tmp_path):
    (tmp_path / "film").mkdir()
    (tmp_path / "film" / "a.png").write_bytes(b"")
    (tmp_path / "film" / "b.mp4").write_bytes(b"")
    found = problems(project("""
        scenes:
          - shots:
              - id: empty
                camera: static
              - id: both
                image: a.png
                footage: b.mp4
    """))
    assert any("shot 'empty' has nothing to show" in p for p in found)
    assert any("shot 'both' has both image and footage; give one" in p for p in found)


@pytest.mark.parametrize("heading, parts", [
    ("EXT. COLOSSEUM - SUNSET", ("EXT", "COLOSSEUM", "SUNSET")),
    ("INT. KITCHEN - NIGHT", ("INT", "KITCHEN", "NIGHT")),
    ("INT./EXT. CAR - DAY", ("INT/EXT", "CAR", "DAY")),
    ("I/E. CAR - DAWN", ("INT/EXT", "CAR", "DAWN")),
    ("ext. beach", ("EXT", "BEACH", "")),
    ("EST. LONDON - MORNING", ("EST", "LONDON", "MORNING")),
    ("The lab", ("", "THE LAB", "")),
])
def test_headings(heading, parts):
    h = parse_heading(heading)
    assert (h.setting, h.location, h.time_of_day) == parts


def test_subtitles_off_and_on_read_as_modes_not_booleans(project):
    assert load(project("subtitles: off\nscenes: [{shots: [a]}]")).project.subtitles == "off"
    assert load(project("subtitles: burn\nscenes: [{shots: [a]}]", "b")).project.subtitles == "burn"
    found = problems(project("subtitles: loud\nscenes: [{shots: [a]}]", "c"))
    assert found[0].endswith(":1: unknown subtitles mode 'loud'; one of: sidecar, burn, off")


def test_sound_effects_are_read_and_checked(project):
    path = project("""
        scenes:
          - shots:
              - {id: a, prompt: a door, sfx: [{file: door.wav, at: 0.5, gain: -3}, {at: 1}]}
    """)
    assert sorted(problems(path)) == sorted([
        f"{path}:3: a sound effect needs a 'file'",
        f"{path}:3: sound effect 'door.wav' not found (looked in {path.parent})",
    ])


def test_mix_settings_and_music_spans_a_mix_can_honour(project):
    """Values ffmpeg's limiter refuses, or that make no film sense, are input errors at check
    (before, `true_peak: 3` failed the mix job at build)."""
    path = project("""
        mix: {loudness: 5, true_peak: 3, duck: 6}
        music: [{generate: ambient, start: 10, end: 5}]
        scenes: [{shots: [a boat]}]
    """)
    with pytest.raises(StoryboardError) as caught:
        load(path)
    assert sorted(str(p).split(":", 1)[1] for p in caught.value.problems) == [
        "1: mix duck in dB must be at most 0, got 6",
        "1: mix loudness in LUFS must be at most -5, got 5",
        "1: mix true_peak in dBTP must be at most 0, got 3",
        "2: music end (5 s) must be after its start (10 s)",
    ]


@pytest.mark.parametrize("text, expected", [
    ("scenes:\n", "1: 'scenes' is empty; add at least one scene with shots"),
    ("scenes: ~\n", "1: 'scenes' is empty; add at least one scene with shots"),
    ("mix: {true_peak: .nan}\nscenes: [{shots: [a]}]\n", "1: mix true_peak in dBTP must be a finite number, got nan"),
    ("pacing: {tail: .inf}\nscenes: [{shots: [a]}]\n", "1: tail in seconds must be a finite number, got inf"),
])
def test_nothing_to_film_and_numbers_that_are_not_numbers(project, text, expected):
    found = problems(project(text))
    assert [p.split(":", 1)[1] for p in found] == [expected]


@pytest.mark.parametrize("position, mode", [("Top", "BURN"), ("BOTTOM", "Sidecar"), ("auto", "Off")])
def test_subtitle_choices_are_read_in_any_case(project, position, mode):
    """`position: Top` is `top`, as `preset: Old Woman` is `old-woman`: choices are stored as
    the canonical lower case."""
    board = load(project(f"""
        subtitles: {{mode: {mode}, position: {position}}}
        scenes: [{{shots: [a boat]}}]
    """))
    assert board.project.subtitles.mode == mode.lower()
    assert board.project.subtitles.position == position.lower()


def test_a_choice_that_is_none_in_any_case_still_says_what_was_meant(project):
    found = problems(project("""
        subtitles: {mode: Brun, position: TOPP}
        scenes: [{shots: [a boat]}]
    """))
    assert [p.split(":", 1)[1] for p in found] == [
        "1: unknown subtitles mode 'Brun' (did you mean 'burn'?); one of: sidecar, burn, off",
        "1: unknown subtitles position 'TOPP' (did you mean 'top'?); one of: auto, bottom, top",
    ]


def test_film_new_counts_in_the_singular_and_plural(tmp_path, capsys):
    from pipeline.cli import main

    (tmp_path / "one.fountain").write_text("INT. BAR - NIGHT\n\nThe regulars.\n\nJOE\nLast orders.\n",
                                           encoding="utf-8")
    assert main(["new", str(tmp_path / "one"), "--from", str(tmp_path / "one.fountain")]) == 0
    said = capsys.readouterr().out
    assert "(1 speaking part, 1 scene, 1 shot)" in said, said
