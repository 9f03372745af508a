"""/operator/: the governance dashboard shows each panel with its chart and downloads it as CSV; the shop page lists
the merchant's public record without personal data."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from xinren.accounts.actors import Actor
from xinren.accounts.blacklist import screen
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization, User
from xinren.catalog.suspensions import listing_suspend
from xinren.governance.services.applications import application_submit
from xinren.governance.services.probation import probation_start

from ...factories import ProductFactory, actor_for
from ...fixtures.accounts import browser_of
from ...governance.factories_applications import ID_NUMBER, draft_for
from ...governance.factories_blacklist import banned

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(operator: Actor, merchant: Organization, consumer: User) -> Organization:
    application_submit(user=consumer, public_id=draft_for(consumer).public_id, legal_rep_id_number=ID_NUMBER)
    probation_start(organization=merchant)
    banned(operator, "phone", "13900000099")
    screen(stage="order", entities={"phone": "13900000099"}, subject="merchant:1")
    product = ProductFactory(merchant=merchant, name="松茸礼盒")
    listing_suspend(
        products=[product],
        reason_code="licence_expired",
        reason="商家的食品经营许可证已到期",
        details={},
        source="credential:1",
    )
    return merchant


def test_the_operator_sees_every_panel(world: Organization, operator: Actor) -> None:
    page = browser_of(operator.user).get("/operator/").content.decode()  # type: ignore[arg-type]
    assert page.count("<svg") >= 3
    assert "昆明滇味茶叶有限公司" in page  # waiting in the queue
    assert world.name in page  # on probation
    assert "松茸礼盒" in page and "商家的食品经营许可证已到期" in page
    assert "共 1 次" in page  # the interception, in the chart's words
    assert "13900000099" not in page


@pytest.mark.parametrize("panel", ["applications", "probation", "risk", "interceptions", "suspensions"])
def test_each_panel_downloads_as_csv(world: Organization, operator: Actor, panel: str) -> None:
    response = browser_of(operator.user).get(f"/operator/export/{panel}.csv")  # type: ignore[arg-type]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) >= 3
    if panel != "risk":  # nobody has been scored in this world
        assert len(rows) >= 2


def test_only_platform_members_see_the_dashboard(world: Organization) -> None:
    merchant_browser = browser_of(actor_for(world, Role.OWNER).user)  # type: ignore[arg-type]
    assert merchant_browser.get("/operator/").status_code == 403
    assert merchant_browser.get("/operator/export/applications.csv").status_code == 403
    assert Client().get("/operator/").status_code == 302  # to sign in


def test_an_unknown_panel_is_not_found(operator: Actor) -> None:
    assert browser_of(operator.user).get("/operator/export/orders.csv").status_code == 404  # type: ignore[arg-type]


def test_the_shop_page_lists_the_public_record(world: Organization) -> None:
    page = Client().get(f"/shop/merchants/{world.slug}/").content.decode()
    assert "进入新手期" in page
    assert "商品暂停销售：松茸礼盒" in page
    assert "/log/entry/" in page  # the probation statement's proof
