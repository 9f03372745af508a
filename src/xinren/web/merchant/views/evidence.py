"""The trace album (溯源相册) of a product or lot in the console: upload and vouch, list, withdraw."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import selectors as catalog_selectors
from xinren.catalog.models import Batch, Product
from xinren.core.errors import DomainError
from xinren.evidence import errors, selectors, services
from xinren.evidence.api import upload_bytes
from xinren.evidence.choices import Purpose
from xinren.evidence.models import CAPTION_MAX

from ..console import console_view, form_error, render_console

_FILE_ERRORS = (
    errors.TYPE_UNKNOWN, errors.TYPE_UNSUPPORTED, errors.TYPE_MISMATCH, errors.KIND_NOT_ALLOWED, errors.TOO_LARGE,
    errors.EMPTY, errors.IMAGE_BROKEN, errors.IMAGE_TOO_MANY_PIXELS, errors.VIDEO_BROKEN, errors.PDF_BROKEN,
    errors.PDF_ENCRYPTED,
)


class EvidenceUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("文件"),
        help_text=gettext_lazy("照片（JPEG、PNG、WebP）、短视频（MP4、MOV、WebM）或 PDF 证书；定位等信息会被去除"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif,video/mp4,"
                                                         "video/quicktime,video/webm,application/pdf"}),
    )
    purpose = forms.ChoiceField(label=gettext_lazy("用途"), choices=Purpose.choices)
    caption = forms.CharField(label=gettext_lazy("说明"), max_length=CAPTION_MAX, required=False)
    taken_at = forms.DateTimeField(
        label=gettext_lazy("拍摄时间"), required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    domain_error_fields = {
        **{code: "file" for code in _FILE_ERRORS},
        errors.PURPOSE_INVALID: "purpose",
        errors.CAPTION_TOO_LONG: "caption",
        errors.TAKEN_AT_INVALID: "taken_at",
    }


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤回原因"), max_length=500)


def _album_page(request: HttpRequest, actor: Actor, *, product: Product, batch: Batch | None,
                form: EvidenceUploadForm, status: int = 200) -> HttpResponse:
    rows = selectors.evidence_list(actor=actor, product_id=product.pk, batch_id=batch.pk if batch else None)
    context: dict[str, Any] = {
        "product": product, "batch": batch, "form": form, "evidence": rows, "withdraw_form": WithdrawForm(),
    }
    return render_console(request, actor, "merchant/evidence_album.html", context, status=status)


def _album(request: HttpRequest, actor: Actor, *, product: Product, batch: Batch | None) -> HttpResponse:
    if request.method != "POST":
        return _album_page(request, actor, product=product, batch=batch, form=EvidenceUploadForm())
    actor.require(role=Role.STAFF, kinds=CATALOG_KINDS)
    form = EvidenceUploadForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.evidence_upload(
                actor=actor, content=upload_bytes(data["file"]), filename=data["file"].name or "",
                product_id=None if batch else product.pk, batch_id=batch.pk if batch else None,
                purpose=data["purpose"], caption=data["caption"], taken_at=data["taken_at"],
            )
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("证据已上传并签名写入透明日志"))
            return redirect(request.path)
    return _album_page(request, actor, product=product, batch=batch, form=form, status=status)


@console_view(kinds=CATALOG_KINDS)
def product_album(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = catalog_selectors.product_get(actor=actor, product_id=product_id)
    return _album(request, actor, product=product, batch=None)


@console_view(kinds=CATALOG_KINDS)
def batch_album(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    batch = catalog_selectors.batch_get(actor=actor, batch_id=batch_id)
    return _album(request, actor, product=batch.product, batch=batch)


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def evidence_withdraw(request: HttpRequest, actor: Actor, evidence_id: int) -> HttpResponse:
    evidence = selectors.evidence_get_own(actor=actor, evidence_id=evidence_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤回原因"))
    else:
        try:
            services.evidence_withdraw(actor=actor, evidence=evidence, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("证据已撤回；透明日志中记录了撤回声明，原文件保留"))
    if evidence.batch_id is not None:
        return redirect("merchant:batch_album", batch_id=evidence.batch_id)
    if evidence.product_id is not None:
        return redirect("merchant:product_album", product_id=evidence.product_id)
    return redirect("merchant:event_list")
