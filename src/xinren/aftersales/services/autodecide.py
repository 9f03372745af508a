"""The rules' decision on 坏单包赔 claims, taken for every claim waiting for it at once (ADR 0040).

A claim the rules decide (`RULE_KINDS`) is submitted by `aftersale_open` as one `ClaimSubmission` row, and the same
call then waits for the batch that takes it. Consumers are split by id into `LANES` lanes; in each lane one batch runs
at a time (group commit): it takes every submission of the lane that gathered while the previous one ran (the
caller's own first), up to `BATCH_MAX`, and in one transaction

- takes them in: their orders and lines locked in id order, what each line already has and what each order can still
  refund read in one query each, the uploads locked and checked, the same checks as a consumer's own call
  (eligibility.py) run on what was read;
- decides them: the levels of all their consumers in two queries, the rule set applied to each, the refunds recorded
  in one insert, the decisions signed and pooled in one write (ADR 0010), then the requests, their photos, their
  transitions, the decisions and the audit entries in one insert each.

Under load the claims of many consumers share one transaction; alone, a claim is a batch of one. The lanes' batches
run side by side and touch disjoint rows: a consumer's orders, lines, uploads and claims are all in their lane, so a
consumer's claims are still decided one batch after another (their earlier claims count for the later ones). A caller
whose claim an earlier batch took reads the outcome. A submission the batch cannot take (someone else's order, a window
closed, an open request on the line, …) is dropped, and the consumer's own call then refuses it in words through the
one-by-one path (requests.py), which re-reads everything — so the batch may be cautious, never wrong. That path stores
claims with photos sent along as DECIDING rows, which the next batch decides with the others.

The provider is asked to pay out after the commit, by a task for the batch (`aftersale_payouts_task`); the sweep
takes any submission or DECIDING claim left for over a minute (a process that stopped).

Lock order: the lane's advisory lock → ClaimSubmission → Order → OrderLine → AfterSaleUpload → AfterSaleRequest
→ Payment → Refund, the documented Order → OrderLine → AfterSaleRequest → Payment → Refund with the batch's own rows
in front (nothing that holds an order's lock waits for a lane's; no transaction holds two lanes' locks).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from xinren.accounts.choices import OrganizationStatus
from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.models import User
from xinren.accounts.services import platform_organization
from xinren.attest import signing
from xinren.core import clock
from xinren.core.audit import audit_record_many
from xinren.core.errors import DomainError
from xinren.core.tasks import tasks_enqueue_many
from xinren.core.transitions import transition_check
from xinren.evidence.choices import MediaKind
from xinren.evidence.models import MediaFile
from xinren.orders.models import Order, OrderLine, Refund
from xinren.orders.services.refunds import RefundWanted, orders_refundable_fen, refunds_create_for_aftersales

from .. import errors, events
from ..choices import CLAIM_TRANSITIONS, DecidedBy, Level, Outcome, PayoutSource, Status
from ..levels import History, assessment_of, consumer_histories
from ..models import (
    AfterSaleDecision,
    AfterSaleMedia,
    AfterSaleRequest,
    AfterSaleTransition,
    AfterSaleUpload,
    ClaimSubmission,
)
from ..programmes.rules import promise_value, promises_in_force
from ..restricted_deadlines import claim_merchant_window
from ..rules import ClaimFacts, RuleResult, bad_order_evaluate
from ..statements import decision_statement
from .eligibility import UPLOAD_HOURS, amount_check, eligibility_check, media_limit_check, new_reference
from .moves import deadline_schedule

BATCH_MAX = 64
# The advisory locks that let one batch per lane be decided at a time: (DECIDER_LOCK, lane), a constant unique in the
# project ("AS" + "DC") and the lane's number.
DECIDER_LOCK = 0x4153_4443
# Batches decided side by side, consumers split by id (`lane_of`). Two keep a two-core machine busy: one lane left a
# third of its CPU idle while its batch waited for the database (bench/aftersales/RESULTS.md).
LANES = 2
# A submission or DECIDING claim still waiting this long was left by a process that stopped: the sweep takes it.
STALE_AFTER = timedelta(minutes=1)
# Order numbers are 20 characters; anything longer cannot be one (the one-by-one path refuses it).
ORDER_NUMBER_MAX = 32
ID_MAX = 2**63 - 1
# No line costs this much (the one-by-one path refuses a larger amount as beyond what can be refunded).
AMOUNT_MAX = 2**53


def claim_submit(*, consumer: User, order_number: str, line_id: int, kind: str, reason: str, amount_fen: int,
                 upload_ids: Sequence[int]) -> AfterSaleRequest | None:
    """Submit a claim the rules decide and wait for the batch that takes it: the claim, decided (its refund
    recorded when approved); None when the batch could not take it (the caller refuses it in words). The caller has
    checked the kind, the reason and the amount's sign."""
    if not (isinstance(order_number, str) and len(order_number) <= ORDER_NUMBER_MAX and _is_id(line_id)
            and all(_is_id(pk) for pk in upload_ids) and amount_fen <= AMOUNT_MAX):
        return None  # cannot name a line, an upload or an amount: the one-by-one path refuses it
    reference = new_reference()
    submission = ClaimSubmission.objects.create(
        reference=reference, consumer=consumer, order_number=order_number, line_id=line_id, kind=kind,
        reason=reason, amount_fen=amount_fen, upload_ids=sorted(set(upload_ids)), created_at=clock.now())
    try:
        return _outcome(reference=reference, submission=submission.pk, lane=lane_of(consumer.pk))
    except BaseException:
        ClaimSubmission.objects.filter(pk=submission.pk).delete()  # a failed call leaves nothing for the sweep
        raise


