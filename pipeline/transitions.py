"""The transitions: one registry entry per name, and how a transition sits on the cut.

Everything that knows a transition reads it here: the storyboard's validation (`spec.py`), the
plan's default lengths, the renderer (`edit/render.py`: how an entry is drawn), the footage's own
sound (`audio/footage_sound.py`: which side of the cut each shot is seen on) and the Fountain
reader (the screenplay's words for each). Adding a transition is one entry in `TRANSITIONS`.

A transition is centred on the cut between two shots, as in an editing suite: it borrows
frames past the end of the outgoing shot and before the start of the incoming one (handles),
so transitions never change the film's length or when a shot's cut falls.

Standard library only: `spec.py` imports this, and `film check` must stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

#: How an entry is drawn: no transition at all; ffmpeg's `xfade` filter (two overlapping
#: pictures blended by one of its transitions); or the renderer's own fade through black.
Renderer = Literal["cut", "xfade", "through-black"]
CUT, XFADE, THROUGH_BLACK = "cut", "xfade", "through-black"
RENDERERS: tuple[Renderer, ...] = (CUT, XFADE, THROUGH_BLACK)


@dataclass(frozen=True)
class Transition:
    """One transition: its default length (seconds), how it is drawn (`renderer`, and for
    `xfade` the ffmpeg xfade transition that draws it), the screenplay words that name it
    (written without their final `:` or `.`, in capitals: "DISSOLVE TO"), and its kind in an
    editor's timeline (`interchange`: an OpenTimelineIO transition type)."""

    seconds: float
    renderer: Renderer = XFADE
    xfade: str = ""
    words: tuple[str, ...] = ()
    # What OpenTimelineIO calls it (`export.otio`): its one standard kind is the SMPTE dissolve;
    # any other is "Custom", named, for the editor to draw as its own.
    interchange: str = "Custom"

    def __post_init__(self) -> None:
        if self.renderer not in RENDERERS:
            raise ValueError(f"unknown renderer {self.renderer!r}; one of {RENDERERS}")
        if (self.renderer == XFADE) != bool(self.xfade):
            raise ValueError("an xfade transition names its ffmpeg xfade transition, and only it does")

    @property
    def sides_apart(self) -> bool:
        """Whether each shot is seen only on its own side of the cut (through black: the outgoing
        shot fades out before the cut, the incoming one in after it), rather than both shots
        overlapping across the whole transition."""
        return self.renderer == THROUGH_BLACK


# The order is the order messages list them in (`one of: cut, dissolve, ...`): add at the end.
TRANSITIONS: dict[str, Transition] = {
    "cut": Transition(0.0, CUT, words=(
        "CUT TO", "SMASH CUT TO", "MATCH CUT TO", "JUMP CUT TO", "HARD CUT TO", "QUICK CUT TO", "CUT BACK TO",
        "BACK TO", "TIME CUT TO", "INTERCUT WITH", "CUT")),
    # xfade's own "dissolve" is a pixel dither; a film dissolve is a blend, xfade's "fade".
    "dissolve": Transition(1.0, xfade="fade", words=(
        "DISSOLVE TO", "CROSS DISSOLVE TO", "LAP DISSOLVE TO", "MATCH DISSOLVE TO", "RIPPLE DISSOLVE TO"), interchange="SMPTE_Dissolve"),
    # Not xfade's "fadeblack": it reaches black well before its midpoint, so the renderer fades the
    # outgoing shot out before the cut and the incoming one in after it. An iris out closes the
    # picture down to black, so "IRIS OUT" is a fade through black too (not the `iris` below).
    "fade-black": Transition(1.0, THROUGH_BLACK, words=(
        "FADE OUT", "FADE TO BLACK", "FADE TO", "FADE OUT TO BLACK", "CUT TO BLACK", "SMASH TO BLACK",
        "IRIS OUT", "IRIS OUT TO BLACK")),
    "wipe-left": Transition(0.75, xfade="wipeleft", words=("WIPE TO",)),
    "wipe-right": Transition(0.75, xfade="wiperight"),
    "slide-left": Transition(0.75, xfade="slideleft"),
    "slide-right": Transition(0.75, xfade="slideright"),
    # An iris in, as an editor cuts one between two shots: the incoming shot opens from a circle
    # at the centre of the frame until it fills it. xfade's "circleopen" does exactly that (at the
    # midpoint the centre shows the incoming shot, the corners the outgoing one); "circleclose"
    # is the reverse, the outgoing shot shrinking into a circle with the incoming one around it.
    "iris": Transition(1.0, xfade="circleopen", words=("IRIS IN", "IRIS TO")),
}


def names() -> tuple[str, ...]:
    """Every transition's name, in the registry's order."""
    return tuple(TRANSITIONS)


def get(name: str) -> Transition:
    """The entry for `name` (KeyError for a name the registry does not hold)."""
    return TRANSITIONS[name]


def default_seconds(name: str) -> float:
    """How long transition `name` lasts when the script gives no length."""
    return TRANSITIONS[name].seconds


def words() -> dict[str, str]:
    """Screenplay words (without their final `:` or `.`) → the transition each names."""
    table: dict[str, str] = {}
    for name, entry in TRANSITIONS.items():
        for word in entry.words:
            if word in table:
                raise ValueError(f"screenplay words '{word}' name both {table[word]} and {name}")
            table[word] = name
    return table


def split(frames: int) -> tuple[int, int]:
    """(frames before the cut, frames after the cut) for a transition `frames` long."""
    before = frames // 2
    return before, frames - before


def xfade(name: str, frames: int, fps: Fraction) -> str:
    """The `xfade` filter for transition `name` (one drawn by xfade) of `frames` frames over two
    `frames`-long inputs."""
    return f"xfade=transition={TRANSITIONS[name].xfade}:duration={float(frames / fps):.6f}:offset=0"
