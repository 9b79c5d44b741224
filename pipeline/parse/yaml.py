"""Read a YAML storyboard into a `Storyboard`, collecting every problem with its line.

PyYAML's composer gives us nodes with line marks; we walk them ourselves (instead of
`safe_load`) so that each value, key and list item keeps the line it was written on.
"""

from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Mapping

import yaml

from ..errors import Problem, StoryboardError, did_you_mean, quoted
from ..spec import (
    GAIN_RANGE, LOCALIZE_MODES, LONGEST_FILM, LONGEST_PAUSE, LONGEST_SHOT, MOST_TAKES, RESERVED_IDS, SEED_RANGE, WORDS_PER_MINUTE,
    MUSIC_GENERATORS, SUBTITLE_MODES, SUBTITLE_POSITIONS, Music, Character, Footage, GeneratorSpec, Line,
    Loc, MixSettings, Pacing, Project, Recognition, Signing, Sound, WATERMARK_POSITIONS, Watermark, SoundEffect, Subtitles, VoiceOver, Scene, Shot, Storyboard, Transition, Var, Version, Voice, parse_heading, slug, validate,
)
from .versions import RESERVED_VARS, apply
from ..values import Choice, Number

PROJECT_KEYS = (
    "title", "fps", "size", "seed", "style", "negative", "generator", "camera", "transition",
    "subtitles", "title_card", "credits", "cast", "narrator", "speech", "voiceover", "recognizer", "music", "mix", "pacing",
    "signing", "watermark", "vars", "languages", "localize", "voices", "scenes",
    "metadata",
)
SCENE_KEYS = ("heading", "shots", "camera", "transition", "generator", "metadata")
SHOT_KEYS = (
    "id", "prompt", "camera", "duration", "narration", "lines", "transition", "image", "background", "footage",
    "title", "continuity", "seed", "cast", "generator", "fit", "sfx", "first_frame", "takes", "take", "metadata",
    "sound", "when",
)
SFX_KEYS = ("file", "at", "gain")
SOUND_KEYS = ("gain", "mute")
CHARACTER_KEYS = ("look", "voice")
VOICE_KEYS = ("preset", "model", "speaker", "rate", "pitch", "formant", "gain")
#: Words people write for a voice's keys.
VOICE_ALIASES = {"speed": "rate", "tempo": "rate", "pace": "rate", "tone": "pitch", "volume": "gain",
                 "loudness": "gain"}
MUSIC_KEYS = ("file", "generate", "gain", "fade_in", "fade_out", "start", "end", "loop")
FOOTAGE_KEYS = ("file", "in", "out")
RECOGNIZER_KEYS = ("engine", "model")
TRANSITION_KEYS = ("name", "duration")
PACING_KEYS = ("words_per_minute", "min_duration", "lead_in", "tail", "line_gap")
VOICEOVER_KEYS = ("file",)
SIGNING_KEYS = ("cert", "key")
WATERMARK_KEYS = ("text", "image", "position", "opacity", "size", "invisible")
MIX_KEYS = ("loudness", "true_peak", "duck", "attack", "release")
FITS = ("trim",)
TITLE_CARD_KEYS = ("duration",)
LINE_KEYS = ("character", "text", "parenthetical", "dual", "when")
SUBTITLES_KEYS = ("mode", "position", "margin", "max_cps")
# Limits on what a storyboard file may be: far past any film's needs, short of what would hang
# the reader (a YAML alias bomb expands exponentially; a 20 MB file took minutes to check).
MAX_BYTES = 2_000_000
MAX_DEPTH = 64
MAX_VALUES = 200_000
# libyaml's parser (in PyYAML's wheels) composes about ten times faster than the pure-Python one;
# both give the same nodes, lines and errors.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp",
                                                           "seq", "map"))


@dataclass
class Node:
    """A YAML value with the line it starts on; mappings keep each key's line."""

    value: Any
    line: int


