"""Parsing an issuing body's CSV export into registry rows: every row checked before anything is written.

Columns (header row, English or Chinese names, any order; extra columns are ignored):

| column        | 中文名            | required | format                                     |
|---------------|-------------------|----------|--------------------------------------------|
| number        | 证书编号          | yes      | text, unique in the file                   |
| holder_name   | 持有人名称        | yes      | the holder's legal name                    |
| holder_uscc   | 统一社会信用代码  | no       | 18 characters with a valid check character |
| scope         | 认证范围          | no       | products covered, separated by ；or 、     |
| region        | 地区              | no       | e.g. 云南省普洱市                          |
| valid_from    | 生效日期          | no       | YYYY-MM-DD (or YYYY/MM/DD)                 |
| valid_until   | 有效期至          | no       | YYYY-MM-DD (or YYYY/MM/DD)                 |
| status        | 状态              | yes      | valid/有效, suspended/暂停, revoked/撤销    |

Encodings: UTF-8 (with or without a byte-order mark), else GB18030 (which reads GBK and GB2312 too), as
Chinese offices' spreadsheets save CSV. An .xlsx workbook (its first worksheet) is read the same way
(registry_xlsx.py); the bytes tell which, not the file name. Row numbers in errors count the header as row 1, as a
spreadsheet shows them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from xinren.accounts.uscc import uscc_is_valid

from .choices import RecordStatus
from .registry_xlsx import XlsxError, is_xlsx, xlsx_rows

COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("number", "证书编号"),
    "holder_name": ("holder_name", "持有人名称", "持有人"),
    "holder_uscc": ("holder_uscc", "统一社会信用代码"),
    "scope": ("scope", "认证范围", "产品"),
    "region": ("region", "地区"),
    "valid_from": ("valid_from", "生效日期"),
    "valid_until": ("valid_until", "有效期至"),
    "status": ("status", "状态"),
}
REQUIRED = ("number", "holder_name", "status")
STATUS_WORDS = {
    "valid": RecordStatus.VALID,
    "有效": RecordStatus.VALID,
    "suspended": RecordStatus.SUSPENDED,
    "暂停": RecordStatus.SUSPENDED,
    "revoked": RecordStatus.REVOKED,
    "撤销": RecordStatus.REVOKED,
}
MAX_ROWS = 200_000
MAX_ERRORS = 50


@dataclass(frozen=True)
class ParsedRow:
    """One checked registry row."""

    row_number: int
    number: str
    holder_name: str
    holder_uscc: str
    scope: str
    region: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    status: str


@dataclass(frozen=True)
class RowError:
    """Why one cell (or the header) was refused."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class RegistryCsvError(Exception):
    """The file was refused; `errors` lists every problem found (up to MAX_ERRORS)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"row {e.row} {e.column}: {e.message}" for e in errors))
        self.errors = errors


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text.replace("/", "-"))


def _header(fields: list[str]) -> tuple[dict[str, int], list[RowError]]:
    names = [name.strip().lstrip("\ufeff") for name in fields]
    index: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        for position, name in enumerate(names):
            if name in aliases:
                index[column] = position
                break
    errors = [RowError(1, column, _("缺少列")) for column in REQUIRED if column not in index]
    return index, errors


def registry_text_decode(data: bytes) -> str:
    """The text of a CSV export: UTF-8 (a byte-order mark dropped), else GB18030; RegistryCsvError when neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise RegistryCsvError(
                [
                    RowError(
                        0,
                        "",
                        _("文件既不是 UTF-8 也不是 GBK/GB18030 编码（第 %(byte)s 字节）：请另存为 UTF-8 CSV 或 .xlsx")
                        % {"byte": utf8.start},
                    )
                ]
            ) from None


def _file_rows(data: bytes) -> Iterator[list[str]]:
    if is_xlsx(data):
        try:
            yield from xlsx_rows(data, MAX_ROWS + 1)
        except XlsxError:
            raise RegistryCsvError(
                [RowError(0, "", _("无法读取 .xlsx 文件：请确认文件未损坏，或另存为 CSV"))]
            ) from None
        return
    yield from csv.reader(io.StringIO(registry_text_decode(data), newline=""))


def registry_csv_parse(data: bytes) -> list[ParsedRow]:
    """Every row of the file (CSV in UTF-8 or GBK/GB18030, or .xlsx), or RegistryCsvError naming each bad cell."""
    return registry_rows_parse(_file_rows(data))


def registry_rows_parse(source: Iterable[list[str]]) -> list[ParsedRow]:
    """Every row, the first being the header, or RegistryCsvError naming each bad row and column."""
    reader = iter(source)
    header = next(reader, None)
    if header is None:
        raise RegistryCsvError([RowError(1, "", _("文件为空"))])
    index, errors = _header(header)
    if errors:
        raise RegistryCsvError(errors)
    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for row_number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(RowError(row_number, "", _("超过 %(max)s 行") % {"max": MAX_ROWS}))
            break

        def cell(column: str, cells: list[str] = cells) -> str:
            position = index.get(column)
            return cells[position].strip() if position is not None and position < len(cells) else ""

        row_errors: list[RowError] = []
        number, holder_name, uscc = cell("number"), cell("holder_name"), cell("holder_uscc").upper()
        if not number:
            row_errors.append(RowError(row_number, "number", _("必填")))
        elif len(number) > 64:
            row_errors.append(RowError(row_number, "number", _("超过 64 个字符")))
        elif number in seen:
            row_errors.append(RowError(row_number, "number", _("与第 %(row)s 行编号重复") % {"row": seen[number]}))
        else:
            seen[number] = row_number
        if not holder_name:
            row_errors.append(RowError(row_number, "holder_name", _("必填")))
        if uscc and not uscc_is_valid(uscc):
            row_errors.append(RowError(row_number, "holder_uscc", _("统一社会信用代码无效")))
        status = STATUS_WORDS.get(cell("status").lower())
        if status is None:
            row_errors.append(RowError(row_number, "status", _("未知的状态：%(value)s") % {"value": cell("status")}))
        dates: dict[str, dt.date | None] = {}
        for column in ("valid_from", "valid_until"):
            value = cell(column)
            try:
                dates[column] = _date(value) if value else None
            except ValueError:
                row_errors.append(
                    RowError(row_number, column, _("日期格式应为 YYYY-MM-DD：%(value)s") % {"value": value})
                )
                dates[column] = None
        start, end = dates["valid_from"], dates["valid_until"]
        if start is not None and end is not None and end < start:
            row_errors.append(RowError(row_number, "valid_until", _("早于生效日期")))
        if row_errors:
            errors.extend(row_errors)
            if len(errors) >= MAX_ERRORS:
                break
            continue
        assert status is not None
        rows.append(
            ParsedRow(
                row_number=row_number,
                number=number,
                holder_name=holder_name[:128],
                holder_uscc=uscc,
                scope=cell("scope")[:255],
                region=cell("region")[:128],
                valid_from=start,
                valid_until=end,
                status=status,
            )
        )
    if errors:
        raise RegistryCsvError(errors[:MAX_ERRORS])
    return rows
