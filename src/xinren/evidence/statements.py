"""What is signed for evidence: a photo, video or document vouched for (`evidence.media`), and its withdrawal."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import TRACE_KINDS
from xinren.attest.records import signed_record, statement_says
from xinren.attest.registry import COUNT, NONEMPTY, SHA256, TEXT, TIMESTAMP, statement_type

from .models import Evidence

EVIDENCE_MEDIA = statement_type(
    name="evidence.media", context="evidence",
    summary="A photo, video or PDF vouched for about a product, lot or event: its SHA-256, type, purpose, caption.",
    signers=TRACE_KINDS,
    properties={
        "sha256": SHA256, "mediaType": NONEMPTY, "size": COUNT, "purpose": NONEMPTY, "caption": TEXT,
        "takenAt": TIMESTAMP,
    },
    required=["sha256", "mediaType", "purpose"],
)
EVIDENCE_WITHDRAWAL = statement_type(
    name="evidence.withdrawal", context="evidence",
    summary="Evidence withdrawn by whoever vouched for it, with the reason (`corrects` names the withdrawn entry).",
    signers=TRACE_KINDS,
    properties={"sha256": SHA256, "reason": NONEMPTY},
    required=["sha256", "reason", "corrects"],
)


def evidence_matches_statement(*, evidence: Evidence, statement: dict[str, Any] | None) -> bool:
    """The row says what was signed: same file digest, type, purpose and caption (needs `media` loaded)."""
    return statement_says(statement, {
        "type": EVIDENCE_MEDIA.name, "sha256": evidence.media.sha256, "mediaType": evidence.media.mime,
        "purpose": evidence.purpose, "caption": evidence.caption,
    })


def _withdrawal_matches(evidence: Evidence, statement: dict[str, Any] | None) -> bool:
    return statement_says(statement, {
        "type": EVIDENCE_WITHDRAWAL.name, "sha256": evidence.media.sha256, "corrects": evidence.leaf_hash,
        "reason": evidence.withdrawn_reason,
    })


EVIDENCE_RECORD = signed_record(
    model=Evidence, statement_type=EVIDENCE_MEDIA, leaf_hash="leaf_hash",
    matches=lambda evidence, statement: evidence_matches_statement(evidence=evidence, statement=statement),
    protected=("organization", "media", "product", "batch", "event", "purpose", "caption", "taken_at"),
    select_related=("media",),
)
# Withdrawing is the documented correction: a new statement that names the withdrawn entry; the row gains its
# leaf hash once, and the signed evidence columns stay as they were.
EVIDENCE_WITHDRAWAL_RECORD = signed_record(
    model=Evidence, statement_type=EVIDENCE_WITHDRAWAL, leaf_hash="withdrawal_leaf_hash", matches=_withdrawal_matches,
    protected=(), optional=True, select_related=("media",),
)
