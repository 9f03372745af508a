"""Demo money (for the demo loader, after `aftersales.demo`): who pays a claim.

- The platform funds the advance-compensation fund; 山野菌菇 pays a ¥100 deposit.
- A bad-order claim the merchant refused is escalated and upheld by an operator: the fund pays first (平台先行赔付)
  and recovers from the merchant — ¥100 from its deposit, the rest from its settlements.
- A demo insurer publishes a food 正品险 policy that 鲜花饼坊 subscribes to; a 假一赔N claim on a box of flower cakes
  is confirmed by an operator: the price back by refund, and the insurer pays the compensation (the policy's ¥1,000
  minimum, the Food Safety Law's floor) with its own signature.

Each on its own order, bought, delivered and claimed at believable times (`clock.played_at`), through the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.consumers import consumer_signup
from xinren.accounts.models import Membership, Organization, User
from xinren.accounts.services import organization_create
from xinren.accounts.uscc import uscc_check_char
from xinren.catalog.models import Item, Product
from xinren.core import clock
from xinren.orders.demo import DEMO_CONSUMER_PASSWORD
from xinren.orders.models import Order, OrderLine, ShipmentItem
from xinren.orders.payments.sandbox import SandboxPaymentProvider, Token
from xinren.orders.services import (
    LineRequest,
    order_delivery_confirm,
    order_place,
    order_ship,
    payment_refresh,
    payment_start,
)

from . import services
from .choices import Kind
from .fund import insurance
from .fund import services as fund
from .fund.choices import PolicyKind
from .services import payers

H = dt.timedelta(hours=1)
INSURER_SLUG, INSURER_USERNAME = "xinren-insurance", "insurer"
INSURER_USCC = "91310115MA7H2Q5R3"  # without its check character
MUSHROOM_GTIN13, CAKE_GTIN13 = "6975830100012", "6975830300016"
# Two buyers of their own (the four demo consumers' orders are the orders demo's): the fund's, the insurer's.
BUYERS = ("13800000011", "13800000012")


@dataclass
class DemoMoney:
    references: dict[str, str] = field(default_factory=dict)


def _actor(organization: Organization) -> Actor:
    membership = Membership.objects.select_related("user").filter(organization=organization).order_by("id").first()
    assert membership is not None, organization
    return Actor(organization=organization, role=Role.OWNER, user=membership.user)


def _delivered_line(consumer: User, product: Product, at: dt.datetime) -> OrderLine:
    """One box bought, paid, shipped and received by the consumer, starting at `at` (delivered 3 hours later)."""
    with clock.played_at(at):
        order = order_place(consumer=consumer, lines=[LineRequest(product_id=product.pk, quantity=1)],
                            recipient_name="演示买家", recipient_phone=consumer.phone or "",
                            shipping_address="上海市浦东新区张杨路 500 号")
        payment = payment_start(consumer=consumer, order_number=order.number,
                                return_url=f"/shop/orders/{order.number}/")
        SandboxPaymentProvider().checkout_complete(provider_ref=payment.provider_ref, payment_token=Token.SUCCESS)
        payment_refresh(payment_id=payment.pk)
    item = (Item.objects.filter(product=product).exclude(pk__in=ShipmentItem.objects.values("item_id"))
            .select_related("batch", "product").order_by("-id").first())
    assert item is not None, product
    with clock.played_at(at + H):
        order_ship(actor=_actor(product.merchant), order_number=order.number, codes=[item.digital_link.path],
                   carrier="顺丰速运", tracking_number=f"SF8{order.number[-9:]}")
    with clock.played_at(at + 3 * H):
        order_delivery_confirm(consumer=consumer, order_number=order.number)
    return OrderLine.objects.select_related("order__merchant", "order__consumer").get(
        order=Order.objects.get(pk=order.pk))


def _buyer(phone: str) -> User:
    """A buyer of the money demo, who can sign in at /shop/ (the demo consumers' password)."""
    return (User.objects.filter(phone__endswith=phone).first()
            or consumer_signup(phone=phone, password=DEMO_CONSUMER_PASSWORD))


def _insurer(now: dt.datetime) -> Actor:
    user = User.objects.filter(username=INSURER_USERNAME).first() or User.objects.create_user(
        username=INSURER_USERNAME, password=DEMO_CONSUMER_PASSWORD, display_name="信任财险 理赔员 周宁")
    organization = Organization.objects.filter(slug=INSURER_SLUG).first() or organization_create(
        name="信任财产保险（演示）", kind=OrganizationKind.INSURER, uscc=INSURER_USCC + uscc_check_char(INSURER_USCC),
        slug=INSURER_SLUG,
        region="上海市浦东新区", description="为平台商家承保正品险和品质险（演示保险公司）。", owner=user)
    return Actor(organization=organization, role=Role.OWNER, user=user)


def demo_money_load(*, now: dt.datetime | None = None) -> DemoMoney:
    """The fund paying first and recovering, and an insurer paying a 假一赔N claim (see the module doc)."""
    now = now or clock.now()
    made = DemoMoney()
    platform = Organization.objects.filter(kind=OrganizationKind.PLATFORM).order_by("id").first()
    products = {product.gtin[1:]: product for product in Product.objects.select_related("merchant")}
    consumers = [_buyer(phone) for phone in BUYERS]
    if platform is None or not {MUSHROOM_GTIN13, CAKE_GTIN13} <= set(products):
        return made
    operator = _actor(platform)
    mushroom, cake = products[MUSHROOM_GTIN13], products[CAKE_GTIN13]
    # 22 hours ago: the boletus box is then delivered 18 hours ago, within its lot's 48-hour promise from the harvest
    # (06:30 two days ago, demo/loader.py) whatever the time of day the demo is loaded.
    start = now - 22 * H
    with clock.played_at(start):
        fund.fund_contribute(actor=operator, amount_fen=5_000_000, idempotency_key="demo-fund-contribution-1",
                             memo="平台首期注资（演示）")
        fund.deposit_collect(actor=_actor(mushroom.merchant), merchant=mushroom.merchant, amount_fen=10_000,
                             idempotency_key="demo-deposit-shanye-1")
        insurer = _insurer(start)
        policy = insurance.policy_publish(actor=insurer, kind=PolicyKind.AUTHENTIC, title="食品正品险 假一赔十",
                                          covers_food=True, price_multiple=10, minimum_fen=100_000)
        insurance.insurer_fund(actor=insurer, amount_fen=2_000_000, idempotency_key="demo-insurer-funding-1")
        insurance.policy_subscribe(actor=_actor(cake.merchant), policy_id=policy.pk)

    # 1. refused, escalated, upheld: the fund pays first and recovers from the merchant
    line = _delivered_line(consumers[0], mushroom, start + H)  # delivered at start + 4 h
    at = start + 5 * H
    with clock.played_at(at):
        claim = services.aftersale_open(
            consumer=consumers[0], order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
            reason="整箱牛肝菌到货时已经发黑发软，不能食用", amount_fen=line.total_fen)
    with clock.played_at(at + H):
        services.aftersale_merchant_refuse(actor=_actor(mushroom.merchant), reference=claim.reference,
                                           reason="发货时品质正常，冷链全程达标")
    with clock.played_at(at + 2 * H):
        services.aftersale_escalate(consumer=consumers[0], reference=claim.reference,
                                    reason="签收时当面开箱拍了视频，菌子已经发黑")
    with clock.played_at(at + 4 * H):
        services.aftersale_operator_decide(actor=operator, reference=claim.reference, approve=True,
                                           reason="开箱视频可信，支持买家，平台先行赔付后向商家追偿")
    with clock.played_at(at + 5 * H):
        payers.recover(request_id=claim.pk)
    made.references["fund"] = claim.reference

    # 2. 假一赔N on an insured merchant: the price back by refund, the compensation by the insurer
    line = _delivered_line(consumers[1], cake, start + 2 * H)
    at = start + 10 * H
    with clock.played_at(at):
        claim = services.aftersale_open(
            consumer=consumers[1], order_number=line.order.number, line_id=line.pk, kind=Kind.COUNTERFEIT,
            reason="包装上的生产许可证编号查不到，口味与以往购买的完全不同，怀疑是仿冒品", amount_fen=line.total_fen)
    with clock.played_at(at + 4 * H):
        payers.aftersale_counterfeit_decide(actor=operator, reference=claim.reference, confirm=True,
                                            reason="许可证编号不存在，商家无法提供进货凭证，确认售假")
    with clock.played_at(at + 7 * H):
        payers.aftersale_insurer_pay(actor=insurer, reference=claim.reference)
    made.references["insurer"] = claim.reference
    return made
