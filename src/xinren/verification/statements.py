"""What the platform signs about third-party verification: a registry imported, and each check's result."""

from __future__ import annotations

from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.records import same_instant, signed_record, statement_says
from xinren.attest.registry import COUNT, DATE, NONEMPTY, SHA256, TEXT, statement_type

from .models import CredentialCheck

VERIFICATION_REGISTRY = statement_type(
    name="verification.registry", context="verification",
    summary="A verification registry (CSV from a certifier or authority) imported: kind, source, version, digest.",
    signers=[OrganizationKind.PLATFORM],
    properties={"kind": NONEMPTY, "source": NONEMPTY, "version": COUNT, "sha256": SHA256, "rows": COUNT},
    required=["kind", "source", "version", "sha256", "rows"],
)
VERIFICATION_RESULT = statement_type(
    name="verification.result", context="verification",
    summary="The result of checking an organization's credential against a verifier: status and validity.",
    signers=[OrganizationKind.PLATFORM],
    properties={
        "kind": NONEMPTY, "number": NONEMPTY, "holder_name": TEXT, "holder_uscc": TEXT, "verifier": NONEMPTY,
        "source": TEXT, "status": NONEMPTY, "valid_until": {"anyOf": [DATE, {"type": "null"}]},
    },
    required=["kind", "number", "verifier", "status"],
)


def check_matches(check: CredentialCheck, statement: dict[str, Any] | None) -> bool:
    """The stored check says what the platform signed about the organization's credential."""
    return statement_says(statement, {
        "type": VERIFICATION_RESULT.name, "subject": f"org:{check.organization_id}", "kind": check.kind,
        "number": check.number, "holder_name": check.holder_name, "holder_uscc": check.holder_uscc,
        "verifier": check.verifier, "source": check.source, "status": check.status,
        "valid_until": check.valid_until.isoformat() if check.valid_until else None,
    }) and statement is not None and same_instant(statement.get("time"), check.checked_at)


CHECK_RECORD = signed_record(
    model=CredentialCheck, statement_type=VERIFICATION_RESULT, matches=check_matches, signer=None,
    protected=("credential", "organization", "kind", "number", "holder_name", "holder_uscc", "verifier", "source",
               "status", "checked_at", "valid_until", "details"),
)