def lane_of(consumer_id: int) -> int:
    """The lane whose batches take the consumer's claims."""
    return consumer_id % LANES


def _outcome(*, reference: str, submission: int, lane: int) -> AfterSaleRequest | None:
    """Wait for the batch that takes the submission, or decide the lane's next batch: the claim, or None when
    left."""
    while True:
        won, pending = _decider_try(lane, submission=submission)
        if won and pending:
            with _deciding(lane), transaction.atomic():
                decided = _batch(lane, first_submission=submission, first=None, limit=BATCH_MAX, now=clock.now(),
                                 older_than=None)
            return next((request for request in decided if request.reference == reference), None)
        if won:
            _decider_release(lane)
        if not pending:  # a batch took it (its claim is there) or left it, and committed
            return _by_reference(reference)
        _decider_wait(lane)


def _by_reference(reference: str) -> AfterSaleRequest | None:
    """The claim of this reference, if any: as `.filter(reference=…).first()` reads it, in a fixed SQL statement
    (every waiting consumer's call reads its claim this way; the ORM's query building cost twice the CPU)."""
    found = AfterSaleRequest.objects.raw(f"SELECT * FROM {AfterSaleRequest._meta.db_table} WHERE reference = %s",
                                         [reference])
    return next(iter(found), None)


def _is_id(value: object) -> bool:
    return type(value) is int and 0 < value <= ID_MAX


def claim_decide_now(request_id: int) -> AfterSaleRequest:
    """Decide the claim `request_id` (DECIDING, opened one by one) now, with every other claim waiting; when a batch
    is being decided, wait for it: it may take this claim, or this call decides what has gathered meanwhile.
    Returns the claim, no longer DECIDING."""
    decided = {request.pk: request for request in claims_decide(first=request_id)}
    if request_id in decided:
        return decided[request_id]
    return AfterSaleRequest.objects.select_related("order", "line", "merchant", "consumer").get(pk=request_id)


def _decider_try(lane: int, *, submission: int | None = None) -> tuple[bool, bool]:
    """Try to become the one deciding the lane's batch (group commit: the claims arriving meanwhile gather for the
    next one, so batches grow with the load instead of splitting it), without waiting; and whether `submission`
    still waits (read in the same statement, so the two agree). On PostgreSQL the lane's advisory lock: held by the
    session until `_decider_release` (taken after the batch commits), or by the caller's transaction when it calls
    from inside one. On SQLite the database's write lock, which every write transaction takes first (IMMEDIATE),
    serves already (one batch at a time, whatever the lane)."""
    pending = "EXISTS (SELECT 1 FROM aftersales_claimsubmission WHERE id = %s)" if submission else "TRUE"
    params = [submission] if submission else []
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pending}", params)
            return True, bool(cursor.fetchone()[0])
    lock = "pg_try_advisory_xact_lock" if connection.in_atomic_block else "pg_try_advisory_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {lock}(%s, %s), {pending}", [DECIDER_LOCK, lane, *params])
        won, waits = cursor.fetchone()
        return bool(won), bool(waits)


