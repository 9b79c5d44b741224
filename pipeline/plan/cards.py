"""The film's own cards: the title card that opens it and the credits that close it."""

from __future__ import annotations

import math
from fractions import Fraction

from ..frames import duration_frames, exact
from ..names import display_name
from ..spec import CREDITS_ID, TITLE_ID, GeneratorSpec, Heading, Project, Storyboard
from ..transitions import default_seconds
from .model import CardSource, Credits, ShotPlan

CREDIT_SECONDS_PER_LINE = 0.9   # the credits' unhurried length: 4 s and this per line...
CREDITS_SHARE = 0.14            # ...but no more than this share of the film (a short film's credits stay short)...
CREDIT_READING_CPS = 15.0       # ...and never faster than a reader can follow: each line on screen long enough
CREDIT_MIN_ON_SCREEN = 2.0      # to read it at 15 characters a second, and at least 2 s (a name needs under 1.5 s)
TITLE_TRANSITION = ("fade-black", default_seconds("fade-black"))   # out of the title card, and into the credits after a hard cut
CARD = GeneratorSpec("card")


def title_card(project: Project, seed: int, fps: Fraction) -> ShotPlan | None:
    """The opening card (the title, and a byline from the credits: "A film by …"), or None
    when the film has no title or asks for none."""
    if not (project.title_card and project.title):
        return None
    byline = next((f"{role} {', '.join(names)}" for role, names in project.credits
                   if role.lower().startswith(("a film by", "directed by", "written by", "by"))), "")
    return ShotPlan(
        id=TITLE_ID, kind="title", scene=0, heading=Heading(), generator=CARD,
        source=CardSource(text=project.title, subtitle=byline), prompt="", negative="", action=project.title,
        seed=seed, frames=duration_frames(project.title_seconds, fps), head=0, tail=0, camera="zoom-in",
        transition=TITLE_TRANSITION[0], transition_frames=duration_frames(TITLE_TRANSITION[1], fps),
        cast=(), texts=(), loc=project.loc)


def film_credits(board: Storyboard, drawn: bool) -> Credits:
    """What the credits list: the writer's credits, then the cast, then (for a `drawn` film,
    one with animatic panels) the pictograms' credit line."""
    credits = tuple(board.project.credits)
    if board.cast:
        credits += (("Cast", tuple(display_name(c.name) for c in board.cast)),)
    if credits and drawn:
        from ..generators.drawing.icons import CREDITS_SECTION   # here: the generators import the plan
        credits += (CREDITS_SECTION,)
    return credits


def credits_card(credits: Credits, project: Project, seed: int, rest: int, fps: Fraction) -> ShotPlan:
    """The credits roll after `rest` frames of film (`credits_frames` long)."""
    return ShotPlan(
        id=CREDITS_ID, kind="credits", scene=0, heading=Heading(), generator=CARD,
        source=CardSource(credits=credits), prompt="", negative="", action="", seed=seed,
        frames=credits_frames(credits, project.width, project.height, rest, fps), head=0, tail=0,
        camera="static", transition="cut", transition_frames=0, cast=(), texts=(), loc=project.loc)


def credits_frames(credits: Credits, width: int, height: int, rest: int, fps: Fraction) -> int:
    """How long the credits roll, in frames, after `rest` frames of film: 4 s and
    `CREDIT_SECONDS_PER_LINE` a line, but at most `CREDITS_SHARE` of the whole film, unless that
    would scroll a line off the screen before it can be read (at `CREDIT_READING_CPS`, and
    `CREDIT_MIN_ON_SCREEN` at least): readable wins. The roll is laid out at the film's full size
    (a preview rolls for as long as the film does); it moves `height` + its content, and a line
    is wholly on screen while it moves `height` less the line's own height."""
    from ..generators.drawing.cards import credits_lines   # here: the generators import the plan

    content, lines = credits_lines(width, height, credits)
    travel = content + height
    readable = max((max(CREDIT_MIN_ON_SCREEN, len(text) / CREDIT_READING_CPS) * travel / max(height - tall, 1)
                    for tall, text in lines), default=CREDIT_MIN_ON_SCREEN)
    unhurried = 4.0 + CREDIT_SECONDS_PER_LINE * len(lines)
    share = math.floor(CREDITS_SHARE / (1 - CREDITS_SHARE) * rest)   # credits / (rest + credits) <= share
    return max(math.ceil(exact(round(readable, 6)) * fps), min(duration_frames(unhurried, fps), share), 1)
