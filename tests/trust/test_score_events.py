"""Every input of the trust score announces its change, and the subscribed task refreshes the stored score."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.fixtures.tasks import queued
from xinren.aftersales.events import COVER_CHANGED
from xinren.catalog.events import SUSPENSIONS_CHANGED
from xinren.catalog.models import ListingSuspension, Product
from xinren.catalog.suspensions import listing_suspend, listing_suspensions_lift
from xinren.coldchain.events import MEASURED
from xinren.governance.events import STANDING_CHANGED
from xinren.governance.models.probation import Probation
from xinren.lab.events import REPORT_RECORDED
from xinren.lab.models import LabReport
from xinren.trust.models import ProductScore
from xinren.trust.scores import tasks
from xinren.trust.scores.formula import CURRENT_VERSION
from xinren.verification.events import CREDENTIAL_CHANGED
from xinren.verification.models import Credential

pytestmark = pytest.mark.django_db


def _stored(product_id: int) -> ProductScore:
    return ProductScore.objects.get(product_id=product_id, version=CURRENT_VERSION)


@pytest.mark.parametrize(
    ("event", "task"),
    [
        (REPORT_RECORDED, tasks.score_after_lab_report_task),
        (MEASURED, tasks.score_after_products_task),
        (SUSPENSIONS_CHANGED, tasks.score_after_products_task),
        (STANDING_CHANGED, tasks.score_after_merchant_task),
        (CREDENTIAL_CHANGED, tasks.score_after_merchant_task),
        (COVER_CHANGED, tasks.score_after_merchant_task),
    ],
)
def test_each_input_event_is_subscribed_by_its_refresh(event, task):  # type: ignore[no-untyped-def]
    assert task.module_path in {subscriber.module_path for subscriber in event.subscribers}


def test_a_suspension_and_its_lifting_refresh_the_product(demo_world, run_tasks):  # type: ignore[no-untyped-def]
    # given a product whose stored score counts no open suspension
    open_ = ListingSuspension.objects.filter(lifted_at__isnull=True).values("product_id")
    product = Product.objects.exclude(pk__in=open_).order_by("pk").first()
    assert product is not None
    assert _stored(product.pk).inputs["credit"]["open_suspensions"] == 0
    # when the catalog suspends it and the queued tasks run
    rows = listing_suspend(products=[product], reason_code="test", reason="测试", details={}, source="test")
    assert {"product_ids": [product.pk]} in queued(tasks.score_after_products_task)
    run_tasks()
    # then
    assert _stored(product.pk).inputs["credit"]["open_suspensions"] == 1
    # and lifting it refreshes it back
    listing_suspensions_lift(suspensions=rows)
    run_tasks()
    assert _stored(product.pk).inputs["credit"]["open_suspensions"] == 0


def test_a_recorded_lab_report_refreshes_its_product(demo_world, run_tasks):  # type: ignore[no-untyped-def]
    # given a product whose stored score was written before its lab report counted
    report = LabReport.objects.select_related("batch").order_by("pk").first()
    assert report is not None
    product_id = report.batch.product_id
    ProductScore.objects.filter(product_id=product_id).delete()
    # when the report's event is announced (lab_report_issue does, in its transaction) and the tasks run
    REPORT_RECORDED.announce(report_id=report.pk)
    run_tasks()
    # then
    assert str(report.report_id) in {entry["report"] for entry in _stored(product_id).inputs["lab_reports"]}


def test_a_merchant_wide_change_refreshes_every_product_of_the_merchant(demo_world, run_tasks):  # type: ignore[no-untyped-def]
    # given a merchant with products, none of whose scores counts a probation
    merchant_id = Product.objects.order_by("pk").values_list("merchant_id", flat=True).first()
    products = list(Product.objects.filter(merchant_id=merchant_id).values_list("pk", flat=True))
    Probation.objects.filter(organization_id=merchant_id).delete()
    for event in (STANDING_CHANGED, CREDENTIAL_CHANGED, COVER_CHANGED):
        # when its standing, credentials or cover change and the event is announced
        verified = Credential.objects.filter(organization_id=merchant_id, status="verified").count()
        event.announce(organization_id=merchant_id)
        run_tasks()
        # then every product's stored score was rewritten from the merchant's records
        for product_id in products:
            credit = _stored(product_id).inputs["credit"]
            assert credit["on_probation"] is False
            assert credit["qualifications"] == verified


def test_a_cold_chain_measure_refreshes_the_products_named(demo_world, run_tasks):  # type: ignore[no-untyped-def]
    # given two products whose scores are gone
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True)[:2])
    ProductScore.objects.filter(product_id__in=ids).delete()
    before = dt.datetime.now(dt.UTC)
    # when
    MEASURED.announce(product_ids=ids)
    run_tasks()
    # then
    rows = ProductScore.objects.filter(product_id__in=ids, version=CURRENT_VERSION)
    assert sorted(rows.values_list("product_id", flat=True)) == ids
    assert all(row.computed_at >= before - dt.timedelta(seconds=1) for row in rows)
