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
    return problems + unread_warnings(board)


def unread_warnings(board: Storyboard) -> list[Problem]:
    """A warning for each voice and script it cannot read (`speakable.unread_scripts`), where a
    line first has it: those letters are shown in the subtitles but not spoken."""
    from ..audio import tts
    from ..audio.speakable import PIPER_VOICES, SCRIPT_NAMES, unread_scripts

    project = board.project
    if not project.speech:
        return []
    lines = [] if project.voiceover else [("", shot.narration, shot.at("narration"))
                                          for shot in board.shots if shot.narration]
    lines += [(line.character, line.text, line.loc) for shot in board.shots for line in shot.lines]
    lines.sort(key=lambda item: (item[2].file, item[2].line))
    problems, seen, reads = [], set(), {}
    for who, text, loc in lines:
        if text.isascii():
            continue
        if who not in reads:
            voice = tts.voice_for(board, who)
            try:
                reads[who] = (voice.model or tts.DEFAULT_VOICE, tts.reader(tts.find_model(voice.model, board.root), voice.language))
            except tts.VoiceError:
                reads[who] = None
        if reads[who] is None:
            continue
        name, voice_reads = reads[who]
        for script in unread_scripts(text, voice_reads):
            if (name, script) in seen:
                continue
            seen.add((name, script))
            example = f"path/to/{PIPER_VOICES[script]}-….onnx" if script in PIPER_VOICES else "path/to/….onnx"
            problems.append(loc.problem(
                f"the voice '{name}' ({voice_reads.name}) cannot read {SCRIPT_NAMES.get(script, script)}; these lines "
                f"are shown, not spoken: give {'the narrator' if not who else 'the character'} a Piper voice for "
                f"that language (voice: {{model: {example}}})"))
    return problems


def _drawn(board: Storyboard) -> Iterator[tuple[Loc, str, str]]:
    """(where, what, text) for every text the film draws itself."""
    project = board.project
    if project.title_card and project.title:
        yield project.title_loc if project.title_loc.file else project.loc, "the title", project.title
    yield from _credits(board)
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


def _credits(board: Storyboard) -> Iterator[tuple[Loc, str, str]]:
    """Each credit's texts where they were written: a role and the names on its line make one
    place, a name on a line of its own another (the project's place when the reader gave none)."""
    project = board.project
    locs = project.credit_locs
    for n, (role, names) in enumerate(project.credits):
        role_loc, name_locs = locs[n] if n < len(locs) else (project.loc, ())
        places: dict[Loc, list[str]] = {role_loc: [role]}
        for i, name in enumerate(names):
            places.setdefault(name_locs[i] if i < len(name_locs) else role_loc, []).append(name)
        for loc, texts in places.items():
            yield loc, "the credits", " ".join(texts)
