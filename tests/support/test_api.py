"""The support API: merchants with an API key (list, read, answer, figures); consumers with their session."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from xinren.support import services
from xinren.support.models import Message
from xinren.support.selectors import consumer_alias

from ..fixtures.accounts import browser_of
from ..fixtures.api import assert_error, call

pytestmark = pytest.mark.django_db


def test_a_merchant_lists_reads_and_answers_with_an_api_key(consumer, order, merchant_key):
    # given
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="什么时候发货？")
    client = Client()
    # when
    listed = call(client, "GET", "/support/conversations", key=merchant_key)
    thread = call(client, "GET", f"/support/conversations/{message.conversation_id}", key=merchant_key)
    replied = call(client, "POST", f"/support/conversations/{message.conversation_id}/messages", key=merchant_key,
                   body={"body": "今天发"})
    stats = call(client, "GET", "/support/stats", key=merchant_key)
    # then
    assert listed.status_code == 200
    item = listed.json()["items"][0]
    assert (item["consumer"], item["order_number"], item["status"], item["unread"]) == (
        consumer_alias(consumer.pk), order.number, "open", True)
    assert [m["body"] for m in thread.json()["messages"]] == ["什么时候发货？"]
    assert replied.status_code == 201 and replied.json()["side"] == "merchant"
    assert stats.status_code == 200
    assert (stats.json()["inquiries"], stats.json()["answered"], stats.json()["within_24h_share"]) == (1, 1, 1.0)
    assert "13812341234" not in listed.content.decode() + thread.content.decode()


def test_another_merchant_gets_404_and_a_viewer_key_cannot_answer(consumer, order, other_key, viewer_key):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    client = Client()
    assert_error(call(client, "GET", f"/support/conversations/{message.conversation_id}", key=other_key), 404,
                 "support.conversation_not_found")
    assert_error(call(client, "POST", f"/support/conversations/{message.conversation_id}/messages", key=other_key,
                      body={"body": "抢答"}), 404, "support.conversation_not_found")
    assert call(client, "GET", "/support/conversations", key=other_key).json()["count"] == 0
    assert_error(call(client, "POST", f"/support/conversations/{message.conversation_id}/messages", key=viewer_key,
                      body={"body": "收到"}), 403, "permission.role")
    assert Message.objects.count() == 1


def test_a_consumer_starts_and_continues_with_their_session(consumer, order):
    # given
    browser = browser_of(consumer)
    # when
    started = call(browser, "POST", "/support/my/conversations", body={"order_number": order.number, "body": "你好"})
    conversation_id = browser.get("/api/v1/support/my/conversations").json()["items"][0]["id"]
    again = call(browser, "POST", f"/support/my/conversations/{conversation_id}/messages", body={"body": "在吗"})
    thread = call(browser, "GET", f"/support/my/conversations/{conversation_id}")
    # then
    assert started.status_code == 201 and again.status_code == 201
    assert [m["body"] for m in thread.json()["messages"]] == ["你好", "在吗"]


def test_a_consumer_api_flood_is_refused_with_429(consumer, order, settings):
    settings.XINREN_SUPPORT_LIMITS = {"per_consumer": 1}
    browser = browser_of(consumer)
    call(browser, "POST", "/support/my/conversations", body={"order_number": order.number, "body": "一"})
    body = assert_error(call(browser, "POST", "/support/my/conversations",
                             body={"order_number": order.number, "body": "二"}), 429, "support.rate_limited")
    assert "请明天再试" in body["message"]
    assert Message.objects.count() == 1


def test_another_consumers_conversation_is_404_and_anonymous_is_401(consumer, other_consumer, order):
    message = services.conversation_start(consumer=consumer, order_number=order.number, body="你好")
    response = call(browser_of(other_consumer), "GET", f"/support/my/conversations/{message.conversation_id}")
    assert_error(response, 404, "support.conversation_not_found")
    anonymous = call(Client(), "GET", "/support/my/conversations")
    assert anonymous.status_code == 401
    assert json.loads(anonymous.content)["code"]
