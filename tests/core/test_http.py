"""The client's address behind our own web server: the rightmost X-Forwarded-For hop that is not our proxy."""

from __future__ import annotations

import pytest
from django.conf import settings as settings_module
from django.test import Client, RequestFactory

from xinren.core.http import client_address


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("203.0.113.9", "", "203.0.113.9"),  # a direct peer is the client
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),  # ...and its own X-Forwarded-For is not believed
        ("", "198.51.100.7", "198.51.100.7"),  # gunicorn on a unix socket behind nginx
        ("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # nginx on loopback
        ("", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a forged hop on the left is ignored
        ("", "198.51.100.7, 127.0.0.1", "198.51.100.7"),  # our own proxies on the right are skipped
        ("", "", ""),  # nothing says
    ],
)
def test_the_client_is_the_rightmost_hop_that_is_not_our_proxy(remote, forwarded, expected, settings):
    settings.XINREN_TRUSTED_PROXIES = ("", "127.0.0.1", "::1")  # production's default: nginx on this host
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_outside_production_a_loopback_peer_is_the_client_and_its_forwarded_header_is_not_believed():
    # given: the development default (runserver answers browsers directly; nothing proxies on loopback)
    assert settings_module.XINREN_TRUSTED_PROXIES == ("",)
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    # then
    assert client_address(request) == "127.0.0.1"


def test_more_proxies_are_configured_in_settings(settings):
    settings.XINREN_TRUSTED_PROXIES = ("", "10.0.0.2")
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2")
    assert client_address(request) == "198.51.100.7"


@pytest.mark.django_db
def test_sign_ups_behind_the_proxy_are_limited_per_client_not_all_together():
    # given: five sign-ups from one client through nginx on a unix socket (REMOTE_ADDR is empty)
    def sign_up(phone: str, address: str) -> int:
        return Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=address).post(
            "/shop/signup/", {"phone": phone, "password": "shan-ye-2026", "password_again": "shan-ye-2026"}
        ).status_code

    assert [sign_up(f"1380000001{n}", "203.0.113.9") for n in range(5)] == [302] * 5
    # then: the sixth from that client is refused, and another client is not
    assert sign_up("13800000019", "203.0.113.9") == 429
    assert sign_up("13800000029", "198.51.100.7") == 302
