"""Administration of the exchange: listings, matches, agreements and licensed handlers.

Statuses move through ``exchange.workflow`` (which records who did what and when), so the
admin shows them read-only."""

from django.contrib import admin

from .models import Agreement, Listing, Match
from .models_nego import HandlerLicence


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind",
        "enterprise",
        "resource_code",
        "quantity",
        "unit",
        "period",
        "disclosure",
        "status",
        "created",
    )
    list_filter = ("kind", "status", "disclosure", "hazardous", "enterprise__park")
    search_fields = (
        "resource_code",
        "resource_text",
        "enterprise__name_vi",
        "enterprise__tax_code",
    )
    autocomplete_fields = ("enterprise",)
    readonly_fields = ("status", "version", "source_flow_key", "created", "updated")
    list_select_related = ("enterprise",)
    date_hierarchy = "created"


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "offer",
        "want",
        "score",
        "matched_quantity",
        "unit",
        "pathway",
        "status",
        "offer_accepted",
        "want_accepted",
        "created",
    )
    list_filter = ("status", "pathway", "offer_accepted", "want_accepted")
    search_fields = (
        "offer__resource_code",
        "offer__enterprise__name_vi",
        "want__enterprise__name_vi",
    )
    raw_id_fields = ("offer", "want")
    readonly_fields = ("status", "offer_accepted", "want_accepted", "created")
    list_select_related = ("offer", "want")


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "supplier",
        "receiver",
        "resource_code",
        "quantity_per_year",
        "unit",
        "status",
        "starts_on",
        "ends_on",
        "supplier_confirmed",
        "receiver_confirmed",
    )
    list_filter = ("status", "pathway", "supplier__park")
    search_fields = (
        "resource_code",
        "supplier__name_vi",
        "supplier__tax_code",
        "receiver__name_vi",
        "receiver__tax_code",
    )
    raw_id_fields = ("match",)
    autocomplete_fields = ("supplier", "receiver")
    readonly_fields = ("status", "supplier_confirmed", "receiver_confirmed")
    list_select_related = ("supplier", "receiver")


@admin.register(HandlerLicence)
class HandlerLicenceAdmin(admin.ModelAdmin):
    list_display = (
        "licence_number",
        "holder_name",
        "tax_code",
        "authority",
        "province",
        "valid_from",
        "valid_to",
        "enterprise",
    )
    list_filter = ("province", "authority")
    search_fields = ("licence_number", "holder_name", "tax_code")
    autocomplete_fields = ("enterprise",)
    readonly_fields = ("imported", "source")
    list_select_related = ("enterprise",)
