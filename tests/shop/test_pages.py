"""The shop pages: browse, sign up and in, buy, pay on the sandbox's hosted page, cancel, confirm delivery."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from xinren.accounts.models import SandboxTextMessage, User
from xinren.accounts.signin import DEVICE_COOKIE
from xinren.orders.choices import OrderStatus, PaymentStatus
from xinren.orders.models import Offer, Order, Payment
from xinren.orders.payments.sandbox_models import SandboxCharge

from ..factories import ProductFactory, UserFactory
from ..fixtures.accounts import browser_of
from ..orders.flows import ADDRESS, checkout_opened, order_paid, order_placed, order_shipped

pytestmark = pytest.mark.django_db

BUY = {"quantity": "2", "recipient_name": "王小明", "recipient_phone": "139 0000 1111", "shipping_address": ADDRESS,
       "note": "", "token": "form-token-1"}


def test_the_shop_lists_what_is_for_sale(client: Client, merchant, product, offer):
    # given a draft product that has an offer
    draft = ProductFactory(merchant=merchant, status="draft", name="未发布的茶")
    Offer.objects.create(merchant=merchant, product=draft, price_fen=100, stock=1)
    # when
    html = client.get("/shop/").content.decode()
    # then
    assert f'href="/shop/products/{product.pk}/"' in html
    assert "¥128.00" in html and product.name in html and merchant.name in html
    assert "未发布的茶" not in html


def test_a_product_page_links_to_its_trace_page(client: Client, product, offer):
    # when
    response = client.get(f"/shop/products/{product.pk}/")
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/01/{product.gtin}"' in html
    assert f'href="/shop/signin/?next=/shop/products/{product.pk}/"' in html


def test_a_product_not_for_sale_is_404(client: Client, merchant):
    unpriced = ProductFactory(merchant=merchant)
    assert client.get(f"/shop/products/{unpriced.pk}/").status_code == 404


def _texted_code(phone: str) -> str:
    """The code in the last text the sandbox SMS provider "sent" to the phone."""
    body = SandboxTextMessage.objects.filter(phone=phone).latest("id").body
    match = re.search(r"\d{6}", body)
    assert match, body
    return match.group()


def test_signup_texts_a_code_then_signs_in_and_goes_back(client: Client):
    # when the phone is given
    response = client.post("/shop/signup/", {"phone": "138 1234 1234", "next": "/shop/orders/"})
    # then a code is texted and the second step asks for it
    assert response.status_code == 302
    assert response["Location"] == "/shop/signup/confirm/?next=%2Fshop%2Forders%2F"
    page = client.get(response["Location"]).content.decode()
    assert "验证码已发送至 138****1234" in page and "13812341234" not in page
    # when the code and a password are given
    response = client.post("/shop/signup/confirm/", {"code": _texted_code("13812341234"), "password": "shan-ye-2026",
                                                      "password_again": "shan-ye-2026", "next": "/shop/orders/"})
    # then
    assert response.status_code == 302 and response["Location"] == "/shop/orders/"
    user = User.objects.get(phone="13812341234")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert DEVICE_COOKIE in response.cookies
    html = client.get("/shop/orders/").content.decode()
    assert "138****1234" in html and "13812341234" not in html


def test_signup_errors_show_on_their_field(client: Client, db):
    response = client.post("/shop/signup/", {"phone": "12345"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"phone": ["请输入有效的中国大陆手机号（11 位，以 1 开头）"]}
    assert SandboxTextMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "000000", "password": "shan-ye-2026", "password_again": "shan-ye-2026"}, "code",
         "验证码错误或已过期"),
        ({"code": "000000", "password": "shan-ye-2026", "password_again": "shan-ye-2027"}, "password_again",
         "两次输入的密码不一致"),
    ],
)
def test_signup_confirm_errors_show_on_their_field(client: Client, db, data, field, message):
    # given
    client.post("/shop/signup/", {"phone": "13812341234"})
    # when
    response = client.post("/shop/signup/confirm/", data)
    # then
    assert response.status_code == 422
    assert response.context["form"].errors == {field: [message]}
    assert User.objects.count() == 0


def test_signup_confirm_without_a_phone_goes_back_to_step_one(client: Client, db):
    response = client.get("/shop/signup/confirm/")
    assert response.status_code == 302 and response["Location"] == "/shop/signup/"


def test_signup_refuses_an_open_redirect(client: Client, db):
    client.post("/shop/signup/", {"phone": "13812341234", "next": "https://evil.example/"})
    response = client.post("/shop/signup/confirm/", {"code": _texted_code("13812341234"), "password": "shan-ye-2026",
                                                      "password_again": "shan-ye-2026", "next": "https://evil.example/"})
    assert response["Location"] == "/shop/"


def test_signin_with_a_wrong_password(client: Client, consumer):
    response = client.post("/shop/signin/", {"phone": "13812341234", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.context["form"].non_field_errors() == ["手机号或密码不正确"]
    assert "_auth_user_id" not in client.session


def test_signin_and_out(client: Client, consumer):
    response = client.post("/shop/signin/", {"phone": "13812341234", "password": "pass-word-123", "next": "/shop/"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == consumer.pk
    client.post("/shop/signout/")
    assert "_auth_user_id" not in client.session


def test_buying_needs_a_consumer(client: Client, product, offer):
    # when an anonymous visitor, then a merchant's staff member without a phone, try to buy
    anonymous = client.post(f"/shop/products/{product.pk}/", BUY)
    staff = browser_of(UserFactory(phone=None)).post(f"/shop/products/{product.pk}/", BUY)
    # then both are sent to sign in, and nothing is ordered
    for response in (anonymous, staff):
        assert response.status_code == 302
        assert response["Location"] == f"/shop/signin/?next=/shop/products/{product.pk}/"
    assert Order.objects.count() == 0


def test_buy_now_places_the_order(shopper: Client, consumer, product, offer):
    # when
    response = shopper.post(f"/shop/products/{product.pk}/", BUY)
    # then
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shop/orders/{order.number}/"
    assert (order.consumer, order.total_fen, order.recipient_phone, order.client_token) == (
        consumer, 25600, "13900001111", "form-token-1"
    )
    assert Offer.objects.get(pk=offer.pk).stock == 3
    # and the same form submitted again makes no second order
    shopper.post(f"/shop/products/{product.pk}/", BUY)
    assert Order.objects.count() == 1


def test_buy_errors_are_shown_and_nothing_is_ordered(shopper: Client, product, offer):
    # when
    bad_phone = shopper.post(f"/shop/products/{product.pk}/", {**BUY, "recipient_phone": "021-5555"})
    too_many = shopper.post(f"/shop/products/{product.pk}/", {**BUY, "quantity": "9", "token": "t2"})
    # then
    assert bad_phone.status_code == 422
    assert bad_phone.context["form"].errors == {"recipient_phone": ["请输入有效的中国大陆手机号（11 位，以 1 开头）"]}
    assert too_many.status_code == 409
    assert too_many.context["form"].errors == {"quantity": [f"库存不足：{product.name} 仅剩 5 件"]}
    assert Order.objects.count() == 0


def test_pay_on_the_sandbox_page_and_come_back_paid(shopper: Client, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # when the consumer pays
    to_provider = shopper.post(f"/shop/orders/{order.number}/pay/")
    charge = SandboxCharge.objects.get()
    page = shopper.get(to_provider["Location"])
    back = shopper.post(to_provider["Location"], {"token": "tok_success"})
    detail = shopper.get(back["Location"], follow=True)
    # then
    assert to_provider["Location"] == f"/shop/sandbox/pay/{charge.ref}/"
    assert page.status_code == 200 and "¥128.00" in page.content.decode() and "tok_decline" in page.content.decode()
    assert back["Location"] == f"/shop/orders/{order.number}/return/"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
    assert "支付成功，商家发货后可在这里查看每一件单品的溯源信息" in detail.content.decode()


def test_a_declined_payment_says_why_and_offers_to_pay_again(shopper: Client, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    to_provider = shopper.post(f"/shop/orders/{order.number}/pay/")
    # when
    shopper.post(to_provider["Location"], {"token": "tok_decline"})
    html = shopper.get(f"/shop/orders/{order.number}/return/", follow=True).content.decode()
    # then
    assert Payment.objects.get().status == PaymentStatus.FAILED
    assert html.count("银行拒绝了这笔支付，请换一种方式再试") == 1
    assert f'action="/shop/orders/{order.number}/pay/"' in html


def test_the_sandbox_page_cancel_button_and_unknown_payments(client: Client, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    # then
    cancel = client.post(f"/shop/sandbox/pay/{payment.provider_ref}/", {"cancel": "1"})
    assert cancel["Location"] == f"/shop/orders/{order.number}/"
    assert SandboxCharge.objects.get().status == "requires_authorisation"
    assert client.get("/shop/sandbox/pay/sbx_pay_unknown/").status_code == 404
    bad = client.post(f"/shop/sandbox/pay/{payment.provider_ref}/", {"token": "tok_nonsense"})
    assert bad.status_code == 422 and "payment_token_invalid" in bad.content.decode()


def test_the_sandbox_page_never_redirects_off_site(client: Client, consumer, product, offer):
    order = order_placed(consumer, product)
    payment = checkout_opened(consumer, order)
    SandboxCharge.objects.filter(ref=payment.provider_ref).update(return_url="//evil.example/x")
    response = client.post(f"/shop/sandbox/pay/{payment.provider_ref}/", {"token": "tok_success"})
    assert response["Location"] == "/shop/"


def test_order_pages_are_the_buyers_only(client: Client, consumer, other_consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    # then
    assert browser_of(other_consumer).get(f"/shop/orders/{order.number}/").status_code == 404
    assert browser_of(other_consumer).post(f"/shop/orders/{order.number}/cancel/").status_code == 404
    assert client.get(f"/shop/orders/{order.number}/")["Location"] == (
        f"/shop/signin/?next=/shop/orders/{order.number}/"
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


def test_order_detail_masks_phones(shopper: Client, consumer, product, offer):
    order = order_placed(consumer, product)
    html = shopper.get(f"/shop/orders/{order.number}/").content.decode()
    assert "139****1111" in html and "138****1234" in html
    assert "13900001111" not in html and "13812341234" not in html


def test_cancel_a_paid_order(shopper: Client, consumer, product, offer):
    # given
    order = order_placed(consumer, product)
    order_paid(consumer, order)
    # when
    response = shopper.post(f"/shop/orders/{order.number}/cancel/", {"reason": "地址写错了"}, follow=True)
    # then
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "地址写错了")
    assert Payment.objects.get().status == PaymentStatus.REFUNDED
    assert "订单已取消，货款将原路退回" in response.content.decode()


def test_shipped_items_link_to_their_scan_pages_and_delivery_is_confirmed(
    shopper: Client, merchant_actor, consumer, product, offer, items
):
    # given
    order = order_placed(consumer, product, 2)
    order_paid(consumer, order)
    order_shipped(merchant_actor, order, items[:2])
    # when
    html = shopper.get(f"/shop/orders/{order.number}/").content.decode()
    response = shopper.post(f"/shop/orders/{order.number}/confirm/", follow=True)
    # then
    for item in items[:2]:
        assert f'href="{item.digital_link.path}"' in html
    assert f'href="{items[2].digital_link.path}"' not in html
    assert len(re.findall(r"查看溯源 ›", html)) == 2
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    assert "已确认收货" in response.content.decode()
    assert shopper.post(f"/shop/orders/{order.number}/confirm/", follow=True).status_code == 200
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


def test_the_shop_url_of_the_sandbox_matches_the_provider():
    from django.urls import reverse

    from xinren.orders.payments.sandbox import CHECKOUT_PATH

    assert reverse("shop:sandbox_checkout", kwargs={"ref": "sbx_pay_x"}) == CHECKOUT_PATH.format(ref="sbx_pay_x")
