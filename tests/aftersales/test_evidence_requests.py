"""Waiting for evidence (待补充凭证): the merchant or an operator asks, the consumer answers with files through the
evidence pipeline and the claim goes back to whoever asked; past the deadline the claim closes by its rule."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.aftersales.choices import DecidedBy, EvidenceRequestStatus, Kind, Status
from xinren.aftersales.models import AfterSaleMedia, AfterSaleRequest, EvidenceRequest
from xinren.aftersales.services import (
    aftersale_cancel,
    aftersale_escalate,
    aftersale_merchant_refuse,
    aftersale_open,
    aftersales_sweep,
    evidence_answer,
    evidence_ask,
)
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinren.evidence.models import MediaFile

from ..factories import actor_for
from .conftest import picture


def _claim(consumer, line) -> AfterSaleRequest:  # type: ignore[no-untyped-def]
    """A 坏单包赔 claim without a photo: the rules route it to the merchant."""
    claim = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
                           reason="收到时菌子发霉", amount_fen=3000)
    assert claim.status == Status.WAITING_MERCHANT
    return claim


def test_the_merchant_asks_and_the_consumers_answer_returns_the_claim_with_a_fresh_deadline(
        consumer, merchant_actor, line):
    claim = _claim(consumer, line)
    # when the merchant asks
    asked = evidence_ask(actor=merchant_actor, reference=claim.reference, note="请拍一张开箱照片，能看到批号")
    claim.refresh_from_db()
    assert (claim.status, claim.merchant_deadline) == (Status.WAITING_EVIDENCE, None)
    assert asked.deadline == asked.asked_at + dt.timedelta(hours=72)
    # and the consumer answers a day later
    later = clock.now() + dt.timedelta(days=1)
    with clock.played_at(later):
        claim = evidence_answer(consumer=consumer, reference=claim.reference, note="开箱照片见图",
                                media=[("open.jpg", picture())])
    # then the claim is the merchant's again, with 24 hours from the answer
    assert (claim.status, claim.merchant_deadline) == (Status.WAITING_MERCHANT, later + dt.timedelta(hours=24))
    asked.refresh_from_db()
    assert (asked.status, asked.answer_note, asked.answer_files) == (EvidenceRequestStatus.ANSWERED, "开箱照片见图", 1)
    assert AfterSaleMedia.objects.filter(request=claim).count() == 1
    assert [t.to_status for t in claim.transitions.all()][-2:] == [Status.WAITING_EVIDENCE, Status.WAITING_MERCHANT]


def test_an_operator_asks_on_an_escalated_claim_and_the_answer_returns_it_to_the_platform(
        consumer, merchant_actor, operator, line):
    claim = _claim(consumer, line)
    aftersale_merchant_refuse(actor=merchant_actor, reference=claim.reference, reason="照片看不出问题")
    aftersale_escalate(consumer=consumer, reference=claim.reference, reason="确实发霉了")
    # the merchant may not ask once it is the platform's turn
    with pytest.raises(Conflict):
        evidence_ask(actor=merchant_actor, reference=claim.reference, note="再拍一张")
    evidence_ask(actor=operator, reference=claim.reference, note="请上传开箱视频")
    claim = evidence_answer(consumer=consumer, reference=claim.reference, note="视频之外先补一张照片",
                            media=[("mould.jpg", picture((10, 200, 10)))])
    assert claim.status == Status.ESCALATED
    assert EvidenceRequest.objects.get().asked_by == "operator"


def test_no_answer_past_the_deadline_closes_the_claim_by_the_recorded_rule(consumer, merchant_actor, line):
    claim = _claim(consumer, line)
    evidence_ask(actor=merchant_actor, reference=claim.reference, note="请补充照片")
    assert aftersales_sweep(now=clock.now() + dt.timedelta(hours=71))["evidence_expired"] == 0
    later = clock.now() + dt.timedelta(hours=73)
    with clock.played_at(later):
        done = aftersales_sweep(now=later)
    assert done["evidence_expired"] == 1
    claim.refresh_from_db()
    assert claim.status == Status.CANCELLED and claim.closed_at == later
    decision = claim.decisions.last()
    assert (decision.decided_by, decision.rule_id, decision.outcome, decision.amount_fen) == (
        DecidedBy.TIMEOUT, "evidence_timeout", "refuse", 0)
    assert claim.transitions.last().rule == "evidence_timeout@2026.12-1"
    assert EvidenceRequest.objects.get().status == EvidenceRequestStatus.EXPIRED
    # and an answer after that is refused
    with pytest.raises(Conflict):
        evidence_answer(consumer=consumer, reference=claim.reference, note="晚了", media=[("a.jpg", picture())])


def test_a_withdrawn_claim_leaves_its_evidence_request_withdrawn(consumer, merchant_actor, line):
    claim = _claim(consumer, line)
    evidence_ask(actor=merchant_actor, reference=claim.reference, note="请补充照片")
    aftersale_cancel(consumer=consumer, reference=claim.reference)
    assert aftersales_sweep(now=clock.now())["evidence_expired"] == 0
    assert EvidenceRequest.objects.get().status == EvidenceRequestStatus.WITHDRAWN


def test_asking_is_refused_without_a_note_or_by_another_merchant(consumer, merchant_actor, other_actor, line):
    claim = _claim(consumer, line)
    with pytest.raises(InvalidInput):
        evidence_ask(actor=merchant_actor, reference=claim.reference, note="  ")
    with pytest.raises(NotFound):
        evidence_ask(actor=other_actor, reference=claim.reference, note="请补充")
    assert (EvidenceRequest.objects.count(), AfterSaleRequest.objects.get().status) == (0, Status.WAITING_MERCHANT)


def test_a_refund_request_is_not_a_claim_to_ask_evidence_on(consumer, merchant_actor, line):
    request = aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk,
                             kind=Kind.REFUND_ONLY, reason="不想要了", amount_fen=1000)
    with pytest.raises(Conflict):
        evidence_ask(actor=merchant_actor, reference=request.reference, note="请补充")
    assert EvidenceRequest.objects.count() == 0


def test_a_viewer_cannot_ask(consumer, merchant, line):
    claim = _claim(consumer, line)
    with pytest.raises(PermissionDenied):
        evidence_ask(actor=actor_for(merchant, "viewer"), reference=claim.reference, note="请补充")
    assert EvidenceRequest.objects.count() == 0


@pytest.mark.parametrize(("media", "code"), [
    ([], "aftersale.evidence_media_required"),
    ([("notes.txt", b"just text")], "evidence.type_unknown"),
    ([(f"p{n}.jpg", picture((n * 20, 10, 10))) for n in range(10)], "aftersale.media_limit"),
    ([("ok.jpg", picture()), ("bad.jpg", b"not a jpeg at all")], None),
])
def test_wrong_types_or_too_many_files_are_refused_and_nothing_is_stored(consumer, merchant_actor, line, media,
                                                                         code):
    claim = _claim(consumer, line)
    evidence_ask(actor=merchant_actor, reference=claim.reference, note="请补充照片")
    with pytest.raises(InvalidInput) as refused:
        evidence_answer(consumer=consumer, reference=claim.reference, note="见图", media=media)
    if code is not None:
        assert refused.value.code == code
    assert (MediaFile.objects.count(), AfterSaleMedia.objects.count()) == (0, 0)
    claim.refresh_from_db()
    assert claim.status == Status.WAITING_EVIDENCE
    assert EvidenceRequest.objects.get().status == EvidenceRequestStatus.OPEN
