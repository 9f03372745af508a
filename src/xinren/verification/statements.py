"""What the platform signs about third-party verification: a registry imported, and each check's result."""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import COUNT, DATE, NONEMPTY, SHA256, TEXT, statement_type

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
