"""Planning: defaults, seeds, prompts and durations resolved once, in whole frames."""

from __future__ import annotations

import pytest
from jinja2.exceptions import UndefinedError

from pipeline.errors import StoryboardError
from pipeline.parse import load
from pipeline.plan import derive_seed, make_plan
from pipeline.plan.prompt import prompt_template

BOARD = """
title: Seeds
seed: 7
style: "oil painting"
camera: zoom-in
cast:
  MARCUS: {look: "scar over left eye, red cloak"}
  LIVIA: {look: "silver hair"}
scenes:
  - heading: EXT. COLOSSEUM - SUNSET
    camera: pan-left
    shots:
      - id: arrival
        prompt: crowds pour in
      - id: marcus
        prompt: MARCUS looks up at the arena
        continuity: previous
        camera: dolly-in
      - id: livia
        prompt: the emperor's box
        lines: [{LIVIA: "Let them wait."}]
      - id: fixed
        prompt: sand
        seed: 99
  - heading: INT. BARRACKS - NIGHT
    shots:
      - id: a
        prompt: a lamp
        continuity: night
      - id: b
        prompt: a shadow
        continuity: night
"""


def plan_of(project, text, **kw):
    return make_plan(load(project(text)), **kw)


def shots_by_id(plan):
    return {s.id: s for s in plan.shots}


def test_seeds_are_stable_per_shot_and_shared_in_continuity_groups(project):
    shots = shots_by_id(plan_of(project, BOARD))
    assert shots["arrival"].seed == derive_seed(7, "arrival")
    assert shots["marcus"].seed == shots["arrival"].seed          # continuity: previous
    assert shots["livia"].seed == derive_seed(7, "livia")
    assert shots["fixed"].seed == 99                              # explicit wins
    assert shots["a"].seed == shots["b"].seed == derive_seed(7, "group:night")
    assert len({shots["arrival"].seed, shots["livia"].seed, shots["a"].seed}) == 3


def test_renaming_another_shot_keeps_a_seed(project):
    before = shots_by_id(plan_of(project, BOARD, ))["livia"].seed
    renamed = BOARD.replace("id: arrival", "id: entrance")
    after = shots_by_id(plan_of(project, renamed))["livia"].seed
    assert before == after
    assert shots_by_id(plan_of(project, BOARD.replace("seed: 7", "seed: 8")))["livia"].seed != before


def test_prompt_has_style_place_time_cast_action_camera(project):
    shots = shots_by_id(plan_of(project, BOARD))
    prompt = shots["marcus"].prompt
    assert prompt.startswith("oil painting. exterior colosseum, sunset. MARCUS looks up at the arena")
    assert "MARCUS: scar over left eye, red cloak" in prompt
    assert "LIVIA" not in prompt
    assert prompt.endswith("dolly in")
    # speakers are in the shot too; camera falls back scene → project
    assert "LIVIA: silver hair" in shots["livia"].prompt and shots["livia"].camera == "pan-left"
    assert shots["a"].camera == "zoom-in" and "interior barracks, night" in shots["a"].prompt


def test_prompt_template_is_sandboxed_and_strict():
    with pytest.raises(UndefinedError):
        prompt_template().render(style="x")


def test_durations_explicit_estimated_and_floored(project):
    plan = plan_of(project, """
        fps: 24
        title_card: false
        pacing: {words_per_minute: 120, min_duration: 2, lead_in: 0.5, tail: 0.5}
        scenes:
          - shots:
              - {id: fixed, prompt: a, duration: 2.5}
              - {id: quiet, prompt: b}
              - {id: talk, prompt: c, narration: "one two three four five six seven eight nine ten"}
    """)
    shots = shots_by_id(plan)
    assert shots["fixed"].frames == 60
    assert shots["quiet"].frames == 48                       # the floor
    assert shots["talk"].frames == round((10 / 2 + 1.0) * 24)  # 10 words at 2 words/s + lead-in and tail
    assert plan.total == 60 + 48 + 144


def test_title_and_credits_frame_the_film(project):
    plan = plan_of(project, BOARD.replace("title: Seeds", "title: Seeds\ncredits: {Directed by: Ada}"))
    assert plan.shots[0].kind == "title" and plan.shots[0].source.text == "Seeds"
    assert plan.shots[0].source.subtitle == "Directed by Ada"
    assert plan.shots[-1].kind == "credits"
    assert ("Cast", ("Marcus", "Livia")) in plan.shots[-1].source.credits
    # The panels draw Material Design Icons: the roll credits them (Apache 2.0, pictogrammers.com).
    assert plan.shots[-1].source.credits[-1] == ("Pictograms", ("Material Design Icons", "Pictogrammers, Apache 2.0"))
    assert plan.shots[-2].transition == "fade-black"   # into the credits
    assert plan.shots[-1].transition == "cut" and plan.shots[-1].tail == 0


def test_transitions_are_centred_handles(project):
    plan = plan_of(project, """
        title_card: false
        fps: 24
        scenes:
          - shots:
              - {id: a, prompt: a, duration: 2, transition: {name: dissolve, duration: 1}}
              - {id: b, prompt: b, duration: 2, transition: wipe-left}
              - {id: c, prompt: c, duration: 2}
    """)
    a, b, c = plan.shots
    assert (a.head, a.tail) == (0, 12)
    assert (b.head, b.tail) == (12, 9)     # wipe default 0.75 s = 18 frames, 9 after the cut
    assert (c.head, c.tail) == (9, 0)
    assert plan.total == 144 and plan.starts() == [0, 48, 96]


def test_explicit_duration_too_short_for_its_transitions(project):
    with pytest.raises(StoryboardError) as caught:
        plan_of(project, """
            title_card: false
            scenes:
              - shots:
                  - {id: a, prompt: a, duration: 1, transition: {name: dissolve, duration: 2}}
                  - {id: b, prompt: b, duration: 0.5}
        """)
    first, second = caught.value.problems
    assert (first.line, second.line) == (4, 5)
    assert "shot 'a' lasts 1.00 s but the transitions into and out of it need 1.04 s" in first.message
    assert "shot 'b' lasts 0.50 s but the transitions into and out of it need 1.04 s" in second.message


def test_preview_is_half_size(project):
    plan = plan_of(project, BOARD, preview=True)
    assert (plan.fmt.width, plan.fmt.height) == (640, 360)
