"""资质管理: the merchant's credentials with their validity, and submitting a renewed licence (docs/governance.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.core.errors import DomainError
from xinren.evidence.choices import EvidenceStatus, Purpose
from xinren.evidence.models import Evidence
from xinren.governance import watch

from ..console import console_view, form_error, render_console


class RenewalForm(forms.Form):
    """The renewed licence as printed on it: number, dates, issuer, and its scan (already in the evidence album)."""

    credential = forms.IntegerField(widget=forms.HiddenInput)
    number = forms.CharField(label=gettext_lazy("新证编号"), max_length=64)
    valid_from = forms.DateField(label=gettext_lazy("生效日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=gettext_lazy("有效期至"), widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.CharField(label=gettext_lazy("发证机关"), max_length=128, required=False)
    evidence_id = forms.TypedChoiceField(
        label=gettext_lazy("新证扫描件"), coerce=int, required=False, empty_value=None,
        help_text=gettext_lazy("先在商品的溯源相册上传用途为“证书”的文件"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scans = Evidence.objects.filter(
            organization=actor.organization, purpose=Purpose.CERTIFICATE, status=EvidenceStatus.ACTIVE
        ).order_by("-created_at")[:100]
        self.fields["evidence_id"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (e.pk, e.caption or f"#{e.pk}") for e in scans
        ]


@console_view(kinds=CATALOG_KINDS)
def qualifications(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = RenewalForm(request.POST or None, actor=actor)
    status = 200
    if request.method == "POST":
        actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                watch.qualification_renew(
                    actor=actor, credential_id=data["credential"], number=data["number"],
                    valid_from=data["valid_from"], valid_until=data["valid_until"], issuer=data["issuer"],
                    evidence_id=data["evidence_id"],
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("新证已核验通过；因旧证到期暂停销售的商品已恢复销售"))
                return redirect("merchant:qualifications")
    context = {
        "rows": watch.qualification_rows(actor=actor),
        "suspensions": watch.suspended_products(actor=actor),
        "form": form,
        "renewing": form.data.get("credential") if form.is_bound else None,
        "warn_days": watch.WARN_DAYS,
    }
    return render_console(request, actor, "merchant/qualifications.html", context, status=status)
