"""Failure classes of the ledger core, each with a stable `code`.

This package has no Django, so messages are plain English; the Django app maps `code` onto its own
`DomainError`s. `FormatError`s mean "this is not well-formed input"; `VerificationError`s mean "this is
well-formed but does not prove what it claims".
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every ledger failure; `code` is the stable contract, the message is for people."""

    code = "ledger_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FormatError(LedgerError, ValueError):
    """Input that is not well-formed: it cannot even be checked."""

    code = "malformed"


class VerificationError(LedgerError):
    """Well-formed input that does not verify."""

    code = "verification_failed"


# Merkle trees and proofs.


class InvalidHashError(FormatError):
    code = "invalid_hash"


class InvalidTreeSizeError(FormatError):
    """A size or index out of range: index past the end, size1 above size2, a proof from the empty tree."""

    code = "invalid_tree_size"


class ProofLengthError(FormatError):
    code = "proof_wrong_length"


class RootMismatchError(VerificationError):
    code = "root_mismatch"


class MissingHashError(LedgerError, LookupError):
    """A hash reader was asked for a subtree hash it does not hold (a store bug, not bad input)."""

    code = "hash_missing"


# Tiles and entry bundles.


class TilePathError(FormatError):
    code = "tile_path_invalid"


class TileDataError(FormatError):
    code = "tile_data_invalid"


class EntryBundleError(FormatError):
    code = "entry_bundle_invalid"


class EntryTooLargeError(FormatError):
    code = "entry_too_large"


# Signed notes and checkpoints.


class KeyFormatError(FormatError):
    code = "key_malformed"


class NoteFormatError(FormatError):
    code = "note_malformed"


class SignatureInvalidError(VerificationError):
    code = "signature_invalid"


class DuplicateSignatureError(VerificationError):
    code = "signature_duplicate"


class NoKnownSignatureError(VerificationError):
    code = "no_known_signature"


class CheckpointFormatError(FormatError):
    code = "checkpoint_malformed"


class OriginMismatchError(VerificationError):
    code = "origin_mismatch"


class WitnessQuorumError(VerificationError):
    code = "witness_quorum_not_met"


# DSSE envelopes.


class EnvelopeFormatError(FormatError):
    code = "envelope_malformed"


class EnvelopeTooLargeError(EnvelopeFormatError):
    code = "envelope_too_large"


class PayloadTypeError(VerificationError):
    code = "payload_type_unexpected"


# Offline proof bundles.


class BundleFormatError(FormatError):
    code = "bundle_malformed"


# Item proof bundles.


class LogKeyMismatchError(VerificationError):
    code = "log_key_mismatch"


class KeyNotRegisteredError(VerificationError):
    code = "key_not_registered"
