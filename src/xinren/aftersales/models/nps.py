"""The consumer's one answer (0–10) to "would you recommend this shop?" after a request closed (NPS).

One answer per request (a one-to-one key). The merchant and the line's category are copied from the request when the
answer is given, so the operators' figures group by them without walking orders, and a product moved to another
category later does not move its old answers. The comment is for operators only: never published, escaped on display.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization

from .requests import AfterSaleRequest

__all__ = ["NpsAnswer"]


class NpsAnswer(models.Model):
    """One consumer's 0–10 answer after one closed after-sale request."""

    request = models.OneToOneField(AfterSaleRequest, on_delete=models.PROTECT, related_name="nps")
    merchant = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    # The line's product category when answered (catalog's ProductCategory value).
    category = models.CharField(_("品类"), max_length=32)
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("补充说明"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("回答时间"))

    class Meta:
        verbose_name = _("售后 NPS")
        verbose_name_plural = _("售后 NPS")
        ordering = ["-answered_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(score__gte=0, score__lte=10), name="nps_score_0_to_10")]
        indexes = [models.Index(fields=["merchant", "answered_at"]), models.Index(fields=["category", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.score}"
