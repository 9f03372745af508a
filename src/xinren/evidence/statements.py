"""What is signed for evidence: a photo, video or document vouched for (`evidence.media`), and its withdrawal."""

from __future__ import annotations

from xinren.accounts.choices import TRACE_KINDS
from xinren.attest.registry import COUNT, NONEMPTY, SHA256, TEXT, TIMESTAMP, statement_type

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
