"""The list of statement types as docs/ledger.md shows it: one table row per registered type."""

from __future__ import annotations

from .registry import statement_types

HEADER = "| type | context | signed by (organization kinds) | required fields | what it says |\n|---|---|---|---|---|"


def statement_types_table(*, exclude_contexts: frozenset[str] = frozenset({"tests"})) -> str:
    """A Markdown table of every registered statement type (those of `exclude_contexts` left out)."""
    rows = [HEADER]
    for kind in statement_types():
        if kind.context in exclude_contexts:
            continue
        required = ", ".join(f"`{name}`" for name in kind.schema["required"] if name not in ("type", "subject"))
        signers = ", ".join(sorted(kind.signers))
        rows.append(f"| `{kind.name}` | {kind.context} | {signers} | {required or '—'} | {kind.summary} |")
    return "\n".join(rows)
