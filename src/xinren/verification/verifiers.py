"""Verifiers: who answers "is this certificate real, current and held by this business?".

A verifier is anything with `name` and `verify(...)`. The built-in `RegistryVerifier` answers from the
registry rows an operator imported from an issuing body's CSV export (`verification_registry_import`);
it makes no network calls. A real online provider (a certification body's query service, a commerce
bureau's credit API) implements the same protocol, is added to `VERIFIERS` below in code, and is chosen
per kind by the setting `XINREN_VERIFIERS`, e.g. `{"organic": "cnca-online"}`; kinds not named there use
"registry". Loading classes by dotted path from settings is deliberately not supported: the list of code
that may vouch for a certificate is reviewed like any other code. See docs/verification.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from xinren.core import clock

from .choices import CredentialKind, RecordStatus, VerificationStatus
from .models import RegistryRecord

DEFAULT_VERIFIER = "registry"


@dataclass(frozen=True)
class VerificationResult:
    """What a verifier says about one number at one moment."""

    status: str
    verifier: str
    source: str
    checked_at: dt.datetime
    valid_until: dt.date | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return self.status == VerificationStatus.VALID


class Verifier(Protocol):
    """The interface every verification provider implements."""

    name: str

    def verify(
        self,
        *,
        kind: str,
        number: str,
        holder_name: str,
        holder_uscc: str | None = None,
        at: dt.datetime | None = None,
    ) -> VerificationResult: ...


def _same_name(a: str, b: str) -> bool:
    # Exports differ in full-width brackets and spaces; the legal name is otherwise compared exactly.
    table = str.maketrans({"（": "(", "）": ")", " ": "", "\u3000": ""})
    return a.translate(table) == b.translate(table)


class RegistryVerifier:
    """Checks numbers against registry rows imported by an operator (no network)."""

    name = DEFAULT_VERIFIER

    def verify(
        self,
        *,
        kind: str,
        number: str,
        holder_name: str,
        holder_uscc: str | None = None,
        at: dt.datetime | None = None,
    ) -> VerificationResult:
        at = at or clock.now()
        today = timezone.localdate(at)
        number = number.strip()
        rows = list(RegistryRecord.objects.filter(kind=kind, number=number).order_by("-valid_until", "source"))
        if not rows:
            return VerificationResult(
                status=VerificationStatus.NOT_FOUND,
                verifier=self.name,
                source="",
                checked_at=at,
                details={"number": number},
            )
        # Several sources may list a number; the most favourable current one decides, the others are listed.
        rows.sort(key=lambda row: (_record_status(row, today) != VerificationStatus.VALID, row.source))
        record = rows[0]
        status = _record_status(record, today)
        details: dict[str, Any] = {
            "number": record.number,
            "holder_name": record.holder_name,
            "holder_uscc": record.holder_uscc,
            "scope": record.scope,
            "region": record.region,
            "valid_from": record.valid_from.isoformat() if record.valid_from else None,
            "record_status": record.status,
            "registry_import": record.registry_import_id,
            "row_number": record.row_number,
        }
        if status == VerificationStatus.VALID:
            # The credit code identifies a business; the name is compared only when either side lacks one.
            if holder_uscc and record.holder_uscc:
                if holder_uscc != record.holder_uscc:
                    status, details["mismatch"] = VerificationStatus.MISMATCH, "holder_uscc"
            elif not _same_name(holder_name, record.holder_name):
                status, details["mismatch"] = VerificationStatus.MISMATCH, "holder_name"
        return VerificationResult(
            status=status,
            verifier=self.name,
            source=record.source,
            checked_at=at,
            valid_until=record.valid_until,
            details=details,
        )


def _record_status(record: RegistryRecord, today: dt.date) -> str:
    if record.status != RecordStatus.VALID:
        return VerificationStatus.REVOKED
    if record.valid_until is not None and record.valid_until < today:
        return VerificationStatus.EXPIRED
    if record.valid_from is not None and record.valid_from > today:
        # Not yet in force: treated like an expired certificate rather than a valid one.
        return VerificationStatus.EXPIRED
    return VerificationStatus.VALID


# The code that may vouch for certificates. Add a provider here (and name it in XINREN_VERIFIERS).
VERIFIERS: dict[str, Callable[[], Verifier]] = {
    DEFAULT_VERIFIER: RegistryVerifier,
}


def verifier_for(kind: str) -> Verifier:
    """The verifier configured for a credential kind (the registry one unless XINREN_VERIFIERS says otherwise)."""
    if kind not in CredentialKind.values:
        raise ValueError(f"unknown credential kind {kind!r}")
    configured: dict[str, str] = getattr(settings, "XINREN_VERIFIERS", {}) or {}
    name = configured.get(kind, DEFAULT_VERIFIER)
    try:
        factory = VERIFIERS[name]
    except KeyError:
        raise ImproperlyConfigured(f"XINREN_VERIFIERS names {name!r} for {kind!r}, which is not in VERIFIERS") from None
    return factory()
