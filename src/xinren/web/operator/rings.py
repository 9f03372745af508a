"""Brushing rings for operators (/operator/rings/): the rings the detector flagged with their evidence, highest
score first; an admin confirms (the members' reviews at the shop are folded with the reason, publicly) or staff
dismiss (ADR 0050)."""

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
from xinren.governance.models import BrushingRing, RingStatus
from xinren.governance.rings.services import ring_confirm, ring_dismiss
from xinren.web.merchant.console import console_view, form_error, render_console

from .dashboard import OPERATOR


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("处理"),
        choices=[("confirm", gettext_lazy("确认刷单并折叠评价")), ("dismiss", gettext_lazy("排除"))],
    )
    reason = forms.CharField(
        label=gettext_lazy("处理理由"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("确认时，这段理由作为折叠理由公开显示在每条评价上，请勿填写个人信息。"),
    )


def _context(**extra: object) -> dict[str, object]:
    rings = BrushingRing.objects.select_related("shop").order_by("status", "-score", "-id")[:200]
    return {"rings": rings, "flagged": RingStatus.FLAGGED, "blank_form": DecisionForm(), **extra}


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def ring_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_console(request, actor, "operator/rings/list.html", _context())


@require_http_methods(["POST"])
@console_view(kinds=[OrganizationKind.PLATFORM], role=Role.STAFF)
def ring_decide(request: HttpRequest, actor: Actor, ring_id: int) -> HttpResponse:
    form = DecisionForm(request.POST)
    status = 422
    if form.is_valid():
        act = ring_confirm if form.cleaned_data["decision"] == "confirm" else ring_dismiss
        try:
            act(actor=actor, ring_id=ring_id, reason=form.cleaned_data["reason"], now=clock.now())
        except DomainError as exc:
            status = form_error(form, exc)
        else:
            messages.success(request, _("已处理该刷单团伙"))
            return redirect("operator:rings")
    return render_console(
        request, actor, "operator/rings/list.html", _context(form=form, form_for=ring_id), status=status
    )
