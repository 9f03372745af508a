"""API routes of cost transparency: a merchant publishes a breakdown against its product's price; anyone reads the
current one with how it compares with the price now.

They live with the interfaces, not in costs: the price comes from orders, which costs may not import (ADR 0035).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from xinren.accounts.authentication import actor_of
from xinren.core.schemas import ERRORS, ErrorOut
from xinren.costs import selectors, services
from xinren.web.cost_prices import offer_price_for_merchant, public_price_fen

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
    price: str | None = Field(
        None, pattern=r"^[0-9]+(\.[0-9]{1,2})?$", examples=["128.00"],
        description="Yuan, as a string: the price you expect the product to sell at. Optional; the breakdown is always "
                    "published against the offer's price, and refused (409) if this is given and differs.",
    )  # fmt: skip
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
    price_fen: int = Field(description="The price the breakdown was published against (its lines add up to it)")
    price_yuan: str
    offer_id: int | None = Field(description="The offer whose price it was published against (None before ADR 0035)")
    supersedes_version: int | None
    price_state: Literal["current", "stale", "not_for_sale"] = Field(
        description="current: price_fen is the price now; stale: the price has changed and the merchant has not yet "
                    "published a breakdown for it (与现价不符，商家尚未更新); not_for_sale: no price now"
    )
    current_price_fen: int | None
    current_price_yuan: str | None
    lines: list[CostLineOut]
    published_at: str
    leaf_hash: str


@router.post(
    "/products/{product_id}/costs",
    response={201: CostBreakdownOut, **ERRORS},
    summary="Publish a new version of a product's cost breakdown against its current price",
)
def cost_breakdown_publish(request: HttpRequest, product_id: int, payload: CostBreakdownIn) -> Any:
    actor = actor_of(request)
    offer = offer_price_for_merchant(actor=actor, product_id=product_id)
    breakdown = services.cost_breakdown_publish(
        actor=actor, product_id=product_id, offer=offer, lines=payload.lines.dict(), price=payload.price
    )
    return Status(201, selectors.cost_breakdown_as_dict(breakdown=breakdown, current_price_fen=breakdown.price_fen))


@router.get(
    "/products/{product_id}/costs/current",
    response={200: CostBreakdownOut, 404: ErrorOut},
    auth=None,
    summary="The current cost breakdown of a published product, against its price now (public)",
)
def cost_breakdown_current(request: HttpRequest, product_id: int) -> Any:
    product = selectors.cost_public_product(product_id=product_id)
    return selectors.cost_breakdown_current(product=product, current_price_fen=public_price_fen(product_id=product.pk))
