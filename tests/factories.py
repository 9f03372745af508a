"""factory_boy factories for the domain models. Organizations get valid Unified Social Credit Codes."""

from __future__ import annotations

import datetime as dt
import itertools

import factory
from biip.checksums import gs1_standard_check_digit

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.accounts.models import Membership, Organization, User
from xinren.accounts.uscc import uscc_check_char
from xinren.catalog.choices import ProductCategory, ProductStatus
from xinren.catalog.models import Batch, Item, PartnerGrant, Product

_uscc_counter = itertools.count(1)
_gtin_counter = itertools.count(1)


def make_uscc() -> str:
    body = f"91530100MA{next(_uscc_counter):07d}"
    return body + uscc_check_char(body)


def make_gtin() -> str:
    """A valid GTIN-14 under a fictitious Chinese company prefix (690…)."""
    payload = f"0690{next(_gtin_counter):09d}"
    return payload + str(gs1_standard_check_digit(payload))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pass-word-123")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"云南测试商家{n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = OrganizationKind.MERCHANT
    uscc = factory.LazyFunction(make_uscc)
    region = "云南省昆明市"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.STAFF


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(OrganizationFactory)
    gtin = factory.LazyFunction(make_gtin)
    name = factory.Sequence(lambda n: f"野生牛肝菌 {n}")
    category = ProductCategory.WILD_MUSHROOM
    origin_region = "云南省楚雄州南华县"
    status = ProductStatus.ACTIVE


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch

    product = factory.SubFactory(ProductFactory)
    lot = factory.Sequence(lambda n: f"L2026{n:04d}")
    production_date = dt.date(2026, 7, 1)
    expiry_date = dt.date(2027, 12, 31)
    quantity = 100


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    batch = factory.SubFactory(BatchFactory)
    product = factory.SelfAttribute("batch.product")
    serial = factory.Sequence(lambda n: f"S{n:08d}")


def actor_for(organization: Organization, role: str = Role.STAFF) -> Actor:
    """An actor for a fresh member of `organization` with `role`."""
    membership = MembershipFactory(organization=organization, role=role)
    return Actor(organization=organization, role=role, user=membership.user)


def legacy_grant(*, actor: Actor, partner_slug: str) -> PartnerGrant:
    """A grant as made before ADR 0039 (all of the owner's products, no end date), the way migrated rows are.

    For tests about something else than grant scopes: nothing in the code makes such a grant any more.
    """
    partner = Organization.objects.get(slug=partner_slug)
    return PartnerGrant.objects.create(
        owner=actor.organization, partner=partner, legacy_all_products=True, granted_by=actor.user
    )
