"""The reviews section of the consumer pages, and the schema.org JSON-LD of the product page (docs/adr/0008).

The full section (summary, histogram, the latest reviews with photos, diaries, replies and folds) is drawn only on
the product page /01/<gtin14>: one file per product, cheap to publish again after every review. Batch and item
pages carry a link to it, so that a review never rewrites the thousands of item pages of a product.

Everything returned is plain JSON (strings, numbers, lists): the section also travels in the story JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, NotRequired

from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import timezone
from typing_extensions import TypedDict

from xinren.catalog.models import Batch, Product
from xinren.core.money import fen_to_yuan
from xinren.core.origin import public_url
from xinren.orders.models import CURRENCY, Offer
from xinren.orders.selectors import shop_offer_list
from xinren.orders.stock import availability_of

from .choices import ReviewStatus
from .models import DiaryEntry, Review, ReviewMedia
from .selectors import Rating, ReviewMediaData, media_public, product_rating, review_display_name

LATEST = 10
JSONLD_REVIEWS = 10


class DiaryLine(TypedDict, closed=True):
    milestone: int  # days after delivery: 7, 15 or 30
    date: str
    text: str


class ReviewReply(TypedDict, closed=True):
    text: str
    replied_at: str
    date: str
    after_hours: int


class ReviewRow(TypedDict, closed=True):
    """One review as the product page shows it (folded ones collapsed, never hidden)."""

    id: int
    reviewer: str  # the reviewer's masked nickname or default name (accounts.nicknames.reviewer_name)
    stars: int
    date: str
    datetime: str
    text: str
    tags: list[str]
    verified_purchase: bool
    photos: list[ReviewMediaData]
    videos: list[ReviewMediaData]
    folded: bool
    fold_reason: str
    author_response: str
    diary: list[DiaryLine]
    reply: ReviewReply | None


class HistogramBar(TypedDict, closed=True):
    stars: int
    count: int
    percent: int


# schema.org JSON-LD: its keys start with "@", hence the functional form.
JsonLdName = TypedDict("JsonLdName", {"@type": str, "name": str}, closed=True)
JsonLdRating = TypedDict(
    "JsonLdRating", {"@type": str, "ratingValue": int, "bestRating": int, "worstRating": int}, closed=True
)
JsonLdAggregateRating = TypedDict(
    "JsonLdAggregateRating",
    {"@type": str, "ratingValue": float, "reviewCount": int, "bestRating": int, "worstRating": int},
    closed=True,
)
JsonLdReview = TypedDict(
    "JsonLdReview",
    {"@type": str, "author": JsonLdName, "datePublished": str, "reviewBody": str, "reviewRating": JsonLdRating},
    closed=True,
)
JsonLdOffer = TypedDict(
    "JsonLdOffer",
    {"@type": str, "price": str, "priceCurrency": str, "availability": str, "url": str, "seller": JsonLdName},
    closed=True,
)
ProductJsonLd = TypedDict(
    "ProductJsonLd",
    {
        "@context": str,
        "@type": str,
        "name": str,
        "gtin14": str,
        "brand": JsonLdName,
        "manufacturer": JsonLdName,
        "description": NotRequired[str],
        "offers": NotRequired[JsonLdOffer],
        "aggregateRating": NotRequired[JsonLdAggregateRating],
        "review": NotRequired[list[JsonLdReview]],
    },
    closed=True,
)


class ReviewsLink(TypedDict, closed=True):
    """The section on batch and item pages: a link to the product page's reviews."""

    link_only: Literal[True]
    url: str


class ReviewsSection(TypedDict, closed=True):
    """The section on the product page: summary, histogram, the latest reviews and their JSON-LD."""

    link_only: Literal[False]
    url: str
    all_url: str  # the shop's list of every review, with filters and pages (/shop/products/<id>/reviews/)
    count: int
    average: float | None
    average_stars: int
    folded: int
    total: int  # visible and folded
    histogram: list[HistogramBar]  # 5★ first
    reviews: list[ReviewRow]
    jsonld: ProductJsonLd


def _anchor(product: Product) -> str:
    return f"{product.digital_link.path}#reviews"


def _media(review: Review) -> list[ReviewMediaData]:
    return [media_public(row.media) for row in review.media.all()]


def _day(moment: datetime) -> str:
    # The day as the shopper lives it (the site's time zone, Asia/Shanghai), not the UTC date.
    return timezone.localtime(moment).date().isoformat()


def _reply_delay_hours(seconds: int) -> int:
    return max(1, round(seconds / 3600)) if seconds else 0


