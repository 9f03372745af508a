"""Background tasks of the trust scores (ADR 0013): refresh a product's score when one of its inputs changes.

Subscribed in `TrustConfig.ready` to the events of the contexts below (reviews, orders, after-sales, lab reports,
cold chain, listing suspensions, credentials, governance, deposits and insurance); a merchant-wide change refreshes
every product of the merchant. The daily `trust-scores-refresh` job is the safety net.
"""

from __future__ import annotations

from xinren.aftersales.models.requests import AfterSaleDecision
from xinren.catalog.models import Product
from xinren.core.tasks import background
from xinren.lab.models import LabReport
from xinren.orders.models import OrderLine, Refund
from xinren.reviews.models import Review

from .services import (
    product_score_refresh,
    product_score_review_added,
    products_scores_refresh,
    scores_counting,
    scores_publish_pending,
    scores_recompute,
)


def _refresh(product_ids: list[int], *, xact: int | None = None) -> int:
    """Refresh these products' scores: those not already gathered after transaction `xact` (the one that asked for
    the refresh) committed. A burst of decisions or refunds on one product asks for one refresh each; the first to
    run sees them all, the others find it done (`scores_counting`). How many were refreshed."""
    done = scores_counting(product_ids=product_ids, xact=xact) if xact is not None else set()
    wanted = [pk for pk in product_ids if pk not in done]
    for product in Product.objects.filter(pk__in=wanted).select_related("merchant"):
        product_score_refresh(product)
    return len(wanted)


@background(attempts=5)
def score_after_review_task(*, review_id: int, **_: object) -> int:
    """A review was posted, diaried, folded or unfolded: refresh its product's score (a newly posted review is
    folded into the stored score, `product_score_review_added`)."""
    if product_score_review_added(review_id=review_id) is not None:
        return 1
    return _refresh(list(Review.objects.filter(pk=review_id).values_list("product_id", flat=True)))


@background(attempts=5)
def score_after_decision_task(*, decision_id: int, xact: int | None = None, **_: object) -> int:
    """An after-sale request or claim was decided (in transaction `xact`): refresh the product of its order line,
    unless a refresh has seen the decision already."""
    ids = AfterSaleDecision.objects.filter(pk=decision_id).values_list("request__line__product_id", flat=True)
    return _refresh(list(ids), xact=xact)


@background(attempts=5)
def score_after_order_task(*, order_id: int, **_: object) -> int:
    """An order was delivered: its products have one more order to count."""
    return _refresh(list(OrderLine.objects.filter(order_id=order_id).values_list("product_id", flat=True).distinct()))


@background(attempts=5)
def score_after_refund_task(*, refund_id: int, xact: int | None = None, **_: object) -> int:
    """A refund was paid (in transaction `xact`): the refund speed of the refunded products changed, unless a
    refresh has seen the refund already."""
    order_ids = Refund.objects.filter(pk=refund_id).values_list("payment__order_id", flat=True)
    ids = OrderLine.objects.filter(order_id__in=list(order_ids)).values_list("product_id", flat=True).distinct()
    return _refresh(list(ids), xact=xact)


@background(attempts=5)
def score_after_lab_report_task(*, report_id: int, **_: object) -> int:
    """A lab report was recorded on a lot: its product's quality component reads it."""
    return _refresh(list(LabReport.objects.filter(pk=report_id).values_list("batch__product_id", flat=True)))


@background(attempts=5)
def score_after_products_task(*, product_ids: list[int], **_: object) -> int:
    """Something measured about these products changed (cold chain, listing suspensions): refresh them."""
    return products_scores_refresh(product_ids=[int(pk) for pk in product_ids])


@background(attempts=5)
def score_after_merchant_task(*, organization_id: int, **_: object) -> int:
    """A merchant-wide input changed (probation, risk band, suspension, credential, deposit, insurance): refresh
    every product of the merchant, in batches."""
    ids = Product.objects.filter(merchant_id=organization_id).values_list("pk", flat=True)
    return products_scores_refresh(product_ids=list(ids))


@background(attempts=3, backoff=300)
def trust_scores_refresh_task() -> int:
    """Periodic (daily): recompute every product's score under the current formula. How many."""
    return scores_recompute()


@background(attempts=3, backoff=60)
def trust_scores_publish_task() -> int:
    """Periodic (every minute): sign the scores that reviews' quick refreshes stored, and judge them for
    delisting (`scores_publish_pending`). How many."""
    return scores_publish_pending()
