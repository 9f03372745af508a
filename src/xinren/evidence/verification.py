"""Whether each piece of evidence shown to a consumer is in the log and still says what was signed.

The states are those of trace events (xinren.attest.proofs): verified, pending, mismatch. A mismatch
means the stored row (file digest, purpose, caption) no longer says what the logged statement says, or the
statement cannot be found: the album then leaves the evidence out rather than show it unverified.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xinren.attest.proofs import Proof, record_proofs

from .models import Evidence
from .statements import EVIDENCE_MEDIA


def evidence_matches_statement(*, evidence: Evidence, statement: dict[str, Any] | None) -> bool:
    """The row says what was signed: same file digest, type, purpose and caption."""
    return (
        statement is not None
        and statement.get("type") == EVIDENCE_MEDIA.name
        and statement.get("sha256") == evidence.media.sha256
        and statement.get("mediaType") == evidence.media.mime
        and statement.get("purpose") == evidence.purpose
        and statement.get("caption") == evidence.caption
    )


def evidence_proofs(evidence: Sequence[Evidence]) -> dict[int, Proof]:
    """The proof state of each piece of evidence by primary key (a few queries for any number).

    Needs `media` loaded (select_related) to avoid a query per row.
    """
    return record_proofs(
        evidence,
        leaf_hash=lambda item: item.leaf_hash,
        matches=lambda item, statement: evidence_matches_statement(evidence=item, statement=statement),
    )
