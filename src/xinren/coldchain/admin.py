"""The cold chain in the admin: read-only, since profiles, promises and reading batches are signed statements and
excursions are derived from the readings."""

from __future__ import annotations

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import ColdChainProfile, Excursion, Leg, Promise, ReadingBatch


@admin.register(ColdChainProfile)
class ColdChainProfileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["product", "temperature_min", "temperature_max", "tolerance_minutes", "version", "updated_at"]
    list_select_related = ["product"]
    readonly_fields = [f.name for f in ColdChainProfile._meta.fields]


@admin.register(Promise)
class PromiseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["product", "kind", "hours", "text", "active", "updated_at"]
    list_select_related = ["product"]
    readonly_fields = [f.name for f in Promise._meta.fields]


@admin.register(Leg)
class LegAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "organization", "batch", "departed_at", "arrived_at", "reading_count"]
    list_select_related = ["organization", "batch__product"]
    search_fields = ["shipping_event__event_id", "batch__lot"]
    readonly_fields = [f.name for f in Leg._meta.fields]


@admin.register(ReadingBatch)
class ReadingBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "leg", "count", "first_time", "last_time", "sha256", "ledger_leaf_hash"]
    search_fields = ["sha256", "ledger_leaf_hash"]
    readonly_fields = [f.name for f in ReadingBatch._meta.fields]


@admin.register(Excursion)
class ExcursionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["leg", "device_id", "kind", "start", "end", "duration_minutes", "peak", "place_name"]
    list_filter = ["kind", "still_open"]
    readonly_fields = [f.name for f in Excursion._meta.fields]
