"""Decisions on requests and claims: the merchant's (agree, refuse with a reason, propose a partial amount), the
operator's on an escalated dispute, and the silence rule (超时未处理视为同意) when the merchant's deadline passes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.models import Organization, User
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput
from xinren.orders.choices import RefundStatus

from .. import errors
from ..choices import CLAIM_KINDS, MERCHANT_TURN, RETURN_KINDS, DecidedBy, Kind, Outcome, Status
from ..models import AfterSaleRequest
from .autodecide import STALE_AFTER, claims_decide
from .moves import decide, locked, move, payout_finish
from .payers import aftersale_counterfeit_decide, claim_pay, price_pay
from .payers import sweep as payers_sweep
from .returns import refund_due_apply

SILENCE_RULE = "merchant_silence"
SILENCE_VERSION = "2026.12-1"
REASON_MAX = 500


def agreed_apply(request: AfterSaleRequest, *, amount_fen: int, at: datetime, by_user: User | None = None,
                 by_organization: Organization | None = None, rule: str = "", fund_actor: Actor | None = None) -> None:
    """Carry out an agreement for `amount_fen`: a claim is paid now, a refund-only request refunded now, a return
    or exchange waits for the parcel (the caller saves the request). With `fund_actor` (the platform decided) the
    fund pays first (payers.py)."""
    request.agreed_fen = amount_fen
    request.merchant_deadline = None
    if request.kind in CLAIM_KINDS:
        move(request, Status.PAYING, at=at, by_user=by_user, by_organization=by_organization, rule=rule)
        claim_pay(request, amount_fen=amount_fen, at=at, fund_actor=fund_actor, by_user=by_user,
                  by_organization=by_organization)
        return
    move(request, Status.AGREED, at=at, by_user=by_user, by_organization=by_organization, rule=rule)
    if request.kind not in RETURN_KINDS:
        price_pay(request, amount_fen=amount_fen, at=at, fund_actor=fund_actor, by_user=by_user,
                  by_organization=by_organization)
        move(request, Status.REFUNDED, at=at, rule=rule)


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= REASON_MAX:
        raise InvalidInput(errors.REASON_REQUIRED, _("请填写理由（不超过 500 字）"), details={"field": "reason"})
    return reason


def _merchant_turn(actor: Actor, reference: str) -> AfterSaleRequest:
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    request = locked(merchant=actor.organization, reference=reference)
    if request.status not in MERCHANT_TURN:
        raise Conflict(errors.TRANSITION, _("该申请当前不需要商家处理"), details={"status": request.status})
    return request


def _finish(request: AfterSaleRequest) -> AfterSaleRequest:
    return payout_finish(request.pk) if request.refund_id is not None else request


def aftersale_merchant_agree(*, actor: Actor, reference: str) -> AfterSaleRequest:
    """The merchant agrees to the amount asked."""
    with transaction.atomic():
        request = _merchant_turn(actor, reference)
        now = clock.now()
        decide(request, decided_by=DecidedBy.MERCHANT, organization=actor.organization, by_user=actor.user,
               outcome=Outcome.APPROVE, amount_fen=request.amount_fen, reason=str(_("商家同意")), at=now)
        agreed_apply(request, amount_fen=request.amount_fen, at=now, by_user=actor.user,
                     by_organization=actor.organization)
        request.save()
    return _finish(request)


@transaction.atomic
def aftersale_merchant_refuse(*, actor: Actor, reference: str, reason: str) -> AfterSaleRequest:
    """The merchant refuses, with a reason the consumer sees; the consumer may escalate within 7 days."""
    reason = _reason_clean(reason)
    request = _merchant_turn(actor, reference)
    now = clock.now()
    decide(request, decided_by=DecidedBy.MERCHANT, organization=actor.organization, by_user=actor.user,
           outcome=Outcome.REFUSE, amount_fen=0, reason=reason, at=now)
    move(request, Status.NO_PAYOUT if request.kind in CLAIM_KINDS else Status.REFUSED, at=now, by_user=actor.user,
         by_organization=actor.organization, note=reason)
    request.refused_at = now
    request.merchant_deadline = None
    request.save()
    return request


@transaction.atomic
def aftersale_merchant_propose(*, actor: Actor, reference: str, amount_fen: int, reason: str) -> AfterSaleRequest:
    """The merchant proposes a partial amount (协商); the consumer accepts or declines it."""
    reason = _reason_clean(reason)
    request = _merchant_turn(actor, reference)
    if not isinstance(amount_fen, int) or not 0 <= amount_fen < request.amount_fen:
        raise InvalidInput(errors.AMOUNT_INVALID, _("协商金额须不少于 0 且低于申请金额"),
                           details={"field": "amount_fen"})
    now = clock.now()
    decide(request, decided_by=DecidedBy.MERCHANT, organization=actor.organization, by_user=actor.user,
           outcome=Outcome.PARTIAL, amount_fen=amount_fen, reason=reason, at=now)
    move(request, Status.WAITING_CONSUMER if request.kind in CLAIM_KINDS else Status.NEGOTIATING, at=now,
         by_user=actor.user, by_organization=actor.organization, note=reason)
    request.proposed_fen = amount_fen
    request.merchant_deadline = None
    request.save()
    return request


def aftersale_operator_decide(
    *, actor: Actor, reference: str, approve: bool, reason: str, amount_fen: int | None = None
) -> AfterSaleRequest:
    """An operator (a platform organization's member) decides an escalated dispute, signed by the platform org."""
    actor.require(role=Role.STAFF, kinds=[OrganizationKind.PLATFORM])
    reason = _reason_clean(reason)
    if AfterSaleRequest.objects.filter(reference=reference, kind=Kind.COUNTERFEIT).exists():
        # 假一赔N: upheld, it is a confirmed counterfeit (the price back plus the statutory compensation)
        return aftersale_counterfeit_decide(actor=actor, reference=reference, confirm=approve, reason=reason)
    with transaction.atomic():
        request = locked(reference=reference, status=Status.ESCALATED)
        now = clock.now()
        amount = request.amount_fen if amount_fen is None else amount_fen
        if approve and (not isinstance(amount, int) or not 0 <= amount <= request.amount_fen):
            raise InvalidInput(errors.AMOUNT_INVALID, _("裁决金额须在 0 与申请金额之间"),
                               details={"field": "amount_fen"})
        decide(request, decided_by=DecidedBy.OPERATOR, organization=actor.organization, by_user=actor.user,
               outcome=(Outcome.APPROVE if amount == request.amount_fen else Outcome.PARTIAL) if approve
               else Outcome.REFUSE, amount_fen=amount if approve else 0, reason=reason, at=now)
        if approve:
            # the platform upheld it: the fund pays first, and recovers from the merchant (payers.py)
            agreed_apply(request, amount_fen=amount, at=now, by_user=actor.user, by_organization=actor.organization,
                         fund_actor=actor)
        else:
            move(request, Status.NO_PAYOUT if request.kind in CLAIM_KINDS else Status.CLOSED, at=now,
                 by_user=actor.user, by_organization=actor.organization, note=reason)
            request.closed_at = now
        request.save()
    return _finish(request)


def aftersale_deadline_pass(*, request_id: int, now: datetime | None = None) -> bool:
    """If the merchant let the deadline pass in silence, the consumer's request proceeds as agreed (the WeChat
    store's rule, recorded as the platform's decision). False when nothing was due."""
    with transaction.atomic():
        request = locked(pk=request_id)
        now = now or clock.now()
        if request.status not in MERCHANT_TURN or request.merchant_deadline is None or request.merchant_deadline > now:
            return False
        decide(request, decided_by=DecidedBy.TIMEOUT, organization=None, outcome=Outcome.APPROVE,
               amount_fen=request.amount_fen, reason=str(_("超时未处理视为同意")), at=now, rule_id=SILENCE_RULE,
               rule_version=SILENCE_VERSION)
        agreed_apply(request, amount_fen=request.amount_fen, at=now, rule=SILENCE_RULE)
        request.save()
    _finish(request)
    return True


def aftersales_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Periodic: claims the rules did not get to decide, merchant deadlines passed, refunds due, payouts still
    pending at the provider, evidence requests past their deadline; then the money's backstop (payers.sweep):
    insurer deadlines passed, failed payouts retried, recoveries owed."""
    now = now or clock.now()
    done = {"decided": 0, "deadlines": 0, "refunds_due": 0, "payouts": 0}
    while batch := claims_decide(now=now, older_than=now - STALE_AFTER):  # left DECIDING by a process that stopped
        done["decided"] += len(batch)
    due = AfterSaleRequest.objects.filter(status__in=MERCHANT_TURN, merchant_deadline__lte=now)
    for request_id in due.values_list("pk", flat=True):
        done["deadlines"] += int(aftersale_deadline_pass(request_id=request_id, now=now))
    refunds = AfterSaleRequest.objects.filter(status=Status.RECEIVED, refund_due_at__lte=now)
    for request_id in refunds.values_list("pk", flat=True):
        done["refunds_due"] += int(refund_due_apply(request_id=request_id, now=now))
    paying = AfterSaleRequest.objects.filter(status__in=[Status.PAYING, Status.REFUNDED],
                                             refund__status=RefundStatus.PENDING,
                                             updated_at__gte=now - timedelta(days=30))
    for request_id in paying.values_list("pk", flat=True):
        payout_finish(request_id)
        done["payouts"] += 1
    from .evidence_requests import evidence_sweep

    done["evidence_expired"] = evidence_sweep(now=now)
    done.update(payers_sweep(now=now))
    return done
