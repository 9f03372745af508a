"""A merchant's shop page shows its verified licences and what it sells; unverified ones and other kinds do not show."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import OrganizationFactory
from xinren.accounts.choices import OrganizationKind
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

pytestmark = pytest.mark.django_db


def test_the_page_lists_verified_licences_only() -> None:
    merchant = OrganizationFactory(kind=OrganizationKind.MERCHANT, name="云岭菌业")
    Credential.objects.create(
        organization=merchant,
        kind=CredentialKind.FOOD_BUSINESS,
        number="JY15301020000017",
        holder_name="云岭菌业",
        status=CredentialStatus.VERIFIED,
        issuer="昆明市市场监督管理局",
    )
    Credential.objects.create(
        organization=merchant,
        kind=CredentialKind.ORGANIC,
        number="ORG-FAILED",
        holder_name="云岭菌业",
        status=CredentialStatus.FAILED,
    )
    page = Client().get(f"/shop/merchants/{merchant.slug}/").content.decode()
    assert "云岭菌业" in page and "JY15301020000017" in page and "昆明市市场监督管理局" in page
    assert "ORG-FAILED" not in page
    assert "治理记录" in page


def test_only_selling_organizations_have_a_shop_page() -> None:
    lab = OrganizationFactory(kind=OrganizationKind.LAB)
    assert Client().get(f"/shop/merchants/{lab.slug}/").status_code == 404
    assert Client().get("/shop/merchants/nobody/").status_code == 404
