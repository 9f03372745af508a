"""The console's order search and the CSV export (BOM for Excel, masked phones, no formulas)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from xinren.orders.models import Offer

from ..factories import ProductFactory
from ..fixtures.accounts import consumer_with_phone
from ..orders.flows import order_placed
from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile_order(merchant):  # type: ignore[no-untyped-def]
    product = ProductFactory(merchant=merchant, name="=HYPERLINK(\"http://evil\")")
    Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=10)
    return order_placed(
        consumer_with_phone("13812341234"), product, 2, recipient_name="@SUM(1+1)",
        shipping_address="+上海市浦东新区 1 号",
    )


def test_the_csv_opens_in_excel_with_masked_phones_and_no_formulas(merchant_actor, hostile_order):
    response = signed_in(merchant_actor).get(reverse("merchant:order_list"), {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "订单号"
    row = rows[1]
    assert row[0] == hostile_order.number
    assert row[3] == "'=HYPERLINK(\"http://evil\")"
    assert row[9] == "'@SUM(1+1)"
    assert row[10] == "139****1111"
    assert row[11].startswith("'+上海市")
    assert "13900001111" not in body


def test_the_csv_follows_the_filters_and_the_merchant(merchant_actor, other_actor, hostile_order):
    browser = signed_in(merchant_actor)
    found = browser.get(reverse("merchant:order_list"), {"q": hostile_order.number}).content.decode()
    assert hostile_order.number in found
    empty = browser.get(reverse("merchant:order_list"), {"format": "csv", "status": "delivered"}).content.decode()
    assert hostile_order.number not in empty
    other = signed_in(other_actor).get(reverse("merchant:order_list"), {"format": "csv"}).content.decode()
    assert hostile_order.number not in other
