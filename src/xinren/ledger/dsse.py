"""DSSE envelopes (github.com/secure-systems-lab/dsse) signed with Ed25519.

A statement is signed as bytes, never re-serialised: the signature covers
PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, with LEN the ASCII decimal byte
length. The envelope is the JSON object {"payload": base64(body), "payloadType": type,
"signatures": [{"keyid": ..., "sig": base64(signature)}]}.

Parsing is strict so that the log only ever holds envelopes that any DSSE implementation reads the same
way: at most 65,535 bytes (one log entry; the tlog-tiles entry bundle length is a uint16), UTF-8 JSON
with exactly those members, no duplicate keys, padded canonical base64 (standard or URL-safe alphabet,
as DSSE allows), a non-empty payload, and 1..16 signatures.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .b64 import b64decode, b64encode
from .errors import (
    DuplicateSignatureError,
    EnvelopeFormatError,
    EnvelopeTooLargeError,
    NoKnownSignatureError,
    PayloadTypeError,
    SignatureInvalidError,
)
from .strict_json import unique_members

STATEMENT_PAYLOAD_TYPE = "application/vnd.xinren.statement+json"
MAX_ENVELOPE_SIZE = 0xFFFF
MAX_SIGNATURES = 16
_URLSAFE = re.compile(r"[A-Za-z0-9_-]*={0,2}")


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: the exact bytes that are signed."""
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(type_bytes), type_bytes, len(payload), payload)


