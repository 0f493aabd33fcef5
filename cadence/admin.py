from django.contrib import admin

from cadence.models import SchedulerHeartbeat


@admin.register(SchedulerHeartbeat)
class SchedulerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "last_run_at", "runs", "worker")
    readonly_fields = ("name", "last_run_at", "runs", "worker")
