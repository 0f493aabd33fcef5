"""The ideas API: submit, edit (author only), vote, comment, rate; the slot's meetings, with
decisions and closing for the facilitator only; field errors named."""

import pytest

from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.models import Idea, IdeaStatus
from experiments.models import Experiment
from tests.cadence.ideas.builders import make_idea
from tests.experiments.api.conftest import HttpsAPIClient
from tests.factories import refusal_fields

pytestmark = pytest.mark.django_db


def api(user=None):
    client = HttpsAPIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


IDEA = {
    "title": "Callback instead of queueing",
    "pain_point": "waiting_time",
    "touchpoint": "phone",
    "hypothesis": "offer a callback after five minutes",
    "expected_effect": "CES falls by 0.2",
}


def test_anyone_signed_in_submits_and_the_author_edits(outsider, proposer):
    created = api(outsider).post("/api/ideas/", IDEA, format="json")
    assert created.status_code == 201, created.data
    assert created.data["author"] == outsider.username and created.data["status"] == "new"
    pk = created.data["id"]
    assert api(proposer).patch(f"/api/ideas/{pk}/", {"title": "Mine now"}, format="json").status_code == 403
    edited = api(outsider).patch(f"/api/ideas/{pk}/", {"title": "Callback offer"}, format="json")
    assert edited.status_code == 200 and Idea.objects.get(pk=pk).title == "Callback offer"
    assert api().get("/api/ideas/").status_code in (401, 403)


def test_field_errors_are_named(outsider):
    response = api(outsider).post("/api/ideas/", {**IDEA, "pain_point": "boredom", "touchpoint": "moon"}, format="json")
    assert response.status_code == 400
    assert refusal_fields(response) == {"pain_point", "touchpoint"}
    assert api(outsider).get("/api/ideas/?sort=random").json()["problems"] == [
        {"field": "sort", "message": "Sort by score, newest or votes."}
    ]


def test_a_decided_idea_can_no_longer_be_edited(proposer):
    idea = make_idea(proposer, status=IdeaStatus.DECLINED, decline_reason="No")
    assert api(proposer).patch(f"/api/ideas/{idea.pk}/", {"title": "Again"}, format="json").status_code == 403


def test_vote_toggles_and_rating_is_averaged(proposer, approver, outsider):
    idea = make_idea(proposer)
    assert api(approver).post(f"/api/ideas/{idea.pk}/vote/").data == {"voted": True, "votes": 1}
    assert api(outsider).post(f"/api/ideas/{idea.pk}/vote/").data == {"voted": True, "votes": 2}
    assert api(approver).post(f"/api/ideas/{idea.pk}/vote/").data == {"voted": False, "votes": 1}
    assert api(approver).put(
        f"/api/ideas/{idea.pk}/rating/", {"values": {"impact": 8, "confidence": 6, "ease": 7}}, format="json"
    ).data["score"] == pytest.approx(7.0)
    bad = api(outsider).put(
        f"/api/ideas/{idea.pk}/rating/", {"values": {"impact": 12, "confidence": 6, "ease": 7}}, format="json"
    )
    assert bad.status_code == 400 and "outside 1 to 10" in bad.json()["problems"][0]["message"]
    api(outsider).put(
        f"/api/ideas/{idea.pk}/rating/", {"values": {"impact": 3, "confidence": 3, "ease": 3}}, format="json"
    )
    detail = api(proposer).get(f"/api/ideas/{idea.pk}/").data
    assert (detail["score"], detail["rating_count"], detail["votes"]) == (pytest.approx(5.0), 2, 1)


def test_backlog_sorts_filters_and_searches(proposer, approver):
    low, high = make_idea(proposer, "Low"), make_idea(proposer, "High IVR", touchpoint="chat")
    make_idea(proposer, "Declined", status=IdeaStatus.DECLINED)
    api(approver).put(
        f"/api/ideas/{low.pk}/rating/", {"values": {"impact": 2, "confidence": 2, "ease": 2}}, format="json"
    )
    api(approver).put(
        f"/api/ideas/{high.pk}/rating/", {"values": {"impact": 9, "confidence": 9, "ease": 9}}, format="json"
    )
    titles = lambda query: [row["title"] for row in api(proposer).get(f"/api/ideas/{query}").data["results"]]  # noqa: E731
    assert titles("") == ["High IVR", "Low"]
    assert titles("?sort=newest") == ["High IVR", "Low"]
    assert titles("?touchpoint=phone") == ["Low"]
    assert titles("?q=ivr") == ["High IVR"]
    assert titles("?status=declined") == ["Declined"]
    assert len(titles("?status=all")) == 3


def test_only_the_facilitator_decides_and_closes(series, facilitator, proposer, approver):
    idea = make_idea(approver)
    meeting = next_meeting(series)
    build_agenda(meeting)
    url = f"/api/idea-meetings/{meeting.pk}/"
    assert api(approver).get(url).data["agenda"][0]["idea"]["id"] == idea.pk
    body = {"idea": idea.pk, "action": "propose", "owner": proposer.username}
    assert api(approver).post(url + "decisions/", body, format="json").status_code == 403
    assert api(proposer).post(url + "close/", {}, format="json").status_code == 403
    assert not Experiment.objects.exists()

    early = api(facilitator).post(url + "decisions/", body, format="json")
    assert early.status_code == 409 and "the facilitator may open it early" in early.json()["detail"]
    assert api(approver).post(url + "open-early/", format="json").status_code == 403
    opened = api(facilitator).post(url + "open-early/", format="json")
    assert opened.status_code == 200 and opened.data["opened_early_by"] == facilitator.username
    assert opened.data["decisions_open"] is True
    missing = api(facilitator).post(url + "decisions/", {"idea": idea.pk, "action": "decline"}, format="json")
    assert missing.status_code == 400 and "reason" in refusal_fields(missing)
    made = api(facilitator).post(url + "decisions/", body, format="json")
    assert made.status_code == 201, made.data
    assert made.data["experiment"] == Experiment.objects.get().key and made.data["decided_by"] == facilitator.username
    closed = api(facilitator).post(url + "close/", {"follow_ups": "Priya writes the metrics."}, format="json")
    assert closed.status_code == 200 and closed.data["status"] == "closed"
    assert "Priya writes the metrics." in closed.data["minutes"]
    again = api(facilitator).post(url + "close/", {}, format="json")
    assert again.status_code == 400 and "meeting" in refusal_fields(again)
