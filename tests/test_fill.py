"""`film translations --fill`: machine translation pre-fills a PO file, marked for review,
through Argos Translate's real loading and translating code, on a tiny package built in code
(`pipeline.testing.tiny_translation`: random weights, so its words are nonsense)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import write_project
from pipeline.parse import load
from pipeline.spec import Version
from pipeline.translate import NOTE, machine

pytest.importorskip("argostranslate", reason="the translate extra (pip install -e '.[translate]')")


def film(*args: str, cwd: Path, packages: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARGOS_PACKAGES_DIR": str(packages), "HOME": str(cwd / "home")}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True, env=env)


def test_fill_suggests_translations_that_a_build_waits_to_have_reviewed(tmp_path):
    from pipeline.testing.tiny_translation import make_package

    packages = tmp_path / "packages"
    make_package(packages, "en", "es")
    folder = tmp_path / "water"
    write_project(folder, """
        title: Water
        languages: [en, es, ja]
        speech: false
        vars: {name: Sam}
        scenes:
          - shots:
              - {id: sea, prompt: "the sea", narration: "Water rises from the sea."}
              - {id: rain, prompt: "rain", narration: "Then it falls, {{ name }}."}
    """)
    done = film("translations", str(folder), "--fill", "es", cwd=tmp_path, packages=packages)
    assert done.returncode == 0, done.stderr
    with open(folder / "locales" / "es.po", "rb") as handle:
        catalog = read_po(handle)
    filled = {m.id: m for m in catalog if m.id and m.string}
    # Everything but the text whose variable the nonsense model lost is suggested, marked fuzzy
    # with a note for the reviewer.
    assert set(filled) >= {"Water", "Water rises from the sea."}
    assert all(m.fuzzy and NOTE in m.user_comments for m in filled.values())
    assert "machine-translated, to review" in done.stdout
    # Until a translator clears the mark, the Spanish film says the original.
    (folder / "locales" / "ja.po").unlink()
    spanish = load(folder, version=Version(language="es"))
    assert spanish.shots[0].narration == "Water rises from the sea."

    done = film("translations", str(folder), "--fill", "fr", cwd=tmp_path, packages=packages)
    assert done.returncode == 1 and "'fr' is not one of the languages the film is translated into (es, ja)" in done.stderr


def test_a_variable_is_kept_out_of_the_machines_hands():
    assert machine("Goodnight, {{ name }}, from {{ place | upper }}.",
                   lambda text: text.replace("Goodnight", "Buenas noches").replace("from", "desde")) == \
        "Buenas noches, {{ name }}, desde {{ place | upper }}."
    assert machine("Goodnight, {{ name }}.", lambda text: "Buenas noches.") == ""   # it lost the variable
