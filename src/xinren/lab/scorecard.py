"""Stars for lab measurements: each value against its limit, the overall grade, and what would raise it.

Maxima (≤ or <): the value as a share of the limit.
    ≤ 10 % → 5★, ≤ 30 % → 4★, ≤ 60 % → 3★, ≤ 100 % → 2★ (< 100 % when the limit itself does not comply),
    above → 1★ and the indicator exceeds its limit. Not detected (below the method's LOD) → 5★.
Minima (≥ or >): the value as a multiple of the limit.
    ≥ 130 % → 5★, ≥ 120 % → 4★, ≥ 110 % → 3★, ≥ 100 % → 2★ (> 100 % for ">"), below → 1★ and fails.
    Not detected → 1★ and fails (a required content is missing).
Must be absent (pathogens): not detected or 0 → 5★, anything detected → 1★ and exceeds.

The overall grade is the lowest indicator's stars: a report is as good as its weakest result, so one
exceedance caps the grade at 1★ however good the rest is. Band edges are inclusive as written above;
everything is computed in Decimal, so a value exactly on an edge lands in the better band.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from typing_extensions import TypedDict

from .thresholds import Comparator, Limit

SCORECARD_VERSION = "1"
MAXIMUM_BANDS = ((5, Decimal("0.1")), (4, Decimal("0.3")), (3, Decimal("0.6")), (2, Decimal("1")))
MINIMUM_BANDS = ((5, Decimal("1.3")), (4, Decimal("1.2")), (3, Decimal("1.1")), (2, Decimal("1")))


class Suggestion(TypedDict):
    """What one indicator below 5★ would need to reach the next band."""

    indicator: str
    stars: int
    target_stars: int
    comparator: str  # a Comparator value
    value: str | None  # None for "must be absent"
    unit: str
    lifts_overall: bool  # it holds the overall grade down


@dataclass(frozen=True)
class Grade:
    """One indicator's result: its stars and whether it breaks its limit."""

    stars: int
    exceeds: bool


def decimal_text(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 0.50 → "0.5", 1E+1 → "10"."""
    return f"{value.normalize():f}"


def _complies_at_limit(comparator: Comparator) -> bool:
    return comparator in (Comparator.LE, Comparator.GE)


def indicator_grade(*, limit: Limit, value: Decimal | None) -> Grade:
    """Stars of one measured value (None = not detected) against its limit."""
    comparator = limit.comparator
    if comparator == Comparator.ABSENT:
        return Grade(5, False) if value is None or value == 0 else Grade(1, True)
    if comparator in (Comparator.LE, Comparator.LT):
        if value is None:
            return Grade(5, False)
        for stars, share in MAXIMUM_BANDS:
            edge = limit.limit * share
            if value < edge or (value == edge and (share != 1 or _complies_at_limit(comparator))):
                return Grade(stars, False)
        return Grade(1, True)
    if value is None:
        return Grade(1, True)
    for stars, share in MINIMUM_BANDS:
        edge = limit.limit * share
        if value > edge or (value == edge and (share != 1 or _complies_at_limit(comparator))):
            return Grade(stars, False)
    return Grade(1, True)


def _target(limit: Limit, stars: int) -> dict[str, Any]:
    """The condition a value must meet to reach `stars` (the band directly above its current one)."""
    if limit.comparator == Comparator.ABSENT:
        return {"comparator": Comparator.ABSENT.value, "value": None}
    maximum = limit.comparator in (Comparator.LE, Comparator.LT)
    share = dict(MAXIMUM_BANDS if maximum else MINIMUM_BANDS)[stars]
    # Below the limit's own edge the bands are inclusive, whatever the limit's comparator.
    inclusive = Comparator.LE if maximum else Comparator.GE
    comparator = limit.comparator if share == 1 else inclusive
    return {"comparator": comparator.value, "value": decimal_text(limit.limit * share)}


def overall_grade(grades: list[Grade]) -> int:
    """The lowest stars among the indicators (1 when any exceeds)."""
    return min(grade.stars for grade in grades) if grades else 0


def suggestions(*, results: list[tuple[Limit, Grade]]) -> list[Suggestion]:
    """For each indicator below 5★, the value it would need for the next band; `lifts_overall` marks the
    indicators holding the overall grade down (all of them must improve to raise it)."""
    overall = overall_grade([grade for _, grade in results])
    out: list[Suggestion] = []
    for limit, grade in results:
        if grade.stars >= 5:
            continue
        # A pathogen has no bands in between: detected is 1★, absent is 5★.
        target_stars = 5 if limit.comparator == Comparator.ABSENT else grade.stars + 1
        target = _target(limit, target_stars)
        out.append(
            {
                "indicator": limit.indicator,
                "stars": grade.stars,
                "target_stars": target_stars,
                "comparator": target["comparator"],
                "value": target["value"],
                "unit": limit.unit,
                "lifts_overall": grade.stars == overall,
            }
        )
    return out
