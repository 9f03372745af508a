"""Posting a verified review: only for a delivered line of one's own order, once, signed by the platform."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from xinren.accounts.choices import Role
from xinren.accounts.consumers import consumer_public_id
from xinren.attest.models import SigningKey
from xinren.core.errors import DomainError
from xinren.ledger.store.models import PendingEntry
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import Review
from xinren.reviews.services import review_post

from ..factories import actor_for
from .conftest import line_delivered, line_through_flow, statement_of

pytestmark = pytest.mark.django_db


def test_a_delivered_line_is_reviewed_and_signed_by_the_platform(platform, consumer, product):
    # given
    line = line_through_flow(consumer, product)
    # when
    review = review_post(
        consumer=consumer, line_id=line.pk, stars=5, text="菌子很新鲜，炒肉特别香。", tags=["新鲜", "包装好"]
    )
    # then
    review.refresh_from_db()
    assert (review.stars, review.text, review.tags, review.verified_purchase, review.status) == (
        5, "菌子很新鲜，炒肉特别香。", ["新鲜", "包装好"], True, ReviewStatus.VISIBLE,
    )
    assert (review.product_id, review.merchant_id, review.reviewer) == (
        product.pk, product.merchant_id, consumer_public_id(consumer),
    )
    platform_key = SigningKey.objects.get(organization=platform)
    assert PendingEntry.objects.get(leaf_hash=bytes.fromhex(review.ledger_leaf_hash)).signer_key_id == (
        platform_key.key_id
    )
    statement = statement_of(review.ledger_leaf_hash)
    assert {key: statement[key] for key in statement if key not in ("time", "delivered_at")} == {
        "type": "review",
        "subject": f"{settings.XINREN_RESOLVER}/01/{product.gtin}",
        "reviewer": consumer_public_id(consumer),
        "order_line": {"order": line.order.number, "gtin": product.gtin},
        "merchant": f"org:{product.merchant_id}",
        "verified_purchase": True,
        "stars": 5,
        "text": "菌子很新鲜，炒肉特别香。",
        "tags": ["新鲜", "包装好"],
        "media": [],
    }


def test_the_statement_carries_no_personal_data(platform, consumer, product):
    # given
    line = line_through_flow(consumer, product)
    order = line.order
    # when
    review = review_post(consumer=consumer, line_id=line.pk, stars=4, text="还不错，下次再买。")
    # then
    raw = bytes(PendingEntry.objects.get(leaf_hash=bytes.fromhex(review.ledger_leaf_hash)).envelope).decode()
    payload = str(statement_of(review.ledger_leaf_hash))
    for personal in (consumer.phone, consumer.display_name, consumer.username, order.recipient_name,
                     order.recipient_phone, order.shipping_address):
        assert personal not in payload
        assert personal not in raw


def test_a_line_not_yet_received_cannot_be_reviewed(platform, consumer, product):
    # given
    line = line_through_flow(consumer, product, deliver=False)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="还没收到先评价")
    # then
    assert (refused.value.code, refused.value.status) == ("order_line.not_delivered", 409)
    assert Review.objects.count() == 0


def test_a_line_is_reviewed_once(platform, consumer, product):
    # given
    line = line_delivered(consumer, product)
    first = review_post(consumer=consumer, line_id=line.pk, stars=2, text="有几朵坏了。")
    pending = PendingEntry.objects.count()
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="改成好评")
    # then
    assert (refused.value.code, refused.value.status) == ("review.already_reviewed", 409)
    assert list(Review.objects.values_list("pk", "stars", "text")) == [(first.pk, 2, "有几朵坏了。")]
    assert PendingEntry.objects.count() == pending


def test_someone_elses_order_line_is_not_found(platform, consumer, other_consumer, product):
    # given
    line = line_delivered(other_consumer, product)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=1, text="恶意差评")
    # then
    assert (refused.value.code, refused.value.status) == ("order_line.not_found", 404)
    assert Review.objects.count() == 0


def test_an_organization_member_is_not_a_consumer(platform, merchant, product, consumer):
    # given
    line = line_delivered(consumer, product)
    staff = actor_for(merchant, Role.STAFF).user
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=staff, line_id=line.pk, stars=5, text="自己给自己好评")
    # then
    assert refused.value.code == "consumer.required"
    assert Review.objects.count() == 0


@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_stars_outside_one_to_five_are_refused(platform, consumer, product, stars):
    # given
    line = line_delivered(consumer, product)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=stars, text="星级不对")
    # then
    assert (refused.value.code, refused.value.details) == ("review.invalid", {"field": "stars"})
    assert Review.objects.count() == 0


@pytest.mark.parametrize(("text", "tags", "field"), [(" ", [], "text"), ("好" * 2001, [], "text"),
                                                     ("不错不错", ["一二三四五六七八九十一二三"], "tags"),
                                                     ("不错不错", ["a", "b", "c", "d", "e", "f", "g"], "tags")])
def test_bad_text_or_tags_are_refused(platform, consumer, product, text, tags, field):
    # given
    line = line_delivered(consumer, product)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=3, text=text, tags=tags)
    # then
    assert (refused.value.code, refused.value.details) == ("review.invalid", {"field": field})
    assert Review.objects.count() == 0


def test_without_a_platform_organization_nothing_is_posted(consumer, product):
    # given
    line = line_delivered(consumer, product)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="平台还没建好")
    # then
    assert (refused.value.code, refused.value.status) == ("review.platform_missing", 503)
    assert (Review.objects.count(), PendingEntry.objects.count()) == (0, 0)


def test_the_database_refuses_to_change_stars_or_text(platform, consumer, product):
    # given: no service edits a review; the database guards it against anyone who tries
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=1, text="太差了")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(stars=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(text="太好了")
    assert Review.objects.values_list("stars", "text").get(pk=review.pk) == (1, "太差了")


def test_the_database_refuses_stars_out_of_range(platform, consumer, product):
    # given
    line = line_delivered(consumer, product)
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(line=line, consumer=consumer, product=product, merchant=product.merchant,
                              reviewer="u0", stars=6, text="六星", ledger_leaf_hash="0" * 64,
                              created_at=line.order.delivered_at)
    assert Review.objects.count() == 0


def test_reviews_cannot_be_deleted(platform, consumer, product):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product).pk, stars=1, text="太差了")
    # when / then
    with pytest.raises(DomainError) as one:
        review.delete()
    with pytest.raises(DomainError) as many:
        Review.objects.filter(pk=review.pk).delete()
    assert one.value.code == many.value.code == "review.delete_refused"
    assert Review.objects.filter(pk=review.pk).exists()
