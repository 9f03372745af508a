"""The store trust index (信任指数): six axes of a merchant's last 180 days, each against the median of the merchants
selling the same main category, and the detailed seller ratings (店铺动态评分) against the same peers.

docs/trust-model.md, "Store trust index", gives the definitions and a worked example; ADR 0048 says why.

- The **main category** of a merchant is the product category it has most products in (ties: the category code
  that sorts first); its **peers** are every merchant with the same main category, itself included.
- Each axis has a raw figure, a direction (higher or lower is better) and a minimum sample. A merchant below the
  minimum shows "数据不足" on that axis and takes no part in that axis's median.
- The 0–100 value puts the category median at 50: `100·v/(v+m)` when higher is better, `100·m/(m+v)` when lower
  is better (both 50 when v = m = 0). Twice the median gives 66.7 (or 33.3), none at all 0 (or 100).

The reads are one grouped query per figure over all the peers (the support figures: one call per peer), so a shop
page costs a handful of queries whatever its category's size.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.aftersales.choices import Kind
from xinren.aftersales.models import AfterSaleRequest
from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import Product
from xinren.core import clock
from xinren.orders.models import Order, OrderLine
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import Reply, Review
from xinren.support.selectors import merchant_response_stats

VERSION = "store-index-1"
WINDOW = timedelta(days=180)
# An order paid this long ago and not shipped yet is late (the common 48 小时发货 promise).
SHIP_WITHIN = timedelta(hours=48)
# What goes back to the merchant: the after-sale kinds that count as a return.
RETURN_KINDS = (Kind.RETURN_REFUND, Kind.EXCHANGE)
# Fewer ratings than this and a detailed seller rating shows "数据不足".
DSR_MIN = 3


@dataclass(frozen=True)
class AxisDef:
    """One axis: its key, label, whether higher is better, the minimum sample, and how its figure reads."""

    key: str
    label: Promise
    higher_is_better: bool
    minimum: int
    unit: str  # "count", "score", "seconds" or "share"


AXES = (
    AxisDef("review_volume", _("评价数量"), True, 5, "count"),
    AxisDef("content_quality", _("内容质量"), True, 3, "score"),
    AxisDef("reply_speed", _("评价回复速度"), False, 3, "seconds"),
    AxisDef("return_rate", _("退货率"), False, 5, "share"),
    AxisDef("service_response", _("客服响应时间"), False, 3, "seconds"),
    AxisDef("punctuality", _("发货准时"), True, 5, "share"),
)
# What each input of an axis is called on the page (the keys of Figure.inputs).
INPUT_LABELS: dict[str, Promise] = {
    "reviews": _("已验证评价"),
    "delivered_lines": _("已签收商品件数"),
    "scored_reviews": _("有质量分的评价"),
    "mean_quality": _("平均内容质量分"),
    "replies": _("已回复评价"),
    "median_seconds": _("中位用时（秒）"),
    "returned_lines": _("退货/换货件数"),
    "on_time": _("48 小时内发货"),
    "orders": _("应发货订单"),
    "inquiries": _("咨询"),
    "answered": _("已回复咨询"),
}
DSR_LABELS: dict[str, Promise] = {
    "description": _("描述相符"),
    "service": _("服务态度"),
    "logistics": _("物流服务"),
}


# -- pure arithmetic -------------------------------------------------------------------------------------------------


def axis_value(value: float, median: float, *, higher_is_better: bool) -> float:
    """0–100 with the category median at 50 (module docstring), rounded to one decimal."""
    if value < 0 or median < 0:
        raise ValueError("figures are never negative")
    if value + median == 0:
        return 50.0
    share = value / (value + median) if higher_is_better else median / (median + value)
    return round(100 * share, 1)


def median_of(values: Iterable[float]) -> float | None:
    """The median (mean of the two middle values for an even count), None when there are none."""
    listed = list(values)
    return float(statistics.median(listed)) if listed else None


def percent_apart(value: float, reference: float) -> float | None:
    """How far `value` is from `reference`, in per cent of the reference, one decimal (Taobao's 高于/低于同行)."""
    if reference <= 0:
        return None
    return round(abs(value - reference) / reference * 100, 1)


# -- what the page shows -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One merchant's raw figure on one axis and the sample it stands on (None: no sample at all)."""

    value: float | None
    sample: int
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Axis:
    """One axis as the page shows it: the 0–100 value (None: 数据不足), the raw figure, the peers' median."""

    key: str
    label: Promise
    higher_is_better: bool
    minimum: int
    unit: str
    value: float | None
    raw: float | None
    median: float | None
    sample: int
    peers_counted: int
    inputs: dict[str, Any]

    @property
    def enough(self) -> bool:
        return self.value is not None

    @property
    def median_display(self) -> str:
        """The peers' median as the page shows it: a share in per cent, anything else as the number it is."""
        if self.median is None:
            return "—"
        return f"{self.median * 100:.1f} %" if self.unit == "share" else f"{self.median:g}"

    @property
    def input_rows(self) -> list[tuple[Promise, Any]]:
        """The inputs with their labels, in the order the figure names them."""
        return [(INPUT_LABELS[key], value) for key, value in self.inputs.items()]


@dataclass(frozen=True)
class SellerRating:
    """One detailed seller rating: the merchant's average (1–5, one decimal), its count, the peers' median of
    averages, and how far apart in per cent (direction "above", "below" or "level"; None: 数据不足)."""

    key: str
    label: Promise
    average: float | None
    count: int
    peer_median: float | None
    percent: float | None
    direction: str | None


@dataclass(frozen=True)
class StoreIndex:
    merchant_id: int
    category: str | None
    category_label: str
    peers: int
    since: datetime
    until: datetime
    axes: list[Axis]
    ratings: list[SellerRating]
    version: str = VERSION

    @property
    def has_data(self) -> bool:
        return any(axis.enough for axis in self.axes) or any(r.average is not None for r in self.ratings)


# -- reads -------------------------------------------------------------------------------------------------------------


def main_categories(merchant_ids: Iterable[int] | None = None) -> dict[int, str]:
    """Merchant id -> its main category: the category it has most products in (ties: the lowest code)."""
    rows = Product.objects.values_list("merchant_id", "category").annotate(n=Count("id"))
    if merchant_ids is not None:
        rows = rows.filter(merchant_id__in=list(merchant_ids))
    best: dict[int, tuple[int, str]] = {}
    for merchant_id, category, count in rows:
        current = best.get(merchant_id)
        if current is None or (-count, category) < (-current[0], current[1]):
            best[merchant_id] = (count, category)
    return {merchant_id: category for merchant_id, (_count, category) in best.items()}


def _peers_of(merchant: Organization) -> tuple[str | None, list[int]]:
    category = main_categories([merchant.pk]).get(merchant.pk)
    if category is None:
        return None, [merchant.pk]
    sellers = Product.objects.filter(category=category).values_list("merchant_id", flat=True).distinct()
    mains = main_categories(sellers)
    return category, sorted({m for m, c in mains.items() if c == category} | {merchant.pk})


def _figures(peers: list[int], *, since: datetime, until: datetime) -> dict[str, dict[int, Figure]]:
    """Every axis's raw figure for every peer over [since, until)."""
    figures: dict[str, dict[int, Figure]] = {axis.key: {} for axis in AXES}
    delivered = dict(
        OrderLine.objects.filter(
            order__merchant_id__in=peers, order__delivered_at__gte=since, order__delivered_at__lt=until
        )
        .values_list("order__merchant_id")
        .annotate(n=Count("id"))
        .values_list("order__merchant_id", "n")
    )
    reviews: dict[int, dict[str, Any]] = {
        row["merchant_id"]: dict(row)
        for row in Review.objects.filter(
            merchant_id__in=peers,
            created_at__gte=since,
            created_at__lt=until,
            status=ReviewStatus.VISIBLE,
            verified_purchase=True,
        )
        .values("merchant_id")
        .annotate(
            n=Count("id"),
            scored=Count("quality"),
            mean_quality=Avg("quality__score"),
        )
    }
    replies: dict[int, list[int]] = defaultdict(list)
    for merchant_id, seconds in Reply.objects.filter(
        review__merchant_id__in=peers, review__created_at__gte=since, review__created_at__lt=until
    ).values_list("review__merchant_id", "reply_seconds"):
        replies[merchant_id].append(seconds)
    returns = dict(
        AfterSaleRequest.objects.filter(
            merchant_id__in=peers,
            kind__in=RETURN_KINDS,
            line__order__delivered_at__gte=since,
            line__order__delivered_at__lt=until,
        )
        .values_list("merchant_id")
        .annotate(n=Count("line", distinct=True))
        .values_list("merchant_id", "n")
    )
    shipped: dict[int, Counter[str]] = defaultdict(Counter)
    for merchant_id, paid_at, shipped_at in Order.objects.filter(
        merchant_id__in=peers, paid_at__gte=since, paid_at__lt=until - SHIP_WITHIN
    ).values_list("merchant_id", "paid_at", "shipped_at"):
        on_time = shipped_at is not None and paid_at is not None and shipped_at - paid_at <= SHIP_WITHIN
        shipped[merchant_id]["on_time" if on_time else "late"] += 1
    for merchant_id in peers:
        lines = delivered.get(merchant_id, 0)
        row: dict[str, Any] = reviews.get(merchant_id, {})
        count, scored = int(row.get("n", 0)), int(row.get("scored", 0))
        figures["review_volume"][merchant_id] = Figure(
            float(count),
            lines,
            {"reviews": count, "delivered_lines": lines},
        )
        quality = row.get("mean_quality")
        figures["content_quality"][merchant_id] = Figure(
            round(float(quality), 1) if quality is not None else None,
            scored,
            {"scored_reviews": scored, "mean_quality": round(float(quality), 1) if quality is not None else None},
        )
        taken = replies.get(merchant_id, [])
        reply_median = median_of(taken)
        figures["reply_speed"][merchant_id] = Figure(
            reply_median,
            len(taken),
            {"replies": len(taken), "median_seconds": reply_median},
        )
        returned = returns.get(merchant_id, 0)
        figures["return_rate"][merchant_id] = Figure(
            round(returned / lines, 4) if lines else None,
            lines,
            {"returned_lines": returned, "delivered_lines": lines},
        )
        counts = shipped.get(merchant_id, Counter())
        due = counts["on_time"] + counts["late"]
        figures["punctuality"][merchant_id] = Figure(
            round(counts["on_time"] / due, 4) if due else None,
            due,
            {"on_time": counts["on_time"], "orders": due},
        )
    for merchant in Organization.objects.filter(pk__in=peers):
        stats = merchant_response_stats(merchant=merchant, since=since, until=until)
        answer = float(stats.median_seconds) if stats.median_seconds is not None else None
        figures["service_response"][merchant.pk] = Figure(
            answer,
            stats.answered,
            {"inquiries": stats.inquiries, "answered": stats.answered, "median_seconds": answer},
        )
    return figures


def _axes(merchant_id: int, figures: Mapping[str, Mapping[int, Figure]]) -> list[Axis]:
    axes = []
    for definition in AXES:
        by_peer = figures[definition.key]
        counted = {m: f.value for m, f in by_peer.items() if f.value is not None and f.sample >= definition.minimum}
        median = median_of(v for v in counted.values() if v is not None)
        own = by_peer.get(merchant_id, Figure(None, 0))
        enough = merchant_id in counted and median is not None and own.value is not None
        value = (
            axis_value(own.value, median, higher_is_better=definition.higher_is_better)
            if enough and own.value is not None and median is not None
            else None
        )
        axes.append(
            Axis(
                key=definition.key,
                label=definition.label,
                higher_is_better=definition.higher_is_better,
                minimum=definition.minimum,
                unit=definition.unit,
                value=value,
                raw=own.value,
                median=median,
                sample=own.sample,
                peers_counted=len(counted),
                inputs=own.inputs,
            )
        )
    return axes


def _ratings(merchant_id: int, peers: list[int], *, since: datetime, until: datetime) -> list[SellerRating]:
    rows: dict[int, dict[str, Any]] = {
        row["merchant_id"]: dict(row)
        for row in Review.objects.filter(
            merchant_id__in=peers,
            created_at__gte=since,
            created_at__lt=until,
            status=ReviewStatus.VISIBLE,
        )
        .values("merchant_id")
        .annotate(
            **{f"{key}_avg": Avg(f"rating_{key}") for key in DSR_LABELS},
            **{f"{key}_n": Count("id", filter=Q(**{f"rating_{key}__isnull": False})) for key in DSR_LABELS},
        )
    }
    ratings = []
    for key, label in DSR_LABELS.items():
        averages = {
            m: round(float(row[f"{key}_avg"]), 1)
            for m, row in rows.items()
            if row[f"{key}_n"] >= DSR_MIN and row[f"{key}_avg"] is not None
        }
        own: dict[str, Any] = rows.get(merchant_id, {})
        count = int(own.get(f"{key}_n", 0))
        average = averages.get(merchant_id)
        peer_median = median_of(averages.values())
        percent = direction = None
        if average is not None and peer_median is not None:
            percent = percent_apart(average, peer_median)
            direction = "level" if not percent else ("above" if average > peer_median else "below")
        ratings.append(
            SellerRating(
                key=key,
                label=label,
                average=average,
                count=count,
                peer_median=round(peer_median, 2) if peer_median is not None else None,
                percent=percent,
                direction=direction,
            )
        )
    return ratings


def store_index_for(*, merchant: Organization, at: datetime | None = None) -> StoreIndex:
    """The merchant's store trust index over the WINDOW before `at` (now), against its main category's peers."""
    until = at or clock.now()
    since = until - WINDOW
    category, peers = _peers_of(merchant)
    figures = _figures(peers, since=since, until=until)
    label = str(ProductCategory(category).label) if category in ProductCategory.values else ""
    return StoreIndex(
        merchant_id=merchant.pk,
        category=category,
        category_label=label,
        peers=len(peers),
        since=since,
        until=until,
        axes=_axes(merchant.pk, figures),
        ratings=_ratings(merchant.pk, peers, since=since, until=until),
    )
