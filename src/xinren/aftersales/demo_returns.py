"""Demo returns and evidence (for the demo loader, after `aftersales.demo`): a seven-day no-reason return with a pickup
booked, collected by the demo logistics organization, signed for by the merchant and refunded at the consumer's
level's moment; and a 坏单包赔 claim waiting for the consumer's evidence. Each on an order of its own, bought, paid,
shipped and delivered through the services at believable past times (`clock.played_at`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.consumers import consumer_signup
from xinren.accounts.models import Membership, Organization, User
from xinren.catalog.choices import PERISHABLE_CATEGORIES
from xinren.catalog.models import Item, Product
from xinren.core import clock
from xinren.orders.demo import DEMO_CONSUMER_PASSWORD
from xinren.orders.models import Offer, OrderLine, ShipmentItem
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.services import (
    LineRequest,
    order_delivery_confirm,
    order_place,
    order_ship,
    payment_refresh,
    payment_start,
)
from xinren.orders.services.addresses import address_create

from . import services
from .choices import Kind, Status
from .models import AfterSaleRequest
from .services.pickups import pickup_windows

H = dt.timedelta(hours=1)
# The demo consumer who returns and claims: a buyer of its own (the four demo consumers' orders stay the orders
# demo's), who signs in at /shop/ with the demo consumers' password.
DEMO_PHONE = "13800000013"


@dataclass
class DemoReturns:
    references: dict[str, str] = field(default_factory=dict)


def _actor(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    return Actor(organization=organization, role=Role.OWNER, user=membership.user if membership else None)


def _delivered_line(*, consumer: User, product: Product, logistics: Actor, at: dt.datetime) -> OrderLine | None:
    """An order of one, placed at `at`, paid, shipped with the logistics organization, received 10 hours later."""
    merchant = _actor(product.merchant)
    item = (Item.objects.filter(product=product).exclude(pk__in=ShipmentItem.objects.values("item_id"))
            .select_related("product", "batch").order_by("-id").first())
    if item is None:
        return None
    with clock.played_at(at):
        order = order_place(consumer=consumer, lines=[LineRequest(product_id=product.pk, quantity=1)],
                            recipient_name="刘芳", recipient_phone=consumer.phone or DEMO_PHONE,
                            shipping_address="北京市朝阳区建国路 88 号 3 单元 601")
        payment = payment_start(consumer=consumer, order_number=order.number, return_url="/shop/orders/")
        SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
        payment_refresh(payment_id=payment.pk)
    with clock.played_at(at + H):
        order_ship(actor=merchant, order_number=order.number, codes=[item.digital_link.path],
                              carrier=logistics.organization.name, tracking_number=f"DL{order.number[-10:]}",
                              carrier_organization_slug=logistics.organization.slug)
    # The buyer confirms the delivery (as in the orders demo): a carrier's report would be measured against the
    # product's delivery promise from its harvest, months ago for a tea.
    with clock.played_at(at + 10 * H):
        order_delivery_confirm(consumer=consumer, order_number=order.number)
    return OrderLine.objects.select_related("order__merchant").get(order=order)


def _product(*, logistics: Organization, perishable: bool) -> Product | None:
    offered = Offer.objects.filter(active=True, stock__gt=0, merchant__grants_given__partner=logistics,
                                   merchant__grants_given__revoked_at__isnull=True)
    products = Product.objects.filter(pk__in=offered.values("product_id")).order_by("gtin")
    products = products.filter(category__in=PERISHABLE_CATEGORIES) if perishable else products.exclude(
        category__in=PERISHABLE_CATEGORIES)
    return products.first()


def demo_returns_load(*, now: dt.datetime | None = None, consumer: User | None = None) -> DemoReturns:
    """The two demo paths (module doc); nothing when the demo logistics organization or the consumer is missing."""
    now = now or clock.now()
    made = DemoReturns()
    consumer = consumer or User.objects.filter(phone=DEMO_PHONE).first() or consumer_signup(
        phone=DEMO_PHONE, password=DEMO_CONSUMER_PASSWORD)
    logistics_org = Organization.objects.filter(kind=OrganizationKind.LOGISTICS).order_by("id").first()
    if consumer is None or logistics_org is None:
        return made
    logistics = _actor(logistics_org)
    if not consumer.addresses.filter(deleted_at__isnull=True).exists():
        address_create(consumer=consumer, recipient_name="刘芳", recipient_phone=consumer.phone or DEMO_PHONE,
                       region="北京市朝阳区", detail="建国路 88 号 3 单元 601")
    address = consumer.addresses.filter(deleted_at__isnull=True).order_by("-is_default", "id").first()
    assert address is not None
    product = _product(logistics=logistics_org, perishable=False)
    line = _delivered_line(consumer=consumer, product=product, logistics=logistics,
                           at=now - 72 * H) if product else None
    if line is not None:
        merchant, start = _actor(line.order.merchant), now - 60 * H
        with clock.played_at(start):
            request = services.aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                                              kind=Kind.RETURN_REFUND, reason="七天无理由退货：口味不合适，未拆封",
                                              amount_fen=line.total_fen)
        with clock.played_at(start + H):
            services.aftersale_merchant_agree(actor=merchant, reference=request.reference)
        with clock.played_at(start + 2 * H):
            window = pickup_windows()[0]
            pickup = services.return_pickup_book(consumer=consumer, reference=request.reference,
                                                 address_id=address.pk, window_start=window.start)
        picked_up = window.start + H / 2
        with clock.played_at(picked_up):
            services.return_pickup_collect(actor=logistics, pickup_id=pickup.pk)
        with clock.played_at(picked_up + 20 * H):
            received = services.aftersale_return_receive(actor=merchant, reference=request.reference)
        # the refund at the consumer's level's moment: its timer (normal: 2 h) or, for a new consumer, inspection
        if received.status == Status.RECEIVED and received.refund_due_at is not None:
            if received.refund_due_at <= now - H:
                services.refund_due_apply(request_id=received.pk, now=received.refund_due_at)
            else:
                with clock.played_at(picked_up + 21 * H):
                    services.aftersale_return_inspect(actor=merchant, reference=request.reference)
        made.references["pickup_return"] = request.reference
    fresh = _product(logistics=logistics_org, perishable=True)
    line = _delivered_line(consumer=consumer, product=fresh, logistics=logistics, at=now - 30 * H) if fresh else None
    if line is not None:
        start = now - 16 * H
        with clock.played_at(start):
            claim = services.aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                                            kind=Kind.DAMAGED, reason="收到时有几朵已经软烂", amount_fen=min(
                                                3000, line.total_fen))
        if claim.status == Status.WAITING_MERCHANT:
            with clock.played_at(start + 2 * H):
                services.evidence_ask(actor=_actor(line.order.merchant), reference=claim.reference,
                                      note="请拍一张开箱照片，能看到软烂的菌子和包装上的批号")
        made.references["evidence"] = AfterSaleRequest.objects.get(pk=claim.pk).reference
    return made