def review_row(review: Review) -> ReviewRow:
    """One review as pages show it (needs its reply, diary and media loaded, and best its reviewer's nickname)."""
    reply = getattr(review, "reply", None)
    media = _media(review)
    return {
        "id": review.pk,
        "reviewer": review_display_name(review),
        "stars": review.stars,
        "date": _day(review.created_at),
        "datetime": review.created_at.isoformat(),
        "text": review.text,
        "tags": list(review.tags),
        "verified_purchase": review.verified_purchase,
        "photos": [m for m in media if m["kind"] != "video"],
        "videos": [m for m in media if m["kind"] == "video"],
        "folded": review.status == ReviewStatus.FOLDED,
        "fold_reason": review.fold_reason,
        "author_response": review.author_response,
        "diary": [
            {"milestone": entry.milestone, "date": _day(entry.created_at), "text": entry.text}
            for entry in review.diary_entries.all()
        ],
        "reply": (
            {"text": reply.text, "replied_at": reply.replied_at.isoformat(),
             "date": _day(reply.replied_at), "after_hours": _reply_delay_hours(reply.reply_seconds)}
            if reply is not None else None
        ),
    }


def _histogram(distribution: dict[int, int], count: int) -> list[HistogramBar]:
    return [
        {"stars": stars, "count": distribution[stars],
         "percent": round(100 * distribution[stars] / count) if count else 0}
        for stars in range(5, 0, -1)
    ]


IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"


def offer_jsonld(*, offer: Offer | None, url: str) -> JsonLdOffer | None:
    """schema.org Offer of the product's active offer: the price in yuan as a string ("128.00"), CNY,
    InStock / OutOfStock from the units that can be sold now (orders.stock: stock, items that can still ship, shelf
    life), the shop page's URL and the seller. None when not for sale."""
    if offer is None:
        return None
    sellable = availability_of(offer).sellable
    return {
        "@type": "Offer",
        "price": fen_to_yuan(offer.price_fen),
        "priceCurrency": CURRENCY,
        "availability": IN_STOCK if sellable > 0 else OUT_OF_STOCK,
        "url": url,
        "seller": {"@type": "Organization", "name": offer.merchant.name},
    }


def shop_url(product: Product) -> str:
    """The absolute URL of the product's shop page on the platform's public origin (core.origin, ADR 0019), for
    JSON-LD written into published pages (the shop page itself passes the URL it was asked for)."""
    return public_url(f"/shop/products/{product.pk}/")


def product_offer(product: Product) -> Offer | None:
    """The product's active offer, if it is for sale now (orders.selectors.shop_offer_list)."""
    return shop_offer_list().filter(product_id=product.pk).first()


def jsonld_for(
    *, product: Product, rating: Rating, reviews: list[ReviewRow], offer: Offer | None = None, url: str = ""
) -> ProductJsonLd:
    """schema.org Product with its Offer (when for sale), AggregateRating and up to 10 visible Reviews (author = the
    masked reviewer name)."""
    data: ProductJsonLd = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "gtin14": product.gtin,
        "brand": {"@type": "Brand", "name": product.merchant.name},
        "manufacturer": {"@type": "Organization", "name": product.merchant.name},
    }
    if product.description:
        data["description"] = product.description
    offers = offer_jsonld(offer=offer, url=url or shop_url(product))
    if offers is not None:
        data["offers"] = offers
    average = rating["average"]
    if rating["count"] and average is not None:  # the average of at least one review
        data["aggregateRating"] = {
            "@type": "AggregateRating", "ratingValue": average, "reviewCount": rating["count"],
            "bestRating": 5, "worstRating": 1,
        }
        visible: list[JsonLdReview] = [
            {
                "@type": "Review",
                "author": {"@type": "Person", "name": row["reviewer"]},
                "datePublished": row["date"],
                "reviewBody": row["text"],
                "reviewRating": {"@type": "Rating", "ratingValue": row["stars"], "bestRating": 5, "worstRating": 1},
            }
            for row in reviews if not row["folded"]
        ]
        data["review"] = visible[:JSONLD_REVIEWS]
    return data


def reviews_section(*, product: Product, batch: Batch | None) -> ReviewsLink | ReviewsSection:
    """The section: a link on batch and item pages, the full reviews on the product page.

    Both are there even before the first review (the product page then says that only buyers can review), so
    that no review ever changes a batch or item page: only the product page is published again.
    """
    if batch is not None:
        return {"link_only": True, "url": _anchor(product)}
    rating = product_rating(product_id=product.pk)
    latest = list(
        Review.objects.filter(product=product)
        .select_related("reply")
        .prefetch_related(
            Prefetch("diary_entries", queryset=DiaryEntry.objects.order_by("milestone", "id")),
            Prefetch("media", queryset=ReviewMedia.objects.select_related("media").order_by("position", "id")),
        )
        .annotate(reviewer_nickname=F("consumer__nickname"))
        .order_by("-created_at", "-id")[:LATEST]
    )
    rows = [review_row(review) for review in latest]
    return {
        "link_only": False,
        "url": _anchor(product),
        "all_url": reverse("shop:product_reviews", args=[product.pk]),
        "count": rating["count"],
        "average": rating["average"],
        "average_stars": round(rating["average"]) if rating["average"] is not None else 0,
        "folded": rating["folded"],
        "total": rating["count"] + rating["folded"],
        "histogram": _histogram(rating["distribution"], rating["count"]),
        "reviews": rows,
        "jsonld": jsonld_for(product=product, rating=rating, reviews=rows, offer=product_offer(product)),
    }
