"""Merchant replies (once, own products only) and operator folds (never deletes) with the author's response."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.choices import Role
from xinren.attest.models import SigningKey
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.core.models import AuditEntry
from xinren.ledger.store.models import PendingEntry
from xinren.notify.tasks import review_folded_notify
from xinren.reviews.choices import FoldSource, ReviewStatus
from xinren.reviews.models import Fold, Reply, Review
from xinren.reviews.services import reply_post, review_fold, review_post, review_respond

from ..factories import actor_for
from ..fixtures.reviews import line_delivered, statement_of
from ..fixtures.tasks import queued

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(platform, consumer, product_on_sale) -> Review:  # type: ignore[no-untyped-def]
    return review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=2,
                       text="有几朵烂了。")


def test_the_merchant_replies_once_and_the_reply_time_is_kept(review, merchant_actor, merchant, monkeypatch):
    # given
    later = review.created_at + dt.timedelta(minutes=90)
    monkeypatch.setattr(clock, "now", lambda: later)
    # when
    reply = reply_post(actor=merchant_actor, review_id=review.pk, text="抱歉，已为您补发一份。")
    # then
    assert (reply.text, reply.replied_at, reply.reply_seconds, reply.merchant_id) == (
        "抱歉，已为您补发一份。", later, 5400, merchant.pk,
    )
    statement = statement_of(reply.ledger_leaf_hash)
    assert {k: statement[k] for k in ("type", "review", "merchant", "text")} == {
        "type": "review.reply", "review": review.ledger_leaf_hash, "merchant": f"org:{merchant.pk}",
        "text": "抱歉，已为您补发一份。",
    }
    assert PendingEntry.objects.get(leaf_hash=bytes.fromhex(reply.ledger_leaf_hash)).signer_key_id == (
        SigningKey.objects.get(organization=merchant).key_id
    )
    # and a second reply is refused
    with pytest.raises(DomainError) as refused:
        reply_post(actor=merchant_actor, review_id=review.pk, text="再回复一次")
    assert refused.value.code == "review.reply_exists"
    assert list(Reply.objects.values_list("text", flat=True)) == ["抱歉，已为您补发一份。"]


def test_another_merchant_cannot_reply(review, other_actor):
    # when
    with pytest.raises(DomainError) as refused:
        reply_post(actor=other_actor, review_id=review.pk, text="来看看竞争对手")
    # then
    assert (refused.value.code, refused.value.status) == ("review.not_found", 404)
    assert Reply.objects.count() == 0


def test_a_merchant_cannot_fold(review, merchant_admin):
    # when
    with pytest.raises(DomainError) as refused:
        review_fold(actor=merchant_admin, review_id=review.pk, reason="差评影响销量")
    # then
    assert (refused.value.code, refused.value.status) == ("permission.organization_kind", 403)
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.VISIBLE
    assert Fold.objects.count() == 0


def test_platform_staff_below_admin_cannot_fold(review, platform):
    # when
    with pytest.raises(DomainError) as refused:
        review_fold(actor=actor_for(platform, Role.STAFF), review_id=review.pk, reason="含有广告")
    # then
    assert refused.value.code == "permission.role"
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.VISIBLE


def test_an_operator_folds_with_a_public_reason_and_the_author_is_told(review, operator, consumer):
    # when
    review_fold(actor=operator, review_id=review.pk, reason="含有他人电话号码")
    # then
    folded = Review.objects.get(pk=review.pk)
    assert (folded.status, folded.fold_reason, folded.stars, folded.text) == (
        ReviewStatus.FOLDED, "含有他人电话号码", 2, "有几朵烂了。",
    )
    fold = Fold.objects.get(review=review)
    assert (fold.source, fold.reason, fold.by_user_id, fold.by_organization_id) == (
        FoldSource.OPERATOR, "含有他人电话号码", operator.user.pk, operator.organization.pk,
    )
    statement = statement_of(fold.ledger_leaf_hash)
    assert {k: statement[k] for k in ("type", "review", "source", "reason")} == {
        "type": "review.fold", "review": review.ledger_leaf_hash, "source": "operator", "reason": "含有他人电话号码",
    }
    assert queued(review_folded_notify) == [{"review_id": review.pk, "fold_id": fold.pk}]
    assert AuditEntry.objects.filter(action="review.fold", target_id=str(review.pk)).count() == 1
    # and it cannot be folded twice by operators
    with pytest.raises(DomainError) as refused:
        review_fold(actor=operator, review_id=review.pk, reason="再次折叠")
    assert refused.value.code == "review.already_folded"
    assert Fold.objects.count() == 1


def test_the_author_responds_to_a_fold_once(review, operator, consumer):
    # given
    review_fold(actor=operator, review_id=review.pk, reason="疑似广告")
    # when
    review_respond(consumer=consumer, review_id=review.pk, text="我是真实买家，不是广告。")
    # then
    responded = Review.objects.get(pk=review.pk)
    assert responded.author_response == "我是真实买家，不是广告。"
    assert responded.author_responded_at is not None
    with pytest.raises(DomainError) as refused:
        review_respond(consumer=consumer, review_id=review.pk, text="再说一次")
    assert refused.value.code == "review.response_exists"
    assert Review.objects.get(pk=review.pk).author_response == "我是真实买家，不是广告。"


def test_no_response_to_a_review_that_is_not_folded(review, consumer, other_consumer):
    # when
    with pytest.raises(DomainError) as not_folded:
        review_respond(consumer=consumer, review_id=review.pk, text="申辩")
    with pytest.raises(DomainError) as not_mine:
        review_respond(consumer=other_consumer, review_id=review.pk, text="申辩")
    # then
    assert (not_folded.value.code, not_mine.value.code) == ("review.not_folded", "review.not_found")
    assert Review.objects.get(pk=review.pk).author_response == ""
