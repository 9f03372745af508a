"""The merchant's own risk score and why (每条规则的贡献), its risk actions, and an appeal against one."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind
from xinren.core.errors import DomainError
from xinren.governance.risk import selectors, services

from ..console import console_view, form_error, render_console

MERCHANT_KINDS = [OrganizationKind.MERCHANT, OrganizationKind.SUPPLIER]


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("申诉理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写申诉理由")},
    )
    evidence_id = forms.IntegerField(
        label=_("证据编号（可选）"), required=False, min_value=1, error_messages={"invalid": _("证据编号必须是数字")}
    )


def _page(
    request: HttpRequest,
    actor: Actor,
    form: AppealForm | None = None,
    appeal_action: int | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    evaluation = selectors.merchant_latest_evaluation(actor=actor)
    return render_console(
        request,
        actor,
        "merchant/risk/home.html",
        {
            "evaluation": evaluation,
            "rows": selectors.evaluation_explained(evaluation) if evaluation else [],
            "actions": selectors.merchant_actions(actor=actor)[:20],
            "form": form or AppealForm(),
            "appeal_action": appeal_action,
        },
        status=status,
    )


@require_safe
@console_view(kinds=MERCHANT_KINDS)
def risk_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@require_POST
@console_view(kinds=MERCHANT_KINDS)
def risk_appeal(request: HttpRequest, actor: Actor, action_id: int) -> HttpResponse:
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, form, action_id, status=422)
    try:
        services.risk_appeal_file(
            actor=actor,
            action_id=action_id,
            text=form.cleaned_data["text"],
            evidence_id=form.cleaned_data["evidence_id"],
        )
    except DomainError as exc:
        return _page(request, actor, form, action_id, status=form_error(form, exc))
    return redirect("merchant:risk_home")
