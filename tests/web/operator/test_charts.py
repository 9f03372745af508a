"""The dashboard's charts say their figures in words, escape labels and draw something for each value."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from xinren.web.operator.charts import bar_chart_svg, histogram_svg, stacked_days_svg

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_bars_write_their_values_and_escape_labels() -> None:
    svg = bar_chart_svg([("<b>待审核</b>", 3), ("已通过", 12)], title="申请", unit="份")
    root = _parse(svg)
    assert root.find(f"{NS}desc").text == "<b>待审核</b> 3份；已通过 12份"
    widths = [float(r.get("width")) for r in root.iter(f"{NS}rect")]
    assert widths[1] > widths[0] > 0
    assert "<b>" not in svg


def test_stacked_days_name_the_busiest_day() -> None:
    days = [dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(3)]
    svg = stacked_days_svg(days, {"下单": [1, 0, 4], "结算": [0, 2, 1]}, title="拦截")
    desc = _parse(svg).find(f"{NS}desc").text
    assert "共 8 次" in desc and "2026-12-03：5 次" in desc


def test_empty_charts_say_so() -> None:
    assert "暂无数据" in stacked_days_svg([], {"下单": []}, title="拦截")
    assert "暂无数据" in bar_chart_svg([], title="申请")


def test_histogram_marks_thresholds() -> None:
    svg = histogram_svg([5, 0, 2, 1], edges=[0, 25, 50, 75, 100], thresholds={"复核": 40, "限制": 70}, title="风险")
    root = _parse(svg)
    assert root.find(f"{NS}desc").text == "0–25: 5；50–75: 2；75–100: 1（复核 40，限制 70）"
    assert len([line for line in root.iter(f"{NS}line") if line.get("stroke-dasharray")]) == 2
