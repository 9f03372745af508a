"""The near-duplicate check by MinHash LSH bands (ADR 0011): band rows written with each review, candidates looked
up by band, the same verdicts as comparing every review."""

from __future__ import annotations

import datetime as dt
import importlib
import random

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinren.core import clock
from xinren.core.errors import Conflict, DomainError
from xinren.reviews import integrity, minhash
from xinren.reviews.choices import FlagReason, ReviewStatus
from xinren.reviews.models import Flag, Review, ReviewBand
from xinren.reviews.services import review_bands_prune, review_post
from xinren.reviews.services import reviews as review_services

from ..fixtures.accounts import consumer_new
from ..fixtures.reviews import line_delivered

pytestmark = pytest.mark.django_db

ORIGINAL = "这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会回购！"
NEAR_COPY = "这款牛肝菌非常新鲜，个头饱满，炒出来特别香，家里老人孩子都爱吃，下次还会再回购！！"
DIFFERENT = "快递有点慢，第三天才到，不过包装很结实，菌子没有压坏，味道一般般，价格偏贵。"
PHRASES = ["包装很严实", "冰袋还没化", "个头均匀", "味道浓", "有点压坏", "物流三天到", "能看到采摘时间", "炒肉香",
           "泡了两泡还有味道", "冷藏了几天还新鲜", "分量足", "价格稍贵", "和描述一致", "孩子喜欢", "口感特别"]


def _post(consumer, product, text: str, *, at: dt.datetime | None = None) -> Review:  # type: ignore[no-untyped-def]
    return review_post(consumer=consumer, line_id=line_delivered(consumer, product, delivered_at=at).pk, stars=5,
                       text=text)


def _bands(review: Review) -> list[tuple[int, int, int, dt.datetime]]:
    return list(
        ReviewBand.objects.filter(review=review).order_by("band").values_list("band", "hash", "consumer_id",
                                                                             "created_at")
    )


# -- band hashes -----------------------------------------------------------------------------------------------------


def test_band_hashes_are_stable_sixteen_bands_in_signed_64_bit_range():
    # given
    signature = list(range(128))
    # when
    bands = minhash.band_hashes(signature)
    # then
    assert [band for band, _value in bands] == list(range(16))
    assert bands[0] == (0, 698818113121856088)
    assert bands[1] == (1, 6316397443560566213)
    assert bands[15] == (15, 777821546948976055)
    assert all(0 <= value < 2**63 for _band, value in bands)
    real = minhash.band_hashes(minhash.signature(ORIGINAL))
    assert len(real) == 16 and all(0 <= value < 2**63 for _band, value in real)
    assert minhash.band_hashes(minhash.signature(ORIGINAL)) == real


def test_a_short_text_has_no_bands():
    assert minhash.band_hashes(minhash.signature("很好，很满意")) == []
    assert minhash.band_hashes([]) == []


# -- band rows written by review_post -------------------------------------------------------------------------------


def test_posting_a_review_writes_its_sixteen_band_rows(platform, consumer, product_on_sale):
    # when
    review = _post(consumer, product_on_sale, ORIGINAL)
    # then
    expected = [(band, value, consumer.pk, review.created_at)
                for band, value in minhash.band_hashes(minhash.signature(ORIGINAL))]
    assert _bands(review) == expected
    assert len(expected) == 16


def test_a_short_review_writes_no_band_rows(platform, consumer, product_on_sale):
    # when
    review = _post(consumer, product_on_sale, "很好，很满意")
    # then
    assert review.minhash == []
    assert ReviewBand.objects.count() == 0


def test_band_rows_are_written_even_with_the_checks_off(platform, consumer, product_on_sale, settings):
    # given
    settings.XINREN_REVIEW_CHECKS = False
    # when
    review = _post(consumer, product_on_sale, ORIGINAL)
    # then
    assert len(_bands(review)) == 16


def test_a_post_refused_as_a_second_review_of_the_line_writes_no_band_rows(platform, consumer, product_on_sale):
    # given
    line = line_delivered(consumer, product_on_sale)
    first = review_post(consumer=consumer, line_id=line.pk, stars=5, text=ORIGINAL)
    # when
    with pytest.raises(Conflict) as refused:
        review_post(consumer=consumer, line_id=line.pk, stars=4, text=DIFFERENT)
    # then
    assert refused.value.code == "review.already_reviewed"
    assert ReviewBand.objects.count() == 16
    assert set(ReviewBand.objects.values_list("review_id", flat=True)) == {first.pk}


def test_a_post_failing_after_the_band_rows_rolls_them_back_with_the_review(platform, consumer, product_on_sale,
                                                                            monkeypatch):
    # given: a failure after the band rows were written, inside review_post's transaction
    def failing_audit(**_kwargs: object) -> None:
        raise DomainError("test.failed", "失败")

    monkeypatch.setattr(review_services, "audit_record", failing_audit)
    # when
    with pytest.raises(DomainError):
        _post(consumer, product_on_sale, ORIGINAL)
    # then
    assert Review.objects.count() == 0
    assert ReviewBand.objects.count() == 0


