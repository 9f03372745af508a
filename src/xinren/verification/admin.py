"""Operators read registries, credentials and checks here; all changes go through services and the command."""

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import Credential, CredentialCheck, RegistryImport, RegistryRecord


@admin.register(RegistryImport)
class RegistryImportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "source", "version", "row_count", "imported_by", "created_at", "superseded_at"]
    list_filter = ["kind"]


@admin.register(RegistryRecord)
class RegistryRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "holder_name", "holder_uscc", "valid_until", "status", "source"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "holder_name", "holder_uscc"]


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "organization", "status", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "organization__name"]


@admin.register(CredentialCheck)
class CredentialCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "organization", "verifier", "status", "checked_at"]
    list_filter = ["kind", "status", "verifier"]
    search_fields = ["number", "organization__name"]
