"""What the qualification watch remembers: the expiry warnings it sent (docs/governance.md)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.verification.models import Credential


class QualificationWarning(models.Model):
    """The merchant was warned that this credential expires on `valid_until` (one warning per expiry date)."""

    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="expiry_warnings")
    valid_until = models.DateField(_("有效期至"))
    sent_at = models.DateTimeField(_("提醒时间"))

    class Meta:
        verbose_name = _("资质到期提醒")
        verbose_name_plural = _("资质到期提醒")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["credential", "valid_until"], name="qualification_warning_once"),
        ]

    def __str__(self) -> str:
        return f"{self.credential_id} @ {self.valid_until}"
