"""Registry exports as Chinese offices save them: CSV in GBK/GB18030 or UTF-8 with a BOM, and .xlsx workbooks."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from xinren.core.errors import InvalidInput
from xinren.verification.models import RegistryRecord
from xinren.verification.registry_csv import RegistryCsvError, registry_csv_parse
from xinren.verification.services import registry_import

from ..factories import make_uscc

USCC = make_uscc()
CHINESE_HEADER = "证书编号,持有人名称,统一社会信用代码,认证范围,地区,生效日期,有效期至,状态\n"
ROW = f"SC11453080200013,云南普洱茶业（集团）有限公司,{USCC},茶叶；普洱茶,云南省普洱市,2024-01-01,2029-12-31,有效\n"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_each_encoding_reads_the_same(encoding):
    data = (CHINESE_HEADER + ROW).encode(encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # real GBK bytes, not UTF-8 that happens to decode
    [row] = registry_csv_parse(data)
    assert (row.number, row.holder_name, row.holder_uscc, row.scope, row.region, row.status) == (
        "SC11453080200013",
        "云南普洱茶业（集团）有限公司",
        USCC,
        "茶叶；普洱茶",
        "云南省普洱市",
        "valid",
    )
    assert row.valid_until == dt.date(2029, 12, 31)


def test_bytes_in_no_known_encoding_are_refused_with_the_offset():
    with pytest.raises(RegistryCsvError) as caught:
        registry_csv_parse(CHINESE_HEADER.encode("utf-8") + b"\x81\x30\xff\xff,x\n")
    [error] = caught.value.errors
    assert "GBK/GB18030" in error.message and "字节" in error.message


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


XLSX_ROWS: list[list[object]] = [
    ["证书编号", "持有人名称", "统一社会信用代码", "认证范围", "地区", "生效日期", "有效期至", "状态", "备注"],
    [
        "JY15308020012345",
        "普洱茶叶店",
        USCC,
        "茶叶",
        "云南省普洱市",
        dt.datetime(2024, 1, 1),
        dt.date(2029, 6, 30),
        "有效",
        None,
    ],
    [20150001, "滇南器械有限公司", None, None, None, None, "2030/01/31", "暂停", "数字编号"],
    [None, None, None, None, None, None, None, None, None],
]


def test_an_xlsx_workbook_reads_dates_numbers_and_empty_cells():
    first, second = registry_csv_parse(_xlsx(XLSX_ROWS))
    assert (first.number, first.valid_from, first.valid_until, first.status) == (
        "JY15308020012345",
        dt.date(2024, 1, 1),
        dt.date(2029, 6, 30),
        "valid",
    )
    assert (second.number, second.holder_uscc, second.valid_from, second.valid_until, second.status) == (
        "20150001",
        "",
        None,
        dt.date(2030, 1, 31),
        "suspended",
    )
    assert second.row_number == 3


def test_xlsx_errors_name_the_spreadsheet_row_and_column():
    rows = [XLSX_ROWS[0], ["A-1", "", None, None, None, "2024-13-01", None, "作废", None]]
    with pytest.raises(RegistryCsvError) as caught:
        registry_csv_parse(_xlsx(rows))
    assert sorted((e.row, e.column) for e in caught.value.errors) == [
        (2, "holder_name"),
        (2, "status"),
        (2, "valid_from"),
    ]


def test_a_broken_xlsx_is_refused():
    data = _xlsx(XLSX_ROWS)
    with pytest.raises(RegistryCsvError) as caught:
        registry_csv_parse(data[:200])
    assert ".xlsx" in caught.value.errors[0].message


@pytest.mark.django_db
def test_the_service_and_command_import_gbk_and_xlsx(platform, tmp_path: Path):
    registry_import(kind="food_production", source="云南省局 GBK", data=(CHINESE_HEADER + ROW).encode("gbk"))
    path = tmp_path / "导出.xlsx"
    path.write_bytes(_xlsx(XLSX_ROWS))
    out = io.StringIO()
    call_command(
        "verification_registry_import", "--kind", "food_business", "--source", "普洱市局", str(path), stdout=out
    )
    assert "imported 2 rows" in out.getvalue()
    assert sorted(RegistryRecord.objects.values_list("source", "number")) == [
        ("云南省局 GBK", "SC11453080200013"),
        ("普洱市局", "20150001"),
        ("普洱市局", "JY15308020012345"),
    ]
    path.write_bytes(_xlsx([XLSX_ROWS[0], ["X", "", None, None, None, None, None, "有效", None]]))
    with pytest.raises(CommandError, match=r"row 2 \[holder_name\]"):
        call_command("verification_registry_import", "--kind", "food_business", "--source", "普洱市局", str(path))
    with pytest.raises(InvalidInput):
        registry_import(kind="food_business", source="普洱市局", data=b"\xff\xfe\x00garbage")
    assert RegistryRecord.objects.filter(source="普洱市局").count() == 2
