"""Partner grants and API keys of the actor's organization."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts import selectors as account_selectors
from xinren.accounts import services as accounts_services
from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import services as catalog_services
from xinren.catalog.selectors import partner_candidate_list, partner_grant_list
from xinren.core.errors import DomainError

from ..console import console_view, form_error, render_console
from ..forms import ApiKeyForm, PartnerGrantForm


@console_view(kinds=CATALOG_KINDS)
def partner_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PartnerGrantForm(request.POST or None, candidates=partner_candidate_list(actor=actor))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                grant = catalog_services.partner_grant(actor=actor, partner_slug=form.cleaned_data["partner"])
            except DomainError as exc:
                status = form_error(form, exc, form.domain_error_fields)
            else:
                messages.success(request, _("已授权 %(name)s 为你的商品记录溯源事件") % {"name": grant.partner.name})
                return redirect("merchant:partner_list")
    context = {"form": form, "grants": partner_grant_list(actor=actor)}
    return render_console(request, actor, "merchant/partner_list.html", context, status=status)


@require_POST
@console_view(role=Role.ADMIN, kinds=CATALOG_KINDS)
def partner_revoke(request: HttpRequest, actor: Actor, partner_slug: str) -> HttpResponse:
    catalog_services.partner_revoke(actor=actor, partner_slug=partner_slug)
    messages.success(request, _("授权已撤销"))
    return redirect("merchant:partner_list")


@console_view(role=Role.ADMIN)
def api_key_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Keys of the organization. A new key is shown in the response to the POST that made it, and never again.

    This page does not redirect after creating a key: the plaintext must not be parked in the session
    (a database row) just to survive a redirect. The response is marked no-store.
    """
    form = ApiKeyForm(request.POST or None)
    status = 200
    new_key = ""
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                _key, new_key = accounts_services.api_key_create(
                    actor=actor, name=form.cleaned_data["name"], role=form.cleaned_data["role"]
                )
            except DomainError as exc:
                status = form_error(form, exc, form.domain_error_fields)
            else:
                status = 201
                form = ApiKeyForm()
    context = {"form": form, "keys": account_selectors.api_key_list(actor=actor), "new_key": new_key}
    response = render_console(request, actor, "merchant/api_key_list.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@console_view(role=Role.ADMIN)
def api_key_revoke(request: HttpRequest, actor: Actor, key_id: int) -> HttpResponse:
    key = accounts_services.api_key_revoke(actor=actor, key_id=key_id)
    messages.success(request, _("API 密钥 %(name)s 已撤销") % {"name": key.name})
    return redirect("merchant:api_key_list")
