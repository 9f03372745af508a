"""Consumers: people who sign up with a mainland mobile number to buy and, later, to review.

A consumer is a `User` with a `phone` and no membership. The phone is the identity but is never shown in full:
pages show `phone_mask(...)`, and anything public (reviews, feeds) uses `consumer_public_id(...)`, a keyed hash
of the user id that cannot be turned back into the phone.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.core.audit import audit_record
from xinren.core.errors import Conflict, DomainError, InvalidInput, PermissionDenied

from .models import User
from .signin import PASSWORD, SigninAttempt, password_signin

# Mainland China mobile numbers: 11 digits, 1 then 3–9.
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
PHONE_INVALID = "consumer.phone_invalid"
PHONE_TAKEN = "consumer.phone_taken"
PASSWORD_INVALID = "consumer.password_invalid"
CREDENTIALS_INVALID = "consumer.credentials_invalid"
CONSUMER_REQUIRED = "consumer.required"


def phone_normalize(value: str) -> str:
    """The 11-digit form of a mainland mobile number; accepts spaces, dashes and a +86 prefix."""
    digits = re.sub(r"[\s\-]", "", value or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    if not PHONE_PATTERN.match(digits):
        # The value is not echoed back in details: phone numbers stay out of logs and API responses.
        raise InvalidInput(
            PHONE_INVALID, _("请输入有效的中国大陆手机号（11 位，以 1 开头）"), details={"field": "phone"}
        )
    return digits


def phone_mask(phone: str | None) -> str:
    """How a phone number is shown anywhere: "13812341234" -> "138****1234"."""
    if not phone:
        return ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def consumer_public_id(user: User) -> str:
    """A stable pseudonym for public content (reviews, feeds): a keyed hash of the user id, never the phone."""
    key = (getattr(settings, "XINREN_PSEUDONYM_KEY", "") or settings.SECRET_KEY).encode()
    digest = hmac.new(key, f"xinren.consumer:{user.pk}".encode(), hashlib.sha256).hexdigest()
    return f"u{digest[:15]}"


def is_consumer(user: object) -> bool:
    return isinstance(user, User) and user.is_active and bool(user.phone)


def consumer_require(user: object) -> User:
    """The user as a consumer, or a refusal when the session is not a consumer's."""
    if not is_consumer(user):
        raise PermissionDenied(CONSUMER_REQUIRED, _("请使用手机号登录消费者账号"))
    assert isinstance(user, User)
    return user


@transaction.atomic
def consumer_signup(*, phone: str, password: str) -> User:
    """Create a consumer account for a phone whose owner is known (the demo, a confirmed sign-up code)."""
    phone = phone_normalize(phone)
    try:
        validate_password(password)
    except ValidationError as exc:
        raise InvalidInput(PASSWORD_INVALID, " ".join(exc.messages), details={"field": "password"}) from exc
    if User.objects.filter(Q(phone=phone) | Q(username=phone)).exists():
        raise Conflict(PHONE_TAKEN, _("该手机号已注册，请直接登录"), details={"field": "phone"})
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=phone, password=password, phone=phone)
    except IntegrityError as exc:  # a concurrent sign-up with the same number
        raise Conflict(PHONE_TAKEN, _("该手机号已注册，请直接登录"), details={"field": "phone"}) from exc
    user.display_name = phone_mask(phone)
    user.save(update_fields=["display_name"])
    audit_record(actor=user, organization=None, action="consumer.signup", target=user)
    return user


def consumer_authenticate(*, phone: str, password: str, client: str = "", device_cookie: str = "") -> User:
    """The consumer with this phone and password, under the sign-in limits (accounts.signin, ADR 0016)."""
    try:
        phone = phone_normalize(phone)
    except InvalidInput:
        raise DomainError(CREDENTIALS_INVALID, _("手机号或密码不正确"), status=401) from None
    attempt = SigninAttempt(scope=PASSWORD, account=phone, client=client, device_cookie=device_cookie)

    def check() -> User | None:
        user = User.objects.filter(phone=phone, is_active=True).first()
        if user is None:
            # Hash anyway, so that the response time does not tell which numbers have accounts.
            User().set_password(password)
            return None
        return user if user.check_password(password) else None

    user = password_signin(attempt, check=check, owner=lambda: User.objects.filter(phone=phone).first())
    if user is None:
        raise DomainError(CREDENTIALS_INVALID, _("手机号或密码不正确"), status=401)
    return user
