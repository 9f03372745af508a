"""The merchant's first-response figures (docs/support.md), on a fixed clock."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.support import selectors, services

from .conftest import T0

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


@pytest.fixture
def at(monkeypatch):  # type: ignore[no-untyped-def]
    """Set the clock: at(T0 + 2 * H)."""

    def set_clock(moment: dt.datetime) -> None:
        monkeypatch.setattr("xinren.core.clock.now", lambda: moment)

    return set_clock


def test_no_inquiries_no_figures(merchant):
    stats = selectors.merchant_response_stats(merchant=merchant, since=T0, until=T0 + 30 * 24 * H)
    assert (stats.inquiries, stats.median_seconds, stats.p90_seconds, stats.within_24h_share) == (0, None, None, None)


def test_each_run_of_questions_is_one_inquiry_timed_from_its_first_message(consumer, order, merchant_actor, merchant,
                                                                             at):
    # given: two questions answered after 2 h (timed from the first), one answered after 30 h, one waiting 25 h,
    # one waiting 1 h (its outcome is not known yet)
    at(T0)
    first = services.conversation_start(consumer=consumer, order_number=order.number, body="问题一")
    conversation_id = first.conversation_id
    at(T0 + H)
    services.message_post(consumer=consumer, conversation_id=conversation_id, body="问题一补充")
    at(T0 + 2 * H)
    services.message_reply(actor=merchant_actor, conversation_id=conversation_id, body="回答一")
    services.message_reply(actor=merchant_actor, conversation_id=conversation_id, body="追加说明")  # answers nothing
    at(T0 + 3 * H)
    services.message_post(consumer=consumer, conversation_id=conversation_id, body="问题二")
    at(T0 + 33 * H)
    services.message_reply(actor=merchant_actor, conversation_id=conversation_id, body="回答二")
    at(T0 + 34 * H)
    services.message_post(consumer=consumer, conversation_id=conversation_id, body="问题三")
    # when
    later = selectors.merchant_response_stats(merchant=merchant, since=T0 - H, until=T0 + 59 * H)
    sooner = selectors.merchant_response_stats(merchant=merchant, since=T0 - H, until=T0 + 35 * H)
    # then
    assert (later.inquiries, later.answered, later.pending) == (3, 2, 1)
    assert (later.median_seconds, later.p90_seconds) == (2 * 3600, 30 * 3600)
    assert (later.answered_within_24h, later.decided, later.within_24h_share) == (1, 3, 1 / 3)
    assert (sooner.inquiries, sooner.pending, sooner.decided, sooner.within_24h_share) == (3, 1, 2, 0.5)


def test_an_answer_after_the_end_of_the_window_counts_as_waiting(consumer, order, merchant_actor, merchant, at):
    at(T0)
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="问题")
    at(T0 + 48 * H)
    services.message_reply(actor=merchant_actor, conversation_id=message.conversation_id, body="迟到的回答")
    stats = selectors.merchant_response_stats(merchant=merchant, since=T0, until=T0 + 30 * H)
    assert (stats.answered, stats.pending, stats.decided, stats.answered_within_24h) == (0, 1, 1, 0)
    assert stats.within_24h_share == 0.0


def test_inquiries_before_the_window_and_other_merchants_do_not_count(consumer, order, merchant_actor, merchant,
                                                                      other_merchant, at):
    at(T0)
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="旧问题")
    at(T0 + H)
    services.message_reply(actor=merchant_actor, conversation_id=message.conversation_id, body="回答")
    assert selectors.merchant_response_stats(merchant=merchant, since=T0 + H, until=T0 + 2 * H).inquiries == 0
    assert selectors.merchant_response_stats(merchant=other_merchant, since=T0, until=T0 + 2 * H).inquiries == 0
    assert selectors.merchant_response_stats(merchant=merchant, since=T0, until=T0 + 2 * H).median_seconds == 3600


def test_percentiles_are_nearest_rank(consumer, merchant_actor, merchant, at, settings):
    # given: ten inquiries in ten conversations, answered after 1, 2, …, 10 minutes
    settings.XINREN_SUPPORT_LIMITS = {"pre_sale_conversations": 10}
    from xinren.orders.models import Offer

    from ..factories import ProductFactory

    for n in range(1, 11):
        product = ProductFactory(merchant=merchant)
        Offer.objects.create(merchant=merchant, product=product, price_fen=100, stock=1)
        at(T0 + n * H)
        message = services.conversation_start(consumer=consumer, product_id=product.pk, body="有货吗")
        at(T0 + n * H + dt.timedelta(minutes=n))
        services.message_reply(actor=merchant_actor, conversation_id=message.conversation_id, body="有")
    # when
    stats = selectors.merchant_response_stats(merchant=merchant, since=T0, until=T0 + 24 * H)
    # then
    assert (stats.median_seconds, stats.p90_seconds, stats.within_24h_share) == (5 * 60, 9 * 60, 1.0)
