"""Batches (lots): list, create, detail with items, item generation and QR label sheets."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import selectors, services
from xinren.catalog.labels import label_sheet_pdf, label_sheet_svg
from xinren.catalog.models import Batch
from xinren.core.errors import DomainError, InvalidInput
from xinren.core.origin import public_origin

from ..console import console_view, form_error, render_console
from ..forms import BatchForm, ItemsGenerateForm
from .products import draft_labels_confirm

PAGE_SIZE = 50
ITEMS_PAGE_SIZE = 100
LABEL_FORMATS = {"svg": "image/svg+xml; charset=utf-8", "pdf": "application/pdf"}


@console_view(kinds=CATALOG_KINDS)
def batch_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(selectors.batch_list(actor=actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_console(request, actor, "merchant/batch_list.html", {"page": page})


@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def batch_create(request: HttpRequest, actor: Actor, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=actor, product_id=product_id)
    form = BatchForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                actor=actor,
                product_id=product.pk,
                lot=form.cleaned_data["lot"],
                production_date=form.cleaned_data["production_date"],
                expiry_date=form.cleaned_data["expiry_date"],
                quantity=form.cleaned_data["quantity"],
            )
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("批次已创建。接下来可以生成单品序列号。"))
            return redirect("merchant:batch_detail", batch_id=batch.pk)
    elif form.errors:
        status = 422
    context = {"form": form, "product": product}
    return render_console(request, actor, "merchant/batch_form.html", context, status=status)


def _batch_page(
    request: HttpRequest, actor: Actor, batch: Batch, form: ItemsGenerateForm, *, status: int = 200
) -> HttpResponse:
    items = selectors.item_list(actor=actor, batch_id=batch.pk).select_related("product", "batch")
    page = Paginator(items, ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "batch": batch,
        "page": page,
        "remaining": batch.quantity - page.paginator.count,
        "form": form,
    }
    return render_console(request, actor, "merchant/batch_detail.html", context, status=status)


@console_view(kinds=CATALOG_KINDS)
def batch_detail(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)
    return _batch_page(request, actor, batch, ItemsGenerateForm())


@require_POST
@console_view(role=Role.STAFF, kinds=CATALOG_KINDS)
def items_generate(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)
    form = ItemsGenerateForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            items = services.items_generate(actor=actor, batch_id=batch.pk, count=form.cleaned_data["count"])
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("已生成 %(count)d 个单品") % {"count": len(items)})
            return redirect("merchant:batch_detail", batch_id=batch.pk)
    return _batch_page(request, actor, batch, form, status=status)


def _label_filename(batch: Batch, extension: str) -> str:
    # Lots may hold GS1 punctuation such as '/' that is not safe in a file name.
    lot = re.sub(r"[^A-Za-z0-9._-]", "_", batch.lot)
    return f"labels-{batch.product.gtin}-{lot}.{extension}"


@console_view(kinds=CATALOG_KINDS)
def batch_labels(request: HttpRequest, actor: Actor, batch_id: int, extension: str) -> HttpResponse:
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)
    if (confirm := draft_labels_confirm(request, actor, batch, extension)) is not None:
        return confirm  # a draft's labels: say first what scanning them will show
    try:
        if extension == "pdf":
            content: str | bytes = label_sheet_pdf(batch=batch, resolver=public_origin())
        else:
            content = label_sheet_svg(batch=batch, resolver=public_origin())
    except InvalidInput as exc:  # no items to label yet
        messages.error(request, str(exc.message))
        return redirect("merchant:batch_detail", batch_id=batch.pk)
    disposition = content_disposition_header(as_attachment=True, filename=_label_filename(batch, extension))
    return HttpResponse(
        content, content_type=LABEL_FORMATS[extension], headers={"Content-Disposition": disposition}
    )
