"""Content credentials (C2PA) on a real MP4 made by ffmpeg, signed and read back by the real
SDK: what the manifest says, that signing leaves the video playable and faststart, that a
changed byte or a re-encode shows, that the user's own CA can be trusted, and that bad keys
are the user's error, clearly said."""

from __future__ import annotations

import datetime
import os
import struct
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("c2pa")
from cryptography import x509   # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization   # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec   # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier   # noqa: E402

from conftest import count_frames, solid_png   # noqa: E402
from pipeline.edit import ffmpeg   # noqa: E402
from pipeline.errors import FilmError   # noqa: E402
from pipeline.export import credentials   # noqa: E402
from pipeline.export.credentials import IPTC, film_manifest, make_keys, sign, verify   # noqa: E402

PARTS = [{"kind": "generated", "id": "s1", "model": "some-video-model"},
         {"kind": "card", "id": "title"},
         {"kind": "voice", "id": "narrator"},
         {"kind": "footage", "id": "s2", "source": "digitalCapture"},
         {"kind": "still", "id": "s3"}]


def make_mp4(path: Path, seconds: float = 1) -> Path:
    subprocess.run([ffmpeg.exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s=160x90:r=24:d={seconds}",
                    "-f", "lavfi", "-i", f"sine=d={seconds}", "-c:v", "libx264", "-c:a", "aac",
                    "-movflags", "+faststart", str(path)], check=True)
    return path


def top_boxes(path: Path) -> list[tuple[str, int, int]]:
    """The top-level ISO BMFF boxes of `path`: (type, offset, size)."""
    data, found, at = path.read_bytes(), [], 0
    while at < len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        size = struct.unpack(">Q", data[at + 8:at + 16])[0] if size == 1 else size or len(data) - at
        found.append((kind.decode("latin-1"), at, size))
        at += size
    return found


def decoded_md5(path: Path) -> str:
    """The MD5 of all the decoded pictures and sound of `path`."""
    return subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(path), "-map", "0:v", "-map", "0:a",
                           "-f", "md5", "-"], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def film(tmp_path_factory):
    """A source MP4, keys, the user's files, and the cut signed with them."""
    root = tmp_path_factory.mktemp("c2pa")
    source = make_mp4(root / "cut.mp4")
    footage = make_mp4(root / "holiday.mp4", seconds=0.5)
    still = solid_png(root / "photo.png", (200, 40, 40), size=(64, 36))
    keys = make_keys(root / "keys", "Jo Maker")
    signed = root / "signed" / "cut.mp4"
    sign(source, signed, film_manifest("The Lighthouse", "film 0.1.0", PARTS), keys.chain, keys.key,
         [(footage, "s2"), (still, "s3")])
    return {"root": root, "source": source, "signed": signed, "keys": keys}


def test_verify_reads_what_was_signed(film):
    found = verify(film["signed"])
    assert found.found and found.title == "The Lighthouse"
    assert found.signer == "Jo Maker" and found.organization == "Jo Maker"
    assert found.actions == (
        ("c2pa.created", IPTC + "compositeWithTrainedAlgorithmicMedia"),
        ("c2pa.edited", IPTC + "trainedAlgorithmicMedia"),
        ("c2pa.edited", IPTC + "algorithmicMedia"),
        ("c2pa.edited", IPTC + "trainedAlgorithmicMedia"),
        ("c2pa.placed", IPTC + "digitalCapture"),
        ("c2pa.placed", None))
    assert found.ingredients == ("holiday.mp4", "photo.png")
    assert found.intact and found.state == "Valid"


def test_own_ca_is_untrusted_until_given_as_anchor(film, tmp_path):
    """The SDK checks the chain against its trust list: a local CA reads intact but untrusted
    (state Valid, signingCredential.untrusted), and Trusted once the user's CA is an anchor;
    someone else's CA as anchor does not make it trusted."""
    alone = verify(film["signed"])
    assert alone.intact and not alone.trusted
    assert alone.problems == ("signingCredential.untrusted: signing certificate untrusted",)
    anchored = verify(film["signed"], [film["keys"].ca])
    assert anchored.intact and anchored.trusted and anchored.state == "Trusted" and anchored.problems == ()
    other = make_keys(tmp_path, "Someone Else")
    assert not verify(film["signed"], [other.ca]).trusted


def test_signing_keeps_the_video_whole_and_faststart(film):
    source, signed = film["source"], film["signed"]
    assert count_frames(signed) == count_frames(source) == 24
    assert ffmpeg.probe(signed).duration == ffmpeg.probe(source).duration
    assert decoded_md5(signed) == decoded_md5(source)   # every sample where `moov` says it is
    kinds = [kind for kind, _, _ in top_boxes(signed)]
    assert "uuid" in kinds and "uuid" not in [k for k, _, _ in top_boxes(source)]
    assert kinds.index("moov") < kinds.index("mdat")
    assert sorted(os.listdir(signed.parent)) == ["cut.mp4"]   # no temporary file left


