"""The contract selectors answer for a lot with no cold-chain record."""

from __future__ import annotations

import pytest

from tests.factories import BatchFactory
from xinren.coldchain.selectors import (
    ColdChainStatus,
    coldchain_status_for_batch,
    leg_durations_for_batch,
    promise_results_for_batch,
)

pytestmark = pytest.mark.django_db


def test_a_lot_without_legs_has_an_empty_status() -> None:
    # given
    batch = BatchFactory()
    # when
    status = coldchain_status_for_batch(batch=batch)
    # then
    assert status == ColdChainStatus(
        legs=0, legs_with_readings=0, readings=0, excursions=[], all_within_range=False, profile=None, leaf_hashes=[]
    )
    assert leg_durations_for_batch(batch=batch) == []
    assert promise_results_for_batch(batch=batch) == []
