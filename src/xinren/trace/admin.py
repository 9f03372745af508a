from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import EventSubject, ItemScanStats, Place, TraceEvent


class EventSubjectInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = EventSubject
    extra = 0
    raw_id_fields = ["product", "batch", "item"]


# Signed: corrections are new statements (error declarations) made through the services, never admin edits.
@admin.register(TraceEvent)
class TraceEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
