"""The cold-chain admin pages list rows read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory
from xinren.coldchain.services import readings_ingest

from .conftest import Shipped, series

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["coldchainprofile", "promise", "leg", "readingbatch", "excursion"])
def test_operators_can_list_the_cold_chain_but_not_add(client: Client, shipped: Shipped, model: str) -> None:
    # given
    readings_ingest(actor=shipped.carrier, leg_id=shipped.leg.pk, readings=series(shipped.departed, [4.0, 9.0, 4.0]))
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    # when
    listed = client.get(f"/admin/coldchain/{model}/")
    adding = client.get(f"/admin/coldchain/{model}/add/")
    # then
    assert listed.status_code == 200
    assert adding.status_code == 403
