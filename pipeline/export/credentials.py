"""Content Credentials (C2PA) for the cut: who made it, with which tool, and which parts of it
an AI model generated, signed into the MP4 so that any C2PA reader (Content Credentials
Verify, c2patool, a browser extension) can show it, and can tell when the file was altered.

Why: viewers and platforms increasingly ask whether a video is AI-generated. A film assembles
AI-generated shots, drawn panels, text cards, synthesised voices and the user's own footage;
the manifest says so part by part, in the vocabulary every C2PA reader understands, and the
signature binds it to these exact bytes.

Three things, all offline (no time-stamp authority, no OCSP, no remote manifests):
  `make_keys`  a local CA and a signing certificate it issued, for people without one;
  `sign`       a signed copy of the cut (`film_manifest` writes the manifest for a film);
  `verify`     what a file's manifest says and whether it holds: `intact` (nothing changed
               since signing) apart from `trusted` (the signer's CA is on the trust list).

Done with the Content Authenticity Initiative's SDK (c2pa-python, over c2pa-rs) and
`cryptography` for the keys. Sources:
  C2PA Technical Specification 2.2, https://spec.c2pa.org/specifications/specifications/2.2/
  specs/C2PA_Specification.html (actions v2, ingredients v3, the X.509 certificate profile
  of the trust model);
  IPTC Digital Source Type vocabulary, http://cv.iptc.org/newscodes/digitalsourcetype/
  (release of 2024-10-23: the terms in `IPTC_TERMS`).

What the SDK (c2pa-python 0.38.1, c2pa-rs 0.91.3) does, as found by trying it:
  - it signs MP4/MOV by inserting a `uuid` box after `ftyp` and moving the offsets in `moov`,
    so a faststart file stays faststart, and it hashes the rest of the file (`c2pa.hash.bmff`);
  - it refuses a self-signed certificate marked CA (what `openssl req -x509` makes: "the
    certificate was self-signed"), a signing certificate without an Authority Key Identifier
    ("the certificate is invalid") and one without the emailProtection extended key usage
    ("certificate missing required EKU": documentSigning, c2pa-kp-claimSigning or Microsoft's
    C2PA OID alone are refused); keyUsage must have digitalSignature and not keyCertSign. (A
    self-signed end-entity certificate with all that passes; `make_keys` makes a CA anyway, so
    that the thing a user trusts is a CA, as in the C2PA trust model);
  - a chain from a CA that is not on its trust list reads as validation state "Valid" with the
    failure `signingCredential.untrusted`; with the CA given as a trust anchor it reads
    "Trusted"; a changed byte in the media reads "Invalid" with `assertion.bmffHash.mismatch`;
    a re-encoded or remuxed copy has no manifest at all;
  - the manifest may hold only one `c2pa.created` action, and `c2pa.placed` must name an
    ingredient, so each generated part is recorded as a `c2pa.edited` action carrying that
    part's own `digitalSourceType` (C2PA 2.x allows it on any action).
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from ..cache import atomic
from ..errors import FilmError, Problem, did_you_mean, one_of

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"

# The vocabulary's terms in use (its retired ones, minorHumanEdits, softwareImage and
# digitalArt, left out).
IPTC_TERMS = ("digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print",
              "humanEdits", "algorithmicallyEnhanced", "digitalCreation", "dataDrivenMedia",
              "trainedAlgorithmicMedia", "algorithmicMedia", "screenCapture", "virtualRecording",
              "composite", "compositeCapture", "compositeSynthetic",
              "compositeWithTrainedAlgorithmicMedia")

# A part of a film by kind: its digital source type when film makes it, or None for the user's
# own files, which go in as ingredients (their source is digitalCapture when the part says so
# with `source`, otherwise not known and not claimed).
KINDS = {
    "generated": "trainedAlgorithmicMedia",   # a shot an AI video or image model made
    "voice": "trainedAlgorithmicMedia",       # speech from a text-to-speech model
    "animatic": "algorithmicMedia",           # a panel drawn by film's own code
    "card": "algorithmicMedia",               # a text card
    "footage": None,                          # the user's video
    "still": None,                            # the user's picture
    "sound": None,                            # the user's recording or music
}
CAPTURES = {"digitalCapture", "computationalCapture", "negativeFilm", "positiveFilm", "print",
            "screenCapture"}

# Extended key usages of the signing certificate: emailProtection is the one the SDK accepts
# (see above); documentSigning is the one the C2PA specification names for this purpose.
EMAIL_PROTECTION = "1.3.6.1.5.5.7.3.4"
DOCUMENT_SIGNING = "1.3.6.1.5.5.7.3.36"
VALIDITY = datetime.timedelta(days=5 * 365)

# Container formats the cut can be signed in, by suffix.
SIGNABLE = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime"}
# Ingredient formats by suffix (the SDK reads most of these; one it does not read is still
# listed in the manifest, by title and format, unhashed).
FORMATS = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime",
           ".avi": "video/x-msvideo", ".mkv": "video/x-matroska", ".webm": "video/webm",
           ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
           ".webp": "image/webp", ".gif": "image/gif", ".tif": "image/tiff",
           ".tiff": "image/tiff", ".heic": "image/heic", ".avif": "image/avif",
           ".wav": "audio/wav", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".flac": "audio/flac"}

# Offline: no OCSP requests, no fetching of a manifest a file points to by URL.
OFFLINE = {"verify": {"verify_trust": True, "ocsp_fetch": False, "remote_manifest_fetch": False}}


@dataclass(frozen=True)
class Keys:
    """What `make_keys` wrote: the chain (signing certificate, then the CA), the signing key
    (mode 0600) and the CA certificate alone (for a trust list)."""

    chain: Path
    key: Path
    ca: Path


@dataclass(frozen=True)
class Verification:
    """What a file's C2PA manifest says, and whether it holds.

    `found`: the file has a manifest store the SDK could read. `intact`: its signature and
    hashes check out (nothing changed since signing). `trusted`: besides, the signing
    certificate chains to a trust anchor (a public trust list, or the user's own CA given to
    `verify`); a `film keys` CA nobody was told about is intact but not trusted. `state` is the
    SDK's word for it ("Invalid", "Valid", "Trusted"); `problems` its failure codes with their
    explanations (`code: explanation`). `signer` is the signing certificate's common name and
    `organization` its organisation, as the SDK reports them (it calls the latter "issuer").
    `actions` are (action, digitalSourceType or None) in manifest order."""

    found: bool
    title: str | None = None
    signer: str | None = None
    organization: str | None = None
    actions: tuple[tuple[str, str | None], ...] = ()
    ingredients: tuple[str, ...] = ()
    intact: bool = False
    trusted: bool = False
    state: str | None = None
    problems: tuple[str, ...] = ()


def sdk_version(where=None) -> str:
    """The C2PA SDK's version (a signed cut is made again when it changes); raises FilmError,
    at `where` (the `signing:` setting's Loc) or else at `--sign`, when it is not installed."""
    try:
        from importlib.metadata import version

        import c2pa  # noqa: F401
        return version("c2pa-python")
    except ImportError:
        message = ("signing needs the C2PA SDK, which is not installed: pip install 'film[sign]' (in a clone: "
                   "pip install -e '.[sign]'), or take the signing: setting out")
        raise FilmError([where.problem(message) if where is not None else Problem("--sign", 0, message)]) from None


def available() -> bool:
    """Whether the C2PA SDK is installed (`film clean` keeps a signed cut only then)."""
    try:
        sdk_version()
        return True
    except FilmError:
        return False


def make_keys(folder: Path, name: str) -> Keys:
    """Make a local CA and an ECDSA P-256 signing certificate it issues to `name`, valid for five
    years, and write them into `folder` as NAME-chain.pem (signing certificate, then CA; NAME is
    `name` with runs of spaces and punctuation made one hyphen), NAME-key.pem (the signing key,
    unencrypted PKCS#8, mode 0600) and NAME-ca.pem. The CA's own key is not kept: nobody, the
    user included, can issue another certificate under it. Raises FilmError when `name` is not a
    plain file name, when any of the three files exists already (a key is never overwritten), or
    when the folder cannot be written."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID, ObjectIdentifier

    if not name or name != name.strip() or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
        raise FilmError([Problem("--name", 0, f"{name!r} is not a plain name for the key files")])
    stem = re.sub(r"[^\w.-]+", "-", name).strip("-") or "film"   # "Gull Point Films" -> Gull-Point-Films
    keys = Keys(folder / f"{stem}-chain.pem", folder / f"{stem}-key.pem", folder / f"{stem}-ca.pem")
    existing = [p for p in (keys.chain, keys.key, keys.ca) if p.exists()]
    if existing:
        raise FilmError([Problem(str(p), 0, "exists already; not overwriting a key or certificate "
                                 "(move it away first, or pick another name)") for p in existing])

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(hours=1), now + VALIDITY
    ca_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} local CA (film)"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)])
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, name)])

    def usage(signature: bool, cert_sign: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=signature, content_commitment=False,
                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                             key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False,
                             decipher_only=False)

    def certificate(who: x509.Name, public_key) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(who).issuer_name(ca_name)
                .public_key(public_key).serial_number(x509.random_serial_number())
                .not_valid_before(start).not_valid_after(end)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                               critical=False))

    ca = (certificate(ca_name, ca_key.public_key())
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(usage(signature=False, cert_sign=True), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (certificate(subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(signature=True, cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ObjectIdentifier(EMAIL_PROTECTION),
                                                  ObjectIdentifier(DOCUMENT_SIGNING)]), critical=False)
            .sign(ca_key, hashes.SHA256()))

    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write(keys.key, key_pem, 0o600)
        _write(keys.chain, leaf.public_bytes(pem) + ca.public_bytes(pem), 0o644)
        _write(keys.ca, ca.public_bytes(pem), 0o644)
    except OSError as e:
        raise FilmError([Problem(str(folder), 0, f"cannot write the keys: {e.strerror or e}")]) from None
    return keys


def film_manifest(title: str, tool: str, parts: Sequence[dict]) -> dict:
    """A C2PA manifest definition for a film called `title`, made with `tool` (e.g. "film
    0.1.0"), from `parts`: dicts with a `kind` (one of KINDS), and optionally an `id` (the
    shot's), `source` (an IPTC term, overriding the kind's), `model` (the AI model that made
    it) and `description`.

    The film's one `c2pa.created` action says what the whole is: compositeWithTrainedAlgorithmicMedia
    when any part is AI-generated, else compositeSynthetic when any part is synthetic (made by
    an algorithm), else compositeCapture when every part is a capture, else composite. Each
    made part adds a `c2pa.edited` action with its own digitalSourceType; each of the user's
    files (footage, still, sound) a `c2pa.placed` action naming the ingredient `sign` adds for
    it under the part's `id`. Raises FilmError for an unknown kind or term, or a user's file
    without an `id`."""
    problems, actions, sources = [], [], []
    for n, part in enumerate(parts, 1):
        kind, pid = part.get("kind"), part.get("id")
        if kind not in KINDS:
            problems.append(Problem(f"part {n}", 0, f"unknown kind {kind!r}{did_you_mean(str(kind), KINDS)}; "
                                    f"{one_of(KINDS)}"))
            continue
        source = part.get("source") or KINDS[kind]
        if source is not None:
            source = source.removeprefix(IPTC)
            if source not in IPTC_TERMS:
                problems.append(Problem(f"part {n}", 0, f"unknown digital source type {source!r}"
                                        f"{did_you_mean(source, IPTC_TERMS)}; {one_of(IPTC_TERMS)}"))
                continue
        sources.append(source)
        about = part.get("description") or " ".join(str(w) for w in (kind, pid) if w)
        action: dict = {"action": "c2pa.edited" if KINDS[kind] else "c2pa.placed", "description": about}
        if source:
            action["digitalSourceType"] = IPTC + source
        if part.get("model"):
            action["softwareAgent"] = {"name": str(part["model"])}
        if not KINDS[kind]:
            if not pid:
                problems.append(Problem(f"part {n}", 0, f"a {kind} part needs the `id` its file is signed in under"))
                continue
            action["parameters"] = {"ingredientIds": [str(pid)]}
        actions.append(action)
    if problems:
        raise FilmError(problems)

    if "trainedAlgorithmicMedia" in sources:
        whole = "compositeWithTrainedAlgorithmicMedia"
    elif any(s and s not in CAPTURES for s in sources):
        whole = "compositeSynthetic"
    elif sources and all(s in CAPTURES for s in sources):
        whole = "compositeCapture"
    else:
        whole = "composite"
    created = {"action": "c2pa.created", "digitalSourceType": IPTC + whole,
               "softwareAgent": {"name": tool}, "description": f"{title}, cut from {len(actions)} parts"}
    return {"claim_generator_info": [{"name": tool}], "title": title, "format": "video/mp4",
            "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [created, *actions]}}]}


def sign(source: Path, out: Path, manifest: dict, chain: Path, key: Path,
         ingredients: Sequence[tuple[Path, str]] = ()) -> None:
    """Write to `out` a copy of the MP4 (or MOV) `source` with the C2PA `manifest` (a manifest
    definition, as `film_manifest` makes) embedded and signed ES256 by `key` with the PEM
    certificate `chain` (signing certificate first), with no time stamp. `ingredients` are the
    user's files in the film, (path, id): each goes in as a componentOf ingredient under that
    id, which the manifest's `c2pa.placed` actions name (one is added for an id none names).
    `out` is written whole or not at all (temporary file, then renamed); it may be `source`.

    Raises FilmError for what the user can fix: a missing or unreadable file, a chain or key
    that is not PEM, an encrypted key or one that is not P-256, a key that does not belong to
    the chain's first certificate, a certificate out of its validity, and whatever the SDK
    refuses (e.g. a certificate without the extended key usage it needs)."""
    import c2pa

    media = SIGNABLE.get(source.suffix.lower())
    if media is None:
        raise FilmError([Problem(str(source), 0, f"cannot sign a {source.suffix or 'suffixless'} file; "
                                 f"{one_of(SIGNABLE)}")])
    chain_pem, key_pem = _check_credentials(chain, key)
    manifest = {**copy.deepcopy(manifest), "format": media}
    for path, _ in ingredients:
        _readable(path, "ingredient", whole=False)
    _readable(source, "film", whole=False)
    _place(manifest, [pid for _, pid in ingredients])

    readable = set(c2pa.Builder.get_supported_mime_types())
    streamed = []
    for path, pid in ingredients:
        fmt = FORMATS.get(path.suffix.lower(), "application/octet-stream")
        entry = {"title": path.name, "format": fmt, "relationship": "componentOf", "label": pid}
        if fmt in readable:
            streamed.append((path, fmt, entry))
        else:
            manifest.setdefault("ingredients", []).append(entry)

    try:
        with c2pa.Context.from_dict(OFFLINE) as context, \
                c2pa.Signer.from_info(
                    c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain_pem, key_pem, None)) as signer, \
                c2pa.Builder(manifest, context=context) as builder:
            for path, fmt, entry in streamed:
                with open(path, "rb") as f:
                    builder.add_ingredient(entry, fmt, f)
            with atomic(out) as temp, open(source, "rb") as src, open(temp, "w+b") as dest:
                builder.sign(signer, media, src, dest)
                dest.flush()
                os.fsync(dest.fileno())
    except c2pa.C2paError as e:
        message = str(e).strip()
        cert = any(w in message for w in ("certificate", "signingCredential", "EKU", "signing credentials"))
        hint = (" (it wants a signing certificate that is not a CA, with keyUsage digitalSignature, "
                "the emailProtection extended key usage and an Authority Key Identifier: `film keys` "
                "makes one)") if cert else ""
        raise FilmError([Problem(str(chain if cert else source), 0,
                                 f"the C2PA SDK refused to sign: {message}{hint}")]) from None
    except OSError as e:
        raise FilmError([Problem(str(e.filename or out), 0,
                                 f"cannot read or write: {e.strerror or e}")]) from None


def verify(path: Path, trust: Iterable[Path] = ()) -> Verification:
    """Read the C2PA manifest store of `path` and validate it with the SDK, offline. `trust`:
    PEM files of CA certificates to trust besides (a `film keys` NAME-ca.pem), so that a
    film signed with one reads `trusted`.

    A file without a manifest gives found=False; one the SDK cannot parse gives found=False
    with its message in `problems`. Raises FilmError when `path` or a trust file cannot be
    read, or a trust file holds no PEM certificate."""
    import c2pa

    anchors = []
    for anchor in trust:
        text = _readable(Path(anchor), "trust anchor").decode("utf-8", "replace")
        if "-----BEGIN CERTIFICATE-----" not in text:
            raise FilmError([Problem(str(anchor), 0, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)")])
        anchors.append(text.strip() + "\n")
    _readable(path, "film", whole=False)
    settings = copy.deepcopy(OFFLINE)
    if anchors:
        settings["trust"] = {"user_anchors": "".join(anchors)}
    fmt = SIGNABLE.get(path.suffix.lower()) or FORMATS.get(path.suffix.lower())
    try:
        with c2pa.Context.from_dict(settings) as context, open(path, "rb") as stream:
            reader = c2pa.Reader.try_create(fmt, stream, None, context)
            if reader is None:
                return Verification(found=False)
            with reader:
                store = json.loads(reader.json())
    except c2pa.C2paError as e:
        return Verification(found=False, problems=(f"the C2PA SDK cannot read this file: {str(e).strip()}",))
    except OSError as e:
        raise FilmError([Problem(str(path), 0, f"cannot read: {e.strerror or e}")]) from None

    manifest = store.get("manifests", {}).get(store.get("active_manifest"), {})
    info = manifest.get("signature_info", {})
    actions = tuple((a.get("action"), a.get("digitalSourceType"))
                    for assertion in manifest.get("assertions", [])
                    if assertion.get("label", "").startswith("c2pa.actions")
                    for a in assertion.get("data", {}).get("actions", []))
    state = store.get("validation_state")
    problems = tuple(f"{s.get('code')}: {s.get('explanation', '')}".rstrip(": ")
                     for s in store.get("validation_status", []))
    return Verification(found=True, title=manifest.get("title"), signer=info.get("common_name"),
                        organization=info.get("issuer"), actions=actions,
                        ingredients=tuple(i.get("title") for i in manifest.get("ingredients", [])),
                        intact=state in ("Valid", "Trusted"), trusted=state == "Trusted",
                        state=state, problems=problems)


def _check_credentials(chain: Path, key: Path) -> tuple[bytes, bytes]:
    """The PEM bytes of `chain` and `key`, checked as the SDK needs them; raises FilmError."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    chain_pem, key_pem = _readable(chain, "certificate chain"), _readable(key, "key")
    try:
        certificates = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise FilmError([Problem(str(chain), 0, "is not a PEM certificate chain "
                                 "(-----BEGIN CERTIFICATE----- blocks, signing certificate first)")]) from None
    try:
        private = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:
        raise FilmError([Problem(str(key), 0, "is encrypted; film signs with an unencrypted PEM key "
                                 "(openssl pkey -in KEY -out PLAIN)")]) from None
    except (ValueError, UnsupportedAlgorithm) as e:
        raise FilmError([Problem(str(key), 0, f"is not a PEM private key ({e})")]) from None
    if not isinstance(private, ec.EllipticCurvePrivateKey) or private.curve.name != "secp256r1":
        raise FilmError([Problem(str(key), 0, "is not an ECDSA P-256 key; film signs ES256 "
                                 "(make one with `film keys`)")])
    leaf = certificates[0]
    mine = serialization.PublicFormat.SubjectPublicKeyInfo
    if private.public_key().public_bytes(serialization.Encoding.DER, mine) != \
            leaf.public_key().public_bytes(serialization.Encoding.DER, mine):
        raise FilmError([Problem(str(key), 0, f"does not match the certificate it signs with (the first one "
                                 f"in {chain}); use the key that was made with that certificate")])
    now = datetime.datetime.now(datetime.timezone.utc)
    if not leaf.not_valid_before_utc <= now <= leaf.not_valid_after_utc:
        raise FilmError([Problem(str(chain), 0, f"the signing certificate is valid only from "
                                 f"{leaf.not_valid_before_utc:%Y-%m-%d} to {leaf.not_valid_after_utc:%Y-%m-%d}")])
    return chain_pem, key_pem


def _place(manifest: dict, ids: list[str]) -> None:
    """Check that every ingredient id an action names is given, and add a `c2pa.placed`
    action for each given id no action names (a componentOf ingredient is placed)."""
    actions = next((a["data"].setdefault("actions", []) for a in manifest.setdefault("assertions", [])
                    if a.get("label", "").startswith("c2pa.actions")), None)
    if actions is None:
        actions = []
        manifest["assertions"].append({"label": "c2pa.actions.v2", "data": {"actions": actions}})
    named = {i for a in actions for i in a.get("parameters", {}).get("ingredientIds", [])}
    missing = sorted(named - set(ids))
    if missing:
        raise FilmError([Problem(i, 0, "the manifest places this part, but no file was given for it")
                         for i in missing])
    if len(set(ids)) != len(ids):
        raise FilmError([Problem(i, 0, "more than one file given for this part") for i in sorted(set(ids))
                         if ids.count(i) > 1])
    actions.extend({"action": "c2pa.placed", "parameters": {"ingredientIds": [i]}}
                   for i in ids if i not in named)


def _readable(path: Path, what: str, whole: bool = True) -> bytes:
    """The bytes of `path` (or its first few when not `whole`); FilmError when it cannot be read."""
    try:
        with open(path, "rb") as f:
            return f.read() if whole else f.read(16)
    except OSError as e:
        raise FilmError([Problem(str(path), 0, f"cannot read the {what}: {e.strerror or e}")]) from None


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to `path` atomically, created with permissions `mode`."""
    with atomic(path) as temp:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temp, mode)   # whatever the umask took away


def film_parts(plan) -> tuple[list[dict], list[tuple[Path, str]]]:
    """A film's parts for `film_manifest` (each shot by how it is made, each synthesised voice)
    and its ingredients for `sign`: the writer's pictures, footage, recorded narration, music
    and effects, (path, id), each file once (a shot's file under the shot's id; the others
    under ids with a colon, which no shot id has)."""
    from .provenance import made_by, model_of, shot_files, synthesised

    kinds = {"trainedAlgorithmicMedia": "generated", "algorithmicMedia": "animatic"}
    parts: list[dict] = []
    files: dict[Path, str] = {}

    def ingredient(path: Path, pid: str) -> str:
        return files.setdefault(path, pid)

    for shot in plan.shots:
        own = shot_files(shot)
        if own and own[0][0] in ("still", "footage"):   # the shot is the writer's picture or video
            kind, path = own[0]
            parts.append({"kind": kind, "id": ingredient(path, shot.id), "description": f"shot {shot.id}: {path.name}"})
            continue
        kind = "card" if shot.kind != "shot" else kinds.get(made_by(shot), "animatic")
        part = {"kind": kind, "id": shot.id, "description": f"shot {shot.id}"}
        if kind == "generated":
            part["model"] = model_of(shot)
        parts.append(part)
        for _, path in own:   # a generated shot's first frame
            parts.append({"kind": "still", "id": ingredient(path, f"{shot.id}:first-frame"),
                          "description": f"shot {shot.id} starts from {path.name}"})
    for who in synthesised(plan):
        parts.append({"kind": "voice", "id": f"voice:{who or 'narrator'}",
                      "description": f"the voice of {who or 'the narrator'}"})
    sounds = ([plan.voiceover] if plan.voiceover is not None else []) \
        + [b.file for b in plan.music if b.file is not None] + [sfx.file for shot in plan.shots for sfx in shot.sfx]
    for n, path in enumerate(sounds, 1):
        if path not in files:
            parts.append({"kind": "sound", "id": ingredient(path, f"sound:{n}"), "description": path.name})
    return parts, [(path, pid) for path, pid in files.items()]
