"""申请售后: the consumer opens an after-sale request or guarantee claim on a delivered line, follows its steps,
decisions and deadlines, and acts on it (cancel, answer a proposal, send the return, escalate a refusal)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from xinren.accounts.models import User
from xinren.aftersales import selectors, services
from xinren.aftersales.choices import CLAIM_KINDS, Kind, Status
from xinren.aftersales.levels import consumer_level
from xinren.aftersales.services.requests import ESCALATION_DAYS
from xinren.core.errors import DomainError
from xinren.core.money import yuan_to_fen
from xinren.orders.choices import OrderStatus
from xinren.orders.selectors import consumer_order_get

from ..forms import _MultipleFiles, _PhotosField
from ..session import form_error, render_shop, shop_view
from . import aftersales_returns


class RequestForm(forms.Form):
    line = forms.TypedChoiceField(label=gettext_lazy("商品"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("售后类型"), choices=Kind.choices, widget=forms.RadioSelect)
    amount = forms.CharField(
        label=gettext_lazy("申请金额（元）"), max_length=12, help_text=gettext_lazy("不超过该商品的实付金额；换货填 0")
    )
    reason = forms.CharField(label=gettext_lazy("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 4}))
    photos = _PhotosField(
        label=gettext_lazy("照片"),
        required=False,
        widget=_MultipleFiles(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}),
        help_text=gettext_lazy("坏单包赔需要至少 1 张照片；最多 9 张"),
    )
    video = forms.FileField(
        label=gettext_lazy("视频"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4"}),
        help_text=gettext_lazy("可选，1 段，MP4"),
    )

    def clean_amount(self) -> int:
        try:
            return yuan_to_fen(self.cleaned_data["amount"].strip())
        except DomainError as exc:
            raise forms.ValidationError(str(exc.message)) from exc


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    carrier = forms.CharField(label=gettext_lazy("快递公司"), max_length=64)
    tracking_number = forms.CharField(label=gettext_lazy("运单号"), max_length=64)


def _uploads(form: RequestForm) -> list[tuple[str, bytes]]:
    files = list(form.cleaned_data.get("photos") or [])
    if form.cleaned_data.get("video"):
        files.append(form.cleaned_data["video"])
    return [(upload.name or "upload", upload.read()) for upload in files]


@require_safe
@shop_view
def aftersale_list(request: HttpRequest, consumer: User) -> HttpResponse:
    """我的售后: the consumer's requests, newest first, and their trust level."""
    return render_shop(
        request,
        "shop/aftersales/list.html",
        {
            "requests": selectors.consumer_request_list(consumer=consumer)[:100],
            "assessment": consumer_level(consumer=consumer),
        },
    )


@require_http_methods(["GET", "POST"])
@shop_view
def aftersale_new(request: HttpRequest, consumer: User, number: str) -> HttpResponse:
    """The request form, prefilled from ?line=…&kind=…&recall=… (the order page and recall notices link here)."""
    order = consumer_order_get(consumer=consumer, order_number=number)
    recall = request.GET.get("recall", "")
    initial: dict[str, Any] = {"line": request.GET.get("line", ""), "kind": request.GET.get("kind", "")}
    lines = list(order.lines.all())
    line = next((one for one in lines if str(one.pk) == initial["line"]), lines[0] if len(lines) == 1 else None)
    if line is not None:
        initial["line"] = line.pk
        initial["amount"] = f"{line.total_fen / 100:.2f}"
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial)
    line_field = form.fields["line"]
    assert isinstance(line_field, forms.TypedChoiceField)
    line_field.choices = [(one.pk, f"{one.product_name} × {one.quantity}") for one in lines]
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                opened = services.aftersale_open(
                    consumer=consumer,
                    order_number=order.number,
                    line_id=form.cleaned_data["line"],
                    kind=form.cleaned_data["kind"],
                    reason=form.cleaned_data["reason"],
                    amount_fen=form.cleaned_data["amount"],
                    media=_uploads(form),
                    recall_id=int(recall) if recall.isdigit() else None,
                )
            except DomainError as exc:
                status = form_error(form, exc)
            else:
                messages.success(request, _("售后申请已提交"))
                return redirect("shop:aftersale_detail", reference=opened.reference)
    return render_shop(
        request,
        "shop/aftersales/form.html",
        {
            "form": form,
            "order": order,
            "delivered": order.status == OrderStatus.DELIVERED,
            "assessment": consumer_level(consumer=consumer),
            "recall": recall,
        },
        status=status,
    )


@require_safe
@shop_view
def aftersale_detail(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    """One request: every step, every decision with its rule and reason, the deadlines, and what can be done."""
    item = selectors.consumer_request_get(consumer=consumer, reference=reference)
    return render_shop(
        request,
        "shop/aftersales/detail.html",
        {
            "item": item,
            "is_claim": item.kind in CLAIM_KINDS,
            "reason_form": ReasonForm(),
            "return_form": ReturnForm(),
            "can_cancel": item.status
            in (
                Status.MERCHANT_HANDLING,
                Status.NEGOTIATING,
                Status.AGREED,
                Status.WAITING_MERCHANT,
                Status.WAITING_CONSUMER,
                Status.WAITING_EVIDENCE,
            )
            and item.refund_id is None
            and item.handed_off_at is None,
            "can_escalate": item.status in (Status.REFUSED, Status.NO_PAYOUT) and item.escalated_at is None,
            "escalation_days": ESCALATION_DAYS,
            "can_answer": item.status in (Status.NEGOTIATING, Status.WAITING_CONSUMER),
            "can_ship": item.status == Status.AGREED and item.kind in (Kind.RETURN_REFUND, Kind.EXCHANGE),
            **aftersales_returns.detail_context(consumer=consumer, item=item),
        },
    )


# Run a consumer's action on a request, say how it went, back to the request page (shared with the returns' views).
_act = aftersales_returns.request_act


@require_POST
@shop_view
def aftersale_cancel(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        lambda: services.aftersale_cancel(consumer=consumer, reference=reference),
        _("售后申请已撤销"),
    )


@require_POST
@shop_view
def aftersale_escalate(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _act(
        request,
        reference,
        lambda: services.aftersale_escalate(consumer=consumer, reference=reference, reason=reason),
        _("已申请平台介入，平台客服会尽快处理"),
    )


@require_POST
@shop_view
def aftersale_proposal(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    accept = request.POST.get("accept") == "1"
    return _act(
        request,
        reference,
        lambda: services.aftersale_proposal_answer(consumer=consumer, reference=reference, accept=accept),
        _("已接受协商方案") if accept else _("已拒绝协商方案，商家会重新处理"),
    )


@require_POST
@shop_view
def aftersale_return(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    return _act(
        request,
        reference,
        lambda: services.aftersale_return_ship(
            consumer=consumer,
            reference=reference,
            carrier=request.POST.get("carrier", ""),
            tracking_number=request.POST.get("tracking_number", ""),
        ),
        _("已登记退货运单"),
    )
