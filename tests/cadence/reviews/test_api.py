"""The review API: same rules as the pages."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cadence.reviews.agenda import build_agenda
from cadence.reviews.occurrences import ensure_meeting
from cadence.standards.models import Standard
from experiments.models import Experiment, Status
from tests.cadence.reviews.helpers import ended, make_series, send
from tests.factories import refusal_fields

pytestmark = pytest.mark.django_db


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def item(chair, board_member, proposer, approver, signal_owner):
    series = make_series(chair, board_member, proposer)
    meeting = ensure_meeting(series, timezone.now() + dt.timedelta(days=2))
    ended(proposer, approver, signal_owner)
    build_agenda(meeting)
    send(meeting)
    return meeting.items.get()


def test_meetings_visible_to_the_board_only(item, board_member, outsider):
    listed = api(board_member).get("/api/reviews/meetings/", secure=True).json()
    assert [m["id"] for m in listed["results"]] == [item.meeting.pk]
    assert api(outsider).get("/api/reviews/meetings/", secure=True).json()["results"] == []
    assert api(outsider).get(f"/api/reviews/meetings/{item.meeting.pk}/", secure=True).status_code == 404
    assert api().get("/api/reviews/meetings/", secure=True).status_code in (401, 403)


def test_vote_rules_through_the_api(item, board_member, proposer, outsider):
    url = f"/api/reviews/items/{item.pk}/votes/"
    refused = api(proposer).post(url, {"choice": "for"}, format="json", secure=True)
    assert refused.status_code == 403 and "you do not vote on it" in refused.json()["detail"]
    bad = api(board_member).post(url, {"choice": "maybe"}, format="json", secure=True)
    assert bad.status_code == 400 and "choice" in refusal_fields(bad)
    assert (
        api(board_member).post(url, {"choice": "for", "comment": "Yes"}, format="json", secure=True).status_code == 201
    )
    assert api(board_member).post(url, {"choice": "for"}, format="json", secure=True).status_code == 409
    assert api(outsider).post(url, {"choice": "for"}, format="json", secure=True).status_code == 404


def test_chair_promotes_through_the_api(item, chair, board_member, standards_keeper):
    url = f"/api/reviews/items/{item.pk}/decision/"
    body = {"decision": "promote", "statement": "Greet briefly.", "keeper": standards_keeper.username}
    assert api(board_member).post(url, body, format="json", secure=True).status_code == 403
    early = api(chair).post(url, body, format="json", secure=True)
    assert early.status_code == 409 and "the chair may open it early" in early.json()["detail"]
    assert api(chair).post(f"/api/reviews/meetings/{item.meeting_id}/open-early/", secure=True).status_code == 200
    api(board_member).post(f"/api/reviews/items/{item.pk}/votes/", {"choice": "for"}, format="json", secure=True)
    no_quorum = api(chair).post(url, body, format="json", secure=True)
    assert no_quorum.status_code == 409 and "No quorum" in no_quorum.json()["detail"]
    present = {"members": [chair.username, "priya_proposer"]}
    assert (
        api(chair)
        .post(f"/api/reviews/meetings/{item.meeting_id}/attendance/", present, format="json", secure=True)
        .status_code
        == 200
    )
    missing = api(chair).post(url, {**body, "statement": ""}, format="json", secure=True)
    assert missing.status_code == 400 and [p["field"] for p in missing.json()["problems"]] == ["statement"]
    done = api(chair).post(url, body, format="json", secure=True)
    assert done.status_code == 201, done.json()
    standard = Standard.objects.get(pk=done.json()["standard"])
    assert Experiment.objects.get(pk=item.experiment_id).status == Status.PROMOTED
    assert api(chair).post(url, body, format="json", secure=True).status_code == 409
    meeting = api(board_member).get(f"/api/reviews/meetings/{item.meeting.pk}/", secure=True).json()
    assert meeting["items"][0]["decision"]["kind"] == "promote"
    catalogue = api(board_member).get("/api/standards/?status=active&touchpoint=chat&q=briefly", secure=True).json()
    assert [s["id"] for s in catalogue["results"]] == [standard.pk]
    assert catalogue["results"][0]["versions"][0]["change"] == "created"
    assert api(board_member).get("/api/standards/?touchpoint=phone", secure=True).json()["results"] == []


def test_standards_api_is_read_only(item, admin_user):
    assert api(admin_user).post("/api/standards/", {"statement": "x"}, format="json", secure=True).status_code == 405


def test_chair_builds_the_agenda_through_the_api(item, chair, board_member):
    url = f"/api/reviews/meetings/{item.meeting.pk}/agenda/"
    assert api(board_member).post(url, secure=True).status_code == 403
    response = api(chair).post(url, secure=True)
    assert response.status_code == 200 and len(response.json()["items"]) == 1
