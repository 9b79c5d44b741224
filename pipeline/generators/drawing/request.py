"""What one storyboard panel shows (`PanelRequest`): plain values, read when a film is planned
(it is the panel job's cache key) without loading the drawing code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PanelRequest:
    """Everything one storyboard panel shows; the canvas is larger than the frame (~1.25x)."""

    width: int
    height: int
    frame_width: int
    frame_height: int
    setting: str
    location: str
    time_of_day: str
    cast: tuple[tuple[str, str], ...]
    caption: str
    scene_label: str
    shot_id: str
    camera: str
    seed: int
    # Staging (`staging.stage`): the writer's words for the shot, the words of every shot of its
    # scene (the set they share), and every (name, look) of the film (figures stay distinct).
    action: str = ""
    scene_texts: tuple[str, ...] = ()
    film_cast: tuple[tuple[str, str], ...] = ()
    # "bottom", or "top" when subtitles are burned in: they sit at the bottom, and must not cover it
    caption_at: str = "bottom"
    # Where the film's subtitles are over the panel (burned, or drawn by a player from the sidecar):
    # "bottom" ("auto": a panel keeps them there), "top", or "" for none. When set, the caption and
    # the slate keep to the other band, and `caption_at` is not read.
    subtitles_at: str = ""
