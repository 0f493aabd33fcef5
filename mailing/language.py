"""The language and time zone a person reads their emails and notices in: the one place that
decides them, from the person's own settings (accounts.preferences)."""

from django.conf import settings

from accounts.preferences import settings_for, time_zone_of


def language_for(user) -> str:
    """The person's chosen language; the site's default when they chose none (or for nobody)."""
    if user is None:
        return settings.LANGUAGE_CODE
    return settings_for(user).language or settings.LANGUAGE_CODE


def time_zone_for(user):
    """The person's time zone, or None for the site's TIME_ZONE."""
    return None if user is None else time_zone_of(settings_for(user))
