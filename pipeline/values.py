"""The option vocabulary: what a writer may give for one option, read and checked in one place.

A leaf module (standard library and `pipeline.errors` only). Each kind of value is a small
frozen dataclass whose `read(value, what)` returns the value as the program uses it (None when
it is absent or refused) and the messages saying what is wrong with it, each starting with
`what` ("diffusers steps"). A caller turns the messages into `file:line` problems.

`Options` is a generator's schema, option name to kind:

    Options.of(steps=Number(whole=True, minimum=1), dtype=Choice(("auto", "fp16")))

its `read` reports unknown names with a did-you-mean and checks each given value by its kind.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Mapping, Protocol

from .errors import did_you_mean, one_of


class Kind(Protocol):
    def read(self, value: Any, what: str = "value") -> tuple[Any, list[str]]:
        """`value` as the program uses it (None when absent or refused) and what is wrong with it."""


def described(value: Any) -> str:
    """A value as a message names it: `a mapping`, `a list`, `text 'x'`, else its repr."""
    return {dict: "a mapping", list: "a list", str: f"text {value!r}"}.get(type(value), repr(value))


class _Absent:
    """What every kind shares: an absent value (None) reads as None, with nothing wrong."""

    def read(self, value: Any, what: str = "value") -> tuple[Any, list[str]]:
        if value is None:
            return None, []
        return self._read(value, what)

    def _read(self, value: Any, what: str) -> tuple[Any, list[str]]:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(_Absent):
    """Any scalar, as text with its surrounding spaces removed; a mapping or a list is refused."""

    def _read(self, value: Any, what: str) -> tuple[str | None, list[str]]:
        if isinstance(value, (dict, list)):
            return None, [f"{what} must be text, got {described(value)}"]
        return str(value).strip(), []


_EXPONENT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


@dataclass(frozen=True)
class Number(_Absent):
    """A finite number (NaN and infinities refused; true/false is not a number), read as an int
    when `whole` (3.0 is 3) and as a float otherwise, within `minimum`..`maximum` (inclusive)
    and above 0 when `positive`. `unit` names what it counts in messages ("seconds")."""

    whole: bool = False
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    unit: str = ""

    def _read(self, value: Any, what: str) -> tuple[int | float | None, list[str]]:
        noun = "a whole number" if self.whole else f"a number of {self.unit}" if self.unit else "a number"
        if isinstance(value, str) and _EXPONENT.fullmatch(value.strip()):
            value = float(value)   # YAML 1.1 reads `1e10` (no dot, no sign) as text; a writer means the number
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None, [f"{what} must be {noun}, got {value!r}"]
        if isinstance(value, int) and value.bit_length() > 1000:   # past any float: isfinite would overflow
            return None, [f"{what} must be a finite number, got one {len(str(abs(value)))} digits long"]
        shown = f"a number {len(str(abs(value)))} digits long" if isinstance(value, int) and abs(value) > 10**15 else value
        if not math.isfinite(value):
            return None, [f"{what} must be a finite number, got {value}"]
        if self.whole and value != int(value):
            return None, [f"{what} must be {noun}, got {value!r}"]
        if self.positive and value <= 0:
            return None, [f"{what} must be positive, got {shown}"]
        if self.minimum is not None and value < self.minimum:
            return None, [f"{what} must be at least {self.minimum:g}, got {shown}"]
        if self.maximum is not None and value > self.maximum:
            return None, [f"{what} must be at most {self.maximum:g}, got {shown}"]
        return (int(value) if self.whole else float(value)), []


@dataclass(frozen=True)
class Range(_Absent):
    """Two numbers `[low, high]`, low at most high, each read as `bound` reads it; a (low, high) tuple."""

    bound: Number = Number()

    def _read(self, value: Any, what: str) -> tuple[tuple | None, list[str]]:
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            return None, [f"{what} must be two numbers [low, high], got {value!r}"]
        low, low_problems = self.bound.read(value[0], f"{what} low")
        high, high_problems = self.bound.read(value[1], f"{what} high")
        if low_problems or high_problems:
            return None, low_problems + high_problems
        if low is None or high is None:
            return None, [f"{what} must be two numbers [low, high], got {value!r}"]
        if low > high:
            return None, [f"{what} must go from low to high, got {value!r}"]
        return (low, high), []


@dataclass(frozen=True)
class Choice(_Absent):
    """One of `choices`, given as text (a scalar is read as its text); in any case when
    `any_case` (`Top` is `top`), read as the choice's own spelling."""

    choices: tuple[str, ...]
    any_case: bool = False

    def _read(self, value: Any, what: str) -> tuple[str | None, list[str]]:
        text = str(value)
        if self.any_case:
            found = {c.lower(): c for c in self.choices}.get(text.lower())
            close = did_you_mean(text.lower(), self.choices)
        else:
            found = text if text in self.choices else None
            close = did_you_mean(text, self.choices)
        if found is None:
            return None, [f"{what} '{text}'{close}; {one_of(self.choices)}"]
        return found, []


