"""Who pays an upheld request or claim (ADR 0030): the refund of the order's payment, the fund first (先行赔付), or
the insurer — and the money on top of the price (假一赔N, 品质险), the insurer's deadline, retries of failed
payouts and the recovery from the merchant.

- The **price part** of an upheld request never exceeds what is still refundable on the line (the request's amount
  is capped at opening; `agreed_fen` ≤ `amount_fen`). A platform decision (an operator's, the insurer deadline,
  the sweep) pays it from the fund first (`fund_payout`, claim reference = the request's reference); when the fund
  refuses (short of money, the provider refused) the refund of the payment goes out instead, as before.
- The **compensation** beyond the price is paid only from fund or insurer journals, under the claim reference
  `<reference>.comp`: by the insurer when the merchant subscribes to a matching policy (正品险 for a counterfeit, 品质险
  for a quality failure), else by the fund first; an insurer silent past `INSURER_HOURS` hands it to the fund.
- What the fund paid first is recovered from the merchant (`fund_recover`: deposit first, then a settlement
  deduction) by a task queued with the payout, backed by the periodic sweep.

Lock order: Order → OrderLine → AfterSaleRequest (moves.locked), then the fund's mutex and accounts (fund/), then
Payment → Refund. Tasks and the sweep act as `system_actor()`: the platform organization at staff rank with no
user; what they sign, the platform signs.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, OrganizationStatus, Role
from xinren.accounts.services import platform_organization
from xinren.catalog.choices import FOOD_CATEGORIES
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput
from xinren.core.tasks import task_enqueue
from xinren.orders.choices import RefundStatus
from xinren.orders.services.refunds import refund_create_for_aftersale

from .. import errors
from ..choices import CLAIM_KINDS, OPEN_STATUSES, DecidedBy, Kind, Outcome, PayoutSource, Status
from ..fund.choices import PolicyKind
from ..fund.insurance import Amount, compensation_amount, insurance_payout, payout_amount
from ..fund.services import claim_paid_fen, claim_recovered_fen, fund_payout, fund_recover
from ..models import AfterSaleRequest, InsurancePolicy, Journal
from ..programmes.rules import compensation_fen as programme_compensation_fen
from ..programmes.rules import promises_in_force
from .moves import decide, line_refunded_fen, locked, move, payout, payout_finish

# The insurer's time to pay a claim routed to it; past it the fund pays first.
INSURER_HOURS = 48
# How often the periodic sweep retries a failed payout by itself (an operator may retry after that).
SWEEP_RETRIES = 3
# A refund the provider refused for one of these reasons will never go through: the fund pays first instead.
UNREFUNDABLE = frozenset({"payment_not_refundable", "amount_exceeds_refundable"})
COUNTERFEIT_RULE, COUNTERFEIT_VERSION = "counterfeit_compensation", "2026.12-1"
INSURER = [OrganizationKind.INSURER]
PLATFORM = [OrganizationKind.PLATFORM]


def system_actor() -> Actor:
    """The platform acting on its own (a task, the sweep): the platform organization at staff rank, no user."""
    return Actor(organization=platform_organization(), role=Role.STAFF)


def compensation_reference(request: AfterSaleRequest) -> str:
    return f"{request.reference}.comp"


# -- paying ---------------------------------------------------------------------------------------------------------


def _fund_pay(request: AfterSaleRequest, *, actor: Actor, claim_reference: str, amount_fen: int, reason: str,
              key: str) -> tuple[Journal | None, str]:
    """Pay from the fund in a savepoint: the journal, or None and the fund's refusal code (nothing moved then)."""
    try:
        with transaction.atomic():
            journal = fund_payout(actor=actor, claim_reference=claim_reference, consumer=request.consumer,
                                  merchant=request.merchant, amount_fen=amount_fen, reason=reason,
                                  idempotency_key=key)
    except DomainError as exc:
        if not exc.code.startswith("fund."):
            raise
        return None, exc.code
    recovery_schedule(request)
    return journal, ""


