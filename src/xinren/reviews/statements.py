"""What is signed into the ledger for reviews, diaries, replies, folds and author responses.

A statement names the reviewer only by pseudonym (`consumer_public_id`) and the purchase by GTIN and a salted
commitment (`purchase`, see `purchase_commitment`): never a phone number, a name, an address, an order number or
a delivery time. Reviews signed before the commitment carry `order_line.order` and `delivered_at` instead; the
schema keeps accepting them so that they stay verifiable. Follow-up statements point at the review's leaf hash
in their `review` field.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.keys import owner_of
from xinren.attest.records import signed_record, statement_says
from xinren.attest.registry import (
    BOOLEAN,
    GTIN,
    LEAF_HASH,
    NONEMPTY,
    ORGANIZATION,
    SHA256,
    TEXT,
    TIMESTAMP,
    statement_type,
    statement_type_get,
)
from xinren.catalog.gs1 import DigitalLink
from xinren.orders.models import OrderLine

from .models import DiaryEntry, Fold, Reply, Review, ReviewMedia

PLATFORM = [OrganizationKind.PLATFORM]
RATING = {"type": "integer", "minimum": 1, "maximum": 5}
# The detailed seller ratings (描述相符 / 服务态度 / 物流服务) as signed, in this order.
SELLER_RATINGS = ("description", "service", "logistics")
REVIEW = statement_type(
    name="review", context="reviews",
    summary="A verified buyer's review (by pseudonym) of a delivered order line: stars, text, tags, media digests, "
            "a salted commitment to the order number and delivery time (`purchase`), and, since they are asked, "
            "the detailed seller ratings 1–5 (`seller_ratings`).",
    signers=PLATFORM,
    properties={
        "reviewer": NONEMPTY,
        # `order` only in reviews signed before the commitment (kept verifiable); new ones name the GTIN alone.
        "order_line": {
            "type": "object", "properties": {"order": NONEMPTY, "gtin": GTIN}, "required": ["gtin"],
            "additionalProperties": False,
        },
        "merchant": ORGANIZATION, "verified_purchase": BOOLEAN,
        "delivered_at": {"anyOf": [TIMESTAMP, {"type": "null"}]},  # likewise only before the commitment
        "purchase": SHA256,
        "stars": {"type": "integer", "minimum": 1, "maximum": 5}, "text": TEXT,
        "tags": {"type": "array", "items": NONEMPTY}, "media": {"type": "array", "items": SHA256},
        # Only in reviews posted since the detailed seller ratings were asked (reviews migration 0009).
        "seller_ratings": {
            "type": "object",
            "properties": {name: RATING for name in SELLER_RATINGS},
            "required": list(SELLER_RATINGS), "additionalProperties": False,
        },
    },
    required=["reviewer", "order_line", "merchant", "verified_purchase", "stars", "text"],
).name
DIARY = statement_type(
    name="review.diary", context="reviews",
    summary="A usage diary added to a review at day 7, 15 or 30 after delivery.",
    signers=PLATFORM,
    properties={"review": LEAF_HASH, "reviewer": NONEMPTY, "milestone_days": {"enum": [7, 15, 30]}, "text": TEXT},
    required=["review", "reviewer", "milestone_days", "text"],
).name
REPLY = statement_type(
    name="review.reply", context="reviews",
    summary="The merchant's one public reply to a review.",
    signers=CATALOG_KINDS,
    properties={"review": LEAF_HASH, "merchant": ORGANIZATION, "text": NONEMPTY},
    required=["review", "merchant", "text"],
).name
FOLD = statement_type(
    name="review.fold", context="reviews",
    summary="A review folded (never deleted, E-commerce Law art. 39) with its public reason and what raised it.",
    signers=PLATFORM,
    properties={"review": LEAF_HASH, "source": NONEMPTY, "reason": NONEMPTY},
    required=["review", "source", "reason"],
).name
RESPONSE = statement_type(
    name="review.response", context="reviews",
    summary="The author's one public response to a fold of their review.",
    signers=PLATFORM,
    properties={"review": LEAF_HASH, "reviewer": NONEMPTY, "text": NONEMPTY},
    required=["review", "reviewer", "text"],
).name
UNFOLD = statement_type(
    name="review.unfold", context="reviews",
    summary="An integrity fold found to be a false alarm: the review is shown again (the fold stays on record).",
    signers=PLATFORM,
    properties={"review": LEAF_HASH, "reason": NONEMPTY},
    required=["review", "reason"],
).name


def product_subject(gtin: str) -> str:
    """Statements about reviews are about the product: its GS1 Digital Link URI."""
    return DigitalLink(gtin=gtin).uri(settings.XINREN_RESOLVER)


def purchase_commitment(*, salt: str, order: str, delivered_at: datetime | None) -> str:
    """SHA-256 (hex) of the review's random salt, the order number and the delivery time, one per line (UTF-8,
    the time in ISO 8601 as stored, "" when unknown). The salt stays in the review's row, so the statement reveals
    neither; the buyer or the platform proves the purchase by showing the three values."""
    when = delivered_at.isoformat() if delivered_at is not None else ""
    return hashlib.sha256(f"{salt}\n{order}\n{when}".encode()).hexdigest()


def purchase_salt() -> str:
    """A fresh salt for one review: 32 random bytes, hex (an order number alone could be guessed and tried)."""
    return secrets.token_hex(32)


def purchase_opening(review: Review) -> dict[str, str] | None:
    """What opens a review's `purchase` commitment (salt, order number, delivery time, the commitment), for the
    buyer or the platform to show whoever must check the purchase; None for a review signed before commitments."""
    if not review.purchase_salt:
        return None
    order = review.line.order
    return {
        "salt": review.purchase_salt, "order": order.number,
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at is not None else "",
        "commitment": purchase_commitment(salt=review.purchase_salt, order=order.number,
                                          delivered_at=order.delivered_at),
    }


def review_statement(
    *, line: OrderLine, reviewer: str, stars: int, text: str, tags: list[str], at: datetime, salt: str,
    media: list[str] | None = None, seller_ratings: dict[str, int] | None = None,
) -> dict[str, Any]:
    """The platform vouches that this pseudonymous reviewer bought and received this order line; `media` is the
    SHA-256 of each photo and video, in upload order (the files are in the evidence store under that name). The
    order number and delivery time are committed to with `salt` (kept in the row), never published."""
    order = line.order
    return {
        "type": REVIEW,
        "subject": product_subject(line.gtin),
        "time": at.isoformat(),
        "reviewer": reviewer,
        "order_line": {"gtin": line.gtin},
        "purchase": purchase_commitment(salt=salt, order=order.number, delivered_at=order.delivered_at),
        "merchant": owner_of(order.merchant),
        "verified_purchase": True,
        "stars": stars,
        "text": text,
        "tags": tags,
        "media": list(media or []),
        **({"seller_ratings": dict(seller_ratings)} if seller_ratings is not None else {}),
    }


def diary_statement(
    *, gtin: str, review_leaf_hash: str, reviewer: str, milestone: int, text: str, at: datetime
) -> dict[str, Any]:
    return {
        "type": DIARY,
        "subject": product_subject(gtin),
        "time": at.isoformat(),
        "review": review_leaf_hash,
        "reviewer": reviewer,
        "milestone_days": milestone,
        "text": text,
    }


def reply_statement(*, gtin: str, review_leaf_hash: str, merchant: str, text: str, at: datetime) -> dict[str, Any]:
    return {
        "type": REPLY,
        "subject": product_subject(gtin),
        "time": at.isoformat(),
        "review": review_leaf_hash,
        "merchant": merchant,
        "text": text,
    }


def fold_statement(
    *, gtin: str, review_leaf_hash: str, source: str, reason: str, at: datetime
) -> dict[str, Any]:
    return {
        "type": FOLD,
        "subject": product_subject(gtin),
        "time": at.isoformat(),
        "review": review_leaf_hash,
        "source": source,
        "reason": reason,
    }


def response_statement(
    *, gtin: str, review_leaf_hash: str, reviewer: str, text: str, at: datetime
) -> dict[str, Any]:
    return {
        "type": RESPONSE,
        "subject": product_subject(gtin),
        "time": at.isoformat(),
        "review": review_leaf_hash,
        "reviewer": reviewer,
        "text": text,
    }


def unfold_statement(*, gtin: str, review_leaf_hash: str, reason: str, at: datetime) -> dict[str, Any]:
    """An integrity fold found to be a false alarm: the review is shown again (the fold stays on record)."""
    return {
        "type": UNFOLD,
        "subject": product_subject(gtin),
        "time": at.isoformat(),
        "review": review_leaf_hash,
        "reason": reason,
    }


def seller_ratings_of(review: Review) -> dict[str, int] | None:
    """The review's detailed seller ratings as signed, or None for a review posted before they were asked."""
    values = (review.rating_description, review.rating_service, review.rating_logistics)
    if any(value is None for value in values):
        return None
    return dict(zip(SELLER_RATINGS, (int(value) for value in values if value is not None), strict=True))


