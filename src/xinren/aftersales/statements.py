"""The `aftersale.decision` statement: who decided what on an after-sale request, signed by whoever decided.

The platform signs decisions made by its rules (坏单包赔, the merchant-silence rule) and by its operators; the
merchant signs its own. A statement names the request by its public reference and the consumer by pseudonym, the
product by GTIN (its Digital Link is the subject): never an order number, a phone, a name or an address.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.attest.keys import owner_of
from xinren.attest.registry import COUNT, GTIN, NONEMPTY, ORGANIZATION, TEXT, statement_type
from xinren.catalog.gs1 import DigitalLink

from .choices import DecidedBy, Kind, Outcome
from .models import AfterSaleRequest

DECISION = statement_type(
    name="aftersale.decision", context="aftersales",
    summary="A decision on an after-sale request or guarantee claim (by its public reference and the consumer's "
            "pseudonym): who decided (rule, merchant, operator, timeout), the outcome, the amount in fen, the reason, "
            "and for a rule its id, version and each condition checked.",
    signers=[OrganizationKind.PLATFORM, *CATALOG_KINDS],
    properties={
        "request": NONEMPTY, "consumer": NONEMPTY, "merchant": ORGANIZATION, "gtin": GTIN,
        "kind": {"enum": list(Kind.values)}, "decided_by": {"enum": list(DecidedBy.values)},
        "outcome": {"enum": list(Outcome.values)}, "amount_fen": COUNT, "reason": TEXT,
        "rule": {
            "type": "object",
            "properties": {
                "id": NONEMPTY, "version": NONEMPTY,
                "conditions": {"type": "array", "items": {
                    "type": "object", "properties": {"id": NONEMPTY, "passed": {"type": "boolean"},
                                                     "value": {"type": ["string", "integer", "boolean"]}},
                    "required": ["id", "passed"], "additionalProperties": False,
                }},
            },
            "required": ["id", "version"], "additionalProperties": False,
        },
    },
    required=["request", "consumer", "merchant", "kind", "decided_by", "outcome", "amount_fen", "reason"],
).name


def decision_statement(
    *, request: AfterSaleRequest, consumer: str, decided_by: str, outcome: str, amount_fen: int, reason: str,
    at: datetime, rule_id: str = "", rule_version: str = "", conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "type": DECISION,
        "subject": DigitalLink(gtin=request.line.gtin).uri(settings.XINREN_RESOLVER),
        "time": at.isoformat(),
        "request": request.reference,
        "consumer": consumer,
        "merchant": owner_of(request.merchant),
        "gtin": request.line.gtin,
        "kind": request.kind,
        "decided_by": decided_by,
        "outcome": outcome,
        "amount_fen": amount_fen,
        "reason": reason,
    }
    if rule_id:
        statement["rule"] = {"id": rule_id, "version": rule_version, "conditions": list(conditions or [])}
    return statement


# The other parts' statement types, registered when attest finds this module.
from xinren.aftersales.fund import statements as _fund_statements  # noqa: E402, F401
from xinren.aftersales.programmes import statements as _programme_statements  # noqa: E402, F401
from xinren.aftersales.recalls import statements as _recall_statements  # noqa: E402, F401
