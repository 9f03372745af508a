"""Importing an issuing body's CSV export: all rows or none, versioned, replacing that source's rows."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from xinren.core.errors import InvalidInput
from xinren.ledger.store.models import PendingEntry
from xinren.verification.models import RegistryImport, RegistryRecord

from .conftest import HEADER, csv_row, organic_import

pytestmark = pytest.mark.django_db


def test_import_creates_rows_and_a_signed_registry_statement(merchant, platform):
    # given / when
    record = organic_import(csv_row("CN-ORG-2026-000123", merchant), csv_row("CN-ORG-2026-000124", holder_name="乙"))
    # then
    assert (record.kind, record.version, record.row_count, record.superseded_at) == ("organic", 1, 2, None)
    row = RegistryRecord.objects.get(number="CN-ORG-2026-000123")
    assert (row.holder_name, row.holder_uscc, row.scope, row.region, row.row_number) == (
        merchant.name,
        merchant.uscc,
        "茶叶；普洱茶",
        "云南省普洱市",
        2,
    )
    assert str(row.valid_until) == "2027-12-31" and row.status == "valid"
    entry = PendingEntry.objects.get(statement_type="verification.registry")
    assert entry.subject == "registry:organic:国家认监委 2026-11 导出"


def test_reimport_replaces_the_sources_rows_and_keeps_the_old_import_record(merchant, platform):
    # given
    first = organic_import(csv_row("A-1", merchant), csv_row("A-2", merchant))
    other_source = organic_import(csv_row("B-1", merchant), source="省市场监管局")
    # when
    second = organic_import(csv_row("A-1", merchant, status="revoked"))
    # then
    first.refresh_from_db()
    assert second.version == 2 and first.superseded_at is not None
    assert sorted(RegistryRecord.objects.values_list("number", "status")) == [("A-1", "revoked"), ("B-1", "valid")]
    assert RegistryImport.objects.filter(source="国家认监委 2026-11 导出").count() == 2
    other_source.refresh_from_db()
    assert other_source.superseded_at is None


def test_utf8_bom_and_chinese_headers_are_accepted(merchant, platform):
    # given
    data = "\ufeff证书编号,持有人名称,统一社会信用代码,状态,有效期至\nGI-530800-0001,景迈,,有效,2028/06/30\n"
    # when
    record = organic_import_bytes(data.encode("utf-8"))
    # then
    row = RegistryRecord.objects.get(registry_import=record)
    assert (row.number, row.holder_name, row.status, str(row.valid_until)) == (
        "GI-530800-0001",
        "景迈",
        "valid",
        "2028-06-30",
    )


def organic_import_bytes(data: bytes):  # type: ignore[no-untyped-def]
    from xinren.verification.services import registry_import

    return registry_import(kind="geo_indication", source="知识产权局", data=data)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (csv_row("A-9", valid_until="2027-13-01"), [{"row": 3, "column": "valid_until"}]),
        (csv_row("A-1"), [{"row": 3, "column": "number"}]),
        (csv_row("A-9", uscc="91530100MA0000000X"), [{"row": 3, "column": "holder_uscc"}]),
        (csv_row("A-9", status="maybe"), [{"row": 3, "column": "status"}]),
        (csv_row("A-9", valid_from="2027-01-01", valid_until="2026-01-01"), [{"row": 3, "column": "valid_until"}]),
        (csv_row(""), [{"row": 3, "column": "number"}]),
    ],
)
def test_a_bad_row_refuses_the_whole_file_and_changes_nothing(merchant, platform, rows, expected):
    # given
    before = organic_import(csv_row("A-0", merchant))
    # when
    with pytest.raises(InvalidInput) as caught:
        organic_import(csv_row("A-1", merchant), rows)
    # then
    assert caught.value.code == "registry_import.csv_invalid"
    found = [{"row": e["row"], "column": e["column"]} for e in caught.value.details["errors"]]
    assert found == expected
    assert list(RegistryRecord.objects.values_list("number", flat=True)) == ["A-0"]
    assert list(RegistryImport.objects.values_list("pk", "version")) == [(before.pk, 1)]


def test_duplicate_number_names_the_first_row(merchant, platform):
    with pytest.raises(InvalidInput) as caught:
        organic_import(csv_row("A-1", merchant), csv_row("A-1", merchant))
    assert caught.value.details["errors"] == [{"row": 3, "column": "number", "message": "与第 2 行编号重复"}]
    assert RegistryRecord.objects.count() == 0


def test_a_missing_column_is_refused(platform):
    from xinren.verification.services import registry_import

    with pytest.raises(InvalidInput) as caught:
        registry_import(kind="organic", source="s", data="number,holder_name\nA-1,甲\n".encode())
    assert caught.value.details["errors"] == [{"row": 1, "column": "status", "message": "缺少列"}]
    assert RegistryImport.objects.count() == 0


def test_unknown_kind_and_empty_source_are_refused(platform):
    from xinren.verification.services import registry_import

    with pytest.raises(InvalidInput) as kind:
        registry_import(kind="halal", source="s", data=HEADER.encode())
    with pytest.raises(InvalidInput) as source:
        registry_import(kind="organic", source=" ", data=HEADER.encode())
    assert (kind.value.code, source.value.code) == ("registry_import.kind_invalid", "registry_import.source_invalid")


def test_command_imports_and_reports_row_numbered_errors(tmp_path, merchant, platform):
    # given
    good = tmp_path / "good.csv"
    good.write_text(HEADER + csv_row("CN-ORG-2026-000123", merchant), encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + csv_row("X", merchant, valid_from="yesterday"), encoding="utf-8")
    out = io.StringIO()
    # when
    call_command("verification_registry_import", "--kind", "organic", "--source", "认监委", str(good), stdout=out)
    with pytest.raises(CommandError) as caught:
        call_command("verification_registry_import", "--kind", "organic", "--source", "认监委", str(bad))
    # then
    assert out.getvalue().strip() == "imported 1 rows: 有机产品认证 · 认监委 v1"
    assert "row 2 [valid_from] 日期格式应为 YYYY-MM-DD：yesterday" in str(caught.value)
    assert list(RegistryRecord.objects.values_list("number", flat=True)) == ["CN-ORG-2026-000123"]
