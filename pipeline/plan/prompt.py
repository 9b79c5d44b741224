"""The generator prompt of a shot, composed from the sandboxed Jinja2 template
`templates/prompt.j2`."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..camera import words as camera_words
from ..spec import Heading

SETTING_WORDS = {"INT": "interior", "EXT": "exterior", "INT/EXT": "interior and exterior", "EST": "establishing shot"}


@lru_cache(maxsize=1)
def prompt_template():
    """The compiled prompt template (one per process)."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True)
    source = resources.files("pipeline.templates").joinpath("prompt.j2").read_text(encoding="utf-8")
    return env.from_string(source)


def compose_prompt(style: str, heading: Heading, action: str, cast: tuple[tuple[str, str], ...], camera: str) -> str:
    """The generator prompt for a shot, on one line: the film's `style`, the scene's setting,
    the `action`, each (name, look) of the `cast`, and the `camera` move in words."""
    text = prompt_template().render(
        style=style, setting=SETTING_WORDS.get(heading.setting, ""), location=heading.location.lower(),
        time_of_day=heading.time_of_day.lower(), action=action.rstrip("."), heading=heading.text,
        cast=[{"name": name, "look": look} for name, look in cast], camera=camera_words(camera),
    )
    return " ".join(text.split())
