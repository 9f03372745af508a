"""召回: who may recall a lot, what bad input is refused (changing nothing), and what a recall does: items held out
of stock and shipping, each buyer told once, the scan pages showing it in red with a signed statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import User
from xinren.aftersales import errors as aftersale_errors
from xinren.aftersales.models import AfterSaleRequest, Recall, RecallItem, RecallNotice
from xinren.aftersales.recalls import errors, selectors
from xinren.aftersales.recalls.choices import BuyerStage, RecallScope
from xinren.aftersales.recalls.services import recall_issue, recall_notice_respond
from xinren.aftersales.recalls.statements import RECALL_RECORD
from xinren.aftersales.recalls.tasks import recall_notify
from xinren.aftersales.services.requests import aftersale_open
from xinren.attest.proofs import envelope_statement, signed_record_proofs
from xinren.catalog.models import Batch, Item, Product
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.core.models import PageRefresh
from xinren.core.tasks import task_enqueue
from xinren.ledger.store.models import LogEntry, PendingEntry
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.notify.choices import NotificationKind
from xinren.notify.models import Notification
from xinren.orders import errors as order_errors
from xinren.orders.choices import OrderStatus
from xinren.orders.models import Offer, Order, SaleHold, ShipmentItem
from xinren.orders.stock import availability_of

from ..factories import BatchFactory, ItemFactory, actor_for
from ..fixtures.tasks import queued
from ..orders.flows import order_paid, order_placed, order_shipped
from .recall_flows import lot_of, regulator_org, sold_two

pytestmark = pytest.mark.django_db

REASON = "抽检发现二氧化硫残留超标"


def _nothing_written(before_entries: int) -> None:
    assert Recall.objects.count() == 0
    assert RecallItem.objects.count() == 0
    assert SaleHold.objects.count() == 0
    assert PendingEntry.objects.count() == before_entries
    assert queued(recall_notify) == []


# -- who may recall -----------------------------------------------------------------------------------------------


def test_the_merchant_recalls_its_lot_signed_held_and_republished(
    merchant_actor: Actor, batch: Batch, items: list[Item]
) -> None:
    # given the merchant's lot of five items
    PageRefresh.objects.all().delete()
    # when the merchant recalls it
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=f"  {REASON} ", scope=RecallScope.LOT)
    # then it is recorded, signed by the merchant, the lot is held, its pages queued and the buyers' task queued
    assert (recall.scope, recall.reason, recall.items_total, recall.items_sold, recall.buyers_total) == (
        "lot", REASON, 5, 0, 0)
    assert recall.organization == merchant_actor.organization
    assert len(recall.ledger_leaf_hash) == 64
    assert list(SaleHold.objects.values_list("batch_id", "item_id", "reference")) == [
        (batch.pk, None, f"recall:{recall.pk}")]
    assert set(PageRefresh.objects.values_list("kind", "object_id")) == {
        ("batch", batch.pk), ("page", batch.product_id)}
    assert queued(recall_notify) == [{"recall_id": recall.pk}]


def test_the_statement_verifies_and_names_no_buyer(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item]
) -> None:
    # given a lot with two items sold
    sold_two(merchant_actor=merchant_actor, consumer=consumer, product=product, items=items)
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope=RecallScope.LOT)
    # when the log integrates it
    log_integrate_all()
    # then the recall's row is verified against its logged statement
    rows = list(Recall.objects.select_related(*RECALL_RECORD.select_related)
                .prefetch_related(*RECALL_RECORD.prefetch_related))
    proof = signed_record_proofs(RECALL_RECORD, rows)[recall.pk]
    assert proof.state == "verified"
    # and the statement says what was recalled and by whom, with no buyer, order or buyer count in it
    sold = Order.objects.order_by("id")
    statement = envelope_statement(bytes(LogEntry.objects.get(statement_type="recall.issued").envelope))
    assert statement is not None
    assert {k: statement[k] for k in ("recaller", "gtin", "lot", "scope", "reason", "items")} == {
        "recaller": f"org:{merchant_actor.organization.pk}", "gtin": product.gtin, "lot": batch.lot, "scope": "lot",
        "reason": REASON, "items": 5}
    assert statement["subject"].endswith(f"/01/{product.gtin}/10/{batch.lot}")
    text = str(statement)
    assert all(order.number not in text for order in sold) and "13812341234" not in text
    assert (recall.items_sold, recall.buyers_total) == (2, 2)


def test_another_merchant_does_not_find_the_lot(
    other_actor: Actor, batch: Batch, items: list[Item]
) -> None:
    before = PendingEntry.objects.count()
    with pytest.raises(NotFound) as refused:
        recall_issue(actor=other_actor, **lot_of(batch), reason=REASON, scope=RecallScope.LOT)
    assert refused.value.code == errors.BATCH_NOT_FOUND
    _nothing_written(before)


def test_a_lab_without_the_merchants_grant_is_refused(lab_actor: Actor, batch: Batch, items: list[Item]) -> None:
    before = PendingEntry.objects.count()
    with pytest.raises(PermissionDenied) as refused:
        recall_issue(actor=lab_actor, **lot_of(batch), reason=REASON, scope=RecallScope.LOT)
    assert refused.value.code == errors.RECALL_NOT_ALLOWED
    _nothing_written(before)


def test_a_granted_lab_recalls_signed_by_the_lab(granted_lab_actor: Actor, batch: Batch, items: list[Item]) -> None:
    recall = recall_issue(actor=granted_lab_actor, **lot_of(batch), reason=REASON, scope=RecallScope.LOT)
    assert recall.organization == granted_lab_actor.organization


def test_a_regulator_recalls_any_lot(batch: Batch, items: list[Item]) -> None:
    regulator = actor_for(regulator_org(), Role.STAFF)
    recall = recall_issue(actor=regulator, **lot_of(batch), reason=REASON, scope=RecallScope.LOT)
    assert recall.organization.kind == "regulator"


def test_a_viewer_or_a_carrier_may_not_recall(
    merchant_actor: Actor, logistics_actor: Actor, batch: Batch, items: list[Item]
) -> None:
    before = PendingEntry.objects.count()
    viewer = actor_for(merchant_actor.organization, Role.VIEWER)
    for actor in (viewer, logistics_actor):
        with pytest.raises(PermissionDenied):
            recall_issue(actor=actor, **lot_of(batch), reason=REASON, scope=RecallScope.LOT)
    _nothing_written(before)


# -- bad input changes nothing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "scope", "serials", "code"),
    [
        ("", "lot", [], errors.RECALL_INVALID),
        ("   ", "lot", [], errors.RECALL_INVALID),
        (REASON, "everything", [], errors.RECALL_INVALID),
        (REASON, "serials", [], errors.RECALL_SERIALS),
        (REASON, "serials", ["SN0001", "NOPE99"], errors.RECALL_SERIALS),
        (REASON, "serials", ["OTHER1"], errors.RECALL_SERIALS),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    merchant_actor: Actor, batch: Batch, items: list[Item], reason: str, scope: str, serials: list[str], code: str
) -> None:
    # given another lot of the same product, whose serial OTHER1 is not of this lot
    ItemFactory(batch=BatchFactory(product=batch.product, lot="L2"), serial="OTHER1")
    before = PendingEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        recall_issue(actor=merchant_actor, **lot_of(batch), reason=reason, scope=scope, serials=serials)
    assert refused.value.code == code
    _nothing_written(before)


def test_a_serial_of_another_lot_is_named(merchant_actor: Actor, batch: Batch, items: list[Item]) -> None:
    ItemFactory(batch=BatchFactory(product=batch.product, lot="L2"), serial="OTHER1")
    with pytest.raises(InvalidInput) as refused:
        recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials", serials=["OTHER1"])
    assert refused.value.details["serials"] == ["OTHER1"]
    assert "L20260701" in str(refused.value.message)


def test_a_lot_already_recalled_is_refused(merchant_actor: Actor, batch: Batch, items: list[Item]) -> None:
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope=RecallScope.LOT)
    before = (PendingEntry.objects.count(), SaleHold.objects.count(), Recall.objects.count())
    for scope, serials in (("lot", []), ("serials", ["SN0003"])):
        with pytest.raises(Conflict) as refused:
            recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope=scope, serials=serials)
        assert refused.value.code == errors.RECALL_DUPLICATE
    assert (PendingEntry.objects.count(), SaleHold.objects.count(), Recall.objects.count()) == before


def test_serials_already_recalled_are_refused(merchant_actor: Actor, batch: Batch, items: list[Item]) -> None:
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials", serials=["SN0001"])
    with pytest.raises(Conflict) as refused:
        recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials",
                     serials=["SN0002", "SN0001"])
    assert refused.value.details["serials"] == ["SN0001"]
    assert Recall.objects.count() == 1


# -- stock and shipping -------------------------------------------------------------------------------------------


def test_stock_drops_to_the_unsold_items_not_recalled(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item]
) -> None:
    # given the lot's five items, two sold, and a second lot of three; the offer says 10
    sold_two(merchant_actor=merchant_actor, consumer=consumer, product=product, items=items)
    second = BatchFactory(product=product, lot="L2")
    for n in range(3):
        ItemFactory(batch=second, serial=f"L2N{n}")
    Offer.objects.filter(pk=offer.pk).update(stock=10)
    offer.refresh_from_db()
    assert availability_of(offer).sellable == 6
    # when one unsold serial of the first lot is recalled, then the whole first lot
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials", serials=["SN0005"])
    assert availability_of(offer).sellable == 5
    # (a serial already recalled cannot be recalled again; the whole lot still can)
    regulator = actor_for(regulator_org(), Role.STAFF)
    with pytest.raises(Conflict):
        recall_issue(actor=regulator, **lot_of(batch), reason=REASON, scope="serials", serials=["SN0005"])
    recall_issue(actor=regulator, **lot_of(batch), reason=REASON, scope="lot")
    # then only the second lot's three are for sale
    available = availability_of(offer)
    assert (available.sellable, available.held, available.stopped) == (3, 3, "")


def test_a_product_wholly_recalled_stops_selling_with_the_reason(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item]
) -> None:
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    available = availability_of(offer)
    assert (available.sellable, available.stopped, available.held) == (0, "held", 5)
    with pytest.raises(Conflict) as refused:
        order_placed(consumer, product, 1)
    assert refused.value.code == order_errors.OFFER_HELD


def test_shipping_a_recalled_item_is_refused_and_changes_nothing(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item]
) -> None:
    # given a paid order, and serial SN0001 recalled
    order = order_placed(consumer, product, 1)
    order_paid(consumer, order)
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials", serials=["SN0001"])
    # when the merchant ships SN0001
    with pytest.raises(Conflict) as refused:
        order_shipped(merchant_actor, order, [items[0]])
    # then it is refused with the reason, and the order is still waiting
    assert refused.value.code == order_errors.SHIPMENT_ITEM_HELD
    assert "SN0001" in str(refused.value.message) and REASON in str(refused.value.message)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert ShipmentItem.objects.count() == 0
    # and another item ships
    order_shipped(merchant_actor, order, [items[1]])


# -- buyers -------------------------------------------------------------------------------------------------------


def test_each_buyer_is_told_once(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item],
    run_tasks,  # type: ignore[no-untyped-def]
) -> None:
    # given two buyers of the lot
    sold = sold_two(merchant_actor=merchant_actor, consumer=consumer, product=product, items=items)
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    # when the tasks run
    run_tasks()
    # then each buyer has one notice and one notification linking to the after-sale form
    notices = list(RecallNotice.objects.order_by("id"))
    assert [(n.consumer_id, n.stage, n.units) for n in notices] == [
        (sold.buyer.pk, BuyerStage.RECEIVED, 1), (sold.second_buyer.pk, BuyerStage.IN_TRANSIT, 1)]
    told = Notification.objects.filter(kind=NotificationKind.RECALL).order_by("id")
    assert [n.user_id for n in told] == [sold.buyer.pk, sold.second_buyer.pk]
    line = sold.delivered.lines.get()
    assert told[0].link == (f"/shop/orders/{sold.delivered.number}/aftersales/new/"
                            f"?line={line.pk}&kind=refund_only&recall={recall.pk}")
    assert told[0].params["reason"] == REASON and "recipient" not in str(told[0].params)
    # when the fan-out runs again
    task_enqueue(recall_notify, recall_id=recall.pk)
    run_tasks()
    # then nobody is told twice
    assert RecallNotice.objects.count() == 2
    assert Notification.objects.filter(kind=NotificationKind.RECALL).count() == 2


def test_paid_buyers_left_without_items_are_told(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item],
    run_tasks,  # type: ignore[no-untyped-def]
) -> None:
    # given a paid order waiting for the only lot
    order = order_placed(consumer, product, 2)
    order_paid(consumer, order)
    # when the lot is recalled
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    run_tasks()
    # then the waiting buyer is told too
    assert recall.buyers_total == 1
    assert list(RecallNotice.objects.values_list("consumer_id", "stage", "units")) == [
        (consumer.pk, BuyerStage.NOT_SHIPPED, 2)]


def test_paid_buyers_with_other_items_left_are_not_told(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item],
) -> None:
    order = order_placed(consumer, product, 1)
    order_paid(consumer, order)
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials",
                          serials=["SN0001"])
    assert recall.buyers_total == 0


def test_reach_counts_buyers_told_and_who_responded(
    merchant_actor: Actor, consumer: User, other_consumer: User, product: Product, offer: Offer, batch: Batch,
    items: list[Item],
    run_tasks,  # type: ignore[no-untyped-def]
) -> None:
    sold = sold_two(merchant_actor=merchant_actor, consumer=consumer, product=product, items=items)
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    run_tasks()
    recall_notice_respond(consumer=sold.buyer, recall_id=recall.pk)
    recall_notice_respond(consumer=sold.buyer, recall_id=recall.pk)
    reach = selectors.recall_reach([recall])[recall.pk]
    assert (reach.buyers_total, reach.notified, reach.responded) == (2, 2, 1)
    # a buyer the recall did not reach has nothing to respond to
    with pytest.raises(NotFound):
        recall_notice_respond(consumer=other_consumer, recall_id=recall.pk)


# -- the scan pages -----------------------------------------------------------------------------------------------


def test_the_scan_pages_show_the_recall_at_the_top(
    client: Client, merchant_actor: Actor, batch: Batch, items: list[Item]
) -> None:
    recall_issue(actor=merchant_actor, **lot_of(batch), reason="<b>二氧化硫</b>超标", scope="lot")
    log_integrate_all()
    page = client.get(items[0].digital_link.path).content.decode()
    banner = page.index("此批次已召回")
    assert banner < page.index('class="card hero"')
    assert "&lt;b&gt;二氧化硫&lt;/b&gt;超标" in page
    assert "召回声明已由召回方签名并写入透明日志" in page
    assert "此批次已召回" in client.get(batch.digital_link.path).content.decode()
    assert "此批次已召回" in client.get(batch.product.digital_link.path).content.decode()


def test_a_serial_recall_shows_on_its_items_only(
    client: Client, merchant_actor: Actor, batch: Batch, items: list[Item]
) -> None:
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials", serials=["SN0002"])
    assert "此单品已召回" in client.get(items[1].digital_link.path).content.decode()
    other_page = client.get(items[0].digital_link.path).content.decode()
    assert "已召回" not in other_page
    lot_page = client.get(batch.digital_link.path).content.decode()
    assert "中有 1 件单品已召回" in lot_page and "SN0002" in lot_page


def test_a_recalled_lot_never_reads_in_date_in_green(
    client: Client, merchant_actor: Actor, batch: Batch, items: list[Item]
) -> None:
    before = client.get(items[0].digital_link.path).content.decode()
    assert "在保质期内（至" in before  # the factory's lot is in date: the green line is there before the recall
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials", serials=["SN0002"])
    recalled_item = client.get(items[1].digital_link.path).content.decode()
    assert "在保质期内（至" not in recalled_item and "即使在保质期内也请勿食用" in recalled_item
    assert "在保质期内（至" in client.get(items[0].digital_link.path).content.decode()  # its neighbour is not recalled


def test_another_organization_does_not_see_the_recall(
    merchant_actor: Actor, other_actor: Actor, operator: Actor, batch: Batch, items: list[Item]
) -> None:
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    with pytest.raises(NotFound):
        selectors.recall_get(actor=other_actor, recall_id=recall.pk)
    assert selectors.recall_get(actor=operator, recall_id=recall.pk) == recall


def test_a_signed_recall_cannot_be_edited_or_deleted(merchant_actor: Actor, batch: Batch, items: list[Item]) -> None:
    from django.db import IntegrityError, transaction

    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    for attempt in (lambda: Recall.objects.filter(pk=recall.pk).update(reason="没事了"),
                    lambda: Recall.objects.filter(pk=recall.pk).delete()):
        with pytest.raises(IntegrityError, match="signed record"), transaction.atomic():
            attempt()
    recall.refresh_from_db()
    assert recall.reason == REASON


def test_the_shop_says_the_product_is_recalled(
    client: Client, merchant_actor: Actor, product: Product, offer: Offer, batch: Batch, items: list[Item]
) -> None:
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    page = client.get(f"/shop/products/{product.pk}/").content.decode()
    assert "此商品现有批次已被召回，停止销售" in page


def test_issuing_republishes_the_lots_pages_with_the_banner_in_each_language(
    settings, merchant_actor: Actor, batch: Batch, items: list[Item]  # type: ignore[no-untyped-def]
) -> None:
    from pathlib import Path

    from django.core.management import call_command

    # given the lot's pages published before the recall
    call_command("publish_pages", "--all")
    item_dir = Path(settings.XINREN_PUBLISH_DIR) / items[0].digital_link.path.lstrip("/")
    assert "已召回" not in (item_dir / "index.html").read_text()
    # when the merchant recalls the lot and the outbox is drained
    recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    call_command("publish_pages")
    # then every published page of the lot, and the product page, carries the banner, in Chinese and in English
    assert PageRefresh.objects.count() == 0
    for link in (items[0].digital_link, items[4].digital_link, batch.digital_link, batch.product.digital_link):
        directory = Path(settings.XINREN_PUBLISH_DIR) / link.path.lstrip("/")
        assert "此批次已召回（批号 L20260701）" in (directory / "index.html").read_text(), link.path
        assert "This lot has been recalled (lot L20260701)" in (directory / "index.en.html").read_text()


# -- answering a recall with an after-sale request ---------------------------------------------------------------


def test_a_reached_buyer_answers_the_recall_with_a_request_past_the_window(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item],
    run_tasks,  # type: ignore[no-untyped-def]
) -> None:
    sold = sold_two(merchant_actor=merchant_actor, consumer=consumer, product=product, items=items)
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    run_tasks()
    line = sold.delivered.lines.get()
    with clock.played_at(clock.now() + dt.timedelta(days=60)):  # long after the seven days
        request = aftersale_open(consumer=sold.buyer, order_number=sold.delivered.number, line_id=line.pk,
                                 kind="refund_only", reason="批次召回，申请退款", amount_fen=line.total_fen,
                                 recall_id=recall.pk)
    assert request.recall_id == recall.pk
    reach = selectors.recall_reach([recall])[recall.pk]
    assert reach.responded == 1


def test_a_recall_id_the_buyer_was_not_reached_by_lifts_nothing(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item],
) -> None:
    sold = sold_two(merchant_actor=merchant_actor, consumer=consumer, product=product, items=items)
    # a recall of another lot's serials, whose notices have not been sent to this buyer
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="serials", serials=["SN0005"])
    line = sold.delivered.lines.get()
    with clock.played_at(clock.now() + dt.timedelta(days=60)), pytest.raises(NotFound) as refused:
        aftersale_open(consumer=sold.buyer, order_number=sold.delivered.number, line_id=line.pk,
                       kind="refund_only", reason="想借召回退款", amount_fen=line.total_fen, recall_id=recall.pk)
    assert refused.value.code == aftersale_errors.RECALL_NOT_FOUND
    assert not AfterSaleRequest.objects.exists()
    assert RecallNotice.objects.filter(responded_at__isnull=False).count() == 0
