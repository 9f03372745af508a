"""Sign-in limits: every password check (admin, merchant console, consumer shop) and every API key (ADR 0016).

Three counters per attempt, in the database (accounts.throttle), so every worker process sees the same numbers:

- the pair (account, client): the owner's own typos and a guesser at one address slow down, nobody else does;
- the client address (any account): one password tried across many accounts from one address slows down;
- the account (any client): past a ceiling, a password alone is no longer enough from a browser the account has not
  used. The owner is sent an unlock link (by SMS to the account's phone, else by e-mail, else an operator runs
  `manage.py signin_unlock`), which marks the browser that opens it as the owner's device.

A browser where the account signed in before carries a signed device cookie naming the accounts it knows. For those
accounts it is counted as its own client (a guesser behind the same carrier NAT cannot slow it down), and neither
the client-address limit nor the account ceiling applies to it. So a guesser elsewhere never locks the owner out.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.core.origin import public_url

from .models import User
from .sms import sms_send
from .throttle import (
    Limit,
    throttle_count,
    throttle_give_back,
    throttle_hit,
    throttle_key,
    throttle_reset,
    throttle_take,
    throttle_wait,
)

logger = logging.getLogger("xinren.signin")

RATE_LIMITED = "rate_limited"
UNLOCK_REQUIRED = "signin.unlock_required"
UNLOCK_INVALID = "signin.unlock_invalid"

PASSWORD = "password"
API_KEY = "api_key"

DAY = 24 * 3600


@dataclass(frozen=True)
class SigninLimits:
    """The limits of one kind of credential."""

    pair: Limit
    client: Limit
    # Failures of one account, from anywhere, after which unknown browsers need the unlock link (None: never).
    ceiling: int | None


LIMITS = {
    # Five free tries per account and address, then 1, 2, 4 … minutes between tries, at most an hour.
    PASSWORD: SigninLimits(
        pair=Limit(free=5, base=60, cap=3600, forget=DAY),
        client=Limit(free=20, base=60, cap=3600, forget=DAY),
        ceiling=50,
    ),
    # Keys are 256-bit secrets: limits only stop scans. A partner's system has no browser to unlock, so no ceiling.
    API_KEY: SigninLimits(
        pair=Limit(free=10, base=60, cap=3600, forget=DAY),
        client=Limit(free=20, base=60, cap=3600, forget=DAY),
        ceiling=None,
    ),
}

DEVICE_COOKIE = "xinren_device"
DEVICE_MAX_AGE = 90 * DAY
DEVICE_ACCOUNTS = 8  # accounts one browser remembers
UNLOCK_MAX_AGE = DAY
_DEVICE_SALT = "xinren.accounts.signin.device"
_UNLOCK_SALT = "xinren.accounts.signin.unlock"


class SigninRefused(DomainError):
    """Too many recent failures: wait (`rate_limited`) or unlock (`signin.unlock_required`)."""

    status = 429


@dataclass(frozen=True)
class SigninAttempt:
    """One presented credential: its kind, the account it names, where it comes from, the browser's device cookie."""

    scope: str
    account: str
    client: str
    device_cookie: str = ""

    @property
    def account_id(self) -> str:
        return self.account.strip().casefold()

    def _device(self) -> str:
        """The browser's device id when its cookie names this account, else ""."""
        device = device_cookie_read(self.device_cookie)
        if device is None or _account_digest(self.scope, self.account_id) not in device[1]:
            return ""
        return device[0]

    def keys(self) -> tuple[str, str, str, bool]:
        """(pair key, client key, account key, whether the browser is a known device of the account)."""
        device = self._device()
        source = f"device:{device}" if device else f"client:{self.client}"
        return (
            throttle_key(self.scope, "pair", self.account_id, source),
            throttle_key(self.scope, "client", self.client),
            throttle_key(self.scope, "account", self.account_id),
            bool(device),
        )


def _account_digest(scope: str, account_id: str) -> str:
    return throttle_key(scope, "device-account", account_id)[:16]


