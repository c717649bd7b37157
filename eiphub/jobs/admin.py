from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "owner",
        "park",
        "attempts",
        "created",
        "finished",
    )
    list_filter = ("status", "kind")
    search_fields = ("kind", "dedupe_key", "owner__username")
    readonly_fields = ("created", "dispatched", "started", "finished", "heartbeat", "worker")
