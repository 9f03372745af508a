"""Models that changed context keep their rows: a database migrated before the moves migrates with no data movement.

The database is taken back to the migration state of main before the moves (ADR 0014), filled through the
historical models as that code would have, then migrated forward; the rows, their content types and the admin
history pointing at them are all still there, read through today's models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinren.attest.models import SigningKey
from xinren.costs.models import CostBreakdown
from xinren.lab.models import LabMeasurement, LabReport
from xinren.verification.models import Credential, CredentialCheck, RegistryImport, RegistryRecord

# The last migration of each app as main had it before the contexts moved; the new apps did not exist.
BEFORE_THE_MOVES = [
    ("accounts", "0002_signingkey"),
    ("catalog", "0002_cost_breakdown"),
    ("trace", "0003_lab_reports"),
    ("governance", "0001_initial"),
    ("attest", None),
    ("costs", None),
    ("lab", None),
    ("verification", None),
]
MOVED = {
    # model class -> (app label before, model name)
    SigningKey: ("accounts", "signingkey"),
    CostBreakdown: ("catalog", "costbreakdown"),
    LabReport: ("trace", "labreport"),
    LabMeasurement: ("trace", "labmeasurement"),
    RegistryImport: ("governance", "registryimport"),
    RegistryRecord: ("governance", "registryrecord"),
    Credential: ("governance", "credential"),
    CredentialCheck: ("governance", "credentialcheck"),
}


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _leaves() -> list[tuple[str, str | None]]:
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _fill_as_before(apps) -> None:  # type: ignore[no-untyped-def]
    """One row of every moved model (and its parents), written through the pre-move historical models."""
    now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    organization = apps.get_model("accounts", "Organization").objects.create(
        name="昆明山野菌菇店", slug="shanye", kind="merchant", uscc="91530100MA0000001X", region="云南省昆明市"
    )
    lab = apps.get_model("accounts", "Organization").objects.create(
        name="云南食品检测中心", slug="yn-lab", kind="lab", uscc="91530100MA0000002X", region="云南省昆明市"
    )
    apps.get_model("accounts", "SigningKey").objects.create(
        organization=organization, key_id="ab" * 32, public_key=b"\x01" * 32, custodial=False
    )
    product = apps.get_model("catalog", "Product").objects.create(
        merchant=organization, gtin="06901234567892", name="野生牛肝菌", category="wild_mushroom",
        origin_region="云南省楚雄州南华县", status="active",
    )
    batch = apps.get_model("catalog", "Batch").objects.create(
        product=product, lot="L20261130", production_date=dt.date(2026, 11, 30), quantity=10
    )
    apps.get_model("catalog", "CostBreakdown").objects.create(
        product=product, version=1, price_fen=6800, raw_material=3000, processing=1000, packaging=500,
        logistics=800, platform_fees=500, profit=1000, published_at=now, ledger_leaf_hash="ab" * 32,
    )
    report = apps.get_model("trace", "LabReport").objects.create(
        lab=lab, batch=batch, accreditation="CMA 2026-0001", sample_id="S-1", sampled_at=now, method="GB 23200.113",
        table_version="2026.1", ledger_leaf_hash="cd" * 32,
    )
    apps.get_model("trace", "LabMeasurement").objects.create(
        report=report, position=0, indicator="cadmium", value=Decimal("0.05"), unit="mg/kg"
    )
    registry_import = apps.get_model("governance", "RegistryImport").objects.create(
        kind="organic", source="CNCA", version=1, sha256="ef" * 32, row_count=1
    )
    apps.get_model("governance", "RegistryRecord").objects.create(
        registry_import=registry_import, kind="organic", source="CNCA", row_number=1, number="ORG-1",
        holder_name="昆明山野菌菇店", status="valid",
    )
    credential = apps.get_model("governance", "Credential").objects.create(
        organization=organization, kind="organic", number="ORG-1", holder_name="昆明山野菌菇店", status="verified"
    )
    apps.get_model("governance", "CredentialCheck").objects.create(
        organization=organization, credential=credential, kind="organic", number="ORG-1",
        holder_name="昆明山野菌菇店", verifier="registry", status="valid", checked_at=now,
        ledger_leaf_hash="12" * 32,
    )
    # Content types as the running site had created them, and an admin history row pointing at one of them.
    content_type = apps.get_model("contenttypes", "ContentType")
    for old_label, model_name in MOVED.values():
        content_type.objects.get_or_create(app_label=old_label, model=model_name)
    user = apps.get_model("accounts", "User").objects.create(username="operator", display_name="运营")
    apps.get_model("admin", "LogEntry").objects.create(
        user=user, content_type=content_type.objects.get(app_label="trace", model="labreport"),
        object_id=str(report.pk), object_repr="CMA 2026-0001 / S-1", action_flag=ADDITION, action_time=now,
    )


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_moves_keeps_every_row_and_its_history():
    # given a database at the migration state of main before the moves, with a row in every moved table
    leaves = _leaves()
    executor = _migrate(BEFORE_THE_MOVES)
    executor.loader.build_graph()  # re-read what is applied now
    before = executor._create_project_state(with_applied_migrations=True).apps
    try:
        _fill_as_before(before)
        # when it is migrated forward
        _migrate(leaves)
    finally:
        _migrate(leaves)  # leave the schema as every other test expects it

    # then each moved model reads its rows from the same table under its new app
    assert {model: model.objects.count() for model in MOVED} == dict.fromkeys(MOVED, 1)
    assert LabReport.objects.get().measurements.get().indicator == "cadmium"
    assert CostBreakdown.objects.get().product.gtin == "06901234567892"
    assert CredentialCheck.objects.get().credential.number == "ORG-1"
    assert SigningKey.objects.get().organization.slug == "shanye"
    # and the content types followed their models, so the admin history still points at the report
    assert not ContentType.objects.filter(app_label__in=["accounts", "trace", "catalog", "governance"],
                                          model__in=[name for _label, name in MOVED.values()]).exists()
    entry = LogEntry.objects.get()
    assert entry.content_type.app_label == "lab"
    assert entry.get_edited_object() == LabReport.objects.get()
