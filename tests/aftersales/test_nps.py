"""NPS after a closed request: who may answer, when, once; the request page's question; the operators' figures per
merchant, programme and category (members at the time of the answer against the rest)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.test import Client

from xinren.accounts.choices import Role
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.models import AfterSaleRequest, GuaranteeProgramme, NpsAnswer, ProgrammeMembership
from xinren.aftersales.nps import NpsFigure
from xinren.aftersales.nps_chart import comparison_chart_svg
from xinren.aftersales.nps_selectors import CategoryComparison, consumer_nps_question, operator_nps_overview
from xinren.aftersales.services import (
    aftersale_cancel,
    aftersale_merchant_agree,
    aftersale_merchant_refuse,
    aftersale_open,
)
from xinren.aftersales.services.nps import nps_answer
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from ..factories import MembershipFactory, ProductFactory, UserFactory, actor_for
from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call
from ..fixtures.reviews import line_delivered

DAY = dt.timedelta(days=1)
_refs = itertools.count(1)


def _open(consumer, line, amount_fen=2000):  # type: ignore[no-untyped-def]
    return aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                          kind=Kind.REFUND_ONLY, reason="有两块碎了", amount_fen=amount_fen)


def _refunded(consumer, merchant_actor, line):  # type: ignore[no-untyped-def]
    request = _open(consumer, line)
    return aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)


def _state(request: AfterSaleRequest) -> tuple[int, list[tuple[int, str]]]:
    return NpsAnswer.objects.count(), list(NpsAnswer.objects.filter(request=request).values_list("score", "comment"))


# -- answering -------------------------------------------------------------------------------------------------------


def test_the_consumer_answers_once_a_refunded_request_and_the_answer_keeps_its_shop_and_category(
        consumer, merchant_actor, line):
    # given
    request = _refunded(consumer, merchant_actor, line)
    assert request.status == Status.REFUNDED
    at = clock.now() + dt.timedelta(hours=1)
    # when
    with clock.played_at(at):
        answer = nps_answer(consumer=consumer, reference=request.reference, score=9, comment="  退款很快  ")
    # then
    assert (answer.request_id, answer.score, answer.comment, answer.merchant, answer.category, answer.answered_at) == (
        request.pk, 9, "退款很快", line.order.merchant, "wild_mushroom", at)
    # and a second answer is refused, the first one unchanged
    with pytest.raises(Conflict) as refused:
        nps_answer(consumer=consumer, reference=request.reference, score=0)
    assert refused.value.code == "aftersale.nps_answered"
    assert _state(request) == (1, [(9, "退款很快")])


@pytest.mark.parametrize("score", [11, -1, True, "9", 9.0])
def test_a_score_outside_0_to_10_is_refused_and_nothing_is_written(consumer, merchant_actor, line, score):
    request = _refunded(consumer, merchant_actor, line)
    with pytest.raises(InvalidInput) as refused:
        nps_answer(consumer=consumer, reference=request.reference, score=score)
    assert (refused.value.code, refused.value.details) == ("aftersale.nps_score_invalid", {"field": "score"})
    assert str(refused.value.message) == "请选择 0 到 10 之间的分数"
    assert _state(request) == (0, [])


def test_a_comment_over_200_characters_is_refused(consumer, merchant_actor, line):
    request = _refunded(consumer, merchant_actor, line)
    with pytest.raises(InvalidInput) as refused:
        nps_answer(consumer=consumer, reference=request.reference, score=8, comment="好" * 201)
    assert refused.value.code == "aftersale.nps_comment_too_long"
    assert _state(request) == (0, [])
    assert nps_answer(consumer=consumer, reference=request.reference, score=8, comment="好" * 200).score == 8


def test_another_consumers_request_is_not_found(consumer, other_consumer, merchant_actor, line):
    request = _refunded(consumer, merchant_actor, line)
    with pytest.raises(NotFound) as refused:
        nps_answer(consumer=other_consumer, reference=request.reference, score=10)
    assert refused.value.code == "aftersale.not_found"
    assert _state(request) == (0, [])


def test_an_open_or_cancelled_request_is_not_asked(consumer, line):
    request = _open(consumer, line)
    with pytest.raises(Conflict) as refused:
        nps_answer(consumer=consumer, reference=request.reference, score=10)
    assert refused.value.code == "aftersale.nps_not_closed"
    aftersale_cancel(consumer=consumer, reference=request.reference)
    with pytest.raises(Conflict) as refused:
        nps_answer(consumer=consumer, reference=request.reference, score=10)
    assert refused.value.code == "aftersale.nps_not_closed"
    assert _state(request) == (0, [])
    assert not consumer_nps_question(request=request).open


def test_the_question_closes_30_days_after_the_request_did(consumer, merchant_actor, line):
    request = _refunded(consumer, merchant_actor, line)
    closed = clock.now()
    with clock.played_at(closed + 30 * DAY), pytest.raises(Conflict) as refused:
        nps_answer(consumer=consumer, reference=request.reference, score=10)
    assert refused.value.code == "aftersale.nps_expired"
    assert _state(request) == (0, [])
    with clock.played_at(closed + 30 * DAY - dt.timedelta(minutes=1)):
        assert nps_answer(consumer=consumer, reference=request.reference, score=10).score == 10


def test_a_refusal_is_closed_once_it_can_no_longer_be_escalated(consumer, merchant_actor, line):
    request = _open(consumer, line)
    refused_request = aftersale_merchant_refuse(actor=merchant_actor, reference=request.reference, reason="已拆封")
    # within the 7 days of escalation it is not over yet
    with clock.played_at(refused_request.refused_at + 7 * DAY - dt.timedelta(minutes=1)):
        with pytest.raises(Conflict) as refused:
            nps_answer(consumer=consumer, reference=request.reference, score=2)
        assert refused.value.code == "aftersale.nps_not_closed"
        assert _state(request) == (0, [])
    with clock.played_at(refused_request.refused_at + 7 * DAY):
        assert nps_answer(consumer=consumer, reference=request.reference, score=2).score == 2


def test_a_paid_claim_is_closed(consumer, line, run_tasks):
    from .conftest import picture

    claim = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
                           reason="坏了", amount_fen=3000, media=[("a.jpg", picture())])
    run_tasks()  # the provider pays out
    claim.refresh_from_db()
    assert claim.status == Status.PAID
    assert consumer_nps_question(request=claim).open
    assert nps_answer(consumer=consumer, reference=claim.reference, score=10).score == 10


# -- API -------------------------------------------------------------------------------------------------------------


def test_the_api_takes_one_answer_with_the_one_error_shape(consumer, other_consumer, merchant_actor, line):
    request = _refunded(consumer, merchant_actor, line)
    browser = browser_of(consumer)
    path = f"/aftersales/requests/{request.reference}/nps"
    assert_error(call(browser, "POST", path, body={"score": 11}), 422, "aftersale.nps_score_invalid")
    assert_error(call(browser_of(other_consumer), "POST", path, body={"score": 9}), 404, "aftersale.not_found")
    assert NpsAnswer.objects.count() == 0
    answered = call(browser, "POST", path, body={"score": 9, "comment": "快"})
    assert answered.status_code == 201, answered.content
    assert (answered.json()["reference"], answered.json()["score"], answered.json()["comment"]) == (
        request.reference, 9, "快")
    assert_error(call(browser, "POST", path, body={"score": 3}), 409, "aftersale.nps_answered")
    assert list(NpsAnswer.objects.values_list("score", flat=True)) == [9]
    assert call(Client(), "POST", path, body={"score": 9}).status_code == 401


# -- the request page ------------------------------------------------------------------------------------------------


def test_the_request_page_asks_once_closed_with_eleven_buttons_and_thanks_after(consumer, merchant_actor, line):
    request = _open(consumer, line)
    browser = browser_of(consumer)
    page = f"/shop/aftersales/{request.reference}/"
    assert 'id="nps"' not in browser.get(page).content.decode()
    aftersale_merchant_agree(actor=merchant_actor, reference=request.reference)
    html = browser.get(page).content.decode()
    assert f'action="/shop/aftersales/{request.reference}/nps/"' in html
    assert [n for n in range(11) if f'name="score" value="{n}"' in html] == list(range(11))
    # when: one tap, with a comment that looks like markup
    response = browser.post(f"{page}nps/", {"score": "10", "comment": "<b>很好</b>"})
    # then
    assert response.status_code == 302 and response["Location"] == page
    html = browser.get(page).content.decode()
    assert "感谢您的评价" in html and "&lt;b&gt;很好&lt;/b&gt;" in html and "<b>很好</b>" not in html
    assert 'name="score"' not in html
    # a forged score is refused with the reason, and nothing changes
    response = browser.post(f"{page}nps/", {"score": "11"}, follow=True)
    assert "请选择 0 到 10 之间的分数" in response.content.decode()
    response = browser.post(f"{page}nps/", {"score": "3"}, follow=True)
    assert "这次售后已经评价过了" in response.content.decode()
    assert list(NpsAnswer.objects.values_list("score", flat=True)) == [10]


def test_another_consumer_cannot_answer_through_the_page(consumer, other_consumer, merchant_actor, line):
    request = _refunded(consumer, merchant_actor, line)
    response = browser_of(other_consumer).post(f"/shop/aftersales/{request.reference}/nps/", {"score": "0"})
    assert response.status_code == 404
    assert NpsAnswer.objects.count() == 0


# -- operators -------------------------------------------------------------------------------------------------------


def _answer(product, consumer, score: int, at: dt.datetime) -> NpsAnswer:  # type: ignore[no-untyped-def]
    """A closed request with its answer, written directly (the figures read only the answers)."""
    line = line_delivered(consumer, product, delivered_at=at - 3 * DAY)
    request = AfterSaleRequest.objects.create(
        reference=f"ASNPS{next(_refs):08d}", consumer=consumer, merchant=product.merchant, order=line.order,
        line=line, kind=Kind.REFUND_ONLY, status=Status.CLOSED, reason="x", amount_fen=100, level="normal",
        created_at=at - 2 * DAY, updated_at=at - DAY, closed_at=at - DAY)
    return NpsAnswer.objects.create(request=request, merchant=product.merchant, category=product.category,
                                    score=score, answered_at=at)


def _programme(slug: str, categories: list[str]) -> GuaranteeProgramme:
    now = clock.now()
    return GuaranteeProgramme.objects.create(slug=slug, name=slug, summary="", categories=categories,
                                             badge_label=slug, created_at=now, updated_at=now)


def test_operators_see_nps_per_merchant_programme_and_category_members_at_the_time(
        operator, consumer, merchant, other_merchant, product_on_sale):
    # given: two mushroom shops; the first joined 蟹无忧-like "mushroom" programme 10 days ago and left 2 days ago
    now = clock.now()
    rival = ProductFactory(merchant=other_merchant, category="wild_mushroom")
    from xinren.orders.models import Offer
    Offer.objects.create(merchant=other_merchant, product=rival, price_fen=5000, stock=10)
    programme = _programme("mushroom", ["wild_mushroom"])
    _programme("tea-only", ["tea"])
    ProgrammeMembership.objects.create(programme=programme, merchant=merchant, version=1,
                                       joined_at=now - 10 * DAY, left_at=now - 2 * DAY)
    _answer(product_on_sale, consumer, 2, now - 20 * DAY)    # before joining: not a member's
    _answer(product_on_sale, consumer, 10, now - 5 * DAY)    # member
    _answer(product_on_sale, consumer, 9, now - 4 * DAY)     # member
    _answer(product_on_sale, consumer, 6, now - DAY)         # after leaving: not a member's
    _answer(rival, consumer, 7, now - 5 * DAY)
    # when
    overview = operator_nps_overview(actor=operator)
    # then
    assert (overview.overall.n, overview.overall.promoters, overview.overall.detractors) == (5, 2, 2)
    assert overview.overall.score == 0
    assert [(row.label, row.figure.n, row.figure.score) for row in overview.merchants] == [
        (merchant.name, 4, 0), (other_merchant.name, 1, 0)]
    assert [(row.key, row.figure.n, row.figure.score) for row in overview.programmes] == [
        ("mushroom", 2, 100), ("tea-only", 0, None)]
    [mushrooms] = overview.categories
    assert (mushrooms.category, mushrooms.label) == ("wild_mushroom", "野生菌")
    assert (mushrooms.members.n, mushrooms.members.score) == (2, 100)
    assert (mushrooms.others.n, mushrooms.others.promoters, mushrooms.others.detractors) == (3, 0, 2)
    # and a period keeps only its answers
    recent = operator_nps_overview(actor=operator, since=now - 3 * DAY)
    assert (recent.overall.n, recent.overall.score) == (1, -100)


def test_a_programme_not_covering_the_category_does_not_count_it(operator, consumer, merchant, product_on_sale):
    now = clock.now()
    ProgrammeMembership.objects.create(programme=_programme("tea-only", ["tea"]), merchant=merchant, version=1,
                                       joined_at=now - 10 * DAY)
    _answer(product_on_sale, consumer, 10, now - DAY)
    overview = operator_nps_overview(actor=operator)
    assert (overview.categories[0].members.n, overview.categories[0].others.n) == (0, 1)
    assert overview.programmes[0].figure.n == 0
    assert overview.merchants[0].note == "tea-only"


def test_without_programmes_or_answers_the_overview_is_empty_but_readable(operator):
    overview = operator_nps_overview(actor=operator)
    assert (overview.overall.n, overview.overall.score, overview.merchants, overview.programmes,
            overview.categories) == (0, None, [], [], [])


def test_only_platform_organizations_see_the_figures(merchant_actor, operator, platform, merchant):
    with pytest.raises(PermissionDenied):
        operator_nps_overview(actor=merchant_actor)
    staff = UserFactory()
    MembershipFactory(user=staff, organization=merchant, role=Role.ADMIN)
    assert browser_of(staff).get("/merchant/aftersales/nps/").status_code == 403
    viewer = UserFactory()
    MembershipFactory(user=viewer, organization=platform, role=Role.VIEWER)
    assert actor_for(platform, Role.VIEWER).organization == platform
    page = browser_of(viewer).get("/merchant/aftersales/nps/")
    assert page.status_code == 200
    assert "售后 NPS" in page.content.decode() and "还没有回答" in page.content.decode()


def test_the_operators_page_draws_the_comparison_and_marks_small_samples(operator, platform, consumer,
                                                                         product_on_sale):
    _answer(product_on_sale, consumer, 10, clock.now() - DAY)
    viewer = UserFactory()
    MembershipFactory(user=viewer, organization=platform, role=Role.STAFF)
    html = browser_of(viewer).get("/merchant/aftersales/nps/?days=30").content.decode()
    assert "<svg" in html and "样本少于 30" in html and "野生菌" in html and "+100" in html
    assert 'href="/merchant/aftersales/nps/"' in html  # the menu link


def test_figures_and_chart():
    assert (NpsFigure(n=10, promoters=5, detractors=2).score, NpsFigure(n=10, promoters=5, detractors=2).passives) \
        == (30, 3)
    assert NpsFigure(n=0, promoters=0, detractors=0).score is None
    assert NpsFigure(n=29, promoters=0, detractors=0).small and not NpsFigure(n=30, promoters=0, detractors=0).small
    svg = comparison_chart_svg([CategoryComparison(
        category="x", label="<script>", members=NpsFigure(n=40, promoters=30, detractors=2),
        others=NpsFigure(n=3, promoters=0, detractors=3))])
    assert "&lt;script&gt;" in svg and "<script>" not in svg
    assert "NPS +70（40 份）" in svg and "NPS -100（3 份） · 样本少于 30" in svg
