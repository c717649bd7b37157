"""Administration of investment projects. The stage moves through ``finance.services``
(which writes the stage history) and verification is a board or consultant step, so both
are read-only here."""

from django.contrib import admin

from .models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "park",
        "enterprise",
        "category",
        "source",
        "stage",
        "capex_vnd",
        "savings_vnd_per_year",
        "benefits_verified",
        "updated",
    )
    list_filter = ("stage", "category", "source", "benefits_verified", "park")
    search_fields = ("title", "enterprise__name_vi", "park__code", "resource_code")
    autocomplete_fields = ("park", "enterprise", "owner")
    raw_id_fields = ("match", "agreement", "scenario", "measure")
    readonly_fields = (
        "stage",
        "benefits_verified",
        "verified_by",
        "verified_on",
        "verified_note",
        "version",
        "created",
        "updated",
    )
    list_select_related = ("park", "enterprise")