def _refund_new(request: AfterSaleRequest, *, at: datetime, by_user: Any = None, by_organization: Any = None) -> None:
    """A new refund of the price for a retry (a key per attempt), within what the payment can still refund."""
    request.refund = refund_create_for_aftersale(
        order=request.order, amount_fen=request.refunded_fen,
        key=f"aftersale:{request.reference}:{request.payout_attempts}",
        reason=str(_("售后 %(reference)s") % {"reference": request.reference}), by_user=by_user,
        by_organization=by_organization,
    )
    request.payout_source = PayoutSource.REFUND
    request.updated_at = at


def price_pay(request: AfterSaleRequest, *, amount_fen: int, at: datetime, fund_actor: Actor | None = None,
              by_user: Any = None, by_organization: Any = None) -> None:
    """The price part of an upheld request (the caller saves): from the fund first when the platform decided
    (`fund_actor`), else — or when the fund refuses — by refund of the order's payment (provider after commit)."""
    if amount_fen <= 0 or request.payout_source:
        return
    if fund_actor is not None:
        journal, _code = _fund_pay(request, actor=fund_actor, claim_reference=request.reference,
                                   amount_fen=amount_fen, reason=str(_("平台先行赔付")),
                                   key=f"aftersale:{request.reference}:fund:{request.payout_attempts}")
        if journal is not None:
            request.payout_source, request.payout_journal = PayoutSource.FUND, journal
            request.refunded_fen, request.updated_at = amount_fen, at
            return
    payout(request, amount_fen=amount_fen, at=at, by_user=by_user, by_organization=by_organization)


def _price_from_fund(request: AfterSaleRequest, *, actor: Actor, at: datetime) -> bool:
    """The price part from the fund instead of the payment's refund (the payment can no longer refund it)."""
    journal, _code = _fund_pay(request, actor=actor, claim_reference=request.reference,
                               amount_fen=request.refunded_fen, reason=str(_("原路退款失败，平台先行赔付")),
                               key=f"aftersale:{request.reference}:fund:{request.payout_attempts}")
    if journal is None:
        return False
    request.payout_source, request.payout_journal, request.updated_at = PayoutSource.FUND, journal, at
    return True


def matching_policy(request: AfterSaleRequest) -> InsurancePolicy | None:
    """The active policy of the merchant's that covers this claim: 正品险 for a counterfeit (covering food when the
    product is food), 品质险 for a quality failure; None when the merchant has none."""
    kind = {Kind.COUNTERFEIT: PolicyKind.AUTHENTIC, Kind.QUALITY: PolicyKind.QUALITY}.get(Kind(request.kind))
    if kind is None:
        return None
    policies = InsurancePolicy.objects.filter(kind=kind, active=True, subscriptions__merchant=request.merchant,
                                              insurer__status=OrganizationStatus.ACTIVE)
    if kind == PolicyKind.AUTHENTIC and request.line.product.category in FOOD_CATEGORIES:
        policies = policies.filter(covers_food=True)
    return policies.order_by("id").first()


def compensation_for(request: AfterSaleRequest, *, loss_fen: int = 0) -> tuple[Amount | None, InsurancePolicy | None]:
    """What is owed on top of the price and under which policy (None: nothing is, or the fund pays)."""
    policy = matching_policy(request)
    price = request.line.total_fen
    if request.kind == Kind.COUNTERFEIT:
        if policy is not None:
            return payout_amount(policy=policy, price_fen=price, loss_fen=loss_fen), policy
        return compensation_amount(price_fen=price, loss_fen=loss_fen,
                                   food=request.line.product.category in FOOD_CATEGORIES), None
    if request.kind == Kind.QUALITY:
        if policy is not None:
            return payout_amount(policy=policy, price_fen=price), policy
        # A programme's promise ("quality problem → fast refund plus compensation"), under the terms the merchant
        # had when the order was placed; the fund pays it first and recovers it from the merchant, who promised it.
        promised = programme_compensation_fen(
            promises_in_force(merchant_id=request.merchant_id, category=request.line.product.category,
                              at=request.order.placed_at), price_fen=price)
        if promised > 0:
            return Amount(promised, "programme promise"), None
    return None, None


