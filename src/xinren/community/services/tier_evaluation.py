"""Automatic promotion and demotion between expert tiers (run daily: `manage.py tiers_evaluate`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _gettext

from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.models import User
from xinren.attest import signing
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.reviews import choices as review_choices
from xinren.reviews.models import DiaryEntry, Review
from xinren.reviews.services import platform_organization

from .. import tiers
from ..choices import TIER_ORDER, Tier
from ..models import ConsumerTier, HelpfulVote, TierChange
from ..statements import COMMUNITY_TIER

METRICS = ("reviews_q60", "reviews_q75", "helpful_votes", "diaries", "folded")


def tier_metrics(*, consumer_ids: Iterable[int] | None = None, now: datetime) -> dict[int, dict[str, int]]:
    """Per consumer, the measured values of every criterion over the last WINDOW_DAYS (consumers with a review in
    the window, plus `consumer_ids` when given)."""
    since = now - timedelta(days=tiers.WINDOW_DAYS)
    visible = Review.objects.filter(created_at__gte=since, created_at__lte=now,
                                    status=review_choices.ReviewStatus.VISIBLE)
    metrics: dict[int, dict[str, int]] = {}

    def put(consumer_id: int, name: str, value: int) -> None:
        metrics.setdefault(consumer_id, dict.fromkeys(METRICS, 0))[name] = value

    for consumer_id in consumer_ids or ():
        metrics.setdefault(consumer_id, dict.fromkeys(METRICS, 0))
    for consumer_id, score in visible.filter(quality__isnull=False).values_list("consumer_id", "quality__score"):
        row = metrics.setdefault(consumer_id, dict.fromkeys(METRICS, 0))
        row["reviews_q60"] += score >= 60
        row["reviews_q75"] += score >= 75
    for consumer_id in visible.values_list("consumer_id", flat=True).distinct():
        metrics.setdefault(consumer_id, dict.fromkeys(METRICS, 0))
    for consumer_id in HelpfulVote.objects.filter(review__in=visible).values_list("review__consumer_id", flat=True):
        metrics[consumer_id]["helpful_votes"] += 1
    for consumer_id in DiaryEntry.objects.filter(review__in=visible).values_list("review__consumer_id", flat=True):
        metrics[consumer_id]["diaries"] += 1
    folded = Review.objects.filter(status=review_choices.ReviewStatus.FOLDED, folded_at__gte=since)
    for consumer_id in folded.values_list("consumer_id", flat=True):
        put(consumer_id, "folded", metrics.get(consumer_id, {}).get("folded", 0) + 1)
    return metrics


def _reason(*, old: str, new: str, metrics: dict[str, int]) -> str:
    if TIER_ORDER.index(Tier(new)) > TIER_ORDER.index(Tier(old)):
        return _gettext("满足“%(tier)s”的全部标准") % {"tier": Tier(new).label}
    failed = "；".join(tiers.criterion_text(c) for c in tiers.failed_criteria(old, metrics))
    return (_gettext("不再满足“%(tier)s”的标准：%(failed)s") % {"tier": Tier(old).label, "failed": failed})[:300]


def _tier_statement(*, public_id: str, old: str, new: str, metrics: dict[str, int], at: datetime) -> dict[str, object]:
    return {"type": COMMUNITY_TIER.name, "subject": f"urn:xinren:reviewer:{public_id}", "time": at.isoformat(),
            "from": old, "to": new, "metrics": metrics, "criteria_version": tiers.VERSION}


def tier_change_record(
    *, consumer: User, row: ConsumerTier | None, new: str, reason: str, metrics: dict[str, int], now: datetime
) -> TierChange:
    """Move one consumer to `new`: the `ConsumerTier` row, a `TierChange` with the reason, a signed
    "community.tier" statement and an audit entry. Call inside a transaction (tiers_evaluate, the demo)."""
    if row is None:
        row = ConsumerTier(consumer=consumer, public_id=consumer_public_id(consumer), since=now, evaluated_at=now)
    old = row.tier if row.pk else Tier.ORDINARY
    platform = platform_organization()
    statement = _tier_statement(public_id=row.public_id, old=old, new=new, metrics=metrics, at=now)
    leaf_hash = signing.statement_sign_and_append(organization=platform, statement=statement).leaf_hash
    change = TierChange.objects.create(
        consumer=consumer, from_tier=old, to_tier=new, reason=reason[:300], metrics=metrics,
        criteria_version=tiers.VERSION, ledger_leaf_hash=leaf_hash, at=now,
    )
    row.tier = new
    row.since = now
    row.metrics = metrics
    row.evaluated_at = now
    row.save()
    audit_record(actor=None, organization=platform, action="community.tier", target=change,
                 data={"from": old, "to": new, "leaf_hash": leaf_hash})
    return change


@transaction.atomic
def tiers_evaluate(*, now: datetime | None = None) -> list[TierChange]:
    """Move every consumer to the highest tier whose published criteria hold now (up or down), writing a
    `TierChange` with the metrics and the reason, a signed "community.tier" statement and an audit entry."""
    now = now or clock.now()
    current = {row.consumer_id: row for row in ConsumerTier.objects.select_for_update()}
    metrics = tier_metrics(consumer_ids=current.keys(), now=now)
    users = {user.pk: user for user in User.objects.filter(pk__in=metrics.keys())}
    changes = []
    for consumer_id in sorted(metrics):
        values = metrics[consumer_id]
        new = tiers.tier_for(values)
        row = current.get(consumer_id)
        old = row.tier if row else Tier.ORDINARY
        if new != old:
            changes.append(tier_change_record(
                consumer=users[consumer_id], row=row, new=new, reason=_reason(old=old, new=new, metrics=values),
                metrics=values, now=now,
            ))
        elif row is not None:
            row.metrics = values
            row.evaluated_at = now
            row.save(update_fields=["metrics", "evaluated_at"])
    return changes
