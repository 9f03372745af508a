"""'This is the item you bought': asked by the script on a published item page (public/_purchase.html).

The page is a static file shared by everyone, so it cannot know who is looking; this endpoint answers for the
signed-in consumer only, never caches, and tells anyone else at most the day the item was delivered (never the
order or the buyer), so that it cannot reveal who bought an item.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_safe

from xinren.accounts.consumers import is_consumer
from xinren.accounts.models import User
from xinren.aftersales.choices import OPEN_STATUSES, Kind
from xinren.aftersales.models import PER_LINE_MAX
from xinren.aftersales.selectors import consumer_request_list
from xinren.aftersales.services.eligibility import window_closes_at
from xinren.catalog.gs1 import digital_link_parse
from xinren.catalog.models import Item
from xinren.core import clock
from xinren.core.errors import InvalidInput
from xinren.orders.choices import OrderStatus
from xinren.orders.models import OrderLine
from xinren.orders.selectors import item_purchase_for_user, item_sold_on
from xinren.reviews.models import Review


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] += ", private"
    patch_vary_headers(response, ["Cookie"])
    return response


def _item_for_path(path: str) -> Item | None:
    try:
        link = digital_link_parse(path)
    except InvalidInput:
        return None
    if link.serial is None:
        return None
    items = Item.objects.select_related("batch").filter(product__gtin=link.gtin, serial=link.serial)
    if link.lot is not None:
        items = items.filter(batch__lot=link.lot)
    return items.first()


def _not_theirs(*, item: Item | None, consumer: bool) -> HttpResponse:
    """Anyone but the buyer learns only whether, and on which day, the item was delivered: a copied code scanned
    by many people then tells each of them that its item is already sold (码上放心-style)."""
    sold_on = item_sold_on(item=item) if item is not None else None
    if sold_on is not None:
        return _private(JsonResponse({"bought": False, "sold_on": sold_on.isoformat()}))
    return _private(JsonResponse({"bought": False}) if consumer else HttpResponse(status=204))


def _aftersale(*, user: User, line: OrderLine) -> tuple[str | None, bool]:
    """Where "申请售后" leads for the buyer: the request still open on the line (True), else the form prefilled
    with the line while a request can still be opened (the claims' window, the longest); else nowhere."""
    order = line.order
    if order.status != OrderStatus.DELIVERED or order.delivered_at is None:
        return None, False
    requests = list(consumer_request_list(consumer=user).filter(line=line).values_list("reference", "status"))
    open_ = next((reference for reference, status in requests if status in OPEN_STATUSES), None)
    if open_ is not None:
        return reverse("shop:aftersale_detail", kwargs={"reference": open_}), True
    if len(requests) >= PER_LINE_MAX or clock.now() >= window_closes_at(
        kind=Kind.DAMAGED, delivered_at=order.delivered_at
    ):
        return None, False
    return reverse("shop:aftersale_new", kwargs={"number": order.number}) + f"?line={line.pk}", False


@require_safe
def purchased(request: HttpRequest) -> HttpResponse:
    """{"bought": true, "order", "delivered_at", "order_url", "review_url", "reviewed", "aftersale_url",
    "aftersale_open"} for the buyer of the item at `path`;
    {"bought": false, "sold_on": "YYYY-MM-DD"} for anyone else once the item was delivered; otherwise
    {"bought": false} for another consumer and 204 without a consumer session."""
    user = request.user
    item = _item_for_path(request.GET.get("path", ""))
    if not is_consumer(user):
        return _not_theirs(item=item, consumer=False)
    assert isinstance(user, User)
    line = item_purchase_for_user(user=user, item=item) if item is not None else None
    if line is None:
        return _not_theirs(item=item, consumer=True)
    order = line.order
    review = Review.objects.filter(line=line).only("pk").first()
    if review is not None:
        review_url = reverse("shop:review_detail", kwargs={"review_id": review.pk})
    elif order.status == OrderStatus.DELIVERED:
        review_url = reverse("shop:review_create", kwargs={"line_id": line.pk})
    else:
        review_url = None
    aftersale_url, aftersale_open = _aftersale(user=user, line=line)
    return _private(
        JsonResponse(
            {
                "bought": True,
                "order": order.number,
                "delivered_at": order.delivered_at.isoformat() if order.delivered_at else None,
                "order_url": reverse("shop:order_detail", kwargs={"number": order.number}),
                "review_url": review_url,
                "reviewed": review is not None,
                "aftersale_url": aftersale_url,
                "aftersale_open": aftersale_open,
            },
            json_dumps_params={"ensure_ascii": False},
        )
    )
