"""Web pages; included at the site root."""

from django.urls import path

from cadence.ideas.views import ideas, meetings

urlpatterns = [
    path("ideas/", ideas.idea_list, name="idea-list"),
    path("ideas/new/", ideas.idea_create, name="idea-create"),
    path("ideas/<int:pk>/", ideas.idea_detail, name="idea-detail"),
    path("ideas/<int:pk>/edit/", ideas.idea_edit, name="idea-edit"),
    path("ideas/<int:pk>/vote/", ideas.idea_vote, name="idea-vote"),
    path("ideas/<int:pk>/comment/", ideas.idea_comment, name="idea-comment"),
    path("ideas/<int:pk>/rate/", ideas.idea_rate, name="idea-rate"),
    path("ideas/slot/", meetings.meeting_list, name="idea-meeting-list"),
    path("ideas/slot/series/<int:series_pk>/open-next/", meetings.open_next_meeting, name="idea-series-open-next"),
    path("ideas/slot/<int:pk>/", meetings.meeting_detail, name="idea-meeting-detail"),
    path("ideas/slot/<int:pk>/agenda/", meetings.meeting_build_agenda, name="idea-meeting-build-agenda"),
    path("ideas/slot/<int:pk>/ideas/<int:idea_pk>/decide/", meetings.meeting_decide, name="idea-meeting-decide"),
    path("ideas/slot/<int:pk>/open-early/", meetings.meeting_open_early, name="idea-meeting-open-early"),
    path("ideas/slot/<int:pk>/minutes/", meetings.meeting_follow_ups, name="idea-meeting-minutes"),
]
