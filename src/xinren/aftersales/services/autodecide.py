"""The rules' decision on 坏单包赔 claims, taken for every claim waiting for it at once (ADR 0040).

A claim the rules may decide is stored as DECIDING by `aftersale_open` and decided in the same call by
`claim_decide_now`. One batch is decided at a time (group commit): each takes every claim that gathered while the
previous one was being decided (the caller's own first), up to `BATCH_MAX`, and decides them together in one
transaction — the levels of all their consumers in two queries, the rule set applied to each, the decisions signed
and pooled in one write (ADR 0010), the refunds recorded in one insert, the transitions and the audit entries in
one each. Under load the claims of many consumers share one transaction; alone, a claim is a batch of one. A caller
whose claim the previous batch took reads its outcome. The provider is asked to pay out after the commit, by a task
for the batch (`aftersale_payouts_task`); the sweep decides any claim left DECIDING (a process that stopped).

Lock order: the decider's advisory lock → AfterSaleRequest → Payment → Refund, within the documented Order →
OrderLine → AfterSaleRequest → Payment → Refund (a batch never waits on an order or a line).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, Value, When
from django.utils.translation import gettext as _

from xinren.accounts.choices import OrganizationStatus
from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.services import platform_organization
from xinren.attest import signing
from xinren.core import clock
from xinren.core.audit import audit_record_many
from xinren.core.errors import DomainError
from xinren.core.tasks import task_enqueue
from xinren.core.transitions import transition_check
from xinren.evidence.choices import MediaKind
from xinren.orders.models import Refund
from xinren.orders.services.refunds import RefundWanted, refunds_create_for_aftersales

from .. import errors, events
from ..choices import CLAIM_TRANSITIONS, DecidedBy, Outcome, PayoutSource, Status
from ..levels import History, assessment_of, consumer_histories
from ..models import AfterSaleDecision, AfterSaleMedia, AfterSaleRequest, AfterSaleTransition
from ..programmes.rules import promise_value, promises_in_force
from ..restricted_deadlines import claim_merchant_window
from ..rules import ClaimFacts, RuleResult, bad_order_evaluate
from ..statements import decision_statement
from .moves import deadline_schedule

BATCH_MAX = 64
# The advisory lock that lets one batch be decided at a time (any constant unique in the project: "AS" + "DC").
DECIDER_LOCK = 0x4153_4443
# A claim still DECIDING this long after it was stored was left by a process that stopped: the sweep decides it.
STALE_AFTER = timedelta(minutes=1)


def claim_decide_now(request_id: int) -> AfterSaleRequest:
    """Decide the claim `request_id` (DECIDING) now, with every other claim waiting; when a batch is being decided,
    wait for it: it may take this claim, or this call decides what has gathered meanwhile. Returns the claim, no
    longer DECIDING."""
    decided = {request.pk: request for request in claims_decide(first=request_id)}
    if request_id in decided:
        return decided[request_id]
    return AfterSaleRequest.objects.select_related("order", "line", "merchant", "consumer").get(pk=request_id)


def _decider_lock() -> None:
    """One batch at a time (group commit): the claims arriving while a batch is decided gather for the next one,
    so batches grow with the load instead of splitting it. On PostgreSQL a transaction-scoped advisory lock; on
    SQLite the database's write lock, which every write transaction takes first (IMMEDIATE), serves already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DECIDER_LOCK])


def claims_decide(*, first: int | None = None, limit: int = BATCH_MAX, now: datetime | None = None,
                  older_than: datetime | None = None) -> list[AfterSaleRequest]:
    """Decide up to `limit` claims waiting for the rules (`first` among them when it still waits), in one
    transaction, after the batch being decided (if any) has committed; the claims decided."""
    with transaction.atomic():
        _decider_lock()
        waiting = AfterSaleRequest.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
            "order__merchant", "line__product", "merchant", "consumer").filter(status=Status.DECIDING)
        if older_than is not None:
            waiting = waiting.filter(created_at__lte=older_than)
        if first is not None:  # its own claim first, then the oldest others
            waiting = waiting.annotate(own=Case(When(pk=first, then=Value(0)), default=Value(1))).order_by("own", "pk")
        else:
            waiting = waiting.order_by("pk")
        taken = sorted(waiting[:limit], key=lambda request: request.pk)
        if taken:
            _decide(taken, now=now or clock.now())
    return taken


@dataclasses.dataclass
class _Verdict:
    request: AfterSaleRequest
    result: RuleResult
    outcome: str
    reason: str
    failed: list[str]


