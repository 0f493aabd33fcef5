"""The idea pages and the meeting page: who may do what, field errors on the page."""

import pytest

from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.models import Idea, IdeaVote, SlotDecision
from experiments.models import Touchpoint
from tests.cadence.ideas.builders import make_idea
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db


def test_submit_shows_field_errors_then_saves(outsider):
    client = https_client(outsider)
    refused = client.post("/ideas/new/", {"title": "", "pain_point": "waiting_time"})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'id="field-title"' in html and "This field is required." in html
    phone = Touchpoint.objects.get(key="phone")
    saved = client.post(
        "/ideas/new/",
        {
            "title": "Callback",
            "pain_point": "waiting_time",
            "touchpoint": phone.pk,
            "hypothesis": "offer a callback",
            "expected_effect": "CES falls",
        },
    )
    idea = Idea.objects.get()
    assert saved.status_code == 302 and saved["Location"] == idea.get_absolute_url()
    assert idea.author == outsider


def test_only_the_author_edits(proposer, approver):
    idea = make_idea(proposer)
    assert https_client(approver).get(f"/ideas/{idea.pk}/edit/").status_code == 403
    assert https_client(proposer).get(f"/ideas/{idea.pk}/edit/").status_code == 200
    assert "Edit" in text_of(https_client(proposer).get(idea.get_absolute_url()).content.decode())


def test_vote_toggles_and_rating_errors_are_named(proposer, approver):
    idea = make_idea(proposer)
    client = https_client(approver)
    client.post(f"/ideas/{idea.pk}/vote/")
    assert IdeaVote.objects.filter(idea=idea, user=approver).exists()
    client.post(f"/ideas/{idea.pk}/vote/")
    assert not IdeaVote.objects.exists()
    bad = client.post(f"/ideas/{idea.pk}/rate/", {"impact": "11", "confidence": "5", "ease": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Ensure this value is less than or equal to 10." in html and "This field is required." in html
    client.post(f"/ideas/{idea.pk}/rate/", {"impact": "8", "confidence": "6", "ease": "7"})
    idea.refresh_from_db()
    assert idea.score == pytest.approx(7.0)


def test_backlog_page_lists_open_ideas_by_score(proposer, approver):
    from cadence.ideas.scoring import rate

    low, high = make_idea(proposer, "Low idea"), make_idea(proposer, "High idea")
    rate(high, approver, {"impact": 9, "confidence": 9, "ease": 9})
    rate(low, approver, {"impact": 2, "confidence": 2, "ease": 2})
    text = text_of(https_client(approver).get("/ideas/").content.decode())
    assert text.index("High idea") < text.index("Low idea")
    newest = text_of(https_client(approver).get("/ideas/?sort=newest&q=low").content.decode())
    assert "Low idea" in newest and "High idea" not in newest


def test_meeting_page_decisions_are_the_facilitators(series, facilitator, proposer, approver):
    idea = make_idea(approver, "Callback")
    meeting = next_meeting(series)
    build_agenda(meeting)
    prefix = f"idea-{idea.pk}-"
    url = f"/ideas/slot/{meeting.pk}/ideas/{idea.pk}/decide/"

    page = https_client(approver).get(meeting.get_absolute_url()).content.decode()
    assert "Callback" in page and "Record decision" not in page
    assert https_client(approver).post(url, {prefix + "action": "decline", prefix + "reason": "No"}).status_code == 403

    client = https_client(facilitator)
    early = client.post(url, {prefix + "action": "decline", prefix + "reason": "No"})
    assert early.status_code == 409 and "the facilitator may open it early" in early.content.decode()
    assert https_client(approver).post(f"/ideas/slot/{meeting.pk}/open-early/").status_code == 403
    assert client.post(f"/ideas/slot/{meeting.pk}/open-early/").status_code == 302
    assert "Record decision" in client.get(meeting.get_absolute_url()).content.decode()
    missing = client.post(url, {prefix + "action": "decline"})
    assert missing.status_code == 400 and "Say why the idea is declined" in missing.content.decode()
    made = client.post(url, {prefix + "action": "propose", prefix + "owner": proposer.pk})
    assert made.status_code == 302
    decision = SlotDecision.objects.get()
    assert decision.experiment.owner == proposer
    closed = client.post(f"/ideas/slot/{meeting.pk}/minutes/", {"follow_ups": "Book the IVR team", "close": "1"})
    assert closed.status_code == 302
    page = text_of(client.get(meeting.get_absolute_url()).content.decode())
    assert "Closed" in page and "Book the IVR team" in page and decision.experiment.key in page


def test_the_meeting_page_costs_the_same_with_3_or_12_ideas_on_the_agenda(series, facilitator, proposer, approver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = https_client(facilitator)
    meeting = next_meeting(series)
    client.post(f"/ideas/slot/{meeting.pk}/open-early/")

    def queries_with(count):
        for n in range(count - meeting.agenda.count()):
            make_idea(approver, f"Idea {n}", touchpoint=("phone", "chat", "email")[n % 3])
        build_agenda(meeting)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(meeting.get_absolute_url()).content.decode()
        assert page.count("Record decision") == count
        return len(captured)

    assert queries_with(3) == queries_with(12)
