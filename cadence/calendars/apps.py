from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "cadence.calendars"
    label = "calendars"
    verbose_name = "Calendar feeds"
