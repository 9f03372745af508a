"""要求补充凭证: the merchant (on a claim routed to it) or an operator (on an escalated claim) asks the consumer for
more photos or video with a note; the claim waits 72 hours for the answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.aftersales import services
from xinren.core.errors import DomainError

from ..console import console_view


@require_POST
@console_view(kinds=[*CATALOG_KINDS, OrganizationKind.PLATFORM])
def evidence_ask(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    try:
        services.evidence_ask(actor=actor, reference=reference, note=request.POST.get("note", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已请买家补充凭证（72 小时内）"))
    if actor.organization.kind == OrganizationKind.PLATFORM:
        return redirect("merchant:dispute_detail", reference=reference)
    return redirect("merchant:aftersale_detail", reference=reference)
