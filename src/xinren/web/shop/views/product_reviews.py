"""全部评价: a product's reviews with filter chips (有图, 追评, 差评, 好评, by star, by tag, 已折叠), the tags customers
use most ("大家都在说") and keyset pages (reviews.browse); and the reviews block of the shop's product page."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from xinren.catalog.choices import ProductStatus
from xinren.catalog.models import Product
from xinren.core.errors import InvalidInput
from xinren.reviews import browse
from xinren.reviews.browse import FilterCounts, ReviewFilter, TagCount
from xinren.reviews.section import review_row

from ..session import render_shop

# How many reviews the product page shows above "查看全部 N 条评价".
PRODUCT_PAGE_REVIEWS = 3


def chips_for(*, base: str, counts: FilterCounts, active: ReviewFilter | None) -> list[dict[str, Any]]:
    """The filter chips, each {label, count, url, active}; a chip with nothing behind it is left out (but 全部)."""
    specs: list[tuple[str, int, ReviewFilter]] = [
        (_("全部"), counts["all"], ReviewFilter()),
        (_("有图"), counts["media"], ReviewFilter(kind=browse.MEDIA)),
        (_("追评"), counts["diary"], ReviewFilter(kind=browse.DIARY)),
        (_("好评"), counts["good"], ReviewFilter(kind=browse.GOOD)),
        (_("差评"), counts["bad"], ReviewFilter(kind=browse.BAD)),
    ]
    specs += [
        (_("%(stars)d 星") % {"stars": stars}, counts["stars"][stars], ReviewFilter(kind=browse.STARS, stars=stars))
        for stars in range(5, 0, -1)
    ]
    specs.append((_("已折叠"), counts["folded"], ReviewFilter(kind=browse.FOLDED)))
    chips = [
        {"label": label, "count": count, "url": f"{base}{spec.query()}", "active": spec == active}
        for label, count, spec in specs
        if count or spec.kind == browse.ALL or spec == active
    ]
    return chips


def tag_chips(*, base: str, tags: list[TagCount], active: ReviewFilter | None) -> list[dict[str, Any]]:
    """大家都在说: the most used tags, each a link to its filter."""
    chips = []
    for row in tags:
        spec = ReviewFilter(kind=browse.TAG, tag=row["tag"])
        chips.append(
            {"label": row["tag"], "count": row["count"], "url": f"{base}{spec.query()}", "active": spec == active}
        )
    return chips


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id, status=ProductStatus.ACTIVE).select_related("merchant").first()
    if product is None:
        raise Http404(_("该商品不存在或暂不销售"))
    return product


@require_safe
def review_browse(request: HttpRequest, product_id: int) -> HttpResponse:
    """/shop/products/<id>/reviews/?f=media|diary|good|bad|stars|tag|folded&stars=N&tag=T&after=<cursor>"""
    product = _product(product_id)
    base = reverse("shop:product_reviews", args=[product.pk])
    error = None
    review_filter = ReviewFilter()
    page = None
    try:
        review_filter = browse.review_filter_parse(
            kind=request.GET.get("f", ""), stars=request.GET.get("stars", ""), tag=request.GET.get("tag", "")
        )
        page = browse.product_review_page(
            product_id=product.pk, review_filter=review_filter, after=request.GET.get("after", "")
        )
    except InvalidInput as exc:
        error = exc
    counts, rating = browse.product_review_summary(product_id=product.pk)
    tags = browse.product_top_tags(product_id=product.pk)
    context = {
        "product": product,
        "rating": rating,
        "counts": counts,
        "chips": chips_for(base=base, counts=counts, active=review_filter),
        "tags": tag_chips(base=base, tags=tags, active=review_filter),
        "review_filter": review_filter,
        "reviews": [review_row(review) for review in page.reviews] if page else [],
        "next_url": f"{base}{review_filter.query(after=page.next_cursor)}" if page and page.next_cursor else "",
        "first_url": f"{base}{review_filter.query()}",
        "paged": bool(request.GET.get("after")),
        "error": error,
    }
    response = render_shop(request, "shop/product_reviews.html", context, status=error.status if error else 200)
    if error is None and request.GET.get("after"):
        response["X-Robots-Tag"] = "noindex"  # deep pages: one indexable list per filter is enough
    return response


def product_reviews_block(*, product: Product) -> dict[str, Any]:
    """What the product page shows of its reviews: the rating, the chips, 大家都在说, the newest few and the link to
    all of them."""
    base = reverse("shop:product_reviews", args=[product.pk])
    counts, rating = browse.product_review_summary(product_id=product.pk)
    tags = browse.product_top_tags(product_id=product.pk)
    page = browse.product_review_page(product_id=product.pk, limit=PRODUCT_PAGE_REVIEWS)
    return {
        "url": base,
        "counts": counts,
        "rating": rating,
        "chips": chips_for(base=base, counts=counts, active=None),
        "tags": tag_chips(base=base, tags=tags, active=None),
        "reviews": [review_row(review) for review in page.reviews],
    }
