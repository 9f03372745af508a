"""Every page and message shows Asia/Shanghai time (issue 12), whatever zone the database and the server keep."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from xinren.orders.models import Order

pytestmark = pytest.mark.django_db

# 16:30 UTC on the 1st is 00:30 on the 2nd in Shanghai: a page showing UTC shows the wrong day.
UTC_EVENING = dt.datetime(2026, 5, 1, 16, 30, tzinfo=dt.UTC)


def test_settings_keep_utc_and_show_shanghai(settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_the_consumers_order_pages_show_shanghai_time(consumer, paid_order):
    # given
    Order.objects.filter(pk=paid_order.pk).update(placed_at=UTC_EVENING)
    client = Client()
    client.force_login(consumer)
    # when
    pages = [
        client.get("/shop/orders/").content.decode(),
        client.get(f"/shop/orders/{paid_order.number}/").content.decode(),
    ]
    # then
    for html in pages:
        assert "2026-05-02 00:30" in html
        assert "2026-05-01 16:30" not in html


def test_the_merchant_order_page_shows_shanghai_time(merchant, paid_order):
    from ..fixtures.api import member

    Order.objects.filter(pk=paid_order.pk).update(placed_at=UTC_EVENING)
    staff = member(merchant, "staff", username="clerk")
    client = Client()
    client.force_login(staff)
    html = client.get(f"/merchant/orders/{paid_order.number}/").content.decode()
    assert "2026-05-02 00:30" in html and "2026-05-01 16:30" not in html
