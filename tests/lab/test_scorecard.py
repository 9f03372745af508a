"""Stars at the band edges, for maxima and minima with ≤/< and ≥/> semantics, not-detected, and suggestions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xinren.catalog.choices import ProductCategory
from xinren.lab.scorecard import Grade, indicator_grade, overall_grade, suggestions
from xinren.lab.thresholds import TABLES, Comparator, Limit, limits_for, unit_canonical


def _limit(comparator: Comparator, value: str = "0.3") -> Limit:
    return Limit("lead", Decimal(value), "mg/kg", comparator, "GB 2762-2022", "表1")


@pytest.mark.parametrize(
    ("value", "stars", "exceeds"),
    [
        ("0", 5, False),
        ("0.03", 5, False),  # exactly 10 % of the limit
        ("0.030001", 4, False),
        ("0.09", 4, False),  # exactly 30 %
        ("0.18", 3, False),  # exactly 60 %
        ("0.180001", 2, False),
        ("0.3", 2, False),  # exactly the limit: "≤" complies
        ("0.300001", 1, True),
    ],
)
def test_maximum_inclusive_band_edges(value, stars, exceeds):
    # given a "≤ 0.3 mg/kg" limit
    limit = _limit(Comparator.LE)
    # when
    grade = indicator_grade(limit=limit, value=Decimal(value))
    # then
    assert grade == Grade(stars, exceeds)


def test_maximum_exclusive_limit_itself_exceeds():
    # given a "< 0.3" limit
    limit = _limit(Comparator.LT)
    # when / then the limit itself does not comply, but the inner edges stay inclusive
    assert indicator_grade(limit=limit, value=Decimal("0.3")) == Grade(1, True)
    assert indicator_grade(limit=limit, value=Decimal("0.299999")) == Grade(2, False)
    assert indicator_grade(limit=limit, value=Decimal("0.18")) == Grade(3, False)


@pytest.mark.parametrize(
    ("comparator", "value", "stars", "exceeds"),
    [
        (Comparator.GE, "78", 5, False),  # exactly 130 % of 60
        (Comparator.GE, "77.99", 4, False),
        (Comparator.GE, "72", 4, False),  # exactly 120 %
        (Comparator.GE, "66", 3, False),  # exactly 110 %
        (Comparator.GE, "60", 2, False),  # exactly the minimum: "≥" complies
        (Comparator.GE, "59.99", 1, True),
        (Comparator.GT, "60", 1, True),  # ">": the minimum itself fails
        (Comparator.GT, "60.01", 2, False),
    ],
)
def test_minimum_band_edges(comparator, value, stars, exceeds):
    # given a minimum of 60 g/100g
    limit = Limit("fructose_glucose", Decimal("60"), "g/100g", comparator, "GB 14963-2011", "表2")
    # when
    grade = indicator_grade(limit=limit, value=Decimal(value))
    # then
    assert grade == Grade(stars, exceeds)


def test_not_detected_is_five_stars_for_a_maximum_and_a_failure_for_a_minimum():
    # given
    maximum = _limit(Comparator.LE)
    minimum = Limit("fructose_glucose", Decimal("60"), "g/100g", Comparator.GE, "GB 14963-2011", "表2")
    # when / then
    assert indicator_grade(limit=maximum, value=None) == Grade(5, False)
    assert indicator_grade(limit=minimum, value=None) == Grade(1, True)


def test_pathogen_must_be_absent():
    # given "0/25g"
    limit = Limit("salmonella", Decimal("0"), "/25g", Comparator.ABSENT, "GB 29921-2021", "表1")
    # when / then
    assert indicator_grade(limit=limit, value=None) == Grade(5, False)
    assert indicator_grade(limit=limit, value=Decimal("0")) == Grade(5, False)
    assert indicator_grade(limit=limit, value=Decimal("1")) == Grade(1, True)


def test_overall_is_the_weakest_indicator_and_an_exceedance_caps_it():
    # given / when / then
    assert overall_grade([Grade(5, False), Grade(3, False), Grade(4, False)]) == 3
    assert overall_grade([Grade(5, False), Grade(1, True)]) == 1


def test_suggestions_give_the_value_for_the_next_band():
    # given lead at 3★ (0.15 of ≤0.3), an exceeding cadmium, a detected pathogen, a 5★ mercury
    lead = _limit(Comparator.LE)
    cadmium = Limit("cadmium", Decimal("0.2"), "mg/kg", Comparator.LT, "GB 2762-2022", "表2")
    salmonella = Limit("salmonella", Decimal("0"), "/25g", Comparator.ABSENT, "GB 29921-2021", "表1")
    mercury = Limit("total_mercury", Decimal("0.1"), "mg/kg", Comparator.LE, "GB 2762-2022", "表4")
    results = [
        (lead, Grade(3, False)),
        (cadmium, Grade(1, True)),
        (salmonella, Grade(1, True)),
        (mercury, Grade(5, False)),
    ]
    # when
    out = suggestions(results=results)
    # then
    assert out == [
        {"indicator": "lead", "stars": 3, "target_stars": 4, "comparator": "le", "value": "0.09", "unit": "mg/kg",
         "lifts_overall": False},
        {"indicator": "cadmium", "stars": 1, "target_stars": 2, "comparator": "lt", "value": "0.2", "unit": "mg/kg",
         "lifts_overall": True},
        {"indicator": "salmonella", "stars": 1, "target_stars": 5, "comparator": "absent", "value": None,
         "unit": "/25g", "lifts_overall": True},
    ]


def test_minimum_suggestion_asks_for_at_least_the_next_edge():
    # given honey sugars at 2★
    limit = Limit("fructose_glucose", Decimal("60"), "g/100g", Comparator.GE, "GB 14963-2011", "表2")
    # when
    [out] = suggestions(results=[(limit, Grade(2, False))])
    # then
    assert (out["comparator"], out["value"], out["target_stars"]) == ("ge", "66", 3)


def test_every_table_entry_cites_a_standard_and_uses_a_known_unit():
    # given / when / then
    for table in TABLES.values():
        for entries in table.values():
            for limit in entries:
                assert limit.standard.startswith("GB")
                assert limit.clause
                assert unit_canonical(limit.unit) == limit.unit
                assert limit.limit >= 0


def test_unit_aliases_are_spellings_not_conversions():
    # given / when / then
    assert unit_canonical("µg/kg") == "μg/kg"
    assert unit_canonical("ug/kg") == "μg/kg"
    assert unit_canonical("g/kg") is None


def test_categories_without_a_table_have_no_limits():
    # given / when / then
    assert limits_for(category=ProductCategory.HANDICRAFT) == {}
    assert limits_for(category=ProductCategory.TEA)["chlorpyrifos"].limit == Decimal("2")
