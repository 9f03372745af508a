"""Demo guarantee programmes (for the demo loader, after `aftersales.demo`): the platform's 信任购 for every category
and a category guarantee in the spirit of 蟹无忧, 菌无忧 for wild mushrooms (quality problem after receipt →
priority handling within 12 hours, refund plus ¥20). 昆明山野菌菇店 pays a deposit and joins both weeks ago;
滇味鲜花饼坊 joins 信任购 with a small deposit, then the terms ask for more (version 2) and the daily review ends its
membership with the failed condition kept; 景迈古树茶园 does not qualify for 菌无忧 (no deposit, no wild mushrooms:
its checklist in the console shows both). Made through the services, each step at its own believable time
(`clock.played_at`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Membership, Organization
from xinren.core import clock

from .fund.services import deposit_collect
from .programmes.services import (
    ProgrammeTerms,
    programme_edit,
    programme_join,
    programme_publish,
    programmes_review,
)

WEEK = dt.timedelta(weeks=1)

TRUST_PURCHASE = ProgrammeTerms(
    name="信任购", summary="平台精选的可信商家：15 天无理由退货，退货免费上门取件。", badge_label="信任购",
    badge_colour="#c0392b",
    eligibility={"merchant_active": True, "deposit_min_fen": 50_000, "upheld_share_min": 0.8,
                 "refund_median_hours_max": 48},
    promises=[{"id": "return_days", "value": 15, "text": "15 天无理由退货"},
              {"id": "free_pickup", "value": True, "text": "退货免费上门取件"}],
)
MUSHROOM_WORRY_FREE = ProgrammeTerms(
    name="菌无忧", summary="野生菌收货后发现品质问题：12 小时内优先处理，退款另补 20 元。", badge_label="菌无忧",
    badge_colour="#2e7d32", categories=["wild_mushroom"],
    eligibility={"merchant_active": True, "deposit_min_fen": 100_000, "guarantees": ["bad_order"],
                 "categories": True, "upheld_share_min": 0.8},
    promises=[{"id": "claim_deadline_hours", "value": 12, "text": "品质问题 12 小时内优先处理"},
              {"id": "compensation_fen", "value": 2000, "text": "退款另补 20 元"}],
)


@dataclass
class DemoProgrammes:
    slugs: list[str] = field(default_factory=list)
    members: dict[str, list[str]] = field(default_factory=dict)  # programme slug → merchant slugs
    ended: list[str] = field(default_factory=list)  # merchant slugs whose membership the review ended


def _actor(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    return Actor(organization=organization, role=Role.OWNER, user=membership.user if membership else None)


def demo_programmes_load(*, now: dt.datetime | None = None) -> DemoProgrammes:
    """The programmes, the joined merchant, the one that lost its badge (see the module doc)."""
    now = now or clock.now()
    made = DemoProgrammes()
    platform = Organization.objects.filter(kind=OrganizationKind.PLATFORM).order_by("id").first()
    merchants = {org.slug: org for org in Organization.objects.filter(
        slug__in=["shanye-mushroom", "dianwei-bakery", "jingmai-tea"])}
    if platform is None or "shanye-mushroom" not in merchants:
        return made
    operator = _actor(platform)
    with clock.played_at(now - 8 * WEEK):
        trust = programme_publish(actor=operator, slug="xinren-gou", terms=TRUST_PURCHASE)
        jun = programme_publish(actor=operator, slug="jun-wuyou", terms=MUSHROOM_WORRY_FREE)
    made.slugs = [trust.slug, jun.slug]
    shanye = _actor(merchants["shanye-mushroom"])
    with clock.played_at(now - 7 * WEEK):
        deposit_collect(actor=shanye, merchant=shanye.organization, amount_fen=200_000,
                        idempotency_key="demo-deposit-shanye")
    with clock.played_at(now - 6 * WEEK):
        programme_join(actor=shanye, programme_id=trust.pk, guarantees=["no_reason_30d", "free_pickup"])
    with clock.played_at(now - 5 * WEEK):
        programme_join(actor=shanye, programme_id=jun.pk, guarantees=["bad_order"])
    made.members = {trust.slug: [shanye.organization.slug], jun.slug: [shanye.organization.slug]}
    bakery = merchants.get("dianwei-bakery")
    if bakery is not None:
        baker = _actor(bakery)
        with clock.played_at(now - 6 * WEEK):
            deposit_collect(actor=baker, merchant=bakery, amount_fen=60_000, idempotency_key="demo-deposit-dianwei")
            programme_join(actor=baker, programme_id=trust.pk)
        with clock.played_at(now - 2 * WEEK):  # the platform raises the deposit asked: terms version 2
            programme_edit(actor=operator, programme_id=trust.pk, terms=ProgrammeTerms(
                **(TRUST_PURCHASE.__dict__ | {"eligibility": {**TRUST_PURCHASE.eligibility,
                                                              "deposit_min_fen": 100_000}})))
        with clock.played_at(now - 2 * WEEK + dt.timedelta(hours=14)):  # the next night's review
            ended = programmes_review()
        if ended.ended:
            made.ended.append(bakery.slug)
    return made