def _refused_for(wait: int) -> SigninRefused:
    return SigninRefused(
        RATE_LIMITED,
        _("登录尝试过于频繁，请在 %(minutes)d 分钟后再试") % {"minutes": max(1, -(-wait // 60))},
        details={"retry_after": wait},
    )


def _ceiling_check(attempt: SigninAttempt, *, account_key: str, known_device: bool) -> None:
    limits = LIMITS[attempt.scope]
    ceiling = limits.ceiling
    if ceiling is not None and not known_device and throttle_count(account_key, forget=limits.pair.forget) >= ceiling:
        raise SigninRefused(
            UNLOCK_REQUIRED,
            _("该账号近期登录失败次数过多，已暂停在新设备上登录。请打开发送到账号绑定手机或邮箱的解锁链接，"
              "或在曾经登录过的设备上登录。"),
        )


def signin_check(attempt: SigninAttempt) -> None:
    """Refuse the attempt when its pair, address or account must wait; reads only (API keys: see `_actor_for_key`)."""
    limits = LIMITS[attempt.scope]
    pair_key, client_key, account_key, known_device = attempt.keys()
    _ceiling_check(attempt, account_key=account_key, known_device=known_device)
    waits = {pair_key: limits.pair} if known_device else {pair_key: limits.pair, client_key: limits.client}
    wait = throttle_wait(waits)
    if wait:
        raise _refused_for(wait)


def signin_failed(attempt: SigninAttempt, *, owner: User | None, counted: bool = False) -> None:
    """Count one failure (`counted`: the pair and address were counted beforehand by `password_signin`).

    The account's owner is sent an unlock link when the account reaches its ceiling.
    """
    limits = LIMITS[attempt.scope]
    pair_key, client_key, account_key, _known = attempt.keys()
    if not counted:
        throttle_hit(pair_key, forget=limits.pair.forget)
        throttle_hit(client_key, forget=limits.client.forget)
    failures = throttle_hit(account_key, forget=limits.pair.forget)
    if limits.ceiling is not None and failures == limits.ceiling and owner is not None:
        unlock_notice_send(user=owner)


def password_signin(
    attempt: SigninAttempt, *, check: Callable[[], User | None], owner: Callable[[], User | None]
) -> User | None:
    """Run one password check under the limits: the user it accepts, or None (counted as a failure).

    The attempt is counted on its pair and address before the password is checked (`throttle_take`), so a burst
    of concurrent guesses cannot all slip past the count; the owner's success gives the event back.
    """
    limits = LIMITS[attempt.scope]
    pair_key, client_key, account_key, known_device = attempt.keys()
    _ceiling_check(attempt, account_key=account_key, known_device=known_device)
    takes = {pair_key: limits.pair} if known_device else {pair_key: limits.pair, client_key: limits.client}
    wait = throttle_take(takes)
    if wait:
        raise _refused_for(wait)
    user = check()
    if user is None:
        signin_failed(attempt, owner=owner(), counted=True)
        return None
    throttle_reset(pair_key)
    if not known_device:
        throttle_give_back(client_key)
    return user


# -- device cookies ---------------------------------------------------------------------------------------------


def _signed_make(data: dict[str, Any], *, salt: str) -> str:
    """Signed (not encrypted) data with the time it was made, read by the clock so that tests can move it."""
    return signing.dumps({**data, "t": int(clock.now().timestamp())}, salt=salt)


def _signed_read(value: str, *, salt: str, max_age: int) -> dict[str, Any] | None:
    """The data of `_signed_make`, or None when the signature is wrong or it is older than `max_age` seconds."""
    try:
        data: Any = signing.loads(value, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        return None
    age = int(clock.now().timestamp()) - data["t"]
    return data if 0 <= age <= max_age else None


def device_cookie_read(value: str) -> tuple[str, tuple[str, ...]] | None:
    """(device id, account digests) from a device cookie, or None when it is absent, forged or expired."""
    if not value:
        return None
    data = _signed_read(value, salt=_DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    if data is None or not isinstance(data.get("d"), str) or not isinstance(data.get("a"), list):
        return None
    return data["d"], tuple(str(a) for a in data["a"])


def device_cookie_for(*, scope: str, account: str, previous: str = "") -> str:
    """A device cookie value that also names `account` (keeping the browser's id and its latest accounts)."""
    known = device_cookie_read(previous)
    device, accounts = known if known else (secrets.token_urlsafe(16), ())
    digest = _account_digest(scope, account.strip().casefold())
    others = [a for a in accounts if a != digest][-(DEVICE_ACCOUNTS - 1) :]
    accounts = (*others, digest)
    return _signed_make({"d": device, "a": accounts}, salt=_DEVICE_SALT)


# -- unlock links -----------------------------------------------------------------------------------------------


def _user_state(user: User) -> str:
    """Changes when the user signs in or changes the password, so an unlock link works until then only."""
    last = user.last_login.isoformat() if user.last_login else ""
    return hashlib.sha256(f"{user.password}|{last}".encode()).hexdigest()[:16]


def unlock_token_make(*, user: User) -> str:
    """A signed, time-limited (UNLOCK_MAX_AGE) token that marks the browser opening it as the owner's."""
    return _signed_make({"u": user.pk, "s": _user_state(user)}, salt=_UNLOCK_SALT)


def unlock_url(*, user: User) -> str:
    return public_url(reverse("signin_unlock", args=[unlock_token_make(user=user)]))


def signin_unlock(*, token: str, device_cookie: str = "") -> tuple[User, str]:
    """The user an unlock token belongs to and the device cookie that lets this browser sign in as them."""
    data = _signed_read(token, salt=_UNLOCK_SALT, max_age=UNLOCK_MAX_AGE) or {}
    user_id = data.get("u")
    user = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if user is None or not secrets.compare_digest(str(data.get("s")), _user_state(user)):
        raise DomainError(UNLOCK_INVALID, _("解锁链接无效或已过期"), status=400)
    return user, device_cookie_for(scope=PASSWORD, account=user.get_username(), previous=device_cookie)


def unlock_notice_send(*, user: User) -> str:
    """Tell the owner their account is being guessed and give them the unlock link; returns how ("sms", …)."""
    url = unlock_url(user=user)
    body = _(
        "【信任】您的账号近期有多次登录失败，已暂停在新设备上用密码登录。"
        "如是本人，请在 24 小时内打开 %(url)s 解锁本设备，或直接用短信验证码登录；"
        "如非本人操作，无需理会，建议修改密码。"
    ) % {"url": url}
    if user.phone:
        sms_send(phone=user.phone, body=body)
        return "sms"
    if user.email:
        send_mail(_("信任：账号登录解锁"), body, None, [user.email], fail_silently=True)
        return "email"
    logger.warning("account %s reached the sign-in ceiling and has no phone or e-mail", user.pk)
    return "none"
