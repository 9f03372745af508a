"""Sign-in by a texted code and password reset by a texted code (accounts.smscodes, issue 12)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from xinren.accounts.models import SandboxTextMessage, SignupCode, User
from xinren.accounts.signin import DEVICE_COOKIE, LIMITS, PASSWORD, SigninAttempt, signin_failed, unlock_url
from xinren.accounts.smscodes import (
    CODE_ATTEMPTS,
    password_reset_confirm,
    password_reset_request,
    signin_code_request,
    signin_code_verify,
)
from xinren.core import clock
from xinren.core.errors import DomainError

from ..fixtures.accounts import consumer_with_phone

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
OWNER = "13812341234"
STRANGER = "13812345678"


def _code(phone: str) -> str:
    match = re.search(r"\b\d{6}\b", SandboxTextMessage.objects.filter(phone=phone).latest("id").body)
    assert match
    return match.group()


def _page_without_tokens(response: object) -> str:
    html = response.content.decode()  # type: ignore[attr-defined]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _ask(path: str, phone: str, address: str) -> tuple[int, str, str]:
    client = Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=address)
    response = client.post(path, {"phone": phone})
    following = client.get(response["Location"]) if response.status_code == 302 else response
    return response.status_code, response.get("Location", ""), _page_without_tokens(following)


def _refused(call: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value


# -- sign-in by code ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "next_page"),
    [("/shop/signin/code/", "/shop/signin/code/verify/"), ("/shop/password/reset/", "/shop/password/reset/confirm/")],
)
def test_asking_for_a_code_answers_the_same_for_a_registered_and_an_unknown_phone(path: str, next_page: str):
    # given
    consumer_with_phone(OWNER)
    # when
    with clock.played_at(START):
        registered = _ask(path, OWNER, "203.0.113.5")
        unknown = _ask(path, STRANGER, "198.51.100.7")
    # then the pages differ only in the masked number the asker typed
    assert registered[:2] == unknown[:2] == (302, f"{next_page}?next=%2Fshop%2F")
    assert registered[2] == unknown[2].replace("138****5678", "138****1234")
    assert "验证码已发送至 138****1234" in registered[2]
    # and only the owner gets a code; the unknown number is told it has no account, with no code in the text
    assert re.search(r"验证码是 \d{6}", SandboxTextMessage.objects.get(phone=OWNER).body)
    notice = SandboxTextMessage.objects.get(phone=STRANGER).body
    assert "尚未注册" in notice and not re.search(r"\b\d{6}\b", notice)
    # and both cost the same: a code row each, holding no code in the clear
    assert SignupCode.objects.count() == 2
    assert all(_code(OWNER) not in row.code_hash for row in SignupCode.objects.all())


def test_a_texted_code_signs_in_and_marks_the_browser_as_the_owners(consumer):
    # given
    client = Client()
    assert client.get("/shop/signin/?method=code").status_code == 200
    assert client.post("/shop/signin/code/", {"phone": "138 1234 1234"}).status_code == 302
    # when
    response = client.post("/shop/signin/code/verify/", {"code": _code(OWNER)})
    # then
    assert response.status_code == 302 and response["Location"] == "/shop/"
    assert int(client.session["_auth_user_id"]) == consumer.pk
    assert response.cookies[DEVICE_COOKIE].value
    # and the code is used up
    assert SignupCode.objects.count() == 0


def test_a_code_for_an_unknown_phone_fails_like_a_wrong_code():
    # given
    consumer_with_phone(OWNER)
    signin_code_request(phone=OWNER, client="203.0.113.5")
    signin_code_request(phone=STRANGER, client="203.0.113.5")
    # when
    wrong = _refused(lambda: signin_code_verify(phone=OWNER, code="000000" if _code(OWNER) != "000000" else "111111"))
    unknown = _refused(lambda: signin_code_verify(phone=STRANGER, code="123456"))
    # then
    assert (wrong.code, wrong.status, str(wrong.message), wrong.details) == (
        unknown.code, unknown.status, str(unknown.message), unknown.details
    ) == ("consumer.code_invalid", 422, "验证码错误或已过期", {"field": "code"})


def test_a_code_lasts_ten_minutes_and_five_tries(consumer):
    # given a code, and a second one that is tried wrongly five times
    with clock.played_at(START):
        signin_code_request(phone=OWNER, client="203.0.113.5")
        code = _code(OWNER)
    # when it is used after ten minutes
    with clock.played_at(START + dt.timedelta(minutes=10, seconds=1)):
        late = _refused(lambda: signin_code_verify(phone=OWNER, code=code))
    assert late.code == "consumer.code_invalid"
    with clock.played_at(START + dt.timedelta(hours=2)):
        signin_code_request(phone=OWNER, client="203.0.113.5")
        code = _code(OWNER)
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for _ in range(CODE_ATTEMPTS):
            _refused(lambda: signin_code_verify(phone=OWNER, code=wrong))
        # then even the right code no longer works
        assert _refused(lambda: signin_code_verify(phone=OWNER, code=code)).code == "consumer.code_invalid"


def test_code_requests_are_throttled_per_phone_and_per_address(consumer):
    with clock.played_at(START):
        # two texts to a number at once, then a wait
        signin_code_request(phone=OWNER, client="203.0.113.5")
        signin_code_request(phone=OWNER, client="203.0.113.6")
        third = _refused(lambda: signin_code_request(phone=OWNER, client="203.0.113.7"))
        assert third.code == "rate_limited" and third.status == 429 and "分钟后再试" in str(third.message)
        # one address asking for many numbers
        for n in range(10):
            signin_code_request(phone=f"1390000{n:04d}", client="198.51.100.7")
        assert _refused(lambda: signin_code_request(phone="13900009999", client="198.51.100.7")).code == "rate_limited"
    # and a minute later the number may ask again
    with clock.played_at(START + dt.timedelta(minutes=1, seconds=1)):
        signin_code_request(phone=OWNER, client="203.0.113.7")


def test_the_owner_with_the_phone_is_not_locked_out_by_password_guesses(consumer):
    # given the password guessed from everywhere past the account's ceiling, and ten times from the owner's address
    ceiling = LIMITS[PASSWORD].ceiling
    assert ceiling is not None
    for n in range(ceiling):
        signin_failed(SigninAttempt(scope=PASSWORD, account=OWNER, client=f"10.0.{n}.9"), owner=None)
    client = Client(REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="203.0.113.5")
    for n in range(10):
        client.post("/shop/signin/", {"phone": OWNER, "password": f"guess-{n}"})
    refused = client.post("/shop/signin/", {"phone": OWNER, "password": "pass-word-123"})
    assert refused.status_code == 429
    assert "改用验证码登录" in refused.content.decode()  # the page points the owner to the way in
    # when the owner signs in with a texted code from that browser
    client.post("/shop/signin/code/", {"phone": OWNER})
    response = client.post("/shop/signin/code/verify/", {"code": _code(OWNER)})
    # then they are in, and from then on their password works in that browser too
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == consumer.pk
    client.post("/shop/signout/")
    assert client.post("/shop/signin/", {"phone": OWNER, "password": "pass-word-123"}).status_code == 302


# -- password reset -------------------------------------------------------------------------------------------


def test_a_reset_sets_the_password_and_ends_the_other_sessions_and_unlock_links(consumer):
    # given the owner signed in elsewhere, and an unlock link sent earlier
    elsewhere = Client()
    assert elsewhere.post("/shop/signin/", {"phone": OWNER, "password": "pass-word-123"}).status_code == 302
    assert elsewhere.get("/shop/orders/").status_code == 200
    link = unlock_url(user=consumer).split("127.0.0.1:8000", 1)[-1]
    # when the password is reset in another browser
    client = Client()
    client.post("/shop/password/reset/", {"phone": OWNER})
    response = client.post(
        "/shop/password/reset/confirm/",
        {"code": _code(OWNER), "password": "cha-shan-2027", "password_again": "cha-shan-2027"},
    )
    # then this browser is signed in with the new password, and the old one is gone
    assert response.status_code == 302
    consumer.refresh_from_db()
    assert consumer.check_password("cha-shan-2027") and not consumer.check_password("pass-word-123")
    assert int(client.session["_auth_user_id"]) == consumer.pk
    # and the other session is signed out
    assert elsewhere.get("/shop/orders/").status_code == 302
    # and the old unlock link no longer works
    assert Client().post(link).status_code == 400


def test_a_short_password_is_refused_in_chinese_and_keeps_the_code(consumer):
    # given
    client = Client()
    client.post("/shop/password/reset/", {"phone": OWNER})
    code = _code(OWNER)
    # when
    response = client.post("/shop/password/reset/confirm/", {"code": code, "password": "abc", "password_again": "abc"})
    # then
    assert response.status_code == 422
    errors = response.context["form"].errors["password"]
    assert errors == ["密码太短，至少需要 8 个字符。 这个密码太常见，容易被猜到，请换一个。"]
    consumer.refresh_from_db()
    assert consumer.check_password("pass-word-123")
    # and the code still works with a good password
    user = password_reset_confirm(phone=OWNER, code=code, password="cha-shan-2027")
    assert user.pk == consumer.pk
    # but not twice
    assert _refused(lambda: password_reset_confirm(phone=OWNER, code=code, password="cha-shan-2028")).code == (
        "consumer.code_invalid"
    )


def test_a_reset_code_does_not_sign_in_and_a_sign_in_code_does_not_reset(consumer):
    # given
    password_reset_request(phone=OWNER, client="203.0.113.5")
    reset_code = _code(OWNER)
    # then
    assert _refused(lambda: signin_code_verify(phone=OWNER, code=reset_code)).code == "consumer.code_invalid"
    signin_code_request(phone=OWNER, client="203.0.113.5")
    signin_code = _code(OWNER)
    if signin_code != reset_code:
        assert _refused(
            lambda: password_reset_confirm(phone=OWNER, code=signin_code, password="cha-shan-2027")
        ).code == "consumer.code_invalid"
    assert User.objects.get(pk=consumer.pk).check_password("pass-word-123")
