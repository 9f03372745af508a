from django.contrib import admin

from xinren.core.admin import ReadOnlyAdminMixin

from .models import LabMeasurement, LabReport


class LabMeasurementInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LabMeasurement
    extra = 0


@admin.register(LabReport)
class LabReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports are signed statements: operators read them here, corrections are new reports."""

    list_display = ["sample_id", "batch", "lab", "accreditation", "sampled_at", "table_version"]
    search_fields = ["sample_id", "accreditation", "batch__lot", "batch__product__gtin"]
    inlines = [LabMeasurementInline]
