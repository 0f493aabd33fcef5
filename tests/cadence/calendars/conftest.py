import pytest
from django.test import override_settings

from tests.cadence.calendars import fake_provider

FAKE = "tests.cadence.calendars.fake_provider.calendar_events"


@pytest.fixture
def meetings():
    """The fake provider, alone in CALENDAR_PROVIDERS, with no meetings yet: use .schedule()."""
    fake_provider.SCHEDULED.clear()
    fake_provider.CALLS.clear()
    with override_settings(CALENDAR_PROVIDERS=[FAKE]):
        yield fake_provider
    fake_provider.SCHEDULED.clear()
    fake_provider.CALLS.clear()
