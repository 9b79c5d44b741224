"""A shot's settings resolved (project → scene → shot), its seed, its cast and its source."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..errors import Problem
from ..generators import DRAWN, SHOWS_FILE
from ..names import display_name
from ..spec import GeneratorSpec, Scene, Shot, Sound, Storyboard, Transition, resolve_asset
from .model import CardSource, DrawnSource, FootageFile, FootageSource, GeneratedSource, ShotSource, StillSource



def derive_seed(project_seed: int, name: str) -> int:
    """A stable 31-bit seed from the project seed and a shot id (or continuity group)."""
    digest = hashlib.sha256(f"{project_seed}/{name}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass(frozen=True)
class Settings:
    """What a shot inherits, resolved: the first of shot, scene (a scene's transition only on
    its last shot) and project that gives each."""

    transition: Transition
    camera: str
    generator: GeneratorSpec


def settings(board: Storyboard, scene: Scene, shot: Shot) -> Settings:
    """`shot`'s transition, camera and generator, from the shot, its scene or the project."""
    project = board.project
    last_of_scene = shot is scene.shots[-1]
    return Settings(
        transition=shot.transition or (scene.transition if last_of_scene else None) or project.transition,
        camera=shot.camera or scene.camera or project.camera,
        generator=shot.generator or scene.generator or project.generator)


@dataclass(frozen=True)
class Seeded:
    """A shot's seed, its continuity group (None: its own), and the shot it continues."""

    seed: int
    group: str | None
    continues: str | None


def seed_groups(board: Storyboard, problems: list[Problem]) -> dict[str, Seeded]:
    """Each shot's seed by id. An explicit seed wins; `continuity: previous` joins the previous
    shot's group; any other continuity value names a group; otherwise the shot is its own group.
    A group's seed is its first explicit seed, else derived from the project seed and the group."""
    group_of: dict[str, str] = {}
    seed_of: dict[str, int] = {}
    out: dict[str, Seeded] = {}
    previous: Shot | None = None
    for shot in board.shots:
        if shot.continuity == "previous":
            if previous is None:
                problems.append(shot.loc.problem("'continuity: previous' on the first shot: there is no previous shot"))
                group = shot.id
            else:
                group = group_of[previous.id]
        elif shot.continuity:
            group = f"group:{shot.continuity}"
        else:
            group = shot.id
        group_of[shot.id] = group
        if shot.seed is not None:
            seed = shot.seed
            seed_of.setdefault(group, seed)
        else:
            seed = seed_of.setdefault(group, derive_seed(board.project.seed, group))
        continues = previous.id if shot.continuity == "previous" and previous is not None else None
        out[shot.id] = Seeded(seed, group if group != shot.id else None, continues)
        previous = shot
    return out


def cast_patterns(board: Storyboard) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """For each character, a pattern that finds them named in an action (as NAME or as the name
    is displayed, not as a lower-case word); made once per film, not once per shot."""
    return tuple((c.name, re.compile(rf"(?<!\w)({re.escape(c.name)}|{re.escape(display_name(c.name))})(?!\w)"))
                 for c in board.cast)


def cast_in(shot: Shot, board: Storyboard,
            patterns: tuple[tuple[str, re.Pattern[str]], ...]) -> tuple[tuple[str, str], ...]:
    """(name, look) of the characters in `shot`: its `cast`, else those its action names (in
    the order named) and every speaker."""
    if shot.cast is not None:
        names = list(shot.cast)
    else:
        found = []
        for name, pattern in patterns:
            match = pattern.search(shot.prompt)
            if match:
                found.append((match.start(), name))
        names = [name for _, name in sorted(found)]
        names += [line.character for line in shot.lines if line.character not in names]
    looks = {c.name: c.look for c in board.cast}
    return tuple((name, looks.get(name, "")) for name in dict.fromkeys(names))


def shot_source(shot: Shot, generator: GeneratorSpec, root: Path, continues: str | None,
                footage: Mapping[Path, FootageFile],
                problems: list[Problem] | None = None) -> tuple[ShotSource, GeneratorSpec]:
    """What `shot` shows, as a typed payload, and the generator that renders it: a text card,
    the writer's picture or footage, a drawn panel, or a generated shot. A generator that shows
    a file (`still`, `footage`) named for a shot without one is a problem, at the generator's line."""
    if shot.title:
        return CardSource(text=shot.title), GeneratorSpec("card")
    if shot.image:
        return StillSource(resolve_asset(root, shot.image), shot.background), GeneratorSpec("still", loc=shot.loc)
    if shot.footage:
        path = resolve_asset(root, shot.footage.file)
        return (FootageSource(path, shot.footage.file, shot.footage.start, shot.footage.end,
                              footage.get(path, FootageFile(0.0)), shot.sound or Sound(), shot.background),
                GeneratorSpec("footage", loc=shot.loc))
    if generator.name in SHOWS_FILE:
        key = SHOWS_FILE[generator.name]
        if problems is not None:
            problems.append(generator.loc.problem(
                f"generator '{generator.name}' shows a shot's '{key}:', and shot '{shot.id}' has none; give it "
                f"one, or another generator (animatic draws a shot from its words)"))
        return DrawnSource(), GeneratorSpec("animatic", loc=generator.loc)
    if generator.name in DRAWN:
        return DrawnSource(), generator
    first_frame = resolve_asset(root, shot.first_frame) if shot.first_frame else None
    return GeneratedSource(shot.takes, shot.take, first_frame, continues), generator
