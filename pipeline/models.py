"""Where the model files a storyboard names are found: a Piper voice (`voice: {model:
voices/anna.onnx}`), a speech recogniser (`recognizer: {model: whisper-small}`) or a diffusers
pipeline folder (`generator: {name: diffusers, model: models/wan}`).

Projects are shared, so a storyboard may only name a model inside its own project folder, or
by a path inside the user's own models folder: `$FILM_MODELS`, or `--models DIR` on the command
line (which sets it). An absolute path, a `../` path or a link leading out of the project is
refused before anything is looked up, so an answer never tells whether a file outside exists;
so is a model in the project holding a link that leads out (a voice's `.onnx.json`, a file in
a pipeline folder).
Bundled models (the voice `joe`, whisper tiny.en) are found by name elsewhere, not here.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from .errors import quoted

ENV = "FILM_MODELS"


class ModelNotFound(ValueError):
    """A model path that may not be used or is not there; the message says which and why."""


class ModelOutside(ModelNotFound):
    """A model path that leads out of the project (absolute, `..`, `~`, or a link)."""


def folder() -> Path | None:
    """The user's models folder (`$FILM_MODELS`, `~` expanded, resolved), or None when unset."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def locate(written: str, root: Path, what: str, companions: tuple[str, ...] = ()) -> Path:
    """The file or folder `written` names: inside the project folder `root`, else inside the
    models folder. `what` names it in messages ("voice model", "recognizer model"); the files
    named by adding each of `companions` to its name (".json") are read with it.

    Raises ModelNotFound when `written` is absolute or leaves the folder it is looked up in
    (`..`, a link pointing out: the model's own path, a companion, or anything in a model
    folder found in the project), or when neither folder holds it; ModelOutside (a
    ModelNotFound) for the first kind.
    """
    path = PurePath(written)
    if path.is_absolute() or ".." in path.parts or written.startswith("~"):
        raise ModelOutside(
            f"{what} '{written}' is outside the project: a storyboard names models inside its project folder, "
            f"or inside your models folder (set {ENV} or give --models DIR) by a path relative to it")
    try:
        return _look_up(written, root, what, companions)
    except OSError as error:   # a name too long for the file system
        raise ModelNotFound(f"{what} {quoted(written)}: not a usable file name ({error.strerror or error})") from None


def _look_up(written: str, root: Path, what: str, companions: tuple[str, ...]) -> Path:
    project, own = root.resolve(), folder()
    found = (project / written).resolve()
    if not found.is_relative_to(project):     # a link in the project, pointing out of it
        raise ModelOutside(f"{what} '{written}' is a link leading out of the project; copy the model in instead")
    if found.exists():
        inside = [found.with_name(found.name + suffix) for suffix in companions]
        inside += [p for p in found.rglob("*")] if found.is_dir() else []
        if leading_out := [p for p in inside if not p.resolve().is_relative_to(project)]:
            raise ModelOutside(f"{what} '{written}' holds a link leading out of the project "
                               f"({leading_out[0].relative_to(project)}); copy the model in instead")
        return found
    # The models folder is the user's own: links in it may lead anywhere they chose.
    if own is not None and (own / written).exists():
        return (own / written).resolve()
    if own is not None and not own.is_dir():
        where = f"the project folder ({ENV} names {own}, which is not a folder)"
    else:
        where = "the project folder" + (f" or the models folder {own}" if own else f" (and {ENV} names no models folder)")
    raise ModelNotFound(f"{what} '{written}' not found in {where}")
