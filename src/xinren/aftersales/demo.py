"""Demo after-sales (for the demo loader, after orders are loaded): an automatic 坏单包赔 payout on a fresh-food
line, a seven-day return sent back, signed for and refunded, and a refused request escalated and decided by an
operator — made through the services, each step at its own believable time (`clock.played_at`).

Call `demo_aftersales_load()` from the loader; it needs delivered, paid order lines and a platform organization.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from PIL import Image

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Membership, Organization
from xinren.core import clock
from xinren.orders.choices import OrderStatus
from xinren.orders.models import OrderLine

from . import services
from .choices import Kind
from .rules import BAD_ORDER
from .services.moves import payout_finish

H = dt.timedelta(hours=1)


@dataclass
class DemoAftersales:
    references: dict[str, str] = field(default_factory=dict)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (120, 90, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _actor(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    if membership is None:
        return Actor(organization=organization, role=Role.OWNER)
    return Actor(organization=organization, role=Role.OWNER, user=membership.user)


def _lines() -> list[OrderLine]:
    return list(OrderLine.objects.filter(order__status=OrderStatus.DELIVERED, aftersales__isnull=True,
                                         order__payments__captured_fen__gt=0)
                .select_related("order__merchant", "order__consumer", "product").distinct().order_by("order_id"))


def _start(line: OrderLine, now: dt.datetime) -> dt.datetime:
    """An hour after the line was delivered (`_lines` keeps lines delivered early enough for every step to be
    in the past)."""
    return (line.order.delivered_at or now - 5 * H) + H


def demo_aftersales_load(*, now: dt.datetime | None = None) -> DemoAftersales:
    """The three demo paths (see the module doc), each on its own delivered line where one fits."""
    now = now or clock.now()
    made = DemoAftersales()
    lines = [line for line in _lines() if line.order.delivered_at and line.order.delivered_at <= now - 5 * H]
    fresh = next((line for line in lines if line.product.category in BAD_ORDER.categories), None)
    if fresh is not None:
        lines.remove(fresh)
        with clock.played_at(_start(fresh, now)):
            claim = services.aftersale_open(
                consumer=fresh.order.consumer, order_number=fresh.order.number, line_id=fresh.pk, kind=Kind.DAMAGED,
                reason="收到时外箱压坏，部分已经变质，照片如图", amount_fen=min(3000, fresh.total_fen),
                media=[("damaged.jpg", _photo())])
            claim = payout_finish(claim.pk)  # what the batch's payout task does a moment later
        made.references["bad_order"] = claim.reference
    if lines:
        line = lines.pop(0)
        start, merchant = _start(line, now), _actor(line.order.merchant)
        with clock.played_at(start):
            request = services.aftersale_open(
                consumer=line.order.consumer, order_number=line.order.number, line_id=line.pk,
                kind=Kind.RETURN_REFUND, reason="七天无理由退货：买多了", amount_fen=line.total_fen)
        with clock.played_at(start + H / 2):
            services.aftersale_merchant_agree(actor=merchant, reference=request.reference)
        with clock.played_at(start + H):
            services.aftersale_return_ship(consumer=line.order.consumer, reference=request.reference,
                                           carrier="顺丰速运", tracking_number="SF7000000001")
        with clock.played_at(start + 3 * H):
            returned = services.aftersale_return_receive(actor=merchant, reference=request.reference)
        if returned.status == "received":
            with clock.played_at(start + 3.5 * H):
                services.aftersale_return_inspect(actor=merchant, reference=request.reference)
        made.references["return"] = request.reference
    platform = Organization.objects.filter(kind=OrganizationKind.PLATFORM).order_by("id").first()
    if lines and platform is not None:
        line = lines.pop(0)
        start = _start(line, now)
        with clock.played_at(start):
            request = services.aftersale_open(
                consumer=line.order.consumer, order_number=line.order.number, line_id=line.pk,
                kind=Kind.REFUND_ONLY, reason="收到的规格与页面描述不符", amount_fen=line.total_fen)
        with clock.played_at(start + H):
            services.aftersale_merchant_refuse(actor=_actor(line.order.merchant), reference=request.reference,
                                               reason="规格与描述一致，见商品详情页第三张图")
        with clock.played_at(start + 2 * H):
            services.aftersale_escalate(consumer=line.order.consumer, reference=request.reference,
                                        reason="详情页标题写 500g，实际称重 420g，有视频")
        with clock.played_at(start + 4 * H):
            services.aftersale_operator_decide(actor=_actor(platform), reference=request.reference, approve=True,
                                               amount_fen=line.total_fen // 2,
                                               reason="称重视频可信，按短缺比例退一半")
        made.references["dispute"] = request.reference
    return made