def _decide(requests: Sequence[AfterSaleRequest], *, now: datetime) -> None:
    photos = dict(AfterSaleMedia.objects.filter(request__in=requests, media__kind=MediaKind.IMAGE)
                  .values("request_id").annotate(n=Count("id")).values_list("request_id", "n"))
    histories: dict[int, History] = consumer_histories(consumers=[r.consumer for r in requests], now=now)
    verdicts = []
    for request in requests:  # in id order: a consumer's earlier claim in the batch counts for the later ones
        history = histories[request.consumer_id]
        assessment = assessment_of(history)
        request.level = assessment.level
        result = bad_order_evaluate(ClaimFacts(
            kind=request.kind, category=request.line.product.category, photos=photos.get(request.pk, 0),
            amount_fen=request.amount_fen, level_cap_fen=assessment.spec.claim_cap_fen, rejected=history.rejected,
            upheld_claims_30d=history.upheld_claims_30d,
            merchant_active=request.order.merchant.status == OrganizationStatus.ACTIVE,
        ))
        if result.outcome == Outcome.APPROVE:
            histories[request.consumer_id] = dataclasses.replace(
                history, upheld=history.upheld + 1, upheld_claims_30d=history.upheld_claims_30d + 1)
        verdicts.append(_Verdict(request, result, result.outcome, "", list(result.failed)))
    refunds = refunds_create_for_aftersales([
        RefundWanted(order=v.request.order, amount_fen=v.request.amount_fen, key=f"aftersale:{v.request.reference}",
                     reason=_("售后 %(reference)s") % {"reference": v.request.reference})
        for v in verdicts if v.outcome == Outcome.APPROVE
    ])
    for verdict in verdicts:
        refund = refunds.get(f"aftersale:{verdict.request.reference}")
        if isinstance(refund, DomainError):  # the order was refunded meanwhile: the merchant decides
            verdict.outcome, verdict.failed = Outcome.ROUTE, [*verdict.failed, "amount_available"]
        if verdict.outcome == Outcome.APPROVE:
            verdict.reason = _("符合坏单包赔规则，无需退货，直接赔付")
        else:
            verdict.reason = _("未满足自动赔付条件（%(failed)s），转商家处理") % {"failed": ", ".join(verdict.failed)}
    platform = platform_organization()
    refs = signing.statements_sign_and_append(organization=platform, statements=[decision_statement(
        request=v.request, consumer=consumer_public_id(v.request.consumer), decided_by=DecidedBy.RULE,
        outcome=v.outcome, amount_fen=v.request.amount_fen, reason=v.reason, at=now, rule_id=v.result.rule.id,
        rule_version=v.result.rule.version, conditions=v.result.conditions) for v in verdicts])
    decisions = AfterSaleDecision.objects.bulk_create([AfterSaleDecision(
        request=v.request, decided_by=DecidedBy.RULE, organization=platform, outcome=v.outcome,
        amount_fen=v.request.amount_fen, reason=v.reason[:500], rule_id=v.result.rule.id,
        rule_version=v.result.rule.version, conditions=list(v.result.conditions), leaf_hash=ref.leaf_hash, at=now,
    ) for v, ref in zip(verdicts, refs, strict=True)])
    audit_record_many([(None, platform, f"aftersale.decision.{d.outcome}", v.request,
                        {"decided_by": DecidedBy.RULE, "amount_fen": d.amount_fen, "rule": d.rule_id})
                       for v, d in zip(verdicts, decisions, strict=True)])
    transitions, paying = [], []
    windows: dict[tuple[int, timedelta], timedelta] = {}
    for verdict in verdicts:
        request, rule = verdict.request, f"{verdict.result.rule.id}@{verdict.result.rule.version}"
        if verdict.outcome == Outcome.APPROVE:
            target, note = Status.PAYING, ""
            refund = refunds[f"aftersale:{request.reference}"]
            assert isinstance(refund, Refund)  # a refused refund routed the claim above
            request.agreed_fen = request.amount_fen
            request.refund, request.payout_source, request.refunded_fen = refund, PayoutSource.REFUND, refund.amount_fen
            paying.append(request.pk)
        else:
            target, note = Status.WAITING_MERCHANT, ", ".join(verdict.failed)
            promised_hours = promise_value(promises_in_force(
                merchant_id=request.merchant_id, category=request.line.product.category, at=request.order.placed_at),
                "claim_deadline_hours")  # a programme's priority handling shortens the merchant's deadline
            deadline = verdict.result.rule.merchant_deadline
            key = (request.merchant_id, deadline)  # governance's claim_escalation_hours, read once per merchant
            if key not in windows:
                windows[key] = claim_merchant_window(merchant=request.merchant, normal=deadline, at=now)
            request.merchant_deadline = now + min(windows[key], timedelta(
                hours=promised_hours or deadline.total_seconds() / 3600))
        transition_check(CLAIM_TRANSITIONS, request.status, target, code=errors.TRANSITION, labels=Status)
        transitions.append(AfterSaleTransition(request=request, from_status=request.status, to_status=target, at=now,
                                               rule=rule, note=note[:500]))
        request.status, request.updated_at = target, now
    AfterSaleTransition.objects.bulk_create(transitions)
    AfterSaleRequest.objects.bulk_update(requests, ["status", "level", "agreed_fen", "refund", "payout_source",
                                                    "refunded_fen", "merchant_deadline", "updated_at"])
    for request in requests:
        if request.status == Status.WAITING_MERCHANT:
            deadline_schedule(request)
    for decision in decisions:
        events.DECIDED.announce(decision_id=decision.pk)
    if paying:
        from ..tasks import aftersale_payouts_task

        task_enqueue(aftersale_payouts_task, request_ids=paying)
