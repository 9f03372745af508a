"""The verification tests' pinned clock, and registry CSV builders."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.models import Organization
from xinren.core import clock
from xinren.verification.services import registry_import

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
HEADER = "number,holder_name,holder_uscc,scope,region,valid_from,valid_until,status\n"


@pytest.fixture(autouse=True)
def _now_is_20_november_2026(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    monkeypatch.setattr(clock, "now", lambda: NOW)
    return NOW


def csv_row(
    number: str,
    holder: Organization | None = None,
    *,
    holder_name: str = "",
    uscc: str | None = None,
    scope: str = "茶叶；普洱茶",
    region: str = "云南省普洱市",
    valid_from: str = "2026-01-01",
    valid_until: str = "2027-12-31",
    status: str = "valid",
) -> str:
    name = holder_name or (holder.name if holder else "某公司")
    code = uscc if uscc is not None else (holder.uscc or "" if holder else "")
    return f"{number},{name},{code},{scope},{region},{valid_from},{valid_until},{status}\n"


def organic_import(*rows: str, source: str = "国家认监委 2026-11 导出", kind: str = "organic"):  # type: ignore[no-untyped-def]
    return registry_import(kind=kind, source=source, data=(HEADER + "".join(rows)).encode(), filename="x.csv")
