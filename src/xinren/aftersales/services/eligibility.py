"""What a request or claim must meet before anything is written: the line's window, the requests it already has,
the amount it can still refund, the photos. Shared by the consumer's own call (requests.py) and the batch that takes
claims in (autodecide.py), which reads the same facts for many lines at once and passes them in."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from xinren.catalog.choices import PERISHABLE_CATEGORIES
from xinren.catalog.shelf_life import local_date
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.evidence.choices import MediaKind
from xinren.orders.choices import OrderStatus
from xinren.orders.models import OrderLine
from xinren.orders.services.refunds import order_refundable_fen

from .. import errors
from ..choices import CLAIM_KINDS, OPEN_STATUSES, REQUEST_KINDS, Kind
from ..models import PER_LINE_MAX, AfterSaleRequest, RecallNotice
from ..programmes.rules import promise_value, promises_in_force

# Seven-day no-reason returns: days after the day of delivery (Asia/Shanghai dates), the law's minimum.
NO_REASON_DAYS = 7
# Guarantee claims (damaged, quality, missing, counterfeit, late): days after delivery.
CLAIM_DAYS = 15
PHOTOS_MAX = 9
VIDEOS_MAX = 1
# How long an uploaded photo waits for the request that names it.
UPLOAD_HOURS = 24
SHANGHAI = ZoneInfo("Asia/Shanghai")


def new_reference() -> str:
    """A request's public, pseudonymous reference."""
    return f"AS{secrets.token_hex(8).upper()}"


def media_limit_check(kinds: Sequence[str]) -> None:
    """At most 9 photos and 1 video on a request."""
    if list(kinds).count(MediaKind.IMAGE) > PHOTOS_MAX or list(kinds).count(MediaKind.VIDEO) > VIDEOS_MAX:
        raise InvalidInput(errors.MEDIA_LIMIT, _("最多上传 9 张照片和 1 段视频"), details={"field": "media"})


def window_closes_at(*, kind: str, delivered_at: datetime, return_days: int = NO_REASON_DAYS) -> datetime:
    """When the window for this kind closes: midnight (Beijing time) after the last day, counting from the day
    after delivery (so seven-day returns run from day 1 to day 7 after the day of delivery). A programme's
    `return_days` promise lengthens the no-reason window, never shortens it."""
    days = CLAIM_DAYS if kind in CLAIM_KINDS else max(return_days, NO_REASON_DAYS)
    last = local_date(delivered_at) + timedelta(days=days)
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def eligibility_check(*, line: OrderLine, kind: str, now: datetime, recall_id: int | None,
                      existing: Sequence[tuple[str, int]] | None = None) -> int:
    """Refuse a request the line is not open to; what after-sales refunded on the line so far otherwise.
    `existing`: the line's requests (status, refunded fen), when the caller read them already (a batch)."""
    order = line.order
    if order.status != OrderStatus.DELIVERED or order.delivered_at is None:
        raise Conflict(errors.NOT_DELIVERED, _("订单签收后才能申请售后"), details={"status": order.status})
    if recall_id is not None and not RecallNotice.objects.filter(
        recall_id=recall_id, consumer_id=order.consumer_id, recall__product_id=line.product_id
    ).exists():  # a recall lifts the window only for the buyers it reached, on the recalled product
        raise NotFound(errors.RECALL_NOT_FOUND, _("找不到该召回"), details={"field": "recall"})
    if recall_id is None:
        return_days = NO_REASON_DAYS
        if kind not in CLAIM_KINDS:  # a programme's promise may lengthen the no-reason window (not the claims')
            promises = promises_in_force(merchant_id=order.merchant_id, category=line.product.category,
                                         at=order.placed_at)  # the programmes' promises when the consumer bought
            return_days = promise_value(promises, "return_days") or NO_REASON_DAYS
        if now >= window_closes_at(kind=kind, delivered_at=order.delivered_at, return_days=return_days):
            raise Conflict(errors.WINDOW_CLOSED, _("已超过可申请售后的期限"), details={"field": "kind"})
        if (kind in REQUEST_KINDS and line.product.category in PERISHABLE_CATEGORIES
                and line.return_exclusion_confirmed_at is not None):
            raise Conflict(errors.EXCLUDED_CATEGORY,
                           _("该商品属于生鲜等不适用七天无理由退货的品类（下单时已确认），如有质量问题请申请保障理赔"),
                           details={"field": "kind"})
    if existing is None:
        existing = list(AfterSaleRequest.objects.filter(line=line).values_list("status", "refunded_fen"))
    if any(status in OPEN_STATUSES for status, _refunded in existing):
        raise Conflict(errors.OPEN_EXISTS, _("该商品已有进行中的售后申请"), details={"field": "line"})
    if len(existing) >= PER_LINE_MAX:
        raise Conflict(errors.TOO_MANY, _("每件商品最多申请 %(max)s 次售后") % {"max": PER_LINE_MAX},
                       details={"field": "line"})
    return sum(refunded for _status, refunded in existing)


def amount_check(*, line: OrderLine, kind: str, amount_fen: int, refunded_fen: int,
                 refundable_fen: int | None = None) -> None:
    """Refuse an amount beyond what the line and its order can still refund (`refundable_fen`: the order's, when
    the caller read it already)."""
    if refundable_fen is None:
        refundable_fen = order_refundable_fen(line.order)
    available = min(line.total_fen - refunded_fen, refundable_fen)
    if kind != Kind.EXCHANGE and amount_fen == 0:
        raise InvalidInput(errors.AMOUNT_INVALID, _("申请金额必须大于 0"), details={"field": "amount_fen"})
    if amount_fen > available:
        raise Conflict(errors.AMOUNT_EXCEEDS, _("申请金额超过该商品可退金额（%(yuan)s 元）") % {
            "yuan": f"{max(available, 0) / 100:.2f}"}, details={"field": "amount_fen", "available_fen": available})
