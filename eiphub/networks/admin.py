"""Administration of network planning records (scenarios, water and heat studies).

Results are written by the solvers, so they are read-only here."""

from django.contrib import admin

from .models import HeatStudy, Scenario, WaterStudy


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "park",
        "province",
        "objective",
        "status",
        "solver_status",
        "benefit_vnd_per_year",
        "co2e_t_per_year",
        "created_by",
        "created",
    )
    list_filter = ("status", "objective", "park")
    search_fields = ("name", "park__code", "park__name_vi")
    autocomplete_fields = ("park", "province", "created_by")
    readonly_fields = (
        "created",
        "status",
        "solver_status",
        "message",
        "gap",
        "build_s",
        "solve_s",
        "objective_value",
        "benefit_vnd_per_year",
        "co2e_t_per_year",
        "summary",
        "chosen_links",
        "pareto",
        "sensitivity",
    )
    list_select_related = ("park", "province", "created_by")


@admin.register(WaterStudy)
class WaterStudyAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "source", "inter_plant", "created_by", "created")
    list_filter = ("source", "inter_plant", "park")
    search_fields = ("name", "park__code", "park__name_vi")
    autocomplete_fields = ("park", "created_by")
    readonly_fields = ("created", "result")
    list_select_related = ("park", "created_by")


@admin.register(HeatStudy)
class HeatStudyAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "created_by", "created")
    list_filter = ("park",)
    search_fields = ("name", "park__code", "park__name_vi")
    autocomplete_fields = ("park", "created_by")
    readonly_fields = ("created", "result")
    list_select_related = ("park", "created_by")
