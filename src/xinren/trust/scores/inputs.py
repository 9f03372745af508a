"""Gather one product's score inputs (or many products') from the contexts below trust, as a plain JSON dict.

Ages are in days before `now`, so that the formula (`formula.py`) stays a pure function of the stored inputs.
`products_inputs` reads a batch of products with one grouped query per kind of input (see its docstring), so a
full recompute costs a few queries per batch plus the per-lot rules (labels, promises).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet

from xinren.aftersales.choices import CLAIM_KINDS, DecidedBy, Outcome
from xinren.aftersales.fund.choices import AccountKind
from xinren.aftersales.models.fund import Account, InsuranceSubscription
from xinren.aftersales.models.requests import AfterSaleRequest
from xinren.catalog.models import Batch, ListingSuspension, Product
from xinren.coldchain.models import Excursion, Leg, Promise
from xinren.coldchain.status import promise_results_for_batch
from xinren.core import clock, plausible
from xinren.core.errors import DomainError
from xinren.evidence.models import Evidence
from xinren.governance.models.probation import Probation, ProbationStatus
from xinren.governance.models.risk import RiskEvaluation
from xinren.lab.models import LabReport
from xinren.lab.scorecard import indicator_grade, overall_grade
from xinren.lab.selectors import report_limits
from xinren.orders.choices import OrderStatus, RefundStatus
from xinren.orders.models import OrderLine
from xinren.reviews.choices import FlagStatus, ReviewStatus
from xinren.reviews.models import Flag, Review
from xinren.trace.models import EventSubject
from xinren.verification.choices import CredentialStatus
from xinren.verification.models import Credential

from ..models import CategoryMean
from ..selectors import labels_evaluate

UPHELD = (Outcome.APPROVE, Outcome.PARTIAL)
CATEGORY_MEAN_TTL = dt.timedelta(minutes=10)


def age_days(now: dt.datetime, then: dt.datetime) -> float:
    return round(max((now - then).total_seconds(), 0.0) / 86400, 3)


def counted_reviews() -> QuerySet[Review]:
    """Verified-purchase reviews still shown, without an open or upheld integrity flag."""
    flagged = Flag.objects.filter(review=OuterRef("pk")).filter(Q(status=FlagStatus.OPEN) | Q(upheld=True))
    return Review.objects.filter(verified_purchase=True, status=ReviewStatus.VISIBLE).exclude(Exists(flagged))


def category_mean(category: str) -> float | None:
    mean = counted_reviews().filter(product__category=category).aggregate(mean=Avg("stars"))["mean"]
    return None if mean is None else round(float(mean), 3)


def category_means(categories: Iterable[str], *, exact: bool = False) -> dict[str, float | None]:
    """The categories' means: exact (one grouped scan of the counted reviews, written to the cache) or, for a
    single refresh, the cached mean when younger than CATEGORY_MEAN_TTL. A cached mean may miss the reviews of the
    last few minutes, a prior of hundreds of thousands of reviews that one more review barely moves; the next full
    recompute (daily, or `trust_scores_recompute`) writes every mean exactly again."""
    wanted = sorted(set(categories))
    now = clock.now()
    found: dict[str, float | None] = {}
    if not exact:
        fresh = CategoryMean.objects.filter(category__in=wanted, computed_at__gte=now - CATEGORY_MEAN_TTL)
        found = dict(fresh.values_list("category", "mean"))
    missing = [category for category in wanted if category not in found]
    if missing:
        rows = (
            counted_reviews()
            .filter(product__category__in=missing)
            .values("product__category")
            .annotate(mean=Avg("stars"))
            .values_list("product__category", "mean")
        )
        computed = {category: round(float(mean), 3) for category, mean in rows if mean is not None}
        for category in missing:
            found[category] = computed.get(category)
            CategoryMean.objects.update_or_create(
                category=category, defaults={"mean": found[category], "computed_at": now}
            )
    return found


def merchants_credit(merchant_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """`merchant_credit` of many merchants, one grouped query per kind of record."""
    ids = sorted(set(merchant_ids))
    bands: dict[int, str] = {}
    evaluations = (
        RiskEvaluation.objects.filter(organization_id__in=ids)
        .order_by("organization_id", "evaluated_at", "pk")
        .values_list("organization_id", "band")
    )
    for organization_id, band in evaluations:
        bands[organization_id] = str(band)  # the latest, by evaluated_at then pk, wins
    deposits: dict[int, int] = {}
    for organization_id, balance in (
        Account.objects.filter(organization_id__in=ids, kind=AccountKind.MERCHANT_DEPOSIT)
        .order_by("-pk")
        .values_list("organization_id", "balance_fen")
    ):
        deposits[organization_id] = int(balance or 0)  # the first (lowest pk) row wins, as .first() read it
    qualifications = _counts(
        Credential.objects.filter(organization_id__in=ids, status=CredentialStatus.VERIFIED), "organization_id", "pk"
    )
    on_probation = set(
        Probation.objects.filter(
            organization_id__in=ids, status__in=[ProbationStatus.ACTIVE, ProbationStatus.EXTENDED]
        ).values_list("organization_id", flat=True)
    )
    insured = set(InsuranceSubscription.objects.filter(merchant_id__in=ids).values_list("merchant_id", flat=True))
    return {
        pk: {
            "qualifications": qualifications.get(pk, 0),
            "on_probation": pk in on_probation,
            "risk_band": bands.get(pk),
            "deposit_fen": deposits.get(pk, 0),
            "insured": pk in insured,
        }
        for pk in ids
    }


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


def _lab_reports(ids: list[int], now: dt.datetime) -> dict[int, list[dict[str, Any]]]:
    """Each report's overall stars (the lowest indicator's) and age, by product, for every lot of these products."""
    reports = (
        LabReport.objects.filter(batch__product_id__in=ids, sampled_at__lte=plausible.latest())
        .select_related("batch__product")
        .prefetch_related("measurements")
        .order_by("sampled_at", "pk")
    )
    found: dict[int, list[dict[str, Any]]] = {}
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
            found.setdefault(report.batch.product_id, []).append(
                {"report": str(report.report_id), "stars": overall_grade(grades),
                 "age_days": age_days(now, report.sampled_at)}
            )  # fmt: skip
    return found


def _counts(queryset: QuerySet[Any], key: str, field: str) -> dict[int, int]:
    rows = queryset.values(key).annotate(n=Count(field, distinct=True)).values_list(key, "n")
    return {int(product_id): int(n) for product_id, n in rows}


def _coldchain(ids: list[int]) -> dict[int, dict[str, int]]:
    """Legs and excursions counted per product in two queries; promises measured per lot (ADR 0036) only for the
    products that make one."""
    legs = _counts(Leg.objects.filter(batch__product_id__in=ids), "batch__product_id", "pk")
    excursions = _counts(Excursion.objects.filter(leg__batch__product_id__in=ids), "leg__batch__product_id", "pk")
    promising = set(Promise.objects.filter(product_id__in=ids, active=True).values_list("product_id", flat=True))
    kept: dict[int, int] = {}
    broken: dict[int, int] = {}
    for batch in Batch.objects.filter(product_id__in=promising).order_by("pk"):
        for result in promise_results_for_batch(batch=batch):
            kept[batch.product_id] = kept.get(batch.product_id, 0) + result.kept
            broken[batch.product_id] = broken.get(batch.product_id, 0) + result.broken
    return {
        pk: {"legs": legs.get(pk, 0), "excursions": excursions.get(pk, 0), "kept": kept.get(pk, 0),
             "broken": broken.get(pk, 0)}
        for pk in ids
    }  # fmt: skip


def _latest_batches(ids: list[int]) -> dict[int, Batch]:
    """Each product's latest lot, in one query (the lots of a product are few)."""
    latest: dict[int, Batch] = {}
    for batch in Batch.objects.filter(product_id__in=ids).order_by("product_id", "created_at", "pk"):
        latest[batch.product_id] = batch
    return latest


