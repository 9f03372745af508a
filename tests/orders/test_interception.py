"""Orders, cart checkouts and listings refused because of the blacklist, changing nothing but the interception
log — which survives the refusal's rollback (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.accounts.actors import Actor
from xinren.accounts.blacklist import INTERCEPTED, Intercepted
from xinren.accounts.models import Interception, Organization, User
from xinren.accounts.signin import DEVICE_COOKIE, PASSWORD, device_cookie_for, device_cookie_read
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product
from xinren.catalog.services import product_set_status
from xinren.core.models import AuditEntry
from xinren.orders.models import CartLine, Offer, Order, PaymentGroup
from xinren.orders.services import LineRequest, cart_add, cart_checkout, order_place

from ..factories import ProductFactory
from ..fixtures.accounts import browser_of
from ..governance.factories_blacklist import banned
from .cart_flows import address_saved
from .flows import ADDRESS, order_placed


def _place(consumer: User, product: Product, *, device: str = "", phone: str = "13900001111") -> Order:
    return order_place(
        consumer=consumer,
        lines=[LineRequest(product_id=product.pk, quantity=2)],
        recipient_name="王小明",
        recipient_phone=phone,
        shipping_address=ADDRESS,
        device=device,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "value", "call"),
    [
        ("phone", "13812341234", {}),  # the buyer's own phone
        ("phone", "13911112222", {"phone": "139 1111 2222"}),  # the recipient's
        ("device", "cookie:dev-12345678", {"device": "cookie:dev-12345678"}),
    ],
)
def test_an_order_hitting_the_blacklist_is_refused_neutrally_and_changes_nothing(
    operator: Actor, consumer: User, product_on_sale: Product, kind: str, value: str, call: dict[str, str]
) -> None:
    # given
    entry = banned(operator, kind, value)
    stock = Offer.objects.get(product=product_on_sale).stock
    audits = AuditEntry.objects.count()
    # when
    with pytest.raises(Intercepted) as refused:
        _place(consumer, product_on_sale, **call)
    # then the message says nothing of the list, and nothing of the order was written
    assert refused.value.code == INTERCEPTED == "governance.intercepted"
    assert str(refused.value.message) == "该操作暂时无法完成，请联系平台客服"
    assert Order.objects.count() == 0
    assert Offer.objects.get(product=product_on_sale).stock == stock
    assert AuditEntry.objects.count() == audits
    # but the interception is on record, once, naming the merchant and not the buyer
    row = Interception.objects.get()
    assert (row.stage, row.entry_id, row.kind) == ("order", entry.pk, kind)
    assert row.subject == f"merchant:{product_on_sale.merchant_id}"


@pytest.mark.django_db
def test_a_listed_merchant_cannot_sell(operator: Actor, consumer: User, product_on_sale: Product) -> None:
    assert product_on_sale.merchant.uscc
    banned(operator, "uscc", product_on_sale.merchant.uscc)
    with pytest.raises(Intercepted):
        order_placed(consumer, product_on_sale)
    assert Order.objects.count() == 0
    assert Interception.objects.get().kind == "uscc"


@pytest.mark.django_db
def test_a_clean_order_goes_through_and_logs_nothing(operator: Actor, consumer: User, product_on_sale: Product) -> None:
    banned(operator, "phone", "13800000001")
    order = _place(consumer, product_on_sale, device="cookie:clean-device")
    assert order.status == "pending_payment"
    assert Interception.objects.count() == 0


@pytest.mark.django_db
def test_switched_off_interception_lets_the_order_through(
    operator: Actor,
    consumer: User,
    product_on_sale: Product,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    banned(operator, "phone", "13812341234")
    settings.XINREN_INTERCEPTION = False
    assert _place(consumer, product_on_sale).pk
    assert Interception.objects.count() == 0


@pytest.mark.django_db
def test_a_cart_checkout_with_a_listed_merchant_is_refused_whole(
    operator: Actor, consumer: User, product_on_sale: Product, other_product_on_sale: Product
) -> None:
    # given a cart of two merchants' products, the second merchant listed
    address = address_saved(consumer)
    cart_add(consumer=consumer, product_id=product_on_sale.pk, quantity=1)
    cart_add(consumer=consumer, product_id=other_product_on_sale.pk, quantity=1)
    other = other_product_on_sale.merchant
    assert other.uscc
    banned(operator, "uscc", other.uscc)
    # when
    with pytest.raises(Intercepted):
        cart_checkout(consumer=consumer, address_id=address.pk, client_token="t1", device="cookie:abcdefgh")
    # then no order, no payment, the cart kept; one interception
    assert (Order.objects.count(), PaymentGroup.objects.count(), CartLine.objects.count()) == (0, 0, 2)
    row = Interception.objects.get()
    assert row.kind == "uscc"
    assert str(other.pk) in row.subject


@pytest.mark.django_db
def test_publishing_a_listing_of_a_listed_merchant_is_refused(
    operator: Actor, merchant: Organization, merchant_actor: Actor
) -> None:
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    assert merchant.uscc
    banned(operator, "uscc", merchant.uscc)
    with pytest.raises(Intercepted):
        product_set_status(actor=merchant_actor, product_id=draft.pk, status=ProductStatus.ACTIVE)
    assert Product.objects.get(pk=draft.pk).status == ProductStatus.DRAFT
    row = Interception.objects.get()
    assert (row.stage, row.subject) == ("listing", draft.gtin)


@pytest.mark.django_db
def test_delisting_is_never_screened(operator: Actor, merchant: Organization, merchant_actor: Actor) -> None:
    product = ProductFactory(merchant=merchant, status=ProductStatus.ACTIVE)
    assert merchant.uscc
    banned(operator, "uscc", merchant.uscc)
    product_set_status(actor=merchant_actor, product_id=product.pk, status=ProductStatus.DELISTED)
    assert Interception.objects.count() == 0


# -- the log survives the rollback: no test transaction around the service, on either database -------------------


@pytest.mark.django_db(transaction=True)
def test_the_interception_log_is_committed_although_the_order_rolled_back(
    operator: Actor, consumer: User, product_on_sale: Product
) -> None:
    # given (committed rows: this test runs without a surrounding transaction)
    entry = banned(operator, "device", "cookie:dev-rollback")
    # when
    with pytest.raises(Intercepted):
        _place(consumer, product_on_sale, device="cookie:dev-rollback")
    # then, read on a fresh connection: the log is there, the order is not
    from django.db import connection

    connection.close()
    assert Order.objects.count() == 0
    assert list(Interception.objects.values_list("entry_id", "stage")) == [(entry.pk, "order")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_on_postgresql_too(require_postgres: None, operator: Actor, consumer: User, product_on_sale: Product) -> None:
    entry = banned(operator, "phone", "13812341234")
    with pytest.raises(Intercepted):
        _place(consumer, product_on_sale)
    from django.db import connection

    connection.close()
    assert Order.objects.count() == 0
    assert Offer.objects.get(product=product_on_sale).stock == 1000
    assert list(Interception.objects.values_list("entry_id", flat=True)) == [entry.pk]


# -- the web: the device is the signed device cookie's id --------------------------------------------------------


@pytest.mark.django_db
def test_the_shop_refuses_a_listed_device_with_the_neutral_message(
    operator: Actor, consumer: User, product_on_sale: Product
) -> None:
    # given a browser whose device cookie names a listed device
    cookie = device_cookie_for(scope=PASSWORD, account=consumer.username)
    known = device_cookie_read(cookie)
    assert known is not None
    banned(operator, "device", f"cookie:{known[0]}")
    browser: Client = browser_of(consumer)
    browser.cookies[DEVICE_COOKIE] = cookie
    # when
    response = browser.post(
        f"/shop/products/{product_on_sale.pk}/",
        {
            "quantity": 1,
            "recipient_name": "王小明",
            "recipient_phone": "13900001111",
            "shipping_address": ADDRESS,
            "note": "",
            "token": "t-1",
            "return_exclusion": "on",
        },
    )
    # then
    assert response.status_code == 403
    assert "该操作暂时无法完成，请联系平台客服" in response.content.decode()
    assert Order.objects.count() == 0
    assert Interception.objects.get().kind == "device"
