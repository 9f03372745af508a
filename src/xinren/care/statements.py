"""What the platform signs when a model's reading opens a care ticket (`care.ticket`): an automated act, so it is
a statement naming the types and the model version. No personal data: no customer, no order, no text."""

from __future__ import annotations

from xinren.accounts.choices import OrganizationKind
from xinren.attest.registry import NONEMPTY, ORGANIZATION, statement_type

CARE_TICKET = statement_type(
    name="care.ticket",
    context="care",
    summary="A care ticket opened automatically on a hurt customer's text: complaint types, model version, ticket "
    "reference (no personal data, no order number).",
    signers=[OrganizationKind.PLATFORM],
    properties={
        "ticket": NONEMPTY,
        "merchant": ORGANIZATION,
        "types": {"type": "array", "items": NONEMPTY},
        "model_version": NONEMPTY,
        "source": NONEMPTY,
    },
    required=["ticket", "merchant", "types", "model_version", "source"],
)
