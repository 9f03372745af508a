"""Template filters of the trust scores: pick a product's score out of the map a list page reads in one query."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def score_of(scores: dict[int, Any] | None, product_id: int) -> Any:
    """`{% with score=scores|score_of:offer.product_id %}`: the product's ScoreSection, or None."""
    return None if not scores else scores.get(product_id)