# -- the lookup ------------------------------------------------------------------------------------------------------


def test_a_near_copy_by_another_account_is_found_through_the_bands(platform, product_on_sale):
    # given
    original = _post(consumer_new(), product_on_sale, ORIGINAL)
    # when
    copy = _post(consumer_new(), product_on_sale, NEAR_COPY)
    # then
    duplicate = integrity.near_duplicate(review=copy, now=clock.now())
    assert duplicate is not None
    assert duplicate.review_id == original.pk
    assert duplicate.similarity == minhash.similarity(original.minhash, copy.minhash)
    assert duplicate.similarity >= 0.8
    flag = Flag.objects.get()
    assert (flag.reason, flag.review_id, flag.details["similar_to"]) == (
        FlagReason.NEAR_DUPLICATE, copy.pk, original.pk,
    )
    assert Review.objects.get(pk=copy.pk).status == ReviewStatus.FOLDED


def test_an_exact_copy_of_the_newest_of_two_identical_reviews_points_at_the_newest(platform, product_on_sale,
                                                                                   monkeypatch):
    # given: the same text posted by two accounts, an hour apart (the second is itself flagged)
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start - dt.timedelta(hours=1))
    _post(consumer_new(), product_on_sale, ORIGINAL)
    monkeypatch.setattr(clock, "now", lambda: start)
    newest = _post(consumer_new(), product_on_sale, ORIGINAL)
    probe = Review(minhash=minhash.signature(ORIGINAL), consumer_id=-1)
    # when
    duplicate = integrity.near_duplicate(review=probe, now=start)
    # then
    assert duplicate == integrity.Duplicate(review_id=newest.pk, similarity=1.0)


def test_the_same_accounts_own_copies_are_ignored(platform, consumer, product_on_sale):
    # given
    _post(consumer, product_on_sale, ORIGINAL)
    # when
    copy = _post(consumer, product_on_sale, NEAR_COPY)
    # then
    assert integrity.near_duplicate(review=copy, now=clock.now()) is None
    assert Flag.objects.count() == 0
    assert ReviewBand.objects.count() == 32


def test_an_unrelated_text_is_not_found(platform, product_on_sale):
    # given
    _post(consumer_new(), product_on_sale, ORIGINAL)
    # when
    other = _post(consumer_new(), product_on_sale, DIFFERENT)
    # then
    assert integrity.near_duplicate(review=other, now=clock.now()) is None
    assert Flag.objects.count() == 0
    assert Review.objects.get(pk=other.pk).status == ReviewStatus.VISIBLE


def test_reviews_older_than_the_lookback_are_ignored(platform, product_on_sale, monkeypatch):
    # given: the original posted 31 days ago
    start = clock.now()
    old_at = start - integrity.DUPLICATE_LOOKBACK - dt.timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: old_at)
    _post(consumer_new(), product_on_sale, ORIGINAL, at=old_at)
    monkeypatch.setattr(clock, "now", lambda: start)
    # when
    copy = _post(consumer_new(), product_on_sale, NEAR_COPY)
    # then
    assert integrity.near_duplicate(review=copy, now=start) is None
    assert Flag.objects.count() == 0
    assert Review.objects.get(pk=copy.pk).status == ReviewStatus.VISIBLE


def test_a_review_just_inside_the_lookback_is_still_found(platform, product_on_sale, monkeypatch):
    # given: the original posted 29 days ago
    start = clock.now()
    at = start - integrity.DUPLICATE_LOOKBACK + dt.timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: at)
    original = _post(consumer_new(), product_on_sale, ORIGINAL, at=at)
    monkeypatch.setattr(clock, "now", lambda: start)
    # when
    copy = _post(consumer_new(), product_on_sale, NEAR_COPY)
    # then
    assert Flag.objects.get().details["similar_to"] == original.pk
    assert Review.objects.get(pk=copy.pk).status == ReviewStatus.FOLDED


def test_pruning_drops_only_band_rows_older_than_the_lookback(platform, product_on_sale, monkeypatch):
    # given: reviews posted 45, 31 and 29 days ago (band rows in posting order)
    start = clock.now()
    posted = []
    for days, text in ((45, DIFFERENT), (31, "，".join(PHRASES[:8])), (29, ORIGINAL)):
        at = start - dt.timedelta(days=days)
        monkeypatch.setattr(clock, "now", lambda at=at: at)
        posted.append(_post(consumer_new(), product_on_sale, text, at=at))
    monkeypatch.setattr(clock, "now", lambda: start)
    # when, in batches smaller than a review's 16 rows
    removed = review_bands_prune(batch=5)
    # then: the two older reviews lose their index rows and nothing else changes
    assert removed == 32
    assert [ReviewBand.objects.filter(review=r).count() for r in posted] == [0, 0, 16]
    assert Review.objects.count() == 3
    # and the check still finds the review inside the window; a second prune finds nothing
    copy = _post(consumer_new(), product_on_sale, NEAR_COPY)
    assert Flag.objects.get().details["similar_to"] == posted[2].pk
    assert Review.objects.get(pk=copy.pk).status == ReviewStatus.FOLDED
    assert review_bands_prune() == 0


