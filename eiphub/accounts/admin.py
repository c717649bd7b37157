from django.contrib import admin

from .models import ApiToken, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "province", "organization", "enterprise")
    list_filter = ("role",)
    filter_horizontal = ("assigned_parks",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "prefix", "created", "last_used")
    readonly_fields = ("key_hash", "prefix")
