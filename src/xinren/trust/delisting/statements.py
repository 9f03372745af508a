"""The public record of delisting on the trust score (ADR 0052): delisting, appeal, decision and relisting.

No personal data: the product's gtin and merchant, numbers, and the operator's public reason; the merchant's appeal
text may name people, so only its SHA-256 is signed (the text stays with the platform and the merchant).
"""

from __future__ import annotations

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.registry import GTIN, LEAF_HASH, NONEMPTY, ORGANIZATION, SHA256, statement_type

SCORE = {"type": "string", "pattern": r"^-?\d+\.\d{2}$"}
PLATFORM = [OrganizationKind.PLATFORM]

DELISTING = statement_type(
    name="trust.delisting",
    context="trust",
    summary="A product taken off sale because its trust score is, with 95 % confidence, below the bar: the formula "
    "and rule versions, score, standard deviation, upper bound, bar and each component's value.",
    signers=PLATFORM,
    properties={
        "merchant": ORGANIZATION,
        "gtin": GTIN,
        "version": NONEMPTY,
        "policy": NONEMPTY,
        "score": SCORE,
        "sd": {"type": "number", "minimum": 0},
        "upper": SCORE,
        "bar": SCORE,
        "z": {"type": "number"},
        "components": {"type": "object", "additionalProperties": {"anyOf": [SCORE, {"type": "null"}]}},
    },
    required=["merchant", "gtin", "version", "policy", "score", "sd", "upper", "bar", "z", "components"],
)
APPEAL = statement_type(
    name="trust.appeal",
    context="trust",
    summary="The merchant appeals a delisting: the delisting's leaf hash and the SHA-256 of its reason.",
    signers=CATALOG_KINDS,
    properties={"merchant": ORGANIZATION, "gtin": GTIN, "delisting": LEAF_HASH, "reason_sha256": SHA256},
    required=["merchant", "gtin", "delisting", "reason_sha256"],
)
DECISION = statement_type(
    name="trust.appeal.decision",
    context="trust",
    summary="The platform's decision on a delisting appeal: relist or uphold, with its public reason.",
    signers=PLATFORM,
    properties={
        "merchant": ORGANIZATION,
        "gtin": GTIN,
        "delisting": LEAF_HASH,
        "appeal": LEAF_HASH,
        "outcome": {"enum": ["relist", "uphold"]},
        "reason": NONEMPTY,
    },
    required=["merchant", "gtin", "delisting", "appeal", "outcome", "reason"],
)
RELISTING = statement_type(
    name="trust.relisting",
    context="trust",
    summary="A delisted product put back on sale: after an appeal, or because its score recovered (with the "
    "score and upper bound then).",
    signers=PLATFORM,
    properties={
        "merchant": ORGANIZATION,
        "gtin": GTIN,
        "delisting": LEAF_HASH,
        "cause": {"enum": ["appeal", "score_recovered"]},
        "score": SCORE,
        "upper": SCORE,
    },
    required=["merchant", "gtin", "delisting", "cause"],
)
