"""The cost routes through the API: publishing against the offer's price, the refusal, and the public read that
says when a breakdown no longer matches the price."""

from __future__ import annotations

import pytest

from xinren.costs.models import CostBreakdown
from xinren.ledger.store.models import PendingEntry
from xinren.orders.models import Offer
from xinren.orders.services import offer_save

from ..fixtures.api import assert_error, call

pytestmark = pytest.mark.django_db

LINES = {"raw_material": "52.00", "processing": "9.60", "packaging": "8.40", "logistics": "26.00",
         "platform_fees": "7.70", "profit": "24.30"}
LINES_68 = {"raw_material": "30.00", "processing": "8.50", "packaging": "4.50", "logistics": "10.00",
            "platform_fees": "3.00", "profit": "12.00"}


def test_publish_against_the_offer_then_read_it_as_current(client, merchant_key, product, offer):
    # when
    created = call(client, "POST", f"/products/{product.pk}/costs", key=merchant_key, body={"lines": LINES})
    read = client.get(f"/api/v1/products/{product.pk}/costs/current")
    # then
    assert created.status_code == 201, created.content
    assert (created.json()["price_fen"], created.json()["offer_id"], created.json()["price_state"]) == (
        12800, offer.pk, "current"
    )
    body = read.json()
    assert read.status_code == 200
    assert (body["version"], body["price_fen"], body["price_state"], body["current_price_fen"],
            body["lines"][0]["percent"]) == (1, 12800, "current", 12800, "40.6")


def test_lines_that_miss_the_price_are_refused_with_the_exact_reason(client, merchant_key, product, offer):
    # given ¥68.00 of lines, and the old body that named ¥68.00 as the price, for a product sold at ¥128.00
    body = {"price": "68.00", "lines": LINES_68}
    # when
    response = call(client, "POST", f"/products/{product.pk}/costs", key=merchant_key, body=body)
    # then
    error = assert_error(response, 422, "cost_breakdown.sum_mismatch")
    assert error["message"] == "各项成本合计 ¥68.00，与售价 ¥128.00 不符"
    assert (CostBreakdown.objects.count(), PendingEntry.objects.count()) == (0, 0)


def test_a_product_without_an_offer_is_refused(client, merchant_key, product):
    # when
    response = call(client, "POST", f"/products/{product.pk}/costs", key=merchant_key, body={"lines": LINES})
    # then
    assert_error(response, 422, "cost_breakdown.no_offer")
    assert not CostBreakdown.objects.exists()


def test_after_a_price_change_the_public_read_says_stale_with_both_prices(
    client, merchant_key, merchant_actor, product, offer
):
    # given a breakdown at ¥128.00, then the price goes to ¥138.00
    call(client, "POST", f"/products/{product.pk}/costs", key=merchant_key, body={"lines": LINES})
    offer_save(actor=merchant_actor, product_id=product.pk, price_fen=13800, stock=5)
    # when
    stale = client.get(f"/api/v1/products/{product.pk}/costs/current").json()
    republished = call(client, "POST", f"/products/{product.pk}/costs", key=merchant_key,
                       body={"price": "138.00", "lines": {**LINES, "profit": "34.30"}})
    fresh = client.get(f"/api/v1/products/{product.pk}/costs/current").json()
    # then
    assert (stale["price_state"], stale["price_fen"], stale["current_price_fen"], stale["current_price_yuan"]) == (
        "stale", 12800, 13800, "138.00"
    )
    assert republished.status_code == 201, republished.content
    assert (fresh["price_state"], fresh["version"], fresh["supersedes_version"], fresh["price_fen"]) == (
        "current", 2, 1, 13800
    )


def test_a_product_off_sale_shows_its_breakdown_as_not_for_sale(client, merchant_key, product, offer):
    # given
    call(client, "POST", f"/products/{product.pk}/costs", key=merchant_key, body={"lines": LINES})
    Offer.objects.filter(pk=offer.pk).update(active=False)
    # when
    body = client.get(f"/api/v1/products/{product.pk}/costs/current").json()
    # then
    assert (body["price_state"], body["current_price_fen"], body["price_fen"]) == ("not_for_sale", None, 12800)


def test_another_merchants_key_cannot_publish(client, other_key, product, offer):
    # when
    response = call(client, "POST", f"/products/{product.pk}/costs", key=other_key, body={"lines": LINES})
    # then
    assert_error(response, 404, "product.not_found")
    assert not CostBreakdown.objects.exists()
