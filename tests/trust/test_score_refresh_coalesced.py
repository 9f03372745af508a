"""On PostgreSQL, a burst of decisions or refunds on one product refreshes its score once: each event carries its
transaction (core.tasks.transaction_id), each refresh stores the snapshot it gathered its inputs in, and a refresh
asked for by a transaction that snapshot already saw is skipped (trust.scores.tasks._refresh)."""

from __future__ import annotations

import pytest
from django.db import transaction

from xinren.aftersales import events as aftersales_events
from xinren.core.tasks import TRANSACTION_KWARG, transaction_id
from xinren.trust.models import ProductScore
from xinren.trust.scores import tasks
from xinren.trust.scores.formula import CURRENT_VERSION
from xinren.trust.scores.services import product_score_refresh, scores_counting

from ..concurrency import race

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _committed_transaction() -> int:
    """The id of a transaction that has committed (now)."""
    with transaction.atomic():
        xact = transaction_id()
    assert xact is not None
    return xact


def _computed_at(product) -> object:  # type: ignore[no-untyped-def]
    return ProductScore.objects.get(product=product, version=CURRENT_VERSION).computed_at


def test_a_refresh_asked_for_by_a_transaction_already_counted_is_skipped(require_postgres, product_on_sale):
    # given a transaction that committed, then a refresh that gathered its inputs after it
    before = _committed_transaction()
    product_score_refresh(product_on_sale)
    stored = _computed_at(product_on_sale)
    assert ProductScore.objects.get(product=product_on_sale).inputs_snapshot
    assert scores_counting(product_ids=[product_on_sale.pk], xact=before) == {product_on_sale.pk}
    # when the refresh that transaction asked for runs
    assert tasks._refresh([product_on_sale.pk], xact=before) == 0
    # then nothing was recomputed
    assert _computed_at(product_on_sale) == stored


def test_a_transaction_after_the_snapshot_gets_its_refresh_and_then_counts(require_postgres, product_on_sale):
    # given a stored score, then a transaction that committed after its inputs were gathered
    product_score_refresh(product_on_sale)
    stored = _computed_at(product_on_sale)
    later = _committed_transaction()
    assert scores_counting(product_ids=[product_on_sale.pk], xact=later) == set()
    # when its refresh runs, the score is recomputed; a second ask for the same transaction is skipped
    assert tasks._refresh([product_on_sale.pk], xact=later) == 1
    assert _computed_at(product_on_sale) > stored
    assert tasks._refresh([product_on_sale.pk], xact=later) == 0


def test_a_transaction_still_open_when_the_snapshot_was_taken_is_not_counted(require_postgres, product_on_sale):
    # given a transaction that is open while the refresh gathers its inputs, and commits after
    with transaction.atomic():
        open_then = transaction_id()
        race(lambda: product_score_refresh(product_on_sale))  # on another connection, meanwhile
    assert open_then is not None
    # then that refresh did not see it: its own refresh still runs
    assert scores_counting(product_ids=[product_on_sale.pk], xact=open_then) == set()
    assert tasks._refresh([product_on_sale.pk], xact=open_then) == 1


def test_a_decision_announced_in_a_transaction_names_it_to_its_subscribers(require_postgres):
    with transaction.atomic():
        xact = transaction_id()
        [(task_, payload)] = [d for d in aftersales_events.DECIDED.deliveries([{"decision_id": 7}])
                              if d[0] is tasks.score_after_decision_task]
    assert task_ is tasks.score_after_decision_task
    assert payload == {"decision_id": 7, TRANSACTION_KWARG: xact}
    assert tasks.score_after_decision_task.call(decision_id=0, xact=xact) == 0  # the task takes the keyword
