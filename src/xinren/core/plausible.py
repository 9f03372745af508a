"""What the platform accepts as a possible fact: the time rules and the physical ranges (ADR 0015).

A signed statement is forever, so anything impossible is refused before it is signed. The rules that do not
depend on a context live here, once; each context applies them to its own facts (trace events, sensor readings,
lab reports, cold-chain readings) in its own validator, which every entry path of that context calls.

- A time is not later than now plus the clock skew (`XINREN_PLAUSIBLE_CLOCK_SKEW_SECONDS`, 5 min), not earlier than
  `XINREN_PLAUSIBLE_EARLIEST` (2000-01-01T00:00:00Z), and not before the thing it is about existed (the context
  says when that was).
- A measured value lies within the physical range of its quantity and unit (`PHYSICAL_RANGES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinren.core import clock
from xinren.core.errors import InvalidInput

TIME_FUTURE = "plausible.time_future"
TIME_TOO_EARLY = "plausible.time_too_early"
TIME_BEFORE_EXISTENCE = "plausible.time_before_existence"
VALUE_IMPOSSIBLE = "plausible.value_impossible"

# The earliest offset on Earth (UTC+14): a calendar date has begun somewhere from this moment on.
_EARLIEST_ZONE = timezone(timedelta(hours=14))


@dataclass(frozen=True)
class PhysicalRange:
    """The values a quantity in one unit can physically take (inclusive)."""

    low: Decimal
    high: Decimal


def _range(low: str, high: str) -> PhysicalRange:
    return PhysicalRange(Decimal(low), Decimal(high))


# Quantity (a GS1 measurement type, or a position component) → unit (UN/CEFACT Rec 20) → range. Temperatures
# cover freezers (−80 °C) to ovens and sterilisers (300 °C); nothing food touches reads beyond them.
PHYSICAL_RANGES: dict[str, dict[str, PhysicalRange]] = {
    "Temperature": {"CEL": _range("-80", "300"), "KEL": _range("193.15", "573.15"), "FAH": _range("-112", "572")},
    "RelativeHumidity": {"P1": _range("0", "100")},
    "AbsoluteHumidity": {"A93": _range("0", "600")},
    "Illuminance": {"LUX": _range("0", "200000")},
    "Pressure": {"KPA": _range("0", "1000"), "BAR": _range("0", "10"), "A97": _range("0", "10000")},
    "Speed": {"KMH": _range("0", "1200"), "MTS": _range("0", "340")},
    "latitude": {"DD": _range("-90", "90")},
    "longitude": {"DD": _range("-180", "180")},
}
# A quantity whose readings need a unit to be judged: a value without one cannot be checked, so it is refused.
UNIT_REQUIRED = frozenset({"Temperature", "RelativeHumidity", "AbsoluteHumidity"})


def clock_skew() -> timedelta:
    return timedelta(seconds=getattr(settings, "XINREN_PLAUSIBLE_CLOCK_SKEW_SECONDS", 300))


def earliest() -> datetime:
    value = getattr(settings, "XINREN_PLAUSIBLE_EARLIEST", "2000-01-01T00:00:00+00:00")
    return datetime.fromisoformat(value)


def latest() -> datetime:
    """The latest time a fact may carry now: the present plus the clock skew."""
    return clock.now() + clock_skew()


def day_began(day: date) -> datetime:
    """The first moment at which `day` had begun anywhere on Earth."""
    return datetime.combine(day, time(0), tzinfo=_EARLIEST_ZONE)


def time_check(
    moment: datetime, *, details: dict[str, Any], existed_from: datetime | None = None, now: datetime | None = None
) -> None:
    """Refuse a time in the future (beyond the skew), before `XINREN_PLAUSIBLE_EARLIEST`, or before `existed_from`.

    `details` names the field (and the event, reading or position); the time and the bound are added to it.
    """
    limit = (now if now is not None else clock.now()) + clock_skew()
    shown = _shown(moment)
    if moment > limit:
        raise InvalidInput(
            TIME_FUTURE,
            _("时间不能在未来（允许 %(minutes)d 分钟的时钟误差）") % {"minutes": clock_skew().total_seconds() // 60},
            details={**details, "time": shown, "latest": limit.isoformat()},
        )  # fmt: skip
    floor = earliest()
    if moment < floor:
        raise InvalidInput(
            TIME_TOO_EARLY, _("时间早得不合情理（早于平台接受的最早时间）"),
            details={**details, "time": shown, "earliest": floor.isoformat()},
        )  # fmt: skip
    if existed_from is not None and moment < existed_from:
        raise InvalidInput(
            TIME_BEFORE_EXISTENCE, _("时间早于所记录的商品、批次或单品存在之时"),
            details={**details, "time": shown, "existed_from": existed_from.isoformat()},
        )  # fmt: skip


def value_check(*, quantity: str, uom: str, value: Decimal | float | int, details: dict[str, Any]) -> None:
    """Refuse a measured value outside the physical range of its quantity in its unit.

    A quantity the table does not list, or a unit it does not list for it, is not judged here (the context that
    uses the reading refuses units it cannot use); a listed quantity that needs a unit and has none is refused.
    """
    ranges = PHYSICAL_RANGES.get(quantity)
    if ranges is None:
        return
    if not uom:
        if quantity in UNIT_REQUIRED:
            raise InvalidInput(
                VALUE_IMPOSSIBLE, _("该测量值须注明计量单位（如 CEL、P1）"),
                details={**details, "quantity": quantity, "units": sorted(ranges)},
            )  # fmt: skip
        return
    bounds = ranges.get(uom)
    if bounds is None:
        return
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not bounds.low <= number <= bounds.high:
        raise InvalidInput(
            VALUE_IMPOSSIBLE,
            _("测量值超出物理上可能的范围（%(quantity)s：%(low)s～%(high)s %(uom)s）")
            % {"quantity": quantity, "low": bounds.low, "high": bounds.high, "uom": uom},
            details={**details, "quantity": quantity, "uom": uom, "value": str(number)[:32],
                     "low": str(bounds.low), "high": str(bounds.high)},
        )  # fmt: skip


def _shown(moment: datetime) -> str:
    return moment.isoformat()
