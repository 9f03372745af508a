"""The sandbox provider's own tables: what a real provider keeps on its side of the wire.

The platform never reads these; it only talks to the sandbox through the `PaymentProvider` interface.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.core.money import FenField


class SandboxCharge(models.Model):
    """A payment as the sandbox provider sees it."""

    ref = models.CharField(max_length=40, unique=True)
    reference = models.CharField(max_length=40)
    amount_fen = FenField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=24)
    captured_fen = FenField(default=0)
    refunded_fen = FenField(default=0)
    payment_token = models.CharField(max_length=40, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=256, blank=True)
    return_url = models.CharField(max_length=512, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("沙箱支付单")
        verbose_name_plural = _("沙箱支付单")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refunded_fen__gte=0, refunded_fen__lte=models.F("captured_fen")),
                name="sandbox_charge_refunded_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} ({self.status})"


class SandboxRefund(models.Model):
    """A refund as the sandbox provider sees it."""

    ref = models.CharField(max_length=40, unique=True)
    charge = models.ForeignKey(SandboxCharge, on_delete=models.CASCADE, related_name="refunds")
    reference = models.CharField(max_length=80)
    amount_fen = FenField()
    status = models.CharField(max_length=16)
    failure_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱退款")
        verbose_name_plural = _("沙箱退款")

    def __str__(self) -> str:
        return f"{self.ref} ({self.status})"


class SandboxIdempotencyKey(models.Model):
    """The first answer to a request with this key; the same key and arguments get it again."""

    key = models.CharField(max_length=120, unique=True)
    operation = models.CharField(max_length=32)
    fingerprint = models.CharField(max_length=64)
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱幂等键")
        verbose_name_plural = _("沙箱幂等键")

    def __str__(self) -> str:
        return self.key


class SandboxWebhookEvent(models.Model):
    """A webhook the sandbox sends; the exact bytes are kept so that a redelivery carries the same body."""

    event_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=32)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=256, blank=True)

    class Meta:
        verbose_name = _("沙箱回调")
        verbose_name_plural = _("沙箱回调")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.event_type}"


class SandboxTransfer(models.Model):
    """An escrow transfer (collection, payout, settlement deduction) as the sandbox provider sees it. A payout is
    `processing` until its webhook is sent; `outcome` is how it will end, decided when it was made."""

    ref = models.CharField(max_length=40, unique=True)
    reference = models.CharField(max_length=120)
    kind = models.CharField(max_length=24)
    party = models.CharField(max_length=64)
    amount_fen = FenField()
    currency = models.CharField(max_length=3, default="CNY")
    description = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=16)
    outcome = models.CharField(max_length=16)
    failure_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("沙箱托管转账")
        verbose_name_plural = _("沙箱托管转账")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.ref} {self.kind} ({self.status})"
