from django.contrib import admin

from .models import FlowRecord, ImportBatch


@admin.register(FlowRecord)
class FlowRecordAdmin(admin.ModelAdmin):
    list_display = (
        "period",
        "enterprise",
        "facility",
        "resource_code",
        "direction",
        "quantity",
        "unit",
    )
    list_filter = ("direction", "data_quality")
    search_fields = ("resource_code", "enterprise__name_vi", "enterprise__tax_code")
    raw_id_fields = ("enterprise", "facility", "counterparty", "entered_by", "batch")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("created", "filename", "user", "kind", "rows", "replaced")
