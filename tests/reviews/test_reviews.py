"""Posting a verified review: only for a delivered line of one's own order, once, signed by the platform."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from xinren.accounts.choices import Role
from xinren.accounts.consumers import consumer_public_id
from xinren.attest.models import SigningKey
from xinren.attest.registry import statement_type_get
from xinren.core.errors import DomainError
from xinren.ledger.store.models import PendingEntry
from xinren.reviews.choices import ReviewStatus
from xinren.reviews.models import Review
from xinren.reviews.services import review_post
from xinren.reviews.statements import purchase_commitment, purchase_opening

from ..factories import actor_for
from ..fixtures.reviews import line_delivered, line_through_flow, statement_of

pytestmark = pytest.mark.django_db


def test_a_delivered_line_is_reviewed_and_signed_by_the_platform(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale)
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
        product_on_sale.pk, product_on_sale.merchant_id, consumer_public_id(consumer),
    )
    platform_key = SigningKey.objects.get(organization=platform)
    assert PendingEntry.objects.get(leaf_hash=bytes.fromhex(review.ledger_leaf_hash)).signer_key_id == (
        platform_key.key_id
    )
    statement = statement_of(review.ledger_leaf_hash)
    assert {key: statement[key] for key in statement if key != "time"} == {
        "type": "review",
        "subject": f"{settings.XINREN_RESOLVER}/01/{product_on_sale.gtin}",
        "reviewer": consumer_public_id(consumer),
        "order_line": {"gtin": product_on_sale.gtin},
        "purchase": purchase_commitment(salt=review.purchase_salt, order=line.order.number,
                                        delivered_at=line.order.delivered_at),
        "merchant": f"org:{product_on_sale.merchant_id}",
        "verified_purchase": True,
        "stars": 5,
        "text": "菌子很新鲜，炒肉特别香。",
        "tags": ["新鲜", "包装好"],
        "media": [],
    }


def test_the_statement_carries_no_personal_data(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale)
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


def test_the_statement_commits_to_the_order_and_delivery_time_without_publishing_them(
        platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale)
    order = line.order
    assert order.delivered_at is not None
    # when
    review = review_post(consumer=consumer, line_id=line.pk, stars=4, text="还不错，下次再买。")
    # then: neither the order number nor the delivery time is in the logged bytes
    raw = bytes(PendingEntry.objects.get(leaf_hash=bytes.fromhex(review.ledger_leaf_hash)).envelope)
    payload = json.loads(base64.b64decode(json.loads(raw)["payload"]))
    text = json.dumps(payload, ensure_ascii=False)
    for secret in (order.number, order.delivered_at.isoformat()):
        assert secret not in text
    assert "order" not in payload["order_line"] and "delivered_at" not in payload
    # and the buyer or the platform proves it from the row's salt, which only fits the true values
    review.refresh_from_db()
    assert review.purchase_salt is not None and len(review.purchase_salt) == 64
    assert payload["purchase"] == hashlib.sha256(
        f"{review.purchase_salt}\n{order.number}\n{order.delivered_at.isoformat()}".encode()).hexdigest()
    assert payload["purchase"] != purchase_commitment(salt=review.purchase_salt, order=order.number + "1",
                                                      delivered_at=order.delivered_at)
    assert payload["purchase"] != purchase_commitment(salt="0" * 64, order=order.number,
                                                      delivered_at=order.delivered_at)
    assert purchase_opening(review) == {"salt": review.purchase_salt, "order": order.number,
                                        "delivered_at": order.delivered_at.isoformat(),
                                        "commitment": payload["purchase"]}


def test_reviews_signed_before_the_commitment_stay_valid(platform):
    # given: a statement of the first form, with the order number and delivery time in clear
    old = {
        "type": "review", "subject": "https://id.example/01/06901234567892", "time": "2026-05-01T10:00:00+08:00",
        "reviewer": "c-abc", "order_line": {"order": "XR2026050100001", "gtin": "06901234567892"},
        "merchant": "org:7", "verified_purchase": True, "delivered_at": "2026-04-28T09:00:00+08:00", "stars": 5,
        "text": "好", "tags": [], "media": [],
    }
    # when / then: the registry still accepts it
    statement_type_get("review").check(old, signer_kind="platform")


def test_a_line_not_yet_received_cannot_be_reviewed(platform, consumer, product_on_sale):
    # given
    line = line_through_flow(consumer, product_on_sale, deliver=False)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="还没收到先评价")
    # then
    assert (refused.value.code, refused.value.status) == ("order_line.not_delivered", 409)
    assert Review.objects.count() == 0


def test_a_line_is_reviewed_once(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    first = review_post(consumer=consumer, line_id=line.pk, stars=2, text="有几朵坏了。")
    pending = PendingEntry.objects.count()
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="改成好评")
    # then
    assert (refused.value.code, refused.value.status) == ("review.already_reviewed", 409)
    assert list(Review.objects.values_list("pk", "stars", "text")) == [(first.pk, 2, "有几朵坏了。")]
    assert PendingEntry.objects.count() == pending


def test_someone_elses_order_line_is_not_found(platform, consumer, other_consumer, product_on_sale):
    # given
    line = line_delivered(other_consumer, product_on_sale)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=1, text="恶意差评")
    # then
    assert (refused.value.code, refused.value.status) == ("order_line.not_found", 404)
    assert Review.objects.count() == 0


def test_an_organization_member_is_not_a_consumer(platform, merchant, product_on_sale, consumer):
    # given
    line = line_delivered(consumer, product_on_sale)
    staff = actor_for(merchant, Role.STAFF).user
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=staff, line_id=line.pk, stars=5, text="自己给自己好评")
    # then
    assert refused.value.code == "consumer.required"
    assert Review.objects.count() == 0


@pytest.mark.parametrize("stars", [0, 6, -1, True])
def test_stars_outside_one_to_five_are_refused(platform, consumer, product_on_sale, stars):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=stars, text="星级不对")
    # then
    assert (refused.value.code, refused.value.details) == ("review.invalid", {"field": "stars"})
    assert Review.objects.count() == 0


@pytest.mark.parametrize(("text", "tags", "field"), [(" ", [], "text"), ("好" * 2001, [], "text"),
                                                     ("不错不错", ["一二三四五六七八九十一二三"], "tags"),
                                                     ("不错不错", ["a", "b", "c", "d", "e", "f", "g"], "tags")])
def test_bad_text_or_tags_are_refused(platform, consumer, product_on_sale, text, tags, field):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=3, text=text, tags=tags)
    # then
    assert (refused.value.code, refused.value.details) == ("review.invalid", {"field": field})
    assert Review.objects.count() == 0


def test_without_a_platform_organization_nothing_is_posted(consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when
    with pytest.raises(DomainError) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=5, text="平台还没建好")
    # then
    assert (refused.value.code, refused.value.status) == ("review.platform_missing", 503)
    assert (Review.objects.count(), PendingEntry.objects.count()) == (0, 0)


def test_the_database_refuses_to_change_stars_or_text(platform, consumer, product_on_sale):
    # given: no service edits a review; the database guards it against anyone who tries
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="太差了")
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(stars=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(text="太好了")
    assert Review.objects.values_list("stars", "text").get(pk=review.pk) == (1, "太差了")


def test_the_database_refuses_stars_out_of_range(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(line=line, consumer=consumer, product=product_on_sale, merchant=product_on_sale.merchant,
                              reviewer="u0", stars=6, text="六星", ledger_leaf_hash="0" * 64,
                              created_at=line.order.delivered_at)
    assert Review.objects.count() == 0


def test_reviews_cannot_be_deleted(platform, consumer, product_on_sale):
    # given
    review = review_post(consumer=consumer, line_id=line_delivered(consumer, product_on_sale).pk, stars=1,
                         text="太差了")
    # when / then
    with pytest.raises(DomainError) as one:
        review.delete()
    with pytest.raises(DomainError) as many:
        Review.objects.filter(pk=review.pk).delete()
    assert one.value.code == many.value.code == "review.delete_refused"
    assert Review.objects.filter(pk=review.pk).exists()
