"""上门取件 and 补充凭证 on the consumer's request page: book (or cancel) a courier for an agreed return, and add the
photos or video the merchant or the platform asked for. The partials `_pickup.html` and `_evidence.html` render
what `detail_context` gives them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinren.accounts.models import User
from xinren.aftersales import selectors, services
from xinren.aftersales.choices import Status
from xinren.aftersales.models import AfterSaleRequest
from xinren.aftersales.services.pickups import pickup_logistics, pickup_offered, pickup_windows
from xinren.core.errors import DomainError
from xinren.orders.selectors import address_list

from ..forms import _MultipleFiles, _PhotosField
from ..session import shop_view


class PickupForm(forms.Form):
    address = forms.TypedChoiceField(label=gettext_lazy("取件地址"), coerce=int)
    window = forms.ChoiceField(label=gettext_lazy("上门时段"))


class EvidenceForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("说明"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    photos = _PhotosField(
        label=gettext_lazy("照片"),
        required=False,
        widget=_MultipleFiles(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True}),
        help_text=gettext_lazy("最多 9 张"),
    )
    video = forms.FileField(
        label=gettext_lazy("视频"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4"}),
        help_text=gettext_lazy("可选，1 段，MP4"),
    )


def _window_label(start: Any, end: Any) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    return f"{start:%m-%d} {start:%H:%M}–{end:%H:%M}"


def detail_context(*, consumer: User, item: AfterSaleRequest) -> dict[str, Any]:
    """What the request page's pickup and evidence partials show (merged into the page's context)."""
    pickup = selectors.request_pickup(item)
    offered = pickup_offered(item)
    logistics = pickup_logistics(item) if offered and pickup is None else None
    form = None
    if logistics is not None:
        form = PickupForm()
        address_field, window_field = form.fields["address"], form.fields["window"]
        assert isinstance(address_field, forms.TypedChoiceField) and isinstance(window_field, forms.ChoiceField)
        address_field.choices = [
            (a.pk, f"{a.recipient_name} {a.recipient_phone_masked} {a.full_address}")
            for a in address_list(consumer=consumer)
        ]
        window_field.choices = [(w.value, _window_label(w.start, w.end)) for w in pickup_windows()]
    context: dict[str, Any] = {
        "pickup": pickup,
        "pickup_logistics": logistics,
        "pickup_form": form,
        "evidence_requests": list(selectors.request_evidence_requests(item)),
        "evidence_open": selectors.request_open_evidence(item) if item.status == Status.WAITING_EVIDENCE else None,
        "evidence_form": EvidenceForm(),
    }
    if pickup is not None:  # the consumer's own tracking number is for a return they ship themselves
        context["can_ship"] = False
    return context


def request_act(request: HttpRequest, reference: str, action: Any, done: str) -> HttpResponse:
    """Run the consumer's `action` on a request, show its outcome (a refusal's translated reason, or `done`), and go
    back to the request's page; a request that is not theirs stays a 404."""
    try:
        action()
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("shop:aftersale_detail", reference=reference)


@require_POST
@shop_view
def pickup_book(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    address = request.POST.get("address", "")
    window = parse_datetime(request.POST.get("window", "") or "")
    return request_act(
        request,
        reference,
        lambda: services.return_pickup_book(
            consumer=consumer,
            reference=reference,
            address_id=int(address) if address.isdigit() else 0,
            window_start=window,
        ),
        _("已预约上门取件，快递员会在所选时段上门"),
    )


@require_POST
@shop_view
def pickup_cancel(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    return request_act(
        request,
        reference,
        lambda: services.return_pickup_cancel(consumer=consumer, reference=reference),
        _("已取消上门取件"),
    )


@require_POST
@shop_view
def evidence_add(request: HttpRequest, consumer: User, reference: str) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("shop:aftersale_detail", reference=reference)
    files = list(form.cleaned_data.get("photos") or [])
    if form.cleaned_data.get("video"):
        files.append(form.cleaned_data["video"])
    media = [(upload.name or "upload", upload.read()) for upload in files]
    return request_act(
        request,
        reference,
        lambda: services.evidence_answer(
            consumer=consumer, reference=reference, note=form.cleaned_data["note"], media=media
        ),
        _("凭证已补充，申请已回到处理方"),
    )
