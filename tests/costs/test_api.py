"""The cost routes, called through their router (the lead mounts it in the API)."""

from __future__ import annotations

import pytest
from ninja.testing import TestClient

from xinren.costs.api import router as cost_router

from ..factories import ProductFactory


@pytest.fixture(scope="module")
def cost_client() -> TestClient:
    return TestClient(cost_router)


def test_publish_then_read_the_current_costs(cost_client, merchant_actor):
    # given
    product = ProductFactory(merchant=merchant_actor.organization)
    body = {"price": "10.00", "lines": {"raw_material": "5.00", "processing": "1.00", "packaging": "1.00",
                                        "logistics": "1.00", "platform_fees": "0.50", "profit": "1.50"}}
    # when
    created = cost_client.post(f"/products/{product.pk}/costs", json=body, auth=merchant_actor)
    read = cost_client.get(f"/products/{product.pk}/costs/current")
    # then
    assert created.status_code == 201, created.content
    assert read.status_code == 200
    assert (read.json()["version"], read.json()["price_fen"], read.json()["lines"][0]["percent"]) == (1, 1000, "50.0")
