"""售后, the merchant's side: the queue of open requests by deadline, one request with its evidence, steps and
decisions, and the decisions themselves (agree, refuse with a reason, propose a partial amount, sign for a return,
refund after inspection). Operators (members of a platform organization) see escalated disputes and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, OrganizationKind
from xinren.aftersales import selectors, services
from xinren.aftersales.choices import MERCHANT_TURN, Status
from xinren.core.errors import DomainError
from xinren.core.money import yuan_to_fen

from ..console import console_view, form_error, render_console

PLATFORM = [OrganizationKind.PLATFORM]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("买家会看到，并记入签名的处理声明"))


class ProposeForm(ReasonForm):
    amount = forms.CharField(label=gettext_lazy("协商金额（元）"), max_length=12)


class DecideForm(ReasonForm):
    approve = forms.TypedChoiceField(label=gettext_lazy("裁决"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                     choices=[("1", gettext_lazy("支持买家")), ("0", gettext_lazy("支持商家"))])
    amount = forms.CharField(label=gettext_lazy("金额（元）"), max_length=12, required=False,
                             help_text=gettext_lazy("支持买家时的退款金额，留空为申请金额"))


def _fen(value: str) -> int | None:
    return yuan_to_fen(value.strip()) if value and value.strip() else None


@require_safe
@console_view(kinds=CATALOG_KINDS)
def aftersale_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    everything = request.GET.get("all") == "1"
    requests = selectors.merchant_request_list(actor=actor, open_only=not everything)[:200]
    return render_console(request, actor, "merchant/aftersales/queue.html", {
        "requests": requests, "everything": everything})


def _detail(request: HttpRequest, actor: Actor, item: Any, **forms_: Any) -> dict[str, Any]:
    return {
        "item": item, "merchant_turn": item.status in MERCHANT_TURN, "money": selectors.request_money(item),
        "pickup": selectors.request_pickup(item),
        "can_receive": item.handed_off_at is not None and item.received_at is None,
        "can_inspect": item.status == Status.RECEIVED,
        "refuse_form": forms_.get("refuse_form") or ReasonForm(prefix="refuse"),
        "propose_form": forms_.get("propose_form") or ProposeForm(prefix="propose"),
    }


@require_safe
@console_view(kinds=CATALOG_KINDS)
def aftersale_detail(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    item = selectors.merchant_request_get(actor=actor, reference=reference)
    return render_console(request, actor, "merchant/aftersales/detail.html", _detail(request, actor, item))


def _act(request: HttpRequest, reference: str, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("merchant:aftersale_detail", reference=reference)


@require_POST
@console_view(kinds=CATALOG_KINDS)
def aftersale_agree(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    return _act(request, reference, lambda: services.aftersale_merchant_agree(actor=actor, reference=reference),
                _("已同意，买家会收到通知"))


@require_POST
@console_view(kinds=CATALOG_KINDS)
def aftersale_refuse(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    reason = request.POST.get("refuse-reason", request.POST.get("reason", ""))
    return _act(request, reference,
                lambda: services.aftersale_merchant_refuse(actor=actor, reference=reference, reason=reason),
                _("已拒绝，买家可在 7 天内申请平台介入"))


@require_POST
@console_view(kinds=CATALOG_KINDS)
def aftersale_propose(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    def propose() -> None:
        amount = _fen(request.POST.get("propose-amount", ""))
        services.aftersale_merchant_propose(actor=actor, reference=reference, amount_fen=-1 if amount is None
                                            else amount, reason=request.POST.get("propose-reason", ""))

    return _act(request, reference, propose, _("协商方案已发给买家"))


@require_POST
@console_view(kinds=CATALOG_KINDS)
def aftersale_receive(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    return _act(request, reference, lambda: services.aftersale_return_receive(actor=actor, reference=reference),
                _("已签收退货"))


@require_POST
@console_view(kinds=CATALOG_KINDS)
def aftersale_inspect(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    return _act(request, reference, lambda: services.aftersale_return_inspect(actor=actor, reference=reference),
                _("验货通过，已退款"))


@require_safe
@console_view(kinds=PLATFORM)
def dispute_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render_console(request, actor, "merchant/aftersales/disputes.html", {
        "requests": selectors.operator_dispute_list(actor=actor)[:200]})


@require_http_methods(["GET", "POST"])
@console_view(kinds=PLATFORM)
def dispute_detail(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    item = selectors.operator_request_get(actor=actor, reference=reference)
    form = DecideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.aftersale_operator_decide(
                    actor=actor, reference=reference, approve=form.cleaned_data["approve"],
                    reason=form.cleaned_data["reason"], amount_fen=_fen(form.cleaned_data["amount"]))
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("裁决已记录并签名"))
                return redirect("merchant:dispute_list")
    return render_console(request, actor, "merchant/aftersales/dispute.html", {
        "item": item, "form": form, "money": selectors.request_money(item)}, status=status)
