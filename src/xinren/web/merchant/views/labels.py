"""Label sheet jobs in the console: ask for a lot's labels as a file, watch it being drawn, download it."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS
from xinren.catalog import labels, selectors, sheets
from xinren.core.errors import DomainError

from ..console import console_view, form_error, render_console
from ..forms import LabelSheetForm

# While a sheet of the page is queued or running, the page reloads itself this often (an HTTP Refresh header:
# no script on the console's pages).
REFRESH_SECONDS = 3


@console_view(kinds=CATALOG_KINDS)
def label_sheets(request: HttpRequest, actor: Actor, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get(actor=actor, batch_id=batch_id)
    form = LabelSheetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sheets.label_sheet_request(
                actor=actor, batch_id=batch.pk, fmt=form.cleaned_data["format"],
                first_page=form.cleaned_data["first_page"], last_page=form.cleaned_data["last_page"],
            )
        except DomainError as exc:
            status = form_error(form, exc, form.domain_error_fields)
        else:
            messages.success(request, _("已提交，标签文件正在后台生成；完成后可在下方下载。"))
            return redirect("merchant:label_sheets", batch_id=batch.pk)
    elif form.errors:
        status = 422
    rows = list(sheets.label_sheet_list(actor=actor, batch_id=batch.pk)[:20])
    item_count = batch.items.count()
    context = {
        "batch": batch, "form": form, "sheets": rows, "item_count": item_count,
        "pages": labels.sheet_page_count(item_count), "sync_max_pages": sheets.SYNC_MAX_PAGES,
    }
    response = render_console(request, actor, "merchant/label_sheets.html", context, status=status)
    if any(sheet.status in sheets.OPEN for sheet in rows):
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@console_view(kinds=CATALOG_KINDS)
def label_sheet_download(request: HttpRequest, actor: Actor, sheet_id: int) -> HttpResponse:
    try:
        sheet, file = sheets.label_sheet_open(actor=actor, sheet_id=sheet_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
        sheet = sheets.label_sheet_get(actor=actor, sheet_id=sheet_id)
        return redirect("merchant:label_sheets", batch_id=sheet.batch_id)
    response = FileResponse(
        file, as_attachment=True, filename=sheets.label_sheet_filename(sheet),
        content_type=sheets.CONTENT_TYPES[sheet.format],
    )
    # Streamed from storage (a whole lot's SVG is ~20 MB); console_view hands the response on untouched.
    return cast(HttpResponse, response)
