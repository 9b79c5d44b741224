"""Sound on the cut that comes from the picture: each footage shot's own sound, cut and
cross-faded with its picture; and the ambience of each scene's location (`ambience_on_cut`).

The sound follows the picture frame for frame. At cut time T (frames) a footage shot shows its
source at `in + (T - cut_in) / fps` seconds, handles included (a dissolve into the shot starts
showing it `head` frames before its cut), and so its sound plays the same moment of the source.
Where the picture dissolves (or wipes, or slides) the sound cross-fades over the whole
transition, as sound effects do (`build.effects_on_cut`); through black, each shot is seen only on
its own side of the cut, so its sound fades out before the cut and in after it. At a hard cut the
sound starts or stops on the cut. Where the picture holds the file's first or last frame (a
handle before the file starts, a shot longer than what is left of it) there is no sound.
"""

from __future__ import annotations

from fractions import Fraction

from ..frames import exact
from .. import transitions
from ..transitions import split
from ..plan import FootageSource, Plan, ShotPlan
from .ambient import AMBIENCE_LOOP_SECONDS, ambience_for
from .mix import FootageSound, Room

# Shortest cross-fade between two scenes' ambience (seconds), centred on a hard cut: heard as a
# cut, with no click.
AMBIENCE_CROSSFADE = 0.2


def footage_sounds(plan: Plan, starts: list[int]) -> list[FootageSound]:
    """Each footage shot's own sound placed on the cut (seconds), in story order.

    `starts` are the shots' cut-in frames (`Plan.starts()`). A muted shot, footage without an
    audio stream, and a shot whose source has no sound left where it plays, give no entry.
    Each file's length and whether it has sound are as measured before planning.
    """
    fps = plan.fmt.fps
    sounds = []
    for i, (shot, cut_in) in enumerate(zip(plan.shots, starts)):
        source = shot.source
        if not isinstance(source, FootageSource) or source.sound.mute:
            continue
        if not source.file.audible or not source.file.seconds:
            continue
        previous = plan.shots[i - 1] if i else None
        placed = _place(shot, source, cut_in, previous, exact(source.file.seconds), fps)
        if placed is not None:
            sounds.append(placed)
    return sounds


def _place(shot: ShotPlan, source: FootageSource, cut_in: int, previous: ShotPlan | None, length: Fraction,
           fps: Fraction) -> FootageSound | None:
    """One shot's sound: its span on the cut from its transitions, clipped to its source."""
    before_in, after_in = split(previous.transition_frames) if previous else (0, 0)
    before_out, after_out = split(shot.transition_frames)
    cut_out = cut_in + shot.frames
    # The fades as (first, last) frames of the cut, linear from silence to full and back.
    # Where the picture shows each shot only on its own side of the cut (through black), so does the sound.
    apart_in = previous is not None and transitions.get(previous.transition).sides_apart
    apart_out = transitions.get(shot.transition).sides_apart
    fade_in = (cut_in if apart_in else cut_in - before_in, cut_in + after_in)
    fade_out = (cut_out - before_out, cut_out if apart_out else cut_out + after_out)

    source_in = exact(source.start)
    # The span on the cut, clipped to where the source has sound: [0, length) seconds of it.
    begin = max(Fraction(fade_in[0]), cut_in - source_in * fps)
    end = min(Fraction(fade_out[1]), cut_in + (length - source_in) * fps)
    if end <= begin:
        return None
    # A span that starts late (the source begins inside the fade) ramps up over what is left of it.
    ramp_in = max(fade_in[1] - begin, 0) if fade_in[1] > fade_in[0] else Fraction(0)
    ramp_out = fade_out[1] - fade_out[0]
    return FootageSound(
        path=source.path, start=float(begin / fps), seconds=float((end - begin) / fps),
        offset=float(source_in + (begin - cut_in) / fps), gain=source.sound.gain, fade_in=float(ramp_in / fps),
        fade_out_at=float(max(fade_out[0] - begin, 0) / fps) if ramp_out else 0.0,
        fade_out=float(min(fade_out[1] - begin, ramp_out) / fps) if ramp_out else 0.0,
    )


def ambience_on_cut(plan: Plan, starts: list[int]) -> list[Room]:
    """The ambience under the cut: one bed per run of shots whose headings call for the same
    one (`ambient.ambience_for`: room tone inside, sea, town or wind outside), from the first
    frame to the last, so the film is never digitally silent. A heading that says neither
    inside nor outside (a slug line alone, a lesson's section) keeps the bed before it; the title
    and the credits have room tone. Where the bed changes it cross-fades over the picture's
    transition (at a hard cut, over `AMBIENCE_CROSSFADE` centred on it). Each run starts at
    another place in its loop, chosen by the project seed and the run's place in the film."""
    if not plan.shots:
        return []
    fps = plan.fmt.fps
    seed = plan.seed
    kinds: list[str] = []
    for shot in plan.shots:
        kind = ambience_for(shot.heading.setting, shot.heading.location) if shot.scene else "room"
        kinds.append(kind or (kinds[-1] if kinds else "room"))
    # (first shot, last shot) of each run of one kind
    runs: list[list[int]] = []
    for i, kind in enumerate(kinds):
        if runs and kinds[runs[-1][0]] == kind:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    half = exact(AMBIENCE_CROSSFADE) * fps / 2
    edges = []   # (from, to) frames of the cross-fade into each run after the first
    for first, _ in runs[1:]:
        cut = starts[first]
        before, after = split(plan.shots[first - 1].transition_frames)
        low, high = Fraction(cut - before), Fraction(cut + after)
        if high - low < 2 * half:
            low, high = cut - half, cut + half
        edges.append((max(low, Fraction(0)), min(high, Fraction(plan.total))))
    rooms = []
    for n, (first, last) in enumerate(runs):
        begin, fade_in = (edges[n - 1][0], edges[n - 1][1] - edges[n - 1][0]) if n else (Fraction(0), Fraction(0))
        end, fade_out = (edges[n][1], edges[n][1] - edges[n][0]) if n < len(edges) else (Fraction(plan.total), Fraction(0))
        offset = (seed * 7.77 + n * 11.3) % (AMBIENCE_LOOP_SECONDS - 1)
        rooms.append(Room(kind=kinds[first], start=float(begin / fps), seconds=float((end - begin) / fps),
                          fade_in=float(fade_in / fps), fade_out=float(fade_out / fps), offset=round(offset, 3),
                          seed=seed))
    return rooms
