"""Opening requests and claims, the merchant's and operator's decisions, the silence rule: happy paths and every
refusal (with nothing changed)."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import Role
from xinren.aftersales.choices import DecidedBy, Kind, Level, Outcome, Status
from xinren.aftersales.models import AfterSaleDecision, AfterSaleRequest, AfterSaleTransition
from xinren.aftersales.services import (
    aftersale_cancel,
    aftersale_escalate,
    aftersale_merchant_agree,
    aftersale_merchant_propose,
    aftersale_merchant_refuse,
    aftersale_open,
    aftersale_operator_decide,
    aftersale_proposal_answer,
    aftersales_sweep,
)
from xinren.aftersales.tasks import aftersale_deadline_task, aftersale_payouts_task
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.ledger.store.models import PendingEntry
from xinren.orders.choices import RefundStatus
from xinren.orders.models import Payment, Refund

from ..factories import actor_for
from ..fixtures.reviews import line_through_flow, statement_of
from ..fixtures.tasks import queued
from .conftest import picture


def _open(consumer, line, kind=Kind.REFUND_ONLY, amount_fen=12800, **extra):  # type: ignore[no-untyped-def]
    return aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=kind,
                          reason=extra.pop("reason", "包装破损，菌子发霉"), amount_fen=amount_fen, **extra)


def _nothing_written() -> tuple[int, int, int, int]:
    return (AfterSaleRequest.objects.count(), AfterSaleTransition.objects.count(), AfterSaleDecision.objects.count(),
            Refund.objects.count())


def test_a_refund_only_request_waits_for_the_merchant_who_agrees_and_the_money_goes_back(
        consumer, merchant_actor, line):
    # when
    request = _open(consumer, line)
    # then it is the merchant's turn, with a 48-hour deadline
    assert (request.status, request.level, request.amount_fen) == (Status.MERCHANT_HANDLING, Level.NEW_OR_LOW, 12800)
    assert request.merchant_deadline == request.created_at + dt.timedelta(hours=48)
    # when the merchant agrees
    request = aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    # then the line's price is refunded through the provider, and the decision is the merchant's, signed
    refund = Refund.objects.get()
    assert (request.status, request.refunded_fen, refund.amount_fen, refund.status) == (
        Status.REFUNDED, 12800, 12800, RefundStatus.SUCCEEDED)
    assert Payment.objects.get(order=line.order).refunded_fen == 12800
    assert [(t.from_status, t.to_status) for t in request.transitions.all()] == [
        ("", Status.REQUESTED), (Status.REQUESTED, Status.MERCHANT_HANDLING),
        (Status.MERCHANT_HANDLING, Status.AGREED), (Status.AGREED, Status.REFUNDED)]
    decision = request.decisions.get()
    assert (decision.decided_by, decision.outcome, decision.amount_fen, decision.organization) == (
        DecidedBy.MERCHANT, Outcome.APPROVE, 12800, line.order.merchant)
    statement = statement_of(decision.leaf_hash)
    assert statement["request"] == request.reference and statement["merchant"] == f"org:{line.order.merchant.pk}"
    assert line.order.number not in str(statement) and "13812341234" not in str(statement)


def test_a_bad_order_claim_with_a_photo_is_paid_at_once_by_the_rules(consumer, line, run_tasks):
    # when: a spoiled box of fresh mushrooms, photographed, ¥30 (within a new consumer's ¥50 cap)
    request = _open(consumer, line, kind=Kind.DAMAGED, amount_fen=3000, media=[("a.jpg", picture())])
    # then it is decided within the call, the refund recorded, and the provider asked by the task right after
    assert (request.status, request.refunded_fen) == (Status.PAYING, 3000)
    assert Refund.objects.get().status == RefundStatus.PENDING
    assert queued(aftersale_payouts_task) == [{"request_ids": [request.pk]}]
    run_tasks()
    request.refresh_from_db()
    assert (request.status, request.refunded_fen) == (Status.PAID, 3000)
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert [(t.from_status, t.to_status) for t in request.transitions.all()] == [
        ("", Status.DECIDING), (Status.DECIDING, Status.PAYING), (Status.PAYING, Status.PAID)]
    decision = request.decisions.get()
    assert (decision.decided_by, decision.outcome, decision.rule_id, decision.rule_version) == (
        DecidedBy.RULE, Outcome.APPROVE, "bad_order", "2026.12-1")
    assert all(condition["passed"] for condition in decision.conditions)
    statement = statement_of(decision.leaf_hash)
    assert statement["rule"]["version"] == "2026.12-1" and statement["decided_by"] == "rule"
    assert decision.organization.kind == "platform"
    assert request.media.count() == 1


def test_a_bad_order_claim_without_a_photo_goes_to_the_merchant_with_a_deadline(consumer, line):
    # when
    request = _open(consumer, line, kind=Kind.DAMAGED, amount_fen=3000)
    # then
    assert request.status == Status.WAITING_MERCHANT
    decision = request.decisions.get()
    assert request.merchant_deadline == decision.at + dt.timedelta(hours=24)
    assert decision.outcome == Outcome.ROUTE
    assert [c["id"] for c in decision.conditions if not c["passed"]] == ["photos"]
    assert Refund.objects.count() == 0


def test_a_claim_above_the_level_cap_goes_to_the_merchant(consumer, line):
    request = _open(consumer, line, kind=Kind.DAMAGED, amount_fen=6000, media=[("a.jpg", picture())])
    assert request.status == Status.WAITING_MERCHANT
    assert [c["id"] for c in request.decisions.get().conditions if not c["passed"]] == ["amount_cap"]


def test_a_line_not_delivered_is_refused(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale, deliver=False)
    before = _nothing_written()
    # when / then
    with pytest.raises(Conflict) as refused:
        _open(consumer, line)
    assert refused.value.code == "aftersale.not_delivered"
    assert _nothing_written() == before


def test_someone_elses_order_is_not_found(other_consumer, consumer, line):
    before = _nothing_written()
    with pytest.raises(NotFound) as refused:
        _open(other_consumer, line)
    assert refused.value.code == "aftersale.line_not_found"
    assert _nothing_written() == before


def test_outside_the_window_is_refused_and_the_window_counts_from_the_day_after_delivery(consumer, line):
    delivered = line.order.delivered_at
    shanghai = dt.timezone(dt.timedelta(hours=8))
    last_day_evening = dt.datetime.combine(delivered.astimezone(shanghai).date() + dt.timedelta(days=7),
                                           dt.time(23, 30), tzinfo=shanghai)
    before = _nothing_written()
    with clock.played_at(last_day_evening + dt.timedelta(hours=1)), pytest.raises(Conflict) as refused:
        _open(consumer, line)
    assert refused.value.code == "aftersale.window_closed"
    assert _nothing_written() == before
    with clock.played_at(last_day_evening):
        assert _open(consumer, line).status == Status.MERCHANT_HANDLING


@pytest.mark.parametrize("amount, code", [(-1, "aftersale.amount_invalid"), (0, "aftersale.amount_invalid"),
                                          (12801, "aftersale.amount_exceeds")])
def test_a_bad_amount_is_refused(consumer, line, amount, code):
    before = _nothing_written()
    with pytest.raises((InvalidInput, Conflict)) as refused:
        _open(consumer, line, amount_fen=amount)
    assert refused.value.code == code
    assert _nothing_written() == before


def test_a_second_open_request_on_the_line_is_refused(consumer, line):
    _open(consumer, line)
    before = _nothing_written()
    with pytest.raises(Conflict) as refused:
        _open(consumer, line, kind=Kind.DAMAGED, amount_fen=1000)
    assert refused.value.code == "aftersale.open_exists"
    assert _nothing_written() == before


def test_a_sixth_request_on_the_line_is_refused(consumer, line):
    for _ in range(5):
        aftersale_cancel(consumer=consumer, reference=_open(consumer, line).reference)
    before = _nothing_written()
    with pytest.raises(Conflict) as refused:
        _open(consumer, line)
    assert refused.value.code == "aftersale.too_many"
    assert _nothing_written() == before


def test_a_no_reason_return_on_an_excluded_category_confirmed_at_purchase_is_refused(consumer, line):
    # given: the consumer confirmed at purchase that fresh mushrooms are excluded
    line.return_exclusion_confirmed_at = clock.now()
    line.save(update_fields=["return_exclusion_confirmed_at"])
    before = _nothing_written()
    # when / then
    with pytest.raises(Conflict) as refused:
        _open(consumer, line, kind=Kind.RETURN_REFUND)
    assert refused.value.code == "aftersale.excluded_category"
    assert _nothing_written() == before
    # but a guarantee claim (坏单包赔) stays open to them
    assert _open(consumer, line, kind=Kind.DAMAGED, amount_fen=3000).status == Status.WAITING_MERCHANT


def test_a_recall_that_did_not_reach_the_buyer_does_not_lift_the_window(consumer, line):
    # (a recall that did reach them does: tests/aftersales/test_recalls.py)
    with clock.played_at(clock.now() + dt.timedelta(days=60)), pytest.raises(NotFound):
        _open(consumer, line, recall_id=7)
    assert not AfterSaleRequest.objects.exists()


def test_only_the_merchant_of_the_order_decides(consumer, other_actor, merchant, line):
    request = _open(consumer, line)
    with pytest.raises(NotFound):
        aftersale_merchant_agree(actor=other_actor, reference=request.reference)
    with pytest.raises(PermissionDenied):
        aftersale_merchant_agree(actor=actor_for(merchant, Role.VIEWER), reference=request.reference)
    assert AfterSaleRequest.objects.get().status == Status.MERCHANT_HANDLING
    assert Refund.objects.count() == 0


def test_a_refusal_needs_a_reason_then_is_escalated_and_an_operator_decides(consumer, merchant_actor, operator, line):
    request = _open(consumer, line)
    with pytest.raises(InvalidInput):
        aftersale_merchant_refuse(actor=merchant_actor, reference=request.reference, reason="  ")
    assert AfterSaleRequest.objects.get().status == Status.MERCHANT_HANDLING
    # when
    request = aftersale_merchant_refuse(actor=merchant_actor, reference=request.reference, reason="商品无质量问题")
    assert (request.status, request.refused_at is not None) == (Status.REFUSED, True)
    request = aftersale_escalate(consumer=consumer, reference=request.reference, reason="收到时已经发霉，有照片")
    assert request.status == Status.ESCALATED
    # a merchant cannot decide a dispute
    with pytest.raises(PermissionDenied):
        aftersale_operator_decide(actor=merchant_actor, reference=request.reference, approve=True, reason="x")
    request = aftersale_operator_decide(actor=operator, reference=request.reference, approve=True,
                                        amount_fen=6400, reason="照片显示部分发霉，支持退一半")
    # then
    assert (request.status, request.refunded_fen) == (Status.REFUNDED, 6400)
    decision = request.decisions.order_by("-id").first()
    assert (decision.decided_by, decision.outcome, decision.organization) == (
        DecidedBy.OPERATOR, Outcome.PARTIAL, operator.organization)


def test_escalation_is_refused_after_seven_days(consumer, merchant_actor, line):
    request = _open(consumer, line)
    aftersale_merchant_refuse(actor=merchant_actor, reference=request.reference, reason="商品无质量问题")
    with clock.played_at(clock.now() + dt.timedelta(days=7, minutes=1)), pytest.raises(Conflict) as refused:
        aftersale_escalate(consumer=consumer, reference=request.reference, reason="不服")
    assert refused.value.code == "aftersale.escalation_closed"
    assert AfterSaleRequest.objects.get().status == Status.REFUSED


def test_merchant_silence_past_the_deadline_lets_the_request_proceed(consumer, line):
    request = _open(consumer, line)
    # not yet due
    assert aftersales_sweep(now=clock.now() + dt.timedelta(hours=47))["deadlines"] == 0
    # when
    later = clock.now() + dt.timedelta(hours=49)
    with clock.played_at(later):
        done = aftersales_sweep(now=later)
    # then
    request.refresh_from_db()
    assert done["deadlines"] == 1
    assert (request.status, request.refunded_fen) == (Status.REFUNDED, 12800)
    decision = request.decisions.get()
    assert (decision.decided_by, decision.rule_id, decision.reason) == (
        DecidedBy.TIMEOUT, "merchant_silence", "超时未处理视为同意")


def test_the_deadline_task_is_queued_and_runs_the_silence_rule(consumer, line, run_tasks):
    request = _open(consumer, line)
    assert queued(aftersale_deadline_task) == [{"request_id": request.pk}]
    run_tasks()
    request.refresh_from_db()
    assert request.status == Status.MERCHANT_HANDLING
    run_tasks(at=clock.now() + dt.timedelta(hours=49))
    request.refresh_from_db()
    assert request.status == Status.REFUNDED


def test_a_partial_proposal_accepted_is_refunded(consumer, merchant_actor, line):
    request = _open(consumer, line)
    with pytest.raises(InvalidInput):
        aftersale_merchant_propose(actor=merchant_actor, reference=request.reference, amount_fen=12800, reason="x")
    request = aftersale_merchant_propose(actor=merchant_actor, reference=request.reference, amount_fen=5000,
                                         reason="部分菌子完好，退 50 元")
    assert (request.status, request.proposed_fen) == (Status.NEGOTIATING, 5000)
    request = aftersale_proposal_answer(consumer=consumer, reference=request.reference, accept=True)
    assert (request.status, request.refunded_fen, request.agreed_fen) == (Status.REFUNDED, 5000, 5000)


def test_a_declined_proposal_goes_back_to_the_merchant(consumer, merchant_actor, line):
    request = _open(consumer, line)
    aftersale_merchant_propose(actor=merchant_actor, reference=request.reference, amount_fen=5000, reason="退 50 元")
    request = aftersale_proposal_answer(consumer=consumer, reference=request.reference, accept=False)
    assert (request.status, request.proposed_fen) == (Status.MERCHANT_HANDLING, None)
    assert Refund.objects.count() == 0


def test_a_consumer_cancels_and_a_new_request_may_follow(consumer, line):
    request = _open(consumer, line)
    request = aftersale_cancel(consumer=consumer, reference=request.reference)
    assert request.status == Status.CANCELLED
    assert _open(consumer, line).status == Status.MERCHANT_HANDLING


def test_refunds_never_exceed_the_line_after_earlier_refunds(consumer, merchant_actor, line):
    request = _open(consumer, line, amount_fen=10000)
    aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    with pytest.raises(Conflict) as refused:
        _open(consumer, line, amount_fen=2801)
    assert refused.value.code == "aftersale.amount_exceeds"
    assert _open(consumer, line, amount_fen=2800).status == Status.MERCHANT_HANDLING


def test_the_decision_statement_counts_in_the_log(consumer, line):
    _open(consumer, line, kind=Kind.DAMAGED, amount_fen=3000, media=[("a.jpg", picture())])
    assert PendingEntry.objects.filter(statement_type="aftersale.decision").count() == 1
