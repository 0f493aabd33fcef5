from django.contrib import admin

from approvals.models import (
    ApprovalPolicy,
    ApprovalRequest,
    Decision,
    Notification,
    RequestComment,
    Snapshot,
    TouchpointCharter,
)


@admin.register(TouchpointCharter)
class TouchpointCharterAdmin(admin.ModelAdmin):
    list_display = ["touchpoint", "owner", "backup"]
    autocomplete_fields = ["owner", "backup"]


@admin.register(ApprovalPolicy)
class ApprovalPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "touchpoint", "sensitive_category", "requirement", "role", "count", "is_active"]
    list_filter = ["requirement", "is_active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """The record of decisions is kept by the app; the admin may read it, never rewrite it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    list_display = ["experiment", "kind", "status", "opened_at", "closed_at", "reminded_at", "escalated_at"]
    list_filter = ["kind", "status"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["request", "approver", "slot", "verdict", "created_at"]
    list_filter = ["verdict"]


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    list_display = ["experiment", "number", "created_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "experiment", "created_at", "read_at"]
    list_filter = ["kind"]


@admin.register(RequestComment)
class RequestCommentAdmin(ReadOnlyAdmin):
    list_display = ["request", "author", "created_at"]
