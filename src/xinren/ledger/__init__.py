"""Xinren's tamper-evident ledger, pure-Python core: no Django here, so anyone can verify offline.

Modules: `merkle` (RFC 9162 hashing and proof verification), `hashstore` (proofs from stored subtree
hashes, incremental append), `tiles` (C2SP tlog-tiles layout), `note` (C2SP signed notes and
cosignatures), `checkpoint` (C2SP tlog-checkpoint), `dsse` (DSSE envelopes), `proof` (offline proof
bundles), `errors` (failure classes with stable codes). See docs/ledger.md.
"""

from .checkpoint import Checkpoint, open_checkpoint, parse_checkpoint, sign_checkpoint
from .dsse import STATEMENT_PAYLOAD_TYPE, Envelope, parse_envelope, sign_envelope, verify_envelope
from .errors import FormatError, LedgerError, VerificationError
from .hashstore import CompactRange, HashReader, MemoryHashStore, consistency_proof, inclusion_proof, tree_root
from .merkle import EMPTY_ROOT, leaf_hash, node_hash, verify_consistency, verify_inclusion
from .note import Signer, Verifier, open_note, sign_note
from .proof import BundleVerdict, ProofBundle, make_bundle, parse_bundle, verify_bundle

__all__ = [
    "EMPTY_ROOT",
    "STATEMENT_PAYLOAD_TYPE",
    "BundleVerdict",
    "Checkpoint",
    "CompactRange",
    "Envelope",
    "FormatError",
    "HashReader",
    "LedgerError",
    "MemoryHashStore",
    "ProofBundle",
    "Signer",
    "VerificationError",
    "Verifier",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "make_bundle",
    "node_hash",
    "open_checkpoint",
    "open_note",
    "parse_bundle",
    "parse_checkpoint",
    "parse_envelope",
    "sign_checkpoint",
    "sign_envelope",
    "sign_note",
    "tree_root",
    "verify_bundle",
    "verify_consistency",
    "verify_envelope",
    "verify_inclusion",
]
