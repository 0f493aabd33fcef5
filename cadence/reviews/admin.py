"""The series is set here; saving it creates/updates its beat task (occurrences.sync_periodic_task)."""

from django.contrib import admin

from cadence.reviews.models import ReviewMeeting, ReviewSeries


@admin.register(ReviewSeries)
class ReviewSeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "rule_label", "time", "timezone", "chair", "quorum", "active")
    filter_horizontal = ("members",)
    fieldsets = (
        (None, {"fields": ("name", "chair", "members", "quorum", "active")}),
        (
            "When",
            {
                "fields": (
                    "day_of_month",
                    "first_weekday",
                    "time",
                    "timezone",
                    "duration_minutes",
                    "agenda_days_before",
                    "location",
                )
            },
        ),
    )


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(admin.ModelAdmin):
    list_display = ("series", "starts_at", "agenda_built_at", "agenda_sent_at", "opened_early_at")
    readonly_fields = ("agenda_built_at", "agenda_sent_at", "opened_early_at", "opened_early_by", "since", "summary")
