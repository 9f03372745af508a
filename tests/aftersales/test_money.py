"""Who pays a claim: the fund first on a platform decision (and the recovery from the merchant), 假一赔N with the
statutory floors, the insurer (and its deadline), retries of failed payouts; every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import Role
from xinren.aftersales.choices import DecidedBy, Kind, PayoutSource, Status
from xinren.aftersales.fund.choices import AccountKind, JournalKind, PolicyKind
from xinren.aftersales.fund.reconcile import fund_reconcile
from xinren.aftersales.models import AfterSaleRequest, Journal
from xinren.aftersales.selectors import request_money
from xinren.aftersales.services import (
    aftersale_merchant_agree,
    aftersale_operator_decide,
    aftersales_sweep,
)
from xinren.aftersales.services.payers import (
    aftersale_counterfeit_decide,
    aftersale_insurer_pay,
    aftersale_payout_retry,
    recover,
)
from xinren.aftersales.tasks import aftersale_insurer_deadline_task, aftersale_recover_task
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.orders.choices import RefundStatus
from xinren.orders.models import Payment, Refund
from xinren.orders.payments.sandbox import Token
from xinren.orders.payments.sandbox_models import SandboxCharge

from ..factories import BatchFactory, ItemFactory, actor_for
from ..fixtures.reviews import statement_of
from ..fixtures.tasks import queued
from .conftest import picture
from .fund_setup import balance, contribute, fund_balance, sums_match
from .money_setup import claim_open, deposit, escalated, everything, insurer_with_policy, line_paid_with, paid_out

pytestmark = pytest.mark.django_db


def _journal(reference: str, kind: str = JournalKind.PAYOUT) -> Journal:
    return Journal.objects.get(reference=reference, kind=kind)


# -- the platform pays first -----------------------------------------------------------------------------------------


def test_an_upheld_dispute_is_paid_first_from_the_fund_then_recovered_from_deposit_and_settlements(
        consumer, merchant_actor, merchant_admin, operator, line):
    # given: a fund of ¥1,000, and a merchant whose deposit (¥50) covers part of the claim
    contribute(operator, 100_000)
    deposit(merchant_admin, 5_000)
    request = escalated(consumer, merchant_actor, line)
    # when the operator upholds it
    request = aftersale_operator_decide(actor=operator, reference=request.reference, approve=True,
                                        reason="照片显示整箱发霉")
    # then the fund paid the consumer first, no refund of the payment went out
    assert (request.status, request.payout_source, request.refunded_fen) == (Status.PAID, PayoutSource.FUND, 12800)
    assert Refund.objects.count() == 0 and Payment.objects.get(order=line.order).refunded_fen == 0
    journal = _journal(request.reference)
    assert (request.payout_journal, journal.amount_fen, fund_balance()) == (journal, 12800, 100_000 - 12800)
    statement = statement_of(journal.statement_leaf_hash)
    assert (statement["type"], statement["claim"], statement["amount_fen"]) == ("fund.payout", request.reference,
                                                                                12800)
    assert line.order.number not in str(statement) and "13812341234" not in str(statement)
    # and the recovery is queued with it
    assert queued(aftersale_recover_task) == [{"request_id": request.pk}]
    # when the task runs: the deposit first, the rest from the merchant's settlements
    assert recover(request_id=request.pk) == 12800
    money = request_money(AfterSaleRequest.objects.get(pk=request.pk))
    assert (money["recovered_fen"], money["from_deposit_fen"], money["from_settlements_fen"]) == (12800, 5000, 7800)
    assert (fund_balance(), balance(AccountKind.MERCHANT_DEPOSIT, line.order.merchant)) == (100_000, 0)
    assert AfterSaleRequest.objects.get(pk=request.pk).recovered_at is not None
    # a replay recovers nothing more
    assert recover(request_id=request.pk) == 0
    assert Journal.objects.filter(kind=JournalKind.RECOVERY).count() == 1
    assert sums_match() and fund_reconcile().ok


def test_an_upheld_refund_only_dispute_is_paid_by_the_fund_too(consumer, merchant_actor, operator, line):
    contribute(operator, 100_000)
    request = escalated(consumer, merchant_actor, line, kind=Kind.REFUND_ONLY, amount_fen=6400)
    request = aftersale_operator_decide(actor=operator, reference=request.reference, approve=True, reason="支持")
    assert (request.status, request.payout_source, request.refunded_fen) == (Status.REFUNDED, PayoutSource.FUND,
                                                                             6400)
    assert Refund.objects.count() == 0


def test_when_the_fund_is_short_the_payment_is_refunded_instead(consumer, merchant_actor, operator, line):
    contribute(operator, 1_000)
    request = escalated(consumer, merchant_actor, line)
    request = aftersale_operator_decide(actor=operator, reference=request.reference, approve=True, reason="支持")
    assert (request.status, request.payout_source) == (Status.PAID, PayoutSource.REFUND)
    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert (fund_balance(), Journal.objects.filter(kind=JournalKind.PAYOUT).count()) == (1_000, 0)
    assert queued(aftersale_recover_task) == []


def test_a_merchant_agreeing_is_paid_by_refund_not_by_the_fund(consumer, merchant_actor, operator, line):
    contribute(operator, 100_000)
    request = claim_open(consumer, line)
    request = aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    assert (request.status, request.payout_source, fund_balance()) == (Status.PAID, PayoutSource.REFUND, 100_000)


# -- 假一赔N ---------------------------------------------------------------------------------------------------------


def test_a_counterfeit_claim_waits_for_the_platform_and_the_merchant_cannot_decide_it(
        consumer, merchant_actor, line):
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    assert (request.status, request.merchant_deadline, request.decisions.count()) == (
        Status.WAITING_PLATFORM, None, 0)
    before = everything()
    with pytest.raises(Conflict):
        aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    assert everything() == before


@pytest.mark.parametrize(("loss_fen", "compensation", "basis"), [
    (0, 128_000, "FSL art. 148 floor"),  # food: 10 × ¥128 beats the ¥1,000 floor and CRPL's 3 × / ¥500
    (50_000, 150_000, "FSL art. 148 floor"),  # 3 × a ¥500 loss
])
def test_a_confirmed_counterfeit_pays_the_price_back_plus_the_statutory_compensation_from_the_fund(
        consumer, operator, line, loss_fen, compensation, basis):
    contribute(operator, 500_000)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    # when
    request = aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True,
                                           reason="检测报告确认为仿冒品", loss_fen=loss_fen)
    # then: the price by refund of the payment (never more than was paid), the compensation from the fund
    assert (request.status, request.refunded_fen, request.payout_source) == (Status.PAID, 12800,
                                                                             PayoutSource.REFUND)
    assert Payment.objects.get(order=line.order).refunded_fen == 12800
    assert (request.compensation_fen, request.compensation_basis, request.compensation_source) == (
        compensation, basis, PayoutSource.FUND)
    assert _journal(f"{request.reference}.comp").amount_fen == compensation
    decision = request.decisions.get()
    assert (decision.decided_by, decision.amount_fen, decision.rule_id) == (
        DecidedBy.OPERATOR, 12800 + compensation, "counterfeit_compensation")
    assert statement_of(decision.leaf_hash)["rule"]["conditions"][2] == {"id": "basis", "passed": True,
                                                                         "value": basis}
    # the compensation is recovered from the merchant, the price is not (it came from its own payment)
    assert recover(request_id=request.pk) == compensation
    assert sums_match() and fund_reconcile().ok


def test_a_counterfeit_of_non_food_pays_three_times_at_least_500_yuan(consumer, operator, line):
    line.product.category = "handicraft"
    line.product.save()
    contribute(operator, 500_000)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    request = aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True, reason="仿冒")
    assert (request.compensation_fen, request.compensation_basis) == (50_000, "CRPL art. 55 floor")


def test_an_operator_refusing_a_counterfeit_pays_nothing_and_the_consumer_may_escalate(consumer, operator, line):
    from xinren.aftersales.services import aftersale_escalate

    contribute(operator, 500_000)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    before = {k: v for k, v in everything().items() if k not in ("requests", "transitions", "decisions")}
    with pytest.raises(InvalidInput):
        aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=False, reason=" ")
    request = aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=False,
                                           reason="鉴定为正品")
    assert request.status == Status.NO_PAYOUT
    assert {k: v for k, v in everything().items() if k not in ("requests", "transitions", "decisions")} == before
    request = aftersale_escalate(consumer=consumer, reference=request.reference, reason="我有鉴定证书")
    # upheld on escalation: a confirmed counterfeit
    request = aftersale_operator_decide(actor=operator, reference=request.reference, approve=True,
                                        reason="复核确认仿冒")
    assert (request.status, request.compensation_fen) == (Status.PAID, 128_000)


def test_counterfeit_refusals_change_nothing(consumer, merchant_actor, operator, line):
    contribute(operator, 500_000)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    before = everything()
    for call, error in [
        (lambda: aftersale_counterfeit_decide(actor=merchant_actor, reference=request.reference, confirm=True,
                                              reason="x"), PermissionDenied),
        (lambda: aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True,
                                              reason="x", loss_fen=-1), InvalidInput),
        (lambda: aftersale_counterfeit_decide(actor=operator, reference="ASNOSUCH", confirm=True, reason="x"),
         NotFound),
    ]:
        with pytest.raises(error):
            call()
        assert everything() == before
    aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True, reason="仿冒")
    after = everything()
    with pytest.raises(Conflict) as refused:  # not the platform's turn any more
        aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True, reason="仿冒")
    assert refused.value.code == "aftersale.not_platform_turn" and everything() == after


# -- the insurer -----------------------------------------------------------------------------------------------------


def test_a_counterfeit_on_an_insured_merchant_is_paid_by_the_insurer_who_signs(
        consumer, merchant_admin, operator, line):
    insurer, policy_id = insurer_with_policy(merchant_admin)
    other_insurer, _other = insurer_with_policy(merchant_admin, name="别家保险", subscribe=False)
    contribute(operator, 500_000)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    request = aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True, reason="仿冒")
    # the price is back, the compensation waits for the insurer (48 h)
    assert (request.status, request.compensation_source, request.insurance_policy_id) == (
        Status.PAYING, PayoutSource.INSURER, policy_id)
    assert request.insurer_due_at == request.updated_at + dt.timedelta(hours=48)
    assert Journal.objects.filter(kind=JournalKind.PAYOUT).count() == 0
    assert queued(aftersale_insurer_deadline_task) == [{"request_id": request.pk}]
    # an insurer whose policy the claim is not routed to, or a merchant, cannot pay it
    before = everything()
    with pytest.raises(NotFound):
        aftersale_insurer_pay(actor=other_insurer, reference=request.reference)
    with pytest.raises(PermissionDenied):
        aftersale_insurer_pay(actor=actor_for(line.order.merchant, Role.ADMIN), reference=request.reference)
    assert everything() == before
    # when the insurer pays
    request = aftersale_insurer_pay(actor=insurer, reference=request.reference)
    # then
    assert (request.status, request.compensation_journal.kind) == (Status.PAID, JournalKind.INSURANCE_PAYOUT)
    statement = statement_of(request.compensation_journal.statement_leaf_hash)
    assert (statement["type"], statement["amount_fen"], statement["insurer"]) == (
        "insurance.payout", 128_000, f"org:{insurer.organization.pk}")
    # paying again is refused and moves nothing
    after = everything()
    with pytest.raises(Conflict):
        aftersale_insurer_pay(actor=insurer, reference=request.reference)
    assert everything() == after and fund_balance() == 500_000
    assert sums_match() and fund_reconcile().ok


def test_a_silent_insurer_past_its_deadline_leaves_the_fund_to_pay_first(consumer, merchant_admin, operator, line):
    insurer, _policy = insurer_with_policy(merchant_admin)
    contribute(operator, 500_000)
    request = claim_open(consumer, line, kind=Kind.COUNTERFEIT)
    request = aftersale_counterfeit_decide(actor=operator, reference=request.reference, confirm=True, reason="仿冒")
    # before the deadline the sweep leaves it to the insurer
    assert aftersales_sweep()["insurer_deadlines"] == 0
    with clock.played_at(clock.now() + dt.timedelta(hours=48, minutes=1)):
        assert aftersales_sweep()["insurer_deadlines"] == 1
    request = AfterSaleRequest.objects.get(pk=request.pk)
    assert (request.status, request.compensation_source) == (Status.PAID, PayoutSource.FUND)
    assert _journal(f"{request.reference}.comp").amount_fen == 128_000
    # the same sweep recovered it from the merchant (its settlements: it has no deposit)
    assert (request_money(request)["from_settlements_fen"], fund_balance()) == (128_000, 500_000)
    after = everything()
    with pytest.raises(Conflict) as refused:
        aftersale_insurer_pay(actor=insurer, reference=request.reference)
    assert refused.value.code == "aftersale.not_insurer_turn" and everything() == after


def test_an_upheld_quality_claim_on_an_insured_merchant_gets_the_policys_amount_from_the_insurer(
        consumer, merchant_actor, merchant_admin, line):
    insurer, _policy = insurer_with_policy(merchant_admin, kind=PolicyKind.QUALITY)
    request = claim_open(consumer, line, kind=Kind.QUALITY, amount_fen=5000)
    request = aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    assert (request.status, request.refunded_fen, request.compensation_fen) == (Status.PAYING, 5000, 2000)
    request = aftersale_insurer_pay(actor=insurer, reference=request.reference)
    assert (request.status, request.compensation_journal.amount_fen) == (Status.PAID, 2000)


def test_a_programmes_promised_compensation_on_an_upheld_quality_claim_is_paid_by_the_fund_and_recovered(
        consumer, merchant_actor, operator, product_on_sale):
    # given: the merchant belongs to a programme promising ¥20 on top of the refund for a quality problem
    from xinren.aftersales.models import GuaranteeProgramme, ProgrammeMembership

    now = clock.now()
    programme = GuaranteeProgramme.objects.create(
        slug="jun-wuyou", name="菌无忧", summary="品质问题退款另补 20 元", categories=["wild_mushroom"],
        promises=[{"id": "compensation_fen", "value": 2000, "text": "退款另补 20 元"}], badge_label="菌无忧",
        created_at=now, updated_at=now)
    ProgrammeMembership.objects.create(programme=programme, merchant=merchant_actor.organization, version=1,
                                       joined_at=now - dt.timedelta(days=1))
    contribute(operator, 100_000)
    line = line_paid_with(consumer, product_on_sale)
    request = claim_open(consumer, line, kind=Kind.QUALITY, amount_fen=5000)
    # when the merchant agrees
    request = aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    # then the price comes back by refund and the promise's ¥20 from the fund, recovered from the merchant later
    request = AfterSaleRequest.objects.get(pk=request.pk)
    assert (request.status, request.refunded_fen, request.compensation_fen) == (Status.PAID, 5000, 2000)
    assert (request.compensation_source, request.compensation_basis) == (PayoutSource.FUND, "programme promise")
    assert request.compensation_journal.amount_fen == 2000 and fund_balance() == 100_000 - 2000
    assert queued(aftersale_recover_task) == [{"request_id": request.pk}]
    # a merchant outside the programme promises nothing: its quality claims pay the price only
    ProgrammeMembership.objects.filter(programme=programme).update(left_at=now - dt.timedelta(hours=1))
    ItemFactory(batch=BatchFactory(product=product_on_sale, quantity=10))  # one more in stock to sell
    other = claim_open(consumer, line_paid_with(consumer, product_on_sale), kind=Kind.QUALITY, amount_fen=5000)
    other = aftersale_merchant_agree(actor=merchant_actor, reference=other.reference)
    assert (other.status, other.compensation_fen) == (Status.PAID, 0)


# -- retries ---------------------------------------------------------------------------------------------------------


def test_a_failed_refund_is_retried_failed_paying_paid_and_never_pays_twice(
        consumer, operator, merchant_actor, product_on_sale):
    line = line_paid_with(consumer, product_on_sale, Token.REFUND_FAIL)
    request = paid_out(claim_open(consumer, line, amount_fen=3000, media=[("a.jpg", picture())]))
    assert request.status == Status.FAILED
    # the sweep retries a bounded number of times
    for attempt in (1, 2, 3):
        assert aftersales_sweep()["retries"] == 1
        assert AfterSaleRequest.objects.get(pk=request.pk).payout_attempts == attempt
    assert aftersales_sweep()["retries"] == 0
    assert Refund.objects.filter(status=RefundStatus.FAILED).count() == 4
    # the provider's trouble is over; an operator retries from the dispute page
    SandboxCharge.objects.update(payment_token=Token.SUCCESS)
    with pytest.raises(PermissionDenied):
        aftersale_payout_retry(actor=merchant_actor, reference=request.reference)
    request = aftersale_payout_retry(actor=operator, reference=request.reference)
    assert (request.status, request.payout_attempts) == (Status.PAID, 4)
    assert [(t.from_status, t.to_status) for t in request.transitions.all()][-2:] == [
        (Status.FAILED, Status.PAYING), (Status.PAYING, Status.PAID)]
    assert Payment.objects.get(order=line.order).refunded_fen == 3000
    # retrying a paid claim is refused and moves nothing
    after = everything()
    with pytest.raises(Conflict) as refused:
        aftersale_payout_retry(actor=operator, reference=request.reference)
    assert refused.value.code == "aftersale.payout_not_failed" and everything() == after


def test_a_payment_that_can_no_longer_be_refunded_is_paid_by_the_fund_first(consumer, operator, line):
    contribute(operator, 100_000)
    SandboxCharge.objects.update(status="voided")  # settled away: the provider refuses any refund of it
    request = paid_out(claim_open(consumer, line, amount_fen=3000, media=[("a.jpg", picture())]))
    assert (request.status, request.payout_source, fund_balance()) == (Status.PAID, PayoutSource.FUND, 97_000)
    assert Refund.objects.get().failure_code == "payment_not_refundable"
    assert Payment.objects.get(order=line.order).refunded_fen == 0
    assert queued(aftersale_recover_task) == [{"request_id": request.pk}]


def test_a_fund_payout_the_provider_reports_failed_fails_the_claim_again_and_is_retried_once(
        consumer, merchant_actor, operator, line, run_tasks):
    from xinren.aftersales.fund.services import claim_paid_fen, claim_recovered_fen
    from xinren.aftersales.tasks import aftersale_payout_reversed_task

    contribute(operator, 100_000)
    request = escalated(consumer, merchant_actor, line)
    # an amount ending in 13 fen is accepted, then fails at the payee (the sandbox's trigger)
    request = aftersale_operator_decide(actor=operator, reference=request.reference, approve=True, amount_fen=6413,
                                        reason="支持一半")
    assert (request.status, request.payout_source) == (Status.PAID, PayoutSource.FUND)
    # when the provider's notice arrives (the recovery task runs alongside), then the claim's reaction it queued
    run_tasks()
    run_tasks()
    assert queued(aftersale_payout_reversed_task) == []
    # then the journal is reversed and the claim failed again, to be retried
    request = AfterSaleRequest.objects.get(pk=request.pk)
    assert (request.status, request.payout_journal, request.closed_at) == (Status.FAILED, None, None)
    assert claim_paid_fen(claim_reference=request.reference) == 0
    # the retry pays anew from the fund (its own key); the merchant is never charged twice
    request = aftersale_payout_retry(actor=operator, reference=request.reference)
    assert (request.status, request.payout_attempts) == (Status.PAID, 1)
    assert claim_paid_fen(claim_reference=request.reference) == 6413
    recover(request_id=request.pk)
    assert claim_recovered_fen(claim_reference=request.reference) == 6413
    assert sums_match() and fund_reconcile().ok
