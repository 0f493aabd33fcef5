from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from mailing.models import EmailFailure, Outbox


@admin.register(EmailFailure)
class EmailFailureAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "attempts", "last_failed_at", "delivered_at", "error"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "recipient", "error"]
    readonly_fields = [f.name for f in EmailFailure._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "summary", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    list_filter = ["status", "kind"]
    search_fields = ["dedupe_key", "last_error"]
    readonly_fields = [f.name for f in Outbox._meta.fields]
    actions = ["retry"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        counts = dict(Outbox.objects.values_list("status").annotate(n=Count("pk")).order_by())
        by_status = ", ".join(f"{label}: {counts.get(value, 0)}" for value, label in Outbox.Status.choices)
        self.message_user(request, _("Outbox — %(counts)s") % {"counts": by_status}, level=messages.INFO)
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description=_("Retry the selected failed messages"), permissions=["retry"])
    def retry(self, request, queryset):
        from mailing.outbox import retry_failed

        count = retry_failed(queryset)
        self.message_user(request, _("%(count)s message(s) queued again.") % {"count": count})

    def has_retry_permission(self, request):
        return request.user.has_perm("mailing.change_outbox")
