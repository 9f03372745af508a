"""Consumer accounts: phone numbers as identity, masked everywhere, pseudonymous ids, rate-limited sign-up/in."""

from __future__ import annotations

import re

import pytest

from xinren.accounts.consumers import (
    consumer_authenticate,
    consumer_public_id,
    consumer_require,
    consumer_signup,
    phone_mask,
    phone_normalize,
)
from xinren.accounts.models import User
from xinren.core.audit import AuditEntry
from xinren.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("13812341234", "13812341234"), ("138 1234 1234", "13812341234"), ("+86 138-1234-1234", "13812341234"),
     ("008619912341234", "19912341234")],
)
def test_phone_normalize_accepts_common_spellings(raw, expected):
    assert phone_normalize(raw) == expected


@pytest.mark.parametrize("raw", ["12812341234", "1381234123", "138123412345", "1381234123a", "", "+1 4155550100"])
def test_phone_normalize_refuses_what_is_not_a_mainland_mobile(raw):
    with pytest.raises(InvalidInput) as caught:
        phone_normalize(raw)
    assert caught.value.code == "consumer.phone_invalid"
    assert caught.value.details == {"field": "phone"}


def test_phone_mask():
    assert phone_mask("13812341234") == "138****1234"
    assert phone_mask("") == ""
    assert phone_mask(None) == ""


def test_signup_creates_a_consumer_shown_masked():
    # when
    user = consumer_signup(phone="138 1234 1234", password="shan-ye-2026")
    # then
    assert (user.username, user.phone, user.display_name, str(user)) == (
        "13812341234", "13812341234", "138****1234", "138****1234"
    )
    assert user.check_password("shan-ye-2026")
    assert consumer_require(user) == user
    entry = AuditEntry.objects.get(action="consumer.signup")
    assert (entry.actor, entry.target_id, entry.data) == (user, str(user.pk), {})


def test_signup_twice_with_one_number_is_refused():
    # given
    consumer_signup(phone="13812341234", password="shan-ye-2026")
    # when
    with pytest.raises(Conflict) as caught:
        consumer_signup(phone="+8613812341234", password="another-pass-99")
    # then
    assert caught.value.code == "consumer.phone_taken"
    assert User.objects.count() == 1


def test_signup_refuses_a_weak_password():
    with pytest.raises(InvalidInput) as caught:
        consumer_signup(phone="13812341234", password="1234")
    assert caught.value.code == "consumer.password_invalid"
    assert caught.value.details == {"field": "password"}
    assert User.objects.count() == 0


def test_signin_with_phone_and_password():
    # given
    user = consumer_signup(phone="13812341234", password="shan-ye-2026")
    # then
    assert consumer_authenticate(phone="138-1234-1234", password="shan-ye-2026") == user


@pytest.mark.parametrize(("phone", "password"), [("13812341234", "wrong-pass-1"), ("13900000000", "shan-ye-2026"),
                                                  ("not-a-phone", "shan-ye-2026")])
def test_signin_failures_look_the_same(phone, password):
    # given
    consumer_signup(phone="13812341234", password="shan-ye-2026")
    # when
    with pytest.raises(DomainError) as caught:
        consumer_authenticate(phone=phone, password=password)
    # then
    assert (caught.value.code, caught.value.status, str(caught.value.message)) == (
        "consumer.credentials_invalid", 401, "手机号或密码不正确"
    )


def test_signin_is_refused_for_a_while_after_ten_failures():
    # given
    consumer_signup(phone="13812341234", password="shan-ye-2026")
    for _ in range(10):
        with pytest.raises(DomainError):
            consumer_authenticate(phone="13812341234", password="wrong-pass-1")
    # when even the right password is tried
    with pytest.raises(DomainError) as caught:
        consumer_authenticate(phone="13812341234", password="shan-ye-2026")
    # then
    assert (caught.value.code, caught.value.status) == ("rate_limited", 429)


def test_public_id_is_stable_distinct_and_not_the_phone(settings):
    # given
    first = consumer_signup(phone="13812341234", password="shan-ye-2026")
    second = consumer_signup(phone="13987654321", password="shan-ye-2026")
    # then
    before = consumer_public_id(first)
    assert before == consumer_public_id(User.objects.get(pk=first.pk))
    assert before != consumer_public_id(second)
    assert re.fullmatch(r"u[0-9a-f]{15}", before)
    assert "13812341234" not in before
    # and a different key gives different pseudonyms
    settings.XINREN_PSEUDONYM_KEY = "another-key"
    assert consumer_public_id(first) != before


def test_staff_without_a_phone_is_not_a_consumer():
    with pytest.raises(PermissionDenied) as caught:
        consumer_require(UserFactory(phone=None))
    assert caught.value.code == "consumer.required"
