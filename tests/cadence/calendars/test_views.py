"""My calendar page and the calendar API, per role; strangers are sent away."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadence.calendars.feeds import feed_for, feed_path
from cadence.calendars.models import CalendarFeed
from tests.cadence.calendars.fake_provider import JAKARTA
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SLOT = dt.datetime(2026, 3, 3, 10, 0, tzinfo=JAKARTA)
ROLES = ["proposer", "approver", "signal_owner", "standards_keeper", "board_member", "outsider", "admin_user"]


class HttpsAPIClient(APIClient):
    def generic(self, method, path, data="", content_type="application/octet-stream", secure=True, **extra):
        return super().generic(method, path, data, content_type, secure=True, **extra)


def api_as(user=None):
    client = HttpsAPIClient()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
@time_machine.travel(NOW, tick=False)
def test_every_signed_in_user_sees_their_address_and_next_meetings(meetings, request, role):
    user = request.getfixturevalue(role)
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [user], url="https://pagar.example/slots/7/")
    response = https_client(user).get("/calendar/")
    assert response.status_code == 200
    html = response.content.decode()
    token = CalendarFeed.objects.get(user=user).token
    assert f"https://testserver/calendar/{token}.ics" in html
    assert f"webcal://testserver/calendar/{token}.ics" in html
    text = text_of(html)
    assert "Next meeting Weekly ideas slot" in text
    for app in ("Google Calendar:", "Outlook:", "Apple Calendar:"):
        assert app in text


@time_machine.travel(NOW, tick=False)
def test_the_page_says_when_there_is_no_meeting(meetings, outsider):
    text = text_of(https_client(outsider).get("/calendar/").content.decode())
    assert "No meetings in the next 60 days." in text


def test_strangers_are_sent_to_sign_in(meetings):
    response = https_client().get("/calendar/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/calendar/")
    response = https_client().post("/calendar/regenerate/")
    assert response.status_code == 302 and CalendarFeed.objects.count() == 0


def test_the_page_links_from_the_menu(meetings, proposer):
    html = https_client(proposer).get("/calendar/").content.decode()
    assert f'<a href="{reverse("calendar-page")}" aria-current="page">' in html  # in the main menu


def test_regenerate_from_the_page_changes_the_address(meetings, proposer):
    old = feed_for(proposer).token
    response = https_client(proposer).post("/calendar/regenerate/", follow=True)
    assert response.status_code == 200
    new = CalendarFeed.objects.get(user=proposer).token
    assert new != old and new in response.content.decode()
    assert "The old one no longer works" in text_of(response.content.decode())


def test_regenerate_needs_post_and_the_csrf_token(meetings, proposer):
    old = feed_for(proposer).token
    assert https_client(proposer).get("/calendar/regenerate/").status_code == 405
    assert https_client(proposer, enforce_csrf_checks=True).post("/calendar/regenerate/").status_code == 403
    assert CalendarFeed.objects.get(user=proposer).token == old


@pytest.mark.parametrize("role", ROLES)
@time_machine.travel(NOW, tick=False)
def test_the_api_gives_each_user_their_own_address_and_meetings(meetings, request, role):
    user = request.getfixturevalue(role)
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [user], location="Room Merapi")
    meetings.schedule("someone-elses@pagar", SLOT, [])
    body = api_as(user).get("/api/calendar/").json()
    assert body["feed_url"] == "https://testserver" + feed_path(feed_for(user))
    uids = [event["uid"] for event in body["events"]]
    if user.is_superuser:  # the providers give an administrator every meeting
        assert sorted(uids) == ["ideas-slot-meeting-7@pagar", "someone-elses@pagar"]
    else:
        assert uids == ["ideas-slot-meeting-7@pagar"]
    event = body["events"][0]
    assert dt.datetime.fromisoformat(event["start"]) == SLOT and event["location"] == "Room Merapi"


def test_api_regenerate_gives_the_new_address_and_kills_the_old(meetings, proposer):
    old_path = feed_path(feed_for(proposer))
    body = api_as(proposer).post("/api/calendar/regenerate/").json()
    assert body["feed_url"] != "https://testserver" + old_path
    assert https_client().get(old_path).status_code == 404
    assert https_client().get(body["feed_url"].removeprefix("https://testserver")).status_code == 200


def test_the_api_refuses_strangers(meetings):
    for method, path in [("get", "/api/calendar/"), ("post", "/api/calendar/regenerate/")]:
        response = getattr(api_as(), method)(path)
        assert response.status_code in (401, 403)
    assert CalendarFeed.objects.count() == 0


def test_the_api_is_in_the_schema(admin_user):
    paths = api_as(admin_user).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert "get" in paths["/api/calendar/"] and "post" in paths["/api/calendar/regenerate/"]
