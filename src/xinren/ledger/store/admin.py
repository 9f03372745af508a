"""Operators may look at the log, never change it: every admin here is read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from xinren.core.admin import ReadOnlyAdminMixin

from .models import Cosignature, KeyRecord, LogEntry, PendingEntry, SignedCheckpoint, WitnessState


def _hex(value: Any) -> str:
    return bytes(value).hex() if value is not None else ""


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["index", "statement_type", "subject", "signer_key_id", "integrated_at"]
    list_filter = ["statement_type"]
    search_fields = ["subject", "signer_key_id"]
    fields = readonly_fields = (
        "index", "leaf_hash_hex", "statement_type", "subject", "signer_key_id", "corrects_hex", "received_at",
        "integrated_at", "envelope_text",
    )

    @admin.display(description=_("叶哈希"))
    def leaf_hash_hex(self, obj: LogEntry) -> str:
        return _hex(obj.leaf_hash)

    @admin.display(description=_("更正的条目"))
    def corrects_hex(self, obj: LogEntry) -> str:
        return _hex(obj.corrects)

    @admin.display(description=_("签名信封"))
    def envelope_text(self, obj: LogEntry) -> str:
        return bytes(obj.envelope).decode("utf-8", "replace")


@admin.register(PendingEntry)
class PendingEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "statement_type", "subject", "signer_key_id", "received_at"]


@admin.register(SignedCheckpoint)
class SignedCheckpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["size", "created_at"]
    fields = readonly_fields = ("size", "note", "created_at")


@admin.register(Cosignature)
class CosignatureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["checkpoint", "witness", "received_at"]


@admin.register(KeyRecord)
class KeyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key_id", "owner", "custodial", "status", "created_at", "status_changed_at"]
    list_filter = ["status", "custodial"]
    search_fields = ["key_id", "owner"]
    exclude = ["public_key", "registered_leaf_hash"]


@admin.register(WitnessState)
class WitnessStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["url", "size", "updated_at", "last_error"]
