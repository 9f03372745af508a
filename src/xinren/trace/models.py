"""EPCIS 2.0 events as recorded, the identifiers they name, places, and scan statistics."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinren.accounts.models import ApiKey, Organization
from xinren.attest.fields import LeafHashField
from xinren.catalog.models import Batch, Item, Product
from xinren.core.models import TimeStampedModel

from .choices import EventType, SubjectRole


class Place(TimeStampedModel):
    """A named place (farm, workshop, warehouse, lab) with coordinates, optionally identified by a GLN."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(_("名称"), max_length=128)
    gln = models.CharField(_("GLN 全球位置码"), max_length=13, blank=True)
    address = models.CharField(_("地址"), max_length=256, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uri = models.CharField(_("位置 URI"), max_length=256, unique=True)

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True) | models.Q(latitude__gte=-90, latitude__lte=90),
                name="place_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True) | models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_longitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(gln="") | models.Q(gln__regex=r"^[0-9]{13}$"), name="place_gln_13_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# The earliest event time Python reads back in every zone. PostgreSQL stores earlier ones (an eventTime of
# 0001-01-01T00:00:00+08:00 is year 0 in UTC); capture refuses them (ADR 0015), and reads skip any stored before.
READABLE_SINCE = datetime(1, 1, 2, tzinfo=UTC)


class ReadableEvents(models.Manager["TraceEvent"]):
    """Events whose time can be read: a row that cannot would turn every page and report that reads it into an
    error. `TraceEvent.stored` sees every row (to count those left out, and for audits)."""

    def get_queryset(self) -> models.QuerySet[TraceEvent]:
        return super().get_queryset().filter(event_time__gte=READABLE_SINCE)


class TraceEvent(TimeStampedModel):
    """One EPCIS 2.0 event recorded by an organization. `document` is the event in EPCIS 2.0 JSON.

    An EPCIS error declaration repeats the eventID of the event it declares erroneous, so an eventID names at most
    one event and at most one declaration about it; history is never edited.
    """

    event_id = models.CharField(_("事件 ID"), max_length=512)
    is_error_declaration = models.BooleanField(_("错误声明"), default=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="trace_events")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event_type = models.CharField(_("事件类型"), max_length=32, choices=EventType.choices)
    action = models.CharField(_("动作"), max_length=8, blank=True)
    # CBV terms are kept as their short names ("shipping") so that pages can translate them; custom ones as URIs.
    biz_step = models.CharField(_("业务步骤"), max_length=512, blank=True)
    disposition = models.CharField(_("状态"), max_length=512, blank=True)
    event_time = models.DateTimeField(_("发生时间"), db_index=True)
    event_time_zone_offset = models.CharField(_("时区"), max_length=6)
    record_time = models.DateTimeField(_("记录时间"), default=timezone.now)
    read_point = models.CharField(_("读取点"), max_length=512, blank=True)
    biz_location = models.CharField(_("业务地点"), max_length=512, blank=True)
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    # The leaf hash (hex) of the signed statement of this event in the transparency log (docs/ledger.md).
    ledger_leaf_hash = LeafHashField(blank=True, db_index=True)
    document = models.JSONField(_("EPCIS 文档"))
    # The JSON-LD @context entries (besides the EPCIS context) that the capture document declared, so that
    # the event's extension fields keep their meaning when it is exported.
    context = models.JSONField(_("JSON-LD 上下文"), default=list, blank=True)

    objects = ReadableEvents()
    stored = models.Manager()

    class Meta:
        verbose_name = _("溯源事件")
        verbose_name_plural = _("溯源事件")
        ordering = ["event_time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "is_error_declaration"], name="trace_event_unique_event_id"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.biz_step} @ {self.event_time:%Y-%m-%d %H:%M}"


class EventSubject(models.Model):
    """An identifier named by an event, linked to the platform's item, batch or product when it is one."""

    event = models.ForeignKey(TraceEvent, on_delete=models.CASCADE, related_name="subjects")
    role = models.CharField(max_length=16, choices=SubjectRole.choices)
    uri = models.CharField(max_length=512)
    # The trade item the identifier names (blank for SSCCs, GLNs and other URIs), whether registered here or not.
    gtin = models.CharField(max_length=14, blank=True)
    lot = models.CharField(max_length=20, blank=True)
    serial = models.CharField(max_length=20, blank=True)
    quantity = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    uom = models.CharField(max_length=3, blank=True)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # A trade item the platform does not register, under a company prefix the recorder declared external.
    external = models.BooleanField(_("外部标识"), default=False)

    class Meta:
        verbose_name = _("事件对象")
        verbose_name_plural = _("事件对象")
        indexes = [
            models.Index(fields=["item"]),
            models.Index(fields=["batch"]),
            models.Index(fields=["product"]),
            models.Index(fields=["gtin"]),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.uri}"


class ExternalPrefix(TimeStampedModel):
    """A GS1 Company Prefix whose trade items an organization records without registering them here (外部标识).

    Events may name only products, lots and items the platform knows, or trade items under a prefix their
    recorder declared external; pages mark those subjects "外部标识" (ADR 0015).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="external_prefixes")
    company_prefix = models.CharField(_("厂商识别代码"), max_length=12)
    note = models.CharField(_("说明"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("外部标识前缀")
        verbose_name_plural = _("外部标识前缀")
        constraints = [
            models.UniqueConstraint(fields=["organization", "company_prefix"], name="trace_external_prefix_unique"),
            models.CheckConstraint(
                condition=models.Q(company_prefix__regex=r"^[0-9]{6,12}$"), name="trace_external_prefix_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.company_prefix


class ItemScanStats(models.Model):
    """How often an item's code has been scanned; updated out of band from the scan log."""

    item = models.OneToOneField(Item, primary_key=True, on_delete=models.CASCADE, related_name="scan_stats")
    total = models.PositiveBigIntegerField(default=0)
    first_scanned_at = models.DateTimeField(null=True, blank=True)
    last_scanned_at = models.DateTimeField(null=True, blank=True)
    recent_clients = models.PositiveIntegerField(default=0)
    # Distinct networks in the window, weighted by time (trace.scans.network_weight): what the copy warning uses.
    recent_networks = models.PositiveIntegerField(default=0)
    # The last time the weighted count was over the threshold: the warning shows until SUSPICIOUS_DECAY after it.
    flagged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("扫码统计")
        verbose_name_plural = _("扫码统计")

    def __str__(self) -> str:
        return f"{self.item}: {self.total}"


class ItemScanNetwork(models.Model):
    """A network that scanned an item (by pseudonym): when it was first seen (since it last went quiet for the
    whole window) and last seen. Kept up to date per batch so that the copy warning reads one row per network,
    not every scan of a busy item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="scan_networks")
    network = models.CharField(max_length=16)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        verbose_name = _("扫码网络")
        verbose_name_plural = _("扫码网络")
        constraints = [models.UniqueConstraint(fields=["item", "network"], name="scan_network_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.network}"


class Scan(models.Model):
    """One scan of an item's code. The client is a salted hash, never an address."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="scans")
    at = models.DateTimeField()
    client = models.CharField(max_length=16)
    # A salted hash of the client's network (/24 IPv4, /48 IPv6), never the network itself; "" before it was kept.
    network = models.CharField(max_length=16, default="", blank=True)

    class Meta:
        verbose_name = _("扫码记录")
        verbose_name_plural = _("扫码记录")
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.at}"
