"""Notification tests order, pay and review many times an hour, at a fixed daytime hour (SMS has quiet hours)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from xinren.core import clock

# 10:00 in Shanghai: outside the SMS quiet hours (22:00–08:00).
DAYTIME = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _room_to_order(settings):  # type: ignore[no-untyped-def]
    settings.XINREN_ORDERS_PER_HOUR = 1000


@pytest.fixture
def daytime() -> Iterator[dt.datetime]:
    with clock.played_at(DAYTIME):
        yield DAYTIME


class FailingProvider:
    """A provider whose gateway is down: every send raises (counted, so a test sees each attempt)."""

    calls = 0

    def send(self, *, recipient, template, params, link=""):  # type: ignore[no-untyped-def]
        FailingProvider.calls += 1
        raise ConnectionError("gateway timed out")


class RefusingProvider:
    """A provider that is told the user refused the messages (WeChat errcode 43101): never worth retrying."""

    def send(self, *, recipient, template, params, link=""):  # type: ignore[no-untyped-def]
        from xinren.notify.providers import SendFailed

        raise SendFailed("43101", "user refuse to accept the msg", retry=False)
