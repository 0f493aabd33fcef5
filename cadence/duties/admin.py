from django.contrib import admin

from cadence.duties.models import ResponseItem


@admin.register(ResponseItem)
class ResponseItemAdmin(admin.ModelAdmin):
    """Read-only: items open when a check fires and close on their page or through the API."""

    list_display = ("experiment", "kind", "owner", "state", "due_at", "closed_at")
    list_filter = ("state", "kind")
    search_fields = ("experiment__key", "owner__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
