"""Rendering the timeline with ffmpeg: one encoded file per segment, then a concatenation
that copies the encoded frames (no re-encode) and muxes the mixed audio once.

Every segment is encoded with the same settings (`ENCODE`) so the concat demuxer can join them
with `-c copy`; B-frames are off so each segment's first frame has timestamp zero and segments
join frame-exactly.
"""

from __future__ import annotations

import re

from pathlib import Path
from typing import Sequence

from . import ffmpeg
from ..frames import Format
from .sources import COLOUR_TAGS
from .marks import Marks, filters as mark_filters, inputs as mark_inputs
from .timeline import Segment
from .. import transitions
from ..transitions import split, xfade

# Bumped whenever what a segment looks like changes for the same inputs (2: every source conformed
# to one rate, time base, pixel aspect; BT.709 conversion and tags; pictures read as viewers see them;
# 3: camera moves centred, sub-pixel and inside the title-safe area; 4: camera moves resampled by
# crop-scale-crop instead of `perspective`, about five times cheaper, to within 0.1 pixel).
ENCODER_VERSION = "x264-veryfast-crf20-nobf-bt709-4"


def timescale(fmt: Format) -> int:
    """An MP4 timescale in which every frame lasts a whole number of ticks."""
    rate = fmt.fps
    return rate.numerator * 1000 if rate.denominator == 1 else rate.numerator


def encode_args(fmt: Format, frames: int) -> list[str]:
    """Encoder settings shared by every segment (they must match for a copy-concat); the stream
    is tagged BT.709, limited range, as the sources are converted (see `sources.to_film_colour`)."""
    matrix, primaries, transfer, colour_range = COLOUR_TAGS
    return [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-bf", "0",
        "-pix_fmt", "yuv420p", "-profile:v", "high", "-r", fmt.rate,
        "-colorspace", matrix, "-color_primaries", primaries, "-color_trc", transfer, "-color_range", colour_range,
        "-frames:v", str(frames), "-video_track_timescale", str(timescale(fmt)),
        "-an",
    ]


def render_segment(segment: Segment, fmt: Format, out: Path, subtitles: Path | None = None,
                   marks: Marks | None = None, tags: Sequence[tuple[str, str]] = ()) -> None:
    """Encode one segment to `out` (an .mp4); `subtitles` is an ASS file to burn in, `marks`
    the watermarks to lay over everything (`edit.marks`), `tags` (name, value) the file's
    metadata (a shot encoded for an editor says how it was made)."""
    from .. import fonts

    inputs: list[str] = []
    filters: list[str] = []
    used = 0
    labels = []
    # A transition is drawn as its registry entry says; a body is its one part as it is.
    renderer = transitions.get(segment.transition).renderer if segment.kind == "transition" else transitions.CUT
    through_black = renderer == transitions.THROUGH_BLACK
    before, after = split(segment.frames)
    for n, part in enumerate(segment.parts):
        label = f"p{n}"
        # Through black, each shot is seen only on its own side of the cut: read just that part.
        start, count = part.start, segment.frames
        if through_black:
            start, count = (part.start, before) if n == 0 else (part.start + before, after)
        graph = part.clip.source.graph(start, count, fmt, used, label)
        inputs += graph.inputs
        filters += graph.filters
        used += graph.count
        labels.append(label)
    if through_black:
        out_fade = f"[{labels[0]}]fade=t=out:s=0:n={before}[fo];" if before else ""
        filters.append(
            f"{out_fade}[{labels[1]}]fade=t=in:s=0:n={after}[fi];"
            + ("[fo][fi]concat=n=2:v=1:a=0[mix]" if before else "[fi]null[mix]"))
        last = "mix"
    elif renderer == transitions.XFADE:
        filters.append(f"[{labels[0]}][{labels[1]}]{xfade(segment.transition, segment.frames, fmt.fps)}[mix]")
        last = "mix"
    else:
        last = labels[0]
    if subtitles is not None:
        filters.append(
            f"[{last}]subtitles=filename={ffmpeg.filter_path(subtitles)}:fontsdir={ffmpeg.filter_path(fonts.FONT_DIR)}[subbed]")
        last = "subbed"
    if marks is not None:
        inputs += mark_inputs(marks)
        statements, last = mark_filters(marks, used, last)
        filters += statements
    ffmpeg.run([*inputs, "-filter_complex", ";".join(filters), "-map", f"[{last}]", *encode_args(fmt, segment.frames),
                *metadata_args(tags), str(out)],
               what=f"segment {segment.id}")


def concat(segments: Sequence[Path], audio: Path, out: Path, list_file: Path,
           chapters: Sequence[tuple[int, int, str]] = (), tags: Sequence[tuple[str, str]] = (),
           xmp: str = "", sound: Sequence[tuple[str, str]] = ()) -> None:
    """Join encoded segments without re-encoding, add the audio, and write a faststart MP4;
    `chapters` are (start ms, end ms, title) markers that players list, `tags` (name, value)
    the file's metadata (title, comment, ...), `sound` the audio track's (its language),
    `xmp` an XMP packet put in the file's XMP box."""
    # The concat list quotes paths in '...'; a quote inside a path is written as '\''.
    quote = "'\\''"
    lines = [f"file '{str(p.resolve()).replace(chr(39), quote)}'" for p in segments]
    list_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    metadata: list[str] = []
    if chapters:
        meta_file = list_file.with_suffix(".chapters.txt")
        meta_file.write_text(chapter_metadata(chapters), encoding="utf-8")
        metadata = ["-f", "ffmetadata", "-i", str(meta_file), "-map_chapters", "2"]
    ffmpeg.run([
        "-f", "concat", "-safe", "0", "-i", str(list_file), "-i", str(audio), *metadata,
        "-map", "0:v:0", "-map", "1:a:0", "-c", "copy", *metadata_args(tags),
        *metadata_args(sound, stream="s:a:0"),
        "-movflags", "+faststart", "-f", "mp4", str(out),
    ], what="concatenation")
    if chapters:
        meta_file.unlink()
    if xmp:
        append_xmp(out, xmp)