def _without_label_evidence(products: list[Product], latest: dict[int, Batch]) -> set[int]:
    """The products whose rules can earn nothing, so that the per-product rules are skipped for them: without a
    lot every lot-bound label lacks, and without evidence on the product (or on an event naming it) or any
    credential of the merchant the three product-wide labels (handmade, organic, geographical indication) lack."""
    bare = [p for p in products if p.pk not in latest]
    ids = [p.pk for p in bare]
    with_evidence = set(Evidence.objects.filter(product_id__in=ids).values_list("product_id", flat=True))
    with_evidence |= set(EventSubject.objects.filter(product_id__in=ids).values_list("product_id", flat=True))
    holders = set(
        Credential.objects.filter(organization_id__in={p.merchant_id for p in bare}).values_list(
            "organization_id", flat=True
        )
    )
    return {p.pk for p in bare if p.pk not in with_evidence and p.merchant_id not in holders}


def _labels(product: Product, batch: Batch | None) -> list[str]:
    """The labels the product's latest lot earns now (the rules read each lot's evidence: one product at a time)."""
    return sorted(labels_evaluate(product=product, batch=batch).earned_codes)


def _aftersales(ids: list[int]) -> dict[int, dict[str, Any]]:
    delivered = OrderLine.objects.filter(product_id__in=ids, order__status=OrderStatus.DELIVERED)
    orders = _counts(delivered, "product_id", "order_id")
    requests = AfterSaleRequest.objects.filter(line__product_id__in=ids)
    # A claim (damaged, counterfeit, quality, missing, late) decided for the buyer; a no-reason return is no claim.
    claims = requests.filter(kind__in=sorted(CLAIM_KINDS), decisions__outcome__in=UPHELD)
    upheld = _counts(claims, "line__product_id", "order_id")
    lost = _counts(
        requests.filter(
            escalated_at__isnull=False, decisions__decided_by=DecidedBy.OPERATOR, decisions__outcome__in=UPHELD
        ),
        "line__product_id",
        "pk",
    )
    hours: dict[int, list[float]] = {}
    refunded = requests.filter(refund__status=RefundStatus.SUCCEEDED).values_list(
        "line__product_id", "created_at", "refund__updated_at"
    )
    for product_id, created, paid in refunded:
        hours.setdefault(product_id, []).append((paid - created).total_seconds() / 3600)
    return {
        pk: {
            "orders_delivered": orders.get(pk, 0),
            "claims_upheld": upheld.get(pk, 0),
            "refund_hours_median": round(statistics.median(hours[pk]), 2) if hours.get(pk) else None,
            "disputes_lost": lost.get(pk, 0),
        }
        for pk in ids
    }


