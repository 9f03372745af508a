"""Reads of the after-sales requests, scoped to who asks: the consumer's own, the merchant's own, the operators'
escalated disputes. Another organization's request is not found."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import Organization, User
from xinren.core import clock
from xinren.core.errors import NotFound

from . import errors
from .choices import OPEN_STATUSES, UPHELD, EvidenceRequestStatus, Kind, PickupStatus, Status
from .fund.choices import AccountKind, JournalKind
from .models import AfterSaleRequest, AfterSaleTransition, EvidenceRequest, Journal, ReturnPickup

_RELATED = ("order", "line", "merchant", "refund")


def _get(requests: QuerySet[AfterSaleRequest], reference: str) -> AfterSaleRequest:
    request = requests.prefetch_related("transitions", "decisions", "media__media").filter(
        reference=reference).first()
    if request is None:
        raise NotFound(errors.REQUEST_NOT_FOUND, _("找不到该售后申请"))
    return request


def consumer_request_list(*, consumer: User) -> QuerySet[AfterSaleRequest]:
    return AfterSaleRequest.objects.filter(consumer=consumer_require(consumer)).select_related(*_RELATED)


def consumer_request_get(*, consumer: User, reference: str) -> AfterSaleRequest:
    return _get(consumer_request_list(consumer=consumer), reference)


def order_requests(*, consumer: User, order_id: int) -> QuerySet[AfterSaleRequest]:
    """The consumer's requests on one of their orders (for the order page)."""
    return consumer_request_list(consumer=consumer).filter(order_id=order_id)


def merchant_request_list(*, actor: Actor, open_only: bool = True) -> QuerySet[AfterSaleRequest]:
    """The merchant's queue: open requests first by deadline (soonest first), then the rest newest first."""
    actor.require(role=Role.VIEWER, kinds=CATALOG_KINDS)
    requests = AfterSaleRequest.objects.filter(merchant=actor.organization).select_related(*_RELATED)
    if open_only:
        return requests.filter(status__in=OPEN_STATUSES).order_by("merchant_deadline", "created_at", "id")
    return requests.order_by("-created_at", "-id")


def merchant_request_get(*, actor: Actor, reference: str) -> AfterSaleRequest:
    return _get(merchant_request_list(actor=actor, open_only=False), reference)


def operator_dispute_list(*, actor: Actor) -> QuerySet[AfterSaleRequest]:
    """What waits for an operator (members of a platform organization): escalated disputes, 假一赔N claims (never
    decided automatically) and payouts that failed (to retry)."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    waiting = (Q(status=Status.ESCALATED) | Q(kind=Kind.COUNTERFEIT, status=Status.WAITING_PLATFORM)
               | Q(status=Status.FAILED))
    return AfterSaleRequest.objects.filter(waiting).select_related(*_RELATED).order_by("escalated_at", "created_at",
                                                                                        "id")


def operator_request_get(*, actor: Actor, reference: str) -> AfterSaleRequest:
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.PLATFORM])
    return _get(AfterSaleRequest.objects.select_related(*_RELATED), reference)


# -- return pickups and evidence requests (docs/returns.md) -----------------------------------------------------------


def logistics_pickup_list(*, actor: Actor, status: str = PickupStatus.BOOKED) -> QuerySet[ReturnPickup]:
    """The pickups assigned to the actor's logistics organization, soonest window first (booked ones only while
    their request still waits for the parcel)."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.LOGISTICS])
    pickups = ReturnPickup.objects.filter(logistics=actor.organization).select_related(
        "request__line", "request__merchant")
    if status == PickupStatus.BOOKED:
        return pickups.filter(status=status, request__status=Status.AGREED).order_by("window_start", "id")
    return pickups.filter(status=status).order_by("-window_start", "-id") if status else pickups.order_by(
        "-window_start", "-id")


def logistics_pickup_get(*, actor: Actor, pickup_id: int) -> ReturnPickup:
    pickup = logistics_pickup_list(actor=actor, status="").filter(pk=pickup_id).first()
    if pickup is None:
        raise NotFound(errors.PICKUP_NOT_FOUND, _("找不到该取件单"))
    return pickup


def request_pickup(request: AfterSaleRequest) -> ReturnPickup | None:
    """The request's booked or picked-up pickup, if any (for the request's own pages)."""
    return request.pickups.exclude(status=PickupStatus.CANCELLED).select_related("logistics").first()


def request_evidence_requests(request: AfterSaleRequest) -> QuerySet[EvidenceRequest]:
    return request.evidence_requests.select_related("organization").order_by("asked_at", "id")


def request_open_evidence(request: AfterSaleRequest) -> EvidenceRequest | None:
    return request.evidence_requests.filter(status=EvidenceRequestStatus.OPEN).first()


