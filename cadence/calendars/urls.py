"""Web pages; included at the site root."""

from django.urls import path, re_path

from cadence.calendars import views

urlpatterns = [
    path("calendar/", views.my_calendar, name="calendar-page"),
    path("calendar/regenerate/", views.regenerate, name="calendar-regenerate"),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", views.feed, name="calendar-feed"),
]