def compensation_plan(request: AfterSaleRequest, *, at: datetime, fund_actor: Actor | None = None,
                      loss_fen: int = 0) -> None:
    """Route the compensation (the caller saves): to the insurer with a deadline, or paid by the fund first."""
    amount, policy = compensation_for(request, loss_fen=loss_fen)
    if amount is None or amount.fen <= 0:
        return
    request.compensation_fen, request.compensation_basis, request.loss_fen = amount.fen, amount.basis[:120], loss_fen
    if policy is not None:
        request.compensation_source, request.insurance_policy = PayoutSource.INSURER, policy
        request.insurer_due_at = at + timedelta(hours=INSURER_HOURS)
        insurer_deadline_schedule(request)
        return
    request.compensation_source = PayoutSource.FUND
    _compensation_from_fund(request, actor=fund_actor or system_actor())


def _compensation_from_fund(request: AfterSaleRequest, *, actor: Actor) -> None:
    journal, _code = _fund_pay(request, actor=actor, claim_reference=compensation_reference(request),
                               amount_fen=request.compensation_fen,
                               reason=str(_("假一赔N，平台先行赔付") if request.kind == Kind.COUNTERFEIT
                                          else _("保障计划承诺的赔偿，平台先行赔付")),
                               key=f"aftersale:{request.reference}:comp:{request.payout_attempts}")
    request.compensation_journal = journal


# -- where a paying claim stands -------------------------------------------------------------------------------------


def _price_state(request: AfterSaleRequest) -> str:
    if request.payout_source == PayoutSource.FUND:
        return "done" if request.payout_journal_id else "failed"
    if request.refund is not None:
        states: dict[str, str] = {RefundStatus.SUCCEEDED: "done", RefundStatus.PENDING: "pending"}
        return states.get(request.refund.status, "failed")
    return "done"


def _compensation_state(request: AfterSaleRequest) -> str:
    if request.compensation_fen == 0 or request.compensation_journal_id is not None:
        return "done"
    return "insurer" if request.compensation_source == PayoutSource.INSURER else "failed"


def settle(request: AfterSaleRequest, *, at: datetime, rule: str = "", note: str = "") -> None:
    """A paying claim (locked) moves on when its parts have: PAID when all are paid, FAILED when a part failed and
    none is still at the provider. A refund the payment can never make is paid by the fund first instead."""
    if request.status != Status.PAYING:
        return
    price = _price_state(request)
    if price == "failed" and request.refund is not None and request.refund.failure_code in UNREFUNDABLE:
        price = "done" if _price_from_fund(request, actor=system_actor(), at=at) else "failed"
    states = {price, _compensation_state(request)}
    if "pending" in states:
        return
    if "failed" in states:
        move(request, Status.FAILED, at=at, rule=rule or "payout", note=note)
    elif states == {"done"}:
        move(request, Status.PAID, at=at, rule=rule or "payout", note=note)
        request.closed_at = at


def claim_pay(request: AfterSaleRequest, *, amount_fen: int, at: datetime, fund_actor: Actor | None = None,
              by_user: Any = None, by_organization: Any = None) -> None:
    """An upheld claim, already moved to PAYING (the caller saves): the price, a quality claim's 品质险 on top,
    and settle what is settled already."""
    price_pay(request, amount_fen=amount_fen, at=at, fund_actor=fund_actor, by_user=by_user,
              by_organization=by_organization)
    if request.kind == Kind.QUALITY:
        compensation_plan(request, at=at, fund_actor=fund_actor)
    if request.refund is None or request.payout_source == PayoutSource.FUND:
        settle(request, at=at)


# -- 假一赔N: the platform confirms or refuses a counterfeit ---------------------------------------------------------


