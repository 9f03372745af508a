"""API routes of the reviews context (mounted by the lead at /api/v1/reviews).

Consumers post reviews, diary entries and responses to folds with their browser session: consumers have no
organization, so the API's `Actor` schemes cannot express them; `accounts.authentication.ConsumerSession`
authenticates a signed-in consumer (a user with a phone) and hands the `User` to the handler, with the same CSRF
rule as the console.
Merchants reply and operators fold with an API key or a session (the API's default schemes). The list of a
product's reviews is public.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from xinren.accounts.authentication import CONSUMER, actor_of, consumer_of
from xinren.core.schemas import ERRORS, PageIn, page
from xinren.evidence.api import upload_bytes

from . import selectors, services
from .choices import FlagStatus

router = Router(tags=["reviews"])


class SellerRatingsIn(Schema):
    description: int = Field(description="描述相符, 1–5", examples=[5])
    service: int = Field(description="服务态度, 1–5", examples=[5])
    logistics: int = Field(description="物流服务, 1–5", examples=[4])


class ReviewFieldsIn(Schema):
    line_id: int = Field(description="the id of one of the caller's delivered order lines")
    stars: int = Field(description="1–5; cannot be changed afterwards", examples=[5])
    text: str = Field(examples=["菌子很新鲜，炒肉特别香。"])
    tags: list[str] = Field(default_factory=list, examples=[["新鲜", "包装好"]])


class ReviewIn(ReviewFieldsIn):
    seller_ratings: SellerRatingsIn | None = Field(
        default=None, description="the detailed seller ratings, each 1–5 (signed with the review; fixed afterwards)"
    )


class ReviewMultipartIn(ReviewFieldsIn):
    """A multipart form is flat: the detailed seller ratings as three fields, all three or none."""

    rating_description: int | None = Field(default=None, description="描述相符, 1–5")
    rating_service: int | None = Field(default=None, description="服务态度, 1–5")
    rating_logistics: int | None = Field(default=None, description="物流服务, 1–5")

    def review_fields(self) -> dict[str, Any]:
        """What the review service takes: the ratings gathered (None when none was sent)."""
        fields = self.model_dump()
        ratings = {name: fields.pop(f"rating_{name}") for name in ("description", "service", "logistics")}
        given = {name: value for name, value in ratings.items() if value is not None}
        return {**fields, "seller_ratings": given or None}


class TextIn(Schema):
    text: str


class DiaryIn(Schema):
    milestone: int = Field(description="7, 15 or 30 (days after delivery)")
    text: str


class FoldIn(Schema):
    reason: str = Field(description="the public reason shown with the folded review", examples=["含有他人电话号码"])


class DiaryOut(Schema):
    milestone: int
    text: str
    created_at: datetime
    ledger_leaf_hash: str


class ReplyOut(Schema):
    text: str
    replied_at: datetime
    ledger_leaf_hash: str


class ReviewMediaOut(Schema):
    kind: str = Field(description="image or video")
    sha256: str
    thumbnail: str = Field(description="URL of a thumbnail (a poster frame for a video)")
    display: str = Field(description="URL of the display-size picture, or of the video")


class ReviewOut(Schema):
    id: int
    reviewer: str = Field(description="pseudonymous reviewer id, as signed (never a phone or a name)")
    reviewer_name: str = Field(
        description="how pages name the reviewer: the chosen nickname masked (王**), or a default name (信任用户 3F**)"
    )
    stars: int
    text: str
    tags: list[str]
    seller_ratings: dict[str, int] | None = Field(
        default=None,
        description="描述相符/服务态度/物流服务 as signed ({description, service, logistics}); null before asked",
    )
    verified_purchase: bool
    created_at: datetime
    folded: bool
    fold_reason: str
    author_response: str
    ledger_leaf_hash: str
    media: list[ReviewMediaOut] = Field(description="photos and video in upload order; their SHA-256 are signed")
    diary: list[DiaryOut]
    reply: ReplyOut | None


class RatingOut(Schema):
    count: int
    average: float | None
    distribution: dict[int, int]
    folded: int


class ProductReviewsOut(Schema):
    rating: RatingOut
    count: int
    limit: int
    offset: int
    items: list[ReviewOut]


class FlagOut(Schema):
    id: int
    reason: str
    review_id: int | None
    merchant_id: int | None
    details: dict[str, Any]
    status: str
    created_at: datetime
    upheld: bool | None
    resolution_note: str


class ReviewPageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReviewOut]


class FlagResolveIn(Schema):
    upheld: bool = Field(description="true: the review stays folded; false: a false alarm, the review may be shown")
    note: str


def _review(review_id: int) -> dict[str, Any]:
    return selectors.review_public(selectors.review_public_get(review_id=review_id))


@router.post("", response={201: ReviewOut, **ERRORS}, auth=CONSUMER, summary="Review a delivered order line")
def review_post(request: HttpRequest, payload: ReviewIn) -> Any:
    review = services.review_post(consumer=consumer_of(request), **payload.model_dump())
    return Status(201, _review(review.pk))


@router.post(
    "/with-media", response={201: ReviewOut, **ERRORS}, auth=CONSUMER,
    summary="Review a delivered order line with photos and a video (multipart)",
)
def review_post_with_media(
    request: HttpRequest, payload: Form[ReviewMultipartIn],
    media: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """The same review as `POST /reviews`, sent as multipart/form-data with up to 9 photos and 1 video under
    `media` (repeat the field per file; `tags` likewise). Files go through the evidence pipeline: sniffed,
    metadata stripped, stored once by SHA-256, their digests signed in the review statement."""
    files = [(upload.name or "upload", upload_bytes(upload)) for upload in media or []]
    review = services.review_post(consumer=consumer_of(request), **payload.review_fields(), media=files)
    return Status(201, _review(review.pk))


@router.get(
    "/products/{product_id}", response={200: ProductReviewsOut, **ERRORS}, auth=None,
    summary="Public: a product's reviews (folded ones with their reason) and its rating",
)
def product_reviews(request: HttpRequest, product_id: int, params: Query[PageIn]) -> Any:
    result = page(selectors.product_review_list(product_id=product_id), params)
    result["items"] = [selectors.review_public(review) for review in result["items"]]
    return {"rating": selectors.product_rating(product_id=product_id), **result}


@router.get("/merchant", response={200: ReviewPageOut, **ERRORS}, summary="Merchant: reviews of its products")
def merchant_review_list(request: HttpRequest, params: Query[PageIn]) -> Any:
    result = page(selectors.merchant_review_list(actor=actor_of(request)), params)
    result["items"] = [selectors.review_public(review) for review in result["items"]]
    return result


@router.post("/{review_id}/diary", response={201: DiaryOut, **ERRORS}, auth=CONSUMER, summary="Add a usage diary")
def diary_post(request: HttpRequest, review_id: int, payload: DiaryIn) -> Any:
    entry = services.diary_post(consumer=consumer_of(request), review_id=review_id, **payload.model_dump())
    return Status(201, entry)


@router.post(
    "/{review_id}/response", response={200: ReviewOut, **ERRORS}, auth=CONSUMER, summary="Answer a fold, once"
)
def review_respond(request: HttpRequest, review_id: int, payload: TextIn) -> Any:
    services.review_respond(consumer=consumer_of(request), review_id=review_id, text=payload.text)
    return _review(review_id)


@router.post("/{review_id}/reply", response={201: ReplyOut, **ERRORS}, summary="Merchant: reply publicly, once")
def reply_post(request: HttpRequest, review_id: int, payload: TextIn) -> Any:
    return Status(201, services.reply_post(actor=actor_of(request), review_id=review_id, text=payload.text))


@router.post("/{review_id}/fold", response={200: ReviewOut, **ERRORS}, summary="Operator: fold with a public reason")
def review_fold(request: HttpRequest, review_id: int, payload: FoldIn) -> Any:
    services.review_fold(actor=actor_of(request), review_id=review_id, reason=payload.reason)
    return _review(review_id)


@router.get("/flags", response={200: list[FlagOut], **ERRORS}, summary="Operator: integrity flags")
def flag_list(request: HttpRequest, status: FlagStatus | None = FlagStatus.OPEN) -> Any:
    return selectors.flag_list(actor=actor_of(request), status=status.value if status else "")


@router.post("/flags/{flag_id}/resolve", response={200: FlagOut, **ERRORS}, summary="Operator: decide a flag")
def flag_resolve(request: HttpRequest, flag_id: int, payload: FlagResolveIn) -> Any:
    return services.flag_resolve(actor=actor_of(request), flag_id=flag_id, **payload.model_dump())