class _Reader:
    """Walks composed YAML nodes into typed values, recording problems instead of raising."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def loc(self, node: Node) -> Loc:
        return Loc(self.file, node.line)

    def problem(self, node: Node | int, message: str) -> None:
        line = node if isinstance(node, int) else node.line
        self.problems.append(Problem(self.file, line, message))

    # -- turning PyYAML nodes into Node trees -------------------------------------------------
    def convert(self, node: yaml.Node) -> Node:
        """`node` and everything under it as a Node tree. A structure no storyboard needs (an
        alias that contains itself, nesting deeper than `MAX_DEPTH`, aliases that expand past
        `MAX_VALUES` values: the "billion laughs") raises StoryboardError at once; a value YAML
        cannot construct (an unknown or unsafe tag, `!!int abc`, `<<` of a scalar) is a problem
        at its line, read as nothing."""
        self._values = 0
        self._open: set[int] = set()
        return self._convert(node, 0)

    def _convert(self, node: yaml.Node, depth: int) -> Node:
        line = node.start_mark.line + 1
        self._values += 1
        if self._values > MAX_VALUES:
            raise StoryboardError([Problem(self.file, line, f"more than {MAX_VALUES:,} values (aliases that repeat "
                                                            "aliases?); a storyboard needs far fewer")])
        if depth > MAX_DEPTH:
            raise StoryboardError([Problem(self.file, line, f"nested more than {MAX_DEPTH} deep; a storyboard "
                                                            "needs a few levels")])
        if id(node) in self._open:
            raise StoryboardError([Problem(self.file, line, "an alias that contains itself")])
        if node.tag not in PLAIN_TAGS:
            self.problem(line, f"the YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not read here; "
                               "write the value plainly")
            return Node(None, line)
        self._open.add(id(node))
        try:
            return self._composite(node, line, depth)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
            text = getattr(error, "problem", None) or str(error).splitlines()[0]
            self.problem(line, f"cannot read this value: {text}")
            return Node(None, line)
        finally:
            self._open.discard(id(node))

    def _composite(self, node: yaml.Node, line: int, depth: int) -> Node:
        if isinstance(node, yaml.MappingNode):
            self._constructor.flatten_mapping(node)
            items: dict[str, tuple[Node, Node]] = {}
            for key_node, value_node in node.value:
                key = self._convert(key_node, depth + 1)
                if isinstance(key.value, (dict, list)):   # YAML's `? [a, b]` complex keys
                    self.problem(key, f"a key must be a name, not {_kind(key.value)}")
                    continue
                name = str(key.value)
                if name in items:
                    self.problem(key, f"duplicate key '{name}' (first at line {items[name][0].line})")
                    continue
                items[name] = (key, self._convert(value_node, depth + 1))
            return Node(items, line)
        if isinstance(node, yaml.SequenceNode):
            return Node([self._convert(item, depth + 1) for item in node.value], line)
        value = self._constructor.construct_object(node, deep=True)
        if isinstance(value, str) and (control := _CONTROL.search(value)):
            # A double-quoted "\0" or "\a" escape: no text in a film holds one, and a NUL
            # cannot be in a file name.
            self.problem(line, f"a control character ({control.group()!r}) in the text {quoted(value)}")
            return Node(None, line)
        return Node(value, line)

    # -- typed accessors ----------------------------------------------------------------------
    def mapping(self, node: Node, allowed: tuple[str, ...], what: str,
                aliases: dict[str, str] | None = None) -> dict[str, Node]:
        """The mapping's values by key; unknown keys are reported with a did-you-mean, or with
        the key they stand for where `aliases` names one (`speed` -> `rate`)."""
        if not isinstance(node.value, dict):
            if node.value is not None:
                self.problem(node, f"{what} must be a mapping of keys to values, got {_kind(node.value)}")
            return {}
        values = {}
        for name, (key, value) in node.value.items():
            if name not in allowed:
                alias = (aliases or {}).get(str(name).lower())
                hint = (f" (did you mean '{alias}'?)" if alias else did_you_mean(name, allowed)) \
                    or f"; allowed keys: {', '.join(allowed)}"
                self.problem(key, f"unknown key '{name}' in {what}{hint}")
            else:
                values[name] = value
        return values

    def items(self, node: Node | None, what: str) -> list[Node]:
        if node is None or node.value is None:
            return []
        if not isinstance(node.value, list):
            self.problem(node, f"{what} must be a list, got {_kind(node.value)}")
            return []
        return node.value

    def text(self, node: Node | None, what: str, default: str = "") -> str:
        if node is None or node.value is None:
            return default
        if isinstance(node.value, (dict, list)):
            self.problem(node, f"{what} must be text, got {_kind(node.value)}")
            return default
        return str(node.value).strip()

    def number(self, node: Node | None, what: str, default: Any = None, positive: bool = False,
               minimum: float | None = None, maximum: float | None = None) -> Any:
        if node is None or node.value is None:
            return default
        kind = Number(minimum=minimum, maximum=maximum, positive=positive, unit="seconds" if "seconds" in what else "")
        value, messages = kind.read(node.value, what)
        for message in messages:
            self.problem(node, message)
        return default if messages else value

    def integer(self, node: Node | None, what: str, default: int | None = None,
                limits: tuple[int, int] | None = None) -> int | None:
        """A whole number, within `limits` (inclusive) when given."""
        if node is None or node.value is None:
            return default
        if isinstance(node.value, bool) or not isinstance(node.value, int):
            self.problem(node, f"{what} must be a whole number, got {node.value!r}")
            return default
        if limits is not None and not limits[0] <= node.value <= limits[1]:
            self.problem(node, f"{what} must be from {limits[0]} to {limits[1]}, got {node.value}")
            return default
        return node.value

    def boolean(self, node: Node | None, what: str, default: bool) -> bool:
        if node is None or node.value is None:
            return default
        if not isinstance(node.value, bool):
            self.problem(node, f"{what} must be true or false, got {node.value!r}")
            return default
        return node.value

    def choice(self, node: Node | None, what: str, choices: tuple[str, ...], default: str) -> str:
        """One of `choices`, written in any case (`Top` is `top`)."""
        value = self.text(node, what, default)
        if node is None or node.value is None:
            return value
        canonical, messages = Choice(choices, any_case=True).read(value, f"unknown {what}")
        for message in messages:
            self.problem(node, message)
        return default if messages else canonical

    def plain(self, node: Node | None) -> Any:
        """A Node tree back to plain Python values (for free-form `metadata` and options)."""
        if node is None:
            return None
        if isinstance(node.value, dict):
            return {k: self.plain(v) for k, (_, v) in node.value.items()}
        if isinstance(node.value, list):
            return [self.plain(v) for v in node.value]
        return node.value


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _metadata(r: _Reader, node: Node | None, what: str) -> Mapping[str, Any]:
    """Free-form `metadata:` (names to values), read-only; a problem when it is not a mapping."""
    value = r.plain(node)
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, dict):
        r.problem(node, f"{what} metadata must be a mapping of names to values (name: value), got {_kind(value)}")
        return MappingProxyType({})
    return MappingProxyType(value)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list"}.get(type(value)) or (
        f"text {quoted(value)}" if isinstance(value, str) else quoted(repr(value)).strip("'\"'"))


_SIZE = re.compile(r"^\s*(\d+)\s*[xX×]\s*(\d+)\s*$")


def _size(r: _Reader, node: Node | None) -> tuple[int, int]:
    if node is None:
        return 1280, 720
    match = _SIZE.match(str(node.value))
    if not match:
        r.problem(node, f"size must be WIDTHxHEIGHT such as 1280x720, got {node.value!r}")
        return 1280, 720
    width, height = int(match[1]), int(match[2])
    if not (16 <= width <= 7680 and 16 <= height <= 4320) or width % 2 or height % 2:
        r.problem(node, f"size {width}x{height} must be even numbers between 16x16 and 7680x4320 "
                        "(H.264 needs even sizes)")
        return 1280, 720
    return width, height


def _fps(r: _Reader, node: Node | None) -> Fraction:
    if node is None:
        return Fraction(24)
    value = node.value
    try:
        if isinstance(value, bool):
            raise ValueError
        fps = Fraction(str(value)).limit_denominator(1001) if not isinstance(value, int) else Fraction(value)
    except (ValueError, ZeroDivisionError):
        r.problem(node, f"fps must be a number such as 24, 25, 30 or 24000/1001, got {value!r}")
        return Fraction(24)
    if not 1 <= fps <= 120:
        r.problem(node, f"fps must be between 1 and 120, got {value}")
        return Fraction(24)
    return fps


def _subtitle_mode(r: _Reader, node: Node | None) -> str:
    # YAML 1.1 reads a bare `off`/`on` as a boolean; a writer means the mode.
    if node is not None and isinstance(node.value, bool):
        return "sidecar" if node.value else "off"
    return r.choice(node, "subtitles mode", SUBTITLE_MODES, "sidecar")


_MARGIN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|px)?\s*$")


def _subtitle_margin(r: _Reader, node: Node | None, height: int) -> float | None:
    """`margin: 8%` (of the frame's height) or `margin: 40px` / `40` (pixels of the film's
    size): a fraction of the height, at most 40%."""
    if node is None or node.value is None:
        return None
    value = node.value
    match = None if isinstance(value, (bool, dict, list)) else _MARGIN.match(str(value))
    if not match:
        r.problem(node, f"subtitles margin must be a percentage of the height such as 8% or pixels such as 40px, "
                        f"got {value!r}")
        return None
    number = float(match[1])
    fraction = number / 100 if match[2] == "%" else number / height
    if fraction > 0.4:
        r.problem(node, f"subtitles margin {value} is more than 40% of the height ({height} px); "
                        "subtitles belong near an edge")
        return None
    return fraction


def _subtitles(r: _Reader, node: Node | None, height: int = 720) -> Subtitles:
    """`subtitles: burn`, or `subtitles: {mode, position, margin, max_cps}`."""
    if node is None or not isinstance(node.value, dict):
        return Subtitles(_subtitle_mode(r, node))
    keys = r.mapping(node, SUBTITLES_KEYS, "subtitles")
    return Subtitles(
        _subtitle_mode(r, keys.get("mode")),
        position=r.choice(keys.get("position"), "subtitles position", SUBTITLE_POSITIONS, "auto"),
        margin=_subtitle_margin(r, keys.get("margin"), height),
        max_cps=r.number(keys.get("max_cps"), "subtitles max_cps (characters a second)", None, minimum=5, maximum=60),
    )


def _generator(r: _Reader, node: Node | None) -> GeneratorSpec | None:
    if node is None:
        return None
    if isinstance(node.value, str):
        return GeneratorSpec(name=node.value.strip(), loc=r.loc(node))
    if not isinstance(node.value, dict):
        r.problem(node, f"generator must be a name or a mapping with 'name', got {_kind(node.value)}")
        return None
    options = r.plain(node)
    name = options.pop("name", None)
    if not isinstance(name, str) or not name:
        r.problem(node, "generator needs a 'name' (e.g. animatic)")
        return None
    return GeneratorSpec(name=name, options=MappingProxyType(options), loc=r.loc(node))


def _transition(r: _Reader, node: Node | None) -> Transition | None:
    if node is None or node.value is None:
        return None
    if isinstance(node.value, str):
        return Transition(name=node.value.strip(), loc=r.loc(node))
    keys = r.mapping(node, TRANSITION_KEYS, "transition")
    if "name" not in keys:
        r.problem(node, "transition needs a 'name' (e.g. dissolve)")
        return None
    seconds = r.number(keys.get("duration"), "transition duration in seconds", None, minimum=0, maximum=LONGEST_SHOT)
    return Transition(name=r.text(keys["name"], "transition name"), seconds=seconds, loc=r.loc(keys["name"]))


def _voice(r: _Reader, node: Node | None) -> Voice:
    if node is None or node.value is None:
        return Voice()
    from ..audio.voices import FORMANT_RANGE, PITCH_RANGE, RATE_RANGE, find_preset, pitch_problem, unknown_preset

    if isinstance(node.value, str):   # `voice: woman` is a preset; `voice: joe`, `voice: x.onnx` a model
        preset = find_preset(node.value)
        if preset:
            return Voice(preset=preset.name, loc=r.loc(node))
        return Voice(model=node.value.strip(), loc=r.loc(node))
    if not isinstance(node.value, dict):
        r.problem(node, f"voice must be a preset name, a model name or a mapping "
                        f"(such as {{preset: woman, pitch: 2}}), got {_kind(node.value)}")
        return Voice()
    keys = r.mapping(node, VOICE_KEYS, "voice", VOICE_ALIASES)
    preset = r.text(keys.get("preset"), "voice preset")
    if preset and not find_preset(preset):
        r.problem(keys["preset"], unknown_preset(preset))
    preset = find_preset(preset).name if preset and find_preset(preset) else ""
    pitch = r.number(keys.get("pitch"), "voice pitch in semitones", 0.0, minimum=PITCH_RANGE[0],
                     maximum=PITCH_RANGE[1])
    if pitch and pitch_problem(preset, pitch):
        r.problem(keys["pitch"], pitch_problem(preset, pitch))
        pitch = 0.0
    return Voice(
        preset=preset,
        formant=r.number(keys.get("formant"), "voice formant ratio", 1.0, minimum=FORMANT_RANGE[0],
                         maximum=FORMANT_RANGE[1]),
        model=r.text(keys.get("model"), "voice model"),
        speaker=r.integer(keys.get("speaker"), "voice speaker"),
        rate=r.number(keys.get("rate"), "voice rate", 1.0, minimum=RATE_RANGE[0], maximum=RATE_RANGE[1]),
        pitch=pitch,
        gain=r.number(keys.get("gain"), "voice gain in dB", 0.0, minimum=GAIN_RANGE[0], maximum=GAIN_RANGE[1]),
        loc=r.loc(keys["model"]) if "model" in keys else r.loc(node),
    )


def _voiced(cast: tuple[Character, ...], narrator: Voice) -> tuple[Character, ...]:
    """The cast with a voice for everyone given no preset and no model: by gender and age,
    and unlike anyone's before them (`voices.assign`)."""
    from ..audio.voices import assign

    return assign(cast, narrator)


