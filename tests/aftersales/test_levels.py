"""Consumer trust levels: computed from history, each with its published refund moment and caps."""

from __future__ import annotations

import datetime as dt

from xinren.aftersales.choices import Level
from xinren.aftersales.levels import LEVELS, History, consumer_level, level_of

from ..fixtures.accounts import consumer_new


def _history(**changes: int) -> History:
    base = {"account_age_days": 400, "orders_delivered": 12, "upheld": 1, "rejected": 0, "returns": 1,
            "disputes_lost": 0, "upheld_claims_30d": 0}
    return History(**(base | changes))


def test_a_long_clean_record_is_high_trust():
    assert level_of(_history())[0] == Level.HIGH


def test_a_young_account_or_few_orders_is_new():
    level, reasons = level_of(_history(account_age_days=10))
    assert level == Level.NEW_OR_LOW and reasons == ["注册未满 30 天"]
    assert level_of(_history(orders_delivered=1))[0] == Level.NEW_OR_LOW


def test_rejections_and_lost_disputes_lower_the_level():
    assert level_of(_history(rejected=3))[0] == Level.NEW_OR_LOW
    assert level_of(_history(disputes_lost=2))[0] == Level.NEW_OR_LOW
    assert level_of(_history(rejected=1))[0] == Level.NORMAL
    assert level_of(_history(returns=4))[0] == Level.NORMAL


def test_each_level_publishes_its_caps():
    assert [(LEVELS[level].early_refund_cap_fen, LEVELS[level].claim_cap_fen,
             LEVELS[level].refund_after_receipt) for level in Level] == [
        (200_000, 50_000, dt.timedelta(0)), (100_000, 20_000, dt.timedelta(hours=2)), (0, 5_000, None)]


def test_a_new_account_is_assessed_from_the_database(db):
    consumer = consumer_new(joined_days_ago=3)
    assessment = consumer_level(consumer=consumer)
    assert assessment.level == Level.NEW_OR_LOW
    assert (assessment.history.account_age_days, assessment.history.orders_delivered) == (3, 0)
