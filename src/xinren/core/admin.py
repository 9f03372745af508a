from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


class ReadOnlyAdminMixin:
    """For records that only services write (signed, audited or immutable): operators read them in the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action", "target_type", "target_id", "actor", "organization"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

