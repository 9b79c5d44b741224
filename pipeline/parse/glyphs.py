"""Warnings for text that would be drawn as boxes: characters no bundled font has a glyph for.

Reads every text the film draws with its own fonts: the title and credits, cast names (name tags,
credits), card texts, the captions and scene headings of animatic panels, and narration and
dialogue when subtitles are burned in (sidecar subtitles are drawn by the viewer's player, with
its fonts). One warning per place, naming the characters.
"""

from __future__ import annotations

import unicodedata
from typing import Iterator

from ..errors import Problem
from ..spec import Loc, Storyboard

SHOWN = 6  # characters named in one warning


def glyph_warnings(board: Storyboard) -> list[Problem]:
    """A warning (`Problem`) for each drawn text with characters no bundled font covers."""
    from ..fonts import missing

    problems = []
    for loc, what, text in _drawn(board):
        lacking = missing(text)
        if lacking:
            named = ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, 'unnamed')})" for c in lacking[:SHOWN])
            more = f" and {len(lacking) - SHOWN} more" if len(lacking) > SHOWN else ""
            problems.append(loc.problem(f"no bundled font draws {named}{more} in {what}: "
                                        "they would show as boxes"))
    return problems


def _drawn(board: Storyboard) -> Iterator[tuple[Loc, str, str]]:
    """(where, what, text) for every text the film draws itself."""
    project = board.project
    if project.title_card and project.title:
        yield project.loc, "the title", project.title
    for role, names in project.credits:
        yield project.loc, "the credits", " ".join((role, *names))
    for character in board.cast:
        yield character.loc, "a cast name", character.name
    burn = project.subtitles == "burn"
    for scene in board.scenes:
        drawn_scene = False
        for shot in scene.shots:
            if shot.title:
                yield shot.at("title"), "a card", shot.title
            generator = shot.generator or scene.generator or project.generator
            if not shot.title and not shot.image and not shot.footage and generator.name == "animatic":
                drawn_scene = True
                if shot.prompt:
                    yield shot.at("prompt"), "a caption", shot.prompt
            if burn and shot.narration:
                yield shot.at("narration"), "the subtitles", shot.narration
            for line in shot.lines if burn else ():
                yield line.loc, "the subtitles", line.text
        if drawn_scene and scene.heading.location:
            yield scene.loc, "a scene heading", scene.heading.location
