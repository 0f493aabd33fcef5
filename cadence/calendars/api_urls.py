"""API routes; included under /api/."""

from django.urls import path

from cadence.calendars.api import CalendarView, RegenerateCalendarView

urlpatterns = [
    path("calendar/", CalendarView.as_view(), name="api-calendar"),
    path("calendar/regenerate/", RegenerateCalendarView.as_view(), name="api-calendar-regenerate"),
]
