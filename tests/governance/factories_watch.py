"""Credentials with validity, registry rows for renewals, the pinned clock and the statements signed (watch tests)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from xinren.accounts.models import Organization
from xinren.core import clock
from xinren.ledger.dsse import parse_envelope
from xinren.ledger.store.models import PendingEntry
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential
from xinren.verification.services import registry_import

# 10:00 in Beijing on 7 December 2026: "today" for the watch.
NOW = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 12, 7)
HEADER = "number,holder_name,holder_uscc,scope,region,valid_from,valid_until,status\n"


@pytest.fixture
def pinned_clock(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def credential_make(
    organization: Organization,
    *,
    kind: str = CredentialKind.FOOD_BUSINESS,
    number: str = "JY15301020000001",
    valid_until: dt.date | None = TODAY + dt.timedelta(days=200),
    status: str = CredentialStatus.VERIFIED,
) -> Credential:
    return Credential.objects.create(
        organization=organization, kind=kind, number=number, holder_name=organization.name, status=status,
        issuer="昆明市市场监督管理局", valid_from=dt.date(2021, 12, 1), valid_until=valid_until, scope=["tea"],
    )


def registry_has(organization: Organization, number: str, *, kind: str = CredentialKind.FOOD_BUSINESS) -> None:
    """The issuing body's export lists `number` as a valid licence of `organization` (what a renewal is checked
    against)."""
    row = f"{number},{organization.name},{organization.uscc},茶叶销售,云南省昆明市,2026-12-01,2031-11-30,valid\n"
    registry_import(kind=kind, source="昆明市市场监督管理局 2026-12", data=(HEADER + row).encode(),
                    filename="jy.csv")


def statements(statement_type: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        json.loads(parse_envelope(bytes(row.envelope)).payload)
        for row in PendingEntry.objects.filter(statement_type=statement_type).order_by("id")
    ]
