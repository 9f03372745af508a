"""Reading the first worksheet of an .xlsx registry export as rows of text, for registry_csv's checks.

Chinese issuing bodies export spreadsheets more often than CSV. Cells come back as the text a person sees: dates as
YYYY-MM-DD, whole numbers without ".0" (a number column of certificate numbers stays "20150001", not 20150001.0).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx file is a zip archive


class XlsxError(Exception):
    """The bytes are not a readable .xlsx workbook."""


def is_xlsx(data: bytes) -> bool:
    return data.startswith(XLSX_MAGIC)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def xlsx_rows(data: bytes, max_rows: int) -> Iterator[list[str]]:
    """The cells of the first worksheet, row by row as text (at most `max_rows` + 1 rows are read)."""
    import openpyxl  # type: ignore[import-untyped,unused-ignore]

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise XlsxError(str(exc)) from None
    try:
        sheet = workbook.worksheets[0]
        for count, row in enumerate(sheet.iter_rows(values_only=True)):
            if count > max_rows:
                break
            yield [_text(value) for value in row]
    finally:
        workbook.close()