def _reviews(ids: list[int], now: dt.datetime) -> dict[int, list[dict[str, Any]]]:
    rows = (
        counted_reviews()
        .filter(product_id__in=ids)
        .order_by("created_at", "pk")
        .values_list("product_id", "consumer_id", "stars", "created_at", "quality__score")
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for product_id, consumer, stars, created, quality in rows:
        found.setdefault(product_id, []).append(
            {"buyer": str(consumer), "stars": stars, "age_days": age_days(now, created), "quality": quality}
        )
    return found


def products_inputs(
    products: Iterable[Product],
    *,
    now: dt.datetime | None = None,
    means: dict[str, float | None] | None = None,
) -> dict[int, dict[str, Any]]:
    """The inputs of many products: reviews, orders, claims, lab reports, legs, suspensions, latest lots and the
    merchants' records in one grouped query each; the category means given (a full recompute computes them once,
    exactly) or cached (`category_means`); labels and promise results per product (their rules read each lot)."""
    now = now or clock.now()
    products = list(products)
    ids = [product.pk for product in products]
    categories = {product.category for product in products}
    if means is None or not categories <= set(means):
        means = category_means(categories)
    credits = merchants_credit(p.merchant_id for p in products)
    latest = _latest_batches(ids)
    bare = _without_label_evidence(products, latest)
    suspended = _counts(
        ListingSuspension.objects.filter(product_id__in=ids, lifted_at__isnull=True), "product_id", "pk"
    )
    lab, reviews, aftersales, cold = _lab_reports(ids, now), _reviews(ids, now), _aftersales(ids), _coldchain(ids)
    return {
        product.pk: {
            "lab_reports": lab.get(product.pk, []),
            "labels": [] if product.pk in bare else _labels(product, latest.get(product.pk)),
            "coldchain": cold[product.pk],
            "reviews": reviews.get(product.pk, []),
            "category_mean": means[product.category],
            **aftersales[product.pk],
            "credit": {**credits[product.merchant_id], "open_suspensions": suspended.get(product.pk, 0)},
        }
        for product in products
    }


def product_inputs(product: Product, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the formula reads about one product, as JSON."""
    return products_inputs([product], now=now)[product.pk]