def test_the_lookup_is_one_query_whatever_the_number_of_stored_reviews(platform, product_on_sale, settings):
    # given
    settings.XINREN_REVIEW_CHECKS = False
    rng = random.Random(5)
    probe = Review(minhash=minhash.signature(ORIGINAL), consumer_id=-1)
    _post(consumer_new(), product_on_sale, NEAR_COPY)
    counts = []
    for _round in range(2):
        # when
        with CaptureQueriesContext(connection) as queries:
            found = integrity.near_duplicate(review=probe, now=clock.now())
        counts.append(len(queries))
        assert found is not None
        for _n in range(15):
            _post(consumer_new(), product_on_sale, "，".join(rng.sample(PHRASES,
                                                                       5)) + f"，第{rng.randint(1, 99)}次买。")
    # then
    assert Review.objects.count() == 31
    assert counts == [1, 1]


def test_an_empty_signature_needs_no_query(platform):
    # given
    probe = Review(minhash=[], consumer_id=-1)
    # when
    with CaptureQueriesContext(connection) as queries:
        found = integrity.near_duplicate(review=probe, now=clock.now())
    # then
    assert (found, len(queries)) == (None, 0)


def test_the_band_lookup_gives_the_same_verdicts_as_comparing_every_review(platform, product_on_sale, settings):
    # given: 40 texts from a small phrase pool (many overlap), checks off so that nothing is folded meanwhile
    settings.XINREN_REVIEW_CHECKS = False
    rng = random.Random(11)
    for _n in range(40):
        _post(consumer_new(), product_on_sale, "，".join(rng.sample(PHRASES, rng.randint(3, 7))) + "。")
    stored = list(Review.objects.values_list("pk", "minhash"))
    probes = ["，".join(rng.sample(PHRASES, rng.randint(3, 7))) + "。" for _n in range(20)]
    probes += [Review.objects.get(pk=pk).text + "！" for pk, signature in stored[:12] if signature]
    found = 0
    for text in probes:
        signature = minhash.signature(text)
        # when
        verdict = integrity.near_duplicate(review=Review(minhash=signature, consumer_id=-1), now=clock.now())
        # then
        scan = max((minhash.similarity(signature, other) for _pk, other in stored), default=0.0)
        if scan >= integrity.DUPLICATE_THRESHOLD:
            # LSH may in principle miss a pair at 0.8 (5%); at these similarities it does not
            assert verdict is not None and verdict.similarity == scan
            found += 1
        else:
            assert verdict is None
    assert found >= 11


# -- the migration's backfill ----------------------------------------------------------------------------------------


def test_the_backfill_writes_the_bands_of_reviews_posted_before_the_index(platform, product_on_sale):
    # given: two reviews and a short one whose band rows do not exist (as before migration 0004)
    first = _post(consumer_new(), product_on_sale, ORIGINAL)
    second = _post(consumer_new(), product_on_sale, DIFFERENT)
    short = _post(consumer_new(), product_on_sale, "很好，很满意")
    expected = {review.pk: _bands(review) for review in (first, second)}
    ReviewBand.objects.all().delete()
    migration = importlib.import_module("xinren.reviews.migrations.0004_review_band")
    # when
    done = migration.backfill(django_apps, None)
    # then
    assert done == 2
    assert {review.pk: _bands(review) for review in (first, second)} == expected
    assert _bands(short) == []
    assert ReviewBand.objects.count() == 32


def test_the_backfill_walks_reviews_in_chunks(platform, product_on_sale, monkeypatch, settings):
    # given
    settings.XINREN_REVIEW_CHECKS = False
    reviews = [_post(consumer_new(), product_on_sale, f"{text}，第{n}次买。") for n, text in
               enumerate([ORIGINAL, DIFFERENT, NEAR_COPY, ORIGINAL, DIFFERENT])]
    ReviewBand.objects.all().delete()
    migration = importlib.import_module("xinren.reviews.migrations.0004_review_band")
    monkeypatch.setattr(migration, "CHUNK", 2)
    # when
    done = migration.backfill(django_apps, None)
    # then
    assert done == 5
    assert sorted(set(ReviewBand.objects.values_list("review_id", flat=True))) == sorted(r.pk for r in reviews)
    assert ReviewBand.objects.count() == 80