def review_matches(review: Review, statement: dict[str, Any] | None) -> bool:
    """The stored review says what the platform signed: the reviewer's pseudonym, the product, the shop, the stars,
    the text and tags, and the digest of every photo and video in order (needs `line` and `media__media` loaded)."""
    order_line = statement.get("order_line") if statement is not None else None
    return (
        statement_says(statement, {
            "type": REVIEW, "reviewer": review.reviewer, "merchant": f"org:{review.merchant_id}",
            "stars": review.stars, "text": review.text, "tags": list(review.tags),
            "media": [item.media.sha256 for item in review.media.all()],
            "seller_ratings": seller_ratings_of(review),
        })
        and isinstance(order_line, dict) and order_line.get("gtin") == review.line.gtin
    )


def diary_matches(entry: DiaryEntry, statement: dict[str, Any] | None) -> bool:
    return statement_says(statement, {
        "type": DIARY, "review": entry.review.ledger_leaf_hash, "reviewer": entry.review.reviewer,
        "milestone_days": entry.milestone, "text": entry.text,
    })


def reply_matches(reply: Reply, statement: dict[str, Any] | None) -> bool:
    return statement_says(statement, {
        "type": REPLY, "review": reply.review.ledger_leaf_hash, "merchant": f"org:{reply.merchant_id}",
        "text": reply.text,
    })


