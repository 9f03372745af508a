"""The console's home page and the organization switcher."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.selectors import actor_for_user
from xinren.catalog.selectors import product_list
from xinren.governance.watch import expiring_warnings

from ..console import SESSION_ORGANIZATION, console_view, render_console

DASHBOARD_PRODUCTS = 8


@console_view()
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    products = product_list(actor=actor).order_by("-updated_at")[:DASHBOARD_PRODUCTS]
    warnings = expiring_warnings(actor=actor)  # 资质即将到期 / 已到期 (docs/governance.md)
    return render_console(request, actor, "merchant/dashboard.html", {"products": products, "warnings": warnings})


@require_POST
@console_view()
def organization_switch(request: HttpRequest, actor: Actor) -> HttpResponse:
    assert actor.user is not None
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError as exc:
        raise Http404 from exc
    chosen = actor_for_user(user=actor.user, organization_id=organization_id)
    request.session[SESSION_ORGANIZATION] = chosen.organization.pk
    messages.success(request, _("已切换到 %(name)s") % {"name": chosen.organization.name})
    return redirect("merchant:dashboard")