def _cast(r: _Reader, node: Node | None) -> tuple[Character, ...]:
    if node is None or node.value is None:
        return ()
    if not isinstance(node.value, dict):
        r.problem(node, f"cast must be a mapping of NAME: {{look: ...}}, got {_kind(node.value)}")
        return ()
    cast = []
    for name, (key, value) in node.value.items():
        if isinstance(value.value, str):
            cast.append(Character(name=name, look=value.value.strip(), loc=r.loc(key)))
            continue
        keys = r.mapping(value, CHARACTER_KEYS, f"cast member {name}")
        cast.append(Character(name=name, look=r.text(keys.get("look"), "look"),
                              voice=_voice(r, keys.get("voice")), loc=r.loc(key)))
    return tuple(cast)


def _music(r: _Reader, node: Node | None) -> tuple[Music, ...]:
    if node is None or node.value is None:
        return ()
    entries = node.value if isinstance(node.value, list) else [node]
    cues = []
    for entry in entries:
        if isinstance(entry.value, str):
            value = entry.value.strip()
            cue = Music(generate=value, loc=r.loc(entry)) if value in MUSIC_GENERATORS else Music(file=value, loc=r.loc(entry))
        else:
            keys = r.mapping(entry, MUSIC_KEYS, "music")
            cue = Music(
                file=r.text(keys.get("file"), "music file") or None,
                generate=r.choice(keys.get("generate"), "music generator", MUSIC_GENERATORS, "") or None,
                gain=r.number(keys.get("gain"), "music gain", -14.0, minimum=GAIN_RANGE[0], maximum=GAIN_RANGE[1]),
                fade_in=r.number(keys.get("fade_in"), "music fade_in in seconds", 2.0, minimum=0, maximum=LONGEST_PAUSE),
                fade_out=r.number(keys.get("fade_out"), "music fade_out in seconds", 3.0, minimum=0, maximum=LONGEST_PAUSE),
                start=r.number(keys.get("start"), "music start in seconds", 0.0, minimum=0, maximum=LONGEST_FILM),
                end=r.number(keys.get("end"), "music end in seconds", None, positive=True, maximum=LONGEST_FILM),
                loop=r.boolean(keys.get("loop"), "music loop", True),
                loc=r.loc(entry),
            )
        if bool(cue.file) == bool(cue.generate):
            r.problem(entry, "music needs either 'file' (an audio file) or 'generate: ambient'")
            continue
        if cue.end is not None and cue.end <= cue.start:
            r.problem(keys["end"], f"music end ({cue.end:g} s) must be after its start ({cue.start:g} s)")
            continue
        cues.append(cue)
    return tuple(cues)


