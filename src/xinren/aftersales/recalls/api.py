"""API routes of recalls, mounted at /api/v1/recalls: issue a recall (API key or console session of a merchant,
supplier, granted lab or regulator) and read one with its reach. Another organization's recall is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.core.schemas import ErrorOut

from ..models.recalls import Recall
from . import selectors, services
from .choices import RecallScope

ERRORS: dict[Any, type[Schema]] = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}

router = Router(tags=["recalls"])


class RecallIn(Schema):
    gtin: str = Field(description="the product's GTIN-14", examples=["06901234567892"])
    lot: str = Field(description="the lot (batch number) recalled", examples=["L20260701"])
    scope: str = Field(RecallScope.LOT, description="lot (the whole lot) or serials (only the listed serials)")
    serials: list[str] = Field([], description="with scope=serials: serials of that lot, at most 1000")
    reason: str = Field(description="4–500 characters, shown on every scan page of the lot and signed",
                        examples=["抽检发现二氧化硫残留超标"])


class RecallOut(Schema):
    id: int
    gtin: str
    lot: str
    scope: str
    serials: list[str]
    reason: str
    status: str = Field(description="issued or closed")
    recaller: str = Field(description="the recalling organization's name")
    recaller_kind: str
    issued_at: datetime
    items_total: int
    items_sold: int = Field(description="recalled items already shipped to buyers when issued")
    buyers_total: int = Field(description="buyers the recall reaches")
    buyers_notified: int
    buyers_responded: int = Field(description="buyers who opened an after-sale request from their notice")
    buyers_refunded: int = Field(description="after-sale requests answering the recall that were refunded or paid")
    items_back: int = Field(description="units of returns answering the recall that the merchant signed for")
    leaf_hash: str = Field(description="the signed recall.issued statement's leaf hash in the log")


def _out(recall: Recall) -> dict[str, Any]:
    reach = selectors.recall_reach([recall])[recall.pk]
    return {
        "id": recall.pk, "gtin": recall.product.gtin, "lot": recall.batch.lot, "scope": recall.scope,
        "serials": sorted(recall.items.values_list("item__serial", flat=True)), "reason": recall.reason,
        "status": recall.status, "recaller": recall.organization.name, "recaller_kind": recall.organization.kind,
        "issued_at": recall.issued_at, "items_total": recall.items_total, "items_sold": recall.items_sold,
        "buyers_total": recall.buyers_total, "buyers_notified": reach.notified, "buyers_responded": reach.responded,
        "buyers_refunded": reach.refunded, "items_back": reach.items_back,
        "leaf_hash": recall.ledger_leaf_hash,
    }


@router.post("", response={201: RecallOut, **ERRORS}, summary="Recall a lot, or listed serials of it")
def recall_create(request: HttpRequest, payload: RecallIn) -> Any:
    actor = actor_of(request)
    recall = services.recall_issue(actor=actor, gtin=payload.gtin, lot=payload.lot, scope=payload.scope,
                                   serials=payload.serials, reason=payload.reason)
    return Status(201, _out(selectors.recall_get(actor=actor, recall_id=recall.pk)))


@router.get("/{recall_id}", response={200: RecallOut, **ERRORS}, summary="A recall and how far it reached")
def recall_read(request: HttpRequest, recall_id: int) -> Any:
    return _out(selectors.recall_get(actor=actor_of(request), recall_id=recall_id))
