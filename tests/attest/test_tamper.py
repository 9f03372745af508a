"""The tamper suite: every kind of direct database edit an operator or attacker could make to a signed record is
found by `xinren ledger audit` (the log's own audit and the two-way reconciliation) and shown on the consumer page.

Each case lifts the signed-row triggers first (`tampering()`), as someone with the rights to drop them would. Runs on
SQLite and on PostgreSQL (CI runs the suite on both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.factories import actor_for
from tests.fixtures.immutable import tampering
from xinren.accounts.choices import Role
from xinren.attest.audit import (
    EDITED,
    MISSING,
    SIGNER,
    STALE,
    UNKNOWN,
    UNSIGNED,
    ReconcileReport,
    audit_two_way,
    records_reconcile,
)
from xinren.catalog.gs1 import DigitalLink
from xinren.catalog.models import Batch
from xinren.cli import main as xinren_main
from xinren.coldchain.models import ColdChainProfile, ReadingBatch
from xinren.coldchain.services import profile_set
from xinren.demo.loader import DemoWorld
from xinren.lab.models import LabMeasurement, LabReport
from xinren.ledger.store.audit import log_audit
from xinren.ledger.store.models import TreeHash
from xinren.ledger.store.selectors import inclusion_proof_get
from xinren.ledger.store.sequencer import log_integrate_all
from xinren.reviews.models import Review
from xinren.trace.models import TraceEvent

GAP = "条记录在此处缺失或被改动"


@dataclass(frozen=True)
class Case:
    kind: str  # what the reconciliation reports
    record: str
    edit: Callable[[], str]  # makes the edit, returns the path of the page that must show it


def _lot_path(batch: Batch) -> str:
    return DigitalLink(gtin=batch.product.gtin, lot=batch.lot).path


def _event() -> TraceEvent:
    return TraceEvent.objects.filter(is_error_declaration=False).exclude(
        subjects__batch=None
    ).select_related("organization").order_by("pk").first()  # type: ignore[return-value]


def _event_lot(event: TraceEvent) -> Batch:
    return Batch.objects.select_related("product").get(pk=event.subjects.exclude(batch=None).first().batch_id)  # type: ignore[union-attr]


def edit_event_document() -> str:
    event = _event()
    TraceEvent.objects.filter(pk=event.pk).update(document={**event.document, "bizStep": "inspecting"})
    return _lot_path(_event_lot(event))


def delete_event() -> str:
    event = _event()
    path = _lot_path(_event_lot(event))
    event.subjects.all().delete()
    TraceEvent.objects.filter(pk=event.pk).delete()
    return path


def clear_event_leaf_hash() -> str:
    event = _event()
    TraceEvent.objects.filter(pk=event.pk).update(ledger_leaf_hash="")
    return _lot_path(_event_lot(event))


def rekey_event() -> str:
    event = _event()
    other = TraceEvent.objects.exclude(organization=event.organization).values_list("organization", flat=True).first()
    TraceEvent.objects.filter(pk=event.pk).update(organization_id=other)
    return _lot_path(_event_lot(event))


def repoint_event() -> str:
    # the row now names another event's entry: its own entry is orphaned, and the row says something else
    event, other = TraceEvent.objects.exclude(ledger_leaf_hash="").order_by("pk")[:2]
    TraceEvent.objects.filter(pk=event.pk).update(ledger_leaf_hash="ab" * 32)
    return _lot_path(_event_lot(event)) if event.subjects.exclude(batch=None).exists() else _lot_path(_event_lot(other))


def edit_lab_value() -> str:
    measurement = LabMeasurement.objects.exclude(value=None).select_related("report__batch__product").first()
    assert measurement is not None
    LabMeasurement.objects.filter(pk=measurement.pk).update(value=measurement.value / 10)  # type: ignore[operator]
    return _lot_path(measurement.report.batch)


def delete_lab_report() -> str:
    report = LabReport.objects.select_related("batch__product").order_by("pk").first()
    assert report is not None
    report.measurements.all().delete()
    LabReport.objects.filter(pk=report.pk).delete()
    return _lot_path(report.batch)


def edit_review_text() -> str:
    review = Review.objects.select_related("product").order_by("pk").first()
    assert review is not None
    Review.objects.filter(pk=review.pk).update(text="其实一般般")
    return review.product.digital_link.path


def delete_review() -> str:
    review = Review.objects.select_related("product").filter(reply=None, folds=None, diary_entries=None).first()
    assert review is not None
    # straight in SQL, as an attacker would (the model refuses to delete a review), with the rows that point at it
    with connection.cursor() as cursor:
        for relation in Review._meta.related_objects:
            table, column = relation.related_model._meta.db_table, relation.field.column
            cursor.execute(f'DELETE FROM "{table}" WHERE "{column}" = %s', [review.pk])
        cursor.execute('DELETE FROM "reviews_review" WHERE id = %s', [review.pk])
    return review.product.digital_link.path


def delete_reading_batch() -> str:
    batch = ReadingBatch.objects.select_related("leg__batch__product").order_by("pk").first()
    assert batch is not None
    batch.readings.all().delete()
    ReadingBatch.objects.filter(pk=batch.pk).delete()
    return _lot_path(batch.leg.batch)


def roll_back_profile() -> str:
    # the merchant narrows the range (a new statement); then the row is put back to the older statement: it
    # matches that entry, but not the latest about the product
    profile = ColdChainProfile.objects.select_related("product__merchant").order_by("pk").first()
    assert profile is not None
    profile_set(
        actor=actor_for(profile.product.merchant, Role.ADMIN), product_id=profile.product_id,
        temperature_min=Decimal(profile.temperature_min + 5) / 10,
        temperature_max=Decimal(profile.temperature_max) / 10,
    )
    ColdChainProfile.objects.filter(pk=profile.pk).update(
        ledger_leaf_hash=profile.ledger_leaf_hash, temperature_min=profile.temperature_min
    )
    return profile.product.digital_link.path


CASES = {
    "edited event document": Case(EDITED, "trace.TraceEvent", edit_event_document),
    "deleted event": Case(MISSING, "trace.TraceEvent", delete_event),
    "cleared event leaf hash": Case(UNSIGNED, "trace.TraceEvent", clear_event_leaf_hash),
    "event moved to another signer": Case(SIGNER, "trace.TraceEvent", rekey_event),
    "event re-pointed at a hash the log lacks": Case(UNKNOWN, "trace.TraceEvent", repoint_event),
    "edited lab value": Case(EDITED, "lab.LabReport", edit_lab_value),
    "deleted lab report": Case(MISSING, "lab.LabReport", delete_lab_report),
    "edited review text": Case(EDITED, "reviews.Review", edit_review_text),
    "deleted review": Case(MISSING, "reviews.Review", delete_review),
    "deleted reading batch": Case(MISSING, "coldchain.ReadingBatch", delete_reading_batch),
    "cold-chain range rolled back": Case(STALE, "coldchain.ColdChainProfile", roll_back_profile),
}


def assert_the_log_audits_pass_finds_the_same(report: ReconcileReport) -> None:
    """`xinren ledger audit` checks rows in the log audit's own pass: it must find what the separate pass finds."""
    log, fused = audit_two_way(workers=1)
    assert log.ok, log.problem
    assert fused.problems == report.problems
    assert (fused.rows, fused.entries) == (report.rows, report.entries)


