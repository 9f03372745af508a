"""Usage diaries: invited at day 7, 15 and 30 after delivery, one entry per milestone on the original review."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.notify.tasks import diary_invited_notify
from xinren.reviews.models import DiaryEntry, DiaryInvitation, Review
from xinren.reviews.services import diary_invitations_create, diary_post, review_post

from ..fixtures.reviews import line_delivered, statement_of
from ..fixtures.tasks import queued

pytestmark = pytest.mark.django_db


def _reviewed(consumer, product, *, days_ago: int) -> Review:  # type: ignore[no-untyped-def]
    line = line_delivered(consumer, product, delivered_at=clock.now() - dt.timedelta(days=days_ago))
    return review_post(consumer=consumer, line_id=line.pk, stars=4, text="刚收到，看起来不错。")


def test_invitations_come_at_each_milestone_once(platform, consumer, product_on_sale):
    # given
    review = _reviewed(consumer, product_on_sale, days_ago=16)
    # when
    first = diary_invitations_create()
    second = diary_invitations_create()
    # then
    assert (first, second) == (2, 0)
    assert sorted(DiaryInvitation.objects.filter(review=review).values_list("milestone", flat=True)) == [7, 15]
    assert sorted(kwargs["invitation_id"] for kwargs in queued(diary_invited_notify)) == sorted(
        DiaryInvitation.objects.filter(review=review).values_list("pk", flat=True)
    )
    # and day 30 comes later
    assert diary_invitations_create(now=clock.now() + dt.timedelta(days=15)) == 1


def test_the_management_command_invites(platform, consumer, product_on_sale):
    # given
    _reviewed(consumer, product_on_sale, days_ago=8)
    out = StringIO()
    # when
    call_command("reviews_invite", stdout=out)
    # then
    assert out.getvalue().strip() == (
        "1 diary invitation(s) created, 0 shop(s) flagged for brushing, 0 index row(s) pruned."
    )
    assert DiaryInvitation.objects.count() == 1


def test_a_diary_entry_attaches_to_the_review_and_is_signed(platform, consumer, product_on_sale):
    # given
    review = _reviewed(consumer, product_on_sale, days_ago=8)
    diary_invitations_create()
    # when
    entry = diary_post(consumer=consumer, review_id=review.pk, milestone=7, text="放了一周，干货依旧很香。")
    # then
    assert (entry.review_id, entry.milestone, entry.text) == (review.pk, 7, "放了一周，干货依旧很香。")
    assert DiaryInvitation.objects.get(review=review, milestone=7).answered_at == entry.created_at
    statement = statement_of(entry.ledger_leaf_hash)
    assert {k: statement[k] for k in ("type", "review", "reviewer", "milestone_days", "text")} == {
        "type": "review.diary", "review": review.ledger_leaf_hash, "reviewer": review.reviewer,
        "milestone_days": 7, "text": "放了一周，干货依旧很香。",
    }


def test_one_entry_per_milestone(platform, consumer, product_on_sale):
    # given
    review = _reviewed(consumer, product_on_sale, days_ago=8)
    diary_post(consumer=consumer, review_id=review.pk, milestone=7, text="第一篇日记")
    # when
    with pytest.raises(DomainError) as refused:
        diary_post(consumer=consumer, review_id=review.pk, milestone=7, text="第二篇日记")
    # then
    assert refused.value.code == "review.diary_exists"
    assert list(DiaryEntry.objects.values_list("text", flat=True)) == ["第一篇日记"]


def test_a_milestone_not_yet_come_is_refused(platform, consumer, product_on_sale):
    # given
    review = _reviewed(consumer, product_on_sale, days_ago=8)
    # when
    with pytest.raises(DomainError) as refused:
        diary_post(consumer=consumer, review_id=review.pk, milestone=15, text="提前写日记")
    # then
    assert refused.value.code == "review.diary_not_due"
    assert DiaryEntry.objects.count() == 0


@pytest.mark.parametrize("milestone", [0, 8, 31])
def test_only_days_7_15_30_are_milestones(platform, consumer, product_on_sale, milestone):
    # given
    review = _reviewed(consumer, product_on_sale, days_ago=40)
    # when
    with pytest.raises(DomainError) as refused:
        diary_post(consumer=consumer, review_id=review.pk, milestone=milestone, text="日记")
    # then
    assert (refused.value.code, refused.value.details) == ("review.invalid", {"field": "milestone"})
    assert DiaryEntry.objects.count() == 0


def test_only_the_author_writes_the_diary(platform, consumer, other_consumer, product_on_sale):
    # given
    review = _reviewed(consumer, product_on_sale, days_ago=8)
    # when
    with pytest.raises(DomainError) as refused:
        diary_post(consumer=other_consumer, review_id=review.pk, milestone=7, text="别人的日记")
    # then
    assert refused.value.code == "review.not_found"
    assert DiaryEntry.objects.count() == 0
