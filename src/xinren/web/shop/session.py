"""What every shop page shares: the signed-in consumer, refusals as pages, and domain errors in forms."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from xinren.accounts.consumers import is_consumer, phone_mask
from xinren.accounts.models import User
from xinren.core.errors import DomainError, NotFound, PermissionDenied
from xinren.core.http import client_address
from xinren.notify.selectors import unread_count
from xinren.orders.selectors import cart_units

P = ParamSpec("P")
ShopView = Callable[Concatenate[HttpRequest, User, P], HttpResponse]
View = Callable[Concatenate[HttpRequest, P], HttpResponse]


def shop_view(view: ShopView[P]) -> View[P]:
    """A consumer must be signed in (else: the sign-in page, then back); the view receives them.

    A NotFound anywhere becomes a 404, so another consumer's order numbers reveal nothing.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        user = request.user
        if not is_consumer(user):
            return redirect_to_login(request.get_full_path(), login_url=reverse("shop:signin"))
        assert isinstance(user, User)
        try:
            return view(request, user, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except PermissionDenied as exc:
            return render_shop(request, "shop/denied.html", {"error": exc}, status=403)

    return wrapper


def render_shop(
    request: HttpRequest, template: str, context: Mapping[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    """Render a shop page with the consumer (masked) in the header."""
    user = request.user
    consumer = user if isinstance(user, User) and is_consumer(user) else None
    base = {
        "consumer": consumer,
        "consumer_phone": phone_mask(consumer.phone) if consumer else "",
        "cart_units": cart_units(consumer=consumer) if consumer else 0,
        "notifications_unread": unread_count(user=consumer) if consumer else 0,
    }
    return render(request, template, {**base, **(context or {})}, status=status)


def form_error(form: forms.BaseForm, error: DomainError) -> int:
    """Show a refused action in the form, beside the field its `details["field"]` names; returns the status."""
    if isinstance(error, NotFound):
        raise error
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, str(error.message))
    return error.status


def client_of(request: HttpRequest) -> str:
    """Who is asking, for rate limits: the client's address as our web server saw it (core.http)."""
    return client_address(request)
