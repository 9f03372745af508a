"""Batches (lots): list, create, detail with items, item generation and QR label sheets."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS, Role
from xinren.catalog import errors as catalog_errors
from xinren.catalog import labels, selectors, services, sheets
from xinren.catalog.models import Batch
from xinren.core.errors import DomainError, InvalidInput

from ..console import console_view, form_error, render_console
from ..forms import BatchForm, ItemsGenerateForm
from .products import draft_labels_confirm

PAGE_SIZE = 50
ITEMS_PAGE_SIZE = 100


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
        "label_pages": labels.sheet_page_count(page.paginator.count),
        "label_sync_max_pages": sheets.SYNC_MAX_PAGES,
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


@console_view(kinds=CATALOG_KINDS)
def batch_labels(request: HttpRequest, actor: Actor, batch_id: int, extension: str) -> HttpResponse:
    """A small sheet (or `?first=&last=` pages of a big one) at once; larger ones go to the sheet jobs' page."""
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)
    if (confirm := draft_labels_confirm(request, actor, batch, extension)) is not None:
        return confirm  # a draft's labels: say first what scanning them will show
    try:
        name, content_type, content = sheets.label_sheet_draw(
            actor=actor, batch_id=batch.pk, fmt=extension, first_page=_page_param(request, "first"),
            last_page=_page_param(request, "last"),
        )
    except InvalidInput as exc:  # no items yet, a range outside the sheet, or too many pages for one request
        messages.error(request, str(exc.message))
        too_many = exc.code == catalog_errors.LABELS_TOO_MANY_PAGES
        return redirect("merchant:label_sheets" if too_many else "merchant:batch_detail", batch_id=batch.pk)
    disposition = content_disposition_header(as_attachment=True, filename=name)
    return HttpResponse(content, content_type=content_type, headers={"Content-Disposition": disposition})


def _page_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None
