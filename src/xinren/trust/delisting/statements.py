"""The public record of delisting on the trust score (ADR 0052): delisting, appeal, decision and relisting.

No personal data: the product's gtin and merchant, numbers, and the operator's public reason; the merchant's appeal
text may name people, so only its SHA-256 is signed (the text stays with the platform and the merchant).
"""

from __future__ import annotations

import hashlib
from typing import Any

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.keys import owner_of
from xinren.attest.records import Statement, same_instant, signed_record, statement_says
from xinren.attest.registry import GTIN, LEAF_HASH, NONEMPTY, ORGANIZATION, SHA256, statement_type

from ..models import Delisting, DelistingAppeal, DelistingEntry
from .choices import AppealStatus

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


# The rows that restate these statements (attest.records): the database refuses to change their signed columns or
# to delete them, and `xinren ledger audit` checks each against its log entry. A relisting is restated only by its
# line of the public history (a DelistingEntry, never changed after it is written).


def score_text(value: Any) -> str:
    """A score, bound or bar as these statements carry it (`SCORE`): two decimals."""
    return f"{value:.2f}"


def delisting_matches(row: Any, statement: Statement | None) -> bool:
    product = row.product
    return statement is not None and statement_says(statement, {
        "type": DELISTING.name, "merchant": owner_of(product.merchant), "gtin": product.gtin, "version": row.version,
        "policy": row.policy, "score": score_text(row.score), "sd": row.sd, "upper": score_text(row.upper),
        "bar": score_text(row.bar), "components": row.components,
    }) and same_instant(statement.get("time"), row.created_at)


def appeal_matches(row: Any, statement: Statement | None) -> bool:
    product = row.delisting.product
    return statement is not None and statement_says(statement, {
        "type": APPEAL.name, "merchant": owner_of(product.merchant), "gtin": product.gtin,
        "delisting": row.delisting.leaf_hash, "reason_sha256": hashlib.sha256(row.reason.encode()).hexdigest(),
    }) and same_instant(statement.get("time"), row.created_at)


def appeal_decision_matches(row: Any, statement: Statement | None) -> bool:
    product = row.delisting.product
    return statement is not None and statement_says(statement, {
        "type": DECISION.name, "merchant": owner_of(product.merchant), "gtin": product.gtin,
        "delisting": row.delisting.leaf_hash, "appeal": row.leaf_hash,
        "outcome": "relist" if row.status == AppealStatus.RELISTED else "uphold", "reason": row.decision_reason,
    }) and same_instant(statement.get("time"), row.decided_at)


DELISTING_RECORD = signed_record(
    model=Delisting, statement_type=DELISTING, matches=delisting_matches, leaf_hash="leaf_hash", signer=None,
    protected=("product", "suspension", "policy", "version", "score", "sd", "upper", "bar", "components",
               "created_at"),
    select_related=("product__merchant",), children=(DelistingEntry,),
)
APPEAL_RECORD = signed_record(
    model=DelistingAppeal, statement_type=APPEAL, matches=appeal_matches, leaf_hash="leaf_hash",
    signer="delisting.product.merchant", protected=("delisting", "reason", "created_at"),
    select_related=("delisting__product__merchant",),
)
# Signed once an operator decides; an appeal closed because the score recovered has no decision.
APPEAL_DECISION_RECORD = signed_record(
    model=DelistingAppeal, statement_type=DECISION, matches=appeal_decision_matches,
    leaf_hash="decision_leaf_hash", signer=None, optional=True,
    protected=("status", "decided_by", "decision_reason", "decided_at"),
    select_related=("delisting__product__merchant",),
)
