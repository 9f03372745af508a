"""The console page where a merchant sets a product's allowed range and delivery promise."""

from __future__ import annotations

import pytest
from django.test import Client

from xinren.coldchain.models import ColdChainProfile, Promise
from xinren.coldchain.services import profile_set

from .conftest import Shipped

pytestmark = pytest.mark.django_db


def _url(shipped: Shipped) -> str:
    return f"/merchant/products/{shipped.product.pk}/coldchain/"


def test_the_merchant_sets_the_range_and_the_promise(client: Client, shipped: Shipped) -> None:
    # given
    assert shipped.merchant.user is not None
    client.force_login(shipped.merchant.user)
    # when
    page = client.get(_url(shipped))
    saved = client.post(_url(shipped), {"temperature_min": "2", "temperature_max": "6", "tolerance_minutes": "10"})
    promised = client.post(_url(shipped), {"hours": "48", "text": "48小时从产地到餐桌", "active": "on"})
    # then
    assert page.status_code == 200 and "温控要求" in page.content.decode()
    assert (saved.status_code, promised.status_code) == (302, 302)
    profile = ColdChainProfile.objects.get()
    assert (profile.temperature_min, profile.temperature_max, profile.tolerance_minutes, profile.version) == (
        20, 60, 10, 2
    )  # fmt: skip
    assert Promise.objects.filter(hours=48, text="48小时从产地到餐桌", active=True).count() == 1
    detail = client.get(f"/merchant/products/{shipped.product.pk}/")
    assert _url(shipped) in detail.content.decode()


def test_a_wrong_range_is_shown_in_the_form_and_nothing_changes(client: Client, shipped: Shipped) -> None:
    # given
    assert shipped.merchant.user is not None
    client.force_login(shipped.merchant.user)
    # when
    response = client.post(_url(shipped), {"temperature_min": "6", "temperature_max": "2", "tolerance_minutes": "0"})
    # then
    assert response.status_code == 422
    assert "最低温度须低于最高温度" in response.content.decode()
    assert ColdChainProfile.objects.get().version == 1


def test_another_merchant_gets_not_found_and_a_carrier_is_refused(
    client: Client, shipped: Shipped, other_actor
) -> None:  # type: ignore[no-untyped-def]
    # when
    client.force_login(other_actor.user)
    stranger = client.get(_url(shipped))
    assert shipped.carrier.user is not None
    client.force_login(shipped.carrier.user)
    carrier = client.post(_url(shipped), {"hours": "1"})
    # then
    assert (stranger.status_code, carrier.status_code) == (404, 403)
    assert Promise.objects.count() == 0


def test_the_form_shows_the_saved_range_in_degrees_and_percent(client: Client, shipped: Shipped) -> None:
    # given: stored as tenths (-1.5 °C is -15, 85.5 % is 855)
    profile_set(
        actor=shipped.merchant, product_id=shipped.product.pk, temperature_min="-1.5",
        temperature_max="4.2", humidity_min="80", humidity_max="85.5", tolerance_minutes=15,
    )
    assert ColdChainProfile.objects.get(product=shipped.product).temperature_min == -15
    assert shipped.merchant.user is not None
    client.force_login(shipped.merchant.user)
    # when
    page = client.get(_url(shipped))
    # then
    form = page.context["profile_form"]
    assert {name: form.initial[name] for name in form.fields} == {
        "temperature_min": -1.5, "temperature_max": 4.2, "humidity_min": 80.0, "humidity_max": 85.5,
        "tolerance_minutes": 15,
    }  # fmt: skip
    assert 'name="temperature_min" value="-1.5"' in page.content.decode()
