"""Care tests: a delivered line bought through the real order services (refunds reach the sandbox)."""

from __future__ import annotations

import pytest

from xinren.accounts.models import User
from xinren.catalog.models import Product
from xinren.orders.models import OrderLine

from ..fixtures.reviews import line_through_flow


@pytest.fixture(autouse=True)
def _room_to_order(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_ORDERS_PER_HOUR = 1000


@pytest.fixture
def line(platform, consumer: User, product_on_sale: Product) -> OrderLine:  # type: ignore[no-untyped-def]
    """The consumer's delivered line: one box of wild mushrooms (¥128.00), paid in the sandbox."""
    return line_through_flow(consumer, product_on_sale)