def key_id_for(public_key: Ed25519PublicKey | bytes) -> str:
    """A key id derived from the key alone: lowercase hex SHA-256 of the raw 32-byte public key."""
    raw = public_key.public_bytes_raw() if isinstance(public_key, Ed25519PublicKey) else public_key
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class EnvelopeSignature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A payload, its type, and the signatures over PAE(type, payload)."""

    payload: bytes
    payload_type: str
    signatures: tuple[EnvelopeSignature, ...]

    def to_json(self) -> bytes:
        """Compact JSON bytes, refused when larger than one log entry may be."""
        document = {
            "payload": b64encode(self.payload),
            "payloadType": self.payload_type,
            "signatures": [{"keyid": s.keyid, "sig": b64encode(s.sig)} for s in self.signatures],
        }
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(data) > MAX_ENVELOPE_SIZE:
            raise EnvelopeTooLargeError(f"envelope would be {len(data)} bytes; at most {MAX_ENVELOPE_SIZE} are allowed")
        return data


def sign_envelope(
    payload: bytes, *, key: Ed25519PrivateKey, keyid: str, payload_type: str = STATEMENT_PAYLOAD_TYPE
) -> Envelope:
    """Sign `payload` as it is (no re-serialisation) into a one-signature envelope."""
    if not payload:
        raise EnvelopeFormatError("an envelope payload must not be empty")
    if not payload_type:
        raise EnvelopeFormatError("an envelope needs a payload type")
    envelope = Envelope(payload=payload, payload_type=payload_type, signatures=())
    return add_signature(envelope, key=key, keyid=keyid)


def add_signature(envelope: Envelope, *, key: Ed25519PrivateKey, keyid: str) -> Envelope:
    """The envelope with one more signature (e.g. a countersigning organization)."""
    if any(s.keyid == keyid for s in envelope.signatures):
        raise DuplicateSignatureError(f"key {keyid!r} has already signed this envelope")
    if len(envelope.signatures) >= MAX_SIGNATURES:
        raise EnvelopeFormatError(f"an envelope carries at most {MAX_SIGNATURES} signatures")
    sig = key.sign(pae(envelope.payload_type, envelope.payload))
    signed = Envelope(envelope.payload, envelope.payload_type, (*envelope.signatures, EnvelopeSignature(keyid, sig)))
    signed.to_json()  # refuse now, at signing time, what the log would refuse later
    return signed


def _b64(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise EnvelopeFormatError(f"{what} must be a base64 string")
    if ("-" in value or "_" in value) and _URLSAFE.fullmatch(value):
        value = value.replace("-", "+").replace("_", "/")
    return b64decode(value, what=what, error=EnvelopeFormatError)


def _refuse_constant(name: str) -> None:
    raise EnvelopeFormatError(f"envelope JSON holds {name}, which is not JSON")


# Built once: json.loads with hooks would build a new decoder (and scanner) for every envelope.
_DECODER = json.JSONDecoder(
    object_pairs_hook=unique_members(what="envelope JSON", error=EnvelopeFormatError), parse_constant=_refuse_constant
)


def parse_envelope(data: bytes | str) -> Envelope:
    """Parse envelope JSON strictly; signatures are not checked here (see `verify_envelope`)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not isinstance(raw, bytes):
        raise EnvelopeFormatError("an envelope is JSON text or bytes")
    if len(raw) > MAX_ENVELOPE_SIZE:
        raise EnvelopeTooLargeError(f"envelope is {len(raw)} bytes; at most {MAX_ENVELOPE_SIZE} are accepted")
    try:
        document = _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise EnvelopeFormatError("envelope is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise EnvelopeFormatError(f"envelope is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(document, dict):
        raise EnvelopeFormatError("envelope must be a JSON object")
    members = {"payload", "payloadType", "signatures"}
    if set(document) != members:
        missing, extra = sorted(members - set(document)), sorted(set(document) - members)
        raise EnvelopeFormatError(f"envelope members are wrong (missing: {missing}, unexpected: {extra})")
    payload = _b64(document["payload"], "payload")
    if not payload:
        raise EnvelopeFormatError("envelope payload is empty")
    payload_type = document["payloadType"]
    if not isinstance(payload_type, str) or not payload_type:
        raise EnvelopeFormatError("payloadType must be a non-empty string")
    entries = document["signatures"]
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_SIGNATURES:
        raise EnvelopeFormatError(f"signatures must be a list of 1..{MAX_SIGNATURES} objects")
    signatures = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "sig" not in entry or not set(entry) <= {"keyid", "sig"}:
            raise EnvelopeFormatError(f"signature {i} must be an object with sig and an optional keyid")
        keyid = entry.get("keyid", "")
        if not isinstance(keyid, str):
            raise EnvelopeFormatError(f"signature {i} keyid must be a string")
        signatures.append(EnvelopeSignature(keyid=keyid, sig=_b64(entry["sig"], f"signature {i} sig")))
    return Envelope(payload=payload, payload_type=payload_type, signatures=tuple(signatures))


@dataclass(frozen=True)
class VerifiedEnvelope:
    """The authenticated payload and the key ids whose signatures verified."""

    payload: bytes
    payload_type: str
    keyids: tuple[str, ...]


def verify_envelope(
    envelope: Envelope | bytes | str,
    keys: Mapping[str, Ed25519PublicKey | bytes],
    *,
    payload_type: str | Sequence[str] = STATEMENT_PAYLOAD_TYPE,
) -> VerifiedEnvelope:
    """Check the payload type and every signature by a known key id; at least one must be known.

    Signatures under unknown key ids are ignored, as DSSE prescribes; a known key's bad signature
    rejects the whole envelope, since it means the bytes were altered.
    """
    if not isinstance(envelope, Envelope):
        envelope = parse_envelope(envelope)
    allowed = (payload_type,) if isinstance(payload_type, str) else tuple(payload_type)
    if envelope.payload_type not in allowed:
        raise PayloadTypeError(f"payload type is {envelope.payload_type!r}, expected {' or '.join(allowed)}")
    message = pae(envelope.payload_type, envelope.payload)
    verified: list[str] = []
    for signature in envelope.signatures:
        key = keys.get(signature.keyid)
        if key is None:
            continue
        if signature.keyid in verified:
            raise DuplicateSignatureError(f"key {signature.keyid!r} signed the envelope twice")
        try:
            public = key if isinstance(key, Ed25519PublicKey) else Ed25519PublicKey.from_public_bytes(key)
            public.verify(signature.sig, message)
        except (InvalidSignature, ValueError):
            raise SignatureInvalidError(f"signature by key {signature.keyid!r} does not verify") from None
        verified.append(signature.keyid)
    if not verified:
        raise NoKnownSignatureError("the envelope carries no signature by a known key")
    return VerifiedEnvelope(payload=envelope.payload, payload_type=envelope.payload_type, keyids=tuple(verified))
