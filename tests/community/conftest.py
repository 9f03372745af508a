"""Reviews to build a community on: posted reviews, diaries, voters, experts."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.accounts.consumers import consumer_public_id
from xinren.accounts.models import User
from xinren.catalog.models import Product
from xinren.community.choices import Tier
from xinren.community.models import ConsumerTier
from xinren.core import clock
from xinren.reviews.models import DiaryEntry, Review
from xinren.reviews.services import review_post

from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

# About 130 text units with all four kinds of specifics: number+unit, duration, comparison, usage context.
LONG_TEXT = (
    "这次买的楚雄野生牛肝菌一共500克，收到时菌盖完整没有碎，闻着有很浓的山野香气。"
    "放冰箱冷藏3天以后拿出来依然很新鲜，切开没有虫眼，菌肉是乳白色的。"
    "和以前在超市买的干货相比香味重很多，口感也更脆。周末用它炒肉片给家里老人孩子吃，"
    "大家都说好吃下饭，汤汁也很鲜。包装用了冰袋和泡沫箱，路上两天送到，冰袋还没有完全化。"
)


@pytest.fixture(autouse=True)
def _review_checks_off(settings):  # type: ignore[no-untyped-def]
    # Identical texts by different accounts would be folded as near-duplicates; tests that need the
    # integrity checks (and the feed's filtering) turn them back on.
    settings.XINREN_REVIEW_CHECKS = False


def review_new(
    consumer: User, product: Product, *, text: str = LONG_TEXT, stars: int = 5, delivered_days_ago: int = 0,
    delivered_at: dt.datetime | None = None,
) -> Review:
    """A review posted through the reviews service on a freshly delivered line."""
    at = delivered_at or clock.now() - dt.timedelta(days=delivered_days_ago)
    line = line_delivered(consumer, product, delivered_at=at)
    return review_post(consumer=consumer, line_id=line.pk, stars=stars, text=text)


def diary_write(review: Review, *milestones: int) -> None:
    """Diary entries written directly (the reviews core's diary_post needs the milestone to have come)."""
    for milestone in milestones:
        DiaryEntry.objects.create(review=review, milestone=milestone, text=f"第 {milestone} 天：还是很好。",
                                  ledger_leaf_hash="0" * 64, created_at=clock.now())


def voters(count: int) -> list[User]:
    return [consumer_new() for _ in range(count)]


def expert_make(consumer: User, tier: str = Tier.PLATFORM_EXPERT) -> ConsumerTier:
    now = clock.now()
    return ConsumerTier.objects.create(consumer=consumer, public_id=consumer_public_id(consumer), tier=tier,
                                       since=now, evaluated_at=now)
