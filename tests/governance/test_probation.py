"""Probation (新手期): start imposes the published limits; the daily review ends it when every criterion holds and
extends it, with the failing figures, when the minimum period is over; operators extend with a reason. Each event
is a signed platform statement."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from xinren.accounts.choices import RestrictionSource, Role
from xinren.accounts.models import MerchantRestriction
from xinren.accounts.restrictions import limits_for
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.core import clock
from xinren.core.audit import AuditEntry
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.governance.models import Probation, ProbationEvent
from xinren.governance.models.probation import ProbationStatus
from xinren.governance.probation_policy import policy_current
from xinren.governance.services.probation import probation_extend, probation_review, probation_start

from ..factories import actor_for
from ..fixtures.reviews import line_delivered, statement_of

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)
_refs = itertools.count(1)


def _delivered(consumer, product, n: int, at: dt.datetime) -> list:  # type: ignore[no-untyped-def]
    return [line_delivered(consumer, product, delivered_at=at) for _ in range(n)]


def _claim(line, *, status=Status.PAID, created_at):  # type: ignore[no-untyped-def]
    return AfterSaleRequest.objects.create(
        reference=f"ASPRB{next(_refs):08d}",
        consumer=line.order.consumer,
        merchant=line.order.merchant,
        order=line.order,
        line=line,
        kind=Kind.DAMAGED,
        status=status,
        reason="x",
        amount_fen=100,
        level="normal",
        created_at=created_at,
        updated_at=created_at,
    )


def test_policy_version_1_is_seeded_with_the_published_figures():
    policy = policy_current()
    assert (policy.daily_order_limit, policy.listing_limit, policy.payout_hold_days, policy.claim_escalation_hours) == (
        30,
        20,
        14,
        12,
    )
    assert (
        policy.min_days,
        policy.min_delivered_orders,
        policy.max_claim_rate_bp,
        policy.max_open_claim_hours,
        policy.extension_days,
    ) == (30, 20, 500, 48, 30)


def test_starting_probation_imposes_the_limits_and_signs_a_statement(platform, merchant):
    # when
    probation = probation_start(organization=merchant)
    # then
    limits = limits_for(merchant)
    assert (limits.daily_order_limit, limits.listing_limit, limits.payout_hold_days, limits.claim_escalation_hours) == (
        30,
        20,
        14,
        12,
    )
    assert set(MerchantRestriction.objects.values_list("source", "reference")) == {
        (RestrictionSource.PROBATION, f"probation:{probation.pk}")
    }
    event = ProbationEvent.objects.get()
    statement = statement_of(event.leaf_hash)
    assert statement["type"] == "governance.probation"
    assert (statement["event"], statement["slug"], statement["policy_version"]) == ("start", "shanye", 1)
    assert statement["organization"] == f"org:{merchant.pk}"
    assert statement["figures"] == {
        "limits": {"daily_order_limit": 30, "listing_limit": 20, "payout_hold_days": 14, "claim_escalation_hours": 12}
    }
    assert AuditEntry.objects.filter(action="probation.start").count() == 1


def test_a_second_probation_is_refused_with_nothing_written(platform, merchant):
    probation_start(organization=merchant)
    with pytest.raises(Conflict) as refused:
        probation_start(organization=merchant)
    assert refused.value.code == "probation.exists"
    assert (Probation.objects.count(), MerchantRestriction.objects.count(), ProbationEvent.objects.count()) == (1, 4, 1)


def test_the_review_ends_probation_when_every_criterion_holds(platform, merchant, consumer, product_on_sale):
    # given: 31 days in, 20 delivered orders, one claim (5%), closed
    start = clock.now() - 31 * DAY
    probation = probation_start(organization=merchant, at=start)
    lines = _delivered(consumer, product_on_sale, 20, start + DAY)
    _claim(lines[0], created_at=start + 2 * DAY)
    # when
    done = probation_review()
    # then
    assert done == {"ended": 1, "extended": 0, "unchanged": 0}
    probation.refresh_from_db()
    assert probation.status == ProbationStatus.ENDED and probation.ended_at is not None
    assert not limits_for(merchant).any
    end = ProbationEvent.objects.get(kind="end")
    assert end.figures == {
        "days": 31,
        "delivered_orders": 20,
        "claims": 1,
        "claim_rate_bp": 500,
        "open_claims_overdue": 0,
        "unmet": [],
    }
    assert statement_of(end.leaf_hash)["event"] == "end"


def test_the_review_extends_with_the_failing_figures_after_the_minimum_period(
    platform, merchant, consumer, product_on_sale
):
    # given: 31 days in, 10 delivered orders, one claim open for three days
    start = clock.now() - 31 * DAY
    probation = probation_start(organization=merchant, at=start)
    lines = _delivered(consumer, product_on_sale, 10, start + DAY)
    _claim(lines[0], status=Status.WAITING_MERCHANT, created_at=clock.now() - 3 * DAY)
    # when
    done = probation_review()
    # then
    assert done == {"ended": 0, "extended": 1, "unchanged": 0}
    probation.refresh_from_db()
    assert probation.status == ProbationStatus.EXTENDED
    assert probation.extended_until is not None
    assert probation.extended_until - probation.reviewed_at == 30 * DAY  # type: ignore[operator]
    assert probation.reasons == [
        "已签收订单：10 单（要求 ≥ 20 单）",
        "索赔率：10.00%（1/10）（要求 ≤ 5.00%）",
        "超时未结索赔：1 件（要求 超过 48 小时的未结索赔为 0）",
    ]
    assert limits_for(merchant).daily_order_limit == 30  # still restricted
    extend = ProbationEvent.objects.get(kind="extend")
    assert statement_of(extend.leaf_hash)["figures"]["unmet"] == ["delivered_orders", "claim_rate", "open_claims"]
    # and the next day's review leaves it alone until the extension is over
    assert probation_review(now=clock.now() + DAY) == {"ended": 0, "extended": 0, "unchanged": 1}


def test_before_the_minimum_period_nothing_changes(platform, merchant, consumer, product_on_sale):
    probation = probation_start(organization=merchant, at=clock.now() - 10 * DAY)
    _delivered(consumer, product_on_sale, 25, clock.now() - 5 * DAY)
    assert probation_review() == {"ended": 0, "extended": 0, "unchanged": 1}
    probation.refresh_from_db()
    assert probation.status == ProbationStatus.ACTIVE
    assert ProbationEvent.objects.count() == 1


def test_an_operator_extends_with_a_reason(platform, operator, merchant):
    # given
    probation = probation_start(organization=merchant)
    # when
    probation_extend(actor=operator, probation_id=probation.pk, days=15, reason="近期投诉集中，延长观察")
    # then
    probation.refresh_from_db()
    assert probation.status == ProbationStatus.EXTENDED
    assert probation.extended_until == probation.started_at + 45 * DAY
    assert probation.reasons == ["近期投诉集中，延长观察"]
    event = ProbationEvent.objects.get(kind="extend")
    assert event.by_user == operator.user
    assert statement_of(event.leaf_hash)["reason"] == "近期投诉集中，延长观察"


@pytest.mark.parametrize(
    ("days", "reason", "field"), [(0, "理由充分的说明", "days"), (91, "理由充分的说明", "days"), (10, "短", "reason")]
)
def test_a_bad_extension_is_refused_with_nothing_written(platform, operator, merchant, days, reason, field):
    probation = probation_start(organization=merchant)
    with pytest.raises(InvalidInput) as refused:
        probation_extend(actor=operator, probation_id=probation.pk, days=days, reason=reason)
    assert refused.value.details == {"field": field}
    probation.refresh_from_db()
    assert probation.status == ProbationStatus.ACTIVE and ProbationEvent.objects.count() == 1


def test_only_platform_staff_extend(platform, merchant, merchant_admin):
    probation = probation_start(organization=merchant)
    with pytest.raises(PermissionDenied):
        probation_extend(actor=merchant_admin, probation_id=probation.pk, days=10, reason="自己延长一下")
    with pytest.raises(PermissionDenied):
        probation_extend(
            actor=actor_for(platform, Role.VIEWER), probation_id=probation.pk, days=10, reason="只读运营不能延长"
        )
    with pytest.raises(NotFound):
        probation_extend(
            actor=actor_for(platform, Role.STAFF), probation_id=probation.pk + 99, days=10, reason="不存在的新手期"
        )


def test_the_review_of_a_given_day_measures_at_that_day(platform, merchant, consumer, product_on_sale):
    # given: started 20 days ago, everything else met
    start = clock.now() - 20 * DAY
    probation_start(organization=merchant, at=start)
    _delivered(consumer, product_on_sale, 20, start + DAY)
    # when: today it is too early; reviewed as of 15 days from now, it ends
    assert probation_review(today=timezone.localdate())["unchanged"] == 1
    assert probation_review(today=timezone.localdate() + 15 * DAY) == {"ended": 1, "extended": 0, "unchanged": 0}
