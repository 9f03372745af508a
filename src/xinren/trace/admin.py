from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .lab.models import LabMeasurement, LabReport
from .models import EventSubject, ItemScanStats, Place, TraceEvent


class EventSubjectInline(admin.TabularInline):
    model = EventSubject
    extra = 0
    raw_id_fields = ["product", "batch", "item"]


@admin.register(TraceEvent)
class TraceEventAdmin(admin.ModelAdmin):
    list_display = ["event_time", "event_type", "biz_step", "disposition", "organization", "place"]
    list_filter = ["event_type", "biz_step", "organization"]
    search_fields = ["event_id", "biz_step", "organization__name"]
    date_hierarchy = "event_time"
    raw_id_fields = ["organization", "recorded_by", "place", "api_key"]
    inlines = [EventSubjectInline]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "gln", "latitude", "longitude"]
    search_fields = ["name", "gln", "organization__name"]


@admin.register(ItemScanStats)
class ItemScanStatsAdmin(admin.ModelAdmin):
    list_display = ["item", "total", "first_scanned_at", "last_scanned_at", "recent_clients", "flagged_at"]
    raw_id_fields = ["item"]


class LabMeasurementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LabMeasurement
    extra = 0


@admin.register(LabReport)
class LabReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports are signed statements: operators read them here, corrections are new reports."""

    list_display = ["sample_id", "batch", "lab", "accreditation", "sampled_at", "table_version"]
    search_fields = ["sample_id", "accreditation", "batch__lot", "batch__product__gtin"]
    inlines = [LabMeasurementInline]
