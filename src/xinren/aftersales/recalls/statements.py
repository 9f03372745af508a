"""What is signed when a lot (or listed serials) is recalled: `recall.issued`, by the recalling organization.

The statement is about the lot (its GS1 Digital Link URI) and names the recaller, the reason, the scope and, for a
recall of listed serials, the serials. It never names a buyer, an order or a count of buyers: those stay in the
platform's rows (RecallNotice) and the operators' figures.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from xinren.accounts.choices import OrganizationKind
from xinren.attest.records import same_instant, signed_record, statement_says
from xinren.attest.registry import COUNT, GTIN, NONEMPTY, ORGANIZATION, TIMESTAMP, statement_type
from xinren.catalog.gs1 import DigitalLink

from ..models.recalls import Recall, RecallItem
from .choices import RecallScope

# Who may recall (services.py checks which of them may recall which lot).
RECALLERS = frozenset({
    OrganizationKind.MERCHANT, OrganizationKind.SUPPLIER, OrganizationKind.LAB, OrganizationKind.REGULATOR,
})

RECALL_ISSUED = statement_type(
    name="recall.issued", context="aftersales",
    summary="A lot, or listed serials of it, recalled by its merchant, a lab it granted, or a regulator: the "
            "reason, the scope and the number of items (never a buyer).",
    signers=RECALLERS,
    properties={
        "recaller": ORGANIZATION, "recaller_kind": {"enum": sorted(RECALLERS)}, "gtin": GTIN, "lot": NONEMPTY,
        "scope": {"enum": [RecallScope.LOT.value, RecallScope.SERIALS.value]},
        "serials": {"type": "array", "items": NONEMPTY, "maxItems": 1000},
        "reason": NONEMPTY, "items": COUNT, "issued_at": TIMESTAMP,
    },
    required=["recaller", "recaller_kind", "gtin", "lot", "scope", "reason", "items", "issued_at"],
)


def lot_subject(*, gtin: str, lot: str) -> str:
    """A recall is about the lot: its GS1 Digital Link URI."""
    return DigitalLink(gtin=gtin, lot=lot).uri(settings.XINREN_RESOLVER)


def recall_statement(*, recall: Recall, serials: list[str]) -> dict[str, Any]:
    """The `recall.issued` payload of a recall about to be signed (its `time` is its issue time)."""
    statement: dict[str, Any] = {
        "type": RECALL_ISSUED.name,
        "subject": lot_subject(gtin=recall.product.gtin, lot=recall.batch.lot),
        "time": recall.issued_at.isoformat(),
        "recaller": f"org:{recall.organization_id}", "recaller_kind": recall.organization.kind,
        "gtin": recall.product.gtin, "lot": recall.batch.lot, "scope": recall.scope,
        "reason": recall.reason, "items": recall.items_total, "issued_at": recall.issued_at.isoformat(),
    }
    if recall.scope == RecallScope.SERIALS:
        statement["serials"] = sorted(serials)
    return statement


def recall_matches(recall: Recall, statement: dict[str, Any] | None) -> bool:
    """The stored recall says what its organization signed."""
    return statement_says(statement, {
        "type": RECALL_ISSUED.name, "recaller": f"org:{recall.organization_id}", "gtin": recall.product.gtin,
        "lot": recall.batch.lot, "scope": recall.scope, "reason": recall.reason, "items": recall.items_total,
    }) and statement is not None and same_instant(statement.get("issued_at"), recall.issued_at) and (
        sorted(statement.get("serials", [])) == sorted(entry.item.serial for entry in recall.items.all())
    )


RECALL_RECORD = signed_record(
    model=Recall, statement_type=RECALL_ISSUED, matches=recall_matches, signer="organization",
    protected=("organization", "product", "batch", "scope", "reason", "issued_at", "items_total"),
    select_related=("product", "batch", "organization"), prefetch_related=("items__item",), children=(RecallItem,),
)
