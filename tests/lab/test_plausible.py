"""Nothing impossible is signed for lab reports, and a category change never orphans one (ADR 0015)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures.immutable import tampering
from xinren.catalog.choices import ProductCategory
from xinren.catalog.services import product_update
from xinren.core import plausible
from xinren.core.errors import DomainError
from xinren.lab.models import LabReport
from xinren.lab.selectors import scorecard_for_batch, scorecard_for_report
from xinren.lab.services import lab_report_submit_signed

from ..factories import BatchFactory, ItemFactory
from ..fixtures.api import call
from .test_services import _counts, _issue, _self_signed

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def sampled_batch(product):  # type: ignore[no-untyped-def]
    return BatchFactory(product=product, lot="L20260801", production_date=dt.date(2026, 8, 1))


def _change_category(actor, product):  # type: ignore[no-untyped-def]
    product_update(actor=actor, product_id=product.pk, name=product.name, category=ProductCategory.TEA,
                   origin_region=product.origin_region, description=product.description)


def test_a_report_sampled_in_the_future_is_refused(granted_lab_actor, sampled_batch):
    # given
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        _issue(granted_lab_actor, sampled_batch, sampled_at=dt.datetime(2027, 3, 1, 9, 0, tzinfo=CST))
    # then
    assert (caught.value.code, caught.value.details["field"]) == (plausible.TIME_FUTURE, "sampled_at")
    assert _counts() == before


def test_a_report_sampled_before_its_lot_existed_is_refused(granted_lab_actor, sampled_batch):
    # given: produced on 1 August 2026, so nothing about it happened before 2 July (30 days' lead)
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        _issue(granted_lab_actor, sampled_batch, sampled_at=dt.datetime(2026, 6, 1, 9, 0, tzinfo=CST))
    # then
    assert caught.value.code == plausible.TIME_BEFORE_EXISTENCE
    assert _counts() == before


def test_a_self_signed_report_sampled_in_the_future_never_reaches_the_log(lab, granted_lab_actor, sampled_batch):
    # given
    envelope = _self_signed(lab, sampled_batch, sampled_at="2027-01-05T09:00:00+08:00")
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        lab_report_submit_signed(actor=granted_lab_actor, envelope_bytes=envelope)
    # then
    assert caught.value.code == plausible.TIME_FUTURE
    assert _counts() == before


def test_a_future_report_already_stored_does_not_hide_the_genuine_ones(granted_lab_actor, sampled_batch):
    # given: two genuine reports, and one dated 2027 stored before the rule existed
    _issue(granted_lab_actor, sampled_batch, sample_id="A", sampled_at=dt.datetime(2026, 8, 20, 9, 0, tzinfo=CST))
    newest = _issue(granted_lab_actor, sampled_batch, sample_id="B",
                    sampled_at=dt.datetime(2026, 8, 21, 9, 0, tzinfo=CST))
    future = _issue(granted_lab_actor, sampled_batch, sample_id="C",
                    sampled_at=dt.datetime(2026, 8, 22, 9, 0, tzinfo=CST))
    with tampering():  # (the signed-row triggers would refuse it now too)
        LabReport.objects.filter(pk=future.pk).update(sampled_at=dt.datetime(2027, 1, 1, tzinfo=CST))
    # when
    card = scorecard_for_batch(batch=sampled_batch)
    # then
    assert card is not None and card["report_id"] == newest.pk


def test_a_report_keeps_the_category_it_was_graded_with(granted_lab_actor, sampled_batch, merchant_admin):
    # given
    report = _issue(granted_lab_actor, sampled_batch)
    assert report.category == ProductCategory.WILD_MUSHROOM
    # when: the merchant moves the product to tea, whose table has no mercury limit
    _change_category(merchant_admin, sampled_batch.product)
    # then: the report is still graded against the mushroom limits
    card = scorecard_for_report(report=LabReport.objects.get(pk=report.pk))
    assert [(row["indicator"], row["limit"]) for row in card["indicators"]] == [
        ("lead", "0.3"), ("cadmium", "0.2"), ("total_mercury", "0.1")
    ]


def test_a_report_from_before_the_category_was_kept_finds_its_table(granted_lab_actor, sampled_batch, merchant_admin):
    # given: a report stored without its category, then the product's category changed
    report = _issue(granted_lab_actor, sampled_batch)
    LabReport.objects.filter(pk=report.pk).update(category="")
    _change_category(merchant_admin, sampled_batch.product)
    # when
    card = scorecard_for_report(report=LabReport.objects.get(pk=report.pk))
    # then: the first table holding every indicator it measured (mercury is not in tea's)
    assert card["indicators"][2]["limit"] == "0.1"


def test_changing_the_category_through_the_api_leaves_every_page_working(
    client, granted_lab_actor, sampled_batch, merchant_key
):
    # given
    report = _issue(granted_lab_actor, sampled_batch)
    item = ItemFactory(batch=sampled_batch)
    # when
    response = call(client, "PUT", f"/products/{sampled_batch.product_id}", key=merchant_key, body={
        "name": sampled_batch.product.name, "category": "tea", "origin_region": sampled_batch.product.origin_region,
    })
    # then
    assert response.status_code == 200, response.content
    assert call(client, "GET", f"/lab-reports/{report.pk}").status_code == 200
    assert client.get(sampled_batch.digital_link.path).status_code == 200
    assert client.get(item.digital_link.path).status_code == 200
    assert client.get(item.digital_link.path, HTTP_ACCEPT="application/json").status_code == 200


@pytest.mark.parametrize("sampled_at", ["0001-01-01T00:00:00+08:00", "1999-12-31T23:00:00+08:00"])
def test_a_self_signed_report_sampled_implausibly_early_is_refused(lab, granted_lab_actor, sampled_batch, sampled_at):
    # given
    envelope = _self_signed(lab, sampled_batch, sampled_at=sampled_at)
    before = _counts()
    # when
    with pytest.raises(DomainError) as caught:
        lab_report_submit_signed(actor=granted_lab_actor, envelope_bytes=envelope)
    # then
    assert caught.value.code == plausible.TIME_TOO_EARLY
    assert _counts() == before
