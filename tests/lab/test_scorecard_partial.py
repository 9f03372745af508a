"""The scorecard partial: a value carries its unit; "not detected" carries one only with its detection limit."""

from __future__ import annotations

import re

from django.template.loader import render_to_string


def _facts(**indicator: object) -> str:
    base = {"name": "铅（以 Pb 计）", "stars": 5, "bar_percent": 0, "unit": "mg/kg", "comparator_symbol": "≤",
            "limit": "0.3", "standard": "GB 2762-2022", "clause": "", "exceeds": False, "not_detected": False,
            "lod": None, "value": None}  # fmt: skip
    html = render_to_string("public/_scorecard.html", {
        "scorecard": {"overall_stars": 5, "exceeds": False, "indicators": [base | indicator], "suggestions": []},
    })  # fmt: skip
    found = re.search(r'<p class="ind-facts">.*?<b>(.*?)</b>', html, re.S)
    assert found is not None
    return found.group(1)


def test_a_measured_value_shows_its_unit():
    assert _facts(value="0.08") == "0.08 mg/kg"


def test_not_detected_has_no_unit_of_its_own():
    assert _facts(not_detected=True) == "未检出"


def test_not_detected_below_a_detection_limit_gives_the_limit_with_its_unit():
    assert _facts(not_detected=True, lod="0.01") == "未检出（&lt; 0.01 mg/kg）"
