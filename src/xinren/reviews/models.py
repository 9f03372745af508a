"""Verified reviews, usage diaries, merchant replies, folds, integrity flags and the author's notifications.

Nothing here is ever deleted (E-commerce Law art. 39): `Review` refuses deletion in Python, and its stars and
text are guarded against UPDATE by a database trigger (migration 0002). Every public fact is a signed ledger
statement whose leaf hash is kept on the row (`ledger_leaf_hash`).

Photos and a video go through the evidence pipeline (`evidence.services.media_ingest`: sniffed, stripped
of metadata, stored once by SHA-256); `ReviewMedia` links them to the review, and their SHA-256 are signed in the
review's own statement.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import Product
from xinren.core.errors import Conflict
from xinren.evidence.models import MediaFile
from xinren.orders.models import OrderLine

from . import errors
from .choices import FlagReason, FlagStatus, FoldSource, Milestone, ReviewStatus


def _delete_refused() -> Conflict:
    return Conflict(errors.DELETE_REFUSED, _("评价不能删除，只能折叠并说明理由"))


class ReviewQuerySet(models.QuerySet["Review"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        raise _delete_refused()


class Review(models.Model):
    """A consumer's review of one delivered order line: stars 1–5 and text, fixed once posted."""

    line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="review")
    consumer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="reviews")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="reviews")
    # The pseudonym shown and signed instead of anything personal (accounts.consumers.consumer_public_id).
    reviewer = models.CharField(_("评价人"), max_length=32)
    stars = models.PositiveSmallIntegerField(_("星级"))
    text = models.TextField(_("评价内容"))
    tags = models.JSONField(_("标签"), default=list, blank=True)
    # Set by the system from the delivered order, never by a merchant.
    verified_purchase = models.BooleanField(_("已验证购买"), default=True, editable=False)
    # The random salt of the statement's `purchase` commitment to the order number and delivery time (statements.
    # purchase_commitment): kept here, never published. Null for reviews signed before the commitment.
    purchase_salt = models.CharField(max_length=64, null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.VISIBLE)
    fold_reason = models.CharField(_("折叠理由"), max_length=200, blank=True)
    folded_at = models.DateTimeField(_("折叠时间"), null=True, blank=True)
    author_response = models.TextField(_("作者申辩"), blank=True)
    author_responded_at = models.DateTimeField(_("申辩时间"), null=True, blank=True)
    # MinHash signature of the text, kept so that new reviews compare against it without rehashing.
    minhash = models.JSONField(default=list, blank=True, editable=False)
    ledger_leaf_hash = LeafHashField(db_index=True)
    created_at = models.DateTimeField(_("评价时间"), db_index=True)
    # What the list's filters read (有图, 追评): derived, not signed. Set when the review is posted (photos or video)
    # and when its first diary entry is written. Nullable only so that adding them did not rebuild the SQLite table
    # (which would drop the signed-row triggers); migration 0007 filled them for earlier reviews.
    has_media = models.BooleanField(null=True, editable=False)
    has_diary = models.BooleanField(null=True, editable=False)
    # The detailed seller ratings (店铺动态评分, 1–5), asked from migration 0009 on and signed with the review
    # (`seller_ratings`); null on earlier reviews, which never had them. They feed the store trust index.
    rating_description = models.PositiveSmallIntegerField(_("描述相符"), null=True, blank=True)
    rating_service = models.PositiveSmallIntegerField(_("服务态度"), null=True, blank=True)
    rating_logistics = models.PositiveSmallIntegerField(_("物流服务"), null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="review_stars_1_to_5"),
            models.CheckConstraint(
                condition=(Q(rating_description__isnull=True) | Q(rating_description__gte=1, rating_description__lte=5))
                & (Q(rating_service__isnull=True) | Q(rating_service__gte=1, rating_service__lte=5))
                & (Q(rating_logistics__isnull=True) | Q(rating_logistics__gte=1, rating_logistics__lte=5)),
                name="review_seller_ratings_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "created_at"]),
            models.Index(fields=["consumer", "created_at"]),
            # The review list's keyset pages (selectors.product_review_page): newest first within a product's
            # visible (or folded) reviews, and the same with each filter column in front of the order.
            models.Index(fields=["product", "status", "created_at", "id"], name="review_list_page"),
            models.Index(fields=["product", "status", "has_media", "created_at", "id"], name="review_list_media"),
            models.Index(fields=["product", "status", "has_diary", "created_at", "id"], name="review_list_diary"),
            models.Index(fields=["product", "status", "stars", "created_at", "id"], name="review_list_stars"),
            # The chip counts and the rating in one GROUP BY read from this index alone (browse.product_review_summary).
            models.Index(fields=["product", "status", "stars", "has_media", "has_diary"], name="review_list_summary"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} {self.stars}★ {self.product_id}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise _delete_refused()


class ReviewBand(models.Model):
    """One LSH band of a review's MinHash signature (minhash.band_hashes): the index the near-duplicate check looks
    candidates up in. Written with the review, in the same transaction; never changed, and deleted once older
    than the window the check reads (services.review_bands_prune, hourly)."""

    # No index of its own: reviews are never deleted and bands are only ever read through review_band_lookup.
    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="bands", db_index=False)
    band = models.PositiveSmallIntegerField()
    # The top 63 bits of the band's hash, so it fits a signed bigint on every backend.
    hash = models.BigIntegerField()
    # Copied from the review so that the lookup filters by time and excludes the same account without a join.
    consumer_id = models.BigIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("评价相似度索引")
        verbose_name_plural = _("评价相似度索引")
        indexes = [models.Index(fields=["band", "hash", "created_at"], name="review_band_lookup")]

    def __str__(self) -> str:
        return f"{self.review_id} band {self.band}"


