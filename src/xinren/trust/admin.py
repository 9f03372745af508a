"""Operators read programmes and their status history here; alliances change them through services."""

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import Programme, ProgrammeStatusChange


class ProgrammeStatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProgrammeStatusChange
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "alliance", "region", "status", "version"]
    list_filter = ["status"]
    search_fields = ["name", "code", "alliance__name", "region"]
    exclude = ["badge_svg"]
    inlines = [ProgrammeStatusChangeInline]
