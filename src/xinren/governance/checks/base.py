"""The contract between the qualification checks and their callers (see the package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["pass", "fail", "manual"]  # manual: needs a person


@dataclass(frozen=True)
class QualificationInput:
    """One qualification as the applicant entered it (the scan is already evidence; only its id is here)."""

    kind: str  # verification CredentialKind
    number: str
    holder_name: str
    holder_uscc: str = ""
    issuer: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    scope: tuple[str, ...] = ()  # product categories the licence covers, as the applicant read them off it
    evidence_id: int | None = None


@dataclass(frozen=True)
class ApplicantInput:
    company_name: str
    uscc: str
    legal_rep_name: str
    categories: tuple[str, ...]  # catalog ProductCategory values applied for
    qualifications: tuple[QualificationInput, ...]
    contact_phone: str = ""
    legal_rep_id_number: str = ""  # never stored: hashed for the blacklist, then dropped
    bank_account: str = ""


@dataclass(frozen=True)
class CheckResult:
    rule: str  # stable id, e.g. "uscc.checksum", "sc.region", "licence.expired"
    outcome: Outcome
    message: str  # translated, says exactly what to fix
    qualification: int | None = None  # index into ApplicantInput.qualifications, None for the application
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckContext:
    """What the checks may look up, passed in so each check stays a pure function."""

    today: dt.date
    # USCCs / licence numbers already held by another organization or live application: (kind, number) -> who
    duplicate_of: Callable[[str, str], str | None] = lambda kind, number: None
    # blacklist hits for the applicant's entities: returns reason strings
    blacklist_hits: Callable[[ApplicantInput], Sequence[str]] = lambda applicant: ()
    # registry confirmation through verification's verifier interface: (kind, number, holder_name, holder_uscc)
    # -> VerificationStatus value, or None when no verifier knows the kind
    registry_status: Callable[[str, str, str, str], str | None] = lambda kind, number, name, uscc: None