def metadata_args(tags: Sequence[tuple[str, str]], stream: str = "") -> list[str]:
    """ffmpeg's arguments giving an output file (or its `stream`: `s:a:0`, its first audio
    track) the metadata `tags`, (name, value) pairs."""
    option = f"-metadata:{stream}" if stream else "-metadata"
    return [arg for name, value in tags for arg in (option, f"{name}={value}")]


# Adobe's XMP specification, part 3 (2016), 1.2.7: MP4 files keep XMP in a top-level `uuid` box
# with this identifier; any top-level place is allowed, so it goes after everything else.
XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")


def append_xmp(path: Path, packet: str) -> None:
    """Add an XMP box holding `packet` at the end of the MP4 at `path` (ISO/IEC 14496-12 lets a
    top-level box follow `mdat`; nothing else in the file moves)."""
    body = XMP_UUID + packet.encode("utf-8")
    with path.open("ab") as file:
        file.write((8 + len(body)).to_bytes(4, "big") + b"uuid" + body)


def xmp_packet(title: str, tool: str, source_type: str | None, description: str) -> str:
    """An XMP packet naming the film (`dc:title`), its description, the tool that made it and
    its IPTC digital source type (`Iptc4xmpExt:DigitalSourceType`, IPTC Photo Metadata 2023.1)."""
    from xml.sax.saxutils import escape

    fields = [f"<dc:title><rdf:Alt><rdf:li xml:lang='x-default'>{escape(title)}</rdf:li></rdf:Alt></dc:title>",
              f"<xmp:CreatorTool>{escape(tool)}</xmp:CreatorTool>"]
    if description:
        fields.append(f"<dc:description><rdf:Alt><rdf:li xml:lang='x-default'>{escape(description)}</rdf:li>"
                      "</rdf:Alt></dc:description>")
    if source_type:
        fields.append(f"<Iptc4xmpExt:DigitalSourceType>{escape(source_type)}</Iptc4xmpExt:DigitalSourceType>")
    return ("<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>"
            "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
            "<rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/' "
            "xmlns:xmp='http://ns.adobe.com/xap/1.0/' "
            "xmlns:Iptc4xmpExt='http://iptc.org/std/Iptc4xmpExt/2008-02-29/'>"
            + "".join(fields) + "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>")


def chapter_metadata(chapters: Sequence[tuple[int, int, str]]) -> str:
    """An FFMETADATA1 document of chapter markers (times in milliseconds)."""
    def escape(text: str) -> str:
        return re.sub(r"([=;#\\\n])", r"\\\1", text)

    parts = [";FFMETADATA1"]
    for start, end, title in chapters:
        parts += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start}", f"END={end}", f"title={escape(title)}"]
    return "\n".join(parts) + "\n"


def mux_tracks(cut: Path, sounds: Sequence[tuple[str, Path]], subtitles: Sequence[tuple[str, Path]], out: Path,
               sound_tags: Sequence[tuple[str, str]], subtitle_tags: Sequence[tuple[str, str]], xmp: str = "") -> None:
    """One MP4 with every language: `cut`'s picture, chapters, metadata and sound (its first
    audio track, the default), each of `sounds`' (tag, audio file) as a further audio track
    (AAC, re-encoded only if it is not), and each of `subtitles`' (tag, SRT file) as a
    `mov_text` subtitle track (the first the default). `sound_tags` and `subtitle_tags` give
    each track's (ISO 639-2 code, title), in that order; `xmp` is `cut`'s XMP packet, kept.
    Nothing is re-encoded but the subtitles (into a text format MP4 players read)."""
    inputs = ["-i", str(cut)]
    for _, path in [*sounds, *subtitles]:
        inputs += ["-i", str(path)]
    maps = ["-map", "0:v:0", "-map", "0:a:0"]
    maps += [arg for n in range(len(sounds)) for arg in ("-map", f"{n + 1}:a:0")]
    maps += [arg for n in range(len(subtitles)) for arg in ("-map", f"{len(sounds) + n + 1}:s:0")]
    tags = []
    for n, (code, title) in enumerate(sound_tags):
        tags += [f"-metadata:s:a:{n}", f"language={code}", f"-metadata:s:a:{n}", f"title={title}",
                 f"-disposition:a:{n}", "default" if n == 0 else "0"]
    for n, (code, title) in enumerate(subtitle_tags):
        tags += [f"-metadata:s:s:{n}", f"language={code}", f"-metadata:s:s:{n}", f"title={title}",
                 f"-disposition:s:{n}", "0"]
    ffmpeg.run([*inputs, *maps, "-map_metadata", "0", "-map_chapters", "0", "-c", "copy", "-c:s", "mov_text", *tags,
                "-movflags", "+faststart", "-f", "mp4", str(out)], what="language tracks")
    if xmp:
        append_xmp(out, xmp)
