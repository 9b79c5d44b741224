"""Content keys and atomic writes: what the cache trusts is always complete."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.cache import Cache, Reason, atomic, canonical, content_key, remove_stale_temps, temp_name, why


def test_keys_are_canonical_and_change_with_any_input():
    a = content_key("shot", {"b": 1, "a": [1, 2], "fps": Fraction(24000, 1001)})
    assert a == content_key("shot", {"fps": Fraction(24000, 1001), "a": [1, 2], "b": 1})
    assert a != content_key("shot", {"b": 2, "a": [1, 2], "fps": Fraction(24000, 1001)})
    assert a != content_key("segment", {"b": 1, "a": [1, 2], "fps": Fraction(24000, 1001)})
    assert canonical({"x": Path("/p"), "f": Fraction(1, 2)}) == '{"f":"1/2","x":"/p"}'


def test_atomic_write_renames_on_success_and_leaves_nothing_on_failure(tmp_path):
    final = tmp_path / "out" / "clip.mp4"
    with pytest.raises(RuntimeError):
        with atomic(final) as temp:
            temp.write_bytes(b"half")
            raise RuntimeError("killed")
    assert not final.exists() and list(final.parent.iterdir()) == []
    with atomic(final) as temp:
        assert temp.suffix == ".mp4" and temp.parent == final.parent
        temp.write_bytes(b"whole")
    assert final.read_bytes() == b"whole"


def test_stale_temporaries_of_dead_processes_are_removed(tmp_path):
    final = tmp_path / "segment" / "abc.mp4"
    final.parent.mkdir()
    dead = final.with_name(f".abc.tmp-999999999-deadbeef.mp4")
    dead.write_bytes(b"partial")
    mine = temp_name(final)
    mine.write_bytes(b"in progress")
    assert remove_stale_temps(tmp_path) == 1
    assert not dead.exists() and mine.exists()


def test_digests_are_memoised_and_follow_content(tmp_path):
    cache = Cache(tmp_path / "cache")
    asset = tmp_path / "a.png"
    asset.write_bytes(b"one")
    first = cache.digest(asset)
    asset.write_bytes(b"two")
    os.utime(asset, ns=(1, 1))
    assert cache.digest(asset) != first
    cache.save()
    assert Cache(tmp_path / "cache").digest(asset) == cache.digest(asset)


def test_why_names_the_inputs_that_changed(tmp_path):
    cache = Cache(tmp_path)
    cache.remember("shot", "k1", {"prompt": "a", "seed": 1})
    assert why(cache.previous("new"), "k", {}) == Reason("new")
    assert why(cache.previous("shot"), "k1", {"prompt": "a", "seed": 1}) == Reason("output missing")
    reason = why(cache.previous("shot"), "k2", {"prompt": "b", "seed": 1})
    assert reason == Reason("changed", ("prompt",)) and str(reason) == "changed: prompt"