def test_the_untouched_demo_reconciles(demo_world: DemoWorld) -> None:
    report = records_reconcile()
    assert report.problems == [] and report.rows > 100 and report.entries > 100
    assert_the_log_audits_pass_finds_the_same(report)


@pytest.mark.parametrize("name", list(CASES))
def test_every_edit_is_found_by_the_audit_and_shown_on_the_page(
    name: str, demo_world: DemoWorld, client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    log_integrate_all()
    with tampering():
        path = case.edit()
    # the audit names the record and what is wrong with it, and exits 1
    report = records_reconcile()
    assert (case.kind, case.record) in {(p.kind, p.record) for p in report.problems}, report.problems
    assert_the_log_audits_pass_finds_the_same(report)
    assert xinren_main(["ledger", "audit", "--workers", "1"]) == 1
    assert "records INCONSISTENT" in capsys.readouterr().out
    # the page never shows a silent gap or a false ✓
    page = client.get(path, HTTP_ACCEPT="text/html").content.decode()
    assert GAP in page


def test_a_corrupted_tree_hash_is_found_by_the_audit(demo_world: DemoWorld) -> None:
    log_integrate_all()
    stored = TreeHash.objects.order_by("id")[3]
    TreeHash.objects.filter(id=stored.id).update(hash=bytes(32))
    problem = log_audit().problem
    assert problem is not None and "hash" in problem.message


def test_a_corrupted_tree_hash_is_shown_on_the_page(demo_world: DemoWorld, client: Client) -> None:
    # every record whose inclusion proof passes through the corrupted hash loses its ✓
    log_integrate_all()
    event = _event()
    path = _lot_path(_event_lot(event))
    assert "此记录与透明日志中签名的内容不一致" not in client.get(path, HTTP_ACCEPT="text/html").content.decode()
    proof = inclusion_proof_get(leaf_hash=bytes.fromhex(event.ledger_leaf_hash))
    assert TreeHash.objects.filter(hash=proof.path[0]).update(hash=bytes(32)) >= 1  # a hash on the event's path
    assert "此记录与透明日志中签名的内容不一致" in client.get(path, HTTP_ACCEPT="text/html").content.decode()
