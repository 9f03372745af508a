"""The inbox at /shop/notifications/: the consumer's own notices only, escaped, paged, times in Asia/Shanghai, a
badge with the unread count in the header, read on open or all at once; the settings page."""

from __future__ import annotations

import datetime as dt

import pytest

from xinren.notify.choices import NotificationKind
from xinren.notify.models import Notification, Preference
from xinren.notify.services import notification_create

from ..fixtures.accounts import browser_of

pytestmark = pytest.mark.django_db


def _notice(user, n: int = 1, **params) -> Notification:  # type: ignore[no-untyped-def]
    return notification_create(
        user_id=user.pk, kind="order_cancelled", link=f"/shop/orders/N{n}/", dedupe_key=f"test:{user.pk}:{n}",
        params={"order": f"N{n}", "reason": "缺货", **params},
    )


def test_the_inbox_lists_notices_with_links_times_in_shanghai_and_a_badge(consumer):
    # given: a notice made at 16:05 UTC, which is 00:05 the next day in Shanghai
    notice = _notice(consumer)
    Notification.objects.filter(pk=notice.pk).update(created_at=dt.datetime(2026, 12, 5, 16, 5, tzinfo=dt.UTC))
    browser = browser_of(consumer)
    # when
    html = browser.get("/shop/notifications/").content.decode()
    # then
    assert "订单 N1 已取消：缺货" in html
    assert f'href="/shop/notifications/{notice.pk}/"' in html
    assert "2026-12-06 00:05" in html
    assert '<span class="badge" aria-label="1 条未读">1</span>' in html


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(consumer):
    # given
    notice = _notice(consumer)
    browser = browser_of(consumer)
    # when
    opened = browser.get(f"/shop/notifications/{notice.pk}/")
    # then
    assert opened.status_code == 302 and opened["Location"] == "/shop/orders/N1/"
    assert Notification.objects.get(pk=notice.pk).read_at is not None
    assert 'class="badge"' not in browser.get("/shop/notifications/").content.decode()


def test_mark_all_read(consumer):
    # given
    for n in range(3):
        _notice(consumer, n)
    browser = browser_of(consumer)
    # when
    response = browser.post("/shop/notifications/read/")
    # then
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_another_consumers_notice_cannot_be_read_or_marked(consumer, other_consumer):
    # given
    theirs = _notice(other_consumer)
    browser = browser_of(consumer)
    # when
    opened = browser.get(f"/shop/notifications/{theirs.pk}/")
    browser.post("/shop/notifications/read/")
    listing = browser.get("/shop/notifications/").content.decode()
    # then
    assert opened.status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "订单 N1" not in listing and "/shop/orders/N1/" not in listing and "没有通知。" in listing  # (a random
    # CSRF token may hold "N1")


def test_the_inbox_escapes_what_others_wrote(consumer):
    # given: a cancel reason typed by a merchant
    _notice(consumer, reason='<script>alert("x")</script><img src=x onerror=alert(1)>')
    # when
    html = browser_of(consumer).get("/shop/notifications/").content.decode()
    # then
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_link_off_the_site_is_never_followed(consumer):
    # given: a notice whose stored link is not a path on this site
    notice = notification_create(user_id=consumer.pk, kind="service_reply", params={"merchant": "店"},
                                 link="https://evil.example/", dedupe_key="test:offsite")
    # when
    opened = browser_of(consumer).get(f"/shop/notifications/{notice.pk}/")
    # then
    assert opened["Location"] == "/shop/notifications/"


def test_the_inbox_is_paged(consumer):
    # given
    for n in range(25):
        _notice(consumer, n)
    browser = browser_of(consumer)
    # when
    first = browser.get("/shop/notifications/").content.decode()
    second = browser.get("/shop/notifications/?page=2").content.decode()
    # then: newest first, 20 a page
    assert first.count('class="card notice') == 20 and "订单 N24 已取消" in first and 'href="?page=2"' in first
    assert second.count('class="card notice') == 5 and "订单 N0 已取消" in second


def test_the_inbox_needs_a_signed_in_consumer(client):
    response = client.get("/shop/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/shop/signin/")


def test_the_settings_page_saves_sms_and_wechat_per_kind(consumer):
    # given
    browser = browser_of(consumer)
    page = browser.get("/shop/notifications/settings/").content.decode()
    assert 'name="order_shipped:sms" aria-label="短信" checked' in page
    assert 'name="diary_invited:sms"' not in page  # invitations never go by SMS
    # when: SMS only for payments and refunds, WeChat for nothing
    response = browser.post("/shop/notifications/settings/", {"order_paid:sms": "on", "refund_done:sms": "on"})
    # then
    assert response.status_code == 302
    assert set(Preference.objects.filter(user=consumer, sms=True).values_list("kind", flat=True)) == {
        "order_paid", "refund_done",
    }
    assert not Preference.objects.filter(user=consumer, wechat=True).exists()
    assert Preference.objects.filter(user=consumer).count() == len(NotificationKind)
