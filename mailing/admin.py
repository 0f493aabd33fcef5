from django.contrib import admin

from mailing.models import EmailFailure


@admin.register(EmailFailure)
class EmailFailureAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "attempts", "last_failed_at", "delivered_at", "error"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["subject", "recipient", "error"]
    readonly_fields = [f.name for f in EmailFailure._meta.fields]

    def has_add_permission(self, request):
        return False
