"""What every reviews service shares: the platform that signs, input cleaning, signing, folding, page refresh."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization, User
from xinren.accounts.selectors import platform_find
from xinren.attest import signing
from xinren.core.audit import audit_record
from xinren.core.errors import DomainError, InvalidInput
from xinren.core.models import PageRefresh
from xinren.core.outbox import pages_mark_stale
from xinren.core.transitions import transition_check

from .. import errors, events, statements
from ..choices import REVIEW_TRANSITIONS, ReviewStatus
from ..models import Fold, Review, ReviewTag

TEXT_MAX = 2000
TAGS_MAX = 6
TAG_MAX_CHARS = 12
REASON_MAX = 200


def platform_organization() -> Organization:
    """The platform's own organization (kind "platform"; the demo's slug is "xinren"), which signs reviews."""
    platform = platform_find()
    if platform is None:
        raise DomainError(errors.PLATFORM_MISSING, _("平台组织尚未设立，暂时无法发布评价"), status=503)
    return platform


def text_clean(value: str, *, field: str, minimum: int, maximum: int) -> str:
    """Stripped text whose length is within bounds, else 422 `review.invalid` naming the field."""
    value = value.strip()
    if not minimum <= len(value) <= maximum:
        raise InvalidInput(
            errors.REVIEW_INVALID,
            _("内容长度须为 %(min)s–%(max)s 字") % {"min": minimum, "max": maximum},
            details={"field": field},
        )
    return value


def tags_clean(tags: Sequence[str]) -> list[str]:
    """Distinct non-empty tags: at most TAGS_MAX of at most TAG_MAX_CHARS characters."""
    cleaned = list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))
    if len(cleaned) > TAGS_MAX or any(len(tag) > TAG_MAX_CHARS for tag in cleaned):
        raise InvalidInput(
            errors.REVIEW_INVALID, _("最多 6 个标签，每个不超过 12 字"), details={"field": "tags"}
        )
    return cleaned


def sign(organization: Organization, statement: dict[str, object]) -> str:
    """Sign and pool the statement with the organization's key; the leaf hash."""
    return signing.statement_sign_and_append(organization=organization, statement=statement).leaf_hash


def product_page_stale(product_id: int) -> None:
    """Queue the product page for publishing again."""
    # Only the product page shows reviews; batch and item pages link to it (docs/adr/0008).
    pages_mark_stale(kind=PageRefresh.Kind.PRODUCT_PAGE, object_ids=[product_id])


def review_changed(review: Review) -> None:
    """A review's public content or standing changed (posted, diaried, folded, unfolded): queue its product page
    and announce REVIEW_CHANGED, which queues the tasks of the contexts built on reviews (community: quality score
    and points) in this same transaction."""
    product_page_stale(review.product_id)
    # The tag index follows the review's standing (a folded review leaves the tag filters and "大家都在说").
    ReviewTag.objects.filter(review_id=review.pk).exclude(status=review.status).update(status=review.status)
    events.REVIEW_CHANGED.announce(review_id=review.pk)


def consumer_lock(consumer: User) -> None:
    """Lock the consumer's row for the rest of the transaction."""
    # Serialises one consumer's posts, so the hourly limit and one-review-per-line hold across processes.
    list(User.objects.select_for_update().filter(pk=consumer.pk).values_list("pk", flat=True))


def fold_record(
    *, review: Review, platform: Organization, source: str, reason: str, by_user: User | None,
    by_organization: Organization | None, now: datetime,
) -> Fold:
    """Fold a review (never delete): the signed record, the public reason, the author told, the audit entry."""
    transition_check(REVIEW_TRANSITIONS, review.status, ReviewStatus.FOLDED, code=errors.REVIEW_TRANSITION,
                     labels=ReviewStatus)
    statement = statements.fold_statement(
        gtin=review.line.gtin, review_leaf_hash=review.ledger_leaf_hash, source=source, reason=reason, at=now
    )
    fold = Fold.objects.create(
        review=review, source=source, reason=reason, by_user=by_user, by_organization=by_organization, at=now,
        ledger_leaf_hash=sign(platform, statement),
    )
    review.status = ReviewStatus.FOLDED
    review.fold_reason = reason
    review.folded_at = now
    review.save(update_fields=["status", "fold_reason", "folded_at"])
    events.REVIEW_FOLDED.announce(review_id=review.pk, fold_id=fold.pk)
    audit_record(actor=by_user, organization=by_organization, action="review.fold", target=review,
                 data={"source": source, "reason": reason, "leaf_hash": fold.ledger_leaf_hash})
    review_changed(review)
    return fold