def test_a_changed_byte_in_the_media_shows(film, tmp_path):
    data = bytearray(film["signed"].read_bytes())
    _, at, size = next(box for box in top_boxes(film["signed"]) if box[0] == "mdat")
    data[at + size // 2] ^= 0x01
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(data)
    found = verify(tampered, [film["keys"].ca])
    assert found.found and not found.intact and not found.trusted and found.state == "Invalid"
    assert any(p.startswith("assertion.bmffHash.mismatch") for p in found.problems)


def test_a_reencoded_copy_has_no_manifest(film, tmp_path):
    copy = tmp_path / "copy.mp4"
    subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(film["signed"]), "-c:v", "libx264", "-c:a", "aac", str(copy)],
                   check=True)
    assert verify(copy) == credentials.Verification(found=False)
    assert not verify(film["source"]).found


def test_a_file_the_sdk_cannot_parse_is_reported_not_raised(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video")
    found = verify(junk)
    assert not found.found and not found.intact and found.problems


def test_a_key_not_matching_the_chain_is_the_users_error(film, tmp_path):
    other = make_keys(tmp_path / "other", "Other")
    out = tmp_path / "out" / "cut.mp4"
    with pytest.raises(FilmError, match="does not match the certificate") as raised:
        sign(film["source"], out, {"title": "t"}, film["keys"].chain, other.key)
    assert raised.value.problems[0].subject == str(other.key)
    assert not out.exists()


@pytest.mark.parametrize("spoil, message", [
    (lambda keys: keys.key.unlink(), "cannot read the key"),
    (lambda keys: keys.chain.write_text("hello"), "not a PEM certificate chain"),
    (lambda keys: keys.key.write_text("hello"), "not a PEM private key"),
])
def test_unreadable_credentials_are_the_users_error(film, tmp_path, spoil, message):
    keys = make_keys(tmp_path, "Spoilt")
    spoil(keys)
    with pytest.raises(FilmError, match=message):
        sign(film["source"], tmp_path / "out.mp4", {"title": "t"}, keys.chain, keys.key)
    assert not (tmp_path / "out.mp4").exists()


def _credentials(folder: Path, ekus: list[str], self_signed: bool = False, ca: bool = False,
                 aki: bool = True) -> tuple[Path, Path]:
    """A chain and key made unlike `make_keys`: a self-signed certificate (marked CA, as
    `openssl req -x509` makes one, or not), one without an Authority Key Identifier, or one
    with other EKUs."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA")])
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leaf")])
    issuer, signing_key = (name, key) if self_signed else (ca_name, ca_key)
    leaf = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ObjectIdentifier(e) for e in ekus]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False))
    if aki:
        leaf = leaf.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
                                  critical=False)
    pem = serialization.Encoding.PEM
    chain = leaf.sign(signing_key, hashes.SHA256()).public_bytes(pem)
    if not self_signed:
        root = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
                .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .sign(ca_key, hashes.SHA256()))
        chain += root.public_bytes(pem)
    (folder / "chain.pem").write_bytes(chain)
    (folder / "key.pem").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder / "chain.pem", folder / "key.pem"


EMAIL = ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string


@pytest.mark.parametrize("made, message", [
    (dict(ekus=[EMAIL], self_signed=True, ca=True), "certificate was self-signed"),
    (dict(ekus=[EMAIL], aki=False), "certificate is invalid"),
    (dict(ekus=[credentials.DOCUMENT_SIGNING]), "missing required EKU"),
], ids=["self-signed-ca", "no-aki", "documentSigning-only"])
def test_the_sdk_refuses_certificates_outside_its_profile(film, tmp_path, made, message):
    """Why `make_keys` makes a CA, and gives the signing certificate an Authority Key
    Identifier and the emailProtection EKU."""
    chain, key = _credentials(tmp_path, **made)
    out = tmp_path / "out" / "cut.mp4"
    with pytest.raises(FilmError, match=message) as raised:
        sign(film["source"], out, film_manifest("t", "film", PARTS[:1]), chain, key)
    assert raised.value.problems[0].subject == str(chain)
    assert not out.parent.exists() or os.listdir(out.parent) == []   # neither the cut nor a temporary


def test_the_sdk_accepts_a_self_signed_end_entity_certificate(film, tmp_path):
    """Not CA, with emailProtection and an Authority Key Identifier (its own): signed, intact,
    untrusted; trusted once it is its own anchor."""
    chain, key = _credentials(tmp_path, [EMAIL], self_signed=True)
    out = tmp_path / "cut.mp4"
    sign(film["source"], out, film_manifest("t", "film", PARTS[:1]), chain, key)
    assert verify(out).intact and not verify(out).trusted
    assert verify(out, [chain]).trusted


def test_make_keys_writes_a_ca_and_a_c2pa_signing_certificate(film):
    keys = film["keys"]
    assert keys.key.stat().st_mode & 0o777 == 0o600
    leaf, ca = x509.load_pem_x509_certificates(keys.chain.read_bytes())
    assert x509.load_pem_x509_certificate(keys.ca.read_bytes()) == ca
    assert leaf.issuer == ca.subject and ca.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc > datetime.timedelta(days=4 * 365)
    key = serialization.load_pem_private_key(keys.key.read_bytes(), None)
    assert key.public_key() == leaf.public_key()
    with pytest.raises(FilmError, match="exists already"):
        make_keys(keys.key.parent, "Jo Maker")


def test_the_whole_cut_source_type_follows_its_parts():
    def whole(parts):
        return film_manifest("t", "film", parts)["assertions"][0]["data"]["actions"][0]["digitalSourceType"]

    assert whole(PARTS) == IPTC + "compositeWithTrainedAlgorithmicMedia"
    assert whole([{"kind": "animatic"}, {"kind": "footage", "id": "a"}]) == IPTC + "compositeSynthetic"
    assert whole([{"kind": "footage", "id": "a", "source": "digitalCapture"}]) == IPTC + "compositeCapture"
    assert whole([{"kind": "footage", "id": "a"}]) == IPTC + "composite"
    with pytest.raises(FilmError, match="did you mean 'trainedAlgorithmicMedia'"):
        film_manifest("t", "film", [{"kind": "card", "source": "trainedAlgorithmMedia"}])
    with pytest.raises(FilmError, match="unknown kind 'shot'"):
        film_manifest("t", "film", [{"kind": "shot"}])


def test_film_build_sign_embeds_credentials_that_film_verify_reads(tmp_path):
    """End to end through the command line: keys made, a film of two of the writer's pictures
    built with an invisible mark and signed, verified (untrusted, then trusted with its CA), then
    a copy re-encoded at CRF 28 and half the size (the mark found, the credentials gone), then a
    video film never made."""
    import subprocess
    import sys

    from conftest import solid_png, write_project

    def film(*args):
        return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=tmp_path)

    made = film("keys", str(tmp_path / "keys"), "--name", "Gull Point Films")
    assert made.returncode == 0, made.stderr
    chain, key, ca = (tmp_path / "keys" / f"Gull-Point-Films-{n}.pem" for n in ("chain", "key", "ca"))
    folder = tmp_path / "photos"
    solid_png(folder / "red.png", (200, 30, 30))
    solid_png(folder / "blue.png", (30, 30, 200))
    board = """
        title_card: false
        fps: 12
        size: 320x180
        watermark: {invisible: true}
        scenes:
          - shots:
              - {id: one, image: red.png, duration: 2}
              - {id: two, image: blue.png, duration: 2}
    """
    write_project(folder, board)
    unsigned = film("build", str(folder), "--sign")
    assert unsigned.returncode == 1 and "--sign needs 'signing:" in unsigned.stderr
    assert not (folder / "renders").exists()
    write_project(folder, board.replace("title_card: false", f"title_card: false\n        signing: {{cert: {chain}, key: {key}}}"))
    built = film("build", str(folder), "--sign")
    assert built.returncode == 0, built.stderr
    cut = folder / "renders" / "photos" / "final.mp4"
    found = verify(cut)
    assert found.found and found.intact and not found.trusted and found.signer == "Gull Point Films"
    assert sorted(found.ingredients) == ["blue.png", "red.png"]
    assert ("c2pa.created", IPTC + "composite") in found.actions
    said = film("verify", str(cut), "--trust", str(ca))
    assert said.returncode == 0 and "intact and trusted" in said.stdout
    # a project with signing: is signed by every build: an export never leaves an unsigned cut
    exported = film("export", str(folder), "--format", "contact")
    assert exported.returncode == 0, exported.stderr
    assert verify(cut).intact
    copy = tmp_path / "copy.mp4"
    subprocess.run([ffmpeg.exe(), "-v", "error", "-i", str(cut), "-vf", "scale=160:90", "-c:v", "libx264", "-crf", "28",
                    str(copy)], check=True)
    gone = film("verify", str(copy))   # the credentials are gone with the bytes; the mark is in the pictures
    assert "no Content Credentials" in gone.stdout and "film's invisible watermark, film id" in gone.stdout
    assert gone.returncode == 0
    plain = tmp_path / "plain.mp4"
    subprocess.run([ffmpeg.exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=320x180:r=12:d=4", "-c:v", "libx264",
                    str(plain)], check=True)
    neither = film("verify", str(plain))
    assert neither.returncode == 1 and "no invisible watermark found" in neither.stdout
