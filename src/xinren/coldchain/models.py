"""Cold chain models: a product's allowed range, shipment legs, sensor readings, excursions and promises.

Temperatures and humidities are stored as integer tenths (4.2 °C is 42, 65.5 % is 655) so that the canonical
readings bytes, the signed statement and the database always agree to the digit (docs/coldchain.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import Batch, Item, Product
from xinren.core.models import TimeStampedModel
from xinren.trace.models import Place, TraceEvent

from .choices import ExcursionKind, PromiseKind


class ColdChainProfile(TimeStampedModel):
    """The temperature (and optional humidity) range a product must travel in, set by its merchant; versioned."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="coldchain_profile")
    temperature_min = models.IntegerField(_("最低温度（0.1 °C）"))
    temperature_max = models.IntegerField(_("最高温度（0.1 °C）"))
    humidity_min = models.IntegerField(_("最低湿度（0.1 %）"), null=True, blank=True)
    humidity_max = models.IntegerField(_("最高湿度（0.1 %）"), null=True, blank=True)
    tolerance_minutes = models.PositiveIntegerField(_("容许超限分钟数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    ledger_leaf_hash = LeafHashField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("冷链温控要求")
        verbose_name_plural = _("冷链温控要求")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(temperature_min__lt=models.F("temperature_max")),
                name="coldchain_profile_temperature_order",
            ),
            models.CheckConstraint(
                condition=models.Q(temperature_min__gte=-800, temperature_max__lte=800),
                name="coldchain_profile_temperature_range",
            ),
            models.CheckConstraint(
                condition=models.Q(humidity_min__isnull=True, humidity_max__isnull=True)
                | models.Q(humidity_min__gte=0, humidity_max__lte=1000, humidity_min__lt=models.F("humidity_max")),
                name="coldchain_profile_humidity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.temperature_min / 10}–{self.temperature_max / 10} °C v{self.version}"


class Leg(TimeStampedModel):
    """One shipment leg of one lot: from the shipping event that starts it to the matching receiving event."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="coldchain_legs")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="coldchain_legs")
    shipping_event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="coldchain_legs")
    arrival_event = models.ForeignKey(
        TraceEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="coldchain_arrivals"
    )
    from_place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    departed_at = models.DateTimeField(_("出发时间"))
    arrived_at = models.DateTimeField(_("到达时间"), null=True, blank=True)
    device_ids = models.JSONField(_("设备"), default=list, blank=True)
    reading_count = models.PositiveIntegerField(_("读数条数"), default=0)

    class Meta:
        verbose_name = _("运输段")
        verbose_name_plural = _("运输段")
        ordering = ["departed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shipping_event", "batch"], name="coldchain_leg_unique_event_batch"),
        ]

    def __str__(self) -> str:
        return f"leg {self.pk}: {self.batch_id} @ {self.departed_at:%Y-%m-%d %H:%M}"


class Reading(models.Model):
    """One sensor reading on a leg; a re-sent reading (same leg, device and time) is stored once."""

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="readings")
    device_id = models.CharField(_("设备"), max_length=128)
    time = models.DateTimeField(_("时间"))
    temperature = models.IntegerField(_("温度（0.1 °C）"), null=True, blank=True)
    humidity = models.IntegerField(_("相对湿度（0.1 %）"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    batch = models.ForeignKey("ReadingBatch", on_delete=models.PROTECT, related_name="readings")

    class Meta:
        verbose_name = _("传感器读数")
        verbose_name_plural = _("传感器读数")
        constraints = [
            models.UniqueConstraint(fields=["leg", "device_id", "time"], name="coldchain_reading_unique"),
            models.CheckConstraint(
                condition=models.Q(temperature__isnull=True) | models.Q(temperature__gte=-800, temperature__lte=800),
                name="coldchain_reading_temperature_range",
            ),
            models.CheckConstraint(
                condition=models.Q(humidity__isnull=True) | models.Q(humidity__gte=0, humidity__lte=1000),
                name="coldchain_reading_humidity_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.device_id} @ {self.time}"


class ReadingBatch(models.Model):
    """One accepted batch of readings and its signed statement (the readings are summarised, not inlined)."""

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="reading_batches")
    count = models.PositiveIntegerField(_("读数条数"))
    first_time = models.DateTimeField(_("最早读数"))
    last_time = models.DateTimeField(_("最晚读数"))
    sha256 = models.CharField(_("读数摘要"), max_length=64)
    ledger_leaf_hash = LeafHashField(db_index=True)
    statement = models.JSONField(_("声明"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("读数批次")
        verbose_name_plural = _("读数批次")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.leg_id}: {self.count} @ {self.sha256[:12]}"


class Excursion(models.Model):
    """A stretch of time a device on a leg read outside the product's allowed range for longer than tolerated."""

    leg = models.ForeignKey(Leg, on_delete=models.CASCADE, related_name="excursions")
    device_id = models.CharField(_("设备"), max_length=128)
    kind = models.CharField(_("类型"), max_length=16, choices=ExcursionKind.choices)
    start = models.DateTimeField(_("开始"))
    end = models.DateTimeField(_("结束"))
    duration_minutes = models.PositiveIntegerField(_("持续分钟"))
    peak = models.IntegerField(_("峰值（0.1）"))
    limit = models.IntegerField(_("限值（0.1）"))
    still_open = models.BooleanField(_("仍在持续"), default=False)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    place_name = models.CharField(_("地点"), max_length=128, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    # The reading-batch statement whose readings last decided this excursion.
    reading_batch = models.ForeignKey(ReadingBatch, on_delete=models.PROTECT, related_name="excursions")

    class Meta:
        verbose_name = _("温控超限")
        verbose_name_plural = _("温控超限")
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["leg", "device_id", "start"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.start}–{self.end}"


class Promise(TimeStampedModel):
    """A delivery promise a merchant makes about a product (e.g. 48 hours from origin to your table)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="coldchain_promises")
    kind = models.CharField(
        _("类型"), max_length=32, choices=PromiseKind.choices, default=PromiseKind.ORIGIN_TO_TABLE_HOURS
    )
    hours = models.PositiveIntegerField(_("承诺小时数"))
    text = models.CharField(_("承诺文字"), max_length=64)
    active = models.BooleanField(_("生效中"), default=True)
    ledger_leaf_hash = LeafHashField(blank=True)

    class Meta:
        verbose_name = _("时效承诺")
        verbose_name_plural = _("时效承诺")
        ordering = ["product", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["product", "kind"], name="coldchain_promise_unique_product_kind"),
            models.CheckConstraint(condition=models.Q(hours__gte=1, hours__lte=2400), name="coldchain_promise_hours"),
        ]

    def __str__(self) -> str:
        return self.text


class ItemDelivery(models.Model):
    """When one item reached its buyer: the delivery receipt (the carrier's report or the buyer's confirmation)
    that named it. Promises are measured from its lot's start event to `delivered_at`, at read time, so a changed
    promise or a start event recorded late needs no rewrite (docs/adr/0036-promises-measured-per-item.md)."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="coldchain_delivery")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="coldchain_deliveries")
    delivery_event = models.ForeignKey(TraceEvent, on_delete=models.PROTECT, related_name="coldchain_deliveries")
    delivered_at = models.DateTimeField(_("送达时间"))
    # Only the buyer's word (the platform signs a buyer's confirmation): a late one proves no late parcel.
    by_buyer = models.BooleanField(_("买家确认"), default=False)

    class Meta:
        verbose_name = _("单品送达")
        verbose_name_plural = _("单品送达")
        indexes = [models.Index(fields=["batch", "delivered_at"])]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.delivered_at}"
