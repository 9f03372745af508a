"""The lab report routes, called through their router (the lead mounts it in the API)."""

from __future__ import annotations

import datetime as dt

import pytest
from ninja.testing import TestClient

from xinren.accounts.choices import Role
from xinren.catalog.choices import ProductCategory
from xinren.lab.api import router as lab_router

from ..factories import BatchFactory, actor_for, legacy_grant


@pytest.fixture(scope="module")
def lab_client() -> TestClient:
    return TestClient(lab_router)


def test_issue_then_read_the_public_scorecard(lab_client, lab, merchant_admin):
    # given a granted lab and a tea batch
    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)
    batch = BatchFactory(product__merchant=merchant_admin.organization, product__category=ProductCategory.TEA)
    body = {
        "batch_id": batch.pk, "accreditation": "CNAS L1234", "sample_id": "T-1",
        "sampled_at": dt.datetime(2026, 8, 20, 1, 30, tzinfo=dt.UTC).isoformat(), "method": "GB 23200.113-2018",
        "measurements": [{"indicator": "chlorpyrifos", "value": "ND", "unit": "mg/kg", "lod": "0.01"},
                         {"indicator": "cypermethrin", "value": "2", "unit": "mg/kg"}],
    }
    # when
    created = lab_client.post("/lab-reports", json=body, auth=actor_for(lab, Role.STAFF))
    read = lab_client.get(f"/lab-reports/{created.json()['report_id']}")
    # then
    assert created.status_code == 201, created.content
    assert read.status_code == 200
    card = read.json()
    assert (card["overall_stars"], card["sample_id"]) == (5, "T-1")
    assert [(i["indicator"], i["value"], i["stars"]) for i in card["indicators"]] == [
        ("chlorpyrifos", "ND", 5), ("cypermethrin", "2", 5)
    ]


def test_reports_on_draft_products_and_unknown_ids_are_not_public(lab_client, lab, merchant_admin):
    # given a report on a draft product's batch
    from xinren.catalog.choices import ProductStatus
    from xinren.core.errors import NotFound
    from xinren.lab.services import lab_report_issue

    legacy_grant(actor=merchant_admin, partner_slug=lab.slug)
    batch = BatchFactory(product__merchant=merchant_admin.organization, product__category=ProductCategory.TEA,
                         product__status=ProductStatus.DRAFT)
    report = lab_report_issue(
        actor=actor_for(lab, Role.STAFF), batch_id=batch.pk, accreditation="CMA 171512345678", sample_id="T-2",
        sampled_at=dt.datetime(2026, 8, 20, tzinfo=dt.UTC), method="m",
        measurements=[{"indicator": "lead", "value": "1", "unit": "mg/kg"}],
    )
    # when / then
    for report_id in (report.pk, report.pk + 1000):
        with pytest.raises(NotFound) as caught:
            lab_client.get(f"/lab-reports/{report_id}")
        assert caught.value.code == "lab_report.not_found"
