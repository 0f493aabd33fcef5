"""A user's secret calendar feed address, and the meeting reminders already sent."""

import secrets

from django.conf import settings
from django.db import models


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)  # 43 URL-safe characters, 256 bits


class CalendarFeed(models.Model):
    """The token in the feed URL is the credential: calendar apps cannot sign in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    regenerated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"


class MeetingReminder(models.Model):
    """One row per reminder sent. The unique key is the claim: the sweep inserts the row with
    ON CONFLICT DO NOTHING and only the run whose insert landed sends, so two beats or a retried
    task never remind twice. The start is part of the key: a meeting moved later is reminded again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_reminders")
    event_uid = models.CharField(max_length=255)
    event_start = models.DateTimeField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event_uid", "event_start"], name="calendars_one_reminder_per_meeting"
            ),
        ]

    def __str__(self):
        return f"Reminder to {self.user} for {self.event_uid} at {self.event_start:%Y-%m-%d %H:%M}"
