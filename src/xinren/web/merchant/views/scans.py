"""Why an item's code is (or is not) flagged as possibly copied: the networks that scanned it, and when."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from xinren.accounts.actors import Actor
from xinren.accounts.choices import CATALOG_KINDS
from xinren.trace.scans import item_scan_report

from ..console import console_view, render_console


@console_view(kinds=CATALOG_KINDS)
def item_scans(request: HttpRequest, actor: Actor, item_id: int) -> HttpResponse:
    report = item_scan_report(actor=actor, item_id=item_id)
    return render_console(request, actor, "merchant/item_scans.html", {"report": report})
