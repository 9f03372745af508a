"""NPS after a closed request (售后满意度): when a request counts as closed, how long the question stays open, and
the score itself.

**When a request is closed** (the moment the question opens), by its status:

| status | closed at |
|---|---|
| paid (a claim paid), closed | `closed_at` |
| refunded (the money went back; a return may still be signed for later) | the move to refunded |
| refused / no payout, not escalated | 7 days after the refusal, when it can no longer be escalated |
| no payout after an escalation (the operator refused) | `closed_at` |
| cancelled | never asked: the consumer withdrew it |
| anything else | not yet |

The question then stays open for `ASK_DAYS` days. NPS = % promoters (9–10) − % detractors (0–6), an integer from
−100 to 100; a figure over fewer than `SMALL_SAMPLE` answers is shown but marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .choices import Status
from .models import AfterSaleRequest
from .services.requests import ESCALATION_DAYS

ASK_DAYS = 30
SCORE_MIN, SCORE_MAX = 0, 10
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
COMMENT_MAX = 200
SMALL_SAMPLE = 30


def closed_moment(request: AfterSaleRequest, *, now: datetime) -> datetime | None:
    """When the request closed for the NPS question (the table above), or None while it has not (or never will)."""
    status = request.status
    if status in (Status.PAID, Status.CLOSED):
        return request.closed_at
    if status == Status.REFUNDED:
        if request.closed_at is not None:
            return request.closed_at
        moves = [step.at for step in request.transitions.all() if step.to_status == Status.REFUNDED]
        return max(moves) if moves else request.updated_at
    if status in (Status.REFUSED, Status.NO_PAYOUT):
        if request.escalated_at is not None:
            return request.closed_at
        if request.refused_at is None:
            return None
        ends = request.refused_at + timedelta(days=ESCALATION_DAYS)
        return ends if ends <= now else None
    return None


def question_closes_at(closed: datetime) -> datetime:
    return closed + timedelta(days=ASK_DAYS)


@dataclass(frozen=True)
class NpsFigure:
    """NPS over `n` answers: promoters (9–10), passives (7–8), detractors (0–6)."""

    n: int
    promoters: int
    detractors: int

    @property
    def passives(self) -> int:
        return self.n - self.promoters - self.detractors

    @property
    def score(self) -> int | None:
        """% promoters − % detractors, rounded to a whole number; None without answers."""
        if self.n == 0:
            return None
        return round(100 * (self.promoters - self.detractors) / self.n)

    @property
    def small(self) -> bool:
        return self.n < SMALL_SAMPLE
