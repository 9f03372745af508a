"""Published consumer trust levels (分级退款): computed from a consumer's history, each with its refund moment and caps.

| level | refund moment | early-refund cap | automatic claim cap |
|---|---|---|---|
| high (高信任) | when the courier takes the return parcel | ¥2,000 | ¥500 |
| normal (普通) | 2 hours after the merchant signs for the return | ¥1,000 | ¥200 |
| new or low (新用户或低信任) | after the merchant's inspection (at the latest 7 days after signing for it) | ¥0 | ¥50 |

A refund above the level's early-refund cap waits as for "new or low". The thresholds are below, in one place,
and docs/aftersales.md publishes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import User
from xinren.core import clock
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Order

from .choices import CLAIM_KINDS, REJECTED, RETURN_KINDS, UPHELD, Level
from .models import AfterSaleRequest

NEW_ACCOUNT_DAYS = 30
NEW_DELIVERED_MIN = 2
LOW_REJECTED_MIN = 3
LOW_DISPUTES_LOST_MIN = 2
HIGH_ACCOUNT_DAYS = 180
HIGH_DELIVERED_MIN = 10
HISTORY_DAYS = 365


@dataclass(frozen=True)
class LevelSpec:
    level: Level
    refund_moment: Promise
    early_refund_cap_fen: int
    claim_cap_fen: int
    # After the merchant signs for the return: None means "after inspection" (or the statutory 7 days).
    refund_after_receipt: timedelta | None


LEVELS: dict[str, LevelSpec] = {
    Level.HIGH: LevelSpec(Level.HIGH, _("快递揽收退货即退款"), 200_000, 50_000, timedelta(0)),
    Level.NORMAL: LevelSpec(Level.NORMAL, _("商家签收退货 2 小时后退款"), 100_000, 20_000, timedelta(hours=2)),
    Level.NEW_OR_LOW: LevelSpec(Level.NEW_OR_LOW, _("商家验货后退款（最迟签收后 7 天）"), 0, 5_000, None),
}
# The law's limit for a no-reason return: refund within 7 days of the merchant receiving the goods.
STATUTORY_REFUND_DAYS = 7


@dataclass(frozen=True)
class History:
    """What a consumer's level is computed from (the last HISTORY_DAYS, account age aside)."""

    account_age_days: int
    orders_delivered: int
    upheld: int
    rejected: int
    returns: int
    disputes_lost: int
    upheld_claims_30d: int


@dataclass(frozen=True)
class Assessment:
    level: Level
    spec: LevelSpec
    history: History
    reasons: list[str]


def _figures(since: datetime, now: datetime) -> dict[str, Count]:
    return {
        "upheld": Count("id", filter=Q(status__in=UPHELD) | Q(refunded_fen__gt=0)),
        "rejected": Count("id", filter=Q(status__in=REJECTED) | Q(refused_at__isnull=False, refunded_fen=0)),
        "returns": Count("id", filter=Q(kind__in=RETURN_KINDS)),
        "disputes_lost": Count("id", filter=Q(escalated_at__isnull=False, refunded_fen=0, closed_at__isnull=False)),
        "upheld_claims_30d": Count("id", filter=Q(kind__in=CLAIM_KINDS, refunded_fen__gt=0,
                                                 created_at__gte=now - timedelta(days=30))),
    }


def consumer_history(*, consumer: User, now: datetime | None = None) -> History:
    """The consumer's record: delivered orders, upheld and rejected requests, returns, escalations lost."""
    return consumer_histories(consumers=[consumer], now=now)[consumer.pk]


def consumer_histories(*, consumers: Sequence[User], now: datetime | None = None) -> dict[int, History]:
    """`consumer_history` of many consumers in two queries (the batch decider's)."""
    now = now or clock.now()
    since = now - timedelta(days=HISTORY_DAYS)
    ids = {consumer.pk for consumer in consumers}
    figures: dict[int, Any] = {row["consumer_id"]: row for row in AfterSaleRequest.objects.filter(
        consumer_id__in=ids, created_at__gte=since).values("consumer_id").annotate(**_figures(since, now))}
    delivered = dict(Order.objects.filter(consumer_id__in=ids, status=OrderStatus.DELIVERED, delivered_at__gte=since)
                     .values("consumer_id").annotate(n=Count("id")).values_list("consumer_id", "n"))
    empty = dict.fromkeys(("upheld", "rejected", "returns", "disputes_lost", "upheld_claims_30d"), 0)
    out = {}
    for consumer in consumers:
        row = figures.get(consumer.pk, empty)
        out[consumer.pk] = History(
            account_age_days=max(0, (now - consumer.date_joined).days), orders_delivered=delivered.get(consumer.pk, 0),
            upheld=row["upheld"], rejected=row["rejected"], returns=row["returns"],
            disputes_lost=row["disputes_lost"], upheld_claims_30d=row["upheld_claims_30d"],
        )
    return out


def level_of(history: History) -> tuple[Level, list[str]]:
    """The level the history earns, and the reasons in words a consumer reads."""
    low: list[str] = []
    if history.account_age_days < NEW_ACCOUNT_DAYS:
        low.append(str(_("注册未满 %(days)s 天") % {"days": NEW_ACCOUNT_DAYS}))
    if history.orders_delivered < NEW_DELIVERED_MIN:
        low.append(str(_("近一年签收订单少于 %(count)s 笔") % {"count": NEW_DELIVERED_MIN}))
    if history.rejected >= LOW_REJECTED_MIN:
        low.append(str(_("近一年有 %(count)s 次售后申请被拒") % {"count": history.rejected}))
    if history.disputes_lost >= LOW_DISPUTES_LOST_MIN:
        low.append(str(_("近一年有 %(count)s 次平台介入未获支持") % {"count": history.disputes_lost}))
    if low:
        return Level.NEW_OR_LOW, low
    high = (
        history.account_age_days >= HIGH_ACCOUNT_DAYS and history.orders_delivered >= HIGH_DELIVERED_MIN
        and history.rejected == 0 and history.disputes_lost == 0 and history.returns * 5 <= history.orders_delivered
    )
    if high:
        return Level.HIGH, [str(_("注册满 %(days)s 天、近一年签收 %(count)s 笔订单，无被拒申请，退货不超过两成") % {
            "days": HIGH_ACCOUNT_DAYS, "count": history.orders_delivered})]
    return Level.NORMAL, [str(_("近一年签收 %(count)s 笔订单，售后记录良好") % {"count": history.orders_delivered})]


def consumer_level(*, consumer: User, now: datetime | None = None) -> Assessment:
    """The consumer's level now, with its refund moment, caps and why."""
    return assessment_of(consumer_history(consumer=consumer, now=now))


def assessment_of(history: History) -> Assessment:
    """The level a history earns, with its refund moment, caps and why."""
    level, reasons = level_of(history)
    return Assessment(level=level, spec=LEVELS[level], history=history, reasons=reasons)
