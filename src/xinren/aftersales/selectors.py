"""Reads of the after-sales requests, scoped to who asks: the consumer's own, the merchant's own, the operators'
escalated disputes. Another organization's request is not found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind, Role
from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core.errors import NotFound

from . import errors
from .choices import OPEN_STATUSES, Kind, Status
from .fund.choices import AccountKind, JournalKind
from .models import AfterSaleRequest, Journal

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
