"""Gather one product's score inputs (or many products') from the contexts below trust, as a plain JSON dict.

Ages are in days before `now`, so that the formula (`formula.py`) stays a pure function of the stored inputs.
`products_inputs` shares what products have in common (the category means, each merchant's credit) across a
batch, so a full recompute reads those once per category and once per merchant.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Exists, OuterRef, Q, QuerySet

from xinren.aftersales.choices import DecidedBy, Outcome
from xinren.aftersales.fund.choices import AccountKind
from xinren.aftersales.models.fund import Account, InsuranceSubscription
from xinren.aftersales.models.requests import AfterSaleRequest
from xinren.catalog.models import Batch, ListingSuspension, Product
from xinren.coldchain.models import Excursion, Leg
from xinren.coldchain.status import promise_results_for_batch
from xinren.core import clock, plausible
from xinren.core.errors import DomainError
from xinren.governance.models.probation import Probation, ProbationStatus
from xinren.governance.models.risk import RiskEvaluation
from xinren.lab.models import LabReport
from xinren.lab.scorecard import indicator_grade, overall_grade
from xinren.lab.selectors import report_limits
from xinren.orders.choices import OrderStatus, RefundStatus
from xinren.orders.models import OrderLine
from xinren.reviews.choices import FlagStatus, ReviewStatus
from xinren.reviews.models import Flag, Review
from xinren.verification.choices import CredentialStatus
from xinren.verification.models import Credential

from ..selectors import labels_evaluate

UPHELD = (Outcome.APPROVE, Outcome.PARTIAL)


def _age_days(now: dt.datetime, then: dt.datetime) -> float:
    return round(max((now - then).total_seconds(), 0.0) / 86400, 3)


def counted_reviews() -> QuerySet[Review]:
    """Verified-purchase reviews still shown, without an open or upheld integrity flag."""
    flagged = Flag.objects.filter(review=OuterRef("pk")).filter(Q(status=FlagStatus.OPEN) | Q(upheld=True))
    return Review.objects.filter(verified_purchase=True, status=ReviewStatus.VISIBLE).exclude(Exists(flagged))


def category_mean(category: str) -> float | None:
    mean = counted_reviews().filter(product__category=category).aggregate(mean=Avg("stars"))["mean"]
    return None if mean is None else round(float(mean), 3)


def merchant_credit(merchant_id: int) -> dict[str, Any]:
    """The merchant's record the credit component reads (open suspensions are per product: added by the caller)."""
    evaluation = RiskEvaluation.objects.filter(organization_id=merchant_id).order_by("-evaluated_at", "-pk").first()
    deposit = (
        Account.objects.filter(organization_id=merchant_id, kind=AccountKind.MERCHANT_DEPOSIT)
        .values_list("balance_fen", flat=True)
        .first()
    )
    return {
        "qualifications": Credential.objects.filter(
            organization_id=merchant_id, status=CredentialStatus.VERIFIED
        ).count(),
        "on_probation": Probation.objects.filter(
            organization_id=merchant_id, status__in=[ProbationStatus.ACTIVE, ProbationStatus.EXTENDED]
        ).exists(),
        "risk_band": None if evaluation is None else str(evaluation.band),
        "deposit_fen": int(deposit or 0),
        "insured": InsuranceSubscription.objects.filter(merchant_id=merchant_id).exists(),
    }


def _lab_reports(product: Product, now: dt.datetime) -> list[dict[str, Any]]:
    reports = (
        LabReport.objects.filter(batch__product=product, sampled_at__lte=plausible.latest())
        .select_related("batch__product")
        .prefetch_related("measurements")
        .order_by("sampled_at", "pk")
    )
    found = []
    for report in reports:
        try:
            limits = report_limits(report=report)
            grades = [
                indicator_grade(limit=limits[m.indicator], value=None if m.not_detected else m.value)
                for m in report.measurements.all()
            ]
        except (DomainError, KeyError):
            continue  # graded with a table we no longer hold: it shows no scorecard, so it counts for nothing
        if grades:
            found.append({"report": str(report.report_id), "stars": overall_grade(grades),
                          "age_days": _age_days(now, report.sampled_at)})  # fmt: skip
    return found


