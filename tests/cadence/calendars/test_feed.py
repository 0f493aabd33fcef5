"""The per-user .ics feed: what a calendar app gets at the secret address, read back with icalendar."""

import datetime as dt
import logging

import pytest
import time_machine
from django.test import override_settings
from icalendar import Calendar

from cadence.calendars.feeds import feed_for, feed_path, regenerate
from cadence.calendars.models import CalendarFeed
from tests.cadence.calendars.conftest import FAKE
from tests.cadence.calendars.fake_provider import JAKARTA
from tests.experiments.web import https_client

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def fetch(path):
    return https_client().get(path)  # no session: calendar apps cannot sign in


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


@time_machine.travel(NOW, tick=False)
def test_the_feed_holds_the_users_meetings_with_their_times_and_uids(meetings, proposer, approver):
    slot_start = dt.datetime(2026, 3, 3, 10, 0, tzinfo=JAKARTA)
    meetings.schedule(
        "ideas-slot-meeting-7@pagar",
        slot_start,
        [proposer, approver],
        url="https://pagar.example/slots/7/",
        location="Room Merapi",
    )
    review_start = dt.datetime(2026, 3, 27, 14, 0, tzinfo=dt.UTC)
    meetings.schedule(
        "review-meeting-3@pagar",
        review_start,
        [proposer],
        summary="Monthly promotion review",
        hours=2,
        url="/reviews/3/",
    )
    meetings.schedule("ideas-slot-meeting-8@pagar", slot_start + dt.timedelta(days=7), [approver])  # not hers

    calendar = parsed(fetch(feed_path(feed_for(proposer))))

    assert str(calendar["x-wr-calname"]) == f"Pagar — {proposer}"
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"ideas-slot-meeting-7@pagar", "review-meeting-3@pagar"}
    slot = events["ideas-slot-meeting-7@pagar"]
    assert slot.decoded("dtstart") == slot_start and slot.decoded("dtstart").utcoffset() == dt.timedelta(hours=7)
    assert slot.decoded("dtend") == slot_start + dt.timedelta(hours=1)
    assert str(slot["location"]) == "Room Merapi" and str(slot["url"]) == "https://pagar.example/slots/7/"
    review = events["review-meeting-3@pagar"]
    assert str(review["summary"]) == "Monthly promotion review"
    assert str(review["url"]) == "https://testserver/reviews/3/"  # a site link made absolute for calendar apps
    assert review.decoded("dtstart") == review_start and review.decoded("dtend") == review_start + dt.timedelta(hours=2)


@time_machine.travel(NOW, tick=False)
def test_the_feed_covers_a_month_back_and_half_a_year_ahead(meetings, proposer):
    for days in (-31, -29, 179, 181):
        meetings.schedule(f"m{days}@pagar", NOW + dt.timedelta(days=days), [proposer])
    calendar = parsed(fetch(feed_path(feed_for(proposer))))
    assert sorted(str(e["uid"]) for e in calendar.walk("VEVENT")) == ["m-29@pagar", "m179@pagar"]


def test_a_user_without_meetings_gets_an_empty_calendar(meetings, outsider):
    calendar = parsed(fetch(feed_path(feed_for(outsider))))
    assert calendar.walk("VEVENT") == []


def test_an_unknown_token_is_not_found(meetings, proposer):
    feed_for(proposer)
    assert fetch("/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_an_inactive_users_feed_is_not_found(meetings, proposer):
    path = feed_path(feed_for(proposer))
    proposer.is_active = False
    proposer.save(update_fields=["is_active"])
    assert fetch(path).status_code == 404


def test_regenerating_invalidates_the_old_address(meetings, proposer):
    old_path = feed_path(feed_for(proposer))
    assert fetch(old_path).status_code == 200
    new_path = feed_path(regenerate(proposer))
    assert new_path != old_path
    assert fetch(old_path).status_code == 404
    assert fetch(new_path).status_code == 200
    assert CalendarFeed.objects.filter(user=proposer).count() == 1


def test_each_user_has_their_own_unguessable_token(meetings, proposer, approver):
    mine, theirs = feed_for(proposer), feed_for(approver)
    assert mine.token != theirs.token and len(mine.token) >= 43
    assert feed_for(proposer).token == mine.token  # stable until regenerated


@time_machine.travel(NOW, tick=False)
def test_a_provider_not_landed_yet_is_skipped_with_a_warning(meetings, proposer, caplog):
    meetings.schedule("ideas-slot-meeting-1@pagar", NOW + dt.timedelta(days=1), [proposer])
    missing = "cadence.not_built_yet.calendar.calendar_events"
    with override_settings(CALENDAR_PROVIDERS=[missing, FAKE]), caplog.at_level(logging.WARNING):
        calendar = parsed(fetch(feed_path(feed_for(proposer))))
    assert [str(e["uid"]) for e in calendar.walk("VEVENT")] == ["ideas-slot-meeting-1@pagar"]
    assert any(missing in record.getMessage() for record in caplog.records)


def test_the_default_providers_are_the_ideas_slot_and_the_review(settings):
    assert settings.CALENDAR_PROVIDERS == [
        "cadence.ideas.calendar.calendar_events",
        "cadence.reviews.calendar.calendar_events",
    ]


def test_the_feed_is_kept_out_of_shared_caches(meetings, proposer):
    response = fetch(feed_path(feed_for(proposer)))
    assert "no-store" in response["Cache-Control"]
