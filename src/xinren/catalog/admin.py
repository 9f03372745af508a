from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import Batch, Item, LabelSheet, PartnerGrant, Product, ProductFacts, ProductImage


class ProductImageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProductImage
    extra = 0
    readonly_fields = ["sha256"]


class ProductFactsInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The signed versions of a product's facts (never changed: a change is a new version)."""

    model = ProductFacts
    extra = 0
    fields = ("version", "name", "origin_region", "origin_place", "created_at", "ledger_leaf_hash", "supersedes")
    readonly_fields = ("version", "name", "origin_region", "origin_place", "created_at", "ledger_leaf_hash",
                       "supersedes")


# What signed statements name (GTINs, lots, serials) changes only through the merchant's services, which audit and
# republish; operators read here.
@admin.register(Product)
class ProductAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "gtin", "merchant", "category", "origin_region", "status"]
    list_filter = ["category", "status"]
    search_fields = ["name", "gtin", "merchant__name"]
    inlines = [ProductImageInline, ProductFactsInline]
    raw_id_fields = ["merchant"]


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["lot", "product", "production_date", "expiry_date", "quantity"]
    search_fields = ["lot", "product__name", "product__gtin"]
    raw_id_fields = ["product"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["serial", "product", "batch", "created_at"]
    search_fields = ["serial", "product__gtin"]
    raw_id_fields = ["product", "batch"]


@admin.register(PartnerGrant)
class PartnerGrantAdmin(admin.ModelAdmin):
    list_display = [
        "owner", "partner", "product", "batch", "legacy_all_products", "ends_on", "created_at", "revoked_at",
    ]
    raw_id_fields = ["owner", "partner", "product", "batch"]


@admin.register(LabelSheet)
class LabelSheetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Label sheet jobs, for operators following a stuck or failed one (the task's traceback is in Task Results)."""

    list_display = ["batch", "format", "first_page", "last_page", "status", "pages_done", "size", "created_at",
                    "finished_at", "error_code"]
    list_filter = ["status", "format"]
    search_fields = ["batch__lot", "batch__product__gtin"]
    raw_id_fields = ["batch", "requested_by"]