def _decider_release(lane: int) -> None:
    """Let go of the lane's lock taken for the session (a transaction-scoped one goes with its transaction)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DECIDER_LOCK, lane])


@contextlib.contextmanager
def _deciding(lane: int) -> Iterator[None]:
    """Hold the lane's lock won by `_decider_try` for the block (the batch's transaction inside), then let go."""
    try:
        yield
    finally:
        _decider_release(lane)


def _decider_wait(lane: int) -> None:
    """Wait until the lane's batch being decided has committed. A shared hold of the lane's lock, let go in the same
    statement: every caller waiting here is let through at once when the batch commits — the ones whose claims it
    took leave, the others race to decide the next batch — instead of being let through one at a time as waiters
    for the lock itself would be."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock_shared(%s, %s), pg_advisory_unlock_shared(%s, %s)",
                       [DECIDER_LOCK, lane, DECIDER_LOCK, lane])


def _waiting_lane(first: int) -> int | None:
    """The lane of the caller's own DECIDING claim while it still waits for a batch (None once a batch that took it
    has committed)."""
    consumer_id = AfterSaleRequest.objects.filter(pk=first, status=Status.DECIDING).values_list(
        "consumer_id", flat=True).first()
    return None if consumer_id is None else lane_of(consumer_id)


def claims_decide(*, first: int | None = None, limit: int = BATCH_MAX, now: datetime | None = None,
                  older_than: datetime | None = None) -> list[AfterSaleRequest]:
    """Take in and decide waiting claims — submissions, then DECIDING claims, `first` among them when it still
    waits — up to `limit` in each lane's transaction, after the lane's batch being decided (if any) has committed:
    in the lane of `first`, or in every lane. Returns the claims decided; nothing when the caller's own claim was
    taken by another batch. (A consumer's submission waits in `claim_submit`.)"""
    lanes: Sequence[int | None] = range(LANES) if first is None else [None]
    return [request for lane in lanes
            for request in _lane_decide(lane, first=first, limit=limit, now=now, older_than=older_than)]


def _lane_decide(lane: int | None, *, first: int | None, limit: int, now: datetime | None,
                 older_than: datetime | None) -> list[AfterSaleRequest]:
    """One batch of `lane` (None: of the lane of `first`, while it still waits), once the lane's batch being
    decided (if any) has committed."""
    while (current := lane if first is None else _waiting_lane(first)) is not None:
        won, _pending = _decider_try(current)
        if won:
            with _deciding(current), transaction.atomic():
                return _batch(current, first_submission=None, first=first, limit=limit, now=now or clock.now(),
                              older_than=older_than)
        _decider_wait(current)
    return []


def _batch(lane: int, *, first_submission: int | None, first: int | None, limit: int, now: datetime,
           older_than: datetime | None) -> list[AfterSaleRequest]:
    """Take in and decide one batch of the lane, holding its lock."""
    submissions = ClaimSubmission.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
        "consumer").alias(lane=F("consumer_id") % LANES).filter(lane=lane)
    if older_than is not None:
        submissions = submissions.filter(created_at__lte=older_than)
    taken = sorted(_own_first(submissions, first_submission)[:limit], key=lambda submission: submission.pk)
    fresh = _take_in(taken, now=now)
    stored: list[AfterSaleRequest] = []
    if first is not None or older_than is not None:  # claims stored DECIDING are decided by their callers, or swept
        waiting = AfterSaleRequest.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
            "order__merchant", "line__product", "merchant", "consumer").alias(lane=F("consumer_id") % LANES).filter(
            status=Status.DECIDING, lane=lane)
        if older_than is not None:
            waiting = waiting.filter(created_at__lte=older_than)
        stored = sorted(_own_first(waiting, first)[:limit - len(taken)], key=lambda request: request.pk)
    if fresh or stored:
        _decide(fresh, stored, now=now)
    return [*stored, *(f.request for f in fresh)]


