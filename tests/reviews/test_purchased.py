"""'This is the item you bought': the item page's script asks /shop/purchased for the signed-in consumer only."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.catalog.models import Item
from xinren.catalog.shelf_life import local_date
from xinren.reviews.services import review_post

from ..fixtures.accounts import browser_of
from ..fixtures.reviews import line_through_flow

pytestmark = pytest.mark.django_db


def _bought(consumer, product, *, deliver: bool = True):  # type: ignore[no-untyped-def]
    line = line_through_flow(consumer, product, deliver=deliver)
    return line, Item.objects.select_related("batch", "product").get(shipment_items__line=line)


def test_the_buyer_is_told_it_is_their_item_with_links_to_order_and_review(platform, consumer, product_on_sale):
    # given
    line, item = _bought(consumer, product_on_sale)
    # when
    response = browser_of(consumer).get("/shop/purchased", {"path": item.digital_link.path})
    # then
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.json() == {
        "bought": True, "order": line.order.number, "delivered_at": line.order.delivered_at.isoformat(),
        "order_url": f"/shop/orders/{line.order.number}/", "review_url": f"/shop/lines/{line.pk}/review/",
        "reviewed": False,
        "aftersale_url": f"/shop/orders/{line.order.number}/aftersales/new/?line={line.pk}", "aftersale_open": False,
    }


def test_once_reviewed_the_link_goes_to_the_review(platform, consumer, product_on_sale):
    # given
    line, item = _bought(consumer, product_on_sale)
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="很好")
    # when
    answer = browser_of(consumer).get("/shop/purchased", {"path": item.digital_link.path}).json()
    # then
    assert (answer["review_url"], answer["reviewed"]) == (f"/shop/reviews/{review.pk}/", True)


def test_a_shipped_item_not_yet_received_is_theirs_but_not_yet_reviewable(platform, consumer, product_on_sale):
    # given
    _line, item = _bought(consumer, product_on_sale, deliver=False)
    # when
    answer = browser_of(consumer).get("/shop/purchased", {"path": item.digital_link.path}).json()
    # then
    assert (answer["bought"], answer["delivered_at"], answer["review_url"]) == (True, None, None)


def test_another_consumer_learns_only_the_day_it_was_sold_and_received(platform, consumer, other_consumer,
                                                                        product_on_sale):
    # given
    line, item = _bought(consumer, product_on_sale)
    # when
    response = browser_of(other_consumer).get("/shop/purchased", {"path": item.digital_link.path})
    # then: the date in Beijing time, and nothing that names the order or the buyer
    assert response.status_code == 200
    assert response.json() == {"bought": False, "sold_on": local_date(line.order.delivered_at).isoformat()}
    assert line.order.number.encode() not in response.content and b"order" not in response.content
    assert "no-store" in response["Cache-Control"]


def test_without_a_session_a_delivered_item_shows_as_sold(platform, consumer, product_on_sale):
    # given: a copied code, scanned by someone who is not signed in
    line, item = _bought(consumer, product_on_sale)
    # when
    response = Client().get("/shop/purchased", {"path": item.digital_link.path})
    # then
    assert response.status_code == 200
    assert response.json() == {"bought": False, "sold_on": local_date(line.order.delivered_at).isoformat()}
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_an_item_on_its_way_is_not_yet_sold_to_anyone_else(platform, consumer, other_consumer, product_on_sale):
    # given: shipped, not yet received
    _line, item = _bought(consumer, product_on_sale, deliver=False)
    # when
    anonymous = Client().get("/shop/purchased", {"path": item.digital_link.path})
    other = browser_of(other_consumer).get("/shop/purchased", {"path": item.digital_link.path})
    # then
    assert anonymous.status_code == 204 and anonymous.content == b""
    assert other.json() == {"bought": False}


def test_an_unsold_item_tells_nothing(platform, product_on_sale, item):
    response = Client().get("/shop/purchased", {"path": item.digital_link.path})
    assert response.status_code == 204 and response.content == b""


def test_a_malformed_or_non_item_path_is_not_bought(platform, consumer, product_on_sale):
    browser = browser_of(consumer)
    assert browser.get("/shop/purchased", {"path": "/not/a/code"}).json() == {"bought": False}
    assert browser.get("/shop/purchased", {"path": f"/01/{product_on_sale.gtin}"}).json() == {"bought": False}


def test_the_item_page_carries_the_purchase_script_and_other_pages_do_not(platform, consumer, product_on_sale):
    # given
    _line, item = _bought(consumer, product_on_sale)
    # when
    item_html = Client().get(item.digital_link.path).content.decode()
    product_html = Client().get(f"/01/{product_on_sale.gtin}").content.decode()
    # then
    assert 'id="purchase" class="notice ok" hidden' in item_html
    assert "这是您购买的商品" in item_html and "/shop/purchased?path=" in item_html
    assert 'id="purchase"' not in product_html
    assert 'id="sold" class="notice warn" hidden' in item_html and "售出并签收" in item_html
    assert 'id="sold"' not in product_html
