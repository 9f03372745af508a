"""`manage.py product_facts_backfill` signs the facts of products published before facts were signed."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import ProductFacts

from ..factories import ProductFactory

pytestmark = pytest.mark.django_db


def _run() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("product_facts_backfill", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_published_products_without_facts_get_version_1_and_a_second_run_signs_nothing():
    # given: two products published before facts were signed, one draft, one whose shelf life is implausible
    listed = [ProductFactory(status=ProductStatus.ACTIVE, name=f"野生菌 {n}") for n in range(2)]
    ProductFactory(status=ProductStatus.DRAFT)
    bad = ProductFactory(status=ProductStatus.ACTIVE, shelf_life_days=99999)
    ProductFacts.objects.filter(product__in=[*listed, bad]).delete()
    # when
    out, err = _run()
    # then
    assert out.strip() == "signed 2, left for the merchant 1"
    assert f"product {bad.pk}: product.shelf_life_invalid" in err
    assert sorted(ProductFacts.objects.values_list("product_id", "version")) == [(p.pk, 1) for p in listed]
    assert _run()[0].strip() == "signed 0, left for the merchant 1"
