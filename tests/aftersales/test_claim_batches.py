"""坏单包赔 claims taken in and decided in batches (ADR 0040): the submissions that gathered while a batch ran are
checked together and decided in one transaction; one the batch cannot take is refused by its own caller, in words,
with nothing left behind; a submission a stopped process left is taken by the sweep."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.consumers import consumer_signup
from xinren.accounts.models import User
from xinren.aftersales import errors
from xinren.aftersales.choices import Kind, Status
from xinren.aftersales.models import (
    AfterSaleDecision,
    AfterSaleRequest,
    AfterSaleTransition,
    AfterSaleUpload,
    ClaimSubmission,
)
from xinren.aftersales.services import aftersale_open, aftersale_upload, aftersales_sweep, claims_decide
from xinren.aftersales.services.eligibility import new_reference
from xinren.aftersales.tasks import aftersale_payouts_task
from xinren.care.tasks import voice_aftersale_task
from xinren.core import clock
from xinren.core.errors import Conflict, InvalidInput, NotFound
from xinren.notify.tasks import aftersale_decided_notify
from xinren.orders.models import OrderLine, Refund

from ..factories import BatchFactory, ItemFactory
from ..fixtures.reviews import line_through_flow
from ..fixtures.tasks import queued
from .conftest import picture


@pytest.fixture
def buyers(product_on_sale) -> list[tuple[User, OrderLine, int]]:  # type: ignore[no-untyped-def]
    """Four consumers, each with a delivered box of fresh mushrooms and a photo uploaded for the claim."""
    spare = BatchFactory(product=product_on_sale, quantity=10)
    for _ in range(4):
        ItemFactory(batch=spare)
    out = []
    for n in range(4):
        consumer = consumer_signup(phone=f"1370000{n:04d}", password="batch-password-1")
        line = line_through_flow(consumer, product_on_sale)
        upload = aftersale_upload(consumer=consumer, media=[("a.jpg", picture((n * 40, 80, 80)))])[0]
        out.append((consumer, line, upload.pk))
    return out


def _waiting(consumer: User, line: OrderLine, upload_ids: list[int], *, minutes_ago: int = 0,
             order_number: str | None = None) -> ClaimSubmission:
    """A claim another consumer's call submitted and is waiting on (as it stands while a batch runs)."""
    return ClaimSubmission.objects.create(
        reference=new_reference(), consumer=consumer, order_number=order_number or line.order.number,
        line_id=line.pk, kind=Kind.DAMAGED, reason="收到时菌子已经软烂出水", amount_fen=3000, upload_ids=upload_ids,
        created_at=clock.now() - dt.timedelta(minutes=minutes_ago))


def _claim(consumer: User, line: OrderLine, upload_ids: list[int]) -> AfterSaleRequest:
    return aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
                          reason="收到时菌子已经软烂出水", amount_fen=3000, upload_ids=upload_ids)


def test_claims_that_gathered_are_taken_in_and_decided_in_one_batch(buyers):
    # given: three consumers' claims waiting while a batch runs
    others = [_waiting(consumer, line, [upload]) for consumer, line, upload in buyers[1:]]
    files = dict(AfterSaleUpload.objects.values_list("pk", "media_id"))
    consumer, line, upload = buyers[0]
    # when the fourth consumer claims
    mine = _claim(consumer, line, [upload])
    # then all four were decided together: one time, approved, each refund recorded, the submissions gone
    assert mine.status == Status.PAYING and mine.pk is not None
    requests = list(AfterSaleRequest.objects.order_by("pk"))
    assert [r.reference for r in requests] == [s.reference for s in others] + [mine.reference]
    assert {r.status for r in requests} == {Status.PAYING}
    assert AfterSaleDecision.objects.values("at").distinct().count() == 1
    assert sorted(Refund.objects.values_list("idempotency_key", flat=True)) == sorted(
        f"aftersale:{r.reference}" for r in requests)
    assert not ClaimSubmission.objects.exists()
    # each with its own history, photo and upload, as if it had come alone
    for request, (buyer, bought, upload_id) in zip(requests, [*buyers[1:], buyers[0]], strict=True):
        assert (request.consumer, request.line, request.order) == (buyer, bought, bought.order)
        assert [(t.from_status, t.to_status, t.by_user_id) for t in request.transitions.all()] == [
            ("", Status.DECIDING, buyer.pk), (Status.DECIDING, Status.PAYING, None)]
        assert list(request.media.values_list("media_id", flat=True)) == [files[upload_id]]
    assert not AfterSaleUpload.objects.exists()  # each upload used once
    # and the batch queued one payout task, and each claim's notification and voice-of-the-user task
    assert queued(aftersale_payouts_task) == [{"request_ids": [r.pk for r in requests]}]
    assert sorted(kw["request_id"] for kw in queued(voice_aftersale_task)) == [r.pk for r in requests]
    assert len(queued(aftersale_decided_notify)) == 4


