"""`{% shop_product_reviews product %}`: the reviews block of the shop's product page (rating, filter chips,
大家都在说, the newest reviews, "查看全部 N 条评价") and its schema.org JSON-LD (Product with Offer and
AggregateRating). A tag rather than view context, so that the product page's view needs no change for it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from xinren.catalog.models import Product
from xinren.core.origin import public_url
from xinren.reviews.section import jsonld_for, product_offer

from ..shop.views.product_reviews import product_reviews_block

register = template.Library()


@register.inclusion_tag("shop/_product_reviews_block.html")
def shop_product_reviews(product: Product) -> dict[str, Any]:
    url = public_url(reverse("shop:product_detail", args=[product.pk]))
    block = product_reviews_block(product=product)
    return {
        **block,
        "jsonld": jsonld_for(product=product, rating=block["rating"], reviews=block["reviews"],
                             offer=product_offer(product), url=url),
    }
