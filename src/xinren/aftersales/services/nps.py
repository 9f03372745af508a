"""The consumer answers the NPS question of one of their closed requests: once, 0–10, within 30 days of closing
(rules in `aftersales/nps.py`). Every refusal comes before anything is written."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xinren.accounts.consumers import consumer_require
from xinren.accounts.models import User
from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, InvalidInput

from .. import errors
from ..models import NpsAnswer
from ..nps import COMMENT_MAX, SCORE_MAX, SCORE_MIN, closed_moment, question_closes_at
from .moves import locked


def _score_clean(score: object) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX:
        raise InvalidInput(errors.NPS_SCORE_INVALID, _("请选择 0 到 10 之间的分数"), details={"field": "score"})
    return score


def _comment_clean(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(errors.NPS_COMMENT_TOO_LONG, _("补充说明不能超过 200 字"), details={"field": "comment"})
    return comment


@transaction.atomic
def nps_answer(*, consumer: User, reference: str, score: int, comment: str = "") -> NpsAnswer:
    """Record the consumer's one answer for their closed request (another's request is not found)."""
    consumer = consumer_require(consumer)
    score, comment = _score_clean(score), _comment_clean(comment)
    request = locked(consumer=consumer, reference=reference)  # answers to one request queue here
    now = clock.now()
    closed = closed_moment(request, now=now)
    if closed is None:
        raise Conflict(errors.NPS_NOT_CLOSED, _("售后结束后才能评价"), details={"status": request.status})
    if now >= question_closes_at(closed):
        raise Conflict(errors.NPS_EXPIRED, _("售后结束已超过 30 天，不能再评价"))
    if NpsAnswer.objects.filter(request=request).exists():
        raise Conflict(errors.NPS_ANSWERED, _("这次售后已经评价过了"))
    answer = NpsAnswer.objects.create(request=request, merchant=request.merchant,
                                      category=request.line.product.category, score=score, comment=comment,
                                      answered_at=now)
    # not under the merchant's organization: a shop does not learn who scored it what
    audit_record(actor=consumer, organization=None, action="aftersale.nps", target=answer,
                 data={"reference": request.reference})
    return answer
