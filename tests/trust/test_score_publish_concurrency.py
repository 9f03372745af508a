"""A race on PostgreSQL: the every-minute signing of pending scores and a review's fold-in on the same product at
the same moment. Whichever takes the row first, the newest values end up signed: the signing never marks as signed
a row that a fold-in changed after it read it."""

from __future__ import annotations

import pytest

from xinren.ledger.store.sequencer import log_integrate_all
from xinren.reviews.services import review_post
from xinren.trust.models import ProductScore
from xinren.trust.scores.formula import CURRENT_VERSION
from xinren.trust.scores.services import product_score_refresh, product_score_review_added, scores_publish_pending
from xinren.trust.scores.verify import score_explain, stored_compare

from ..concurrency import race
from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_a_fold_in_during_the_signing_is_signed_too(require_postgres, product_on_sale):
    # given a signed score, then a review folded in and awaiting its statement, and a second review just posted
    lines = [line_delivered(consumer_new(), product_on_sale) for _ in range(2)]
    product_score_refresh(product_on_sale)
    first = review_post(consumer=lines[0].order.consumer, line_id=lines[0].pk, stars=2, text="个头偏小，有点失望。")
    assert product_score_review_added(review_id=first.pk) is not None
    second = review_post(consumer=lines[1].order.consumer, line_id=lines[1].pk, stars=5, text="很新鲜，炒着吃很香。")
    # when the signing and the second fold-in run at once
    race(scores_publish_pending, lambda: product_score_review_added(review_id=second.pk))
    # then both reviews are in the stored score, and after any signing still owed the log says what the row says
    row = ProductScore.objects.get(product=product_on_sale, version=CURRENT_VERSION)
    assert [review["stars"] for review in row.inputs["reviews"]] == [2, 5]
    scores_publish_pending()
    log_integrate_all()
    explanation = score_explain(product_on_sale.gtin)
    assert explanation.ok and stored_compare(explanation).ok, [c for c in explanation.checks if not c.ok]
    assert not ProductScore.objects.get(pk=row.pk).publish_pending
