"""Demo conversations (联系商家): for each demo merchant, a buyer's question about a delivered order that the merchant
answered, and for the first one a pre-sale question still waiting — made through the services, each message at its
own believable time (`clock.played_at`), so the console shows response-time figures.

Called by the demo loader after the orders and reviews are loaded.
"""

from __future__ import annotations

import datetime as dt

from xinren.accounts.actors import Actor
from xinren.accounts.models import Membership, Organization
from xinren.core import clock
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Order
from xinren.orders.selectors import shop_offer_list

from . import services
from .models import Message

H = dt.timedelta(hours=1)
THREAD = (
    (0, "consumer", "你好，请问收到后怎么保存？冰箱冷藏可以放几天？"),
    (0.5, "merchant", "您好！收到后请用厨房纸包好放冷藏，3 天内吃完最鲜。有任何问题随时联系我们。"),
    (3, "consumer", "那可以冷冻保存吗？"),
    (4.5, "merchant", "可以的，分小份密封冷冻，一个月内吃完；解冻后不要再冻。"),
)
PRE_SALE = "请问现在下单，大概几天能送到上海？"


def _owner_actor(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    assert membership is not None, organization
    return Actor(organization=organization, role=membership.role, user=membership.user)


def demo_support_load(*, now: dt.datetime | None = None) -> list[Message]:
    """The demo conversations (see the module doc); returns the messages made."""
    now = now or clock.now()
    made: list[Message] = []
    asked = False  # one pre-sale question, left waiting, for the first merchant that has another product on sale
    merchants = Organization.objects.filter(orders__status=OrderStatus.DELIVERED).distinct().order_by("slug")
    for index, merchant in enumerate(merchants):
        order = Order.objects.filter(merchant=merchant, status=OrderStatus.DELIVERED).order_by("delivered_at").first()
        if order is None or order.delivered_at is None:
            continue
        actor = _owner_actor(merchant)
        # within the last 30 days where the delivery allows (the console's figures), never in the future
        start = min(max(order.delivered_at + 2 * H, now - (40 + 30 * index) * H), now - 6 * H)
        conversation_id = 0
        for hours, side, body in THREAD:
            with clock.played_at(start + hours * H):
                if side == "merchant":
                    made.append(services.message_reply(actor=actor, conversation_id=conversation_id, body=body))
                elif conversation_id:
                    made.append(services.message_post(consumer=order.consumer, conversation_id=conversation_id,
                                                      body=body))
                else:
                    made.append(services.conversation_start(consumer=order.consumer, order_number=order.number,
                                                            body=body))
                    conversation_id = made[-1].conversation_id
        offers = shop_offer_list().filter(merchant=merchant)
        other = offers.exclude(product__order_lines__order__consumer=order.consumer).first()
        if not asked and other is not None:
            asked = True
            with clock.played_at(now - 2 * H):
                made.append(services.conversation_start(consumer=order.consumer, product_id=other.product_id,
                                                        body=PRE_SALE))
    return made
