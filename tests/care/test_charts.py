"""The weekly chart and the evidence marks, without the database."""

from __future__ import annotations

import datetime as dt

from xinren.care.charts import weekly_types_svg
from xinren.care.highlight import evidence_marked


def test_the_chart_says_its_figures_in_words() -> None:
    weeks = [dt.date(2026, 11, 23), dt.date(2026, 11, 30)]
    svg = str(weekly_types_svg(weeks, {"damaged": [1, 2], "spoiled": [0, 3]}, title="t"))
    assert svg.startswith("<svg") and svg.count("<rect") == 2 + 3  # two legend keys, three non-empty segments
    assert "破损 3" in svg and "变质 3" in svg


def test_an_empty_chart_says_so() -> None:
    assert "暂无数据" in str(weekly_types_svg([dt.date(2026, 11, 30)], {}, title="t"))


def test_marks_merge_overlaps_and_escape() -> None:
    assert str(evidence_marked("a<压坏了>", {"damaged": ["压坏", "坏了"]})) == "a&lt;<mark>压坏了</mark>&gt;"
