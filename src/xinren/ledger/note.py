"""C2SP signed notes (c2sp.org/signed-note) with Ed25519, and Ed25519 witness cosignatures.

A signed note is text ending in a newline, a blank line, then signature lines
`— <key name> <base64(4-byte key ID ‖ signature)>`. The key ID is the first four bytes of
SHA-256(name ‖ 0x0A ‖ type ‖ public key). Two signature types are supported:

- 0x01, plain Ed25519 over the note text (how a log signs its checkpoint);
- 0x04, c2sp.org/tlog-cosignature v1: an 8-byte big-endian timestamp ‖ Ed25519 over
  "cosignature/v1\\ntime <t>\\n" ‖ note text (how a witness cosigns a checkpoint).

Keys travel as strings: a verifier key `<name>+<hex key ID>+<base64(type ‖ public key)>` and a signer key
`PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ seed)>`, the formats of golang.org/x/mod/sumdb/note.

Opening a note follows the spec: signatures by unknown keys are ignored (and reported), a signature by a
known key must verify, the same known key may not sign twice, and at least one known key must have signed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .b64 import b64decode, b64encode
from .errors import (
    DuplicateSignatureError,
    KeyFormatError,
    NoKnownSignatureError,
    NoteFormatError,
    SignatureInvalidError,
)

SIG_ED25519 = 0x01
SIG_COSIGNATURE_V1 = 0x04
SIG_TYPES = (SIG_ED25519, SIG_COSIGNATURE_V1)
SIGNATURE_PREFIX = "— "
MAX_SIGNATURES = 100
MAX_NOTE_SIZE = 1 << 20
MAX_TIMESTAMP = (1 << 63) - 1
_ED25519_SIG_SIZE = 64
_HEX_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a big-endian integer."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def is_valid_key_name(name: str) -> bool:
    """Non-empty, no Unicode spaces, no `+`."""
    return bool(name) and "+" not in name and not any(ch.isspace() for ch in name) and _is_clean(name, "")


def _is_clean(text: str, allowed: str) -> bool:
    """Valid UTF-8 (no lone surrogates) without ASCII controls other than those `allowed`."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(ord(ch) < 0x20 and ch not in allowed for ch in text)


def _cosigned_message(text: bytes, timestamp: int) -> bytes:
    return b"cosignature/v1\ntime %d\n" % timestamp + text


def _parse_key_material(sig_type_and_key: bytes, what: str) -> tuple[int, bytes]:
    if len(sig_type_and_key) != 33 or sig_type_and_key[0] not in SIG_TYPES:
        raise KeyFormatError(f"{what} must be an Ed25519 key of type 0x01 or 0x04 (33 bytes with the type)")
    return sig_type_and_key[0], sig_type_and_key[1:]


@dataclass(frozen=True)
class Verifier:
    """A public key that checks note signatures of one name and type."""

    name: str
    public_key: bytes
    sig_type: int = SIG_ED25519
    key_id: int = field(init=False)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise KeyFormatError(f"key name {self.name!r} is empty or holds a space, `+` or control character")
        _parse_key_material(bytes([self.sig_type]) + self.public_key, "verifier key")
        object.__setattr__(self, "key_id", key_id(self.name, self.sig_type, self.public_key))

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        """Parse `<name>+<hex key ID>+<base64(type ‖ public key)>`, checking the key ID."""
        parts = vkey.split("+", 2) if isinstance(vkey, str) else []
        if len(parts) != 3 or not _HEX_KEY_ID.fullmatch(parts[1]):
            raise KeyFormatError("a verifier key is <name>+<8 hex digits>+<base64 key>")
        sig_type, public_key = _parse_key_material(b64decode(parts[2], what="verifier key", error=KeyFormatError),
                                                   "verifier key")
        verifier = cls(name=parts[0], public_key=public_key, sig_type=sig_type)
        if verifier.key_id != int(parts[1], 16):
            raise KeyFormatError(f"verifier key for {parts[0]!r} has key ID {parts[1]}, but its key hashes to "
                                 f"{verifier.key_id:08x}")
        return verifier

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{b64encode(bytes([self.sig_type]) + self.public_key)}"

    def verify(self, text: bytes, signature: bytes) -> int | None:
        """Raise unless `signature` (without key ID) signs `text`; return a cosignature's timestamp."""
        timestamp: int | None = None
        message = text
        if self.sig_type == SIG_COSIGNATURE_V1:
            if len(signature) != 8 + _ED25519_SIG_SIZE:
                raise SignatureInvalidError(f"cosignature by {self.name} is {len(signature)} bytes, not 72")
            timestamp = int.from_bytes(signature[:8], "big")
            if timestamp > MAX_TIMESTAMP:
                raise SignatureInvalidError(f"cosignature by {self.name} has a timestamp past 2**63 - 1")
            message, signature = _cosigned_message(text, timestamp), signature[8:]
        if len(signature) != _ED25519_SIG_SIZE:
            raise SignatureInvalidError(f"signature by {self.name} is {len(signature)} bytes, not 64")
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            raise SignatureInvalidError(f"signature by {self.name} ({self.key_id:08x}) does not verify") from None
        return timestamp


