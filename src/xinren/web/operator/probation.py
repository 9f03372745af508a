"""The probation cohort for operators (/operator/probation/): days in, delivered orders, claim rate, each criterion
met or not; staff extend a probation with a reason the merchant sees."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind, Role
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.governance.probation_policy import policy_current, probation_cohort
from xinren.governance.services.probation import probation_extend
from xinren.web.merchant.console import console_view, form_error, render_console

from .dashboard import OPERATOR


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("延长天数"), min_value=1, max_value=90, initial=30)
    reason = forms.CharField(
        label=gettext_lazy("延长原因"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("商家会看到这段原因；它也写入平台签名的公开记录，请勿填写个人信息。"),
    )


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def probation_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_console(
        request,
        actor,
        "operator/probation/list.html",
        {
            "rows": probation_cohort(now=clock.now()),
            "policy": policy_current(),
            "blank_form": ExtendForm(),
        },
    )


@require_http_methods(["POST"])
@console_view(kinds=[OrganizationKind.PLATFORM], role=Role.STAFF)
def probation_extend_view(request: HttpRequest, actor: Actor, probation_id: int) -> HttpResponse:
    form = ExtendForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            probation_extend(
                actor=actor,
                probation_id=probation_id,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("新手期已延长"))
            return redirect("operator:probation_list")
    return render_console(
        request,
        actor,
        "operator/probation/list.html",
        {
            "rows": probation_cohort(now=clock.now()),
            "policy": policy_current(),
            "form": form,
            "form_for": probation_id,
            "blank_form": ExtendForm(),
        },
        status=status,
    )
