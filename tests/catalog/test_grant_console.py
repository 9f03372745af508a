"""The console's grant page (search, scope, end date) and the partner's 我获得的授权 list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from xinren.accounts.choices import Role
from xinren.catalog.grants import grant_today
from xinren.catalog.models import PartnerGrant

from ..factories import actor_for

pytestmark = pytest.mark.django_db


def _browser(actor) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(actor.user)
    return client


def _ends(days: int) -> str:
    return (grant_today() + dt.timedelta(days=days)).isoformat()


def test_the_page_lists_no_organizations_until_searched(merchant_admin, logistics, lab, other_merchant):
    # given
    browser = _browser(merchant_admin)
    # when
    blank = browser.get("/merchant/partners/").content.decode()
    found = browser.get("/merchant/partners/", {"q": "冷链"}).content.decode()
    short = browser.get("/merchant/partners/", {"q": "冷"})
    # then
    assert "滇冷链物流" not in blank and "普洱古树茶园" not in blank and "云南食品检测中心" not in blank
    assert "滇冷链物流" in found and "云南食品检测中心" not in found
    assert f"partner={logistics.slug}" in found
    assert short.status_code == 422
    assert "请输入机构名称中的至少 2 个字，或完整的统一社会信用代码" in short.content.decode()


def test_an_admin_grants_one_product_until_a_date(merchant_admin, merchant, logistics, product, batch):
    # given
    browser = _browser(merchant_admin)
    chosen = browser.get("/merchant/partners/", {"q": "冷链", "partner": logistics.slug}).content.decode()
    # when
    response = browser.post(
        "/merchant/partners/", {"partner": logistics.slug, "products": [product.pk], "ends_on": _ends(30)}
    )
    page = browser.get("/merchant/partners/").content.decode()
    # then
    assert "授权给" in chosen and "楚雄野生牛肝菌 500g（06901234567892）" in chosen
    assert response.status_code == 302
    grant = PartnerGrant.objects.get()
    assert (grant.owner, grant.partner, grant.product, grant.batch, grant.ends_on.isoformat()) == (
        merchant, logistics, product, None, _ends(30),
    )
    assert "已授权 滇冷链物流 为 1 项商品或批次记录溯源事件" in page and _ends(30) in page


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"partner": "nobody", "ends_on": "+30"}, "找不到该合作机构（nobody），请按名称或统一社会信用代码搜索"),
        ({"ends_on": "-1"}, "已经过去"),
        ({"ends_on": ""}, "请填写授权截止日期"),
        ({"products": [], "ends_on": "+30"}, "请至少选择一个商品或批次"),
        ({"partner": "shanye", "ends_on": "+30"}, "不能授权给本组织自己"),
    ],
)
def test_bad_input_is_shown_in_the_form_and_nothing_is_granted(merchant_admin, logistics, product, post, message):
    # given
    data = {"partner": logistics.slug, "products": [product.pk], **post}
    if data["ends_on"]:
        data["ends_on"] = _ends(int(data["ends_on"]))
    # when
    response = _browser(merchant_admin).post("/merchant/partners/", data)
    # then
    assert response.status_code == 422
    assert message in response.content.decode()
    assert PartnerGrant.objects.count() == 0


def test_staff_cannot_grant(merchant_actor, logistics, product):
    response = _browser(merchant_actor).post(
        "/merchant/partners/", {"partner": logistics.slug, "products": [product.pk], "ends_on": _ends(30)}
    )
    assert response.status_code == 403
    assert PartnerGrant.objects.count() == 0


def test_the_partner_sees_its_grants_and_the_merchant_can_revoke(merchant_admin, logistics, product, batch):
    # given
    admin = _browser(merchant_admin)
    admin.post("/merchant/partners/", {"partner": logistics.slug, "batches": [batch.pk], "ends_on": _ends(7)})
    grant = PartnerGrant.objects.get()
    partner = _browser(actor_for(logistics, Role.VIEWER))
    # when
    before = partner.get("/merchant/partners/received/").content.decode()
    revoked = admin.post(f"/merchant/partners/grants/{grant.pk}/revoke/")
    after = partner.get("/merchant/partners/received/").content.decode()
    # then
    assert "我获得的授权" in before and "昆明山野菌菇店" in before and "L20260701" in before and _ends(7) in before
    assert "有效" in before
    assert revoked.status_code == 302
    assert "已撤销" in after
    grant.refresh_from_db()
    assert grant.revoked_at is not None


def test_another_merchant_cannot_revoke_the_grant(merchant_admin, other_merchant, logistics, product):
    # given
    _browser(merchant_admin).post(
        "/merchant/partners/", {"partner": logistics.slug, "products": [product.pk], "ends_on": _ends(30)}
    )
    grant = PartnerGrant.objects.get()
    # when
    response = _browser(actor_for(other_merchant, Role.ADMIN)).post(f"/merchant/partners/grants/{grant.pk}/revoke/")
    # then
    assert response.status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None
