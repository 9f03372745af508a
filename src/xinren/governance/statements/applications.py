"""`governance.application.decision`: a reviewer's decision on an application to sell, signed by the platform.

No personal data: the application by its public id, the decision, the reason codes and the time (a reviewer's
free-text note stays in the database, it may name people).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import NONEMPTY, ORGANIZATION, statement_type

from ..choices import ApplicationDecisionKind

APPLICATION_DECISION = statement_type(
    name="governance.application.decision", context="governance",
    summary="A reviewer's decision on an application to sell (by its public id): approve, request changes or "
            "reject, with reason codes; an approval names the merchant organization it created.",
    signers=[OrganizationKind.PLATFORM],
    properties={
        "application": NONEMPTY,
        "decision": {"enum": list(ApplicationDecisionKind.values)},
        "reasons": {"type": "array", "items": NONEMPTY, "minItems": 1},
        "organization": ORGANIZATION,
    },
    required=["application", "decision", "reasons"],
).name


def application_decision_statement(
    *, public_id: str, decision: str, reasons: list[str], at: datetime, organization_id: int | None = None
) -> dict[str, Any]:
    """The statement the platform signs for a decision."""
    statement: dict[str, Any] = {
        "type": APPLICATION_DECISION, "subject": f"application:{public_id}", "time": at.isoformat(),
        "application": public_id, "decision": decision, "reasons": reasons,
    }
    if organization_id is not None:
        statement["organization"] = f"org:{organization_id}"
    return statement