def _own_first(queryset: QuerySet[Any], pk: int | None) -> QuerySet[Any]:
    """Its own row first (when it waits), then the oldest others."""
    if pk is None:
        return queryset.order_by("pk")
    return queryset.alias(own=Case(When(pk=pk, then=Value(0)), default=Value(1))).order_by("own", "pk")


@dataclasses.dataclass
class _Fresh:
    """A submission taken in: its request (not saved yet), the uploads it links and their files."""

    request: AfterSaleRequest
    uploads: list[AfterSaleUpload]
    media: list[MediaFile]


def _take_in(submissions: Sequence[ClaimSubmission], *, now: datetime) -> list[_Fresh]:
    """The submissions' requests, DECIDING, checked as a consumer's own call checks them but with the facts of all
    of them read at once (not saved yet). Every submission is deleted: one that fails a check is left to its
    caller's own call, which refuses it in words."""
    if not submissions:
        return []
    ClaimSubmission.objects.filter(pk__in=[s.pk for s in submissions]).delete()
    keys = Q()
    for submission in submissions:
        keys |= Q(consumer_id=submission.consumer_id, number=submission.order_number)
    orders = {(order.consumer_id, order.number): order for order in Order.objects.select_for_update(
        of=("self",)).select_related("merchant").filter(keys).order_by("pk")}
    lines = {line.pk: line for line in OrderLine.objects.select_for_update(of=("self",)).select_related(
        "product").filter(pk__in={s.line_id for s in submissions},
                          order_id__in={order.pk for order in orders.values()}).order_by("pk")}
    existing: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for line_id, status, refunded in AfterSaleRequest.objects.filter(line_id__in=lines).values_list(
            "line_id", "status", "refunded_fen"):
        existing[line_id].append((status, refunded))
    refundable = orders_refundable_fen([order.pk for order in orders.values()])
    uploads = {upload.pk: upload for upload in AfterSaleUpload.objects.select_for_update(of=("self",)).select_related(
        "media").filter(pk__in={pk for s in submissions for pk in s.upload_ids},
                        consumer_id__in={s.consumer_id for s in submissions},  # the lane's own: lanes stay apart
                        created_at__gte=now - timedelta(hours=UPLOAD_HOURS)).order_by("pk")}
    out = []
    for submission in submissions:
        order = orders.get((submission.consumer_id, submission.order_number))
        line = lines.get(submission.line_id)
        if order is None or line is None or line.order_id != order.pk:
            continue
        line.order = order
        mine = [uploads.get(pk) for pk in submission.upload_ids]
        if any(upload is None or upload.consumer_id != submission.consumer_id for upload in mine):
            continue
        attached = list({upload.media.sha256: upload.media for upload in mine if upload}.values())
        try:
            refunded = eligibility_check(line=line, kind=submission.kind, now=submission.created_at, recall_id=None,
                                         existing=existing[line.pk])
            amount_check(line=line, kind=submission.kind, amount_fen=submission.amount_fen, refunded_fen=refunded,
                         refundable_fen=refundable.get(order.pk, 0))
            media_limit_check([file.kind for file in attached])
        except DomainError:
            continue
        for upload in mine:  # used once: a later submission of the batch naming it is left to its caller
            uploads.pop(upload.pk)  # type: ignore[union-attr]
        existing[line.pk].append((Status.DECIDING, 0))  # the line's one open request from now on
        refundable[order.pk] = refundable.get(order.pk, 0) - submission.amount_fen  # cautious: as if refunded
        request = AfterSaleRequest(
            reference=submission.reference, consumer=submission.consumer, merchant=order.merchant, order=order,
            line=line, kind=submission.kind, status=Status.DECIDING, reason=submission.reason,
            amount_fen=submission.amount_fen, level=Level.NEW_OR_LOW, created_at=submission.created_at,
            updated_at=now)
        out.append(_Fresh(request, [upload for upload in mine if upload is not None], attached))
    return out


