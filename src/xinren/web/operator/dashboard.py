"""The operator's governance dashboard (/operator/): applications, probation, risk, interceptions, suspensions.

Charts are server-drawn SVG (charts.py); every panel downloads as CSV (UTF-8 with a BOM, formula-safe cells).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from xinren.accounts.actors import Actor
from xinren.accounts.choices import InterceptionStage, OrganizationKind, RestrictionKind, Role
from xinren.governance.choices import ApplicationStatus
from xinren.governance.models.risk import Band
from xinren.governance.selectors import dashboard as panels
from xinren.web.merchant.console import console_view, render_console
from xinren.web.merchant.exports import csv_cell

from .charts import bar_chart_svg, histogram_svg, stacked_days_svg

OPERATOR = {"kinds": [OrganizationKind.PLATFORM], "role": Role.VIEWER}
EDGES = list(range(0, 101, 10))


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    applications = panels.applications_panel(actor=actor)
    cohort = panels.probation_cohort(actor=actor)
    risk = panels.risk_panel(actor=actor)
    interceptions = panels.interceptions_panel(actor=actor)
    suspensions = panels.suspensions_panel(actor=actor)
    counts = [0] * (len(EDGES) - 1)
    for _name, _slug, score, _band in risk.scores:
        counts[min(int(score // 10), len(counts) - 1)] += 1
    context = {
        "applications": applications,
        "applications_chart": bar_chart_svg(
            [(_label(ApplicationStatus, s), n) for s, n in applications.by_status.items()],
            title=_("入驻申请（按状态）"),
        ),
        "cohort": cohort,
        "risk": risk,
        "risk_chart": histogram_svg(
            counts,
            edges=EDGES,
            thresholds={
                _label(Band, b): v
                for b, v in zip(("watch", "restrict", "suspend"), risk.thresholds.values(), strict=False)
            },
            title=_("商家风险分分布"),
        ),
        "risk_bands": [(_label(Band, b), risk.bands.get(b, 0)) for b in Band.values],
        "interceptions": interceptions,
        "interceptions_total": sum(sum(v) for v in interceptions.by_stage.values()),
        "interceptions_chart": stacked_days_svg(
            interceptions.days,
            {_label(InterceptionStage, s): v for s, v in interceptions.by_stage.items()},
            title=_("近 30 天拦截次数"),
        ),
        "suspensions": suspensions,
        "restrictions": [(_label(RestrictionKind, k), n) for k, n in suspensions.restrictions.items()],
    }
    return render_console(request, actor, "operator/dashboard.html", context)


def _csv(name: str, header: list[str], rows: Iterable[Iterable[object]]) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@console_view(**OPERATOR)  # type: ignore[arg-type]
def dashboard_csv(request: HttpRequest, actor: Actor, panel: str) -> HttpResponse:
    if panel == "applications":
        a = panels.applications_panel(actor=actor)
        return _csv(
            panel,
            [_("申请编号"), _("企业名称"), _("已等待（小时）"), _("是否超时")],
            ((pid, name, hours, _("是") if late else _("否")) for pid, name, hours, late in a.waiting),
        )
    if panel == "probation":
        return _csv(
            panel,
            [_("商家"), _("状态"), _("已进行（天）"), _("延长至")],
            (
                (r.organization, r.status, r.days_in, r.extended_until or "")
                for r in panels.probation_cohort(actor=actor)
            ),
        )
    if panel == "risk":
        r = panels.risk_panel(actor=actor)
        return _csv(
            panel,
            [_("商家"), _("风险分"), _("等级")],
            ((name, score, _label(Band, band)) for name, _slug, score, band in r.scores),
        )
    if panel == "interceptions":
        i = panels.interceptions_panel(actor=actor)
        return _csv(
            panel,
            [_("日期"), _("环节"), _("次数")],
            ((day.isoformat(), _label(InterceptionStage, stage), n) for day, stage, n in i.rows),
        )
    if panel == "suspensions":
        s = panels.suspensions_panel(actor=actor)
        return _csv(
            panel,
            [_("商家"), _("商品"), _("GTIN"), _("原因"), _("暂停时间")],
            (
                (r.merchant, r.product, r.gtin, r.reason, timezone.localtime(r.since).strftime("%Y-%m-%d %H:%M"))
                for r in s.listings
            ),
        )
    raise Http404