# -- the merchant's after-sale record (public; the trust score of issue 14 reads it too) ------------------------

RECORD_DAYS = 90
# Fewer decided requests than this and the share and the median say nothing: the page says "too few to judge".
RECORD_ENOUGH = 5


@dataclass(frozen=True)
class AftersaleRecord:
    """A merchant's after-sale record over the last `window_days`: figures a consumer can weigh.

    `requests` counts every request and claim opened in the window (withdrawn ones included); `decided` those that
    ended with money back (or a completed exchange: `upheld`) or with a refusal that stood; `upheld_share` is
    upheld / decided and `refund_median_hours` the median time from opening to the refund (or payout), both None
    when `enough` is False (fewer than RECORD_ENOUGH decided)."""

    merchant_id: int
    window_days: int
    as_of: datetime
    requests: int
    decided: int
    upheld: int
    refunded: int
    upheld_share: float | None
    refund_median_hours: float | None
    enough: bool


def merchant_aftersale_record(*, merchant: Organization, now: datetime | None = None) -> AftersaleRecord:
    """The merchant's after-sale record for the last 90 days (requests, upheld share, median time to refund)."""
    now = now or clock.now()
    rows = list(AfterSaleRequest.objects.filter(
        merchant=merchant, created_at__gt=now - timedelta(days=RECORD_DAYS), created_at__lte=now,
    ).values("pk", "kind", "status", "refunded_fen", "refused_at", "created_at"))
    upheld_ids = {row["pk"] for row in rows if row["refunded_fen"] > 0 or row["status"] in UPHELD or (
        row["kind"] == Kind.EXCHANGE and row["status"] == Status.CLOSED and row["refused_at"] is None)}
    rejected = sum(1 for row in rows if row["pk"] not in upheld_ids and row["refused_at"] is not None
                   and row["status"] not in OPEN_STATUSES)
    refunded_at: dict[int, datetime] = {}
    for request_id, at in AfterSaleTransition.objects.filter(
            request_id__in=upheld_ids, to_status__in=sorted(UPHELD)).order_by("at", "id").values_list(
            "request_id", "at"):
        refunded_at.setdefault(request_id, at)
    created = {row["pk"]: row["created_at"] for row in rows}
    hours = [(at - created[request_id]).total_seconds() / 3600 for request_id, at in refunded_at.items()]
    decided = len(upheld_ids) + rejected
    enough = decided >= RECORD_ENOUGH
    return AftersaleRecord(
        merchant_id=merchant.pk, window_days=RECORD_DAYS, as_of=now, requests=len(rows), decided=decided,
        upheld=len(upheld_ids), refunded=len(hours),
        upheld_share=round(len(upheld_ids) / decided, 4) if enough else None,
        refund_median_hours=round(statistics.median(hours), 1) if enough and hours else None, enough=enough,
    )


def insurer_claim_list(*, actor: Actor) -> QuerySet[AfterSaleRequest]:
    """Claims routed to the insurer's policies (正品险 / 品质险): those it still has to pay first, by deadline."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.INSURER])
    return AfterSaleRequest.objects.filter(insurance_policy__insurer=actor.organization).select_related(
        *_RELATED, "insurance_policy", "compensation_journal").order_by(
        F("compensation_journal").asc(nulls_first=True), "insurer_due_at", "-id")


@dataclass(frozen=True)
class Recovery:
    """One recovery journal for the request: how much came from the deposit and how much from settlements."""

    journal: Journal
    from_deposit_fen: int
    from_settlements_fen: int


def request_money(request: AfterSaleRequest) -> dict[str, Any]:
    """Who paid what for the request, and what was recovered from the merchant and how (for the pages)."""
    references = [request.reference, f"{request.reference}.comp"]
    journals = list(Journal.objects.filter(reference__in=references, reversed_by__isnull=True).prefetch_related(
        "postings__account").order_by("id"))
    recoveries: list[Recovery] = []
    for journal in journals:
        if journal.kind != JournalKind.RECOVERY:
            continue
        deposit = -sum(p.amount_fen for p in journal.postings.all()
                       if p.account.kind == AccountKind.MERCHANT_DEPOSIT)
        recoveries.append(Recovery(journal, deposit, journal.amount_fen - deposit))
    return {
        "payouts": [j for j in journals if j.kind in (JournalKind.PAYOUT, JournalKind.INSURANCE_PAYOUT)],
        "recoveries": recoveries,
        "recovered_fen": sum(r.journal.amount_fen for r in recoveries),
        "from_deposit_fen": sum(r.from_deposit_fen for r in recoveries),
        "from_settlements_fen": sum(r.from_settlements_fen for r in recoveries),
    }
