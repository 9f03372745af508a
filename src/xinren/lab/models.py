"""Lab reports on a batch and their measurements, each report signed into the platform log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import Batch
from xinren.core.models import TimeStampedModel
from xinren.evidence.models import MediaFile


class LabReport(TimeStampedModel):
    """A test report an accredited lab issued on a sample of one batch; never edited after issue."""

    report_id = models.UUIDField(_("报告编号"), default=uuid.uuid4, unique=True, editable=False)
    lab = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="lab_reports")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="lab_reports")
    accreditation = models.CharField(_("资质编号"), max_length=32)
    sample_id = models.CharField(_("样品编号"), max_length=64)
    sampled_at = models.DateTimeField(_("抽样时间"))
    # Where the sample was taken (a farm, a warehouse, a shop shelf); blank on reports issued before it was kept.
    sampled_place = models.CharField(_("抽样地点"), max_length=255, blank=True)
    method = models.CharField(_("检测方法"), max_length=255)
    # The threshold table the report is graded with; later tables never regrade it.
    table_version = models.CharField(_("限值表版本"), max_length=16)
    # The product category whose limits graded the report, kept so a later category change never regrades it
    # (blank on reports issued before it was kept: the scorecard finds the category from their measurements).
    category = models.CharField(_("限值表品类"), max_length=32, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True when the lab signed the statement with its own key rather than the platform's custodial one.
    self_signed = models.BooleanField(_("机构自签"), default=False)
    # The lab's own report document, stored by digest through the evidence pipeline (metadata and scripts
    # stripped); its SHA-256 is in the signed statement. Null on reports issued without one (ADR 0038).
    pdf = models.ForeignKey(
        MediaFile, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告原件")
    )
    ledger_leaf_hash = LeafHashField(db_index=True)

    class Meta:
        # Created by the trace app before lab became a context of its own (ADR 0014): the table keeps its name.
        db_table = "trace_labreport"
        verbose_name = _("检测报告")
        verbose_name_plural = _("检测报告")
        ordering = ["-sampled_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["lab", "sample_id"], name="lab_report_unique_lab_sample"),
        ]

    def __str__(self) -> str:
        return f"{self.accreditation} / {self.sample_id}"


class LabMeasurement(models.Model):
    """One indicator measured in a report: a value in the table's unit, or not detected below the LOD."""

    report = models.ForeignKey(LabReport, on_delete=models.CASCADE, related_name="measurements")
    position = models.PositiveSmallIntegerField()
    indicator = models.CharField(_("指标"), max_length=64)
    value = models.DecimalField(_("检测值"), max_digits=18, decimal_places=6, null=True, blank=True)
    not_detected = models.BooleanField(_("未检出"), default=False)
    unit = models.CharField(_("单位"), max_length=16)
    lod = models.DecimalField(_("检出限"), max_digits=18, decimal_places=6, null=True, blank=True)

    class Meta:
        db_table = "trace_labmeasurement"
        verbose_name = _("检测项目")
        verbose_name_plural = _("检测项目")
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="lab_measurement_unique_indicator"),
            models.CheckConstraint(
                condition=models.Q(not_detected=True, value__isnull=True)
                | models.Q(not_detected=False, value__isnull=False, value__gte=0),
                name="lab_measurement_value_or_not_detected",
            ),
            models.CheckConstraint(
                condition=models.Q(lod__isnull=True) | models.Q(lod__gte=0), name="lab_measurement_lod_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {'ND' if self.not_detected else self.value} {self.unit}"
