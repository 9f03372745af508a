"""What people see of a suspension: the scan page (served and published, re-published on suspension and on
lifting), the shop page, the merchant's product list, dashboard and qualifications page with its renewal form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse

from xinren.catalog.choices import ProductCategory
from xinren.catalog.models import ListingSuspension
from xinren.catalog.shelf_life import local_date
from xinren.governance import watch
from xinren.verification.choices import CredentialStatus
from xinren.verification.models import Credential
from xinren.web import publishing

from ..factories import ProductFactory, actor_for
from ..governance.factories_watch import TODAY, credential_make, pinned_clock, registry_has  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock", "platform")]

REASON = "商家的食品经营许可证已于 2026-12-06 到期，该商品暂停销售，待新证核验通过后恢复"


@pytest.fixture
def tea(merchant):  # type: ignore[no-untyped-def]
    return ProductFactory(merchant=merchant, category=ProductCategory.TEA, name="普洱熟茶 357g")


@pytest.fixture
def expired(merchant, tea):  # type: ignore[no-untyped-def]
    """The merchant's JY expired yesterday; the sweep has run."""
    jy = credential_make(merchant, valid_until=TODAY - dt.timedelta(days=1))
    watch.qualifications_watch(today=TODAY)
    return jy


def test_the_scan_page_says_why_without_personal_data(client, merchant, tea, expired):
    # when
    page = client.get(tea.digital_link.path).content.decode()
    # then
    assert "此商品暂停销售" in page
    assert REASON in page
    assert expired.number not in page  # the licence number is the merchant's business, not the shopper's


def test_the_scan_pages_json_carries_the_section(client, tea, expired):
    # when
    story = client.get(tea.digital_link.path, HTTP_ACCEPT="application/json").json()
    # then
    [reason] = story["sections"]["suspension"]["reasons"]
    # "since" is the day the row was written: its creation time is the database's, not the pinned clock's
    since = local_date(ListingSuspension.objects.get(product=tea).created_at).isoformat()
    assert (reason["code"], reason["until"], reason["since"]) == ("licence_expired", "2026-12-06", since)


def test_the_published_page_is_republished_on_suspension_and_on_lifting(settings, merchant, tea):
    # given: the page is published while the tea is on sale
    jy = credential_make(merchant, valid_until=TODAY - dt.timedelta(days=1))
    publishing.outbox_drain()
    publishing.product_publish(product=tea)
    index = Path(settings.XINREN_PUBLISH_DIR) / tea.digital_link.path.lstrip("/") / "index.html"
    assert REASON not in index.read_text()
    # when the sweep suspends it
    watch.qualifications_watch(today=TODAY)
    publishing.outbox_drain()
    # then
    assert REASON in index.read_text()
    # when a renewal lifts it
    registry_has(merchant, "JY15301020099999")
    watch.qualification_renew(actor=actor_for(merchant), credential_id=jy.pk, number="JY15301020099999",
                              valid_until=dt.date(2031, 11, 30))
    publishing.outbox_drain()
    # then
    assert "此商品暂停销售" not in index.read_text()


def test_the_shop_page_says_why_and_offers_no_way_to_buy(client, merchant, tea, expired):
    # given
    from xinren.orders.models import Offer

    Offer.objects.create(merchant=merchant, product=tea, price_fen=9800, stock=10)
    # when
    response = client.get(reverse("shop:product_detail", args=[tea.pk]))
    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert REASON in page
    assert "cart_add" not in page and 'name="quantity"' not in page


def test_the_merchants_product_list_and_dashboard_show_it(client, merchant, tea, expired):
    # given
    client.force_login(actor_for(merchant).user)
    # when
    products = client.get(reverse("merchant:product_list")).content.decode()
    dashboard = client.get(reverse("merchant:dashboard")).content.decode()
    # then
    assert "暂停销售：资质到期" in products
    assert "食品经营许可证（JY15301020000001）已于 2026-12-06 到期，相关商品已暂停销售" in dashboard


def test_the_dashboard_warns_of_a_licence_expiring_in_20_days(client, merchant):
    # given
    credential_make(merchant, valid_until=TODAY + dt.timedelta(days=20))
    client.force_login(actor_for(merchant).user)
    # when
    page = client.get(reverse("merchant:dashboard")).content.decode()
    # then
    assert "资质即将到期" in page
    assert "食品经营许可证（JY15301020000001）将于 2026-12-27 到期，还剩 20 天" in page


def test_the_qualifications_page_lists_validity_and_days_left(client, merchant):
    # given
    credential_make(merchant, valid_until=TODAY + dt.timedelta(days=20))
    client.force_login(actor_for(merchant).user)
    # when
    page = client.get(reverse("merchant:qualifications")).content.decode()
    # then
    assert "JY15301020000001" in page
    assert "2026-12-27" in page
    assert "20 天后到期" in page


def test_a_renewal_posted_from_the_page_lifts_the_suspension(client, merchant, tea, expired):
    # given
    registry_has(merchant, "JY15301020099999")
    client.force_login(actor_for(merchant).user)
    # when
    response = client.post(reverse("merchant:qualifications"), {
        "credential": expired.pk, "number": "JY15301020099999", "valid_from": "2026-12-01",
        "valid_until": "2031-11-30", "issuer": "昆明市市场监督管理局",
    })
    # then
    assert response.status_code == 302
    assert not ListingSuspension.objects.filter(lifted_at__isnull=True).exists()
    assert Credential.objects.get(number="JY15301020099999").status == CredentialStatus.VERIFIED


def test_a_bad_renewal_shows_the_exact_reason_in_the_form(client, merchant, tea, expired):
    # given
    client.force_login(actor_for(merchant).user)
    # when
    response = client.post(reverse("merchant:qualifications"), {
        "credential": expired.pk, "number": "JY123", "valid_until": "2031-11-30",
    })
    # then
    assert response.status_code == 422
    assert "许可证编号格式不对：应为 JY 加 14 位数字，请按证书上的编号填写" in response.content.decode()
    assert ListingSuspension.objects.filter(lifted_at__isnull=True).count() == 1


def test_a_viewer_sees_the_page_but_cannot_renew(client, merchant, tea, expired):
    # given
    from xinren.accounts.choices import Role

    client.force_login(actor_for(merchant, Role.VIEWER).user)
    # when
    page = client.get(reverse("merchant:qualifications"))
    post = client.post(reverse("merchant:qualifications"), {
        "credential": expired.pk, "number": "JY15301020099999", "valid_until": "2031-11-30",
    })
    # then
    assert page.status_code == 200 and "提交换发的新证" not in page.content.decode()
    assert post.status_code == 403
    assert ListingSuspension.objects.filter(lifted_at__isnull=True).count() == 1