def _counterfeit_price(request: AfterSaleRequest) -> int:
    """The price back: what the consumer asked, at most what the line can still refund (never beyond what was
    paid: the line's total less what other requests refunded)."""
    others = line_refunded_fen(request.line_id) - request.refunded_fen
    return max(min(request.amount_fen, request.line.total_fen - others), 0)


def aftersale_counterfeit_decide(*, actor: Actor, reference: str, confirm: bool, reason: str,
                                 loss_fen: int = 0) -> AfterSaleRequest:
    """An operator decides a 假一赔N claim (waiting for the platform, or escalated after a refusal): confirmed, it
    pays the price back by refund plus the statutory compensation (insurer or fund first); refused, no payout (the
    consumer may escalate within 7 days). Reason required; signed by the platform."""
    actor.require(role=Role.STAFF, kinds=PLATFORM)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= 500:
        raise InvalidInput(errors.REASON_REQUIRED, _("请填写理由（不超过 500 字）"), details={"field": "reason"})
    if isinstance(loss_fen, bool) or not isinstance(loss_fen, int) or not 0 <= loss_fen <= 5_000_000:
        raise InvalidInput(errors.AMOUNT_INVALID, _("损失金额须为 0 到 5 万元之间的整数分"),
                           details={"field": "loss_fen"})
    with transaction.atomic():
        request = locked(reference=reference, kind=Kind.COUNTERFEIT)
        if request.status not in (Status.WAITING_PLATFORM, Status.ESCALATED):
            raise Conflict(errors.NOT_PLATFORM_TURN, _("该理赔当前不需要平台处理"), details={"status": request.status})
        now = clock.now()
        if not confirm:
            decide(request, decided_by=DecidedBy.OPERATOR, organization=actor.organization, by_user=actor.user,
                   outcome=Outcome.REFUSE, amount_fen=0, reason=reason, at=now)
            move(request, Status.NO_PAYOUT, at=now, by_user=actor.user, by_organization=actor.organization,
                 note=reason)
            request.refused_at = request.refused_at or now
            request.closed_at = now if request.escalated_at else None
            request.save()
            return request
        _counterfeit_confirm(request, actor=actor, reason=reason, loss_fen=loss_fen, at=now)
        request.save()
    return payout_finish(request.pk) if request.refund_id is not None else request


def _counterfeit_confirm(request: AfterSaleRequest, *, actor: Actor, reason: str, loss_fen: int,
                         at: datetime) -> None:
    price = _counterfeit_price(request)
    amount, policy = compensation_for(request, loss_fen=loss_fen)
    assert amount is not None
    decide(request, decided_by=DecidedBy.OPERATOR, organization=actor.organization, by_user=actor.user,
           outcome=Outcome.APPROVE, amount_fen=price + amount.fen, reason=reason, at=at, rule_id=COUNTERFEIT_RULE,
           rule_version=COUNTERFEIT_VERSION, conditions=[
               {"id": "price_back_fen", "passed": True, "value": price},
               {"id": "compensation_fen", "passed": True, "value": amount.fen},
               {"id": "basis", "passed": True, "value": amount.basis},
               {"id": "payer", "passed": True, "value": "insurer" if policy is not None else "fund"},
           ])
    request.agreed_fen = price
    request.merchant_deadline = None
    move(request, Status.PAYING, at=at, by_user=actor.user, by_organization=actor.organization,
         rule=COUNTERFEIT_RULE, note=reason)
    # the price back is the merchant's money: a refund of the payment, capped at what was paid
    payout(request, amount_fen=price, at=at, by_user=actor.user, by_organization=actor.organization)
    compensation_plan(request, at=at, fund_actor=actor, loss_fen=loss_fen)
    if request.refund is None:
        settle(request, at=at)


# -- retries ---------------------------------------------------------------------------------------------------------


