"""Reviews tests may order many times an hour."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _room_to_order(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_ORDERS_PER_HOUR = 1000
