"""Consumer sign-up, sign-in and sign-out with a phone number and a password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts.consumers import consumer_authenticate, consumer_signup
from xinren.core.errors import DomainError

from ..forms import SigninForm, SignupForm
from ..session import client_of, form_error, render_shop

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/shop/"


def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = consumer_signup(
                    phone=form.cleaned_data["phone"], password=form.cleaned_data["password"], client=client_of(request)
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                login(request, user, backend=BACKEND)
                messages.success(request, _("注册成功，欢迎来到信任好物"))
                return redirect(_next(request))
    return render_shop(request, "shop/signup.html", {"form": form, "next": _next(request)}, status=status)


def signin(request: HttpRequest) -> HttpResponse:
    form = SigninForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = consumer_authenticate(phone=form.cleaned_data["phone"], password=form.cleaned_data["password"])
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                login(request, user, backend=BACKEND)
                return redirect(_next(request))
    return render_shop(request, "shop/signin.html", {"form": form, "next": _next(request)}, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("shop:product_list")
