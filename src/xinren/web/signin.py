"""Django's own sign-in pages (/accounts/login/, /admin/login/) under the sign-in limits, and the unlock link page.

The forms run the password check through `accounts.signin.password_signin`; the views around Django's login views
give a browser that signed in (or opened an unlock link) the device cookie (ADR 0016).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xinren.accounts.models import User
from xinren.accounts.signin import (
    DEVICE_COOKIE,
    DEVICE_MAX_AGE,
    PASSWORD,
    SigninAttempt,
    device_cookie_for,
    password_signin,
    signin_unlock,
)
from xinren.core.errors import DomainError
from xinren.core.http import client_address

R = TypeVar("R", bound=HttpResponseBase)

# Where a view finds the device cookie a successful form issued (the form has no response to set it on).
_ISSUED = "_xinren_device_cookie"


def device_cookie_attach(request: HttpRequest, response: R) -> R:
    """Set the device cookie that a sign-in or unlock during this request issued, if any."""
    value = getattr(request, _ISSUED, "")
    if value:
        response.set_cookie(
            DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        )
    return response


def device_cookie_issue(request: HttpRequest, *, account: str) -> None:
    """Remember that this browser signed in as `account`; `device_cookie_attach` writes it on the response."""
    value = device_cookie_for(scope=PASSWORD, account=account, previous=request.COOKIES.get(DEVICE_COOKIE, ""))
    setattr(request, _ISSUED, value)


class GuardedAuthenticationMixin:
    """AuthenticationForm.clean with the sign-in limits around the password check."""

    request: HttpRequest | None
    cleaned_data: dict[str, Any]
    user_cache: Any

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password or self.request is None:
            return self.cleaned_data
        request = self.request
        attempt = SigninAttempt(
            scope=PASSWORD, account=username, client=client_address(request),
            device_cookie=request.COOKIES.get(DEVICE_COOKIE, ""),
        )

        def check() -> User | None:
            user = authenticate(request, username=username, password=password)
            if user is None:
                return None
            self.confirm_login_allowed(user)  # type: ignore[attr-defined]  # e.g. the admin's "staff only": a refusal, not a wrong password
            assert isinstance(user, User)
            return user

        try:
            self.user_cache = password_signin(
                attempt, check=check, owner=lambda: User.objects.filter(username=username).first()
            )
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message), code=exc.code) from exc
        if self.user_cache is None:
            raise self.get_invalid_login_error()  # type: ignore[attr-defined]
        device_cookie_issue(request, account=username)
        return self.cleaned_data


class GuardedAuthenticationForm(GuardedAuthenticationMixin, AuthenticationForm):
    """The merchant and partner console's sign-in form."""


class GuardedAdminAuthenticationForm(GuardedAuthenticationMixin, AdminAuthenticationForm):
    """The operators' admin sign-in form."""


_staff_login_view = LoginView.as_view(authentication_form=GuardedAuthenticationForm)


def staff_login(request: HttpRequest) -> HttpResponseBase:
    """/accounts/login/: Django's login view with the guarded form."""
    return device_cookie_attach(request, _staff_login_view(request))


def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/: the admin's login view, whose form urls.py sets to the guarded one."""
    return device_cookie_attach(request, admin.site.login(request))


def unlock(request: HttpRequest, token: str) -> HttpResponse:
    """The unlock link: a button (a POST, so that link scanners in mail and chat apps do not use it up)."""
    if request.method != "POST":
        return render(request, "registration/unlock.html", {"token": token})
    try:
        user, value = signin_unlock(token=token, device_cookie=request.COOKIES.get(DEVICE_COOKIE, ""))
    except DomainError as exc:
        return render(request, "registration/unlock.html", {"token": token, "error": exc.message}, status=400)
    setattr(request, _ISSUED, value)
    target = "shop:signin" if user.phone and not user.is_staff and not user.memberships.exists() else "login"
    messages.success(request, _("本设备已解锁，请用密码登录"))
    return device_cookie_attach(request, redirect(target))
