from django.contrib import admin

from .models import Measure


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "enterprise",
        "practice",
        "status",
        "identified_on",
        "implemented_on",
        "investment_vnd",
        "savings_vnd_per_year",
    )
    list_filter = ("status", "practice", "enterprise__park")
    search_fields = ("title", "enterprise__name_vi", "enterprise__tax_code", "assessed_by")
    autocomplete_fields = ("enterprise",)
    readonly_fields = ("version",)
    list_select_related = ("enterprise",)
