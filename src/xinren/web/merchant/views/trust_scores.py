"""The merchant's trust scores (/merchant/trust-scores/): each product's score, breakdown, 95 % upper bound and
what would raise it, delisted products first, with an appeal against a delisting (ADR 0052)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS
from xinren.core.errors import DomainError
from xinren.trust.delisting import selectors, services
from xinren.trust.delisting.policy import policy_current

from ..console import console_view, form_error, render_console


class DelistingAppealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("申诉理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("请填写申诉理由")},
    )
    evidence_note = forms.CharField(
        label=gettext_lazy("证据说明（可选）"),
        max_length=500,
        required=False,
        help_text=gettext_lazy("例如新的检测报告编号、已整改的售后问题。"),
    )


def _page(
    request: HttpRequest,
    actor: Actor,
    form: DelistingAppealForm | None = None,
    form_for: int | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render_console(
        request,
        actor,
        "merchant/trust_scores.html",
        {
            "items": selectors.merchant_scores(actor=actor),
            "policy": policy_current(),
            "form": form or DelistingAppealForm(),
            "form_for": form_for,
        },
        status=status,
    )


@require_safe
@console_view(kinds=CATALOG_KINDS)
def trust_scores(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@require_POST
@console_view(kinds=CATALOG_KINDS)
def trust_delisting_appeal(request: HttpRequest, actor: Actor, delisting_id: int) -> HttpResponse:
    form = DelistingAppealForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, form, delisting_id, status=422)
    try:
        services.appeal_submit(
            actor=actor,
            delisting_id=delisting_id,
            reason=form.cleaned_data["reason"],
            evidence_note=form.cleaned_data["evidence_note"],
        )
    except DomainError as exc:
        return _page(request, actor, form, delisting_id, status=form_error(form, exc))
    messages.success(request, _("申诉已提交，平台会尽快处理"))
    return redirect("merchant:trust_scores")
