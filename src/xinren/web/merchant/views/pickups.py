"""上门取件, the courier's side: a logistics organization's booked return pickups (address, masked phone, window) and
"已揽收", which records the EPCIS hand-off on the returned items. Another organization's pickup is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.aftersales import selectors, services
from xinren.aftersales.choices import PickupStatus
from xinren.core.errors import DomainError

from ..console import console_view, render_console

LOGISTICS = [OrganizationKind.LOGISTICS]
PAGE_SIZE = 50


@require_safe
@console_view(kinds=LOGISTICS)
def pickup_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    done = request.GET.get("done") == "1"
    pickups = selectors.logistics_pickup_list(actor=actor, status=PickupStatus.PICKED_UP if done
                                              else PickupStatus.BOOKED)
    page = Paginator(pickups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_console(request, actor, "merchant/pickups/list.html", {"page": page, "done": done})


@require_POST
@console_view(role=Role.STAFF, kinds=LOGISTICS)
def pickup_collect(request: HttpRequest, actor: Actor, pickup_id: int) -> HttpResponse:
    pickup = selectors.logistics_pickup_get(actor=actor, pickup_id=pickup_id)
    try:
        services.return_pickup_collect(actor=actor, pickup_id=pickup.pk)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("运单 %(number)s 已揽收") % {"number": pickup.tracking_number})
    return redirect("merchant:pickup_list")
