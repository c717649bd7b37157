"""Administration of monitoring stations, their exceedances and alerts.

Exceedances and alerts are produced by the evaluation (``monitoring.services``) and the
ingestion state of a station by its readings: all read-only here."""

from django.contrib import admin

from .models import Alert, Exceedance, Series, Station


class SeriesInline(admin.TabularInline):
    model = Series
    extra = 0
    fields = ("parameter", "unit", "range_min", "range_max", "stuck_run", "last_ts", "last_value")
    readonly_fields = ("last_ts", "last_value")


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "park", "enterprise", "kind", "column", "interval_s", "last_ts")
    list_filter = ("kind", "park")
    search_fields = ("code", "name", "enterprise__name_vi", "park__code")
    autocomplete_fields = ("park", "enterprise")
    readonly_fields = ("token_hash", "last_ts")
    inlines = [SeriesInline]
    list_select_related = ("park", "enterprise")


@admin.register(Exceedance)
class ExceedanceAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "series",
        "bound",
        "limit",
        "peak",
        "mean",
        "periods",
        "confirmed",
        "pack",
        "start",
        "detected",
    )
    list_filter = ("confirmed", "bound", "pack")
    search_fields = ("series__station__code", "series__parameter")
    raw_id_fields = ("series",)
    readonly_fields = (
        "start",
        "end",
        "bound",
        "limit",
        "peak",
        "mean",
        "periods",
        "confirmed",
        "pack",
        "detected",
    )
    list_select_related = ("series__station",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("pk", "station", "parameter", "value", "limit", "bound", "emailed", "created")
    list_filter = ("bound", "parameter")
    search_fields = ("station__code", "station__name", "parameter")
    raw_id_fields = ("station", "exceedance")
    readonly_fields = ("emailed", "created")
    list_select_related = ("station",)
