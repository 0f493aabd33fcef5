"""Per-person notification channels: the one place that says whether someone hears of an event
by email, in the app, and in the daily digest."""

from mailing.models import NotificationPreference

CHANNELS = ("email", "in_app", "digest")


def preferences_for(users) -> dict[int, NotificationPreference]:
    """Each user's preferences by pk; an unsaved all-channels-on row for those who never chose."""
    users = [u for u in users if u is not None]
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users])}
    return {u.pk: saved.get(u.pk) or NotificationPreference(user=u) for u in users}


def wants(user, channel: str) -> bool:
    return getattr(preferences_for([user])[user.pk], channel)
