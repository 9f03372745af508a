"""Evidence in the admin: read-only, since every row is backed by a signed statement."""

from __future__ import annotations

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import Evidence, MediaFile


@admin.register(MediaFile)
class MediaFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sha256", "kind", "mime", "size", "width", "height", "created_at"]
    list_filter = ["kind"]
    search_fields = ["sha256"]
    readonly_fields = [f.name for f in MediaFile._meta.fields]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "purpose", "organization", "product", "batch", "event", "status", "created_at"]
    list_filter = ["purpose", "status"]
    search_fields = ["media__sha256", "leaf_hash", "caption"]
    list_select_related = ["organization", "product", "batch__product", "event", "media"]
    readonly_fields = [f.name for f in Evidence._meta.fields]
