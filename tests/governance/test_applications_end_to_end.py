"""From an application to a first listing: the approved applicant owns a merchant that can sign and publish, under
probation's published limits."""

from __future__ import annotations

import pytest

from xinren.accounts.actors import Actor
from xinren.accounts.choices import Role
from xinren.accounts.models import Organization
from xinren.accounts.restrictions import limits_for
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import ProductFacts
from xinren.catalog.services import product_set_status
from xinren.governance.services.applications import application_decide

from ..factories import ProductFactory, actor_for
from ..fixtures.accounts import consumer_new
from .factories_applications import submitted_for

pytestmark = pytest.mark.django_db


def test_the_new_merchant_publishes_its_first_product_under_probation(platform: Organization) -> None:
    # given an approved application
    user = consumer_new()
    application = submitted_for(user)
    application_decide(
        actor=actor_for(platform, Role.STAFF),
        public_id=application.public_id,
        decision="approve",
        reasons=["review.all_checks_passed"],
    )
    application.refresh_from_db()
    merchant = application.organization
    assert merchant is not None
    # when its owner publishes a product
    product = ProductFactory(merchant=merchant, status=ProductStatus.DRAFT, category="tea")
    published = product_set_status(
        actor=Actor(organization=merchant, role=Role.OWNER, user=user),
        product_id=product.pk,
        status=ProductStatus.ACTIVE,
    )
    # then it is on sale, signed by the merchant's own key, within probation's limits
    assert published.status == ProductStatus.ACTIVE
    facts = ProductFacts.objects.get(product=product)
    assert len(facts.ledger_leaf_hash) == 64
    limits = limits_for(merchant)
    assert (limits.daily_order_limit, limits.listing_limit, limits.payout_hold_days) == (30, 20, 14)
