"""Sign-in limits (ADR 0016): per (account, client), per client address, an account ceiling with an unlock link."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from xinren.accounts.consumers import consumer_authenticate
from xinren.accounts.models import LoginThrottle, SandboxTextMessage, SignupCode, User
from xinren.accounts.signin import (
    DEVICE_COOKIE,
    LIMITS,
    PASSWORD,
    SigninAttempt,
    device_cookie_for,
    signin_failed,
    unlock_token_make,
)
from xinren.accounts.signup import consumer_signup_start
from xinren.accounts.tasks import signin_counters_prune_task
from xinren.accounts.throttle import Limit, throttle_count, throttle_hit, throttle_key
from xinren.core import clock
from xinren.core.errors import DomainError

from ..factories import UserFactory
from ..fixtures.accounts import consumer_with_phone
from ..fixtures.api import call, key_for

pytestmark = pytest.mark.django_db

CEILING = LIMITS[PASSWORD].ceiling
assert CEILING is not None


def _admin() -> User:
    user = UserFactory(username="ops", is_staff=True, is_superuser=True, email="ops@xinren.example")
    user.save()
    return user


def _post_login(path: str, username: str, password: str, address: str, **cookies: str) -> object:
    client = Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=address)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client.post(path, {"username": username, "password": password})


def _signed_in(response: object) -> bool:
    return getattr(response, "status_code", 0) == 302


# -- the counters ---------------------------------------------------------------------------------------------


def test_a_limit_waits_longer_after_each_failure_and_forgets():
    limit = Limit(free=5, base=60, cap=3600, forget=86400)
    now = 1_000_000
    assert [limit.wait_after(events=n, last_at=now, now=now) for n in (0, 4, 5, 6, 7, 11, 12, 40)] == [
        0, 0, 60, 120, 240, 3600, 3600, 3600
    ]
    assert limit.wait_after(events=6, last_at=now, now=now + 100) == 20
    assert limit.wait_after(events=40, last_at=now, now=now + 86400) == 0


def test_counting_is_one_row_per_key_that_starts_again_after_forget():
    # given
    start = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    key = throttle_key("test", "k")
    # when
    with clock.played_at(start):
        counts = [throttle_hit(key, forget=600) for _ in range(3)]
    with clock.played_at(start + dt.timedelta(seconds=599)):
        counts.append(throttle_hit(key, forget=600))
        assert throttle_count(key, forget=600) == 4
    with clock.played_at(start + dt.timedelta(seconds=1199)):
        assert throttle_count(key, forget=600) == 0
        counts.append(throttle_hit(key, forget=600))
    # then
    assert counts == [1, 2, 3, 4, 1]
    assert LoginThrottle.objects.count() == 1
    assert "test" not in LoginThrottle.objects.get().key  # a keyed hash, not what was counted


# -- admin and the merchant console ----------------------------------------------------------------------------


def test_sixty_wrong_admin_passwords_then_the_right_one_is_refused():
    # given
    _admin()
    answers = [_post_login("/admin/login/", "ops", f"guess-{n}", "203.0.113.5") for n in range(60)]
    # when
    right = _post_login("/admin/login/", "ops", "pass-word-123", "203.0.113.5")
    # then
    assert not any(_signed_in(a) for a in answers)
    assert not _signed_in(right)
    assert "登录尝试过于频繁" in right.content.decode()  # type: ignore[attr-defined]
    # only five passwords were checked from that address: the rest were refused before any check
    attempt = SigninAttempt(scope=PASSWORD, account="ops", client="203.0.113.5")
    pair_key, _client_key, account_key, _known = attempt.keys()
    assert throttle_count(pair_key, forget=86400) == 5
    assert throttle_count(account_key, forget=86400) == 5


def test_thirty_wrong_console_passwords_then_the_right_one_is_refused(merchant_actor):
    # given
    username = merchant_actor.user.username
    for n in range(30):
        assert not _signed_in(_post_login("/accounts/login/", username, f"guess-{n}", "203.0.113.5"))
    # when
    right = _post_login("/accounts/login/", username, "pass-word-123", "203.0.113.5")
    # then
    assert right.status_code == 200  # type: ignore[attr-defined]
    assert "登录尝试过于频繁" in right.content.decode()  # type: ignore[attr-defined]


def test_the_limit_decays_with_waits_that_double():
    # given five failures at 08:00
    _admin()
    start = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    with clock.played_at(start):
        for n in range(5):
            _post_login("/admin/login/", "ops", f"guess-{n}", "203.0.113.5")
        assert not _signed_in(_post_login("/admin/login/", "ops", "pass-word-123", "203.0.113.5"))
    # when a minute has passed, one more try is checked, and a wrong one makes the next wait two minutes
    with clock.played_at(start + dt.timedelta(seconds=60)):
        _post_login("/admin/login/", "ops", "guess-5", "203.0.113.5")
    with clock.played_at(start + dt.timedelta(seconds=179)):
        assert not _signed_in(_post_login("/admin/login/", "ops", "pass-word-123", "203.0.113.5"))
    # then after the wait the owner's right password works
    with clock.played_at(start + dt.timedelta(seconds=180)):
        assert _signed_in(_post_login("/admin/login/", "ops", "pass-word-123", "203.0.113.5"))


def test_the_owner_at_another_address_still_signs_in():
    # given a guesser at one address has been stopped
    _admin()
    for n in range(20):
        _post_login("/admin/login/", "ops", f"guess-{n}", "203.0.113.5")
    # when the owner signs in from their own address
    response = _post_login("/admin/login/", "ops", "pass-word-123", "198.51.100.7")
    # then
    assert _signed_in(response)
    assert DEVICE_COOKIE in response.cookies  # type: ignore[attr-defined]


def test_a_forged_forwarded_for_from_a_client_does_not_change_its_key():
    # given a client outside our proxies writing a new X-Forwarded-For each time
    _admin()
    for n in range(10):
        Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.9.{n}.1").post(
            "/admin/login/", {"username": "ops", "password": f"guess-{n}"}
        )
    # when
    right = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.99.1").post(
        "/admin/login/", {"username": "ops", "password": "pass-word-123"}
    )
    # then
    assert not _signed_in(right)
    assert "登录尝试过于频繁" in right.content.decode()


# -- consumers ----------------------------------------------------------------------------------------------------


def test_one_password_across_forty_phones_is_limited_per_client_address():
    # given forty consumers
    phones = [f"1390000{n:04d}" for n in range(40)]
    for phone in phones:
        consumer_with_phone(phone)
    # when one address tries one common password on each
    codes = []
    for phone in phones:
        try:
            consumer_authenticate(phone=phone, password="123456789", client="203.0.113.5")
        except DomainError as exc:
            codes.append(exc.code)
    # then the first twenty were checked and the rest refused unchecked
    assert codes == ["consumer.credentials_invalid"] * 20 + ["rate_limited"] * 20
    # and another address is not affected
    assert consumer_authenticate(phone=phones[-1], password="pass-word-123", client="198.51.100.7").phone == phones[-1]


def test_the_shop_signin_page_shows_the_limit(client: Client, consumer):
    for n in range(5):
        client.post("/shop/signin/", {"phone": "13812341234", "password": f"wrong-{n}"})
    response = client.post("/shop/signin/", {"phone": "13812341234", "password": "pass-word-123"})
    assert response.status_code == 429
    assert response.context["form"].non_field_errors() == ["登录尝试过于频繁，请在 1 分钟后再试"]
    assert "_auth_user_id" not in client.session


# -- the account ceiling and the way back -------------------------------------------------------------------------


def _guessed_from_everywhere(account: str, *, owner: User | None) -> None:
    """CEILING failures for the account, each from a different address (none of them hits the pair limit)."""
    for n in range(CEILING):
        signin_failed(SigninAttempt(scope=PASSWORD, account=account, client=f"10.{n // 250}.{n % 250}.9"), owner=owner)


def test_past_the_ceiling_a_new_browser_needs_the_unlock_link_texted_to_the_owner(client: Client, consumer):
    # given guesses from many addresses
    _guessed_from_everywhere("13812341234", owner=consumer)
    # then the owner was texted an unlock link, once
    texts = list(SandboxTextMessage.objects.filter(phone="13812341234"))
    assert len(texts) == 1 and "解锁" in texts[0].body
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/unlock/[^/]+/)", texts[0].body)
    assert link
    # when the owner signs in from a new browser with the right password
    response = client.post("/shop/signin/", {"phone": "13812341234", "password": "pass-word-123"})
    # then a second factor is asked for
    assert response.status_code == 429
    assert "解锁链接" in response.context["form"].non_field_errors()[0]
    # when the owner opens the link in that browser (a GET shows a button; the POST unlocks)
    assert client.get(link.group(1)).status_code == 200
    unlocked = client.post(link.group(1))
    assert unlocked.status_code == 302 and unlocked["Location"] == "/shop/signin/"
    # then the password works there
    response = client.post("/shop/signin/", {"phone": "13812341234", "password": "pass-word-123"})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == consumer.pk
    # and the link does not work twice (the sign-in changed what it was bound to)
    assert Client().post(link.group(1)).status_code == 400


def test_past_the_ceiling_a_staff_member_without_a_phone_is_mailed_the_link():
    # given
    user = _admin()
    # when
    _guessed_from_everywhere("ops", owner=user)
    # then
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@xinren.example"]
    assert "/accounts/unlock/" in mail.outbox[0].body
    assert not _signed_in(_post_login("/admin/login/", "ops", "pass-word-123", "198.51.100.7"))


def test_a_browser_that_signed_in_before_is_not_stopped_by_the_ceiling_or_a_shared_address():
    # given the owner signed in once from this browser
    _admin()
    first = _post_login("/admin/login/", "ops", "pass-word-123", "198.51.100.7")
    device = first.cookies[DEVICE_COOKIE].value  # type: ignore[attr-defined]
    # when the account is guessed from everywhere, including the owner's own (shared, carrier NAT) address
    _guessed_from_everywhere("ops", owner=None)
    for n in range(30):
        _post_login("/admin/login/", "ops", f"guess-{n}", "198.51.100.7")
    # then that browser still signs in, and a browser without the cookie does not
    assert _signed_in(_post_login("/admin/login/", "ops", "pass-word-123", "198.51.100.7", **{DEVICE_COOKIE: device}))
    assert not _signed_in(_post_login("/admin/login/", "ops", "pass-word-123", "192.0.2.44"))


def test_a_forged_or_foreign_device_cookie_counts_for_nothing():
    # given
    _admin()
    _guessed_from_everywhere("ops", owner=None)
    forged = device_cookie_for(scope=PASSWORD, account="ops") + "x"
    someone_elses = device_cookie_for(scope=PASSWORD, account="someone-else")
    # then
    for cookie in (forged, someone_elses):
        assert not _signed_in(_post_login("/admin/login/", "ops", "pass-word-123", "192.0.2.44",
                                          **{DEVICE_COOKIE: cookie}))


def test_an_unlock_link_expires_after_a_day(client: Client, consumer):
    # given
    start = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    with clock.played_at(start):
        token = unlock_token_make(user=consumer)
    # when
    with clock.played_at(start + dt.timedelta(days=1, seconds=1)):
        response = client.post(f"/accounts/unlock/{token}/")
    # then
    assert response.status_code == 400
    assert "解锁链接无效或已过期" in response.content.decode()
    assert DEVICE_COOKIE not in response.cookies
    with clock.played_at(start + dt.timedelta(days=1)):
        assert client.post(f"/accounts/unlock/{token}/").status_code == 302


# -- API keys -----------------------------------------------------------------------------------------------------


def test_wrong_api_keys_are_limited_per_client_address(merchant):
    # given a real key and a client guessing
    raw = key_for(merchant)
    guesser = Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="203.0.113.5")
    statuses = [call(guesser, "GET", "/events", key=f"xr_{n:08x}_{'A' * 43}").status_code for n in range(25)]
    # when
    from_the_guesser = call(guesser, "GET", "/events", key=raw)
    from_the_partner = call(Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="198.51.100.7"), "GET", "/events", key=raw)
    # then
    assert statuses == [401] * 20 + [429] * 5
    assert from_the_guesser.status_code == 429 and from_the_guesser.json()["code"] == "rate_limited"
    assert 0 < int(from_the_guesser["Retry-After"]) <= 3600
    assert from_the_partner.status_code == 200


# -- housekeeping and the operator's way back ------------------------------------------------------------------


def test_the_daily_prune_deletes_idle_counters_and_expired_codes():
    # given a counter and a code from three days ago, and fresh ones
    start = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
    with clock.played_at(start):
        throttle_hit(throttle_key("test", "old"), forget=86400)
        consumer_signup_start(phone="13812345678", client="203.0.113.5")
    with clock.played_at(start + dt.timedelta(days=3)):
        throttle_hit(throttle_key("test", "new"), forget=86400)
        consumer_signup_start(phone="13812349999", client="198.51.100.7")
        # when
        pruned = signin_counters_prune_task.call()
    # then the old counter, the old code and the counters of the old sign-up (phone, address) are gone
    assert pruned == 4
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {
        throttle_key("test", "new"), throttle_key("signup", "phone", "13812349999"),
        throttle_key("signup", "client", "198.51.100.7"),
    }
    assert list(SignupCode.objects.values_list("phone_key", flat=True)) == [
        throttle_key("signup", "phone", "13812349999")
    ]


def test_an_operator_can_print_an_unlock_link(client: Client):
    # given an account without phone or e-mail past its ceiling
    user = UserFactory(username="lab-clerk", email="")
    user.save()
    _guessed_from_everywhere("lab-clerk", owner=user)
    assert not _signed_in(client.post("/accounts/login/", {"username": "lab-clerk", "password": "pass-word-123"}))
    out = io.StringIO()
    # when
    call_command("signin_unlock", "lab-clerk", stdout=out)
    # then
    path = out.getvalue().strip().removeprefix("http://127.0.0.1:8000")
    assert client.post(path)["Location"] == "/accounts/login/"
    assert _signed_in(client.post("/accounts/login/", {"username": "lab-clerk", "password": "pass-word-123"}))
    with pytest.raises(CommandError):
        call_command("signin_unlock", "nobody")


def test_the_refusals_are_translated(consumer):
    # given
    with clock.played_at(dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)):
        for n in range(5):
            with pytest.raises(DomainError):
                consumer_authenticate(phone="13812341234", password=f"wrong-{n}", client="203.0.113.5")
        # when
        with translation.override("en"), pytest.raises(DomainError) as caught:
            consumer_authenticate(phone="13812341234", password="pass-word-123", client="203.0.113.5")
    # then
    assert str(caught.value.message) == "Too many sign-in attempts. Please try again in 1 minute(s)."
    assert caught.value.details["retry_after"] == 60


def test_the_device_cookie_is_http_only_and_secure_where_cookies_are(settings):
    # given
    settings.SESSION_COOKIE_SECURE = True
    _admin()
    # when
    response = _post_login("/admin/login/", "ops", "pass-word-123", "198.51.100.7")
    # then
    cookie = response.cookies[DEVICE_COOKIE]  # type: ignore[attr-defined]
    assert (cookie["httponly"], cookie["secure"], cookie["samesite"], cookie["max-age"]) == (True, True, "Lax", 7776000)
