"""Governance's claim_escalation_hours: a restricted merchant's claims leave its hands sooner (ADR 0044)."""

from __future__ import annotations

import datetime as dt

from xinren.accounts.choices import RestrictionKind, RestrictionSource
from xinren.accounts.restrictions import restriction_impose
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.services import aftersale_open, aftersales_sweep


def _claim(consumer, line):  # type: ignore[no-untyped-def]
    return aftersale_open(
        consumer=consumer,
        order_number=line.order.number,
        line_id=line.pk,
        kind=Kind.DAMAGED,
        reason="包装破损，菌子发霉",
        amount_fen=3000,
    )


def test_a_restricted_merchant_has_the_restrictions_hours_to_answer_a_claim(consumer, line, merchant):
    # given
    restriction_impose(
        organization=merchant,
        kind=RestrictionKind.CLAIM_ESCALATION_HOURS,
        value=12,
        source=RestrictionSource.PROBATION,
        reason="新手期",
        reference="probation:1",
    )
    # when
    request = _claim(consumer, line)
    # then: 12 hours instead of the rule's 24
    assert request.status == Status.WAITING_MERCHANT
    assert request.merchant_deadline == request.decisions.get().at + dt.timedelta(hours=12)
    # and past them the platform's silence rule decides it
    done = aftersales_sweep(now=request.merchant_deadline + dt.timedelta(seconds=1))
    assert done["deadlines"] == 1
    assert AfterSaleRequest.objects.get(pk=request.pk).status != Status.WAITING_MERCHANT


def test_a_longer_restriction_does_not_lengthen_the_normal_deadline(consumer, line, merchant):
    restriction_impose(
        organization=merchant,
        kind=RestrictionKind.CLAIM_ESCALATION_HOURS,
        value=72,
        source=RestrictionSource.PROBATION,
        reason="新手期",
        reference="probation:1",
    )
    request = _claim(consumer, line)
    assert request.merchant_deadline == request.decisions.get().at + dt.timedelta(hours=24)


def test_an_unrestricted_merchant_keeps_the_normal_deadline(consumer, line):
    request = _claim(consumer, line)
    assert request.merchant_deadline == request.decisions.get().at + dt.timedelta(hours=24)
