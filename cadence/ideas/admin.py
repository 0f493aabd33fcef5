from django.contrib import admin

from cadence.ideas.models import (
    AgendaItem,
    Idea,
    IdeaComment,
    IdeaRating,
    ScoringCriterion,
    ScoringModel,
    SlotDecision,
    SlotMeeting,
    SlotSeries,
)


class CriterionInline(admin.TabularInline):
    model = ScoringCriterion
    extra = 1
    prepopulated_fields = {"key": ("name",)}


@admin.register(ScoringModel)
class ScoringModelAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")
    inlines = [CriterionInline]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "touchpoint", "pain_point", "score", "author", "created_at")
    list_filter = ("status", "touchpoint", "pain_point")
    search_fields = ("title", "hypothesis")
    readonly_fields = ("score", "rating_count", "experiment")


@admin.register(SlotSeries)
class SlotSeriesAdmin(admin.ModelAdmin):
    list_display = ("name", "weekday", "time", "timezone", "facilitator", "active", "periodic_task")
    filter_horizontal = ("attendees",)
    readonly_fields = ("periodic_task",)


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    readonly_fields = ("idea", "reason", "position")
    can_delete = False


@admin.register(SlotMeeting)
class SlotMeetingAdmin(admin.ModelAdmin):
    list_display = ("series", "starts_at", "status", "agenda_sent_at", "closed_at")
    list_filter = ("series", "status")
    inlines = [AgendaInline]


@admin.register(SlotDecision)
class SlotDecisionAdmin(admin.ModelAdmin):
    list_display = ("idea", "action", "meeting", "owner", "decided_by", "decided_at")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(IdeaComment)
admin.site.register(IdeaRating)
