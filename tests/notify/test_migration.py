"""The notices the reviews context kept move into the inbox: a database from before the move keeps every one,
rendered from its kind's template like any other, and read ones stay read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinren.notify.models import Notification
from xinren.notify.selectors import notification_show
from xinren.reviews.services import review_post

from ..fixtures.reviews import line_delivered

BEFORE = [("notify", None), ("reviews", "0006_signed_rows_immutable")]


def _migrate(targets) -> MigrationExecutor:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_review_notices_are_copied_into_the_inbox(platform, consumer, product_on_sale):
    # given: a review, and the database taken back to before the notifications context
    line = line_delivered(consumer, product_on_sale)
    review = review_post(consumer=consumer, line_id=line.pk, stars=1, text="太差了")
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    at = dt.datetime(2026, 12, 1, 4, 0, tzinfo=dt.UTC)
    try:
        executor = _migrate(BEFORE)
        executor.loader.build_graph()
        old = executor._create_project_state(with_applied_migrations=True).apps.get_model("reviews", "Notification")
        old.objects.create(user_id=consumer.pk, kind="review_folded", review_id=review.pk, created_at=at,
                           message="你的评价已被折叠，理由：含有外链。你可以提交一次申辩。", read_at=at)
        old.objects.create(user_id=consumer.pk, kind="diary_invited", review_id=review.pk, created_at=at,
                           message="收货第 15 天了，写一篇使用日记吧")
        # when
        _migrate(leaves)
    finally:
        _migrate(leaves)
    # then
    copied = list(Notification.objects.filter(user=consumer).order_by("id"))
    assert [(n.kind, n.params, n.link, n.read_at) for n in copied] == [
        ("review_folded", {"reason": "含有外链"}, f"/shop/reviews/{review.pk}/#respond", at),
        ("diary_invited", {"days": 15}, f"/shop/reviews/{review.pk}/diary/15/", None),
    ]
    assert notification_show(copied[0]).body == "你的评价已被折叠，理由：含有外链。你可以提交一次申辩。"
