"""The recall banner at the very top of the scan pages: the lot's (or the product's) issued recalls.

Plain JSON data, published with the story and computed per lot, never per item: a recall of listed serials carries
its serials, and the item page draws the banner only when its own serial is among them (the lot page says that
some items of the lot are recalled). The proof is that of the recall's signed `recall.issued` statement.
"""

from __future__ import annotations

from django.utils import timezone
from typing_extensions import TypedDict

from xinren.attest.proofs import LedgerProof, signed_record_proofs
from xinren.catalog.models import Batch, Product

from ..models.recalls import Recall
from .choices import RecallScope, RecallStatus
from .statements import RECALL_RECORD


class RecallEntry(TypedDict, closed=True):
    """One issued recall as the page shows it."""

    id: int
    lot: str
    scope: str  # "lot" or "serials"
    serials: list[str]
    reason: str
    date: str  # the day it was issued, in Beijing (YYYY-MM-DD)
    recaller: str  # the organization's name
    recaller_kind: str  # its kind (merchant, supplier, lab, regulator): the page words it in the reader's language
    proof: LedgerProof


class RecallSection(TypedDict, closed=True):
    recalls: list[RecallEntry]


def recall_section_for(*, product: Product, batch: Batch | None) -> RecallSection | None:
    """The issued recalls of the lot (on batch and item pages), or of every lot of the product (on its page)."""
    recalls = Recall.objects.filter(product=product, status=RecallStatus.ISSUED)
    if batch is not None:
        recalls = recalls.filter(batch=batch)
    rows = list(recalls.select_related(*RECALL_RECORD.select_related).prefetch_related(*RECALL_RECORD.prefetch_related)
                .order_by("-issued_at", "-id"))
    if not rows:
        return None
    proofs = signed_record_proofs(RECALL_RECORD, rows)
    return {"recalls": [
        {
            "id": recall.pk, "lot": recall.batch.lot, "scope": recall.scope,
            "serials": sorted(entry.item.serial for entry in recall.items.all())
            if recall.scope == RecallScope.SERIALS else [],
            "reason": recall.reason, "date": timezone.localtime(recall.issued_at).date().isoformat(),
            "recaller": recall.organization.name, "recaller_kind": recall.organization.kind,
            "proof": proofs[recall.pk].as_dict(),
        }
        for recall in rows
    ]}
