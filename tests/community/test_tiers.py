"""Expert tiers: exact published criteria, automatic promotion and demotion with a recorded reason."""

from __future__ import annotations

import pytest

from xinren.community import tiers
from xinren.community.choices import Tier
from xinren.community.models import ConsumerTier, HelpfulVote, QualityScore, TierChange
from xinren.community.services import tiers_evaluate
from xinren.core import clock
from xinren.reviews.services import review_fold

from .conftest import diary_write, review_new, voters

pytestmark = pytest.mark.django_db

SHARER = {"reviews_q60": 3, "reviews_q75": 0, "helpful_votes": 10, "diaries": 0, "folded": 1}
EXPERT = {"reviews_q60": 10, "reviews_q75": 10, "helpful_votes": 50, "diaries": 5, "folded": 0}


@pytest.mark.parametrize(
    ("metrics", "tier"),
    [
        (SHARER, Tier.QUALITY_SHARER),
        ({**SHARER, "reviews_q60": 2}, Tier.ORDINARY),
        ({**SHARER, "helpful_votes": 9}, Tier.ORDINARY),
        ({**SHARER, "folded": 2}, Tier.ORDINARY),
        (EXPERT, Tier.PLATFORM_EXPERT),
        ({**EXPERT, "reviews_q75": 9}, Tier.QUALITY_SHARER),
        ({**EXPERT, "helpful_votes": 49}, Tier.QUALITY_SHARER),
        ({**EXPERT, "diaries": 4}, Tier.QUALITY_SHARER),
        ({**EXPERT, "folded": 1}, Tier.QUALITY_SHARER),
    ],
)
def test_the_published_criteria_decide_the_tier(metrics, tier):
    assert tiers.tier_for(metrics) == tier


def test_the_published_page_rows_come_from_the_same_constants():
    rows = tiers.published()
    assert [row["tier"] for row in rows] == ["ordinary", "quality_sharer", "platform_expert"]
    assert [c["text"] for c in rows[1]["criteria"]] == [  # type: ignore[index]
        "近 180 天质量分 ≥ 60 的已展示评价数 ≥ 3",
        "近 180 天已展示评价获得的“有用”数 ≥ 10",
        "近 180 天被折叠（风控或运营）且仍为折叠状态的评价数 ≤ 1",
    ]


def _reviews_with_scores(consumer, product, count, score):
    reviews = []
    for _ in range(count):
        review = review_new(consumer, product)
        QualityScore.objects.create(review=review, score=score, version="quality/2026-11", computed_at=clock.now())
        reviews.append(review)
    return reviews


def _votes(review, count):
    for voter in voters(count):
        HelpfulVote.objects.create(consumer=voter, review=review, created_at=clock.now())


def test_a_consumer_is_promoted_to_quality_sharer_and_demoted_after_folds(platform, operator, consumer,
                                                                          product_on_sale):
    # given: three reviews scoring 60, ten helpful votes
    reviews = _reviews_with_scores(consumer, product_on_sale, 3, 60)
    _votes(reviews[0], 10)

    # when
    promoted = tiers_evaluate()

    # then
    assert [(c.consumer_id, c.from_tier, c.to_tier) for c in promoted] == [(consumer.pk, "ordinary", "quality_sharer")]
    assert promoted[0].reason == "满足“优质分享者”的全部标准"
    assert promoted[0].metrics == {"reviews_q60": 3, "reviews_q75": 0, "helpful_votes": 10, "diaries": 0,
                                   "folded": 0}
    assert promoted[0].criteria_version == "tiers/2026-11"
    assert len(promoted[0].ledger_leaf_hash) == 64
    assert ConsumerTier.objects.get(consumer=consumer).tier == Tier.QUALITY_SHARER

    # when: two of the reviews are folded and the daily evaluation runs again
    review_fold(actor=operator, review_id=reviews[1].pk, reason="含有他人电话号码")
    review_fold(actor=operator, review_id=reviews[2].pk, reason="含有他人电话号码")
    demoted = tiers_evaluate()

    # then
    assert [(c.from_tier, c.to_tier) for c in demoted] == [("quality_sharer", "ordinary")]
    assert demoted[0].reason == (
        "不再满足“优质分享者”的标准：近 180 天质量分 ≥ 60 的已展示评价数 ≥ 3；"
        "近 180 天被折叠（风控或运营）且仍为折叠状态的评价数 ≤ 1"
    )
    assert ConsumerTier.objects.get(consumer=consumer).tier == Tier.ORDINARY
    assert TierChange.objects.filter(consumer=consumer).count() == 2


def test_nothing_changes_when_nothing_changed(platform, consumer, product_on_sale):
    reviews = _reviews_with_scores(consumer, product_on_sale, 3, 60)
    _votes(reviews[0], 10)
    tiers_evaluate()

    assert tiers_evaluate() == []
    assert TierChange.objects.count() == 1


def test_one_vote_short_stays_ordinary(platform, consumer, product_on_sale):
    reviews = _reviews_with_scores(consumer, product_on_sale, 3, 60)
    _votes(reviews[0], 9)

    assert tiers_evaluate() == []
    assert not ConsumerTier.objects.exists()


def test_a_platform_expert_needs_ten_reviews_at_75_fifty_votes_five_diaries_and_no_fold(platform, consumer,
                                                                                        product_on_sale):
    reviews = _reviews_with_scores(consumer, product_on_sale, 10, 75)
    _votes(reviews[0], 50)
    diary_write(reviews[0], 7, 15, 30)
    diary_write(reviews[1], 7, 15)

    changes = tiers_evaluate()

    assert [(c.from_tier, c.to_tier) for c in changes] == [("ordinary", "platform_expert")]
    tier = ConsumerTier.objects.get(consumer=consumer)
    assert tier.metrics == {"reviews_q60": 10, "reviews_q75": 10, "helpful_votes": 50, "diaries": 5, "folded": 0}
    assert tier.public_id == reviews[0].reviewer


def test_the_daily_command_rescores_then_promotes(platform, consumer, product_on_sale):
    from io import StringIO

    from django.core.management import call_command

    # given: three unscored reviews that score 62 once rescored (two diaries each), ten votes
    reviews = [review_new(consumer, product_on_sale) for _ in range(3)]
    for review in reviews:
        diary_write(review, 7, 15)
    _votes(reviews[0], 10)
    out = StringIO()

    # when
    call_command("tiers_evaluate", stdout=out)

    # then
    assert out.getvalue().splitlines()[-1] == "1 tier changes"
    assert ConsumerTier.objects.get(consumer=consumer).tier == Tier.QUALITY_SHARER
