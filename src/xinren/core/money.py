"""Money is an integer number of fen (分). Never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput


class FenField(models.BigIntegerField):
    """An amount in fen (1/100 yuan)."""

    description = _("金额（分）")


def yuan_to_fen(value: str | int | Decimal) -> int:
    """Parse a yuan amount such as "12.30" into 1230 fen; refuses fractions of a fen."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidInput("money.invalid", _("不是有效的金额"), details={"value": str(value)}) from exc
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise InvalidInput("money.sub_fen", _("金额最多两位小数"), details={"value": str(value)})
    return int(fen.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan(fen: int) -> str:
    """Format 1230 as "12.30"."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
