from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import ApiKey, Membership, Organization, SigningKey, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Xinren", {"fields": ("display_name", "phone")}))  # type: ignore[misc]
    list_display = ["username", "display_name", "email", "is_staff", "is_active"]
    search_fields = ["username", "display_name", "email"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "region", "status", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "uscc", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "prefix", "role", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["role"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]
    search_fields = ["name", "prefix", "organization__name"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Keys are created, rotated and revoked through services (each act is a log statement), never edited here."""

    list_display = ["key_id", "organization", "custodial", "status", "label", "created_at", "status_changed_at"]
    list_filter = ["status", "custodial"]
    search_fields = ["key_id", "organization__name"]
    exclude = ["encrypted_private_key"]
