"""The inbox through the API: the caller's notices rendered in the request's language, read one or all, and the
preferences; another's notice is not found."""

from __future__ import annotations

import pytest
from django.conf import settings
from ninja import NinjaAPI
from ninja.testing import TestClient

from xinren.accounts.authentication import authenticators
from xinren.api.errors import exception_handlers_install
from xinren.notify.api import router
from xinren.notify.models import Notification
from xinren.notify.services import notification_create

pytestmark = pytest.mark.django_db

_api = NinjaAPI(auth=authenticators(), urls_namespace="notify_test")
exception_handlers_install(_api)
_api.add_router("", router)
SESSION = {settings.SESSION_COOKIE_NAME: "session"}


@pytest.fixture
def api() -> TestClient:
    return TestClient(_api)


def _notice(user, n: int) -> Notification:  # type: ignore[no-untyped-def]
    return notification_create(user_id=user.pk, kind="order_delivered", params={"order": f"N{n}"},
                               link=f"/shop/orders/N{n}/", dedupe_key=f"api:{user.pk}:{n}")


def test_the_inbox_and_marking_read(api, consumer, other_consumer):
    # given
    mine = [_notice(consumer, n) for n in range(3)]
    theirs = _notice(other_consumer, 9)
    # when
    listed = api.get("?limit=2", user=consumer, COOKIES=SESSION)
    read_one = api.post(f"/{mine[0].pk}/read", user=consumer, COOKIES=SESSION)
    read_theirs = api.post(f"/{theirs.pk}/read", user=consumer, COOKIES=SESSION)
    read_all = api.post("/read", user=consumer, COOKIES=SESSION)
    # then
    assert listed.status_code == 200, listed.content
    body = listed.json()
    assert (body["count"], body["unread"], [item["id"] for item in body["items"]]) == (3, 3, [mine[2].pk, mine[1].pk])
    assert body["items"][0]["body"] == "订单 N2 已签收。用得怎么样？欢迎写评价。"
    assert body["items"][0]["link"] == "/shop/orders/N2/"
    assert read_one.status_code == 200 and read_one.json()["read_at"] is not None
    assert read_theirs.status_code == 404 and read_theirs.json()["code"] == "notification.not_found"
    assert read_all.json() == {"marked": 2}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_preferences_through_the_api(api, consumer):
    # when
    saved = api.put("/preferences", json={"preferences": [{"kind": "order_paid", "sms": True}]}, user=consumer,
                    COOKIES=SESSION)
    refused = api.put("/preferences", json={"preferences": [{"kind": "diary_invited", "sms": True}]},
                      user=consumer, COOKIES=SESSION)
    # then
    assert saved.status_code == 200, saved.content
    paid = next(row for row in saved.json() if row["kind"] == "order_paid")
    assert (paid["sms"], paid["wechat"]) == (True, False)
    assert refused.status_code == 422 and refused.json()["code"] == "notification.preference_invalid"


def test_the_inbox_needs_a_consumer_session(api):
    assert api.get("").status_code == 401
