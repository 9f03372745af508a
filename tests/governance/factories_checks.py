"""Builders of check inputs for the qualification checks' tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from xinren.accounts.uscc import uscc_check_char
from xinren.governance.checks import ApplicantInput, CheckContext, QualificationInput

TODAY = dt.date(2026, 12, 7)
COMPANY = "云南普洱茶业（集团）有限公司"


def uscc(body17: str = "91530802MA6K12345") -> str:
    return body17 + uscc_check_char(body17)


USCC = uscc()


def qualification(kind: str = "business_licence", **fields: Any) -> QualificationInput:
    defaults: dict[str, Any] = {
        "number": USCC if kind == "business_licence" else "SC11453080200013",
        "holder_name": COMPANY,
        "valid_from": dt.date(2024, 1, 1),
        "valid_until": None if kind == "business_licence" else dt.date(2029, 1, 1),
        "scope": (),
    }
    return QualificationInput(kind=kind, **{**defaults, **fields})


def applicant(*qualifications: QualificationInput, **fields: Any) -> ApplicantInput:
    base = ApplicantInput(
        company_name=COMPANY,
        uscc=USCC,
        legal_rep_name="张三",
        categories=("tea",),
        qualifications=qualifications or (qualification(), qualification("food_production", scope=("tea",))),
    )
    return replace(base, **fields)


def context(**fields: Any) -> CheckContext:
    defaults: dict[str, Any] = {"registry_status": lambda kind, number, name, code: "valid"}
    return CheckContext(today=TODAY, **{**defaults, **fields})
