"""Money is an integer number of fen (分). Never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput


class FenField(models.BigIntegerField):
    """An amount in fen (1/100 yuan)."""

    description = _("金额（分）")


# Ten trillion yuan: past any price or balance, and inside every integer column (quantizing a number like 1e190
# raised InvalidOperation, a 500).
MAX_FEN = 10**15


def yuan_to_fen(value: str | int | Decimal) -> int:
    """Parse a yuan amount such as "12.30" into 1230 fen; refuses fractions of a fen and absurd magnitudes."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidInput("money.invalid", _("不是有效的金额"), details={"value": str(value)}) from exc
    if not amount.is_finite():
        raise InvalidInput("money.invalid", _("不是有效的金额"), details={"value": str(value)})
    fen = amount * 100
    if abs(fen) > MAX_FEN:
        raise InvalidInput(
            "money.out_of_range", _("金额超出范围"), details={"value": str(value)[:64], "max_fen": MAX_FEN}
        )
    if fen != fen.to_integral_value():
        raise InvalidInput("money.sub_fen", _("金额最多两位小数"), details={"value": str(value)})
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> str:
    """Format 1230 as "12.30"."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
