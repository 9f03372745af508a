"""Delisting a product whose score is, with 95 % confidence, below 3.0 (ADR 0052). Placeholder: filled in by that
work."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..scores.hooks import StoredScore


def scores_judge(stored: list[StoredScore]) -> None:
    """Delist the products whose stored score is confidently below the bar (not yet: see ADR 0052)."""
