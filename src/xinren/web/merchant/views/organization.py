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
from xinren.accounts.choices import CATALOG_KINDS, TRACE_KINDS, OrganizationStatus, Role
from xinren.accounts.models import Organization
from xinren.catalog import grants
from xinren.catalog import selectors as catalog_selectors
from xinren.core.errors import DomainError, PermissionDenied

from ..console import console_view, form_error, render_console
from ..forms import ApiKeyForm, PartnerGrantForm, PartnerSearchForm

GRANT_LOTS_OFFERED = 100


def _partner_chosen(actor: Actor, key: str) -> Organization | None:
    """The organization picked from the search results (by its slug), or None."""
    if not key:
        return None
    return (
        Organization.objects.filter(slug=key, kind__in=TRACE_KINDS, status=OrganizationStatus.ACTIVE)
        .exclude(pk=actor.organization.pk)
        .first()
    )


@console_view(kinds=CATALOG_KINDS)
def partner_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Grants given, a search for a partner by name or USCC, and the grant form for the partner picked."""
    search = PartnerSearchForm(request.GET if "q" in request.GET else None)
    results: list[Organization] = []
    status = 200
    if search.is_bound and search.is_valid():
        try:
            results = list(grants.partner_search(actor=actor, query=search.cleaned_data["q"]))
        except DomainError as exc:
            status = form_error(search, exc, {"grant.search_invalid": "q"})
    chosen_key = request.POST.get("partner", "") if request.method == "POST" else request.GET.get("partner", "")
    form = PartnerGrantForm(
        request.POST or None,
        initial={"partner": chosen_key},
        products=catalog_selectors.product_list(actor=actor).order_by("name", "id"),
        batches=catalog_selectors.batch_list(actor=actor).order_by("-production_date", "-id")[:GRANT_LOTS_OFFERED],
    )
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = grants.partner_grant(
                    actor=actor, partner=data["partner"], product_ids=data["products"], batch_ids=data["batches"],
                    ends_on=data["ends_on"],
                )
            except PermissionDenied:
                raise
            except DomainError as exc:
                # Shown in the form, an unknown partner included (the partner field is hidden: a form-wide error).
                field = form.domain_error_fields.get(exc.code)
                form.add_error(field if field in ("products", "batches", "ends_on") else None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("已授权 %(name)s 为 %(count)s 项商品或批次记录溯源事件，至 %(date)s")
                    % {"name": made[0].partner.name, "count": len(made), "date": data["ends_on"].isoformat()},
                )
                return redirect("merchant:partner_list")
    context = {
        "search": search,
        "results": results,
        "chosen": _partner_chosen(actor, chosen_key),
        "form": form,
        "grants": [(g, grants.grant_state(g)) for g in grants.partner_grant_list(actor=actor)[:200]],
    }
    return render_console(request, actor, "merchant/partner_list.html", context, status=status)


@require_POST
@console_view(role=Role.ADMIN, kinds=CATALOG_KINDS)
def partner_grant_revoke(request: HttpRequest, actor: Actor, grant_id: int) -> HttpResponse:
    grant = grants.partner_grant_revoke(actor=actor, grant_id=grant_id)
    messages.success(request, _("已撤销对 %(name)s 的授权") % {"name": grant.partner.name})
    return redirect("merchant:partner_list")


@console_view(kinds=TRACE_KINDS)
def grants_received(request: HttpRequest, actor: Actor) -> HttpResponse:
    """我获得的授权: what other organizations let the actor's organization record, and until when."""
    rows = [(g, grants.grant_state(g)) for g in grants.grants_received_list(actor=actor)[:500]]
    return render_console(request, actor, "merchant/grants_received.html", {"grants": rows})


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
