"""Base model and the audit trail every service writes to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Creation and last-change times for every domain row."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who did what to which row, written in the same transaction as the change."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class PageRefresh(models.Model):
    """An outbox row: the public pages of this product, batch or item must be published again.

    Services below the web layer write these rows in their own transaction; the publisher drains them
    (docs/adr/0002). Several rows for one object collapse into one re-render.
    """

    class Kind(models.TextChoices):
        PRODUCT = "product", _("商品")
        # Only the product's own page (/01/<gtin14>), e.g. after a review: its lots and items do not show it.
        PRODUCT_PAGE = "page", _("商品页")
        BATCH = "batch", _("批次")
        ITEM = "item", _("单品")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    queued_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("待发布页面")
        verbose_name_plural = _("待发布页面")

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class ScheduledRun(models.Model):
    """One slot of a periodic job, claimed by the scheduler that enqueued it (docs/adr/0013).

    The unique key is the lock: of several schedulers ticking at once (two hosts' timers, `make run` beside a
    timer), exactly one inserts the row and enqueues the job's task, in the same transaction.
    """

    job = models.CharField(_("任务"), max_length=64)
    slot = models.DateTimeField(_("时段"))
    claimed_at = models.DateTimeField(_("认领时间"))
    # The id of the task result on the database backend (empty where the backend enqueues after the commit).
    task_id = models.CharField(_("后台任务"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("定时任务执行")
        verbose_name_plural = _("定时任务执行")
        ordering = ["-slot", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="core_scheduled_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot.isoformat()}"
