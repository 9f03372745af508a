"""Delisting API: a merchant's own delistings (a platform member's: anyone's), and an appeal against one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.core.schemas import ERRORS

from . import selectors, services

router = Router(tags=["trust"])


class DelistingOut(Schema):
    id: int
    gtin: str = Field(alias="product.gtin")
    product: str = Field(alias="product.name")
    status: str
    policy: str
    version: str
    score: Decimal
    sd: float
    upper: Decimal
    bar: Decimal
    components: dict[str, str | None]
    leaf_hash: str
    created_at: datetime
    relisted_at: datetime | None


class AppealIn(Schema):
    reason: str = Field(max_length=1000)
    evidence_note: str = Field("", max_length=500)


class AppealOut(Schema):
    id: int
    delisting: int = Field(alias="delisting_id")
    status: str
    leaf_hash: str
    created_at: datetime


@router.get("/trust/delistings", response={200: list[DelistingOut], **ERRORS}, summary="Your products' delistings")
def delisting_list(request: HttpRequest, merchant: int | None = None) -> Any:
    """Newest first. `merchant` narrows a platform member's view to one merchant; a merchant sees only its own."""
    found = selectors.delistings_for(actor=actor_of(request))
    if merchant is not None:
        found = found.filter(product__merchant_id=merchant)
    return list(found[:500])


@router.post(
    "/trust/delistings/{delisting_id}/appeals",
    response={201: AppealOut, **ERRORS},
    summary="Appeal a delisting (one open appeal at a time)",
)
def delisting_appeal(request: HttpRequest, delisting_id: int, payload: AppealIn) -> Any:
    return Status(
        201,
        services.appeal_submit(
            actor=actor_of(request),
            delisting_id=delisting_id,
            reason=payload.reason,
            evidence_note=payload.evidence_note,
        ),
    )
