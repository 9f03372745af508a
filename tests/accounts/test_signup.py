"""Sign-up by texted code: the same answer for registered and new phones, throttled, codes tried five times at most."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from xinren.accounts.models import SandboxTextMessage, SignupCode, User
from xinren.accounts.signup import consumer_signup_confirm, consumer_signup_start
from xinren.core import clock
from xinren.core.errors import DomainError

from ..fixtures.accounts import consumer_with_phone

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)


def _code(phone: str) -> str:
    match = re.search(r"\d{6}", SandboxTextMessage.objects.filter(phone=phone).latest("id").body)
    assert match
    return match.group()


def _page_without_tokens(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _sign_up(phone: str, address: str) -> tuple[int, str, str]:
    """What a client at `address` sees when it asks to sign up with `phone`: status, redirect, next page."""
    client = Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=address)
    response = client.post("/shop/signup/", {"phone": phone})
    following = client.get(response["Location"]) if response.status_code == 302 else response
    return response.status_code, response.get("Location", ""), _page_without_tokens(following)


def test_the_answer_is_the_same_for_a_registered_and_a_new_phone():
    # given
    consumer_with_phone("13812341234")
    # when
    with clock.played_at(START):
        registered = _sign_up("13812341234", "203.0.113.5")
        new = _sign_up("13812345678", "198.51.100.7")
    # then the pages differ only in the masked number, which is what the asker typed
    assert registered[:2] == new[:2] == (302, "/shop/signup/confirm/?next=%2Fshop%2F")
    assert registered[2] == new[2].replace("138****5678", "138****1234")
    assert "验证码已发送至 138****1234" in registered[2]
    # and the owner of the registered number hears of it, without a code; the new number gets one
    registered_text = SandboxTextMessage.objects.get(phone="13812341234").body
    assert "您已有账号" in registered_text and not re.search(r"\d{6}", registered_text)
    assert re.search(r"验证码是 \d{6}", SandboxTextMessage.objects.get(phone="13812345678").body)
    # and both cost the same work: a code row each
    assert SignupCode.objects.count() == 2


def test_a_registered_phone_cannot_be_confirmed_and_fails_like_a_wrong_code():
    # given
    owner = consumer_with_phone("13812341234")
    with clock.played_at(START):
        consumer_signup_start(phone="13812341234", client="203.0.113.5")
        consumer_signup_start(phone="13812345678", client="203.0.113.5")
        # when
        answers = []
        for phone in ("13812341234", "13812345678"):
            with pytest.raises(DomainError) as caught:
                consumer_signup_confirm(phone=phone, code="000000", password="shan-ye-2026")
            answers.append((caught.value.code, caught.value.status, str(caught.value.message), caught.value.details))
    # then
    assert answers[0] == answers[1] == ("consumer.code_invalid", 422, "验证码错误或已过期", {"field": "code"})
    owner.refresh_from_db()
    assert owner.check_password("pass-word-123")
    assert User.objects.count() == 1


def test_sign_up_requests_are_throttled_alike_for_registered_and_new_phones():
    # given
    consumer_with_phone("13812341234")
    answers: dict[str, list[int]] = {}
    for phone in ("13812341234", "13812345678"):
        with clock.played_at(START):
            first = _sign_up(phone, f"203.0.113.{phone[-1]}")[0]
        with clock.played_at(START + dt.timedelta(seconds=30)):
            again = _sign_up(phone, f"198.51.100.{phone[-1]}")[0]  # another address: the phone's own limit
        with clock.played_at(START + dt.timedelta(seconds=60)):
            later = _sign_up(phone, f"192.0.2.{phone[-1]}")[0]
        answers[phone] = [first, again, later]
    # then
    assert answers == {"13812341234": [302, 429, 302], "13812345678": [302, 429, 302]}
    assert SandboxTextMessage.objects.count() == 4


def test_a_code_is_tried_five_times_at_most_and_expires():
    # given
    with clock.played_at(START):
        consumer_signup_start(phone="13812345678", client="203.0.113.5")
    code = _code("13812345678")
    # when five wrong tries are made
    with clock.played_at(START + dt.timedelta(minutes=1)):
        for n in range(5):
            with pytest.raises(DomainError):
                consumer_signup_confirm(phone="13812345678", code=f"{n:06d}" if f"{n:06d}" != code else "999999",
                                        password="shan-ye-2026")
        # then the right code is refused too
        with pytest.raises(DomainError) as caught:
            consumer_signup_confirm(phone="13812345678", code=code, password="shan-ye-2026")
    assert caught.value.code == "consumer.code_invalid"
    assert User.objects.count() == 0
    # and a fresh code expires after ten minutes
    with clock.played_at(START + dt.timedelta(minutes=2)):
        consumer_signup_start(phone="13812345678", client="203.0.113.5")
    with clock.played_at(START + dt.timedelta(minutes=12)), pytest.raises(DomainError):
        consumer_signup_confirm(phone="13812345678", code=_code("13812345678"), password="shan-ye-2026")
    assert User.objects.count() == 0


def test_the_right_code_creates_the_account_once():
    # given
    with clock.played_at(START):
        consumer_signup_start(phone="13812345678", client="203.0.113.5")
        code = _code("13812345678")
        # when
        user = consumer_signup_confirm(phone="138 1234 5678", code=code, password="shan-ye-2026")
        # then
        assert (user.phone, user.display_name) == ("13812345678", "138****5678")
        assert user.check_password("shan-ye-2026")
        assert SignupCode.objects.count() == 0
        with pytest.raises(DomainError) as caught:
            consumer_signup_confirm(phone="13812345678", code=code, password="shan-ye-2026")
    assert caught.value.code == "consumer.code_invalid"
    assert User.objects.count() == 1
