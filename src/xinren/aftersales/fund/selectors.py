"""Reads of the fund, already scoped to what the actor may see: operators (platform members) see everything, a
merchant its own deposit, what it owes and the journals about it; anyone else nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.aftersales.models.fund import (
    Account,
    InsurancePolicy,
    InsuranceSubscription,
    Journal,
    Posting,
    Reconciliation,
)
from xinren.core import clock

from .choices import AccountKind

OPERATORS = [OrganizationKind.PLATFORM]


def is_operator(actor: Actor) -> bool:
    return actor.organization.kind == OrganizationKind.PLATFORM


def account_list(*, actor: Actor) -> QuerySet[Account]:
    """Every account with its balance (operators), by kind then organization."""
    actor.require(role=Role.VIEWER, kinds=OPERATORS)
    return Account.objects.select_related("organization").order_by("kind", "organization__name", "pk")


def journal_list(*, actor: Actor, kind: str = "") -> QuerySet[Journal]:
    """Journals newest first: all of them for operators, those about its own organization for a merchant."""
    actor.require(role=Role.VIEWER, kinds=[*OPERATORS, OrganizationKind.MERCHANT])
    journals = Journal.objects.select_related("merchant", "reverses").order_by("-id")
    if not is_operator(actor):
        journals = journals.filter(merchant=actor.organization)
    return journals.filter(kind=kind) if kind else journals


@dataclass(frozen=True)
class MerchantPosition:
    """A merchant's standing with the fund: its deposit and what it still owes for payouts made on its behalf."""

    deposit_fen: int
    owed_fen: int


def merchant_position(*, actor: Actor) -> MerchantPosition:
    """The actor's own merchant organization's deposit and debt to the fund."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.MERCHANT])
    balances = dict(
        Account.objects.filter(organization=actor.organization).values_list("kind", "balance_fen")
    )
    return MerchantPosition(deposit_fen=int(balances.get(AccountKind.MERCHANT_DEPOSIT, 0)),
                            owed_fen=int(balances.get(AccountKind.RECOVERIES_RECEIVABLE, 0)))


@dataclass(frozen=True)
class Totals:
    """The platform-wide figures at the top of the operators' page."""

    fund_fen: int
    deposits_fen: int
    receivable_fen: int
    escrow_fen: int


def fund_totals(*, actor: Actor) -> Totals:
    actor.require(role=Role.VIEWER, kinds=OPERATORS)
    by_kind = {row["kind"]: int(row["s"] or 0)
               for row in Account.objects.values("kind").annotate(s=Sum("balance_fen"))}
    return Totals(
        fund_fen=by_kind.get(AccountKind.FUND, 0),
        deposits_fen=by_kind.get(AccountKind.MERCHANT_DEPOSIT, 0),
        receivable_fen=by_kind.get(AccountKind.RECOVERIES_RECEIVABLE, 0),
        escrow_fen=-by_kind.get(AccountKind.PROVIDER_CLEARING, 0),
    )


def fund_balance_series(*, actor: Actor, days: int = 90) -> list[tuple[dt.date, int]]:
    """The fund account's balance at the end of each of the last `days` days (local dates), oldest first."""
    actor.require(role=Role.VIEWER, kinds=OPERATORS)
    today = timezone.localtime(clock.now()).date()
    first = today - dt.timedelta(days=days - 1)
    postings = Posting.objects.filter(account__kind=AccountKind.FUND, account__organization=None)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    before = int(postings.filter(journal__created_at__lt=start).aggregate(s=Sum("amount_fen"))["s"] or 0)
    deltas = {
        row["day"]: int(row["s"] or 0)
        for row in postings.filter(journal__created_at__gte=start)
        .annotate(day=TruncDate("journal__created_at")).values("day").annotate(s=Sum("amount_fen"))
    }
    series, running = [], before
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        running += deltas.get(day, 0)
        series.append((day, running))
    return series


def reconciliation_latest(*, actor: Actor) -> Reconciliation | None:
    actor.require(role=Role.VIEWER, kinds=OPERATORS)
    return Reconciliation.objects.first()



def policy_list(*, actor: Actor) -> QuerySet[InsurancePolicy]:
    """An insurer's own policies; for a merchant or an operator, every active policy."""
    actor.require(role=Role.VIEWER, kinds=[*OPERATORS, OrganizationKind.MERCHANT, OrganizationKind.INSURER])
    policies = InsurancePolicy.objects.select_related("insurer").order_by("-id")
    if actor.organization.kind == OrganizationKind.INSURER:
        return policies.filter(insurer=actor.organization)
    return policies.filter(active=True)


def subscribed_policy_ids(*, actor: Actor) -> set[int]:
    """The policies the actor's merchant organization subscribed to."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.MERCHANT])
    return set(InsuranceSubscription.objects.filter(merchant=actor.organization).values_list("policy_id", flat=True))


def insurer_balance(*, actor: Actor) -> int:
    """The insurer's own account balance."""
    actor.require(role=Role.VIEWER, kinds=[OrganizationKind.INSURER])
    account = Account.objects.filter(kind=AccountKind.INSURER, organization=actor.organization).first()
    return account.balance_fen if account is not None else 0
