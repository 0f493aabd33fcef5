"""Where meetings come from: every function named in settings.CALENDAR_PROVIDERS, each
`calendar_events(user, since, until) -> list[CalendarEvent]`, imported when first needed.

A provider whose app has not landed yet (cannot be imported) is skipped with a warning, so the
feed and the reminders work with whatever meeting kinds exist. A provider that fails while
running is not hidden: a feed missing meetings would make calendar apps delete them.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from cadence.calendar_events import CalendarEvent

log = logging.getLogger(__name__)

Provider = Callable[..., list[CalendarEvent]]


def calendar_providers() -> list[Provider]:
    providers = []
    for path in settings.CALENDAR_PROVIDERS:
        try:
            providers.append(import_string(path))
        except ImportError as exc:
            log.warning("Calendar provider %s is not available yet, skipped: %s", path, exc)
    return providers


def events_for(user, since: dt.datetime, until: dt.datetime) -> list[CalendarEvent]:
    """Every provider's meetings for `user` in [since, until), by start time; one per uid."""
    seen: dict[str, CalendarEvent] = {}
    for provider in calendar_providers():
        for event in provider(user, since, until):
            seen.setdefault(event.uid, event)
    return sorted(seen.values(), key=lambda event: (event.start, event.uid))
