"""C2SP tlog-checkpoint: the signed tree head of the log, as the text of a signed note.

    <origin>\\n
    <tree size, ASCII decimal, no leading zeroes>\\n
    <base64 root hash>\\n
    [<extension line>\\n ...]

Parsing is strict: anything a correct log would not produce is refused, so that two different texts
never stand for the same tree head.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .b64 import b64decode, b64encode
from .errors import (
    CheckpointFormatError,
    NoKnownSignatureError,
    OriginMismatchError,
    ProofLengthError,
    RootMismatchError,
    WitnessQuorumError,
)
from .merkle import EMPTY_ROOT, HASH_SIZE, verify_consistency
from .note import Signer, VerifiedNote, Verifier, add_signatures, open_note, parse_note, sign_note

MAX_TREE_SIZE = (1 << 64) - 1
_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: who (origin), how many leaves (size), and the Merkle root."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or any(ord(ch) < 0x20 for ch in self.origin):
            raise CheckpointFormatError("checkpoint origin must be a non-empty line")
        if not isinstance(self.size, int) or not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointFormatError(f"checkpoint tree size must be 0..2**64 - 1, got {self.size!r}")
        if not isinstance(self.root, bytes) or len(self.root) != HASH_SIZE:
            raise CheckpointFormatError(f"checkpoint root hash must be {HASH_SIZE} bytes")
        for ext in self.extensions:
            if not ext or "\n" in ext or any(ord(ch) < 0x20 for ch in ext):
                raise CheckpointFormatError("checkpoint extension lines must be non-empty single lines")

    def to_text(self) -> str:
        """The note text (body) of this checkpoint."""
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (the note text, not the signatures)."""
    if not isinstance(text, str) or not text.endswith("\n"):
        raise CheckpointFormatError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointFormatError(f"checkpoint needs origin, size and root lines, has {len(lines)} lines")
    origin, size_text, root_text, *extensions = lines
    if not _SIZE.fullmatch(size_text):
        raise CheckpointFormatError(f"checkpoint tree size {size_text!r} is not a decimal without leading zeroes")
    root = b64decode(root_text, what="checkpoint root hash", error=CheckpointFormatError)
    return Checkpoint(origin=origin, size=int(size_text), root=root, extensions=tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The signed note of `checkpoint` under the log's key."""
    return sign_note(checkpoint.to_text(), [signer])


def cosign_checkpoint(signed_checkpoint: str, cosigner: Signer, *, timestamp: int) -> str:
    """Add a witness cosignature (type 0x04, tlog-cosignature v1) to a signed checkpoint."""
    note = parse_note(signed_checkpoint)
    parse_checkpoint(note.text)
    return add_signatures(note, [cosigner], timestamp=timestamp)


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint signed by the log, with the witnesses whose cosignatures verified."""

    checkpoint: Checkpoint
    note: VerifiedNote
    witnesses: tuple[Verifier, ...]


def open_checkpoint(
    signed_checkpoint: str | bytes,
    log_key: Verifier,
    *,
    origin: str | None = None,
    witnesses: Iterable[Verifier] = (),
    quorum: int = 0,
) -> VerifiedCheckpoint:
    """Verify the log's signature, parse the body, check the origin and a witness quorum.

    `origin` defaults to the log key's name, which the spec says the origin SHOULD match and which
    Xinren's log always uses; pass the expected origin explicitly for other logs.
    """
    witness_keys = tuple(witnesses)
    if quorum > len(witness_keys):
        raise WitnessQuorumError(f"a quorum of {quorum} cannot be met by {len(witness_keys)} known witnesses")
    note = open_note(signed_checkpoint, [log_key, *witness_keys])
    if not note.signed_by(log_key):
        raise NoKnownSignatureError(f"the checkpoint is not signed by the log key {log_key.name}")
    checkpoint = parse_checkpoint(note.text)
    expected = log_key.name if origin is None else origin
    if checkpoint.origin != expected:
        raise OriginMismatchError(f"checkpoint origin is {checkpoint.origin!r}, expected {expected!r}")
    cosigned = tuple(w for w in witness_keys if note.signed_by(w))
    if len(cosigned) < quorum:
        raise WitnessQuorumError(f"{len(cosigned)} of the known witnesses cosigned, {quorum} are required")
    return VerifiedCheckpoint(checkpoint=checkpoint, note=note, witnesses=cosigned)


def verify_checkpoints_consistent(old: Checkpoint, new: Checkpoint, proof: Sequence[bytes]) -> None:
    """Raise unless `new` extends `old`: same log, and a valid consistency proof between them.

    An empty `old` checkpoint needs no proof, only the empty tree's root; the Merkle layer refuses proofs
    from size 0 because there is nothing for them to prove.
    """
    if old.origin != new.origin:
        raise OriginMismatchError(f"checkpoints come from different logs: {old.origin!r} and {new.origin!r}")
    if old.size == 0:
        if old.root != EMPTY_ROOT:
            raise RootMismatchError("a checkpoint of the empty tree must carry the empty tree's root")
        if proof:
            raise ProofLengthError("a consistency proof from the empty tree must be empty")
        return
    verify_consistency(old.size, new.size, proof, old.root, new.root)
