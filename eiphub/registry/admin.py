import datetime as dt

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import (
    Certificate,
    Enterprise,
    EnterpriseHasHistory,
    Organization,
    Park,
    Province,
    SharedFacility,
    Tenancy,
)
from .services import archive_enterprise


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region")
    search_fields = ("code", "name")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "province")
    list_filter = ("kind",)
    search_fields = ("name", "tax_code")


class FacilityInline(admin.TabularInline):
    model = SharedFacility
    extra = 0


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "province", "developer", "status", "eco_status")
    list_filter = ("province", "status", "eco_status")
    search_fields = ("code", "name_vi", "name_en")
    inlines = [FacilityInline]


@admin.register(SharedFacility)
class SharedFacilityAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "kind", "capacity", "capacity_unit", "commissioned_on")
    list_filter = ("kind", "park")
    search_fields = ("name", "park__code", "park__name_vi")
    autocomplete_fields = ("park",)
    list_select_related = ("park",)


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


class TenancyInline(admin.TabularInline):
    """Park membership history: enter the date the enterprise entered (and left)."""

    model = Tenancy
    extra = 1


@admin.action(description=_("Archive (left the park or closed) today"))
def archive_today(modeladmin, request, queryset):
    for ent in queryset.filter(archived_on__isnull=True):
        archive_enterprise(ent, dt.date.today())


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name_vi", "tax_code", "park", "vsic", "size", "ownership", "archived_on")
    list_filter = ("park", "size", "ownership")
    search_fields = ("name_vi", "name_en", "tax_code")
    inlines = [TenancyInline, CertificateInline]
    actions = [archive_today]

    def delete_model(self, request, obj):
        try:
            obj.delete()
        except EnterpriseHasHistory:
            self.message_user(
                request,
                _("This enterprise has recorded history and cannot be deleted; archive it."),
                messages.ERROR,
            )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
