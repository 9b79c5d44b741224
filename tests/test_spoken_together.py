"""Subtitles of lines spoken at the same time (dual dialogue, `ANN AND BOB`): both on screen
together for as long as they are said, the same words shown once, never more than 2 lines."""

from __future__ import annotations

import pytest

from pipeline.build import prepare
from pipeline.cache import Cache
from pipeline.parse import load
from pipeline.subtitles import cues_for

BOARD = """
title_card: false
fps: 24
cast:
  ANN: {voice: {pitch: 2}}
  BOB: {voice: {pitch: -2}}
  CY: {voice: {pitch: 5}}
scenes:
  - shots:
      - id: dual
        prompt: a room
        lines:
          - ANN: "Yes."
          - {character: BOB, text: "No, absolutely not, never.", dual: true}
      - id: same
        prompt: a room
        lines:
          - ANN: "See you tonight."
          - {character: BOB, text: "See you tonight.", dual: true}
      - id: three
        prompt: a room
        lines:
          - ANN: "Left!"
          - {character: BOB, text: "Right!", dual: true}
          - {character: CY, text: "Straight on, I say!", dual: true}
      - id: cased
        prompt: a room
        lines:
          - ANN: "Together!"
          - {character: BOB, text: "together", dual: true}
      - id: long
        prompt: a room
        lines:
          - BOB: "We're doing this together, partner, whatever it takes, come rain or shine."
          - {character: ANN, text: "Not a chance.", dual: true}
"""


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("together")
    (folder / "storyboard.yaml").write_text(BOARD, encoding="utf-8")
    plan, _ = prepare(load(folder), Cache(folder / "cache"))
    return plan, cues_for(plan)


def shot_cues(plan, cues, shot_id):
    start = plan.starts()[[s.id for s in plan.shots].index(shot_id)]
    shot = next(s for s in plan.shots if s.id == shot_id)
    return shot, start, [c for c in cues if start <= c.start < start + shot.frames]


def test_both_lines_stay_on_screen_while_they_are_said(planned):
    plan, cues = planned
    shot, start, [cue] = shot_cues(plan, cues, "dual")
    assert cue.text == "- Yes.\n- No, absolutely not, never."
    ann, bob = shot.speech
    heard_from = start + ann.start + round(min(ann.words[0][0], bob.words[0][0]) * 24)
    assert abs(cue.start - heard_from) <= 1
    assert cue.end >= start + bob.start + bob.frames - 1     # until the longer line is said


def test_the_same_words_said_together_are_shown_once(planned):
    plan, cues = planned
    _, _, [cue] = shot_cues(plan, cues, "same")
    assert cue.text == "See you tonight." and cue.end - cue.start >= 24


def test_a_long_line_said_with_a_short_one_keeps_two_lines_per_cue(planned):
    plan, cues = planned
    _, _, together = shot_cues(plan, cues, "long")
    assert len(together) >= 2
    assert together[0].text.startswith("- We're doing this together") and together[0].text.endswith("\n- Not a chance.")
    assert all(len(c.text.splitlines()) <= 2 and all(len(t) <= 42 for t in c.text.splitlines()) for c in together)
    said = " ".join(t.removeprefix("- ") for c in together for t in c.text.splitlines() if "Not a chance" not in t)
    assert said == "We're doing this together, partner, whatever it takes, come rain or shine."
    assert all(c.end - c.start >= 12 for c in together)      # nothing flashes


def test_three_speakers_at_once_keep_two_lines_a_cue_and_nothing_flashes(planned):
    plan, cues = planned
    _, _, together = shot_cues(plan, cues, "three")
    assert [c.text for c in together] == ["- Left!\n- Right!", "Straight on, I say!"]
    assert all(c.end - c.start >= 24 or c is together[-1] for c in together)
    assert together[1].start - together[0].end == 2      # chained, the 2 frames apart every cue change is


def test_the_same_words_in_another_case_are_still_shown_once(planned):
    plan, cues = planned
    _, _, [cue] = shot_cues(plan, cues, "cased")
    assert cue.text.casefold().strip("!") == "together"
