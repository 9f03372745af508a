"""Pages that cannot break for good: an event time PostgreSQL stores but Python cannot read (ADR 0015).

`0001-01-01T00:00:00+08:00` is refused at capture now; one stored before that (year 0 in UTC) must not turn the
lot's page, its items' pages, their JSON and `publish_pages` into errors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from .conftest import CST, Story, event_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_zero_event(story: Story, merchant) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        if os.environ.get("XINREN_REQUIRE_POSTGRES"):
            pytest.fail("this run must use PostgreSQL")
        pytest.skip("only PostgreSQL stores a time before year 1 in UTC (SQLite refuses it on write)")
    event = event_make(organization=merchant, biz_step="shipping", when=dt.datetime(2026, 7, 2, 8, 0, tzinfo=CST),
                       batch=story.batch)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE trace_traceevent SET event_time = %s WHERE id = %s",
                       ["0001-01-01T00:00:00+08:00", event.pk])


def test_the_pages_of_the_lot_and_its_items_still_answer(client, story: Story, year_zero_event: None) -> None:
    # when / then
    for path in (story.batch.digital_link.path, story.item.digital_link.path, story.other_item.digital_link.path):
        page = client.get(path)
        assert page.status_code == 200, path
        assert "有 1 条记录的时间无法读取" in page.content.decode()
        assert client.get(path, HTTP_ACCEPT="application/json").status_code == 200


def test_publish_pages_publishes_the_lot_anyway(settings, story: Story, year_zero_event: None) -> None:
    # when
    call_command("publish_pages", "--all")

    # then
    item_dir = Path(settings.XINREN_PUBLISH_DIR) / story.item.digital_link.path.lstrip("/")
    assert json.loads((item_dir / "index.json").read_text())["link"]["serial"] == "SER0001"


def test_publish_pages_skips_and_logs_a_lot_it_cannot_render(settings, story: Story, merchant, monkeypatch, caplog):
    # given: a second lot, and a fault rendering the first one
    from xinren.web import publishing

    from ..factories import BatchFactory, ItemFactory

    other = ItemFactory(batch=BatchFactory(product=story.product, lot="L20260702"), serial="SER0009")
    real = publishing.story_for_batch

    def broken(*, batch, product=None):  # type: ignore[no-untyped-def]
        if batch.pk == story.batch.pk:
            raise ValueError("year 0 is out of range")
        return real(batch=batch, product=product)

    monkeypatch.setattr(publishing, "story_for_batch", broken)

    # when
    call_command("publish_pages", "--all")

    # then: the other lot is published and the broken one is named in the log
    assert (Path(settings.XINREN_PUBLISH_DIR) / other.digital_link.path.lstrip("/") / "index.json").exists()
    assert f"lot {story.batch.pk} " in caplog.text