@dataclass(frozen=True)
class Signer:
    """A private key that signs notes under one name and type."""

    name: str
    seed: bytes = field(repr=False)
    sig_type: int = SIG_ED25519

    def __post_init__(self) -> None:
        if len(self.seed) != 32:
            raise KeyFormatError("an Ed25519 seed is 32 bytes")

    @classmethod
    def generate(cls, name: str, sig_type: int = SIG_ED25519) -> Signer:
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        signer = cls(name=name, seed=seed, sig_type=sig_type)
        signer.verifier()  # validates the name and type now rather than at first use
        return signer

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ seed)>`, checking the key ID."""
        parts = skey.split("+", 4) if isinstance(skey, str) else []
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _HEX_KEY_ID.fullmatch(parts[3]):
            raise KeyFormatError("a signer key is PRIVATE+KEY+<name>+<8 hex digits>+<base64 key>")
        sig_type, seed = _parse_key_material(b64decode(parts[4], what="signer key", error=KeyFormatError),
                                             "signer key")
        signer = cls(name=parts[2], seed=seed, sig_type=sig_type)
        if signer.verifier().key_id != int(parts[3], 16):
            raise KeyFormatError(f"signer key for {parts[2]!r} has key ID {parts[3]}, but its key hashes otherwise")
        return signer

    @property
    def skey(self) -> str:
        material = b64encode(bytes([self.sig_type]) + self.seed)
        return f"PRIVATE+KEY+{self.name}+{self.verifier().key_id:08x}+{material}"

    def verifier(self) -> Verifier:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()
        return Verifier(name=self.name, public_key=public, sig_type=self.sig_type)

    def sign(self, text: bytes, *, timestamp: int | None = None) -> bytes:
        """The signature bytes (without key ID); a cosigner must say when it signs."""
        key = Ed25519PrivateKey.from_private_bytes(self.seed)
        if self.sig_type == SIG_COSIGNATURE_V1:
            if timestamp is None or not 0 <= timestamp <= MAX_TIMESTAMP:
                raise KeyFormatError("a cosignature needs a POSIX timestamp between 0 and 2**63 - 1")
            return timestamp.to_bytes(8, "big") + key.sign(_cosigned_message(text, timestamp))
        return key.sign(text)


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and signature bytes (key ID stripped)."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id.to_bytes(4, 'big') + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    """A note's text (including its final newline) and its signature lines, not yet verified."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def to_text(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)


def _check_text(text: str) -> None:
    if not isinstance(text, str) or not text.endswith("\n"):
        raise NoteFormatError("note text must be non-empty and end with a newline")
    if not _is_clean(text, "\n"):
        raise NoteFormatError("note text must be valid UTF-8 without control characters other than newline")


def parse_note(message: str | bytes) -> Note:
    """Split a signed note into text and signature lines, checking the format only."""
    if isinstance(message, bytes):
        if len(message) > MAX_NOTE_SIZE:
            raise NoteFormatError(f"note is larger than {MAX_NOTE_SIZE} bytes")
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteFormatError("note is not valid UTF-8") from None
    if not isinstance(message, str):
        raise NoteFormatError("a note is text")
    if len(message.encode("utf-8", "surrogatepass")) > MAX_NOTE_SIZE:
        raise NoteFormatError(f"note is larger than {MAX_NOTE_SIZE} bytes")
    if not _is_clean(message, "\n"):
        raise NoteFormatError("note must be valid UTF-8 without control characters other than newline")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteFormatError("note has no blank line before its signatures")
    text, block = message[: split + 1], message[split + 2 :]
    if not block.endswith("\n"):
        raise NoteFormatError("note has no signature lines, or the last one lacks its newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteFormatError(f"note has more than {MAX_SIGNATURES} signatures")
    signatures = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteFormatError(f"signature line {number} does not start with an em dash and a space")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not is_valid_key_name(name):
            raise NoteFormatError(f"signature line {number} has an invalid key name {name!r}")
        raw = b64decode(encoded, what=f"signature line {number}", error=NoteFormatError)
        if len(raw) < 5:
            raise NoteFormatError(f"signature line {number} is too short to hold a key ID and a signature")
        signatures.append(NoteSignature(name=name, key_id=int.from_bytes(raw[:4], "big"), signature=raw[4:]))
    return Note(text=text, signatures=tuple(signatures))


def sign_note(text: str, signers: Sequence[Signer], *, timestamp: int | None = None) -> str:
    """A signed note of `text` with one signature per signer, in order."""
    return add_signatures(Note(text=text, signatures=()), signers, timestamp=timestamp)


def add_signatures(note: Note | str, signers: Sequence[Signer], *, timestamp: int | None = None) -> str:
    """Append signatures (e.g. witness cosignatures) to a note, keeping the existing ones."""
    if isinstance(note, str):
        note = parse_note(note)
    _check_text(note.text)
    if not signers and not note.signatures:
        raise NoteFormatError("a signed note needs at least one signature")
    data = note.text.encode()
    added: list[NoteSignature] = []
    for signer in signers:
        verifier = signer.verifier()
        if any((s.name, s.key_id) == (verifier.name, verifier.key_id) for s in note.signatures + tuple(added)):
            raise DuplicateSignatureError(f"{verifier.name} ({verifier.key_id:08x}) has already signed this note")
        added.append(NoteSignature(verifier.name, verifier.key_id, signer.sign(data, timestamp=timestamp)))
    return Note(text=note.text, signatures=note.signatures + tuple(added)).to_text()


@dataclass(frozen=True)
class VerifiedSignature:
    verifier: Verifier
    timestamp: int | None


@dataclass(frozen=True)
class VerifiedNote:
    """A note whose signatures by known keys all verified; unknown ones are listed, unverified."""

    text: str
    verified: tuple[VerifiedSignature, ...]
    unverified: tuple[NoteSignature, ...]

    def signed_by(self, verifier: Verifier) -> bool:
        return any(v.verifier == verifier for v in self.verified)


def open_note(message: str | bytes, verifiers: Iterable[Verifier]) -> VerifiedNote:
    """Parse and verify a signed note against the known `verifiers`."""
    known: dict[tuple[str, int], Verifier] = {}
    for known_key in verifiers:
        if (known_key.name, known_key.key_id) in known:
            raise KeyFormatError(f"two known keys share the name {known_key.name} and key ID {known_key.key_id:08x}")
        known[(known_key.name, known_key.key_id)] = known_key
    note = parse_note(message)
    data = note.text.encode()
    verified: list[VerifiedSignature] = []
    unverified: list[NoteSignature] = []
    for sig in note.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            if sig not in unverified:
                unverified.append(sig)
            continue
        if any(v.verifier == verifier for v in verified):
            raise DuplicateSignatureError(f"{sig.name} ({sig.key_id:08x}) signed the note twice")
        verified.append(VerifiedSignature(verifier=verifier, timestamp=verifier.verify(data, sig.signature)))
    if not verified:
        names = ", ".join(sorted({name for name, _ in known})) or "none"
        raise NoKnownSignatureError(f"the note carries no signature by a known key (known: {names})")
    return VerifiedNote(text=note.text, verified=tuple(verified), unverified=tuple(unverified))
