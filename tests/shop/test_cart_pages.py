"""The cart, address book, checkout and order search pages of the shop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from xinren.orders.choices import OrderStatus
from xinren.orders.models import Address, CartLine, Order, PaymentGroup
from xinren.orders.payments.sandbox_models import SandboxCharge

from ..fixtures.accounts import browser_of
from ..orders.cart_flows import address_saved, cart_checked_out
from ..orders.flows import order_placed

pytestmark = pytest.mark.django_db


def test_add_to_cart_then_the_header_counts_it(shopper, product_on_sale):
    response = shopper.post(reverse("shop:cart_add", args=[product_on_sale.pk]), {"quantity": 2}, follow=True)
    assert "已加入购物车" in response.content.decode()
    assert CartLine.objects.get().quantity == 2
    page = shopper.get(reverse("shop:cart")).content.decode()
    assert 'class="badge-count"' in page and ">2</span>" in page
    assert product_on_sale.name in page and "¥256.00" in page


def test_buy_now_goes_to_checkout_with_that_product_only(shopper, consumer, product_on_sale, other_product_on_sale):
    shopper.post(reverse("shop:cart_add", args=[other_product_on_sale.pk]), {"quantity": 1})
    response = shopper.post(reverse("shop:cart_add", args=[product_on_sale.pk]), {"quantity": 1, "buy": "1"})
    line = CartLine.objects.get(offer__product=product_on_sale)
    assert response["Location"] == f"{reverse('shop:checkout')}?lines={line.pk}"
    page = shopper.get(response["Location"]).content.decode()
    assert product_on_sale.name in page and other_product_on_sale.name not in page


def test_a_quantity_beyond_stock_is_refused_in_chinese(shopper, product, offer):
    response = shopper.post(reverse("shop:cart_add", args=[product.pk]), {"quantity": 9}, follow=True)
    assert f"库存不足：{product.name} 仅剩 5 件" in response.content.decode()
    assert not CartLine.objects.exists()


def test_checkout_across_two_merchants_then_one_combined_payment(
    shopper, consumer, product_on_sale, other_product_on_sale
):
    # given
    address = address_saved(consumer)
    shopper.post(reverse("shop:cart_add", args=[product_on_sale.pk]), {"quantity": 1})
    shopper.post(reverse("shop:cart_add", args=[other_product_on_sale.pk]), {"quantity": 1})
    page = shopper.get(reverse("shop:checkout")).content.decode()
    assert "2 个商家分别发货，合并一次付款" in page
    assert "13900001111" in page  # the owner's own page shows the full number
    # when
    response = shopper.post(reverse("shop:checkout"), {"address": address.pk, "token": "form-1", "note": ""})
    # then
    group = PaymentGroup.objects.get()
    assert response["Location"] == reverse("shop:group_detail", args=[group.reference])
    assert Order.objects.filter(payment_group=group).count() == 2
    pay = shopper.post(reverse("shop:group_pay", args=[group.reference]))
    assert pay["Location"].startswith("/shop/sandbox/pay/")
    assert SandboxCharge.objects.get().amount_fen == 12800 + 26800


def test_a_deleted_address_at_checkout_is_refused_in_chinese(shopper, consumer, product_on_sale):
    address = address_saved(consumer)
    other = address_saved(consumer, detail="世纪大道 1 号")
    shopper.post(reverse("shop:cart_add", args=[product_on_sale.pk]), {"quantity": 1})
    Address.objects.filter(pk=address.pk).update(deleted_at=other.created_at)
    response = shopper.post(reverse("shop:checkout"), {"address": address.pk, "token": "form-1"})
    assert response.status_code == 409
    assert "该收货地址不存在或已删除，请重新选择" in response.content.decode()
    assert not Order.objects.exists()
    assert CartLine.objects.count() == 1


def test_the_address_book_shows_the_owner_the_full_number_and_others_nothing(shopper, consumer, other_consumer):
    response = shopper.post(
        reverse("shop:address_list"),
        {"recipient_name": "王小明", "recipient_phone": "13900001111", "region": "上海市 浦东新区",
         "detail": "张杨路 500 号"},
    )
    assert response.status_code == 302
    address = Address.objects.get()
    assert "13900001111" in shopper.get(reverse("shop:address_list")).content.decode()
    stranger = browser_of(other_consumer)
    assert stranger.get(reverse("shop:address_edit", args=[address.pk])).status_code == 404
    assert stranger.post(reverse("shop:address_delete", args=[address.pk])).status_code == 404
    assert Address.objects.get().deleted_at is None


def test_the_address_form_speaks_chinese_and_escapes(shopper):
    response = shopper.post(
        reverse("shop:address_list"),
        {"recipient_name": "<script>x</script>", "recipient_phone": "123", "region": "上海市", "detail": "张杨路"},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "请输入有效的中国大陆手机号" in page
    assert "<script>x</script>" not in page


def test_the_order_list_searches_and_filters(shopper, consumer, product_on_sale, other_product_on_sale):
    first = order_placed(consumer, product_on_sale)
    second = order_placed(consumer, other_product_on_sale)
    Order.objects.filter(pk=second.pk).update(
        status=OrderStatus.CANCELLED, placed_at=second.placed_at - timedelta(days=10)
    )
    url = reverse("shop:order_list")

    def numbers(**query: str) -> set[str]:
        page = shopper.get(url, query).content.decode()
        return {number for number in (first.number, second.number) if number in page}

    assert numbers() == {first.number, second.number}
    assert numbers(q="普洱") == {second.number}
    assert numbers(q=first.number) == {first.number}
    assert numbers(q=first.number[-8:]) == {first.number}
    assert numbers(status="cancelled") == {second.number}
    today = first.placed_at.date().isoformat()
    assert numbers(date_from=today) == {first.number}
    assert numbers(status="nonsense") == {first.number, second.number}


def test_the_group_page_is_the_owners_only(shopper, consumer, other_consumer, product_on_sale):
    group = cart_checked_out(consumer, (product_on_sale, 1))
    assert shopper.get(reverse("shop:group_detail", args=[group.reference])).status_code == 200
    assert browser_of(other_consumer).get(reverse("shop:group_detail", args=[group.reference])).status_code == 404
