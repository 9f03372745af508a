"""Finding excursions in one device's readings: pure functions, no database.

An excursion of a kind (too warm, too cold, humidity out of range) starts at the first reading outside the range
and ends at the next reading back inside it; a run still outside at the last reading is open and ends, for now,
at that reading. It counts once it lasts longer than the profile's tolerance (with tolerance 0, any reading
outside counts). Readings without a value of a kind neither start nor end that kind's run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol


class ReadingLike(Protocol):
    @property
    def time(self) -> datetime: ...
    @property
    def temperature(self) -> int | None: ...
    @property
    def humidity(self) -> int | None: ...
    @property
    def latitude(self) -> Decimal | None: ...
    @property
    def longitude(self) -> Decimal | None: ...


@dataclass(frozen=True)
class Limits:
    """A profile's range in tenths, and its tolerance in minutes."""

    temperature_min: int
    temperature_max: int
    humidity_min: int | None
    humidity_max: int | None
    tolerance_minutes: int


@dataclass(frozen=True)
class Found:
    """An excursion found in a series of readings."""

    kind: str
    start: datetime
    end: datetime
    peak: int
    limit: int
    still_open: bool
    latitude: Decimal | None
    longitude: Decimal | None

    @property
    def duration_minutes(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)


def _outside(kind: str, reading: ReadingLike, limits: Limits) -> bool | None:
    """True/False for a reading with a value of this kind; None when it has none."""
    if kind == "humid":
        if reading.humidity is None or limits.humidity_min is None or limits.humidity_max is None:
            return None
        return not limits.humidity_min <= reading.humidity <= limits.humidity_max
    if reading.temperature is None:
        return None
    if kind == "too_warm":
        return reading.temperature > limits.temperature_max
    return reading.temperature < limits.temperature_min


def _peak_and_limit(kind: str, run: list[ReadingLike], limits: Limits) -> tuple[int, int]:
    if kind == "too_warm":
        return max(r.temperature or 0 for r in run), limits.temperature_max
    if kind == "too_cold":
        return min(r.temperature or 0 for r in run), limits.temperature_min
    low, high = limits.humidity_min or 0, limits.humidity_max or 0
    worst = max(run, key=lambda r: max((r.humidity or 0) - high, low - (r.humidity or 0)))
    value = worst.humidity or 0
    return value, high if value > high else low


def _counts(found: Found, limits: Limits) -> bool:
    if limits.tolerance_minutes == 0:
        return True
    return (found.end - found.start).total_seconds() > limits.tolerance_minutes * 60


def excursions_find(readings: Sequence[ReadingLike], limits: Limits) -> list[Found]:
    """The excursions in one device's readings (sorted by time), oldest first."""
    found: list[Found] = []
    for kind in ("too_warm", "too_cold", "humid"):
        run: list[ReadingLike] = []
        for reading in readings:
            outside = _outside(kind, reading, limits)
            if outside is None:
                continue
            if outside:
                run.append(reading)
            elif run:
                found.append(_found(kind, run, end=reading.time, still_open=False, limits=limits))
                run = []
        if run:
            found.append(_found(kind, run, end=run[-1].time, still_open=True, limits=limits))
    return sorted((f for f in found if _counts(f, limits)), key=lambda f: (f.start, f.kind))


def _found(kind: str, run: list[ReadingLike], *, end: datetime, still_open: bool, limits: Limits) -> Found:
    peak, limit = _peak_and_limit(kind, run, limits)
    located = next((r for r in run if r.latitude is not None and r.longitude is not None), None)
    return Found(
        kind=kind,
        start=run[0].time,
        end=end,
        peak=peak,
        limit=limit,
        still_open=still_open,
        latitude=located.latitude if located else None,
        longitude=located.longitude if located else None,
    )
