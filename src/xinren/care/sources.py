"""The texts customers write, read from the contexts below: a review, a diary entry, a consumer's message, an
after-sale request's reason. Each becomes a `Source` the classifier reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from xinren.aftersales.models import AfterSaleRequest
from xinren.catalog.models import Product
from xinren.orders.models import OrderLine, ShipmentItem
from xinren.reviews.models import DiaryEntry, Review
from xinren.support.choices import Side
from xinren.support.models import Message

from .choices import SourceKind

# The marker in the reason of a request opened by accepting a care offer: not the customer's words.
OFFER_REASON_MARK = "【主动关怀】"


@dataclass(frozen=True)
class Source:
    kind: str
    id: int
    customer_id: int
    merchant_id: int
    text: str
    written_at: datetime
    product: Product | None = None
    order_id: int | None = None
    line: OrderLine | None = None
    stars: int | None = None

    @property
    def category(self) -> str | None:
        return self.product.category if self.product is not None else None


def lot_of(line: OrderLine | None) -> str:
    """The lot of the first serialized item shipped for the line, when items were scanned; empty otherwise."""
    if line is None:
        return ""
    found = ShipmentItem.objects.filter(line=line).values_list("item__batch__lot", flat=True).first()
    return found or ""


def source_load(kind: str, source_id: int) -> Source | None:
    """The text and who and what it is about; None when there is nothing of the customer's to read."""
    if kind == SourceKind.REVIEW:
        review = Review.objects.select_related("product", "line").filter(pk=source_id).first()
        if review is None:
            return None
        return Source(
            kind=kind,
            id=review.pk,
            customer_id=review.consumer_id,
            merchant_id=review.merchant_id,
            text=review.text,
            written_at=review.created_at,
            product=review.product,
            order_id=review.line.order_id,
            line=review.line,
            stars=review.stars,
        )
    if kind == SourceKind.DIARY:
        entry = DiaryEntry.objects.select_related("review__product", "review__line").filter(pk=source_id).first()
        if entry is None:
            return None
        review = entry.review
        return Source(
            kind=kind,
            id=entry.pk,
            customer_id=review.consumer_id,
            merchant_id=review.merchant_id,
            text=entry.text,
            written_at=entry.created_at,
            product=review.product,
            order_id=review.line.order_id,
            line=review.line,
        )
    if kind == SourceKind.MESSAGE:
        message = (
            Message.objects.select_related("conversation__product").filter(pk=source_id, side=Side.CONSUMER).first()
        )
        if message is None:  # the merchant's own replies are not the customer's voice
            return None
        conversation = message.conversation
        line = None
        if conversation.order_id is not None:  # about the product's line, or the order's only line
            lines = OrderLine.objects.select_related("product").filter(order_id=conversation.order_id)
            if conversation.product_id is not None:
                lines = lines.filter(product_id=conversation.product_id)
            found = list(lines[:2])
            line = found[0] if len(found) == 1 else None
        return Source(
            kind=kind,
            id=message.pk,
            customer_id=conversation.consumer_id,
            merchant_id=conversation.merchant_id,
            text=message.body,
            written_at=message.created_at,
            product=line.product if line is not None else conversation.product,
            order_id=conversation.order_id,
            line=line,
        )
    if kind == SourceKind.AFTERSALE:
        request = AfterSaleRequest.objects.select_related("line__product").filter(pk=source_id).first()
        if request is None or request.reason.startswith(OFFER_REASON_MARK):
            return None
        return Source(
            kind=kind,
            id=request.pk,
            customer_id=request.consumer_id,
            merchant_id=request.merchant_id,
            text=request.reason,
            written_at=request.created_at,
            product=request.line.product,
            order_id=request.order_id,
            line=request.line,
        )
    return None
