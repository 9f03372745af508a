"""Order CSV export for merchants: UTF-8 with a BOM (so Excel opens Chinese text correctly), one row per order
line, amounts in yuan, times in Asia/Shanghai.

The buyer's phone is masked (138****1234) as on every console page: parcels go out on privacy waybills
(隐私面单), where the carrier reaches the recipient through a virtual number, so the full number is not needed
to ship. Any cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
return) is prefixed with an apostrophe: product names and addresses are typed by other people (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinren.core.money import fen_to_yuan
from xinren.orders.models import Order

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows per query while streaming.
CHUNK = 500


def csv_cell(value: Any) -> str:
    """A value as a CSV cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _rows(orders: QuerySet[Order]) -> Iterator[list[str]]:
    yield [
        _("订单号"), _("下单时间"), _("状态"), _("商品"), _("GTIN"), _("单价（元）"), _("数量"), _("小计（元）"),
        _("订单金额（元）"), _("收货人"), _("收货电话"), _("收货地址"), _("备注"), _("付款时间"), _("发货时间"),
    ]

    def when(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""

    for order in orders.prefetch_related("lines").iterator(chunk_size=CHUNK):
        for line in order.lines.all():
            yield [
                order.number, when(order.placed_at), str(order.get_status_display()), line.product_name, line.gtin,
                fen_to_yuan(line.unit_price_fen), str(line.quantity), fen_to_yuan(line.total_fen),
                fen_to_yuan(order.total_fen), order.recipient_name, order.recipient_phone_masked,
                order.shipping_address, order.note, when(order.paid_at), when(order.shipped_at),
            ]


def _lines(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def orders_csv(orders: QuerySet[Order], *, organization: str) -> HttpResponse:
    """The filtered orders as a CSV download (read in chunks of CHUNK orders)."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse("".join(_lines(_rows(orders))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-{organization}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
