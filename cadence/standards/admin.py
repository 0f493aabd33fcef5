"""Read-only in the admin: a standard changes through the promotion review, never by a free edit."""

from django.contrib import admin

from cadence.standards.models import Citation, Contradiction, Standard, StandardVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ("code", "statement", "status", "owner", "effective_date", "rereview_date", "version")
    list_filter = ("status", "touchpoints")
    search_fields = ("statement",)


@admin.register(StandardVersion)
class StandardVersionAdmin(ReadOnlyAdmin):
    list_display = ("standard", "number", "change", "actor", "created_at")


@admin.register(Contradiction)
class ContradictionAdmin(ReadOnlyAdmin):
    list_display = ("standard", "experiment", "reason", "created_at", "resolved_at")


@admin.register(Citation)
class CitationAdmin(ReadOnlyAdmin):
    """Written by the proposal form, the API and the templates (cadence.standards.citations)."""

    list_display = ("standard", "experiment", "kind", "created_by", "created_at")
    list_filter = ("kind",)