def payout_retry(*, actor: Actor, now: datetime | None = None, **lookup: Any) -> AfterSaleRequest:
    """Pay a FAILED claim again: FAILED → PAYING, each failed part anew with a key of its own (a refund the
    payment can no longer make: the fund pays first). Never pays twice: the claim's row lock, one key per attempt,
    and the fund's one-payout-per-claim rule."""
    with transaction.atomic():
        request = locked(**lookup)
        if request.status != Status.FAILED:
            raise Conflict(errors.NOT_FAILED, _("只有赔付失败的理赔可以重试"), details={"status": request.status})
        now = now or clock.now()
        request.payout_attempts += 1
        move(request, Status.PAYING, at=now, by_user=actor.user, by_organization=actor.organization,
             rule="payout_retry", note=str(_("第 %(n)s 次重试") % {"n": request.payout_attempts}))
        if _price_state(request) == "failed":
            unrefundable = request.refund is not None and request.refund.failure_code in UNREFUNDABLE
            if unrefundable or request.payout_source == PayoutSource.FUND:
                _price_from_fund(request, actor=actor, at=now)
            else:
                _refund_new(request, at=now, by_user=actor.user, by_organization=actor.organization)
        if _compensation_state(request) == "failed":
            _compensation_from_fund(request, actor=actor)
        if _price_state(request) != "pending":
            settle(request, at=now, rule="payout_retry")
        request.save()
    return payout_finish(request.pk) if _price_state(request) == "pending" else request


def payout_reversed(*, claim_reference: str, now: datetime | None = None) -> bool:
    """The provider reported a fund or insurer transfer for this request failed after accepting it (the notice
    reversed its journal): forget the journal, and a paid claim is failed again, for the sweep or an operator to
    retry. False when the request is not found or nothing it holds was reversed."""
    reference = claim_reference.removesuffix(".comp")
    if not AfterSaleRequest.objects.filter(reference=reference).exists():
        return False
    with transaction.atomic():
        request = locked(reference=reference)
        changed = False
        for field in ("payout_journal", "compensation_journal"):
            journal = getattr(request, field)
            if journal is not None and Journal.objects.filter(reverses=journal).exists():
                setattr(request, field, None)
                changed = True
        if not changed:
            return False
        now = now or clock.now()
        others_open = AfterSaleRequest.objects.filter(line_id=request.line_id, status__in=OPEN_STATUSES).exclude(
            pk=request.pk).exists()
        if request.status == Status.PAID and not others_open:  # (failed is open: one open request per line)
            move(request, Status.FAILED, at=now, rule="transfer_failed", note=str(_("支付渠道退回了这笔赔付")))
            request.closed_at = None
        audit_record(actor=None, organization=request.merchant, action="aftersale.payout_reversed", target=request,
                     data={"claim": claim_reference, "status": request.status})
        request.save()
    return True


def aftersale_payout_retry(*, actor: Actor, reference: str) -> AfterSaleRequest:
    """An operator retries a failed payout from the dispute page."""
    actor.require(role=Role.STAFF, kinds=PLATFORM)
    return payout_retry(actor=actor, reference=reference)


# -- the insurer -----------------------------------------------------------------------------------------------------


def aftersale_insurer_pay(*, actor: Actor, reference: str) -> AfterSaleRequest:
    """The insurer pays a claim routed to one of its policies, from its own account, signed with its own key
    (`insurance.payout`); the claim is then paid in full when its price part is."""
    actor.require(role=Role.STAFF, kinds=INSURER)
    with transaction.atomic():
        request = locked(reference=reference, insurance_policy__insurer=actor.organization)
        if (request.compensation_source != PayoutSource.INSURER or request.compensation_journal_id is not None
                or request.status not in (Status.PAYING, Status.FAILED)):
            raise Conflict(errors.NOT_INSURER_TURN, _("该理赔当前不由保险公司赔付"), details={"status": request.status})
        assert request.insurance_policy_id is not None
        request.compensation_journal = insurance_payout(
            actor=actor, policy_id=request.insurance_policy_id, claim_reference=compensation_reference(request),
            consumer=request.consumer, merchant=request.merchant, price_fen=request.line.total_fen,
            loss_fen=request.loss_fen, idempotency_key=f"aftersale:{request.reference}:insurer",
        )
        settle(request, at=clock.now(), rule="insurance")
        request.save()
    return request


