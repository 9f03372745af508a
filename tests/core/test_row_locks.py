"""Row locks take only the rows they name: `select_for_update()` on a query that joins (`select_related`) must say
`of=("self",)`, or PostgreSQL locks every joined row too — the merchant's organization, the consumer's user — which
serialises every write of a merchant and deadlocks against the foreign-key checks of other writes (found by
bench/aftersales/claims.py: 86 of 480 concurrent claims deadlocked on the merchant's row)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "xinren"


def _calls(node: ast.AST) -> list[ast.Call]:
    """The chain of method calls an expression is made of (outermost first)."""
    chain = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        chain.append(node)
        node = node.func.value
    return chain


def test_no_row_lock_on_a_join_locks_the_joined_rows():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            chain = _calls(node)
            names = {call.func.attr: call for call in chain if isinstance(call.func, ast.Attribute)}
            lock = names.get("select_for_update")
            if lock is None or "select_related" not in names:
                continue
            if not any(keyword.arg == "of" for keyword in lock.keywords):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert sorted(set(offenders)) == []
