"""Programmes on pages: the merchant's after-sale record, the guarantees section (scan page, shop product page), badges
on the shop list, the public programme page, the console for operators and merchants, and the demo's path."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import OrganizationKind, Role
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.demo_programmes import demo_programmes_load
from xinren.aftersales.fund import services as fund_services
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.models.programmes import GuaranteeProgramme, ProgrammeMembership
from xinren.aftersales.programmes.choices import LeftReason
from xinren.aftersales.programmes.section import guarantees_section_for
from xinren.aftersales.programmes.services import programme_join, programme_publish
from xinren.aftersales.selectors import merchant_aftersale_record
from xinren.aftersales.services import aftersale_merchant_agree, aftersale_merchant_refuse, aftersale_open
from xinren.core import clock
from xinren.web.public.sections import sections_for

from ..factories import BatchFactory, ItemFactory, OrganizationFactory, ProductFactory, actor_for
from ..fixtures.accounts import browser_of, consumer_new
from ..fixtures.reviews import line_through_flow
from .fund_setup import key
from .test_programmes import JUN, TRUST

pytestmark = pytest.mark.django_db


def _member(operator, merchant, merchant_actor):  # type: ignore[no-untyped-def]
    programme = programme_publish(actor=operator, slug="jun-wuyou", terms=JUN)
    fund_services.deposit_collect(actor=actor_for(merchant, Role.ADMIN), merchant=merchant, amount_fen=150_000,
                                  idempotency_key=key("dep"))
    programme_join(actor=merchant_actor, programme_id=programme.pk, guarantees=["bad_order"])
    return programme


# -- the record -------------------------------------------------------------------------------------------------


def test_the_record_is_too_few_to_judge_until_five_are_decided(merchant, merchant_actor, product_on_sale):
    # given: four refund-only requests, three agreed (refunded at once), one refused
    stock = BatchFactory(product=product_on_sale, quantity=10)
    for _ in range(10):
        ItemFactory(batch=stock)
    references = []
    for _ in range(4):
        line = line_through_flow(consumer_new(), product_on_sale)
        references.append(aftersale_open(consumer=line.order.consumer, order_number=line.order.number,
                                         line_id=line.pk, kind=Kind.REFUND_ONLY, reason="不想要了",
                                         amount_fen=1000).reference)
    for reference in references[:3]:
        aftersale_merchant_agree(actor=merchant_actor, reference=reference)
    aftersale_merchant_refuse(actor=merchant_actor, reference=references[3], reason="已经吃了一半")
    # when
    record = merchant_aftersale_record(merchant=merchant)
    # then
    assert (record.requests, record.decided, record.upheld, record.enough, record.upheld_share) == (
        4, 4, 3, False, None)
    # when: one more, agreed
    line = line_through_flow(consumer_new(), product_on_sale)
    aftersale_merchant_agree(actor=merchant_actor, reference=aftersale_open(
        consumer=line.order.consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.REFUND_ONLY,
        reason="不想要了", amount_fen=1000).reference)
    record = merchant_aftersale_record(merchant=merchant)
    # then
    assert (record.decided, record.upheld, record.upheld_share, record.refunded) == (5, 4, 0.8, 4)
    assert record.refund_median_hours == 0.0  # agreed and refunded in the same moment
    # and requests older than 90 days drop out
    assert merchant_aftersale_record(merchant=merchant, now=clock.now() + dt.timedelta(days=91)).requests == 0
    assert AfterSaleRequest.objects.filter(status=Status.REFUNDED).count() == 4


# -- the section ------------------------------------------------------------------------------------------------


def test_the_section_names_the_guarantees_that_apply_and_the_badges(operator, merchant, merchant_actor,
                                                                    product_on_sale):
    # given
    _member(operator, merchant, merchant_actor)
    # when
    section = guarantees_section_for(product=product_on_sale)
    # then: wild mushrooms are fresh food
    assert [line["id"] for line in section["guarantees"]] == ["bad_order", "no_reason_excluded", "counterfeit"]
    assert "赔价款10倍或损失3倍，最低 1000 元（食品安全法第 148 条）" in section["guarantees"][2]["text"]
    assert [(b["slug"], b["url"], b["promises"]) for b in section["badges"]] == [
        ("jun-wuyou", "/guarantees/jun-wuyou/", ["品质问题 12 小时内优先处理", "退款另补 20 元"])]
    assert section["record"]["enough"] is False
    assert sections_for(product=product_on_sale, batch=None)["guarantees"] == section


def test_a_programme_covering_other_categories_shows_no_badge_and_a_handicraft_has_seven_days(
        operator, merchant, merchant_actor, product_on_sale):
    # given
    _member(operator, merchant, merchant_actor)
    craft = ProductFactory(merchant=merchant, name="手工竹编果篮", category="handicraft")
    # when
    section = guarantees_section_for(product=craft)
    # then
    assert section["badges"] == []
    assert section["guarantees"][0]["text"] == "七天无理由退货（签收次日起算）"
    assert section["guarantees"][1]["text"] == "假一赔3：价款3倍，最低 500 元（消费者权益保护法第 55 条）"


def test_the_scan_and_shop_pages_show_the_section_and_the_badge_links_to_the_rules(
        client, operator, merchant, merchant_actor, product_on_sale):
    # given
    _member(operator, merchant, merchant_actor)
    # when
    scan = client.get(product_on_sale.digital_link.path + "?lang=zh-hans").content.decode()
    shop = client.get(f"/shop/products/{product_on_sale.pk}/?lang=zh-hans").content.decode()
    listing = client.get("/shop/?lang=zh-hans").content.decode()
    rules = client.get("/guarantees/jun-wuyou/?lang=zh-hans")
    # then
    for html in (scan, shop):
        assert 'id="guarantees"' in html and 'href="/guarantees/jun-wuyou/"' in html
        assert "数量太少，暂不评判" in html and "截至" in html
    assert 'href="/guarantees/jun-wuyou/"' in listing
    assert rules.status_code == 200
    body = rules.content.decode()
    assert "品质问题 12 小时内优先处理" in body and "保证金余额不少于 ¥1000.00" in body and merchant.name in body
    assert client.get("/guarantees/nope/").status_code == 404


# -- the console ------------------------------------------------------------------------------------------------


def test_an_operator_creates_and_edits_a_programme_in_the_console(operator):
    browser = browser_of(operator.user)
    form = {"slug": "xinren-gou", "name": "信任购", "summary": "30 天无理由", "badge_label": "信任购",
            "badge_colour": "#c0392b", "eligibility": '{"merchant_active": true}',
            "promises": '[{"id": "return_days", "value": 30, "text": "30 天无理由退货"}]'}
    # when: a bad key
    refused = browser.post("/merchant/guarantee-programmes/new/", {**form, "eligibility": '{"score_min": 4}'})
    # then
    assert refused.status_code == 422 and "score_min" in refused.content.decode()
    assert GuaranteeProgramme.objects.count() == 0
    # when
    created = browser.post("/merchant/guarantee-programmes/new/", form)
    programme = GuaranteeProgramme.objects.get()
    assert created.status_code == 302
    edited = browser.post(f"/merchant/guarantee-programmes/{programme.pk}/edit/",
                          {**form, "promises": '[{"id": "return_days", "value": 15, "text": "15 天"}]'})
    # then
    programme.refresh_from_db()
    assert edited.status_code == 302 and (programme.version, programme.promises[0]["value"]) == (2, 15)
    assert browser.get("/merchant/guarantee-programmes/").status_code == 200


def test_a_merchant_sees_its_checklist_then_joins_and_leaves(operator, merchant, merchant_actor, product_on_sale):
    # given
    programme = programme_publish(actor=operator, slug="jun-wuyou", terms=JUN)
    browser = browser_of(merchant_actor.user)
    url = f"/merchant/guarantee-programmes/{programme.pk}/"
    # when: no deposit
    page = browser.get(url).content.decode()
    refused = browser.post(url + "join/", {"guarantees": ["bad_order"]})
    # then
    assert "✗ 未满足</strong> 保证金余额达到要求（余额 ¥0.00，要求 ¥1000.00）" in page
    assert refused.status_code == 409 and "deposit_min_fen" in refused.content.decode()
    assert ProgrammeMembership.objects.count() == 0
    # when: with the deposit
    fund_services.deposit_collect(actor=actor_for(merchant, Role.ADMIN), merchant=merchant, amount_fen=150_000,
                                  idempotency_key=key("dep"))
    assert browser.post(url + "join/", {"guarantees": ["bad_order"]}).status_code == 302
    assert browser.post(url + "leave/").status_code == 302
    # then
    assert ProgrammeMembership.objects.get().left_reason == LeftReason.WITHDRAWN


def test_others_are_refused(operator, merchant_actor, lab_actor):
    programme = programme_publish(actor=operator, slug="xinren-gou", terms=TRUST)
    assert browser_of(merchant_actor.user).get("/merchant/guarantee-programmes/new/").status_code == 403
    assert browser_of(lab_actor.user).get("/merchant/guarantee-programmes/").status_code == 403
    assert browser_of(lab_actor.user).post(f"/merchant/guarantee-programmes/{programme.pk}/join/").status_code == 403
    assert ProgrammeMembership.objects.count() == 0


# -- the demo ---------------------------------------------------------------------------------------------------


def test_the_demo_shows_a_joined_merchant_and_one_that_lost_its_badge(platform):
    # given the demo's merchants, with a wild-mushroom product for the one that joins
    orgs = {slug: OrganizationFactory(slug=slug, kind=OrganizationKind.MERCHANT)
            for slug in ("shanye-mushroom", "dianwei-bakery", "jingmai-tea")}
    for org in orgs.values():
        actor_for(org, Role.OWNER)
    ProductFactory(merchant=orgs["shanye-mushroom"], category="wild_mushroom")
    # when
    made = demo_programmes_load()
    # then
    assert made.slugs == ["xinren-gou", "jun-wuyou"]
    assert made.members == {"xinren-gou": ["shanye-mushroom"], "jun-wuyou": ["shanye-mushroom"]}
    assert made.ended == ["dianwei-bakery"]
    ended = ProgrammeMembership.objects.get(merchant=orgs["dianwei-bakery"])
    assert (ended.left_reason, ended.left_details) == (LeftReason.NO_LONGER_ELIGIBLE, {"deposit_min_fen": 60_000})
    standing = ProgrammeMembership.objects.filter(merchant=orgs["shanye-mushroom"], left_at__isnull=True)
    assert standing.count() == 2
    assert all(clock.now() - m.joined_at >= dt.timedelta(weeks=5) for m in standing)
