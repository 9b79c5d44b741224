"""Tidying a film's cache: `film clean` removes what no job of the film refers to any more (old
versions of shots, lines since rewritten), `film forget` drops one shot's outputs so that the
next build makes them again.

What counts as referred to: every job of the full build and of the preview (each as the plan
reads now), every take of every generated shot (choosing another take must cost nothing), and
the speech. A job's output is its file or folder and its seal. The mix's parts (`mixparts/`:
decoded music, measurements, encoded chunks) stay while the film's mix lists them as used.
Temporary files of builds no longer running go too. The memo files (digests, probes, manifest)
stay: they only save work.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..audio.mix import MIX_PARTS, parts_record, parts_used
from ..cache import SEAL, TEMP_MARK, Cache, Job, discard, seal_of, unseal


@dataclass(frozen=True)
class Removal:
    """What a clean removes (or would): each path and the bytes it holds."""

    paths: tuple[Path, ...]
    size: int

    @property
    def outputs(self) -> int:
        """How many jobs' outputs (seals, temporary names and the mix's parts aside)."""
        return sum(not p.name.endswith(SEAL) and TEMP_MARK not in p.name and MIX_PARTS not in p.parts
                   for p in self.paths)

    @property
    def parts(self) -> int:
        """How many of the mix's parts (`audio.chunks.Parts`; seals aside)."""
        return sum(not p.name.endswith(SEAL) and TEMP_MARK not in p.name and MIX_PARTS in p.parts
                   for p in self.paths)


def size_of(path: Path) -> int:
    """Bytes in a file, or in a folder's files."""
    if path.is_dir() and not path.is_symlink():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return path.lstat().st_size


def unreferenced(cache: Cache, jobs: list[Job]) -> Removal:
    """Every output in `cache` that none of `jobs` writes (with its seal), and every seal or
    temporary name left without its output."""
    wanted = {job.output for job in jobs}
    found = []
    for folder in sorted(p for p in cache.root.iterdir() if p.is_dir() and not p.is_symlink()):
        if folder.name == MIX_PARTS:
            found += _unused_parts(folder, [job.key for job in jobs if job.kind == "mix"])
            continue
        for entry in sorted(folder.iterdir()):
            name = entry.name
            output = entry.with_name(name[: -len(SEAL)]) if name.endswith(SEAL) else entry
            if TEMP_MARK in name or output not in wanted:
                found.append(entry)
    return Removal(tuple(found), sum(size_of(p) for p in found))


def _unused_parts(parts: Path, mixes: list[str]) -> list[Path]:
    """The mix's parts (`audio.chunks.Parts`) that none of the `mixes` (job keys) used, as each
    mix's record lists them, with their seals; and the records of other mixes."""
    kept = {parts_record(parts, key) for key in mixes}
    for key in mixes:
        kept |= {path for part in parts_used(parts, key) for path in (part, seal_of(part))}
    return [entry for folder in sorted(p for p in parts.iterdir() if p.is_dir() and not p.is_symlink())
            for entry in sorted(folder.iterdir()) if entry not in kept]


def remove(removal: Removal) -> None:
    """Remove every path of `removal` (folders whole)."""
    for path in removal.paths:
        discard(path)


def forget(outputs: list[Path]) -> Removal:
    """Remove the jobs' `outputs` that exist, and their seals; returns what was removed."""
    gone = [output for output in outputs if output.exists()]
    removal = Removal(tuple(gone), sum(size_of(p) for p in gone))
    for output in outputs:
        unseal(output)
    return removal


def megabytes(size: int) -> str:
    """`12.3 MB` (decimal, as file managers show sizes)."""
    return f"{size / 1e6:.1f} MB"


def every_job(board, cache: Cache, probes) -> list[Job]:
    """Every job the film `board` has now, full size and preview: speech, each shot's every
    take, segments, music, mix, subtitles, cut (signed, where it is), and the shots `film
    export` encodes for an editor. Reads only (speech not made is estimated)."""
    from . import prepare
    from .graph import make_graph, prepare_shots

    jobs: list[Job] = []
    if board.project.speech:
        from ..audio.speech import jobs as speech_jobs

        jobs += speech_jobs(board, cache)[0]
    from ..export import credentials, otio

    for preview in (False, True):
        plan, _ = prepare(board, cache, preview=preview, synthesise=False, probes=probes)
        graph = make_graph(plan, cache, sign=plan.signing is not None and credentials.available())
        jobs += graph.jobs
        jobs += [job for _, job, _ in otio.media_jobs(plan, graph, cache)]   # the shots `film export` encodes
        jobs += [take.job for prepared in prepare_shots(plan, cache).prepared.values() for take in prepared.takes]
    return jobs
