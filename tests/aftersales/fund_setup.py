"""Fund test helpers: a funded ledger, keys, balances and the state to compare before and after a refusal."""

from __future__ import annotations

import itertools
from typing import Any

from xinren.accounts.actors import Actor
from xinren.accounts.models import Organization
from xinren.aftersales.fund import services
from xinren.aftersales.fund.choices import AccountKind
from xinren.aftersales.models.fund import Account, FundCallback, Journal, Posting
from xinren.orders.payments.sandbox_models import SandboxTransfer

_keys = itertools.count(1)


def key(prefix: str = "k") -> str:
    """A fresh idempotency key."""
    return f"{prefix}-test-{next(_keys):06d}"


def balance(kind: str, organization: Organization | None = None) -> int:
    account = Account.objects.filter(kind=kind, organization=organization).first()
    return account.balance_fen if account is not None else 0


def fund_balance() -> int:
    return balance(AccountKind.FUND)


def contribute(operator: Actor, amount_fen: int) -> None:
    services.fund_contribute(actor=operator, amount_fen=amount_fen, idempotency_key=key("contrib"))


def state() -> dict[str, Any]:
    """Everything a refusal must leave as it was."""
    return {
        "balances": sorted(Account.objects.values_list("kind", "organization_id", "balance_fen")),
        "journals": Journal.objects.count(),
        "postings": Posting.objects.count(),
        "callbacks": FundCallback.objects.count(),
        "transfers": SandboxTransfer.objects.count(),
    }


def sums_match() -> bool:
    """Every stored balance equals the sum of its postings."""
    from django.db.models import Sum

    for account in Account.objects.all():
        total = Posting.objects.filter(account=account).aggregate(s=Sum("amount_fen"))["s"] or 0
        if total != account.balance_fen:
            return False
    return True
