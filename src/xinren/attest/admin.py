from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Keys are created, rotated and revoked through services (each act is a log statement), never edited here."""

    list_display = ["key_id", "organization", "custodial", "status", "label", "created_at", "status_changed_at"]
    list_filter = ["status", "custodial"]
    search_fields = ["key_id", "organization__name"]
    exclude = ["encrypted_private_key"]
