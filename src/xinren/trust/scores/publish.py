"""Publish stored scores as signed `trust.score` statements (ADR 0051). Placeholder: filled in by that work."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .hooks import StoredScore


def scores_publish(stored: list[StoredScore]) -> None:
    """Sign a `trust.score` for each stored score that changed (not yet: see ADR 0051)."""
