"""Delisting appeals for operators (/operator/trust-appeals/): the queue, oldest first, and one appeal with the
breakdown at delisting and now; staff relist or uphold with a reason that is signed and shown publicly (ADR 0052).
The score itself is never edited here."""

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
from xinren.core.errors import DomainError
from xinren.trust.delisting import selectors, services
from xinren.web.merchant.console import console_view, form_error, render_console

from .dashboard import OPERATOR


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("处理"),
        choices=[("relist", gettext_lazy("恢复销售")), ("uphold", gettext_lazy("维持下架"))],
    )
    reason = forms.CharField(
        label=gettext_lazy("处理理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("这段理由写入平台签名的公开记录，显示在商品页，请勿填写个人信息。"),
    )


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def trust_appeal_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_console(
        request, actor, "operator/trust_appeals/queue.html", {"appeals": selectors.appeals_queue(actor=actor)[:200]}
    )


def _detail(
    request: HttpRequest, actor: Actor, appeal_id: int, form: AppealDecisionForm, status: int = 200
) -> HttpResponse:
    return render_console(
        request,
        actor,
        "operator/trust_appeals/detail.html",
        {**selectors.appeal_detail(actor=actor, appeal_id=appeal_id), "form": form},
        status=status,
    )


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def trust_appeal_detail(request: HttpRequest, actor: Actor, appeal_id: int) -> HttpResponse:
    return _detail(request, actor, appeal_id, AppealDecisionForm())


@require_http_methods(["POST"])
@console_view(kinds=[OrganizationKind.PLATFORM], role=Role.STAFF)
def trust_appeal_decide(request: HttpRequest, actor: Actor, appeal_id: int) -> HttpResponse:
    form = AppealDecisionForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.appeal_decide(
                actor=actor,
                appeal_id=appeal_id,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("已处理该申诉"))
            return redirect("operator:trust_appeals")
    return _detail(request, actor, appeal_id, form, status)
