"""The `programme.membership` statement: a merchant joined or left a guarantee programme, signed by the platform.

A badge on a page is only as good as this: anyone can check in the log when the merchant joined, under which terms
version and promises, and when (and why) the membership ended. It names the merchant as "org:<id>" and the programme
by its slug; no person is named.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xinren.accounts.choices import OrganizationKind
from xinren.attest.keys import owner_of
from xinren.attest.registry import COUNT, NONEMPTY, ORGANIZATION, statement_type

from ..models.programmes import ProgrammeMembership
from .choices import LeftReason

MEMBERSHIP = statement_type(
    name="programme.membership", context="aftersales",
    summary="A merchant joined (`event` start) or left (`event` end, with the reason and the failed conditions) a "
            "guarantee programme (信任购, 菌无忧, …): the programme's slug, its terms version and promises, the "
            "guarantees the merchant accepted. Signed by the platform; the badge on pages links to it.",
    signers=[OrganizationKind.PLATFORM],
    properties={
        "programme": NONEMPTY, "version": COUNT, "merchant": ORGANIZATION, "event": {"enum": ["start", "end"]},
        "start": NONEMPTY, "end": NONEMPTY, "reason": {"enum": list(LeftReason.values)},
        "promises": {"type": "array", "items": {"type": "object"}},
        "guarantees": {"type": "array", "items": NONEMPTY},
        "failed": {"type": "object"},
    },
    required=["programme", "version", "merchant", "event", "start"],
).name


def membership_statement(membership: ProgrammeMembership, *, event: str, at: datetime) -> dict[str, Any]:
    programme = membership.programme
    statement: dict[str, Any] = {
        "type": MEMBERSHIP, "subject": f"aftersales.programme:{programme.slug}", "time": at.isoformat(),
        "programme": programme.slug, "version": membership.version, "merchant": owner_of(membership.merchant),
        "event": event, "start": membership.joined_at.isoformat(),
        "promises": [{"id": p["id"], "value": p["value"]} for p in programme.promises],
        "guarantees": list(membership.guarantees),
    }
    if event == "end":
        assert membership.left_at is not None
        statement.update(end=membership.left_at.isoformat(), reason=membership.left_reason,
                         failed=dict(membership.left_details))
    return statement
