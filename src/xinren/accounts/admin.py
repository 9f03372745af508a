from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import ApiKey, Membership, Organization, User


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


# Keys are created and revoked by the organization's admins (merchant console, API); operators read here.
@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "prefix", "role", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["role"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]
    search_fields = ["name", "prefix", "organization__name"]