def test_a_claim_on_someone_elses_order_is_left_out_of_the_batch_and_refused_in_words(buyers):
    # given: a waiting claim, and an attacker naming another consumer's order and line
    consumer, line, upload = buyers[0]
    attacker, _bought, attacker_upload = buyers[1]
    other = _waiting(*buyers[2][:2], [buyers[2][2]])
    # when
    with pytest.raises(NotFound) as refused:
        _claim(attacker, line, [attacker_upload])
    # then the attacker is told the line is not found, the other claim was decided, nothing else is written
    assert refused.value.code == errors.LINE_NOT_FOUND
    assert list(AfterSaleRequest.objects.values_list("reference", "status")) == [(other.reference, Status.PAYING)]
    assert not ClaimSubmission.objects.exists()
    assert AfterSaleUpload.objects.filter(pk=attacker_upload).exists()  # still the attacker's to use
    # and the owner can still claim
    assert _claim(consumer, line, [upload]).status == Status.PAYING


def test_two_claims_on_one_line_in_one_batch_open_once(buyers):
    # given: a consumer's claim waiting, and the same consumer claiming again on the same line (a double tap)
    consumer, line, upload = buyers[0]
    first = _waiting(consumer, line, [upload])
    second_upload = aftersale_upload(consumer=consumer, media=[("b.jpg", picture((1, 2, 3)))])[0]
    # when
    with pytest.raises(Conflict) as refused:
        _claim(consumer, line, [second_upload.pk])
    # then the first is decided, the second refused for the open one
    assert refused.value.code == errors.OPEN_EXISTS
    assert list(AfterSaleRequest.objects.values_list("reference", flat=True)) == [first.reference]
    assert Refund.objects.count() == 1 and not ClaimSubmission.objects.exists()


def test_an_upload_named_by_two_claims_goes_with_the_first(buyers):
    consumer, line, upload = buyers[0]
    _waiting(consumer, line, [upload])
    second_line = line_through_flow(consumer, line.product)
    with pytest.raises(InvalidInput) as refused:
        _claim(consumer, second_line, [upload])
    assert refused.value.code == errors.UPLOAD_INVALID
    claim = AfterSaleRequest.objects.get()
    assert claim.line == line and claim.media.count() == 1
    assert not AfterSaleUpload.objects.filter(pk=upload).exists()


def test_a_claim_beyond_what_the_line_can_refund_is_refused_in_words(buyers):
    consumer, line, upload = buyers[0]
    with pytest.raises(Conflict) as refused:
        aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line.pk, kind=Kind.DAMAGED,
                       reason="坏了", amount_fen=line.total_fen + 1, upload_ids=[upload])
    assert refused.value.code == errors.AMOUNT_EXCEEDS
    assert not AfterSaleRequest.objects.exists() and not ClaimSubmission.objects.exists()
    assert not AfterSaleTransition.objects.exists() and not Refund.objects.exists()


@pytest.mark.parametrize("line_id", [0, -1, 2**70])
def test_an_impossible_line_id_is_refused_without_a_submission(buyers, line_id):
    consumer, line, upload = buyers[0]
    with pytest.raises(NotFound):
        aftersale_open(consumer=consumer, order_number=line.order.number, line_id=line_id, kind=Kind.DAMAGED,
                       reason="坏了", amount_fen=3000, upload_ids=[upload])
    assert not ClaimSubmission.objects.exists() and not AfterSaleRequest.objects.exists()


def test_the_sweep_takes_a_submission_a_stopped_process_left(buyers):
    # given: a submission two minutes old whose caller is gone, and a fresh one whose caller still waits
    consumer, line, upload = buyers[0]
    left = _waiting(consumer, line, [upload], minutes_ago=2)
    fresh = _waiting(*buyers[1][:2], [buyers[1][2]])
    # when
    done = aftersales_sweep()
    # then the old one is decided; the fresh one is its caller's
    assert done["decided"] == 1
    assert AfterSaleRequest.objects.get().reference == left.reference
    assert list(ClaimSubmission.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert claims_decide()[0].reference == fresh.reference
