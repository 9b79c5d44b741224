"""The option vocabulary (pipeline.values): each kind reads a good value, refuses a wrong one
with the program's wording, and an Options schema reports unknown names with a did-you-mean."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from pipeline.values import Choice, Flag, Number, Options, Range, Required, Size, Text


def test_absent_values_read_as_none_with_nothing_wrong():
    for kind in (Text(), Number(), Range(), Choice(("a",)), Flag(), Size()):
        assert kind.read(None, "x") == (None, [])


def test_text_is_any_scalar_stripped_and_never_a_mapping_or_list():
    assert Text().read("  main ", "v") == ("main", [])
    assert Text().read(2024, "v") == ("2024", [])
    assert Text().read({"a": 1}, "diffusers revision") == (None, ["diffusers revision must be text, got a mapping"])
    assert Text().read([1], "diffusers revision") == (None, ["diffusers revision must be text, got a list"])


def test_numbers_whole_or_not():
    assert Number().read(2, "g") == (2.0, []) and isinstance(Number().read(2, "g")[0], float)
    assert Number(whole=True).read(3.0, "steps") == (3, []) and isinstance(Number(whole=True).read(3.0, "s")[0], int)
    assert Number(whole=True).read(2.5, "steps") == (None, ["steps must be a whole number, got 2.5"])


@pytest.mark.parametrize("value", ["lots", True, [1], {"a": 1}])
def test_a_number_of_the_wrong_type_is_refused(value):
    assert Number().read(value, "guidance") == (None, [f"guidance must be a number, got {value!r}"])
    assert Number(whole=True).read(value, "steps") == (None, [f"steps must be a whole number, got {value!r}"])
    assert Number(unit="seconds").read(value, "duration") == (
        None, [f"duration must be a number of seconds, got {value!r}"])


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_even_where_a_whole_number_is_wanted(value):
    for kind in (Number(), Number(whole=True, minimum=1), Number(maximum=10)):
        assert kind.read(value, "steps") == (None, [f"steps must be a finite number, got {value}"])


def test_numbers_out_of_range():
    assert Number(minimum=1).read(0, "diffusers steps") == (None, ["diffusers steps must be at least 1, got 0"])
    assert Number(minimum=0.5).read(0.25, "x") == (None, ["x must be at least 0.5, got 0.25"])
    assert Number(maximum=60).read(61, "max_cps") == (None, ["max_cps must be at most 60, got 61"])
    assert Number(positive=True).read(0, "gain") == (None, ["gain must be positive, got 0"])
    assert Number(minimum=1, maximum=60).read(1, "x") == (1.0, []) and Number(maximum=60).read(60, "x") == (60.0, [])


def test_ranges():
    assert Range(Number(minimum=0)).read([1, 2.5], "in") == ((1.0, 2.5), [])
    assert Range().read([3, 1], "in") == (None, ["in must go from low to high, got [3, 1]"])
    assert Range().read(5, "in") == (None, ["in must be two numbers [low, high], got 5"])
    assert Range().read([1, None], "in") == (None, ["in must be two numbers [low, high], got [1, None]"])
    assert Range(Number(minimum=0)).read([-1, math.nan], "in") == (
        None, ["in low must be at least 0, got -1", "in high must be a finite number, got nan"])


def test_choices_with_did_you_mean():
    dtypes = Choice(("auto", "fp32", "fp16", "bf16"))
    assert dtypes.read("fp16", "diffusers dtype") == ("fp16", [])
    assert dtypes.read("fp8", "diffusers dtype") == (None, ["diffusers dtype 'fp8'; one of: auto, fp32, fp16, bf16"])
    assert Choice(("slow", "loop", "hold")).read("lop", "diffusers fallback") == (
        None, ["diffusers fallback 'lop' (did you mean 'loop'?); one of: slow, loop, hold"])
    assert dtypes.read(32, "diffusers dtype") == (
        None, ["diffusers dtype '32' (did you mean 'fp32'?); one of: auto, fp32, fp16, bf16"])
    assert dtypes.read("FP16", "x")[0] is None                       # exact unless any_case
    positions = Choice(("top", "bottom"), any_case=True)
    assert positions.read("Top", "p") == ("top", [])
    assert positions.read("Botom", "unknown subtitles position") == (
        None, ["unknown subtitles position 'Botom' (did you mean 'bottom'?); one of: top, bottom"])


def test_flags_are_only_true_or_false():
    assert Flag().read(False, "vae_tiling") == (False, [])
    for value in ("yes", 1, 0):
        assert Flag().read(value, "vae_tiling") == (None, [f"vae_tiling must be true or false, got {value!r}"])


def test_sizes_as_text_or_a_pair():
    size = Size(minimum=8, example="832x480")
    assert size.read("832x480", "s") == ((832, 480), []) and size.read(" 64 X 48 ", "s") == ((64, 48), [])
    assert size.read([832, 480], "s") == ((832, 480), [])
    for wrong in ("big", "4x4", [8], [8.5, 9], [True, 8], {"w": 8}, True):
        assert size.read(wrong, "diffusers size") == (
            None, [f"diffusers size must be WIDTHxHEIGHT (e.g. 832x480), got {wrong!r}"])


def test_a_required_value_missing_or_blank_gives_its_own_message():
    model = Required(Text(), "needs a 'model'")
    assert model.read(" org/m ", "model") == ("org/m", [])
    assert model.read(None, "model") == (None, ["needs a 'model'"])
    assert model.read("  ", "model") == (None, ["needs a 'model'"])
    assert model.read([1], "model") == (None, ["model must be text, got a list"])


def test_a_schema_reads_known_options_and_names_unknown_ones():
    schema = Options.of(steps=Number(whole=True, minimum=1), dtype=Choice(("auto", "fp16")), tiling=Flag())
    assert schema.names == ("steps", "dtype", "tiling")
    assert schema.read({"steps": 4, "tiling": None}, "gen") == ({"steps": 4}, [])
    values, messages = schema.read({"stepz": 3, "colour": 1, "steps": 0, "dtype": "fp8"}, "gen")
    assert values == {}
    assert messages == [
        "unknown gen option 'stepz' (did you mean 'steps'?)",
        "unknown gen option 'colour'; options: steps, dtype, tiling",
        "gen steps must be at least 1, got 0",
        "gen dtype 'fp8'; one of: auto, fp16",
    ]


def test_an_empty_schema_refuses_every_option():
    assert Options().read({}, "animatic") == ({}, [])
    assert Options().read({"steps": 3}, "animatic") == ({}, ["unknown animatic option 'steps'; animatic takes no options"])


def test_values_is_a_leaf_module():
    """Only the standard library and pipeline.errors: any part of the program may use it."""
    code = ("import sys; import pipeline.values; "
            "print(sorted(m for m in sys.modules if m.startswith('pipeline')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['pipeline', 'pipeline.errors', 'pipeline.values']"
