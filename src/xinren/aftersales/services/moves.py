"""What every after-sales write shares: locking in order, moving along the tables, deciding (signed), paying.

Lock order (every write here): Order → OrderLine → AfterSaleRequest → Payment → Refund, the orders context's order
extended (its Order → Payment → Refund). A decision, its statement, its transitions and the refund it records are
one transaction; the provider is called after it commits (`payout_finish`), as orders' refunds are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.models import Organization, User
from xinren.accounts.services import platform_organization
from xinren.attest import signing
from xinren.core.audit import audit_record
from xinren.core.errors import NotFound
from xinren.core.tasks import task_enqueue
from xinren.core.transitions import transition_check
from xinren.orders.choices import RefundStatus
from xinren.orders.models import Order, OrderLine, Refund
from xinren.orders.services.refunds import refund_create_for_aftersale, refund_execute

from .. import errors, events
from ..choices import CLAIM_KINDS, CLAIM_TRANSITIONS, REQUEST_TRANSITIONS, PayoutSource, Status
from ..models import AfterSaleDecision, AfterSaleRequest, AfterSaleTransition
from ..statements import decision_statement


def not_found() -> NotFound:
    return NotFound(errors.REQUEST_NOT_FOUND, _("找不到该售后申请"))


def locked(**lookup: Any) -> AfterSaleRequest:
    """The request matching `lookup`, with its order, line and itself locked in the documented order."""
    ids = AfterSaleRequest.objects.filter(**lookup).values_list("pk", "order_id", "line_id").first()
    if ids is None:
        raise not_found()
    pk, order_id, line_id = ids
    list(Order.objects.select_for_update().filter(pk=order_id).values_list("pk", flat=True))
    list(OrderLine.objects.select_for_update().filter(pk=line_id).values_list("pk", flat=True))
    # of=("self",): FOR UPDATE on a join would lock the merchant's and the consumer's rows too, serialising every
    # request of a merchant and deadlocking against the foreign-key checks of other writes (bench/aftersales).
    return AfterSaleRequest.objects.select_for_update(of=("self",)).select_related(
        "order", "line", "merchant", "consumer").get(pk=pk)


def move(request: AfterSaleRequest, target: str, *, at: datetime, by_user: User | None = None,
         by_organization: Organization | None = None, rule: str = "", note: str = "") -> None:
    """Move the request along its family's table and record the move (the caller saves the request)."""
    current = request.status
    if request.kind in CLAIM_KINDS:
        transition_check(CLAIM_TRANSITIONS, current, target, code=errors.TRANSITION, labels=Status)
    else:
        transition_check(REQUEST_TRANSITIONS, current, target, code=errors.TRANSITION, labels=Status)
    request.status = target
    request.updated_at = at
    AfterSaleTransition.objects.create(
        request=request, from_status=current, to_status=target, at=at,
        by_user=by_user if by_user is not None and by_user.is_authenticated else None,
        by_organization=by_organization, rule=rule, note=note[:500],
    )


def record_start(request: AfterSaleRequest, *, at: datetime, by_user: User) -> None:
    """The request's first row in its history (from nothing)."""
    AfterSaleTransition.objects.create(request=request, from_status="", to_status=request.status, at=at,
                                       by_user=by_user)


def decide(
    request: AfterSaleRequest, *, decided_by: str, organization: Organization | None, outcome: str, amount_fen: int,
    reason: str, at: datetime, by_user: User | None = None, rule_id: str = "", rule_version: str = "",
    conditions: list[dict[str, Any]] | None = None,
) -> AfterSaleDecision:
    """Sign the decision with the deciding organization's key (the platform's when None) and record it."""
    signer = organization if organization is not None else platform_organization()
    statement = decision_statement(
        request=request, consumer=consumer_public_id(request.consumer), decided_by=decided_by, outcome=outcome,
        amount_fen=amount_fen, reason=reason, at=at, rule_id=rule_id, rule_version=rule_version,
        conditions=conditions,
    )
    leaf = signing.statement_sign_and_append(organization=signer, statement=statement).leaf_hash
    decision = AfterSaleDecision.objects.create(
        request=request, decided_by=decided_by, organization=signer,
        by_user=by_user if by_user is not None and by_user.is_authenticated else None, outcome=outcome,
        amount_fen=amount_fen, reason=reason[:500], rule_id=rule_id, rule_version=rule_version,
        conditions=list(conditions or []), leaf_hash=leaf, at=at,
    )
    audit_record(actor=by_user, organization=signer, action=f"aftersale.decision.{outcome}", target=request,
                 data={"decided_by": decided_by, "amount_fen": amount_fen, "rule": rule_id})
    events.DECIDED.announce(decision_id=decision.pk)
    return decision


def line_refunded_fen(line_id: int) -> int:
    """What after-sales have refunded (or promised to) on the line so far (call with the line locked)."""
    return AfterSaleRequest.objects.filter(line_id=line_id).aggregate(total=Sum("refunded_fen"))["total"] or 0


def payout(request: AfterSaleRequest, *, amount_fen: int, at: datetime, by_user: User | None = None,
           by_organization: Organization | None = None) -> Refund | None:
    """Record the refund of `amount_fen` for the request (idempotent by the request's reference); None for 0."""
    if amount_fen <= 0 or request.refund_id is not None:
        return request.refund
    refund = refund_create_for_aftersale(
        order=request.order, amount_fen=amount_fen, key=f"aftersale:{request.reference}",
        reason=str(_("售后 %(reference)s") % {"reference": request.reference}), by_user=by_user,
        by_organization=by_organization,
    )
    request.refund = refund
    request.payout_source = PayoutSource.REFUND
    request.refunded_fen = amount_fen
    request.updated_at = at
    return refund


def payout_finish(request_id: int) -> AfterSaleRequest:
    """After the decision committed: ask the provider to pay the refund out, then settle a claim (paid / failed).
    Safe to repeat; the periodic sweep repeats it for anything still paying."""
    request = AfterSaleRequest.objects.get(pk=request_id)
    if request.refund_id is None:
        return request
    refund = refund_execute(refund_id=request.refund_id)
    if request.status not in (Status.PAYING,) or refund.status == RefundStatus.PENDING:
        return request
    with transaction.atomic():
        request = locked(pk=request_id)
        if request.status == Status.PAYING:  # paid when every part is (payers.py: an insurer's part may wait)
            from .payers import settle

            settle(request, at=refund.completed_at or request.updated_at, rule="refund", note=refund.failure_code)
            request.save()
    return request


def deadline_schedule(request: AfterSaleRequest) -> None:
    """Queue the merchant-silence check at the request's deadline (the periodic sweep backs it up)."""
    from ..tasks import aftersale_deadline_task

    if request.merchant_deadline is not None:
        task_enqueue(aftersale_deadline_task.using(run_after=request.merchant_deadline), request_id=request.pk)


def refund_due_schedule(request: AfterSaleRequest) -> None:
    from ..tasks import aftersale_refund_due_task

    if request.refund_due_at is not None:
        task_enqueue(aftersale_refund_due_task.using(run_after=request.refund_due_at), request_id=request.pk)
