"""The database refuses to change or delete signed rows (core.immutable), exactly as the declarations ask."""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from tests.fixtures.immutable import tampering
from xinren.attest.records import signed_records, signed_tables
from xinren.core.immutable import create_sql, installed_triggers
from xinren.trace.models import TraceEvent
from xinren.trace.services import event_record

from ..factories import ItemFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2026, 8, 20, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _expected() -> dict[str, str]:
    tables, children = signed_tables()
    names = {signed.update_trigger: signed.table for signed in tables}
    names |= {signed.delete_trigger: signed.table for signed in tables}
    names |= {f"{table}_{event}_signed": table for table in children for event in ("update", "delete")}
    return names


def test_the_installed_triggers_are_the_ones_the_declarations_ask_for() -> None:
    # a declaration changed without a migration (or a migration that rebuilt a table on SQLite) shows here
    assert installed_triggers(connection) == _expected()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps each trigger's text; PostgreSQL rewrites it")
def test_each_trigger_protects_the_declared_columns() -> None:
    tables, children = signed_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_signed'")
        installed = {row[0] for row in cursor.fetchall()}
    assert installed == set(create_sql(tables, children, vendor="sqlite"))


def test_every_app_with_signed_records_installs_its_triggers_in_a_migration() -> None:
    for label in sorted({record.model._meta.app_label for record in signed_records()}):
        migrations = pathlib.Path(apps.get_app_config(label).path) / "migrations"
        assert any(migrations.glob("*_signed_rows_immutable.py")), label


def _signed_event(merchant_actor) -> TraceEvent:  # type: ignore[no-untyped-def]
    item = ItemFactory(batch__product__merchant=merchant_actor.organization)
    return event_record(actor=merchant_actor, event_type="ObjectEvent", biz_step="packing", event_time=WHEN,
                        identifiers=[item.digital_link.path])


def test_a_signed_event_cannot_be_edited_deleted_or_unsigned(merchant_actor) -> None:  # type: ignore[no-untyped-def]
    event = _signed_event(merchant_actor)
    assert event.ledger_leaf_hash
    attempts = [
        lambda: TraceEvent.objects.filter(pk=event.pk).update(document={**event.document, "bizStep": "inspecting"}),
        lambda: TraceEvent.objects.filter(pk=event.pk).update(ledger_leaf_hash=""),
        lambda: TraceEvent.objects.filter(pk=event.pk).update(biz_step="inspecting"),
        lambda: TraceEvent.objects.filter(pk=event.pk).delete(),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="signed record"), transaction.atomic():
            attempt()
    event.refresh_from_db()
    assert event.biz_step == "packing" and event.ledger_leaf_hash


def test_the_triggers_can_only_be_lifted_by_dropping_them(merchant_actor) -> None:  # type: ignore[no-untyped-def]
    # an attacker with DDL rights can still edit: the audit and the page catch that (tests/attest/test_tamper.py)
    event = _signed_event(merchant_actor)
    with tampering():
        TraceEvent.objects.filter(pk=event.pk).update(biz_step="inspecting")
    assert installed_triggers(connection) == _expected()
    with pytest.raises(IntegrityError), transaction.atomic():
        TraceEvent.objects.filter(pk=event.pk).update(biz_step="packing")
