"""'This is the item you bought' on the scan page offers its buyer the way to an after-sale request: the form for
the line, or the request already open on it; nobody else learns anything more than before."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from xinren.aftersales.choices import Kind
from xinren.aftersales.services import aftersale_open
from xinren.catalog.models import Item
from xinren.core import clock

from ..fixtures.accounts import browser_of
from ..fixtures.reviews import line_through_flow


def _item(line):  # type: ignore[no-untyped-def]
    return Item.objects.select_related("batch", "product").get(shipment_items__line=line)


def _ask(client: Client, item: Item) -> dict:  # type: ignore[type-arg]
    response = client.get("/shop/purchased", {"path": item.digital_link.path})
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    return response.json() if response.status_code == 200 else {}


def test_the_buyer_is_offered_the_form_then_the_open_request(consumer, line):
    # given
    item = _item(line)
    browser = browser_of(consumer)
    # then: the form, prefilled with the line
    answer = _ask(browser, item)
    assert (answer["aftersale_url"], answer["aftersale_open"]) == (
        f"/shop/orders/{line.order.number}/aftersales/new/?line={line.pk}", False)
    assert browser.get(answer["aftersale_url"]).status_code == 200
    # when a request is open on the line
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.REFUND_ONLY, reason="碎了", amount_fen=1000)
    # then: the way to it
    answer = _ask(browser, item)
    assert (answer["aftersale_url"], answer["aftersale_open"]) == (f"/shop/aftersales/{request.reference}/", True)


def test_no_offer_before_delivery(platform, consumer, product_on_sale):
    shipped = line_through_flow(consumer, product_on_sale, deliver=False)
    answer = _ask(browser_of(consumer), _item(shipped))
    assert (answer["bought"], answer["aftersale_url"], answer["aftersale_open"]) == (True, None, False)


def test_no_offer_once_every_window_closed(consumer, line):
    with clock.played_at(clock.now() + dt.timedelta(days=17)):
        answer = _ask(browser_of(consumer), _item(line))
    assert (answer["bought"], answer["aftersale_url"]) == (True, None)


def test_nobody_else_is_offered_anything(consumer, other_consumer, line):
    item = _item(line)
    aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.REFUND_ONLY,
                   reason="碎了", amount_fen=1000)
    other = _ask(browser_of(other_consumer), item)
    assert set(other) == {"bought", "sold_on"} and other["bought"] is False
    anonymous = Client().get("/shop/purchased", {"path": item.digital_link.path})
    assert anonymous.status_code == 200 and set(anonymous.json()) == {"bought", "sold_on"}
