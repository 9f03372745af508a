"""Selling in the console: offers, orders, shipping with named items, cancelling, refunds, deliveries."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.catalog.models import Item, Product
from xinren.orders.choices import OrderStatus, PaymentStatus
from xinren.orders.models import Offer, Order, Payment, Refund, Shipment
from xinren.trace.models import TraceEvent

from ..factories import BatchFactory, ItemFactory, ProductFactory, legacy_grant
from ..fixtures.accounts import consumer_with_phone
from ..orders.flows import order_paid, order_placed, order_shipped
from .conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def selling(merchant) -> Product:  # type: ignore[no-untyped-def]
    product = ProductFactory(merchant=merchant, name="楚雄野生牛肝菌 500g")
    Offer.objects.create(merchant=merchant, product=product, price_fen=12800, stock=10)
    return product


@pytest.fixture
def units(selling) -> list[Item]:  # type: ignore[no-untyped-def]
    lot = BatchFactory(product=selling, lot="NH20260701", quantity=10)
    return [ItemFactory(batch=lot, serial=f"SN{n:04d}") for n in range(1, 5)]


@pytest.fixture
def paid(selling) -> Order:  # type: ignore[no-untyped-def]
    buyer = consumer_with_phone("13812341234")
    order = order_placed(buyer, selling, 2)
    order_paid(buyer, order)
    return Order.objects.get(pk=order.pk)


def test_offer_list_shows_each_product(staff: Client, selling, merchant):
    unpriced = ProductFactory(merchant=merchant, name="香格里拉松茸")
    html = staff.get("/merchant/offers/").content.decode()
    assert "¥128.00" in html and selling.name in html
    assert f'href="/merchant/offers/{unpriced.pk}/"' in html and "未定价" in html


def test_set_a_price_in_yuan(staff: Client, merchant):
    # given
    product = ProductFactory(merchant=merchant)
    # when
    response = staff.post(f"/merchant/offers/{product.pk}/", {"price": "98.50", "stock": "12", "active": "on"})
    # then
    assert response.status_code == 302 and response["Location"] == "/merchant/offers/"
    offer = Offer.objects.get(product=product)
    assert (offer.price_fen, offer.stock, offer.active) == (9850, 12, True)


@pytest.mark.parametrize(
    ("price", "message"),
    [("12.345", "金额最多两位小数"), ("0", "价格必须大于 0 且不超过 100 万元"), ("abc", "不是有效的金额")],
)
def test_bad_prices_are_shown_on_the_price_field(staff: Client, merchant, price, message):
    product = ProductFactory(merchant=merchant)
    response = staff.post(f"/merchant/offers/{product.pk}/", {"price": price, "stock": "1"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"price": [message]}
    assert Offer.objects.count() == 0


def test_viewers_cannot_set_prices_and_other_merchants_products_are_404(viewer: Client, other_actor, merchant):
    product = ProductFactory(merchant=merchant)
    assert viewer.post(f"/merchant/offers/{product.pk}/", {"price": "1", "stock": "1"}).status_code == 403
    assert signed_in(other_actor).get(f"/merchant/offers/{product.pk}/").status_code == 404
    assert Offer.objects.count() == 0


def test_orders_list_and_detail_mask_the_buyer(staff: Client, paid):
    listed = staff.get("/merchant/orders/?status=paid").content.decode()
    detail = staff.get(f"/merchant/orders/{paid.number}/").content.decode()
    assert f'href="/merchant/orders/{paid.number}/"' in listed
    assert "138****1234" in listed and "13812341234" not in listed
    assert "139****1111" in detail and "13900001111" not in detail
    assert f'href="/merchant/orders/{paid.number}/ship/"' in detail


def test_another_merchants_orders_are_invisible(other_actor, paid):
    browser = signed_in(other_actor)
    assert paid.number not in browser.get("/merchant/orders/").content.decode()
    assert browser.get(f"/merchant/orders/{paid.number}/").status_code == 404
    assert browser.post(f"/merchant/orders/{paid.number}/ship/", {}).status_code == 404
    assert browser.post(f"/merchant/orders/{paid.number}/cancel/", {"reason": "x"}).status_code == 404


def test_ship_by_ticking_items_and_scanning_one(settings, staff: Client, paid, units):
    # given
    page = staff.get(f"/merchant/orders/{paid.number}/ship/").content.decode()
    assert f'value="{units[0].digital_link.path}"' in page
    # when
    response = staff.post(f"/merchant/orders/{paid.number}/ship/", {
        "items": [units[0].digital_link.path], "scanned": units[2].digital_link.uri(settings.XINREN_RESOLVER),
        "carrier": "顺丰速运", "tracking_number": "SF1234567890", "carrier_organization": "", "shipped_at": "",
    })
    # then
    assert response.status_code == 302 and response["Location"] == f"/merchant/orders/{paid.number}/"
    shipment = Shipment.objects.get()
    assert sorted(shipment.items.values_list("item__serial", flat=True)) == ["SN0001", "SN0003"]
    assert TraceEvent.objects.get().biz_step == "shipping"
    detail = staff.get(f"/merchant/orders/{paid.number}/").content.decode()
    assert f'href="{units[0].digital_link.path}"' in detail


def test_shipping_the_wrong_count_shows_why(staff: Client, paid, units):
    response = staff.post(f"/merchant/orders/{paid.number}/ship/", {
        "items": [units[0].digital_link.path], "carrier": "顺丰速运", "tracking_number": "SF1234567890",
    })
    assert response.status_code == 422
    assert response.context["form"].errors == {"items": ["“楚雄野生牛肝菌 500g”应发 2 件，实际选择了 1 件"]}
    assert Shipment.objects.count() == 0


def test_viewers_cannot_ship(viewer: Client, paid, units):
    response = viewer.post(f"/merchant/orders/{paid.number}/ship/", {
        "items": [u.digital_link.path for u in units[:2]], "carrier": "顺丰速运", "tracking_number": "SF1234567890",
    })
    assert response.status_code == 403
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.PAID


def test_cancel_with_a_reason_refunds(staff: Client, paid, selling):
    # when a reason is missing, then given
    missing = staff.post(f"/merchant/orders/{paid.number}/cancel/", {"reason": ""})
    response = staff.post(f"/merchant/orders/{paid.number}/cancel/", {"reason": "暴雨封山"})
    # then
    assert missing.status_code == 422
    assert response.status_code == 302
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.CANCELLED
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert Offer.objects.get(product=selling).stock == 10


def test_admins_refund_in_yuan(admin: Client, paid):
    response = admin.post(f"/merchant/orders/{paid.number}/refund/", {"amount": "30", "reason": "一只破损"})
    assert response.status_code == 302
    assert list(Refund.objects.values_list("amount_fen", "status")) == [(3000, "succeeded")]
    assert Payment.objects.get().status == PaymentStatus.PARTIALLY_REFUNDED


def test_refunding_too_much_is_shown_on_the_amount(admin: Client, paid):
    response = admin.post(f"/merchant/orders/{paid.number}/refund/", {"amount": "300", "reason": "破损"})
    assert response.status_code == 409
    assert response.context["refund_form"].errors == {"amount": ["退款金额超过可退金额（256.00 元）"]}
    assert Refund.objects.count() == 0


def test_staff_cannot_refund(staff: Client, paid):
    assert staff.post(f"/merchant/orders/{paid.number}/refund/", {"amount": "1", "reason": "x"}).status_code == 403
    assert Refund.objects.count() == 0


def test_logistics_confirms_a_delivery(logistics_staff: Client, merchant_admin, logistics, paid, units):
    # given
    legacy_grant(actor=merchant_admin, partner_slug=logistics.slug)
    shipment = order_shipped(merchant_admin, paid, units[:2])
    # when
    listed = logistics_staff.get("/merchant/deliveries/").content.decode()
    response = logistics_staff.post(f"/merchant/deliveries/{shipment.pk}/confirm/")
    # then
    assert "SF1234567890" in listed
    assert response.status_code == 302
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.DELIVERED


def test_ungranted_logistics_and_merchants_cannot_confirm(logistics_staff: Client, staff: Client, merchant_actor,
                                                          paid, units):
    shipment = order_shipped(merchant_actor, paid, units[:2])
    assert "SF1234567890" not in logistics_staff.get("/merchant/deliveries/").content.decode()
    assert logistics_staff.post(f"/merchant/deliveries/{shipment.pk}/confirm/").status_code == 404
    assert staff.get("/merchant/deliveries/").status_code == 403
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.SHIPPED
