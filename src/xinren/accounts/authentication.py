"""Who is calling the API: a partner system with an organization's API key, or a signed-in person's browser session.

Each scheme yields an `Actor`, which Ninja stores as `request.auth`; handlers read it with `actor_of`.
A key that is presented but unknown, malformed or revoked is refused at once (401) rather than falling
through to the session, so that a misconfigured partner sees why it is refused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import APIKeyCookie, APIKeyHeader, HttpBearer
from ninja.utils import check_csrf

from xinren.core.errors import DomainError, PermissionDenied
from xinren.core.http import client_address

from .actors import Actor
from .consumers import consumer_require
from .models import User
from .selectors import SESSION_ORGANIZATION_KEY, actor_for_user
from .services import api_key_authenticate
from .signin import API_KEY, SigninAttempt, signin_check, signin_failed

ORGANIZATION_HEADER = "X-Organization-Id"
# The merchant console keeps the organization chosen in its switcher under this session key; the API follows the
# same choice so that the console's scripts act for the organization the page shows.
CONSOLE_ORGANIZATION = SESSION_ORGANIZATION_KEY


def _actor_for_key(request: HttpRequest, raw: str) -> Actor:
    """The key's actor; wrong keys are counted per key prefix and client address, and refused (429) past the limits."""
    raw = raw.strip()
    # The prefix names the key (xr_<prefix>_<secret>), so guesses at one partner's key count as one account.
    attempt = SigninAttempt(scope=API_KEY, account=raw.split("_", 2)[1] if raw.count("_") >= 2 else "",
                            client=client_address(request))
    signin_check(attempt)
    actor = api_key_authenticate(raw=raw)
    if actor is None:
        signin_failed(attempt, owner=None)
        raise DomainError("auth.invalid_key", _("API 密钥无效或已撤销"), status=401)
    return actor


class BearerKey(HttpBearer):
    """`Authorization: Bearer xr_…`"""

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        return _actor_for_key(request, token)


class HeaderKey(APIKeyHeader):
    """`X-API-Key: xr_…`"""

    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if not key:
            return None
        return _actor_for_key(request, key)


class SignedInSession(APIKeyCookie):
    """A signed-in browser session; unsafe methods need the CSRF token. Subclasses say who the caller is."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # Only a signed-in session is checked for CSRF, so that an anonymous call gets 401, not 403.
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise PermissionDenied("auth.csrf", _("CSRF 校验失败，请刷新页面后重试"))
        return request.COOKIES.get(self.param_name, "")


class ConsumerSession(SignedInSession):
    """A signed-in consumer's browser session (consumers have no organization, so the `Actor` schemes cannot
    express them). Yields the `User`; the consumer APIs of reviews, community, support and notify use it."""

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if key is None:
            return None
        return consumer_require(request.user)


# `auth=` of a consumer-only endpoint.
CONSUMER = [ConsumerSession()]


def consumer_of(request: HttpRequest) -> User:
    """The consumer a `CONSUMER` endpoint was called by."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise DomainError("auth.required", _("请使用手机号登录消费者账号"), status=401)
    return user


class SessionActor(SignedInSession):
    """A signed-in person of an organization (the browser console)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Actor | None:
        if key is None:
            return None
        user = request.user
        assert isinstance(user, User)
        header = request.headers.get(ORGANIZATION_HEADER)
        if header is not None:
            if not header.isdigit():
                raise DomainError(
                    "auth.organization_invalid",
                    _("组织编号无效"),
                    details={"header": ORGANIZATION_HEADER},
                    status=422,
                )
            return actor_for_user(user=user, organization_id=int(header))
        chosen = request.session.get(CONSOLE_ORGANIZATION)
        if isinstance(chosen, int):
            try:
                return actor_for_user(user=user, organization_id=chosen)
            except PermissionDenied:
                pass  # the membership was removed since the choice: the console falls back the same way
        return actor_for_user(user=user)


def authenticators() -> list[Any]:
    """The schemes every non-public operation accepts, in the order they are tried."""
    return [BearerKey(), HeaderKey(), SessionActor()]


def actor_of(request: HttpRequest) -> Actor:
    """The actor that authenticated this request (set by one of the schemes above)."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise DomainError("auth.required", _("需要登录或提供 API 密钥"), status=401)
    return actor
