"""API routes of cost transparency: a merchant publishes a breakdown; anyone reads the current one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.core.schemas import ERRORS, ErrorOut

from . import selectors, services

router = Router(tags=["costs"])

_YUAN = Field(pattern=r"^[0-9]+(\.[0-9]{1,2})?$", examples=["12.30"])


class CostLinesIn(Schema):
    raw_material: str = _YUAN
    processing: str = _YUAN
    packaging: str = _YUAN
    logistics: str = _YUAN
    platform_fees: str = _YUAN
    profit: str = _YUAN


class CostBreakdownIn(Schema):
    price: str = Field(pattern=r"^[0-9]+(\.[0-9]{1,2})?$", examples=["68.00"], description="Yuan, as a string")
    lines: CostLinesIn


class CostLineOut(Schema):
    line: str
    label: str
    fen: int
    yuan: str
    percent: str


class CostBreakdownOut(Schema):
    product_id: int
    version: int
    price_fen: int
    price_yuan: str
    lines: list[CostLineOut]
    published_at: str
    leaf_hash: str


@router.post(
    "/products/{product_id}/costs",
    response={201: CostBreakdownOut, **ERRORS},
    summary="Publish a new version of a product's cost breakdown",
)
def cost_breakdown_publish(request: HttpRequest, product_id: int, payload: CostBreakdownIn) -> Any:
    breakdown = services.cost_breakdown_publish(
        actor=actor_of(request), product_id=product_id, price=payload.price, lines=payload.lines.dict()
    )
    return Status(201, selectors.cost_breakdown_as_dict(breakdown=breakdown))


@router.get(
    "/products/{product_id}/costs/current",
    response={200: CostBreakdownOut, 404: ErrorOut},
    auth=None,
    summary="The current cost breakdown of a published product (public)",
)
def cost_breakdown_current(request: HttpRequest, product_id: int) -> Any:
    return selectors.cost_breakdown_public(product_id=product_id)
