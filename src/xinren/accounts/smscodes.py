"""Sign-in by a texted code, and password reset by a texted code (ADR 0016; issue 12).

Both work like sign-up (accounts.signup): the first step always answers the same — the masked number the text went
to — whether or not the number has an account, so nobody learns from it which numbers are registered. A registered
number is texted a six-digit code; an unregistered one a notice that it has no account (and where to sign up). A
code row is written in both cases, so both cost the same work, and a code for an unregistered number can never be
used, so the second step fails for it exactly as a wrong code does.

Codes: six digits, ten minutes, five tries, kept only as an HMAC; one row per (purpose, phone), replaced by the next
request. Requests are limited per phone and per client address through the database counters (accounts.throttle).

A code proves control of the phone, so signing in with one is not subject to the password limits (the account
ceiling, the address limit): the owner who has the phone is never locked out by someone guessing the password.
The browser that signs in with a code gets the device cookie, and the pair's password failures are forgotten.

A password reset sets the new password (Django's validators, Chinese messages), which changes the session hash
(every other session of the account is signed out) and the state unlock links are bound to (old links stop working).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from xinren.core import clock
from xinren.core.audit import audit_record
from xinren.core.errors import InvalidInput
from xinren.core.origin import public_url

from .consumers import PASSWORD_INVALID, phone_mask, phone_normalize
from .models import SignupCode, User
from .signin import DAY, PASSWORD, RATE_LIMITED, SigninAttempt, SigninRefused
from .sms import sms_send
from .throttle import Limit, throttle_key, throttle_reset, throttle_take

SIGNIN = "signin-code"
RESET = "password-reset"

CODE_INVALID = "consumer.code_invalid"
CODE_SECONDS = 600
CODE_ATTEMPTS = 5

# Per phone: two texts at once (a lost one is asked for again), then waits doubling from a minute, at most an hour.
CODE_PHONE = Limit(free=2, base=60, cap=3600, forget=DAY)
# Per client address: ten texts, then waits doubling from five minutes.
CODE_CLIENT = Limit(free=10, base=300, cap=6 * 3600, forget=DAY)


def _row_key(purpose: str, phone: str) -> str:
    return throttle_key(purpose, "code", phone)


def code_hash(row_key: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{row_key}:{code}".encode(), hashlib.sha256).hexdigest()


def _owner(phone: str) -> User | None:
    return User.objects.filter(phone=phone, is_active=True).first()


def code_issue(
    *, purpose: str, phone: str, client: str, limits: tuple[Limit, Limit] = (CODE_PHONE, CODE_CLIENT),
    key: str | None = None,
) -> str:
    """Store a fresh code for (purpose, phone) after counting the request against `limits` (per phone, per client
    address); returns the code (not yet sent). `key` names the code's row (default: the purpose's own)."""
    wait = throttle_take({
        throttle_key(purpose, "phone", phone): limits[0],
        throttle_key(purpose, "client", client): limits[1],
    })
    if wait:
        raise SigninRefused(
            RATE_LIMITED,
            _("验证码发送过于频繁，请在 %(minutes)d 分钟后再试") % {"minutes": max(1, -(-wait // 60))},
            details={"retry_after": wait},
        )
    code = f"{secrets.randbelow(10**6):06d}"
    key = key or _row_key(purpose, phone)
    SignupCode.objects.update_or_create(
        phone_key=key,
        defaults={
            "code_hash": code_hash(key, code),
            "expires_at": clock.now() + timedelta(seconds=CODE_SECONDS),
            "attempts": 0,
        },
    )
    return code


def _invalid() -> InvalidInput:
    return InvalidInput(CODE_INVALID, _("验证码错误或已过期"), details={"field": "code"})


def code_check(*, key: str, code: str) -> str:
    """Count one try at the code stored under `key` and compare; the stored hash, or raise `consumer.code_invalid`.

    The try is counted before the compare (one conditional UPDATE), so tries sent at once are counted one by one and
    no more than CODE_ATTEMPTS are ever compared. Call it outside a transaction, so that a counted try is not rolled
    back with the refusal; then claim the code with `code_use`.
    """
    counted = SignupCode.objects.filter(
        pk=key, attempts__lt=CODE_ATTEMPTS, expires_at__gt=clock.now()
    ).update(attempts=F("attempts") + 1)
    if counted != 1:
        raise _invalid()
    stored = SignupCode.objects.filter(pk=key).values_list("code_hash", flat=True).first()
    if stored is None or not secrets.compare_digest(stored, code_hash(key, code.strip())):
        raise _invalid()
    return stored


def code_use(*, key: str, stored: str) -> None:
    """Claim a checked code by deleting its row: of two uses at once, only one deletes it (the other is refused)."""
    if SignupCode.objects.filter(pk=key, code_hash=stored).delete()[0] != 1:
        raise _invalid()


def _code_claim(*, purpose: str, phone: str, code: str) -> None:
    """Check and use up the code texted for (purpose, phone), or raise `consumer.code_invalid`."""
    key = _row_key(purpose, phone)
    code_use(key=key, stored=code_check(key=key, code=code))


def _unregistered_notice() -> str:
    return _("【信任】有人用您的手机号申请验证码，但此号码尚未注册信任账号。如需注册请访问 %(url)s ；"
             "如非本人操作，请忽略本短信。") % {"url": public_url(reverse("shop:signup"))}


@transaction.atomic
def signin_code_request(*, phone: str, client: str) -> str:
    """Text a sign-in code to the phone (a notice if it has no account); returns the masked number."""
    phone = phone_normalize(phone)
    code = code_issue(purpose=SIGNIN, phone=phone, client=client)
    if _owner(phone) is None:
        body = _unregistered_notice()
    else:
        body = _("【信任】您的登录验证码是 %(code)s，10 分钟内有效。请勿告诉他人，信任工作人员不会向您索要验证码。") % {
            "code": code
        }
    sms_send(phone=phone, body=body)
    return phone_mask(phone)


def signin_code_verify(*, phone: str, code: str, client: str = "") -> User:
    """The account whose phone received this sign-in code; not subject to the password limits (see above)."""
    try:
        phone = phone_normalize(phone)
    except InvalidInput:
        raise _invalid() from None
    _code_claim(purpose=SIGNIN, phone=phone, code=code)  # outside a transaction: a wrong try stays counted
    user = _owner(phone)
    if user is None:  # an unregistered number was never texted a code: the same answer as a wrong one
        raise _invalid()
    # The owner proved the phone: their own failed passwords from this address no longer slow them down.
    throttle_reset(SigninAttempt(scope=PASSWORD, account=user.get_username(), client=client).keys()[0])
    audit_record(actor=user, organization=None, action="consumer.signin_code", target=user)
    return user


@transaction.atomic
def password_reset_request(*, phone: str, client: str) -> str:
    """Text a password-reset code to the phone (a notice if it has no account); returns the masked number."""
    phone = phone_normalize(phone)
    code = code_issue(purpose=RESET, phone=phone, client=client)
    if _owner(phone) is None:
        body = _unregistered_notice()
    else:
        body = _("【信任】您正在重置密码，验证码是 %(code)s，10 分钟内有效。如非本人操作，请忽略本短信，"
                 "您的密码不会改变。") % {"code": code}
    sms_send(phone=phone, body=body)
    return phone_mask(phone)


def password_reset_confirm(*, phone: str, code: str, password: str) -> User:
    """Set a new password when the reset code matches; every other session and unlock link stops working."""
    phone = phone_normalize(phone)
    user = _owner(phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(PASSWORD_INVALID, " ".join(exc.messages), details={"field": "password"}) from exc
    _code_claim(purpose=RESET, phone=phone, code=code)  # outside a transaction: a wrong try stays counted
    with transaction.atomic():
        user = User.objects.select_for_update().filter(phone=phone, is_active=True).first()
        if user is None:
            raise _invalid()
        user.set_password(password)  # a new session hash: sessions made with the old password end
        user.save(update_fields=["password"])
        audit_record(actor=user, organization=None, action="consumer.password_reset", target=user)
    # The account's failures were guesses at a password that no longer exists.
    attempt = SigninAttempt(scope=PASSWORD, account=user.get_username(), client="")
    throttle_reset(attempt.keys()[2])
    return user

