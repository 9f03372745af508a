"""What is signed into the ledger for reviews, diaries, replies, folds and author responses.

A statement names the reviewer only by pseudonym (`consumer_public_id`) and the purchase by order number and
GTIN: never a phone number, a name or an address. Follow-up statements point at the review's leaf hash in
their `review` field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from xinren.accounts.keys import owner_of
from xinren.catalog.gs1 import DigitalLink
from xinren.orders.models import OrderLine

REVIEW = "review"
DIARY = "review.diary"
REPLY = "review.reply"
FOLD = "review.fold"
RESPONSE = "review.response"
UNFOLD = "review.unfold"


def product_subject(gtin: str) -> str:
    """Statements about reviews are about the product: its GS1 Digital Link URI."""
    return DigitalLink(gtin=gtin).uri(settings.XINREN_RESOLVER)


def review_statement(
    *, line: OrderLine, reviewer: str, stars: int, text: str, tags: list[str], at: datetime,
    media: list[str] | None = None,
) -> dict[str, Any]:
    """The platform vouches that this pseudonymous reviewer bought and received this order line; `media` is the
    SHA-256 of each photo and video, in upload order (the files are in the evidence store under that name)."""
    order = line.order
    return {
        "type": REVIEW,
        "subject": product_subject(line.gtin),
        "time": at.isoformat(),
        "reviewer": reviewer,
        "order_line": {"order": order.number, "gtin": line.gtin},
        "merchant": owner_of(order.merchant),
        "verified_purchase": True,
        "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
        "stars": stars,
        "text": text,
        "tags": tags,
        "media": list(media or []),
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
