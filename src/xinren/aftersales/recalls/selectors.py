"""Reads of recalls: what an organization may see, who a recall reaches, and its reach figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind
from xinren.catalog.models import Item
from xinren.core.errors import NotFound
from xinren.orders.choices import OrderStatus
from xinren.orders.holds import held_q
from xinren.orders.models import OrderLine, ShipmentItem

from ..choices import RETURN_KINDS, Status
from ..models.recalls import Recall, RecallNotice
from ..models.requests import AfterSaleRequest
from . import errors
from .choices import BuyerStage, RecallScope


def recalls_visible(*, actor: Actor) -> QuerySet[Recall]:
    """Recalls the actor's organization may see: operators (platform) all; others those they issued and those of
    their own products (a merchant sees a lab's or a regulator's recall of its lot)."""
    recalls = Recall.objects.select_related("organization", "product", "batch")
    if actor.organization.kind == OrganizationKind.PLATFORM:
        return recalls
    return recalls.filter(Q(organization=actor.organization) | Q(product__merchant=actor.organization))


def recall_get(*, actor: Actor, recall_id: int) -> Recall:
    """One recall the actor may see; another organization's recall is not found."""
    recall = recalls_visible(actor=actor).filter(pk=recall_id).first()
    if recall is None:
        raise NotFound(errors.RECALL_NOT_FOUND, _("找不到该召回"))
    return recall


def recall_item_ids(recall: Recall) -> list[int]:
    """The items a recall covers: the whole lot, or the listed serials."""
    if recall.scope == RecallScope.LOT:
        return list(Item.objects.filter(batch_id=recall.batch_id).values_list("pk", flat=True))
    return list(recall.items.values_list("item_id", flat=True))


@dataclass(frozen=True)
class Buyer:
    """A buyer a recall reaches: their first affected order line, how many units, and where those are."""

    consumer_id: int
    order_id: int
    line_id: int
    stage: str
    units: int


def _paid_waiting(*, product_id: int, recalled: set[int]) -> list[OrderLine]:
    """Lines of paid, unshipped orders of the product that the items left for sale can no longer all fill: then
    every such order is told (which of them would be short is not known until they ship)."""
    lines = list(OrderLine.objects.filter(product_id=product_id, order__status=OrderStatus.PAID)
                 .select_related("order").order_by("order_id", "id"))
    if not lines:
        return []
    free = (Item.objects.filter(product_id=product_id, shipment_items__isnull=True)
            .exclude(held_q()).exclude(pk__in=recalled).count())
    waiting = sum(line.quantity for line in lines) + sum(
        OrderLine.objects.filter(product_id=product_id, order__status=OrderStatus.PENDING_PAYMENT)
        .values_list("quantity", flat=True)
    )
    return lines if free < waiting else []


def recall_buyers(*, product_id: int, item_ids: list[int]) -> list[Buyer]:
    """Every buyer of a recalled item (shipped or delivered), and the paid buyers still waiting whose orders the
    recall leaves unfillable: one entry per buyer, naming their first affected line."""
    recalled = set(item_ids)
    units: dict[int, int] = defaultdict(int)
    first: dict[int, tuple[int, int, str]] = {}
    shipped = (
        ShipmentItem.objects.filter(item_id__in=recalled,
                                    shipment__order__status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED])
        .values_list("shipment__order__consumer_id", "shipment__order_id", "line_id", "shipment__order__status")
        .order_by("shipment__order_id", "line_id", "id")
    )
    for consumer_id, order_id, line_id, status in shipped:
        units[consumer_id] += 1
        stage = BuyerStage.RECEIVED if status == OrderStatus.DELIVERED else BuyerStage.IN_TRANSIT
        first.setdefault(consumer_id, (order_id, line_id, stage))
    for line in _paid_waiting(product_id=product_id, recalled=recalled):
        consumer_id = line.order.consumer_id
        units[consumer_id] += line.quantity
        first.setdefault(consumer_id, (line.order_id, line.pk, BuyerStage.NOT_SHIPPED))
    return [Buyer(consumer_id=c, order_id=o, line_id=ln, stage=s, units=units[c])
            for c, (o, ln, s) in sorted(first.items(), key=lambda kv: kv[1][:2])]


@dataclass(frozen=True)
class Reach:
    """How far a recall got: buyers affected when issued, reached, who responded (opened the after-sale request
    their notice offers), how many of those were refunded or compensated, and the units that came back (returns
    the merchant signed for)."""

    buyers_total: int
    notified: int
    responded: int
    refunded: int = 0
    items_back: int = 0


def recall_reach(recalls: list[Recall]) -> dict[int, Reach]:
    """Reach figures of these recalls, by recall id, in two queries."""
    counts: dict[int, tuple[int, int]] = {
        recall_id: (notified, responded)
        for recall_id, notified, responded in RecallNotice.objects.filter(recall__in=recalls)
        .values("recall_id").annotate(notified=Count("id"), responded=Count("id", filter=Q(responded_at__isnull=False)))
        .order_by().values_list("recall_id", "notified", "responded")
    }
    done = {Status.REFUNDED, Status.PAID}
    back = {Status.RECEIVED, Status.REFUNDED}
    outcomes: dict[int | None, tuple[int, int]] = {
        recall_id: (refunded, items or 0)
        for recall_id, refunded, items in AfterSaleRequest.objects.filter(recall_id__in=[r.pk for r in recalls])
        .values("recall_id").annotate(
            refunded=Count("id", filter=Q(status__in=done)),
            items=Sum("line__quantity", filter=Q(status__in=back, kind__in=RETURN_KINDS)),
        ).order_by().values_list("recall_id", "refunded", "items")
    }
    return {
        r.pk: Reach(buyers_total=r.buyers_total, notified=counts.get(r.pk, (0, 0))[0],
                    responded=counts.get(r.pk, (0, 0))[1], refunded=outcomes.get(r.pk, (0, 0))[0],
                    items_back=outcomes.get(r.pk, (0, 0))[1])
        for r in recalls
    }
