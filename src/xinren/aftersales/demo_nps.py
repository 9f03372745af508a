"""Demo NPS (for the demo loader, after `aftersales.demo`): every closed demo request answered, plus a few more
closed requests per merchant — refunds agreed and a refusal left unescalated — each answered 0–10, so that the
operators' page has figures per merchant and per category. Answers are spread over time, so that a programme
membership starting in the middle (the programmes demo) splits a merchant's answers into before and after.

Made through the services, each step at its own believable time (`clock.played_at`), never in the future.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xinren.core import clock
from xinren.orders.choices import OrderStatus
from xinren.orders.models import OrderLine

from . import services
from .choices import Kind
from .demo import _actor
from .models import AfterSaleRequest, NpsAnswer
from .nps import closed_moment
from .services.nps import nps_answer
from .services.requests import ESCALATION_DAYS

H = dt.timedelta(hours=1)
# New closed requests per merchant (its oldest delivered lines; newer ones stay free for the other demos).
PER_MERCHANT = 3
# Scores by merchant, in the order of its answers: one shop mostly promoted, one mixed, one mostly not.
SCORES = ([10, 9, 9, 8, 10], [9, 7, 6, 10, 8], [6, 3, 8, 5, 9])
WAITING_PHONE = "13800000003"
COMMENTS = {10: "退款很快，客服态度好", 3: "拒绝理由说不清楚", 6: "处理得还行，就是等得有点久"}


@dataclass
class DemoNps:
    references: list[str] = field(default_factory=list)
    # the demo consumer's closed request whose question is still open
    waiting: str = ""


def _free_lines(now: dt.datetime) -> dict[int, list[OrderLine]]:
    """Delivered, paid lines without any request, delivered at least half a day ago, oldest first, per merchant
    (not the demo consumer's who is left the question to answer)."""
    lines = (OrderLine.objects.filter(order__status=OrderStatus.DELIVERED, aftersales__isnull=True,
                                      order__payments__captured_fen__gt=0,
                                      order__delivered_at__lte=now - 12 * H)
             .exclude(order__consumer__phone=WAITING_PHONE)
             .select_related("order__merchant", "order__consumer").distinct().order_by("order__delivered_at", "pk"))
    by_merchant: dict[int, list[OrderLine]] = {}
    for line in lines:
        chosen = by_merchant.setdefault(line.order.merchant_id, [])
        if len(chosen) < PER_MERCHANT:
            chosen.append(line)
    return by_merchant


def _close(line: OrderLine, *, refuse: bool, after: dt.timedelta = 3 * H) -> AfterSaleRequest:
    """A refund-only request on the line, agreed (refunded) or refused by the merchant an hour later."""
    start = (line.order.delivered_at or clock.now()) + after
    with clock.played_at(start):
        request = services.aftersale_open(
            consumer=line.order.consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.REFUND_ONLY,
            reason="拆开发现有两块碎了" if not refuse else "不太喜欢这个味道", amount_fen=min(2000, line.total_fen))
    merchant = _actor(line.order.merchant)
    with clock.played_at(start + after / 3):
        if refuse:
            return services.aftersale_merchant_refuse(actor=merchant, reference=request.reference,
                                                      reason="食品已拆封，不影响二次销售的情况下才可退")
        return services.aftersale_merchant_agree(actor=merchant, reference=request.reference)


def demo_nps_load(*, now: dt.datetime | None = None) -> DemoNps:
    """Close a few more requests and answer the question on every closed demo request (see the module doc)."""
    now = now or clock.now()
    made = DemoNps()
    for lines in _free_lines(now).values():
        for index, line in enumerate(lines):
            # the oldest line of each shop is refused, when its escalation window has long passed
            old = line.order.delivered_at is not None and line.order.delivered_at < now - (ESCALATION_DAYS + 3) * 24 * H
            _close(line, refuse=index == 0 and old)
    merchants: dict[int, int] = {}
    for request in (AfterSaleRequest.objects.filter(nps__isnull=True).exclude(consumer__phone=WAITING_PHONE)
                    .select_related("merchant", "consumer")
                    .prefetch_related("transitions").order_by("merchant_id", "created_at", "pk")):
        closed = closed_moment(request, now=now)
        if closed is None:
            continue
        shop = merchants.setdefault(request.merchant_id, len(merchants))
        count = NpsAnswer.objects.filter(merchant_id=request.merchant_id).count()
        scores = SCORES[shop % len(SCORES)]
        score = scores[count % len(scores)]
        with clock.played_at(min(closed + 20 * H, now - dt.timedelta(minutes=5))):
            nps_answer(consumer=request.consumer, reference=request.reference, score=score,
                       comment=COMMENTS.get(score, ""))
        made.references.append(request.reference)
    made.waiting = _waiting(now)
    return made


def _waiting(now: dt.datetime) -> str:
    """A refund for the demo consumer 陈晓燕 (13800000003), closed and left unanswered, so that signing in as her
    shows the question; only where her delivered line is free and old enough for both steps to be in the past."""
    line = (OrderLine.objects.filter(order__consumer__phone=WAITING_PHONE, order__status=OrderStatus.DELIVERED,
                                     aftersales__isnull=True, order__payments__captured_fen__gt=0,
                                     order__delivered_at__lte=now - H)
            .select_related("order__merchant", "order__consumer").order_by("-order__delivered_at").first())
    if line is None:
        return ""
    return _close(line, refuse=False, after=H / 3).reference