def _credits(r: _Reader, node: Node | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if node is None or node.value is None:
        return ()
    if not isinstance(node.value, dict):
        r.problem(node, f"credits must be a mapping of role: name (or list of names), got {_kind(node.value)}")
        return ()
    sections = []
    for role, (_, value) in node.value.items():
        names = value.value if isinstance(value.value, list) else [value]
        sections.append((role, tuple(r.text(n, f"credit for {role}") for n in names)))
    return tuple(sections)


def _credit_locs(r: _Reader, node: Node | None) -> tuple[tuple[Loc, tuple[Loc, ...]], ...]:
    """Where each of `_credits`' sections was written: its role's line and each name's."""
    if node is None or not isinstance(node.value, dict):
        return ()
    return tuple((r.loc(key), tuple(r.loc(n) for n in (value.value if isinstance(value.value, list) else [value])))
                 for key, value in node.value.values())


_PARENTHETICAL = re.compile(r"^\s*\(([^)]*)\)\s*")


def _lines(r: _Reader, node: Node | None) -> tuple[Line, ...]:
    lines = []
    for item in r.items(node, "lines"):
        if not isinstance(item.value, dict):
            r.problem(item, f"a line must be NAME: \"text\" or {{character, text}}, got {_kind(item.value)}")
            continue
        dual, when = False, ""
        if "character" in item.value or "text" in item.value:
            keys = r.mapping(item, LINE_KEYS, "line")
            character = r.text(keys.get("character"), "character")
            text = r.text(keys.get("text"), "line text")
            parenthetical = r.text(keys.get("parenthetical"), "parenthetical")
            dual = r.boolean(keys.get("dual"), "dual", False)
            when = r.text(keys.get("when"), "when")
        elif len(item.value) == 1 or (len(item.value) == 2 and "when" in item.value):
            # `- TOM: "Hello."`, with perhaps `when: ...` beside it
            when = r.text(item.value["when"][1], "when") if "when" in item.value else ""
            (character, (_, value)), = ((k, v) for k, v in item.value.items() if k != "when")
            text = r.text(value, f"line of {character}")
            parenthetical = ""
        else:
            r.problem(item, "a line must have one speaker: write each line as its own list item")
            continue
        found = _PARENTHETICAL.match(text)
        if found:
            parenthetical, text = found[1].strip(), text[found.end():]
        lines.append(Line(character=str(character), text=text, parenthetical=parenthetical, dual=dual,
                          loc=r.loc(item), when=when))
    return tuple(lines)


def _sfx(r: _Reader, node: Node | None) -> tuple[SoundEffect, ...]:
    if node is None or node.value is None:
        return ()
    effects = []
    for item in node.value if isinstance(node.value, list) else [node]:
        if isinstance(item.value, str):
            effects.append(SoundEffect(file=item.value.strip(), loc=r.loc(item)))
            continue
        keys = r.mapping(item, SFX_KEYS, "sound effect")
        if "file" not in keys:
            r.problem(item, "a sound effect needs a 'file'")
            continue
        effects.append(SoundEffect(file=r.text(keys["file"], "sound effect file"),
                                   at=r.number(keys.get("at"), "sound effect at in seconds", 0.0, minimum=0, maximum=LONGEST_FILM),
                                   gain=r.number(keys.get("gain"), "sound effect gain in dB", 0.0, minimum=GAIN_RANGE[0],
                                                  maximum=GAIN_RANGE[1]),
                                   loc=r.loc(item)))
    return tuple(effects)


def _sound(r: _Reader, node: Node | None) -> Sound | None:
    """`sound: {gain, mute}`; `sound: off` (or false, no) mutes, `sound: on` keeps it as recorded."""
    if node is None or node.value is None:
        return None
    if isinstance(node.value, bool):
        return Sound(mute=not node.value)
    if not isinstance(node.value, dict):
        r.problem(node, f"sound must be {{gain: dB, mute: true/false}} or off, got {_kind(node.value)}")
        return None
    keys = r.mapping(node, SOUND_KEYS, "sound")
    return Sound(gain=r.number(keys.get("gain"), "sound gain in dB", 0.0, minimum=GAIN_RANGE[0], maximum=GAIN_RANGE[1]),
                 mute=r.boolean(keys.get("mute"), "sound mute", False))


def _voiceover(r: _Reader, node: Node | None) -> VoiceOver | None:
    if node is None or node.value is None:
        return None
    if isinstance(node.value, str):
        return VoiceOver(file=node.value.strip(), loc=r.loc(node))
    keys = r.mapping(node, VOICEOVER_KEYS, "voiceover")
    if "file" not in keys:
        r.problem(node, "voiceover needs a 'file' (the recording)")
        return None
    return VoiceOver(file=r.text(keys["file"], "voiceover file"), loc=r.loc(keys["file"]))


def _signing(r: _Reader, node: Node | None) -> Signing | None:
    if node is None or node.value is None:
        return None
    keys = r.mapping(node, SIGNING_KEYS, "signing")
    missing = [k for k in SIGNING_KEYS if k not in keys]
    if missing:
        r.problem(node, f"signing needs {' and '.join(repr(k) for k in missing)}: the certificate chain and "
                        "private key, as PEM files (film keys makes a pair)")
        return None
    return Signing(cert=r.text(keys["cert"], "signing cert"), key=r.text(keys["key"], "signing key"), loc=r.loc(node))


def _watermark(r: _Reader, node: Node | None) -> Watermark | None:
    if node is None or node.value is None or node.value is False:
        return None
    if isinstance(node.value, str):   # `watermark: DRAFT`
        return Watermark(text=node.value.strip(), loc=r.loc(node)) if node.value.strip() else None
    keys = r.mapping(node, WATERMARK_KEYS, "watermark")
    defaults = Watermark()
    mark = Watermark(
        text=r.text(keys.get("text"), "watermark text"), image=r.text(keys.get("image"), "watermark image"),
        position=r.choice(keys.get("position"), "watermark position", WATERMARK_POSITIONS, defaults.position),
        opacity=r.number(keys.get("opacity"), "watermark opacity", defaults.opacity, minimum=0, maximum=1),
        size=r.number(keys.get("size"), "watermark size (a fraction of the frame's height)", defaults.size,
                      positive=True, maximum=0.5),
        invisible=r.boolean(keys.get("invisible"), "watermark invisible", defaults.invisible), loc=r.loc(node))
    if mark.text and mark.image:
        r.problem(node, "a watermark is a text or an image, not both")
    elif not (mark.text or mark.image or mark.invisible):
        r.problem(node, "watermark needs a 'text', an 'image' or 'invisible: true'")
    return mark


def _recognizer(r: _Reader, node: Node | None) -> Recognition:
    from ..audio.asr import unknown_engine

    if node is None or node.value is None:
        return Recognition()
    keys = r.mapping(node, RECOGNIZER_KEYS, "recognizer")
    engine = r.text(keys.get("engine"), "recognizer engine", "faster-whisper")
    if (wrong := unknown_engine(engine)) is not None:
        r.problem(keys["engine"], wrong)
    model = r.text(keys.get("model"), "recognizer model") or None
    if engine == "openai-whisper" and not model:
        r.problem(node, "recognizer: openai-whisper needs a 'model' (a .pt checkpoint)")
    return Recognition(engine=engine, model=model, loc=r.loc(node))


def _colour(r: _Reader, node: Node | None, what: str) -> tuple[int, int, int] | None:
    """A colour as a name (`white`), `#rrggbb`/`#rgb` or `rgb(r, g, b)`, read as an RGB triple."""
    if node is None:
        return None
    if node.value is None:   # `background: #fff` is a YAML comment: the colour vanished
        r.problem(node, f"{what} needs a colour; quote one that starts with '#': {what}: '#ffffff'")
        return None
    text = r.text(node, what)
    if not text:
        return None
    from PIL import ImageColor

    try:
        return ImageColor.getrgb(text)[:3]
    except ValueError:
        r.problem(node, f"{what} '{text}' is not a colour; write a name (white), '#rrggbb' or rgb(r, g, b)")
        return None


def _footage(r: _Reader, node: Node | None) -> Footage | None:
    if node is None or node.value is None:
        return None
    if isinstance(node.value, str):
        return Footage(file=node.value.strip(), loc=r.loc(node))
    keys = r.mapping(node, FOOTAGE_KEYS, "footage")
    start = r.number(keys.get("in"), "footage 'in' (seconds)", 0.0, minimum=0, maximum=LONGEST_FILM)
    end = r.number(keys.get("out"), "footage 'out' (seconds)", None, positive=True, maximum=LONGEST_FILM)
    if end is not None and end <= start:
        r.problem(keys["out"], f"footage out ({end}) must be after in ({start})")
    if "file" not in keys:
        r.problem(node, "footage needs a 'file'")
        return None
    return Footage(file=r.text(keys["file"], "footage file"), start=start, end=end, loc=r.loc(node))


def _shot(r: _Reader, node: Node, taken: Ids) -> Shot:
    if isinstance(node.value, str):  # a bare string is a prompt
        keys, prompt = {}, node.value.strip()
    else:
        keys = r.mapping(node, SHOT_KEYS, "shot")
        prompt = r.text(keys.get("prompt"), "prompt")
    explicit_id = r.text(keys.get("id"), "shot id")
    title = r.text(keys.get("title"), "title") or None
    narration = r.text(keys.get("narration"), "narration")
    image = r.text(keys.get("image"), "image") or None
    shot_id = explicit_id or _unique(slug(prompt or title or narration or image or "shot"), taken)
    taken.add(shot_id)
    cast_node = keys.get("cast")
    cast = None
    if cast_node is not None:
        cast = tuple(r.text(n, "cast name") for n in r.items(cast_node, "cast")) if isinstance(cast_node.value, list) \
            else (r.text(cast_node, "cast name"),)
    continuity = keys.get("continuity")
    return Shot(
        id=shot_id,
        prompt=prompt,
        camera=r.text(keys.get("camera"), "camera") or None,
        duration=r.number(keys.get("duration"), "duration in seconds", None, positive=True, maximum=LONGEST_SHOT),
        narration=narration,
        lines=_lines(r, keys.get("lines")),
        transition=_transition(r, keys.get("transition")),
        image=image,
        background=_colour(r, keys.get("background"), "background"),
        footage=_footage(r, keys.get("footage")),
        title=title,
        continuity=r.text(continuity, "continuity") or None,
        seed=r.integer(keys.get("seed"), "seed", limits=SEED_RANGE),
        cast=cast,
        generator=_generator(r, keys.get("generator")),
        fit=r.choice(keys.get("fit"), "fit", FITS, "") or None,
        sfx=_sfx(r, keys.get("sfx")),
        sound=_sound(r, keys.get("sound")),
        first_frame=r.text(keys.get("first_frame"), "first_frame") or None,
        takes=_count(r, keys.get("takes"), "takes"),
        take=_count(r, keys.get("take"), "take"),
        metadata=_metadata(r, keys.get("metadata"), "a shot's"),
        auto_id=not explicit_id,
        loc=r.loc(node),
        key_lines=MappingProxyType({k: v.line for k, v in keys.items()}),
        when=r.text(keys.get("when"), "when"),
    )


class Ids(set):
    """Shot ids in use. `unique` remembers the last number given to each base, so that a long
    script repeating one action many times does not retry every `base-N` below it."""

    def __init__(self, ids=()):
        super().__init__([*ids, *RESERVED_IDS])   # never made for a shot: the film's own clips
        self._next: dict[str, int] = {}

    def unique(self, base: str) -> str:
        if base not in self:
            return base
        n = self._next.get(base, 2)
        while f"{base}-{n}" in self:
            n += 1
        self._next[base] = n + 1
        return f"{base}-{n}"


def _count(r: _Reader, node: Node | None, what: str) -> int:
    """A shot's `takes` or `take`: a whole number from 1 to `MOST_TAKES`."""
    value = r.integer(node, what, 1)
    if value is None or not 1 <= value <= MOST_TAKES:
        if value is not None:
            r.problem(node, f"{what} must be from 1 to {MOST_TAKES}, got {value}")
        return 1
    return value


def _unique(base: str, taken: Ids) -> str:
    return taken.unique(base)


def _project(r: _Reader, keys: dict[str, Node]) -> Project:
    """The film-wide settings (everything but the cast, music and scenes)."""
    width, height = _size(r, keys.get("size"))
    pacing_keys = r.mapping(keys["pacing"], PACING_KEYS, "pacing") if "pacing" in keys else {}
    title_card = keys.get("title_card")
    title_seconds = 4.0
    if title_card is not None and isinstance(title_card.value, dict):
        title_seconds = r.number(r.mapping(title_card, TITLE_CARD_KEYS, "title_card").get("duration"),
                                 "title_card duration in seconds", 4.0, positive=True, maximum=LONGEST_SHOT)
        show_title = True
    else:
        show_title = r.boolean(title_card, "title_card", True)
    defaults = Pacing()
    mix_defaults = MixSettings()
    mix_keys = r.mapping(keys["mix"], MIX_KEYS, "mix") if "mix" in keys else {}
    project = Project(
        title=r.text(keys.get("title"), "title"),
        fps=_fps(r, keys.get("fps")),
        width=width,
        height=height,
        seed=r.integer(keys.get("seed"), "seed", 0, limits=SEED_RANGE),
        style=r.text(keys.get("style"), "style"),
        negative=r.text(keys.get("negative"), "negative"),
        generator=_generator(r, keys.get("generator")) or GeneratorSpec(),
        camera=r.text(keys.get("camera"), "camera", "static"),
        transition=_transition(r, keys.get("transition")) or Transition(),
        subtitles=_subtitles(r, keys.get("subtitles"), height),
        title_card=show_title,
        title_seconds=title_seconds,
        credits=_credits(r, keys.get("credits")),
        credit_locs=_credit_locs(r, keys.get("credits")),
        title_loc=r.loc(keys["title"]) if "title" in keys else Loc("", 0),
        narrator=_voice(r, r.mapping(keys["narrator"], ("voice",), "narrator").get("voice")) if "narrator" in keys else Voice(),
        pacing=Pacing(
            words_per_minute=r.number(pacing_keys.get("words_per_minute"), "words_per_minute", defaults.words_per_minute,
                                      minimum=WORDS_PER_MINUTE[0], maximum=WORDS_PER_MINUTE[1]),
            min_duration=r.number(pacing_keys.get("min_duration"), "min_duration in seconds", defaults.min_duration,
                                  positive=True, maximum=LONGEST_PAUSE),
            lead_in=r.number(pacing_keys.get("lead_in"), "lead_in in seconds", defaults.lead_in, minimum=0,
                             maximum=LONGEST_PAUSE),
            hold=r.number(pacing_keys.get("tail"), "tail in seconds", defaults.hold, minimum=0, maximum=LONGEST_PAUSE),
            line_gap=r.number(pacing_keys.get("line_gap"), "line_gap in seconds", defaults.line_gap, minimum=0,
                              maximum=LONGEST_PAUSE),
        ),
        speech=r.boolean(keys.get("speech"), "speech", True),
        voiceover=_voiceover(r, keys.get("voiceover")),
        recognizer=_recognizer(r, keys.get("recognizer")),
        signing=_signing(r, keys.get("signing")),
        watermark=_watermark(r, keys.get("watermark")),
        mix=MixSettings(
            # Delivery targets lie between -36 LUFS and -5; a true-peak ceiling above 0 dBTP clips
            # (ffmpeg's limiter refuses it); ducking lowers the music, by at most 60 dB.
            loudness=r.number(mix_keys.get("loudness"), "mix loudness in LUFS", mix_defaults.loudness,
                              minimum=-36, maximum=-5),
            true_peak=r.number(mix_keys.get("true_peak"), "mix true_peak in dBTP", mix_defaults.true_peak,
                               minimum=-20, maximum=0),
            duck=r.number(mix_keys.get("duck"), "mix duck in dB", mix_defaults.duck, minimum=-60, maximum=0),
            attack=r.number(mix_keys.get("attack"), "mix attack in seconds", mix_defaults.attack, minimum=0,
                            maximum=LONGEST_PAUSE),
            release=r.number(mix_keys.get("release"), "mix release in seconds", mix_defaults.release, minimum=0,
                             maximum=LONGEST_PAUSE),
        ),
        metadata=_metadata(r, keys.get("metadata"), "the storyboard's"),
        loc=Loc(r.file, 1),
        vars=_vars(r, keys.get("vars")),
        languages=_languages(r, keys.get("languages")),
        localize=r.choice(keys.get("localize"), "localize", LOCALIZE_MODES, ""),
        voices=_language_voices(r, keys.get("voices")),
        languages_loc=r.loc(keys["languages"]) if "languages" in keys else Loc("", 0),
    )
    return project


def _languages(r: _Reader, node: Node | None) -> tuple[str, ...]:
    """`languages: [en, es, ja]`: BCP 47 tags (`pt-BR`), the film's own first."""
    from ..locales import check_language

    if node is None or node.value is None:
        return ()
    found = []
    for item in node.value if isinstance(node.value, list) else [node]:
        tag = r.text(item, "language")
        problem = check_language(tag)
        if problem:
            r.problem(item, problem)
        elif tag in found:
            r.problem(item, f"language '{tag}' is listed twice")
        else:
            found.append(tag)
    return tuple(found)


def _language_voices(r: _Reader, node: Node | None) -> Mapping[str, Mapping[str, Voice]]:
    """`voices: {es: VOICE, ja: {narrator: VOICE, TOM: VOICE}}`: a voice for everyone speaking
    a language, or one per speaker (`narrator`, a cast name), with perhaps a voice for everyone
    else beside them (its own voice keys)."""
    if node is None or node.value is None:
        return MappingProxyType({})
    if not isinstance(node.value, dict):
        r.problem(node, f"voices must be a mapping of language: voice, got {_kind(node.value)}")
        return MappingProxyType({})
    found = {}
    for language, (key, value) in node.value.items():
        if isinstance(value.value, dict) and any(k not in VOICE_KEYS and k not in VOICE_ALIASES for k in value.value):
            everyone = {k: v for k, v in value.value.items() if k in VOICE_KEYS or k in VOICE_ALIASES}
            speakers = {name: _voice(r, v) for name, (_, v) in value.value.items() if name not in everyone}
            if everyone:
                speakers[""] = _voice(r, Node(everyone, value.line))
        else:
            speakers = {"": _voice(r, value)}
        found[str(language)] = MappingProxyType(speakers)
    return MappingProxyType(found)


def _vars(r: _Reader, node: Node | None) -> tuple[Var, ...]:
    """`vars:`: each variable's name and its default (a plain value; empty: none)."""
    if node is None or node.value is None:
        return ()
    if not isinstance(node.value, dict):
        r.problem(node, f"vars must be a mapping of name: default, got {_kind(node.value)}")
        return ()
    found = []
    for name, (key, value) in node.value.items():
        if not name.isidentifier() or keyword.iskeyword(name) or name in RESERVED_VARS:
            r.problem(key, f"variable name {quoted(name)} must be a name of letters, digits and '_' (not first), "
                           "not a Python word" + (f" or one of {', '.join(RESERVED_VARS)}" if name in RESERVED_VARS else ""))
            continue
        if isinstance(value.value, (dict, list)):
            r.problem(value, f"the default of variable '{name}' must be a plain value, got {_kind(value.value)}")
            continue
        found.append(Var(name=name, default=value.value, loc=r.loc(key)))
    return tuple(found)


def _compose(path: Path, r: _Reader) -> Node | None:
    """The YAML file as a Node tree (None when empty); syntax errors, a file over `MAX_BYTES`
    and nesting Python cannot follow raise at once."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise StoryboardError([Problem(r.file, 0, f"{size / 1e6:.1f} MB: a storyboard may be at most "
                                                      f"{MAX_BYTES / 1e6:g} MB")])
        text = path.read_text(encoding="utf-8-sig")
        root_node = yaml.compose(text, Loader=LOADER)
    except RecursionError:
        raise StoryboardError([Problem(r.file, 0, f"nested more than {MAX_DEPTH} deep; a storyboard needs a "
                                                  "few levels")]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        if "nesting depth" in str(error.problem):   # libyaml's own limit, past ours
            raise StoryboardError([Problem(r.file, line, f"nested more than {MAX_DEPTH} deep; a storyboard "
                                                         "needs a few levels")]) from None
        raise StoryboardError([Problem(r.file, line, f"YAML syntax error: {error.problem or error.context}")]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise StoryboardError([Problem(r.file, line, f"a control character ({error.character!r}) in the text: "
                                                     "a storyboard is plain text")]) from None
    except UnicodeDecodeError as error:
        raise StoryboardError([Problem(r.file, 0, f"not UTF-8 text ({error.reason} at byte {error.start})")]) from None
    except OSError as error:
        raise StoryboardError([Problem(r.file, 0, f"cannot read: {error.strerror or error}")]) from None
    return r.convert(root_node) if root_node is not None else None


@dataclass(frozen=True)
class Settings:
    """What a screenplay's sidecar (`film.yaml`) gives: film-wide settings, cast and music."""

    project: Project
    cast: tuple[Character, ...]
    music: tuple[Music, ...]
    problems: tuple[Problem, ...]


SIDECAR_KEYS = tuple(k for k in PROJECT_KEYS if k != "scenes")


def read_settings(path: Path | None) -> Settings:
    """A sidecar's settings (defaults when `path` is None); its problems are returned, not
    raised, so that they are reported together with the screenplay's."""
    if path is None:
        return Settings(Project(), (), (), ())
    r = _Reader(str(path))
    top = _compose(path, r)
    if top is None:
        return Settings(Project(loc=Loc(r.file, 1)), (), (), ())
    if isinstance(top.value, dict) and "scenes" in top.value:
        r.problem(top.value["scenes"][0], "a sidecar holds settings, not scenes: the screenplay has those")
        del top.value["scenes"]
    keys = r.mapping(top, SIDECAR_KEYS, "the sidecar")
    project, cast, music = _project(r, keys), _cast(r, keys.get("cast")), _music(r, keys.get("music"))
    return Settings(project, cast, music, tuple(sorted(r.problems, key=lambda p: p.line)))


def read_yaml(path: Path, generators: tuple[str, ...], version: Version = Version(),
              translate: Callable[[str, str], str] | None = None) -> Storyboard:
    """Read and validate a YAML storyboard as `version` of the film (`versions.apply`: its
    values, its `when:`s; `translate` its language's); raises StoryboardError listing every
    problem."""
    file = str(path)
    r = _Reader(file)
    top = _compose(path, r)
    if top is None:
        raise StoryboardError([Problem(file, 1, "the storyboard is empty; it needs at least 'scenes:'")])
    keys = r.mapping(top, PROJECT_KEYS, "the storyboard")
    project = _project(r, keys)
    scenes = []
    taken = Ids()
    # Explicit ids claim their names first so that an automatic id never takes one.
    for scene_node in r.items(keys.get("scenes"), "scenes"):
        if isinstance(scene_node.value, dict) and "shots" in scene_node.value:
            for shot_node in r.items(scene_node.value["shots"][1], "shots"):
                if isinstance(shot_node.value, dict) and "id" in shot_node.value:
                    taken.add(str(shot_node.value["id"][1].value))
    for scene_node in r.items(keys.get("scenes"), "scenes"):
        scene_keys = r.mapping(scene_node, SCENE_KEYS, "scene")
        shot_nodes = r.items(scene_keys.get("shots"), "shots")
        if not shot_nodes and isinstance(scene_node.value, dict):
            r.problem(scene_node, "scene has no shots; add 'shots:' with at least one shot")
        shots = []
        for shot_node in shot_nodes:
            shots.append(_shot(r, shot_node, taken))
        scenes.append(Scene(
            heading=parse_heading(r.text(scene_keys.get("heading"), "heading")),
            shots=tuple(shots),
            camera=r.text(scene_keys.get("camera"), "camera") or None,
            transition=_transition(r, scene_keys.get("transition")),
            generator=_generator(r, scene_keys.get("generator")),
            metadata=_metadata(r, scene_keys.get("metadata"), "a scene's"),
            loc=r.loc(scene_node),
        ))
    if "scenes" not in keys:
        r.problem(1, "the storyboard has no 'scenes:'; add at least one scene with shots")
    elif not scenes and (keys["scenes"].value is None or isinstance(keys["scenes"].value, list)):
        r.problem(keys["scenes"], "'scenes' is empty; add at least one scene with shots")
    board = Storyboard(
        # The folder's own name however the path was written (`storyboard.yaml`, `../storyboard.yaml`).
        name=path.stem if path.stem not in ("storyboard", "film") else Path(os.path.abspath(path)).parent.name,
        source=path,
        root=path.parent,
        project=project,
        cast=_voiced(_cast(r, keys.get("cast")), project.narrator),
        music=_music(r, keys.get("music")),
        scenes=tuple(scenes),
    )
    board, problems = finish(board, generators, version, translate)
    problems = r.problems + problems
    if problems:
        raise StoryboardError(sorted(problems, key=lambda p: (p.subject != file, p.subject, p.line)))
    return board


def finish(board: Storyboard, generators: tuple[str, ...], version: Version,
           translate: Callable[[str, str], str] | None) -> tuple[Storyboard, list[Problem]]:
    """`board` as `version` (`versions.apply`), then validated; with its problems. A text that
    could not be rendered is not validated as well (its path would be reported twice)."""
    board, problems = apply(board, version, translate)
    if problems:
        return board, problems
    return board, validate(board, generators) + _voice_problems(board)


def _voice_problems(board: Storyboard) -> list[Problem]:
    """Each voice that names no usable Piper model (`voice: womn`), reported with the rest of
    the storyboard's problems rather than after them; none when the film has no speech."""
    if not board.project.speech:
        return []
    from ..audio.tts import check_voices

    return check_voices(board)
