"""The demo's mushroom shop holds a food licence expiring in 20 days: warned once, nothing suspended."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from xinren.catalog.models import ListingSuspension
from xinren.catalog.shelf_life import local_date
from xinren.core import clock
from xinren.governance.models import QualificationWarning
from xinren.verification.choices import CredentialKind, CredentialStatus
from xinren.verification.models import Credential

pytestmark = pytest.mark.django_db


def test_the_demo_shop_sees_its_licence_expiring(demo_world, client):
    # given
    shop = demo_world.organizations["shanye-mushroom"]
    # when
    credential = Credential.objects.get(organization=shop, kind=CredentialKind.FOOD_BUSINESS)
    client.force_login(demo_world.actors["shanye-mushroom"].user)
    page = client.get(reverse("merchant:dashboard")).content.decode()
    # then
    assert credential.status == CredentialStatus.VERIFIED
    assert credential.valid_until is not None
    days_left = (credential.valid_until - local_date(clock.now())).days
    assert 0 < days_left <= 20  # 20 when the demo was loaded today
    assert QualificationWarning.objects.filter(credential=credential).count() == 1
    assert "资质即将到期" in page and credential.number in page
    assert not ListingSuspension.objects.exists()
    assert credential.valid_until - credential.valid_from > dt.timedelta(days=4 * 365)
