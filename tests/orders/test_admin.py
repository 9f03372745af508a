"""Operators can look at orders, payments and shipments in the admin, but not change them there."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.orders.models import Offer, Order, Payment, PaymentWebhookEvent, Refund, Shipment

from ..factories import UserFactory
from .flows import order_paid, order_placed, order_shipped

pytestmark = pytest.mark.django_db


def test_admin_pages_are_read_only_and_mask_the_recipients_phone(merchant_admin, consumer, product, offer, items):
    # given an order that was paid and shipped
    order = order_placed(consumer, product, 2)
    order_paid(consumer, order)
    order_shipped(merchant_admin, order, items[:2])
    operator = UserFactory(is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(operator)
    # then every list and change page opens, none offers to add, and the full phone is never shown
    for model, obj in ((Offer, offer), (Order, order), (Payment, Payment.objects.get()),
                       (Shipment, Shipment.objects.get())):
        base = f"/admin/orders/{model._meta.model_name}/"
        listing = browser.get(base)
        change = browser.get(f"{base}{obj.pk}/change/")
        assert (listing.status_code, change.status_code) == (200, 200)
        assert browser.get(f"{base}add/").status_code == 403
        assert "13900001111" not in listing.content.decode() + change.content.decode()
    for model in (Refund, PaymentWebhookEvent):
        assert browser.get(f"/admin/orders/{model._meta.model_name}/").status_code == 200
