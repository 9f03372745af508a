"""Publishing item pages reads proofs in bulk: the query count does not grow with the number of items."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinren.catalog.models import Item
from xinren.trace.services import event_record
from xinren.web.publishing import items_publish

from ..factories import BatchFactory, ItemFactory, ProductFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _queries_to_publish(merchant_actor, count: int) -> int:
    batch = BatchFactory(product=ProductFactory(merchant=merchant_actor.organization))
    items = [ItemFactory(batch=batch) for _ in range(count)]
    for item in items:
        event_record(
            actor=merchant_actor, event_type="ObjectEvent", biz_step="packing", event_time=WHEN,
            identifiers=[item.digital_link.path],
        )
    chunk = list(Item.objects.filter(batch=batch).select_related("batch__product"))
    with CaptureQueriesContext(connection) as queries:
        items_publish(items=chunk)
    return len(queries)


def test_query_count_does_not_grow_with_items(merchant_actor):
    assert _queries_to_publish(merchant_actor, 2) == _queries_to_publish(merchant_actor, 8)
