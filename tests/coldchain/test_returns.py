"""A return coming back (a receiving event with CBV's "returned" disposition, aftersales) is not an arrival: it ends
no shipment leg and delivers no unit against a promise."""

from __future__ import annotations

import datetime as dt

from xinren.coldchain.status import legs_for_batch
from xinren.trace.services import event_record

from .conftest import Shipped


def _receive(shipped: Shipped, *, hours: float, disposition: str) -> None:
    event_record(actor=shipped.merchant, event_type="ObjectEvent", biz_step="receiving", disposition=disposition,
                 event_time=shipped.departed + dt.timedelta(hours=hours),
                 identifiers=[shipped.items[0].digital_link.path])


def test_a_returned_parcel_does_not_end_the_leg(shipped: Shipped) -> None:
    # given a leg in transit, and a return of one of its items signed for by the merchant
    _receive(shipped, hours=6, disposition="returned")
    # then the leg has not arrived
    assert legs_for_batch(batch=shipped.batch)[0].arrived_at is None
    # and a real receiving does end it
    _receive(shipped, hours=8, disposition="in_progress")
    assert legs_for_batch(batch=shipped.batch)[0].arrived_at == shipped.departed + dt.timedelta(hours=8)
