"""Who pays, in the console: an insurer's claims routed to its policies (赔付 signs with its own key), and the
operators' actions on the dispute page — confirm or refuse a 假一赔N claim, retry a failed payout. Money moves only
through the services (aftersales/services/payers.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind
from xinren.aftersales import selectors
from xinren.aftersales.services import payers
from xinren.core.errors import DomainError
from xinren.core.money import yuan_to_fen

from ..console import console_view, render_console

INSURER = [OrganizationKind.INSURER]
PLATFORM = [OrganizationKind.PLATFORM]


@require_safe
@console_view(kinds=INSURER)
def insurer_claims(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_console(request, actor, "merchant/fund/insurance_claims.html", {
        "claims": selectors.insurer_claim_list(actor=actor)[:200]})


@require_POST
@console_view(kinds=INSURER)
def insurer_claim_pay(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    try:
        payers.aftersale_insurer_pay(actor=actor, reference=reference)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已赔付，并以本公司签名记录"))
    return redirect("merchant:insurer_claims")


def _back(request: HttpRequest, reference: str, action: object, done: str) -> HttpResponse:
    try:
        assert callable(action)
        action()
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("merchant:dispute_detail", reference=reference)


@require_POST
@console_view(kinds=PLATFORM)
def counterfeit_decide(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    def decide() -> None:
        loss = (request.POST.get("loss") or "").strip()
        payers.aftersale_counterfeit_decide(
            actor=actor, reference=reference, confirm=request.POST.get("confirm") == "1",
            reason=request.POST.get("reason", ""), loss_fen=yuan_to_fen(loss) if loss else 0)

    return _back(request, reference, decide, _("裁决已记录并签名"))


@require_POST
@console_view(kinds=PLATFORM)
def payout_retry(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    return _back(request, reference, lambda: payers.aftersale_payout_retry(actor=actor, reference=reference),
                 _("已重新发起赔付"))
