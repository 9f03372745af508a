"""Helpful votes (有用): one per consumer and review, never on one's own review, undo allowed, rate limited."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from xinren.reviews import choices as review_choices
from xinren.reviews.models import Review

from .. import errors
from ..models import HelpfulVote
from .rewards import review_sync

# Votes and undos together, per consumer, per rolling clock hour (a shared cache bucket, as sign-ups use).
VOTES_PER_HOUR = 60
_WINDOW = 3600


def _bucket(consumer: User) -> str:
    digest = hashlib.sha256(f"vote:{consumer.pk}".encode()).hexdigest()[:24]
    return f"xinren:rl:vote:{digest}:{int(clock.now().timestamp()) // _WINDOW}"


def _rate_limit(consumer: User) -> None:
    bucket = _bucket(consumer)
    if int(cache.get(bucket, 0)) >= VOTES_PER_HOUR:
        raise DomainError(errors.RATE_LIMITED, _("操作过于频繁，请稍后再试"),
                          details={"limit_per_hour": VOTES_PER_HOUR}, status=429)
    cache.add(bucket, 0, timeout=_WINDOW * 2)
    try:
        cache.incr(bucket)
    except ValueError:  # evicted between add and incr
        cache.set(bucket, 1, timeout=_WINDOW * 2)


def _review_for_vote(review_id: int) -> Review:
    review = Review.objects.select_for_update(of=("self",)).filter(pk=review_id).first()
    if review is None:
        raise NotFound(errors.REVIEW_NOT_FOUND, _("找不到该评价"))
    return review


@transaction.atomic
def helpful_vote(*, consumer: User, review_id: int) -> int:
    """Mark another consumer's visible review as helpful, once. Returns the review's helpful count."""
    consumer = consumer_require(consumer)
    review = _review_for_vote(review_id)
    if review.consumer_id == consumer.pk:
        raise PermissionDenied(errors.VOTE_OWN_REVIEW, _("不能给自己的评价投“有用”"))
    if review.status == review_choices.ReviewStatus.FOLDED:
        raise Conflict(errors.VOTE_FOLDED, _("已折叠的评价不能投票"))
    if HelpfulVote.objects.filter(consumer=consumer, review=review).exists():
        raise Conflict(errors.VOTE_EXISTS, _("你已经投过“有用”了"))
    _rate_limit(consumer)
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(consumer=consumer, review=review, created_at=clock.now())
    except IntegrityError as exc:  # a concurrent double click
        raise Conflict(errors.VOTE_EXISTS, _("你已经投过“有用”了")) from exc
    review_sync(review_id=review.pk)
    return HelpfulVote.objects.filter(review=review).count()


@transaction.atomic
def helpful_unvote(*, consumer: User, review_id: int) -> int:
    """Take back one's helpful vote. Points already paid for a milestone stay paid. Returns the new count."""
    consumer = consumer_require(consumer)
    review = _review_for_vote(review_id)
    vote = HelpfulVote.objects.filter(consumer=consumer, review=review).first()
    if vote is None:
        raise NotFound(errors.VOTE_NOT_FOUND, _("你还没有投过“有用”"))
    _rate_limit(consumer)
    vote.delete()
    review_sync(review_id=review.pk)
    return HelpfulVote.objects.filter(review=review).count()
