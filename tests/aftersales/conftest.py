"""After-sales tests: delivered lines bought through the real order services (so refunds reach the sandbox)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from xinren.accounts.models import User
from xinren.catalog.models import Product
from xinren.orders.models import OrderLine

from ..fixtures.reviews import line_through_flow


@pytest.fixture(autouse=True)
def _room_to_order(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_ORDERS_PER_HOUR = 1000


def picture(colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def line(platform, consumer: User, product_on_sale: Product) -> OrderLine:  # type: ignore[no-untyped-def]
    """The consumer's delivered line: one box of wild mushrooms (¥128.00, fresh food), paid in the sandbox."""
    return line_through_flow(consumer, product_on_sale)
