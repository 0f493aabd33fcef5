"""The weekly slot keeps its time, with frozen clocks: the facilitator decides from the meeting's start,
or after opening it early (recorded and shown). Service, page and API."""

import html

import pytest
import time_machine
from rest_framework.test import APIClient

from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.decisions import decide, open_early
from cadence.ideas.models import SlotDecision, SlotMeeting
from experiments.lifecycle import IllegalMove, NotPermitted
from tests.cadence.ideas.builders import make_idea
from tests.experiments.web import https_client, text_of

pytestmark = pytest.mark.django_db

MONDAY = "2026-12-07 09:00Z"  # the slot meets on Wednesday 9 Dec, 10:00 in Amsterdam
WEDNESDAY_DURING = "2026-12-09 09:15Z"  # 10:15 in Amsterdam
NOT_OPEN = "Decisions open at the meeting's start, Wed 9 Dec 10:00; the facilitator may open it early."


@pytest.fixture
def agenda(series, approver):
    with time_machine.travel(MONDAY, tick=False):
        idea = make_idea(approver, "Callback instead of queueing")
        meeting = next_meeting(series)
        build_agenda(meeting)
    return meeting, idea


def page_text(client, meeting):
    return html.unescape(text_of(client.get(meeting.get_absolute_url()).content.decode()))


def test_no_decision_days_before_the_slot(agenda, facilitator):
    meeting, idea = agenda
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(IllegalMove) as refused:
            decide(meeting, idea, facilitator, "decline", reason="No")
        assert refused.value.message == NOT_OPEN and refused.value.status_code == 409
        page = page_text(https_client(facilitator), meeting)
        assert NOT_OPEN in page and "Record decision" not in page and "Open the meeting early" in page
        prefix = f"idea-{idea.pk}-"
        posted = https_client(facilitator).post(
            f"/ideas/slot/{meeting.pk}/ideas/{idea.pk}/decide/", {prefix + "action": "decline", prefix + "reason": "No"}
        )
        assert posted.status_code == 409 and NOT_OPEN in html.unescape(text_of(posted.content.decode()))
        client = APIClient()
        client.force_authenticate(facilitator)
        response = client.post(
            f"/api/idea-meetings/{meeting.pk}/decisions/",
            {"idea": idea.pk, "action": "decline", "reason": "No"},
            format="json",
            secure=True,
        )
        assert response.status_code == 409 and response.json()["detail"] == NOT_OPEN
    assert not SlotDecision.objects.exists()
    with time_machine.travel(WEDNESDAY_DURING, tick=False):
        assert "Open: the meeting has started" in page_text(https_client(facilitator), meeting)
        decision = decide(meeting, idea, facilitator, "decline", reason="No")
        assert decision.decided_at.isoformat().startswith("2026-12-09")


def test_opening_early_is_recorded_and_shown(agenda, facilitator, approver):
    meeting, idea = agenda
    with time_machine.travel(MONDAY, tick=False):
        with pytest.raises(NotPermitted, match="Only the slot's facilitator"):
            open_early(meeting, approver)
        open_early(meeting, facilitator)
        fresh = SlotMeeting.objects.get(pk=meeting.pk)
        assert fresh.opened_early_by == facilitator and fresh.opened_early_at.isoformat().startswith("2026-12-07T09:00")
        shown = page_text(https_client(approver), fresh)
        assert f"opened early by {facilitator.get_full_name()} at Mon 7 Dec 10:00" in shown
        with pytest.raises(IllegalMove, match="open already"):
            open_early(fresh, facilitator)
        assert decide(fresh, idea, facilitator, "decline", reason="Done elsewhere").action == "decline"


def test_the_facilitator_cannot_open_a_started_meeting_early(agenda, facilitator):
    meeting, _ = agenda
    with time_machine.travel(WEDNESDAY_DURING, tick=False), pytest.raises(IllegalMove, match="has started"):
        open_early(meeting, facilitator)
