"""Photos and a video on a review go through the evidence pipeline; their SHA-256 are signed in the review."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from xinren.core.errors import DomainError
from xinren.evidence.models import MediaFile
from xinren.reviews.models import Review, ReviewMedia
from xinren.reviews.services import review_post

from ..fixtures.accounts import browser_of
from ..fixtures.reviews import line_delivered, statement_of

pytestmark = pytest.mark.django_db
RATINGS = {"rating_description": "5", "rating_service": "5", "rating_logistics": "5"}


def picture(colour: tuple[int, int, int], fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format=fmt)
    return buffer.getvalue()


def test_photos_are_stored_linked_in_order_and_signed_in_the_statement(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    review = review_post(consumer=consumer, line_id=line.pk, stars=5, text="实拍如图", media=[
        ("a.jpg", picture((200, 30, 30))), ("b.png", picture((30, 200, 30), "PNG")),
    ])
    # then
    files = [row.media for row in ReviewMedia.objects.filter(review=review).select_related("media")]
    assert [file.kind for file in files] == ["image", "image"]
    assert statement_of(review.ledger_leaf_hash)["media"] == [file.sha256 for file in files]


def test_more_than_nine_photos_are_refused_and_nothing_is_written(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    photos = [(f"{n}.jpg", picture((n * 20, 10, 10))) for n in range(10)]
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="照片太多", media=photos)
    # then
    assert (refused.value.code, refused.value.details["field"]) == ("review.media_limit", "photos")
    assert Review.objects.count() == 0 and ReviewMedia.objects.count() == 0


def test_a_file_that_is_not_a_picture_is_refused_in_the_form(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    fake = SimpleUploadedFile("photo.jpg", b"this is not a picture at all", content_type="image/jpeg")
    # when
    response = browser_of(consumer).post(
        f"/shop/lines/{line.pk}/review/", {"stars": "4", "text": "附图", "tags": "", "photos": [fake], **RATINGS}
    )
    # then
    assert response.status_code == 422
    assert Review.objects.count() == 0 and MediaFile.objects.count() == 0


def test_photos_uploaded_in_the_shop_show_as_thumbnails_on_the_product_page(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    photos = [SimpleUploadedFile(f"{n}.jpg", picture((40 * n, 90, 60)), content_type="image/jpeg") for n in range(3)]
    # when
    posted = browser_of(consumer).post(
        f"/shop/lines/{line.pk}/review/", {"stars": "5", "text": "三张实拍", "tags": "实拍", "photos": photos,
                                           **RATINGS}
    )
    # then
    assert posted.status_code == 302
    review = Review.objects.get()
    files = [row.media for row in review.media.select_related("media")]
    assert len(files) == 3
    html = Client().get(f"/01/{product_on_sale.gtin}").content.decode()
    for file in files:  # as <picture>: AVIF and WebP sources, a JPEG fallback
        assert f"/media/evidence/variants/{file.sha256}-64w.avif 64w" in html
        assert f'src="/media/evidence/variants/{file.sha256}-64w.jpg"' in html
    own = browser_of(consumer).get(f"/shop/reviews/{review.pk}/").content.decode()
    assert f"/media/evidence/variants/{files[0].sha256}-64w.webp 64w" in own


def test_the_api_takes_a_review_with_photos_as_multipart(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    photos = [SimpleUploadedFile(name, picture(colour), content_type="image/jpeg")
              for name, colour in (("a.jpg", (200, 30, 30)), ("b.jpg", (30, 30, 200)))]  # fmt: skip
    # when
    response = browser_of(consumer).post("/api/v1/reviews/with-media", {
        "line_id": str(line.pk), "stars": "5", "text": "实拍两张", "tags": ["新鲜", "个头大"], "media": photos,
    })  # fmt: skip
    # then
    assert response.status_code == 201, response.content
    review = Review.objects.get()
    files = [row.media for row in ReviewMedia.objects.filter(review=review).select_related("media")]
    assert [file.kind for file in files] == ["image", "image"]
    assert (review.stars, review.text, review.tags) == (5, "实拍两张", ["新鲜", "个头大"])
    assert statement_of(review.ledger_leaf_hash)["media"] == [file.sha256 for file in files]
    assert len(response.json()["media"]) == 2


def test_the_api_refuses_a_file_that_is_not_a_picture_and_writes_nothing(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    fake = SimpleUploadedFile("photo.jpg", b"this is not a picture at all", content_type="image/jpeg")
    # when
    response = browser_of(consumer).post("/api/v1/reviews/with-media", {
        "line_id": str(line.pk), "stars": "4", "text": "附图", "media": [fake],
    })  # fmt: skip
    # then
    assert response.status_code == 422, response.content
    assert response.json()["details"]["field"] == "photos"
    assert Review.objects.count() == 0 and MediaFile.objects.count() == 0
