"""新手期 and 结算 in the merchant console: the merchant's probation (limits, progress on each criterion, extensions
and their reasons) with the published policy; its payouts (due dates, holds and their reasons) and the bank account
they are paid into (admins set it; the number is never shown again, only its last four digits)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.accounts.restrictions import limits_for
from xinren.core import clock
from xinren.core.errors import DomainError
from xinren.governance.probation_policy import policy_current, progress_of
from xinren.governance.services.probation import probation_open_for
from xinren.orders.models import PayoutAccount
from xinren.orders.payouts import hold_days_default, payout_account_set, payouts_of

from ..console import console_view, form_error, render_console


@require_safe
@console_view(kinds=CATALOG_KINDS)
def probation_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    probation = probation_open_for(actor.organization)
    return render_console(
        request,
        actor,
        "merchant/probation.html",
        {
            "probation": probation,
            "policy": probation.policy if probation else policy_current(),
            "progress": progress_of(probation, now=clock.now()) if probation else None,
            "limits": limits_for(actor.organization),
            "events": list(probation.events.order_by("at")) if probation else [],
        },
    )


class PayoutAccountForm(forms.Form):
    bank_name = forms.CharField(label=gettext_lazy("开户银行"), max_length=64)
    holder_name = forms.CharField(
        label=gettext_lazy("开户名"), max_length=128, help_text=gettext_lazy("须与营业执照上的名称一致。")
    )
    account_number = forms.CharField(
        label=gettext_lazy("银行账号"),
        max_length=40,
        help_text=gettext_lazy("保存后只显示后四位；账号加密保存，仅用于结算和黑名单核验。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


@require_http_methods(["GET", "POST"])
@console_view(kinds=CATALOG_KINDS)
def payouts_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PayoutAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                payout_account_set(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("结算账户已保存"))
                return redirect("merchant:payouts")
    return render_console(
        request,
        actor,
        "merchant/payouts.html",
        {
            "payouts": payouts_of(actor=actor),
            "account": PayoutAccount.objects.filter(organization=actor.organization).first(),
            "form": form,
            "may_set": actor.role in (Role.ADMIN, Role.OWNER),
            "limits": limits_for(actor.organization),
            "hold_days": hold_days_default(),
        },
        status=status,
    )