def fold_matches(fold: Fold, statement: dict[str, Any] | None) -> bool:
    return statement_says(statement, {
        "type": FOLD, "review": fold.review.ledger_leaf_hash, "source": fold.source, "reason": fold.reason,
    })


# What a review's author wrote is fixed once posted; its standing (folded, shown again, the author's response to a
# fold) changes only through statements of its own.
REVIEW_RECORD = signed_record(
    model=Review, statement_type=statement_type_get(REVIEW), matches=review_matches, signer=None,
    protected=("line", "consumer", "product", "merchant", "reviewer", "stars", "text", "tags", "verified_purchase",
               "purchase_salt", "rating_description", "rating_service", "rating_logistics"),
    select_related=("line",), prefetch_related=("media__media",), children=(ReviewMedia,),
)
DIARY_RECORD = signed_record(
    model=DiaryEntry, statement_type=statement_type_get(DIARY), matches=diary_matches, signer=None,
    protected=("review", "milestone", "text"), select_related=("review",),
)
REPLY_RECORD = signed_record(
    model=Reply, statement_type=statement_type_get(REPLY), matches=reply_matches, signer="merchant",
    protected=("review", "merchant", "text"), select_related=("review",),
)
FOLD_RECORD = signed_record(
    model=Fold, statement_type=statement_type_get(FOLD), matches=fold_matches, signer=None,
    protected=("review", "source", "reason"), select_related=("review",),
)
