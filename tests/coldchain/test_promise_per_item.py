"""Promises measured per item: from the lot's start event to each item's delivery to its buyer (ADR 0036)."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import BatchFactory, ItemFactory, ProductFactory
from tests.fixtures.api import assert_error, call
from tests.orders.flows import order_paid, order_placed, order_shipped
from xinren.accounts.actors import Actor
from xinren.catalog.grants import partner_grant
from xinren.catalog.models import Batch, Item, Product
from xinren.coldchain.models import ItemDelivery, Promise
from xinren.coldchain.selectors import item_promise_lines, promise_results_for_batch
from xinren.coldchain.services import item_deliveries_record, promise_set
from xinren.core import clock
from xinren.core.errors import InvalidInput
from xinren.core.models import AuditEntry
from xinren.ledger.store.models import PendingEntry
from xinren.orders.services import order_delivery_confirm, shipment_deliver_by_partner
from xinren.trace.services import delivery_receipt_record, event_record, place_create

pytestmark = pytest.mark.django_db


def _harvest(actor: Actor, batch: Batch, hours_ago: float) -> None:
    at = clock.now() - dt.timedelta(hours=hours_ago)
    event_record(actor=actor, event_type="ObjectEvent", biz_step="harvesting", event_time=at,
                 identifiers=[batch.digital_link.path])  # fmt: skip


@pytest.fixture
def carried(merchant_admin, logistics, logistics_actor, batch, items):  # type: ignore[no-untyped-def]
    """The merchant granted the carrier; the carrier delivers what it is named on."""
    partner_grant(actor=merchant_admin, partner=logistics.slug, product_ids=[batch.product_id],
                  ends_on=clock.now().date() + dt.timedelta(days=365))
    return logistics_actor


def _delivered_by_carrier(merchant: Actor, carrier: Actor, consumer, items: list[Item]) -> None:  # type: ignore[no-untyped-def]
    order = order_placed(consumer, items[0].product, len(items))
    order_paid(consumer, order)
    shipment = order_shipped(merchant, order, items, carrier_organization=carrier.organization.slug)
    shipment_deliver_by_partner(actor=carrier, shipment_id=shipment.pk)


def test_each_item_is_measured_to_its_own_delivery_not_to_the_hub(
    merchant_admin, carried, consumer, batch, items, offer
):  # type: ignore[no-untyped-def]
    # given: harvested 9.5 days ago, received at a hub 34 hours later, a 48-hour promise
    _harvest(merchant_admin, batch, 228)
    hub = place_create(actor=merchant_admin, name="昆明分拨中心")
    event_record(actor=merchant_admin, event_type="ObjectEvent", biz_step="receiving", place_id=hub.pk,
                 event_time=clock.now() - dt.timedelta(hours=194), identifiers=[batch.digital_link.path])  # fmt: skip
    promise_set(actor=merchant_admin, product_id=batch.product_id, hours=48, text="48小时从产地到餐桌")
    # when the carrier delivers two items to their buyer now
    _delivered_by_carrier(merchant_admin, carried, consumer, items[:2])
    # then the lot's figure is per item, to the buyer: both late
    (result,) = promise_results_for_batch(batch=batch)
    assert (result.delivered, result.kept, result.broken, result.pending, result.outcome) == (2, 0, 2, 0, "broken")
    assert result.measured_hours is not None and 227.9 <= result.measured_hours <= 228.1
    # and each item says so for itself; an item never shipped is not measured
    lines = item_promise_lines(batch=batch, item_ids=[items[0].pk, items[4].pk])
    assert [(line["state"], line["measured"]) for line in lines[items[0].pk]] == [("broken", "228")]
    assert [(line["state"], line["measured"]) for line in lines[items[4].pk]] == [("not_delivered", None)]


def test_an_item_delivered_in_time_is_kept_while_the_others_are_on_their_way(
    merchant_admin, carried, consumer, batch, items, offer
):  # type: ignore[no-untyped-def]
    # given: harvested 30 hours ago, a 48-hour promise, three items shipped in two orders
    _harvest(merchant_admin, batch, 30)
    promise_set(actor=merchant_admin, product_id=batch.product_id, hours=48, text="48小时从产地到餐桌")
    waiting = order_placed(consumer, batch.product, 1)
    order_paid(consumer, waiting)
    order_shipped(merchant_admin, waiting, items[2:3])
    # when the first two reach their buyer
    _delivered_by_carrier(merchant_admin, carried, consumer, items[:2])
    # then
    (result,) = promise_results_for_batch(batch=batch)
    assert (result.delivered, result.kept, result.broken, result.pending, result.unconfirmed, result.outcome) == (
        2, 2, 0, 1, 0, "pending"
    )
    lines = item_promise_lines(batch=batch, item_ids=[item.pk for item in items[:3]])
    assert [lines[item.pk][0]["state"] for item in items[:3]] == ["kept", "kept", "on_the_way"]
    assert lines[items[0].pk][0]["measured"] == "30"


def test_a_late_confirmation_by_the_buyer_is_unverified_for_that_item(
    merchant_admin, consumer, paid_order, batch, items
):  # type: ignore[no-untyped-def]
    # given: harvested 60 hours ago, a 48-hour promise, shipped now
    _harvest(merchant_admin, batch, 60)
    promise_set(actor=merchant_admin, product_id=batch.product_id, hours=48)
    order_shipped(merchant_admin, paid_order, items[:2])
    # when the buyer confirms now
    order_delivery_confirm(consumer=consumer, order_number=paid_order.number)
    # then: only the buyer's word, after the deadline: neither kept nor broken
    assert ItemDelivery.objects.filter(by_buyer=True).count() == 2
    lines = item_promise_lines(batch=batch, item_ids=[items[0].pk])
    assert [(line["state"], line["measured"]) for line in lines[items[0].pk]] == [("unverified", "60")]
    (result,) = promise_results_for_batch(batch=batch)
    assert (result.delivered, result.kept, result.broken, result.unconfirmed, result.outcome) == (2, 0, 0, 2, None)


def test_a_promise_with_no_start_event_is_refused_and_nothing_is_written(merchant_admin, batch) -> None:  # type: ignore[no-untyped-def]
    # given: a lot with a shipping event but no harvest, production or commissioning
    event_record(actor=merchant_admin, event_type="ObjectEvent", biz_step="shipping", event_time=clock.now(),
                 identifiers=[batch.digital_link.path])  # fmt: skip
    entries, audits = PendingEntry.objects.count(), AuditEntry.objects.count()
    # when
    with pytest.raises(InvalidInput) as refused:
        promise_set(actor=merchant_admin, product_id=batch.product_id, hours=48, text="48小时从产地到餐桌")
    # then
    assert refused.value.code == "coldchain.promise_no_start"
    assert str(refused.value.message) == (
        "时效从批次的采收（或生产、赋码）记录起算，但该商品的批次都还没有这样的记录：请先为批次记录采收、生产或赋码事件，再作出承诺"
    )
    assert refused.value.details == {"field": "hours", "lots_without_start": ["L20260701"]}
    assert (Promise.objects.count(), PendingEntry.objects.count(), AuditEntry.objects.count()) == (0, entries, audits)


def test_a_promise_is_accepted_once_a_lot_has_its_start_and_the_others_say_they_cannot_be_measured(
    merchant_admin, batch
) -> None:  # type: ignore[no-untyped-def]
    # given: one lot harvested, another not
    other = BatchFactory(product=batch.product, lot="L20260702")
    _harvest(merchant_admin, batch, 10)
    # when
    promise = promise_set(actor=merchant_admin, product_id=batch.product_id, hours=48)
    # then
    assert promise.active
    (unmeasured,) = promise_results_for_batch(batch=other)
    assert (unmeasured.started, unmeasured.outcome) == (False, None)


def test_recording_deliveries_costs_the_same_few_queries_for_one_item_or_fifty(merchant_admin, logistics) -> None:  # type: ignore[no-untyped-def]
    # given: two receipts naming 1 and 50 items of a lot
    batch = BatchFactory(product=ProductFactory(merchant=merchant_admin.organization))
    many = [ItemFactory(batch=batch) for _ in range(51)]
    receipts = [
        delivery_receipt_record(organization=logistics, merchant=merchant_admin.organization,
                                identifiers=[item.digital_link.path for item in chosen], event_time=clock.now())
        for chosen in (many[:1], many[1:])
    ]  # fmt: skip
    # when
    counts = []
    for receipt in receipts:
        with CaptureQueriesContext(connection) as queries:
            item_deliveries_record(event=receipt, by_buyer=False)
        counts.append(len(queries))
    # then (4 to record, 2 to queue the products' trust-score refresh: the promise results are a score input)
    assert counts[0] == counts[1] <= 6
    assert ItemDelivery.objects.filter(batch=batch).count() == 51


def test_the_pages_say_it_per_item_per_lot_and_per_product(
    merchant_admin, carried, consumer, product: Product, batch, items, offer
):  # type: ignore[no-untyped-def]
    # given: one item kept, harvested 30 hours ago
    _harvest(merchant_admin, batch, 30)
    promise_set(actor=merchant_admin, product_id=product.pk, hours=48, text="48小时从产地到餐桌")
    _delivered_by_carrier(merchant_admin, carried, consumer, items[:1])
    # when
    item_page = Client().get(items[0].digital_link.path + "?lang=zh-hans").content.decode()
    waiting_page = Client().get(items[1].digital_link.path + "?lang=zh-hans").content.decode()
    lot_page = Client().get(f"{batch.digital_link.path}/coldchain?lang=zh-hans").content.decode()
    product_page = Client().get(f"/01/{product.gtin}?lang=zh-hans").content.decode()
    # then
    assert "这一件的时效" in item_page and "从产地到送达实测 30 小时（承诺 48 小时）" in item_page
    assert "这一件的时效" in waiting_page and "尚未确认送达" in waiting_page
    assert "已送达 1 件：1 件在 48 小时内" in lot_page
    assert "已送达 1 件：1 件在 48 小时内" in product_page and "每件单独计时" in product_page
    assert f'<a href="{batch.digital_link.path}">批次 L20260701</a> · 3 条溯源记录' in product_page
    assert "商家还没有为此码记录溯源事件" not in product_page


def test_a_receipt_declared_erroneous_stops_counting(merchant_admin, logistics, batch, items) -> None:  # type: ignore[no-untyped-def]
    # given: harvested 30 hours ago, a 48-hour promise, two items reported delivered now
    _harvest(merchant_admin, batch, 30)
    promise_set(actor=merchant_admin, product_id=batch.product_id, hours=48)
    receipt = delivery_receipt_record(organization=logistics, merchant=merchant_admin.organization,
                                      identifiers=[item.digital_link.path for item in items[:2]],
                                      event_time=clock.now())  # fmt: skip
    item_deliveries_record(event=receipt, by_buyer=False)
    assert promise_results_for_batch(batch=batch)[0].kept == 2
    # when the carrier declares that receipt erroneous (EPCIS error declaration: same eventID, flagged)
    receipt.pk = None
    receipt.is_error_declaration = True
    receipt.save()
    # then
    (result,) = promise_results_for_batch(batch=batch)
    assert (result.delivered, result.kept, result.outcome) == (0, 0, None)


def test_the_api_and_the_console_refuse_a_promise_with_no_start_event(
    client: Client, merchant_admin, merchant_key: str, batch
) -> None:  # type: ignore[no-untyped-def]
    # when: the lot has no harvest, production or commissioning event
    response = call(client, "PUT", f"/coldchain/products/{batch.product_id}/promise", key=merchant_key,
                    body={"hours": 48, "text": "48小时从产地到餐桌"})  # fmt: skip
    client.force_login(merchant_admin.user)
    page = client.post(f"/merchant/products/{batch.product_id}/coldchain/",
                       {"hours": "48", "text": "48小时从产地到餐桌", "active": "on"})  # fmt: skip
    # then
    assert_error(response, 422, "coldchain.promise_no_start")
    assert response.json()["details"]["lots_without_start"] == ["L20260701"]
    assert page.status_code == 422 and "请先为批次记录采收、生产或赋码事件" in page.content.decode()
    assert Promise.objects.count() == 0


def test_the_migration_fills_deliveries_from_the_receipts_already_recorded(
    merchant_admin, logistics, batch, items
) -> None:  # type: ignore[no-untyped-def]
    # given: a carrier's receipt at the buyer (no place) and a hub's receiving at a place, no rows yet
    from django.apps import apps

    fill = importlib.import_module("xinren.coldchain.migrations.0003_item_promises").deliveries_fill
    receipt = delivery_receipt_record(organization=logistics, merchant=merchant_admin.organization,
                                      identifiers=[items[0].digital_link.path], event_time=clock.now())  # fmt: skip
    hub = place_create(actor=merchant_admin, name="昆明分拨中心")
    event_record(actor=merchant_admin, event_type="ObjectEvent", biz_step="receiving", place_id=hub.pk,
                 event_time=clock.now(), identifiers=[items[1].digital_link.path])  # fmt: skip
    # when
    fill(apps, None)
    # then: only the receipt's item, as the carrier's report
    assert list(ItemDelivery.objects.values_list("item_id", "delivery_event_id", "by_buyer")) == [
        (items[0].pk, receipt.pk, False)
    ]
