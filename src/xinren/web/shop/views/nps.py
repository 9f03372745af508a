"""The consumer answers the NPS question on their closed request's page (shop/aftersales/_nps.html)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts.models import User
from xinren.aftersales.services.nps import nps_answer
from xinren.core.errors import DomainError

from ..session import shop_view


@require_POST
@shop_view
def aftersale_nps(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    """One tap on a score (0–10) submits it with the optional comment; back to the request page, thanked."""
    raw = request.POST.get("score", "")
    score = int(raw) if raw.isdigit() else -1
    try:
        nps_answer(consumer=consumer, reference=reference, score=score, comment=request.POST.get("comment", ""))
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("感谢您的评价"))
    return redirect("shop:aftersale_detail", reference=reference)
