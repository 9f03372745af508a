"""Read-only admin of applications to sell (reviewers work at /operator/applications/)."""

from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import ApplicationDecision, MerchantApplication


@admin.register(MerchantApplication)
class MerchantApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "company_name", "status", "submitted_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("public_id", "company_name", "uscc")
    exclude = ("legal_rep_id_hash", "contact_phone")


@admin.register(ApplicationDecision)
class ApplicationDecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("application", "decision", "decided_at", "decided_by")
