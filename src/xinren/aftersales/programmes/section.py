"""The `guarantees` section of the consumer pages: what protects a buyer of this product, and the merchant's
after-sale record.

Plain JSON data, computed per product (the lot does not change it) and published with the story (ADR 0002, 0032):
the guarantees that apply (坏单包赔 on its category, the seven-day no-reason return or its exclusion, 假一赔N at the
statutory floor, the merchant's insurance, programme badges with their promises) and the record's figures as of
the day they were computed (`as_of`): a published page is at most a day older than the record (the daily
`programmes-review` queues the pages of merchants whose record moved).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from typing_extensions import TypedDict

from xinren.catalog.choices import FOOD_CATEGORIES, PERISHABLE_CATEGORIES
from xinren.catalog.models import Product
from xinren.core import clock

from ..fund.insurance import (
    FOOD_LOSS_MULTIPLE,
    FOOD_MINIMUM_FEN,
    FOOD_PRICE_MULTIPLE,
    FRAUD_MINIMUM_FEN,
    FRAUD_MULTIPLE,
)
from ..models.fund import InsuranceSubscription
from ..rules import BAD_ORDER
from ..selectors import merchant_aftersale_record
from .rules import promise_value, promises_in_force
from .selectors import badges_for


# Categories that are not food: 假一赔N there follows the Consumer Rights Protection Law alone.
class GuaranteeLine(TypedDict, closed=True):
    id: str  # bad_order, no_reason, no_reason_excluded, counterfeit, insurance
    text: str


class BadgeEntry(TypedDict, closed=True):
    slug: str
    name: str
    label: str
    colour: str
    url: str  # the programme's public page: its rules one tap away
    promises: list[str]


class RecordEntry(TypedDict, closed=True):
    """The merchant's after-sale record (aftersales.selectors.merchant_aftersale_record)."""

    window_days: int
    requests: int
    decided: int
    enough: bool  # False: too few to judge; the share and the median are None
    upheld_pct: int | None
    refund_median_hours: float | None
    as_of: str  # the day the figures were computed, in Beijing (YYYY-MM-DD)


class GuaranteesSection(TypedDict, closed=True):
    merchant: str
    badges: list[BadgeEntry]
    guarantees: list[GuaranteeLine]
    record: RecordEntry


def guarantees_section_for(*, product: Product) -> GuaranteesSection:
    """The guarantees that apply to this product and its merchant's record (in the active language)."""
    merchant, category = product.merchant, product.category
    badges = badges_for(pairs=[(merchant.pk, category)])[(merchant.pk, category)]
    lines: list[GuaranteeLine] = []
    if category in BAD_ORDER.categories:
        lines.append({"id": "bad_order", "text": _("坏单包赔：到货坏损凭照片申请，符合规则即时赔付，无需退货")})
    return_days = promise_value(promises_in_force(merchant_id=merchant.pk, category=category, at=clock.now()),
                                "return_days")
    if return_days and category in PERISHABLE_CATEGORIES:
        lines.append({"id": "no_reason", "text": _(
            "%(days)s 天无理由退货（保障计划承诺；下单时已确认生鲜不适用的除外）") % {"days": return_days}})
    elif return_days:
        lines.append({"id": "no_reason", "text": _("%(days)s 天无理由退货（保障计划承诺）") % {"days": return_days}})
    elif category in PERISHABLE_CATEGORIES:
        lines.append({"id": "no_reason_excluded",
                      "text": _("生鲜易腐，不适用七天无理由退货（下单时由买家确认）；质量问题可申请保障理赔")})
    else:
        lines.append({"id": "no_reason", "text": _("七天无理由退货（签收次日起算）")})
    floors = {"fraud": FRAUD_MULTIPLE, "fraud_min": FRAUD_MINIMUM_FEN // 100, "food": FOOD_PRICE_MULTIPLE,
              "loss": FOOD_LOSS_MULTIPLE, "food_min": FOOD_MINIMUM_FEN // 100}  # the figures the payouts use
    if category not in FOOD_CATEGORIES:
        lines.append({"id": "counterfeit", "text": _(
            "假一赔%(fraud)s：价款%(fraud)s倍，最低 %(fraud_min)s 元（消费者权益保护法第 55 条）") % floors})
    else:
        lines.append({"id": "counterfeit", "text": _(
            "假一赔%(fraud)s，最低 %(fraud_min)s 元；食品不符合安全标准赔价款%(food)s倍或损失%(loss)s倍，"
            "最低 %(food_min)s 元（食品安全法第 148 条）") % floors})
    for subscription in InsuranceSubscription.objects.filter(merchant=merchant, policy__active=True).select_related(
            "policy", "policy__insurer").order_by("policy_id"):
        lines.append({"id": "insurance", "text": _("%(title)s（%(insurer)s承保）") % {
            "title": subscription.policy.title, "insurer": subscription.policy.insurer.name}})
    record = merchant_aftersale_record(merchant=merchant)
    return {
        "merchant": merchant.name,
        "badges": [{"slug": b.slug, "name": b.name, "label": b.label, "colour": b.colour,
                    "url": reverse("public:programme_detail", kwargs={"slug": b.slug}), "promises": b.promises}
                   for b in badges],
        "guarantees": lines,
        "record": {
            "window_days": record.window_days, "requests": record.requests, "decided": record.decided,
            "enough": record.enough,
            "upheld_pct": round(record.upheld_share * 100) if record.upheld_share is not None else None,
            "refund_median_hours": record.refund_median_hours,
            "as_of": timezone.localtime(record.as_of).date().isoformat(),
        },
    }