class ReviewTag(models.Model):
    """One tag of a review (its signed `tags`, one row each): the index the list's tag filter and "大家都在说" read.
    Written with the review; product, status and time are copied from it so that a tag page needs no join to
    order (`status` follows folds and unfolds, services.shared.review_changed)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="tag_rows", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", db_index=False)
    tag = models.CharField(_("标签"), max_length=24)
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.VISIBLE)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("评价标签")
        verbose_name_plural = _("评价标签")
        constraints = [models.UniqueConstraint(fields=["review", "tag"], name="review_tag_once")]
        indexes = [
            models.Index(fields=["product", "status", "tag", "created_at", "review"], name="review_tag_page"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} #{self.tag}"


class ReviewMedia(models.Model):
    """A photo or the video of a review, in upload order; the file itself lives in the evidence store."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="media")
    media = models.ForeignKey(MediaFile, on_delete=models.PROTECT, related_name="review_uses")
    position = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        verbose_name = _("评价图片与视频")
        verbose_name_plural = _("评价图片与视频")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="review_media_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} #{self.position}"


class DiaryInvitation(models.Model):
    """An invitation to add a usage diary (使用日记) to a review, 7, 15 or 30 days after delivery."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="diary_invitations")
    milestone = models.PositiveSmallIntegerField(_("节点"), choices=Milestone.choices)
    due_at = models.DateTimeField(_("到期时间"))
    created_at = models.DateTimeField(_("邀请时间"))
    answered_at = models.DateTimeField(_("回应时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("使用日记邀请")
        verbose_name_plural = _("使用日记邀请")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "milestone"], name="diary_invitation_once_per_milestone"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} day {self.milestone}"


class DiaryEntry(models.Model):
    """A usage diary entry attached to the original review: how the product held up after N days."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="diary_entries")
    milestone = models.PositiveSmallIntegerField(_("节点"), choices=Milestone.choices)
    text = models.TextField(_("日记内容"))
    ledger_leaf_hash = LeafHashField()
    created_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("使用日记")
        verbose_name_plural = _("使用日记")
        ordering = ["milestone", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "milestone"], name="diary_entry_once_per_milestone"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} day {self.milestone}"


class Reply(models.Model):
    """The merchant's one public reply to a review; the delay feeds the store trust index's reply speed."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="reply")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="review_replies")
    text = models.TextField(_("回复内容"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("回复时间"))
    reply_seconds = models.PositiveIntegerField(_("回复用时（秒）"))
    ledger_leaf_hash = LeafHashField()

    class Meta:
        verbose_name = _("商家回复")
        verbose_name_plural = _("商家回复")
        ordering = ["-replied_at", "-id"]

    def __str__(self) -> str:
        return f"reply to {self.review_id}"


class Fold(models.Model):
    """The record of folding a review: who or which signal, the public reason, when, and its statement."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="folds")
    source = models.CharField(_("来源"), max_length=16, choices=FoldSource.choices)
    reason = models.CharField(_("折叠理由"), max_length=200)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("时间"))
    ledger_leaf_hash = LeafHashField()

    class Meta:
        verbose_name = _("折叠记录")
        verbose_name_plural = _("折叠记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"fold {self.review_id}: {self.reason}"


class Flag(models.Model):
    """An integrity signal for operators: on a review (near-duplicate, burst) or on a shop (brushing)."""

    reason = models.CharField(_("原因"), max_length=24, choices=FlagReason.choices)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.PROTECT, related_name="flags")
    merchant = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="review_flags"
    )
    details = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(_("发现时间"), db_index=True)
    # The operator's decision: upheld (the review stays folded) or dismissed (restored when nothing else holds it).
    upheld = models.BooleanField(_("成立"), null=True, blank=True)
    resolution_note = models.CharField(_("处理说明"), max_length=200, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("风控标记")
        verbose_name_plural = _("风控标记")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(review__isnull=False) | Q(merchant__isnull=False), name="flag_has_object"
            ),
            models.UniqueConstraint(
                fields=["review", "reason"], condition=Q(review__isnull=False), name="flag_once_per_review_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} review={self.review_id} merchant={self.merchant_id}"
