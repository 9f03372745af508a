"""Consumer sign-up (a texted code, then a password), sign-in by password or by a texted code, password reset by a
texted code, and sign-out, under the sign-in limits (ADR 0016)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts import smscodes
from xinren.accounts.consumers import consumer_authenticate, phone_mask
from xinren.accounts.signin import DEVICE_COOKIE
from xinren.accounts.signup import consumer_signup_confirm, consumer_signup_start
from xinren.core.errors import DomainError
from xinren.web.signin import device_cookie_attach, device_cookie_issue

from ..forms import PasswordResetConfirmForm, PhoneCodeForm, SigninForm, SignupConfirmForm, SignupForm
from ..session import client_of, form_error, render_shop

BACKEND = "django.contrib.auth.backends.ModelBackend"
# The number a code was texted to, between the two steps (kept out of URLs and pages).
SIGNUP_PHONE = "shop_signup_phone"
SIGNIN_PHONE = "shop_signin_code_phone"
RESET_PHONE = "shop_password_reset_phone"
# The sign-in page's two tabs (?method=code).
METHOD_PASSWORD = "password"
METHOD_CODE = "code"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/shop/"


def signup(request: HttpRequest) -> HttpResponse:
    """Step 1. Registered or not, every number gets the same answer: the code went to 138****1234."""
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                masked = consumer_signup_start(phone=form.cleaned_data["phone"], client=client_of(request))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                request.session[SIGNUP_PHONE] = form.cleaned_data["phone"]
                messages.info(request, _("验证码已发送至 %(phone)s，请在 10 分钟内填写") % {"phone": masked})
                return redirect(f"{reverse('shop:signup_confirm')}?{urlencode({'next': _next(request)})}")
    return render_shop(request, "shop/signup.html", {"form": form, "next": _next(request)}, status=status)


def signup_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: the texted code and a password create the account and sign it in."""
    phone = request.session.get(SIGNUP_PHONE)
    if not isinstance(phone, str):
        return redirect("shop:signup")
    form = SignupConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = consumer_signup_confirm(
                    phone=phone, code=form.cleaned_data["code"], password=form.cleaned_data["password"]
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                del request.session[SIGNUP_PHONE]
                login(request, user, backend=BACKEND)
                device_cookie_issue(request, account=user.get_username())
                messages.success(request, _("注册成功，欢迎来到信任好物"))
                return device_cookie_attach(request, redirect(_next(request)))
    context = {"form": form, "next": _next(request)}
    return render_shop(request, "shop/signup_confirm.html", context, status=status)


def _signin_page(
    request: HttpRequest,
    *,
    method: str,
    form: SigninForm | None = None,
    code_form: SignupForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "method": method,
        "form": form or SigninForm(),
        "code_form": code_form or SignupForm(),
        "next": _next(request),
        # Password sign-in refused by the limits: the owner who has the phone can still get in with a code.
        "suggest_code": method == METHOD_PASSWORD and status == 429,
    }
    return render_shop(request, "shop/signin.html", context, status=status)


def signin(request: HttpRequest) -> HttpResponse:
    """Tab 密码登录 (the form below) and tab 验证码登录 (?method=code, posting to `signin_code`)."""
    if request.method != "POST":
        method = METHOD_CODE if request.GET.get("method") == METHOD_CODE else METHOD_PASSWORD
        return _signin_page(request, method=method)
    form = SigninForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = consumer_authenticate(
                    phone=form.cleaned_data["phone"],
                    password=form.cleaned_data["password"],
                    client=client_of(request),
                    device_cookie=request.COOKIES.get(DEVICE_COOKIE, ""),
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                login(request, user, backend=BACKEND)
                device_cookie_issue(request, account=user.get_username())
                return device_cookie_attach(request, redirect(_next(request)))
    return _signin_page(request, method=METHOD_PASSWORD, form=form, status=status)


def _with_next(request: HttpRequest, name: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next(request)})}"


def signin_code(request: HttpRequest) -> HttpResponse:
    """Sign-in by code, step 1: registered or not, every number gets the same answer (accounts.smscodes)."""
    if request.method != "POST":
        return redirect(f"{reverse('shop:signin')}?{urlencode({'method': METHOD_CODE, 'next': _next(request)})}")
    form = SignupForm(request.POST)
    if form.is_valid():
        try:
            masked = smscodes.signin_code_request(phone=form.cleaned_data["phone"], client=client_of(request))
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            request.session[SIGNIN_PHONE] = form.cleaned_data["phone"]
            messages.info(request, _("验证码已发送至 %(phone)s，请在 10 分钟内填写") % {"phone": masked})
            return redirect(_with_next(request, "shop:signin_code_verify"))
    else:
        status = 422
    return _signin_page(request, method=METHOD_CODE, code_form=form, status=status)


def signin_code_verify(request: HttpRequest) -> HttpResponse:
    """Sign-in by code, step 2: the texted code signs in, whatever the password limits say (the owner has the phone)."""
    phone = request.session.get(SIGNIN_PHONE)
    if not isinstance(phone, str):
        return redirect(_with_next(request, "shop:signin_code"))
    form = PhoneCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = smscodes.signin_code_verify(
                    phone=phone, code=form.cleaned_data["code"], client=client_of(request)
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                del request.session[SIGNIN_PHONE]
                login(request, user, backend=BACKEND)
                device_cookie_issue(request, account=user.get_username())
                return device_cookie_attach(request, redirect(_next(request)))
    context = {"form": form, "next": _next(request), "phone": phone_mask(phone)}
    return render_shop(request, "shop/signin_code.html", context, status=status)


def password_reset(request: HttpRequest) -> HttpResponse:
    """Password reset, step 1: the phone; every number gets the same answer."""
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                masked = smscodes.password_reset_request(phone=form.cleaned_data["phone"], client=client_of(request))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                request.session[RESET_PHONE] = form.cleaned_data["phone"]
                messages.info(request, _("验证码已发送至 %(phone)s，请在 10 分钟内填写") % {"phone": masked})
                return redirect(_with_next(request, "shop:password_reset_confirm"))
    return render_shop(request, "shop/password_reset.html", {"form": form, "next": _next(request)}, status=status)


def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    """Password reset, step 2: code and new password; other sessions end, and this browser is signed in."""
    phone = request.session.get(RESET_PHONE)
    if not isinstance(phone, str):
        return redirect(_with_next(request, "shop:password_reset"))
    form = PasswordResetConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = smscodes.password_reset_confirm(
                    phone=phone, code=form.cleaned_data["code"], password=form.cleaned_data["password"]
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                del request.session[RESET_PHONE]
                login(request, user, backend=BACKEND)
                device_cookie_issue(request, account=user.get_username())
                messages.success(request, _("密码已重置，其他设备上的登录已退出"))
                return device_cookie_attach(request, redirect(_next(request)))
    context = {"form": form, "next": _next(request), "phone": phone_mask(phone)}
    return render_shop(request, "shop/password_reset_confirm.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("shop:product_list")
