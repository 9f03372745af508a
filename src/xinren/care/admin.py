"""Operators read care tickets, offers and the classifier's readings; nothing is edited here (services only)."""

from __future__ import annotations

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import CareOffer, CareTicket, VoiceRecord


@admin.register(CareTicket)
class CareTicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["public_ref", "merchant", "status", "opened_at", "satisfaction"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in CareTicket._meta.fields]


@admin.register(CareOffer)
class CareOfferAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "ticket", "kind", "amount_fen", "status", "made_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in CareOffer._meta.fields]


@admin.register(VoiceRecord)
class VoiceRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "source_kind", "source_id", "merchant", "sentiment", "model_version", "written_at"]
    list_filter = ["source_kind", "sentiment", "model_version"]
    readonly_fields = [f.name for f in VoiceRecord._meta.fields]
