from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import CostBreakdown


@admin.register(CostBreakdown)
class CostBreakdownAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Published breakdowns are signed and versioned: read-only here."""

    list_display = ["product", "version", "price_fen", "offer_id", "supersedes", "published_at"]
    search_fields = ["product__name", "product__gtin"]
