"""Money test helpers: a line paid with a chosen sandbox token, a claim brought to an operator, an insurer with a
policy the merchant subscribes to, and the state a refusal must leave as it was."""

from __future__ import annotations

from typing import Any

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import User
from xinren.aftersales.choices import Kind
from xinren.aftersales.fund import insurance, services
from xinren.aftersales.fund.choices import PolicyKind
from xinren.aftersales.models import AfterSaleDecision, AfterSaleRequest, AfterSaleTransition
from xinren.aftersales.services import aftersale_escalate, aftersale_merchant_refuse, aftersale_open
from xinren.aftersales.services.moves import payout_finish
from xinren.catalog.models import Product
from xinren.orders.models import OrderLine, Refund
from xinren.orders.payments.sandbox import Token
from xinren.orders.services import order_delivery_confirm

from ..factories import BatchFactory, ItemFactory, OrganizationFactory, actor_for
from ..orders.flows import order_paid, order_placed, order_shipped
from .fund_setup import key, state


def line_paid_with(consumer: User, product: Product, token: str = Token.SUCCESS) -> OrderLine:
    """A delivered line whose payment was made with `token` (REFUND_FAIL: every refund of it fails)."""
    batch = BatchFactory(product=product, quantity=10)
    order = order_placed(consumer, product)
    order_paid(consumer, order, token)
    order_shipped(actor_for(product.merchant, Role.STAFF), order, [ItemFactory(batch=batch)])
    order_delivery_confirm(consumer=consumer, order_number=order.number)
    return OrderLine.objects.select_related("order").get(order=order)


def claim_open(consumer: User, line: OrderLine, kind: str = Kind.DAMAGED, amount_fen: int = 12800,
               **extra: Any) -> AfterSaleRequest:
    return aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=kind,
                          reason="收到时已经发霉", amount_fen=amount_fen, **extra)


def paid_out(request: AfterSaleRequest) -> AfterSaleRequest:
    """What the batch's payout task does for an automatically approved claim: the provider asked, the claim
    settled (paid or failed)."""
    return payout_finish(request.pk)


def escalated(consumer: User, merchant_actor: Actor, line: OrderLine, kind: str = Kind.DAMAGED,
              amount_fen: int = 12800) -> AfterSaleRequest:
    """A claim the merchant refused and the consumer escalated: the operators' turn."""
    request = claim_open(consumer, line, kind=kind, amount_fen=amount_fen)
    aftersale_merchant_refuse(actor=merchant_actor, reference=request.reference, reason="商品无质量问题")
    return aftersale_escalate(consumer=consumer, reference=request.reference, reason="有照片为证")


def deposit(merchant_admin: Actor, amount_fen: int) -> None:
    services.deposit_collect(actor=merchant_admin, merchant=merchant_admin.organization, amount_fen=amount_fen,
                             idempotency_key=key("deposit"))


def insurer_with_policy(merchant_admin: Actor, *, kind: str = PolicyKind.AUTHENTIC, name: str = "信任财险",
                        funded_fen: int = 1_000_000, subscribe: bool = True) -> tuple[Actor, int]:
    """An insurer (staff actor) with a funded account and one policy the merchant subscribes to; the policy id."""
    insurer = OrganizationFactory(name=name, kind=OrganizationKind.INSURER)
    admin = actor_for(insurer, Role.ADMIN)
    if kind == PolicyKind.AUTHENTIC:
        policy = insurance.policy_publish(actor=admin, kind=kind, title="食品正品险 假一赔十", covers_food=True,
                                          price_multiple=10, minimum_fen=100_000)
    else:
        policy = insurance.policy_publish(actor=admin, kind=kind, title="品质险", fixed_fen=2_000)
    insurance.insurer_fund(actor=admin, amount_fen=funded_fen, idempotency_key=key("insurer"))
    if subscribe:
        insurance.policy_subscribe(actor=merchant_admin, policy_id=policy.pk)
    return actor_for(insurer, Role.STAFF), policy.pk


def everything() -> dict[str, Any]:
    """The fund's state and the requests' rows, for 'nothing changed'."""
    return {
        **state(),
        "requests": sorted(AfterSaleRequest.objects.values_list(
            "reference", "status", "refunded_fen", "payout_source", "compensation_source", "payout_journal_id",
            "compensation_journal_id", "payout_attempts", "recovered_at")),
        "transitions": AfterSaleTransition.objects.count(),
        "decisions": AfterSaleDecision.objects.count(),
        "refunds": sorted(Refund.objects.values_list("amount_fen", "status")),
    }