@dataclass(frozen=True)
class Flag(_Absent):
    """true or false (YAML's booleans); anything else is refused, "yes" included."""

    def _read(self, value: Any, what: str) -> tuple[bool | None, list[str]]:
        if not isinstance(value, bool):
            return None, [f"{what} must be true or false, got {value!r}"]
        return value, []


_SIZE = re.compile(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*")


@dataclass(frozen=True)
class Size(_Absent):
    """A picture size in pixels, `WxH` ("832x480") or `[W, H]`, each side at least `minimum`;
    a (width, height) tuple. `example` is shown in the message."""

    minimum: int = 1
    example: str = "832x480"

    def _read(self, value: Any, what: str) -> tuple[tuple[int, int] | None, list[str]]:
        sides = None
        if isinstance(value, (list, tuple)):
            if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                sides = (value[0], value[1])
        elif not isinstance(value, (bool, dict)):
            found = _SIZE.fullmatch(str(value))
            sides = (int(found[1]), int(found[2])) if found else None
        if sides is None or min(sides) < self.minimum:
            return None, [f"{what} must be WIDTHxHEIGHT (e.g. {self.example}), got {value!r}"]
        return sides, []


@dataclass(frozen=True)
class Required(_Absent):
    """`kind`, which must be given and not blank: `missing` is the message when it is not."""

    kind: Kind
    missing: str

    def read(self, value: Any, what: str = "value") -> tuple[Any, list[str]]:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None, [self.missing]
        return self.kind.read(value, what)


@dataclass(frozen=True)
class Options:
    """A schema: each option's name and kind, in the order they are checked and listed."""

    kinds: tuple[tuple[str, Kind], ...] = ()

    @classmethod
    def of(cls, **kinds: Kind) -> "Options":
        """`Options.of(steps=Number(whole=True), ...)`, in the order given."""
        return cls(tuple(kinds.items()))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.kinds)

    def read(self, given: Mapping[str, Any], owner: str) -> tuple[dict[str, Any], list[str]]:
        """The values read from `given` (only those given and valid) and every message: first
        each unknown name (`unknown diffusers option 'stepz' (did you mean 'steps'?)`), then
        each wrong value, in schema order, named `"{owner} {name}"`."""
        names = self.names
        messages = []
        for key in given:
            if key not in names:
                hint = did_you_mean(str(key), names) or (
                    f"; options: {', '.join(names)}" if names else f"; {owner} takes no options")
                messages.append(f"unknown {owner} option '{key}'{hint}")
        values: dict[str, Any] = {}
        for name, kind in self.kinds:
            value, problems = kind.read(given.get(name), f"{owner} {name}")
            messages += problems
            if not problems and value is not None:
                values[name] = value
        return values, messages
