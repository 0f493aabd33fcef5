"""The one place a person's language and time zone are read and saved (middleware, settings page,
language switch and demo data all go through here)."""

import zoneinfo

from django.conf import settings

from accounts.models import PersonSettings


def settings_for(user) -> PersonSettings:
    """The person's saved settings, or unsaved blank ones (nothing chosen yet)."""
    found = PersonSettings.objects.filter(user=user).first()
    return found or PersonSettings(user=user)


def save_language(user, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"{language!r} is not one of LANGUAGES")
    PersonSettings.objects.update_or_create(user=user, defaults={"language": language})


def save(user, *, language: str, time_zone: str) -> PersonSettings:
    """Both settings at once (the settings page; its form has checked them)."""
    row, _created = PersonSettings.objects.update_or_create(
        user=user, defaults={"language": language, "time_zone": time_zone}
    )
    return row


def time_zone_of(row: PersonSettings):
    """The person's zone, or None (the site's TIME_ZONE) when none is chosen or it no longer exists."""
    if not row.time_zone:
        return None
    try:
        return zoneinfo.ZoneInfo(row.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