def _coldchain(product: Product) -> dict[str, int]:
    kept = broken = 0
    for batch in Batch.objects.filter(product=product, coldchain_legs__isnull=False).distinct():
        for result in promise_results_for_batch(batch=batch):
            kept += result.kept
            broken += result.broken
    return {
        "legs": Leg.objects.filter(batch__product=product).count(),
        "excursions": Excursion.objects.filter(leg__batch__product=product).count(),
        "kept": kept,
        "broken": broken,
    }


def _labels(product: Product) -> list[str]:
    batch = product.batches.order_by("-created_at", "-pk").first()
    return sorted(labels_evaluate(product=product, batch=batch).earned_codes)


def _aftersales(product: Product) -> dict[str, Any]:
    orders = (
        OrderLine.objects.filter(product=product, order__status=OrderStatus.DELIVERED)
        .values("order_id").distinct().count()
    )  # fmt: skip
    requests = AfterSaleRequest.objects.filter(line__product=product)
    upheld = requests.filter(decisions__outcome__in=UPHELD).values("order_id").distinct().count()
    lost = (
        requests.filter(
            escalated_at__isnull=False,
            decisions__decided_by=DecidedBy.OPERATOR,
            decisions__outcome__in=UPHELD,
        )
        .values("pk").distinct().count()
    )  # fmt: skip
    hours = [
        (refunded - created).total_seconds() / 3600
        for created, refunded in requests.filter(refund__status=RefundStatus.SUCCEEDED).values_list(
            "created_at", "refund__updated_at"
        )
    ]
    return {
        "orders_delivered": orders,
        "claims_upheld": upheld,
        "refund_hours_median": None if not hours else round(statistics.median(hours), 2),
        "disputes_lost": lost,
    }


def _reviews(product: Product, now: dt.datetime) -> list[dict[str, Any]]:
    rows = counted_reviews().filter(product=product).values_list("consumer_id", "stars", "created_at", "quality__score")
    return [
        {"buyer": str(consumer), "stars": stars, "age_days": _age_days(now, created), "quality": quality}
        for consumer, stars, created, quality in rows.order_by("created_at", "pk")
    ]


def product_inputs(
    product: Product,
    *,
    now: dt.datetime | None = None,
    category_means: dict[str, float | None] | None = None,
    credits: dict[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Everything the formula reads about one product, as JSON (the caches are shared across a batch)."""
    now = now or clock.now()
    category_means = {} if category_means is None else category_means
    credits = {} if credits is None else credits
    if product.category not in category_means:
        category_means[product.category] = category_mean(product.category)
    if product.merchant_id not in credits:
        credits[product.merchant_id] = merchant_credit(product.merchant_id)
    credit = {
        **credits[product.merchant_id],
        "open_suspensions": ListingSuspension.objects.filter(product=product, lifted_at__isnull=True).count(),
    }
    return {
        "lab_reports": _lab_reports(product, now),
        "labels": _labels(product),
        "coldchain": _coldchain(product),
        "reviews": _reviews(product, now),
        "category_mean": category_means[product.category],
        **_aftersales(product),
        "credit": credit,
    }


def products_inputs(products: Iterable[Product], *, now: dt.datetime | None = None) -> dict[int, dict[str, Any]]:
    """The inputs of many products, sharing the category means and merchant records among them."""
    now = now or clock.now()
    category_means: dict[str, float | None] = {}
    credits: dict[int, dict[str, Any]] = {}
    return {
        product.pk: product_inputs(product, now=now, category_means=category_means, credits=credits)
        for product in products
    }


__all__ = ["product_inputs", "products_inputs"]