@dataclasses.dataclass
class _Verdict:
    request: AfterSaleRequest
    result: RuleResult
    outcome: str
    reason: str
    failed: list[str]


def _decide(fresh: Sequence[_Fresh], stored: Sequence[AfterSaleRequest], *, now: datetime) -> None:
    """Decide the claims taken in (`fresh`, stored here in their decided state) and those stored DECIDING."""
    requests = [*stored, *(f.request for f in fresh)]  # oldest first: a consumer's earlier claim counts for later ones
    photos = {f.request.reference: sum(file.kind == MediaKind.IMAGE for file in f.media) for f in fresh}
    if stored:
        counted = dict(AfterSaleMedia.objects.filter(request__in=stored, media__kind=MediaKind.IMAGE)
                       .values("request_id").annotate(n=Count("id")).values_list("request_id", "n"))
        photos.update({request.reference: counted.get(request.pk, 0) for request in stored})
    histories: dict[int, History] = consumer_histories(consumers=[r.consumer for r in requests], now=now)
    verdicts = []
    for request in requests:
        history = histories[request.consumer_id]
        assessment = assessment_of(history)
        request.level = assessment.level
        result = bad_order_evaluate(ClaimFacts(
            kind=request.kind, category=request.line.product.category, photos=photos[request.reference],
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
    moves = []
    windows: dict[tuple[int, timedelta], timedelta] = {}
    for verdict in verdicts:
        request = verdict.request
        refund = refunds.get(f"aftersale:{request.reference}")
        if isinstance(refund, DomainError):  # the order was refunded meanwhile: the merchant decides
            verdict.outcome, verdict.failed = Outcome.ROUTE, [*verdict.failed, "amount_available"]
        if verdict.outcome == Outcome.APPROVE:
            assert isinstance(refund, Refund)
            verdict.reason = _("符合坏单包赔规则，无需退货，直接赔付")
            target, note = Status.PAYING, ""
            request.agreed_fen = request.amount_fen
            request.refund, request.payout_source, request.refunded_fen = refund, PayoutSource.REFUND, refund.amount_fen
        else:
            verdict.reason = _("未满足自动赔付条件（%(failed)s），转商家处理") % {"failed": ", ".join(verdict.failed)}
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
        moves.append((request.status, target, f"{verdict.result.rule.id}@{verdict.result.rule.version}", note))
        request.status, request.updated_at = target, now
    AfterSaleRequest.objects.bulk_create([f.request for f in fresh])
    AfterSaleRequest.objects.bulk_update(stored, ["status", "level", "agreed_fen", "refund", "payout_source",
                                                  "refunded_fen", "merchant_deadline", "updated_at"])
    AfterSaleMedia.objects.bulk_create([AfterSaleMedia(request=f.request, media=file, position=index)
                                        for f in fresh for index, file in enumerate(f.media)])
    AfterSaleUpload.objects.filter(pk__in=[upload.pk for f in fresh for upload in f.uploads]).delete()  # used once
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
    AfterSaleTransition.objects.bulk_create([  # a fresh claim's first row (from nothing), then every decision's move
        *(AfterSaleTransition(request=f.request, from_status="", to_status=Status.DECIDING, at=f.request.created_at,
                              by_user=f.request.consumer) for f in fresh),
        *(AfterSaleTransition(request=v.request, from_status=source, to_status=target, at=now, rule=rule,
                              note=note[:500])
          for v, (source, target, rule, note) in zip(verdicts, moves, strict=True)),
    ])
    for request in requests:
        if request.status == Status.WAITING_MERCHANT:
            deadline_schedule(request)
    from ..tasks import aftersale_payouts_task

    paying = [request.pk for request in requests if request.status == Status.PAYING]
    tasks_enqueue_many([  # in one insert: the batch's payouts, then what the claims' events call for
        *([(aftersale_payouts_task, {"request_ids": paying})] if paying else []),
        *events.REQUEST_OPENED.deliveries([{"request_id": f.request.pk} for f in fresh]),
        *events.DECIDED.deliveries([{"decision_id": decision.pk} for decision in decisions]),
    ])
