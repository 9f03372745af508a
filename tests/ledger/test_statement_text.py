"""What `xinren ledger verify` says a statement states, in Chinese and in English."""

import pytest

from xinren.ledger.statement_text import statement_lines

LAB = {"type": "lab.report", "subject": "x", "sample_id": "YC-1", "sampled_at": "2026-04-21T18:30:00+08:00",
       "measurements": [{"indicator": "lead", "value": "0.62", "unit": "mg/kg"}, {"indicator": "moisture",
                                                                               "value": "4.2", "unit": "%"}]}


@pytest.mark.parametrize(("statement", "zh", "en"), [
    (LAB, ["检测报告", "样品：YC-1 · 采样 2026-04-21T18:30:00+08:00", "lead 0.62 mg/kg, moisture 4.2 %"],
     ["lab report", "sample: YC-1 · sampled 2026-04-21T18:30:00+08:00", "lead 0.62 mg/kg, moisture 4.2 %"]),
    ({"type": "cost.breakdown", "price_fen": 12805}, ["成本构成", "售价：¥128.05"],
     ["cost breakdown", "price: ¥128.05"]),
    ({"type": "review", "stars": 5, "text": "好吃"}, ["买家评价", "5 星 · 好吃"], ["review", "5 stars · 好吃"]),
    ({"type": "coldchain.profile", "temperature": {"min": 2.0, "max": 6.0}}, ["冷链温度要求", "温度范围：2.0–6.0 °C"],
     ["cold-chain range", "range: 2.0–6.0 °C"]),
    ({"type": "shop.unknown", "subject": "org:9"}, ["shop.unknown", "对象：org:9"], ["shop.unknown", "about: org:9"]),
    ({"type": "lab.report", "measurements": "not a list"}, ["检测报告", "样品： · 采样 "],
     ["lab report", "sample:  · sampled "]),
])
def test_statement_lines(statement, zh, en):
    assert statement_lines(statement, "zh") == zh
    assert statement_lines(statement, "en") == en


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        statement_lines({"type": "review"}, "fr")
