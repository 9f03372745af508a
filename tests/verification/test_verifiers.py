"""The registry verifier's answers, and how a provider is chosen per kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from xinren.verification.verifiers import VERIFIERS, RegistryVerifier, VerificationResult, verifier_for

from .conftest import NOW, csv_row, organic_import

pytestmark = pytest.mark.django_db


def _verify(number, organization, **kwargs):  # type: ignore[no-untyped-def]
    return RegistryVerifier().verify(
        kind="organic",
        number=number,
        holder_name=kwargs.get("name", organization.name),
        holder_uscc=kwargs.get("uscc", organization.uscc),
        at=NOW,
    )


def test_statuses(merchant, other_merchant, platform):
    # given
    organic_import(
        csv_row("V", merchant),
        csv_row("E", merchant, valid_until="2026-11-19"),
        csv_row("R", merchant, status="revoked"),
        csv_row("S", merchant, status="suspended"),
        csv_row("F", merchant, valid_from="2026-12-01"),
    )
    # when / then
    valid = _verify("V", merchant)
    assert (valid.status, valid.verifier, valid.source, valid.valid_until) == (
        "valid",
        "registry",
        "国家认监委 2026-11 导出",
        dt.date(2027, 12, 31),
    )
    assert valid.details["holder_uscc"] == merchant.uscc and valid.details["row_number"] == 2
    assert [_verify(n, merchant).status for n in ("E", "R", "S", "F", "nope")] == [
        "expired",
        "revoked",
        "revoked",
        "expired",
        "not_found",
    ]
    assert _verify("V", other_merchant).status == "mismatch"
    assert _verify("V", other_merchant).details["mismatch"] == "holder_uscc"


def test_name_decides_only_when_a_credit_code_is_missing(merchant, platform):
    # given
    organic_import(csv_row("N", merchant, uscc=""))
    # when / then
    assert _verify("N", merchant).status == "valid"
    assert _verify("N", merchant, name="别的公司").status == "mismatch"
    assert _verify("N", merchant, name=merchant.name.replace("", " ").strip()).status == "valid"


def test_a_valid_row_wins_over_an_expired_one_from_another_source(merchant, platform):
    organic_import(csv_row("D", merchant, valid_from="2024-01-01", valid_until="2025-01-01"), source="旧导出")
    organic_import(csv_row("D", merchant), source="新导出")
    result = _verify("D", merchant)
    assert (result.status, result.source) == ("valid", "新导出")


def test_the_setting_chooses_a_provider_per_kind(settings, monkeypatch):
    # given
    class Sandbox:
        name = "sandbox-cnca"

        def verify(self, *, kind, number, holder_name, holder_uscc=None, at=None):  # type: ignore[no-untyped-def]
            return VerificationResult(status="valid", verifier=self.name, source="sandbox", checked_at=NOW)

    monkeypatch.setitem(VERIFIERS, "sandbox-cnca", Sandbox)
    settings.XINREN_VERIFIERS = {"organic": "sandbox-cnca"}
    # when / then
    assert verifier_for("organic").name == "sandbox-cnca"
    assert verifier_for("geo_indication").name == "registry"
    settings.XINREN_VERIFIERS = {"organic": "missing"}
    with pytest.raises(ImproperlyConfigured):
        verifier_for("organic")
