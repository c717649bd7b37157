from django.contrib import admin

from .models import Certificate, Enterprise, Organization, Park, Province, SharedFacility


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


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name_vi", "tax_code", "park", "vsic", "size", "ownership")
    list_filter = ("park", "size", "ownership")
    search_fields = ("name_vi", "name_en", "tax_code")
    inlines = [CertificateInline]
