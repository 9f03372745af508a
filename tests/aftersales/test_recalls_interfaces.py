"""召回 through its interfaces: the console's issue form with its confirm screen and the list with reach figures,
and the API (POST /api/v1/recalls, GET /api/v1/recalls/{id}) with one error shape."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization, User
from xinren.aftersales.models import Recall
from xinren.aftersales.recalls import errors
from xinren.aftersales.recalls.services import recall_issue
from xinren.catalog.models import Batch, Item, Product
from xinren.orders.models import Offer, SaleHold

from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call, key_for, member
from .recall_flows import lot_of, regulator_org, sold_two

pytestmark = pytest.mark.django_db

REASON = "抽检发现二氧化硫残留超标"


def test_the_console_confirms_then_issues(
    merchant_actor: Actor, consumer: User, product: Product, offer: Offer, batch: Batch, items: list[Item]
) -> None:
    # given two items sold
    sold_two(merchant_actor=merchant_actor, consumer=consumer, product=product, items=items)
    console = browser_of(merchant_actor.user)
    form = {"gtin": product.gtin, "lot": batch.lot, "scope": "lot", "serials": "", "reason": REASON}
    # when the merchant fills the form, the confirm screen shows what the recall covers and nothing is written
    confirm = console.post("/merchant/recalls/new/", form)
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "5 件：已售出 2 件，未售 3 件" in page and "确认召回" in page
    assert Recall.objects.count() == 0 and SaleHold.objects.count() == 0
    # when they confirm, it is issued and its page shows it
    issued = console.post("/merchant/recalls/new/", {**form, "confirm": "1"})
    recall = Recall.objects.get()
    assert issued.status_code == 302 and issued["Location"] == f"/merchant/recalls/{recall.pk}/"
    detail = console.get(issued["Location"]).content.decode()
    assert REASON in detail and batch.lot in detail
    listing = console.get("/merchant/recalls/").content.decode()
    assert "发起召回" in listing and product.name in listing


def test_the_console_shows_a_refusal_on_the_form(
    merchant_actor: Actor, other_batch: Batch, batch: Batch, items: list[Item]
) -> None:
    console = browser_of(merchant_actor.user)
    another = console.post("/merchant/recalls/new/", {
        "gtin": other_batch.product.gtin, "lot": other_batch.lot, "scope": "lot", "reason": REASON})
    assert another.status_code == 404 and "找不到该批次" in another.content.decode()
    unknown = console.post("/merchant/recalls/new/", {
        "gtin": batch.product.gtin, "lot": batch.lot, "scope": "serials", "serials": "SN0001, NOPE99",
        "reason": REASON, "confirm": "1"})
    assert unknown.status_code == 422 and "NOPE99" in unknown.content.decode()
    assert Recall.objects.count() == 0


def test_operators_see_every_recall_and_other_merchants_none(
    merchant_actor: Actor, platform: Organization, other_merchant: Organization, batch: Batch, items: list[Item]
) -> None:
    recall = recall_issue(actor=merchant_actor, **lot_of(batch), reason=REASON, scope="lot")
    operator = browser_of(member(platform, Role.ADMIN))
    assert batch.lot in operator.get("/merchant/recalls/").content.decode()
    assert operator.get(f"/merchant/recalls/{recall.pk}/").status_code == 200
    stranger = browser_of(member(other_merchant, Role.STAFF))
    assert batch.lot not in stranger.get("/merchant/recalls/").content.decode()
    assert stranger.get(f"/merchant/recalls/{recall.pk}/").status_code == 404


def test_the_api_issues_and_reads_a_recall(
    client: Client, merchant: Organization, batch: Batch, items: list[Item]
) -> None:
    key = key_for(merchant)
    created = call(client, "POST", "/recalls", key=key, body={
        **lot_of(batch), "scope": "serials", "serials": ["SN0002", "SN0001"], "reason": REASON})
    assert created.status_code == 201, created.content
    body = json.loads(created.content)
    assert (body["scope"], body["serials"], body["items_total"], body["buyers_total"], body["reason"]) == (
        "serials", ["SN0001", "SN0002"], 2, 0, REASON)
    read = call(client, "GET", f"/recalls/{body['id']}", key=key)
    assert json.loads(read.content)["leaf_hash"] == body["leaf_hash"]
    # another merchant does not find it; a regulator's key may recall the same lot's other serials
    assert_error(call(client, "GET", f"/recalls/{body['id']}", key=key_for(Organization.objects.create(
        name="别家", slug="bie-jia", kind="merchant", uscc="91530100MA6N000000"))), 404, errors.RECALL_NOT_FOUND)
    by_regulator = call(client, "POST", "/recalls", key=key_for(regulator_org()), body={
        **lot_of(batch), "scope": "serials", "serials": ["SN0003"], "reason": REASON})
    assert by_regulator.status_code == 201


def test_the_api_refuses_bad_input_in_one_shape(
    client: Client, merchant: Organization, batch: Batch, items: list[Item]
) -> None:
    key = key_for(merchant)
    assert_error(call(client, "POST", "/recalls", key=key, body={**lot_of(batch), "reason": ""}), 422,
                 errors.RECALL_INVALID)
    assert_error(call(client, "POST", "/recalls", key=key, body={**lot_of(batch), "scope": "serials",
                                                                  "serials": ["NOPE99"], "reason": REASON}),
                 422, errors.RECALL_SERIALS)
    assert_error(call(client, "POST", "/recalls", key=key_for(merchant, Role.VIEWER),
                      body={**lot_of(batch), "reason": REASON}), 403, "permission.role")
    assert Recall.objects.count() == 0
