"""Whether each piece of evidence shown to a consumer is in the log and still says what was signed.

The states are those of trace events (xinren.trace.verification): verified, pending, mismatch. A mismatch
means the stored row (file digest, purpose, caption) no longer says what the logged statement says, or the
statement cannot be found: the album then leaves the evidence out rather than show it unverified.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from xinren.accounts.models import SigningKey
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.selectors import log_size
from xinren.trace.verification import MISMATCH, PENDING, VERIFIED, EventProof

from .models import Evidence

_CHUNK = 500


def _statements(hashes: list[bytes]) -> dict[bytes, tuple[int | None, dict[str, Any] | None, str]]:
    found: dict[bytes, tuple[int | None, dict[str, Any] | None, str]] = {}
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK]
        for index, leaf, envelope, key_id in LogEntry.objects.filter(leaf_hash__in=chunk).values_list(
            "index", "leaf_hash", "envelope", "signer_key_id"
        ):
            found[bytes(leaf)] = (index, _payload(bytes(envelope)), key_id)
    missing = [h for h in hashes if h not in found]
    for start in range(0, len(missing), _CHUNK):
        chunk = missing[start : start + _CHUNK]
        for leaf, envelope, key_id in PendingEntry.objects.filter(leaf_hash__in=chunk).values_list(
            "leaf_hash", "envelope", "signer_key_id"
        ):
            found[bytes(leaf)] = (None, _payload(bytes(envelope)), key_id)
    return found


def _payload(envelope: bytes) -> dict[str, Any] | None:
    try:
        statement = json.loads(parse_envelope(envelope).payload.decode("utf-8"))
    except (LedgerError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return statement if isinstance(statement, dict) else None


def evidence_matches_statement(*, evidence: Evidence, statement: dict[str, Any] | None) -> bool:
    """The row says what was signed: same file digest, type, purpose and caption."""
    return (
        statement is not None
        and statement.get("type") == "evidence.media"
        and statement.get("sha256") == evidence.media.sha256
        and statement.get("mediaType") == evidence.media.mime
        and statement.get("purpose") == evidence.purpose
        and statement.get("caption") == evidence.caption
    )


def evidence_proofs(evidence: Sequence[Evidence]) -> dict[int, EventProof]:
    """The proof state of each piece of evidence by primary key (a few queries for any number).

    Needs `media` loaded (select_related) to avoid a query per row.
    """
    hashes = sorted({bytes.fromhex(e.leaf_hash) for e in evidence if e.leaf_hash})
    logged = _statements(hashes)
    key_ids = {key_id for _index, _statement, key_id in logged.values()}
    signers = {k: n for k, n in SigningKey.objects.filter(key_id__in=key_ids).values_list(
        "key_id", "organization__name") if n}
    size = log_size()
    proofs: dict[int, EventProof] = {}
    for item in evidence:
        found = logged.get(bytes.fromhex(item.leaf_hash)) if item.leaf_hash else None
        if found is None or not evidence_matches_statement(evidence=item, statement=found[1]):
            proofs[item.pk] = EventProof(state=MISMATCH, leaf_hash=item.leaf_hash)
            continue
        index, _statement, key_id = found
        covered = index is not None and index < size
        proofs[item.pk] = EventProof(
            state=VERIFIED if covered else PENDING, leaf_hash=item.leaf_hash, index=index, signer_key_id=key_id,
            signer=signers.get(key_id, ""), checkpoint_size=size if covered else None,
        )
    return proofs