def insurer_deadline_pass(*, request_id: int, now: datetime | None = None) -> bool:
    """The insurer let its deadline pass: the fund pays the compensation first (the consumer never waits on a
    silent insurer). False when nothing was due."""
    with transaction.atomic():
        request = locked(pk=request_id)
        now = now or clock.now()
        if (request.compensation_source != PayoutSource.INSURER or request.compensation_journal_id is not None
                or request.insurer_due_at is None or request.insurer_due_at > now):
            return False
        request.compensation_source = PayoutSource.FUND
        _compensation_from_fund(request, actor=system_actor())
        audit_record(actor=None, organization=request.merchant, action="aftersale.insurer_deadline", target=request,
                     data={"policy": request.insurance_policy_id, "paid": request.compensation_journal_id is not None})
        settle(request, at=now, rule="insurer_deadline")
        request.save()
    return True


def insurer_deadline_schedule(request: AfterSaleRequest) -> None:
    from ..tasks import aftersale_insurer_deadline_task

    if request.insurer_due_at is not None:
        task_enqueue(aftersale_insurer_deadline_task.using(run_after=request.insurer_due_at), request_id=request.pk)


# -- recovery from the merchant --------------------------------------------------------------------------------------


def recovery_schedule(request: AfterSaleRequest) -> None:
    """Queue the recovery with the payout that makes it owed (the sweep backs it up)."""
    from ..tasks import aftersale_recover_task

    task_enqueue(aftersale_recover_task, request_id=request.pk)


def recover(*, request_id: int, now: datetime | None = None) -> int:
    """Recover from the merchant what the fund paid first for the request (deposit first, then settlements);
    what was recovered now, in fen. A repeat finds nothing owed (or replays the same key)."""
    actor = system_actor()
    total = 0
    with transaction.atomic():
        request = locked(pk=request_id)
        if request.merchant.kind != OrganizationKind.MERCHANT:
            return 0
        for claim in (request.reference, compensation_reference(request)):
            paid, got = claim_paid_fen(claim_reference=claim), claim_recovered_fen(claim_reference=claim)
            if paid - got > 0:
                fund_recover(actor=actor, claim_reference=claim, merchant=request.merchant, amount_fen=paid - got,
                             idempotency_key=f"recover:{claim}:{got}")
                total += paid - got
        if request.payout_journal_id or request.compensation_journal_id:
            request.recovered_at = now or clock.now()
            request.save(update_fields=["recovered_at"])
    return total


def sweep(*, now: datetime) -> dict[str, int]:
    """The periodic backstop: insurer deadlines passed, failed payouts retried (bounded), recoveries owed."""
    done = {"insurer_deadlines": 0, "retries": 0, "recoveries": 0}
    due = AfterSaleRequest.objects.filter(compensation_source=PayoutSource.INSURER, compensation_journal=None,
                                          insurer_due_at__lte=now)
    for request_id in due.values_list("pk", flat=True):
        done["insurer_deadlines"] += int(insurer_deadline_pass(request_id=request_id, now=now))
    failed = AfterSaleRequest.objects.filter(status=Status.FAILED, kind__in=sorted(CLAIM_KINDS),
                                             payout_attempts__lt=SWEEP_RETRIES)
    for request_id in failed.values_list("pk", flat=True):
        try:
            payout_retry(actor=system_actor(), now=now, pk=request_id)
        except Conflict:  # retried meanwhile by an operator
            continue
        done["retries"] += 1
    owed = AfterSaleRequest.objects.filter(recovered_at=None).exclude(payout_journal=None, compensation_journal=None)
    for request_id in owed.values_list("pk", flat=True):
        recover(request_id=request_id, now=now)
        done["recoveries"] += 1
    return done
