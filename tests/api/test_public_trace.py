"""The consumer JSON is mounted at /api/v1/trace and needs no credentials."""

from __future__ import annotations

import pytest

from xinren.catalog.choices import ProductStatus

from ..factories import ItemFactory, ProductFactory, make_gtin
from ..fixtures.api import assert_error

pytestmark = pytest.mark.django_db


def test_item_story_is_public(client, merchant):
    # given
    item = ItemFactory(batch__product=ProductFactory(merchant=merchant, status=ProductStatus.ACTIVE))
    # when
    response = client.get(f"/api/v1/trace{item.digital_link.path}")
    # then
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json(), dict)


def test_unknown_code_is_a_404_in_the_error_shape(client):
    response = client.get(f"/api/v1/trace/01/{make_gtin()}")
    assert_error(response, 404, "trace.code_not_registered")


def test_draft_product_is_not_public(client, merchant):
    product = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    # registered but not yet listed: said honestly (no counterfeit warning), and nothing of the draft shown
    body = assert_error(client.get(f"/api/v1/trace/01/{product.gtin}"), 404, "trace.code_not_published")
    assert product.name not in str(body)
