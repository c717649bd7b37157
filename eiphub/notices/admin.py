from django.contrib import admin

from .models import DeadlineOverride


@admin.register(DeadlineOverride)
class DeadlineOverrideAdmin(admin.ModelAdmin):
    list_display = ("province", "deadline", "month", "day", "remind_days")
    list_filter = ("deadline",)
