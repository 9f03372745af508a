"""售后 NPS for operators (platform organizations): the score per merchant, per programme, and per category with
programme members beside the other merchants (the seeds' comparison), over a chosen period."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import OrganizationKind
from xinren.aftersales.nps import SMALL_SAMPLE
from xinren.aftersales.nps_chart import comparison_chart_svg
from xinren.aftersales.nps_selectors import operator_nps_overview
from xinren.core import clock

from ..console import console_view, render_console

PERIODS = (30, 90, 365)


@require_safe
@console_view(kinds=[OrganizationKind.PLATFORM])
def nps_overview(request: HttpRequest, actor: Actor) -> HttpResponse:
    """?days=30|90|365 narrows to the answers of that period; anything else: every answer."""
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else None
    overview = operator_nps_overview(actor=actor, since=clock.now() - timedelta(days=days) if days else None)
    return render_console(request, actor, "merchant/aftersales/nps.html", {
        "overview": overview, "chart": comparison_chart_svg(overview.categories), "days": days,
        "periods": PERIODS, "small_sample": SMALL_SAMPLE,
    })
