"""The worked examples of docs/trust-model.md, recomputed by the formula: each value in their tables, exactly."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from xinren.trust.scores.formula import product_score

DOC = Path(__file__).resolve().parents[2] / "docs" / "trust-model.md"


def _examples() -> dict[str, tuple[dict, dict[str, str]]]:  # type: ignore[type-arg]
    text = DOC.read_text(encoding="utf-8")
    found = {}
    for name, body in re.findall(r"^### Worked example (\w+)\n(.*?)(?=^### |\Z)", text, flags=re.M | re.S):
        inputs = json.loads(re.search(r"```json\n(.*?)```", body, flags=re.S).group(1))  # type: ignore[union-attr]
        rows = re.findall(r"^\| \**(\w+)\** \| \**([^|*]+?)\** \|$", body, flags=re.M)
        table = {key: value for key, value in rows if key != "component"}
        found[name] = (inputs, table)
    return found


def test_the_document_has_two_worked_examples():
    # then
    assert sorted(_examples()) == ["A", "B"]
    assert all(
        set(table) == {"quality", "reviews", "aftersales", "credit", "score"} for _, table in _examples().values()
    )


@pytest.mark.parametrize("name", ["A", "B"])
def test_each_worked_example_gives_the_documented_values_exactly(name):
    # given
    inputs, table = _examples()[name]
    # when
    result = product_score(inputs, "2026.1")
    # then
    assert result["score"] == Decimal(table["score"])
    for component in ("quality", "reviews", "aftersales", "credit"):
        expected = None if table[component] == "—" else table[component]
        assert result["components"][component]["value"] == expected, component
