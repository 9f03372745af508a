"""Whether each recorded check is in the log and still says what the platform signed.

A check row that was edited after signing (say, its status flipped to "valid") no longer matches its
statement and shows as a mismatch; labels resting on it then disappear.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from xinren.ledger.dsse import parse_envelope
from xinren.ledger.errors import LedgerError
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.selectors import log_size
from xinren.trace.verification import MISMATCH, PENDING, VERIFIED, EventProof

from .models import CredentialCheck
from .services import check_statement


def _payload(envelope: bytes) -> dict[str, Any] | None:
    try:
        statement = json.loads(parse_envelope(envelope).payload.decode("utf-8"))
    except (LedgerError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return statement if isinstance(statement, dict) else None


def check_proofs(checks: Sequence[CredentialCheck]) -> dict[int, EventProof]:
    """The proof state of each check, keyed by its primary key (needs `organization` loaded)."""
    hashes = sorted({bytes.fromhex(c.ledger_leaf_hash) for c in checks if c.ledger_leaf_hash})
    logged: dict[bytes, tuple[int | None, dict[str, Any] | None, str]] = {}
    for position, leaf, envelope, key_id in LogEntry.objects.filter(leaf_hash__in=hashes).values_list(
        "index", "leaf_hash", "envelope", "signer_key_id"
    ):
        logged[bytes(leaf)] = (position, _payload(bytes(envelope)), key_id)
    missing = [h for h in hashes if h not in logged]
    for leaf, envelope, key_id in PendingEntry.objects.filter(leaf_hash__in=missing).values_list(
        "leaf_hash", "envelope", "signer_key_id"
    ):
        logged[bytes(leaf)] = (None, _payload(bytes(envelope)), key_id)
    size = log_size()
    proofs: dict[int, EventProof] = {}
    for check in checks:
        found = logged.get(bytes.fromhex(check.ledger_leaf_hash)) if check.ledger_leaf_hash else None
        if found is None or found[1] != check_statement(check):
            proofs[check.pk] = EventProof(state=MISMATCH, leaf_hash=check.ledger_leaf_hash)
            continue
        index, _statement, key_id = found
        covered = index is not None and index < size
        proofs[check.pk] = EventProof(
            state=VERIFIED if covered else PENDING,
            leaf_hash=check.ledger_leaf_hash,
            index=index,
            signer_key_id=key_id,
            checkpoint_size=size if covered else None,
        )
    return proofs
