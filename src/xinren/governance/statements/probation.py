"""The `governance.probation` statement: the platform starts, ends or extends a merchant's probation (新手期)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.keys import owner_of
from xinren.attest.registry import COUNT, NONEMPTY, OBJECT, ORGANIZATION, TEXT, statement_type

from ..models import Probation

PROBATION = statement_type(
    name="governance.probation",
    context="governance",
    summary="The platform started, ended or extended a merchant's probation (新手期): the organization (id and "
    "slug), the event, the policy version and the criteria figures that decided it. No personal data.",
    signers=[OrganizationKind.PLATFORM],
    properties={
        "organization": ORGANIZATION,
        "slug": NONEMPTY,
        "event": {"enum": ["start", "end", "extend"]},
        "policy_version": COUNT,
        "figures": OBJECT,
        "reason": TEXT,
        "extended_until": TEXT,
    },
    required=["organization", "slug", "event", "policy_version", "figures"],
).name


def probation_statement(
    *,
    probation: Probation,
    event: str,
    figures: dict[str, Any],
    at: datetime,
    reason: str = "",
) -> dict[str, Any]:
    organization = probation.organization
    statement: dict[str, Any] = {
        "type": PROBATION,
        "subject": owner_of(organization),
        "time": at.isoformat(),
        "organization": owner_of(organization),
        "slug": organization.slug,
        "event": event,
        "policy_version": probation.policy.version,
        "figures": figures,
    }
    if reason:
        statement["reason"] = reason
    if probation.extended_until is not None:
        statement["extended_until"] = probation.extended_until.isoformat()
    return statement
