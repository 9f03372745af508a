"""What follows storing scores, in the same transaction: publishing each as a signed `trust.score` statement
(`publish.py`, ADR 0051) and judging whether a product must be delisted (`trust/delisting/`, ADR 0052).

`scores_stored` is called once per refresh and once per batch of a full recompute, so that both can work in bulk.
"""

from __future__ import annotations

from typing import NamedTuple

from ..models import ProductScore


class StoredScore(NamedTuple):
    row: ProductScore
    changed: bool  # the score or a component's value differs from the row it replaced (or there was none)


def scores_stored(stored: list[StoredScore]) -> None:
    from ..delisting.services import scores_judge
    from .publish import scores_publish

    scores_publish(stored)
    scores_judge(stored)
