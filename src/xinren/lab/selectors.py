"""Reads of lab reports: the public scorecard of a batch or of one report (JSON-serialisable)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict

from xinren.accounts.actors import Actor
from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Batch
from xinren.catalog.selectors import owners_trusting
from xinren.core import plausible
from xinren.core.errors import NotFound

from . import errors
from .models import LabReport
from .scorecard import (
    SCORECARD_VERSION,
    Grade,
    Suggestion,
    decimal_text,
    indicator_grade,
    overall_grade,
    suggestions,
)
from .thresholds import COMPARATOR_SYMBOLS, CURRENT_VERSION, INDICATOR_NAMES, TABLES, Limit, limits_for


class IndicatorResult(TypedDict):
    """One measured indicator against its limit, with its stars (decimals as text)."""

    indicator: str
    name: str
    value: str  # "ND" when not detected
    not_detected: bool
    lod: str | None
    unit: str
    limit: str
    comparator: str  # a Comparator value
    comparator_symbol: str
    standard: str
    clause: str
    note: str
    stars: int
    exceeds: bool


class ScorecardLab(TypedDict, closed=True):
    name: str
    accreditation: str


class ReportPdf(TypedDict, closed=True):
    """The lab's own report document: its digest (signed in the report's statement), size, pages and URL."""

    sha256: str
    size: int
    pages: int | None
    url: str


class ScorecardFields(TypedDict):
    """A scorecard's keys other than its indicators and suggestions (the consumer section extends those)."""

    report_id: int
    report_uuid: str
    batch_id: int
    gtin: str
    lot: str
    lab: ScorecardLab
    sample_id: str
    sampled_at: str
    sampled_place: str
    method: str
    table_version: str
    scorecard_version: str
    overall_stars: int
    exceeds: bool
    leaf_hash: str
    self_signed: bool
    pdf: ReportPdf | None  # None: issued without the lab's PDF (未附原件)


class Scorecard(ScorecardFields, closed=True):
    """A lab report's scorecard (检测可视化), as the lab-report API returns it."""

    indicators: list[IndicatorResult]
    suggestions: list[Suggestion]


def _reports() -> Any:
    return LabReport.objects.select_related("lab", "batch__product", "pdf").prefetch_related("measurements")


def _public_report(**lookup: Any) -> LabReport:
    report = (
        _reports()
        .filter(**lookup, batch__product__status__in=[ProductStatus.ACTIVE, ProductStatus.DELISTED])
        .first()
    )
    if report is None:
        raise NotFound(errors.NOT_FOUND, _("找不到该检测报告"))
    return report


def lab_report_get(*, report_id: int) -> LabReport:
    """A report by id, public like the consumer page that shows it (reports on draft products are not)."""
    return _public_report(pk=report_id)


def lab_report_get_public(*, report_uuid: uuid.UUID) -> LabReport:
    """A report by its report number (the UUID its statement carries), public as `lab_report_get`."""
    return _public_report(report_id=report_uuid)


def lab_batches_granted(*, actor: Actor) -> QuerySet[Batch]:
    """Lots the actor's lab may report on: those of merchants that granted it, in a category with a table."""
    return (
        Batch.objects.select_related("product")
        .filter(product__merchant__in=owners_trusting(partner=actor.organization),
                product__category__in=sorted(TABLES[CURRENT_VERSION]))
        .order_by("-id")
    )


def lab_reports_of_lab(*, actor: Actor) -> QuerySet[LabReport]:
    """The reports the actor's lab issued, newest first (what its console lists)."""
    return _reports().filter(lab=actor.organization).order_by("-created_at", "-id")


def report_limits(*, report: LabReport) -> dict[str, Limit]:
    """The limits the report was graded with: its own category's in its own table version.

    A report issued before the category was kept on it takes its product's category when that table holds every
    indicator it measured; else (the category changed since) the smallest table that holds them all, the closest
    fit. So changing a product's category never orphans its reports.
    """
    if report.category:
        return limits_for(category=report.category, version=report.table_version)
    measured = {measurement.indicator for measurement in report.measurements.all()}
    current = limits_for(category=report.batch.product.category, version=report.table_version)
    if measured <= set(current):
        return current
    fitting = [
        limits_for(category=category, version=report.table_version)
        for category in sorted(TABLES.get(report.table_version, {}))
    ]
    fitting = [limits for limits in fitting if measured <= set(limits)]
    if not fitting:
        raise NotFound(errors.NOT_FOUND, _("找不到该检测报告所用的限值表"), details={"report_id": report.pk})
    return min(fitting, key=len)


def scorecard_for_report(*, report: LabReport) -> Scorecard:
    """Every indicator with its value, limit, comparator, citation and stars; the overall grade and
    what would raise it; the table version, the lab and the report's leaf hash in the log."""
    limits = report_limits(report=report)
    results: list[tuple[Limit, Grade]] = []
    indicators: list[IndicatorResult] = []
    for measurement in report.measurements.all():
        limit = limits[measurement.indicator]
        grade = indicator_grade(limit=limit, value=None if measurement.not_detected else measurement.value)
        results.append((limit, grade))
        indicators.append(
            {
                "indicator": measurement.indicator,
                "name": INDICATOR_NAMES.get(measurement.indicator, measurement.indicator),
                "value": "ND" if measurement.value is None else decimal_text(measurement.value),
                "not_detected": measurement.not_detected,
                "lod": None if measurement.lod is None else decimal_text(measurement.lod),
                "unit": measurement.unit,
                "limit": decimal_text(limit.limit),
                "comparator": limit.comparator.value,
                "comparator_symbol": str(COMPARATOR_SYMBOLS[limit.comparator]),
                "standard": limit.standard,
                "clause": limit.clause,
                "note": limit.note,
                "stars": grade.stars,
                "exceeds": grade.exceeds,
            }
        )
    return {
        "report_id": report.pk,
        "report_uuid": str(report.report_id),
        "batch_id": report.batch_id,
        "gtin": report.batch.product.gtin,
        "lot": report.batch.lot,
        "lab": {"name": report.lab.name, "accreditation": report.accreditation},
        "sample_id": report.sample_id,
        "sampled_at": report.sampled_at.isoformat(),
        "sampled_place": report.sampled_place,
        "method": report.method,
        "table_version": report.table_version,
        "scorecard_version": SCORECARD_VERSION,
        "overall_stars": overall_grade([grade for _, grade in results]),
        "exceeds": any(grade.exceeds for _, grade in results),
        "indicators": indicators,
        "suggestions": suggestions(results=results),
        "leaf_hash": report.ledger_leaf_hash,
        "self_signed": report.self_signed,
        "pdf": None if report.pdf is None else {
            "sha256": report.pdf.sha256, "size": report.pdf.size, "pages": report.pdf.pages, "url": report.pdf.url,
        },
    }


def scorecard_for_batch(*, batch: Batch) -> Scorecard | None:
    """The scorecard of the batch's latest report (by sampling time), or None when it has none.

    A report stored with a sampling time in the future (refused since ADR 0015) never stands as the latest.
    """
    report = (
        _reports().filter(batch=batch, sampled_at__lte=plausible.latest()).order_by("-sampled_at", "-id").first()
    )
    return None if report is None else scorecard_for_report(report=report)
