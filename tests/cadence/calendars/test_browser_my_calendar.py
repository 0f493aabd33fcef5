"""In Chromium: the next meeting leads the page, the address is there to copy, and making a new
address changes it on screen and kills the old one."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadence.calendars.models import CalendarFeed
from tests.browser.conftest import chromium, page, plain_http_for_the_live_server, screenshot  # noqa: F401
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_calendar_page(meetings, page, screenshot, proposer, live_server):  # noqa: F811
    soon = (timezone.now() + dt.timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)
    meetings.schedule(
        "ideas-slot-meeting-7@pagar", soon, [proposer], url=f"{live_server.url}/calendar/", location="Room Merapi"
    )
    meetings.schedule(
        "review-meeting-2@pagar",
        soon + dt.timedelta(days=9),
        [proposer],
        summary="Monthly promotion review",
        hours=2,
        location="Board room",
    )
    meetings.schedule("ideas-slot-meeting-8@pagar", soon + dt.timedelta(days=7), [proposer], location="Room Merapi")

    page.goto("/accounts/login/")
    page.fill("#id_username", proposer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.get_by_role("link", name="Calendar").click()

    expect(page.get_by_role("heading", name="My calendar")).to_be_visible()
    banner = page.get_by_role("region", name="Next meeting", exact=True)
    expect(banner).to_contain_text("Weekly ideas slot")
    expect(banner).to_contain_text("Room Merapi")
    old_token = CalendarFeed.objects.get(user=proposer).token
    expect(page.locator("#feed-url")).to_have_value(f"{live_server.url}/calendar/{old_token}.ics")
    expect(page.locator("table.calendar-upcoming tbody tr")).to_have_count(3)
    screenshot("calendars-my-calendar")

    assert page.request.get(f"/calendar/{old_token}.ics").status == 200
    page.get_by_role("button", name="Make a new address").click()
    expect(page.get_by_role("status")).to_contain_text("The old one no longer works")
    new_token = CalendarFeed.objects.get(user=proposer).token
    expect(page.locator("#feed-url")).to_have_value(f"{live_server.url}/calendar/{new_token}.ics")
    assert page.request.get(f"/calendar/{old_token}.ics").status == 404
    assert page.request.get(f"/calendar/{new_token}.ics").status == 200
    screenshot("calendars-my-calendar-regenerated")
