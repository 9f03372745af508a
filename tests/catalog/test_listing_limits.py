"""Governance's restrictions read when a product goes on sale: listing_limit and no_new_listings."""

from __future__ import annotations

import pytest

from xinren.accounts.choices import RestrictionKind, RestrictionSource
from xinren.accounts.restrictions import restriction_impose, restrictions_lift
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product
from xinren.catalog.services import product_set_status
from xinren.core.errors import Conflict

from ..factories import ProductFactory

pytestmark = pytest.mark.django_db


def _limit(merchant, kind, value=None, reason="新手期（规则第 1 版）"):  # type: ignore[no-untyped-def]
    return restriction_impose(
        organization=merchant,
        kind=kind,
        value=value,
        source=RestrictionSource.PROBATION,
        reason=reason,
        reference="probation:1",
    )


def test_the_listing_limit_counts_products_on_sale(merchant, merchant_actor):
    # given: two on sale, a limit of two
    for _ in range(2):
        ProductFactory(merchant=merchant, status=ProductStatus.ACTIVE)
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    _limit(merchant, RestrictionKind.LISTING_LIMIT, 2)
    # when
    with pytest.raises(Conflict) as refused:
        product_set_status(actor=merchant_actor, product_id=draft.pk, status=ProductStatus.ACTIVE)
    # then
    assert refused.value.code == "product.listing_limit"
    assert refused.value.details == {"limit": 2, "on_sale": 2}
    assert "2" in str(refused.value.message) and "新手期" in str(refused.value.message)
    assert Product.objects.get(pk=draft.pk).status == ProductStatus.DRAFT


def test_under_the_limit_a_product_goes_on_sale(merchant, merchant_actor):
    # given
    ProductFactory(merchant=merchant, status=ProductStatus.ACTIVE)
    ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)  # drafts do not count
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    _limit(merchant, RestrictionKind.LISTING_LIMIT, 2)
    # when
    product_set_status(actor=merchant_actor, product_id=draft.pk, status=ProductStatus.ACTIVE)
    # then
    assert Product.objects.get(pk=draft.pk).status == ProductStatus.ACTIVE


def test_another_merchants_products_do_not_count(merchant, other_merchant, merchant_actor):
    # given
    for _ in range(3):
        ProductFactory(merchant=other_merchant, status=ProductStatus.ACTIVE)
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    _limit(merchant, RestrictionKind.LISTING_LIMIT, 1)
    # when
    product_set_status(actor=merchant_actor, product_id=draft.pk, status=ProductStatus.ACTIVE)
    # then
    assert Product.objects.get(pk=draft.pk).status == ProductStatus.ACTIVE


def test_no_new_listings_refuses_a_draft_but_not_a_relisting(merchant, merchant_actor):
    # given
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    delisted = ProductFactory(merchant=merchant, status=ProductStatus.DELISTED)
    _limit(merchant, RestrictionKind.NO_NEW_LISTINGS, reason="资质过期")
    # when
    with pytest.raises(Conflict) as refused:
        product_set_status(actor=merchant_actor, product_id=draft.pk, status=ProductStatus.ACTIVE)
    product_set_status(actor=merchant_actor, product_id=delisted.pk, status=ProductStatus.ACTIVE)
    # then
    assert refused.value.code == "product.no_new_listings"
    assert "资质过期" in str(refused.value.message)
    assert Product.objects.get(pk=draft.pk).status == ProductStatus.DRAFT
    assert Product.objects.get(pk=delisted.pk).status == ProductStatus.ACTIVE


def test_a_lifted_limit_no_longer_applies(merchant, merchant_actor):
    # given
    ProductFactory(merchant=merchant, status=ProductStatus.ACTIVE)
    draft = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT)
    _limit(merchant, RestrictionKind.LISTING_LIMIT, 1)
    restrictions_lift(organization=merchant, source=RestrictionSource.PROBATION, reference="probation:1")
    # when
    product_set_status(actor=merchant_actor, product_id=draft.pk, status=ProductStatus.ACTIVE)
    # then
    assert Product.objects.get(pk=draft.pk).status == ProductStatus.ACTIVE
