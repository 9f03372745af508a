"""What the platform signs about brushing rings (刷单): the detector's flag and the operator's decision (ADR 0050).

Every automated act is a statement naming the detector's version: `governance.ring.flag` when the detector stores a
ring, `governance.ring.decision` when a person confirms or dismisses it. No personal data and no user ids: the shop
as `org:<id>`, the member count, the score, the signals that found the ring and how many members each covers, and a
ring id that is a hash of the shop and the members (it cannot be reversed into accounts). The folds of a confirmed
ring's reviews are signed by reviews, each with its public reason.
"""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import COUNT, NONEMPTY, ORGANIZATION, SHA256, TEXT, statement_type

PLATFORM = [OrganizationKind.PLATFORM]
SIGNALS = {
    "enum": [
        "rare_copurchase", "lockstep", "shared_phone", "shared_address", "shared_device", "shared_payment",
        "duplicate_reviews", "new_account_burst", "hourly_repeat", "dense_block",
    ]
}

RING_FLAG = statement_type(
    name="governance.ring.flag",
    context="governance",
    summary="The brushing-ring detector flagged a group of buyers at a shop for an operator: member count, score, "
    "detector version and the signals found (no buyer is named).",
    signers=PLATFORM,
    properties={
        "merchant": ORGANIZATION,
        "ring": SHA256,
        "members": {"type": "integer", "minimum": 1},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "detector_version": NONEMPTY,
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"signal": SIGNALS, "buyers": COUNT, "coverage": {"type": "number", "minimum": 0,
                                                                                 "maximum": 1}},
                "required": ["signal", "buyers", "coverage"],
                "additionalProperties": False,
            },
        },
    },
    required=["merchant", "ring", "members", "score", "detector_version", "evidence"],
).name

RING_DECISION = statement_type(
    name="governance.ring.decision",
    context="governance",
    summary="A platform operator confirmed or dismissed a flagged brushing ring, with the public reason and how many "
    "reviews were folded (each fold is signed by reviews).",
    signers=PLATFORM,
    properties={
        "merchant": ORGANIZATION,
        "ring": SHA256,
        "flag_statement": SHA256,
        "decision": {"enum": ["confirmed", "dismissed"]},
        "reason": NONEMPTY,
        "reviews_folded": COUNT,
        "detector_version": NONEMPTY,
        "note": TEXT,
    },
    required=["merchant", "ring", "decision", "reason", "reviews_folded", "detector_version"],
).name
