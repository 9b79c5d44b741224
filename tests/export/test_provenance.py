"""How a cut says it was made: provenance.json, and the MP4's own metadata (title, comment, XMP
with the IPTC digital source type), for a film with synthesised voices, one of the writer's own
pictures only, and one with a shot a model generates."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace

from pipeline.build import build
from pipeline.edit import ffmpeg
from pipeline.edit.render import XMP_UUID
from pipeline.export import provenance
from pipeline.parse import load
from pipeline.plan import make_plan
from pipeline.spec import GeneratorSpec

from conftest import solid_png, write_project

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def boxes(path) -> dict[bytes, list[bytes]]:
    """The MP4's top-level boxes by type, each one's body (walked by their sizes, as a reader does)."""
    data = path.read_bytes()
    found: dict[bytes, list[bytes]] = {}
    at = 0
    while at < len(data):
        size, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        assert size >= 8, f"a box of size {size} at {at}"
        found.setdefault(kind, []).append(data[at + 8:at + size])
        at += size
    assert at == len(data)
    return found


def xmp_of(path) -> str:
    (packet,) = [body[16:].decode() for body in boxes(path).get(b"uuid", []) if body[:16] == XMP_UUID]
    return packet


def tags_of(path) -> dict[str, str]:
    header = ffmpeg.header(path).split("Duration:")[0]
    return dict(re.findall(r"^\s{4}(\w+)\s*: (.*)$", header, re.M))


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_short_film_records_its_voices_and_says_they_are_synthesised(lighthouse):
    record = json.loads((lighthouse.folder / provenance.FILE).read_text())
    plan = lighthouse.plan
    assert [s["id"] for s in record["shots"]] == [s.id for s in plan.shots]
    by_id = {s["id"]: s for s in record["shots"]}
    assert by_id["headland"]["generator"] == "animatic"
    assert by_id["headland"]["digital_source_type"] == IPTC + "algorithmicMedia"
    photograph = by_id["photograph"]      # the writer's own picture: how it was made is not claimed
    assert photograph["digital_source_type"] is None
    (picture,) = photograph["sources"]
    assert picture["sha256"] == sha256(plan.root / picture["file"])
    voices = {v["speaker"]: v for v in record["voices"]}
    assert set(voices) == {"narrator", "TOM", "ELSIE"}
    from pipeline.audio.tts import find_model
    model = find_model("", plan.root).model
    assert voices["TOM"]["sha256"] == sha256(model) and voices["TOM"]["file"] == model.name   # a name, not this machine's path
    assert all(v["digital_source_type"] == IPTC + "trainedAlgorithmicMedia" for v in voices.values())
    assert {e["file"] for e in record["effects"]} == {"assets/foghorn.wav", "assets/waves.wav"}
    assert record["ai_generated"] is True
    assert record["digital_source_type"] == IPTC + "compositeWithTrainedAlgorithmicMedia"
    # the cut says so itself
    tags = tags_of(lighthouse.output)
    assert tags["title"] == "The Lighthouse Keeper"
    assert tags["comment"].startswith("Contains AI-generated content: voices synthesised")
    packet = xmp_of(lighthouse.output)
    assert f"<Iptc4xmpExt:DigitalSourceType>{IPTC}compositeWithTrainedAlgorithmicMedia<" in packet
    assert "The Lighthouse Keeper" in packet


def test_a_film_of_the_writers_pictures_claims_no_ai(tmp_path):
    folder = tmp_path / "photos"
    solid_png(folder / "red.png", (200, 30, 30))
    solid_png(folder / "blue.png", (30, 30, 200))
    write_project(folder, """
        title_card: false
        fps: 12
        size: 160x96
        scenes:
          - heading: EXT. FIELD - DAY
            metadata: {chapter: "Morning & <dew>"}
            shots:
              - {id: one, image: red.png, duration: 2}
          - heading: INT. BARN - NIGHT
            metadata: {chapter: Night}
            shots:
              - {id: two, image: blue.png, duration: 1.5}
    """)
    result = build(folder, renders=tmp_path / "renders")
    record = json.loads((result.folder / provenance.FILE).read_text())
    assert record["ai_generated"] is False and record["voices"] == []
    assert record["cut"]["sha256"] == sha256(result.output)
    assert all("prompt" not in s for s in record["shots"])   # no model was asked for anything
    assert record["digital_source_type"] == IPTC + "composite"
    assert [s["sources"][0]["sha256"] for s in record["shots"]] == [sha256(folder / "red.png"), sha256(folder / "blue.png")]
    assert tags_of(result.output)["comment"] == "Made with film 0.1.0"
    assert f"{IPTC}composite<" in xmp_of(result.output)
    # the chapters beside the cut are the cut's own marks
    from pipeline.export import chapters
    assert (result.folder / chapters.TEXT).read_text() == "0:00 Morning & <dew>\n0:02 Night\n"
    vtt = (result.folder / chapters.VTT).read_text()   # as a browser reads it: escaped, or <dew> is a tag
    assert re.findall(r"(\S+) --> (\S+)\n(.*)\n", vtt) == [("00:00:00.000", "00:00:02.000", "Morning &amp; &lt;dew&gt;"),
                                                        ("00:00:02.000", "00:00:03.500", "Night")]
    header = ffmpeg.header(result.output)
    assert re.findall(r"Chapter #0:\d+: start (\d+\.\d+), end (\d+\.\d+)", header) == [
        ("0.000000", "2.000000"), ("2.000000", "3.500000")]
    # a film that loses its chapters loses the files
    board = folder / "storyboard.yaml"
    board.write_text("".join(line for line in board.read_text().splitlines(True) if "chapter:" not in line))
    again = build(folder, renders=tmp_path / "renders")
    assert not (again.folder / chapters.TEXT).exists() and not (again.folder / chapters.VTT).exists()


def test_a_shot_a_model_generates_is_declared(lighthouse):
    plan = lighthouse.plan
    shots = tuple(replace(s, generator=GeneratorSpec("diffusers", {"model": "org/video-model"})) if s.id == "wick" else s
                  for s in plan.shots)
    made = provenance.declaration(replace(plan, shots=shots))
    assert made.ai_generated and made.term == IPTC + "compositeWithTrainedAlgorithmicMedia"
    assert "1 shot generated by an AI model (org/video-model)" in made.summary
    # drawn by code, with nothing said by a voice: synthetic, not AI
    silent = replace(plan, voices=())
    assert provenance.declaration(silent) == provenance.Declaration(
        IPTC + "compositeSynthetic", False, "Drawn and assembled by software; no AI model made any part.")
    # a recorded narration is the writer's: only the characters' voices are synthesised
    narrated = replace(plan, voiceover=plan.root / "narration.wav")
    assert "(TOM, ELSIE)" in provenance.declaration(narrated).summary
