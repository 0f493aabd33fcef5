"""The review keeps its time, with frozen clocks: votes once the agenda is sent, the chair's decisions
from the start (or after opening early, recorded), and only with a quorum. Service, page and API."""

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cadence.reviews.agenda import build_agenda
from cadence.reviews.decisions import ReviewRefusal, cast_vote, decide
from cadence.reviews.meeting_actions import mark_present, open_early
from cadence.reviews.models import Attendance, Decision, ReviewMeeting
from cadence.reviews.occurrences import ensure_meeting, next_start
from tests.cadence.reviews.helpers import ended, make_series, send
from tests.experiments.web import https_client
from tests.experiments.web import text_of as raw_text_of

pytestmark = pytest.mark.django_db

NOT_OPEN = "Decisions open at the meeting's start, Tue 5 Jan 10:00; the chair may open it early."
DECEMBER_3 = "2026-12-03 10:00Z"  # a month before the meeting
JANUARY_5_AFTER_START = "2027-01-05 09:30Z"  # 10:30 in Amsterdam: the meeting runs


def text_of(page: str) -> str:
    return html.unescape(raw_text_of(page))


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def decide_by_api(user, item, decision="decline"):
    return api(user).post(f"/api/reviews/items/{item.pk}/decision/", {"decision": decision}, format="json", secure=True)


@pytest.fixture
def item(chair, board_member, other_board_member, proposer, approver, signal_owner):
    """January's review (first Tuesday, 5 Jan 2027 10:00 Amsterdam; quorum 2) with one won experiment,
    its agenda built on 3 December."""
    series = make_series(chair, board_member, other_board_member, quorum=2)
    with time_machine.travel(DECEMBER_3, tick=False):
        meeting = ensure_meeting(series, next_start(series, dt.datetime(2026, 12, 10, tzinfo=dt.UTC)))
        ended(proposer, approver, signal_owner)
        build_agenda(meeting)
    return meeting.items.get()


def test_votes_wait_for_the_agenda_to_be_sent(item, board_member):
    with time_machine.travel(DECEMBER_3, tick=False):
        with pytest.raises(ReviewRefusal, match="Votes open when the agenda is sent") as refused:
            cast_vote(item, board_member, "for")
        assert refused.value.status_code == 409
        response = api(board_member).post(
            f"/api/reviews/items/{item.pk}/votes/", {"choice": "for"}, format="json", secure=True
        )
        assert response.status_code == 409 and "agenda is sent" in response.json()["detail"]
        page = text_of(https_client(board_member).get(item.meeting.get_absolute_url()).content.decode())
        assert "Votes open when the agenda is sent." in page and "Record my vote" not in page
        send(item.meeting)
        cast_vote(item, board_member, "for")


def test_the_chair_cannot_decide_a_month_early_service_page_and_api(item, chair, board_member, other_board_member):
    with time_machine.travel(DECEMBER_3, tick=False):
        send(item.meeting)
        cast_vote(item, board_member, "for")
        cast_vote(item, other_board_member, "for")  # a quorum by votes: the time alone refuses
        with pytest.raises(ReviewRefusal) as refused:
            decide(item, chair, "decline")
        assert refused.value.message == NOT_OPEN and refused.value.status_code == 409

        page = https_client(chair).get(item.meeting.get_absolute_url()).content.decode()
        assert NOT_OPEN in text_of(page) and "Record the decision" not in text_of(page)
        assert "Open the meeting early" in text_of(page)
        posted = https_client(chair).post(
            reverse("review-decide", args=[item.pk]), {f"item{item.pk}-decision": "decline"}
        )
        assert posted.status_code == 409 and NOT_OPEN in text_of(posted.content.decode())

        response = decide_by_api(chair, item)
        assert response.status_code == 409 and response.json()["detail"] == NOT_OPEN
        meeting = api(chair).get(f"/api/reviews/meetings/{item.meeting_id}/", secure=True).json()
        assert meeting["decisions_open"] is False
    assert not Decision.objects.exists()
    with time_machine.travel(JANUARY_5_AFTER_START, tick=False):
        assert decide(item, chair, "decline").kind == "decline"


def test_opening_early_is_the_chairs_recorded_choice(item, chair, board_member, other_board_member):
    with time_machine.travel(DECEMBER_3, tick=False):
        with pytest.raises(ReviewRefusal, match="Send the agenda"):
            open_early(item.meeting, chair)
        send(item.meeting)
        with pytest.raises(ReviewRefusal, match="Only the chair") as not_chair:
            open_early(item.meeting, board_member)
        assert not_chair.value.status_code == 403
        assert https_client(board_member).post(reverse("review-open-early", args=[item.meeting_id])).status_code == 403
        assert https_client(chair).post(reverse("review-open-early", args=[item.meeting_id])).status_code == 302
        meeting = ReviewMeeting.objects.get(pk=item.meeting_id)
        assert meeting.opened_early_by == chair and meeting.opened_early_at.isoformat().startswith("2026-12-03T10:00")
        page = text_of(https_client(board_member).get(meeting.get_absolute_url()).content.decode())
        assert f"opened early by {chair.get_full_name()} at Thu 3 Dec 11:00" in page
        again = api(chair).post(f"/api/reviews/meetings/{meeting.pk}/open-early/", secure=True)
        assert again.status_code == 409

        cast_vote(item, board_member, "for")
        cast_vote(item, other_board_member, "for")
        assert decide(item, chair, "decline").created_at.isoformat().startswith("2026-12-03")


def test_open_early_through_the_api(item, chair, board_member):
    with time_machine.travel(DECEMBER_3, tick=False):
        send(item.meeting)
        url = f"/api/reviews/meetings/{item.meeting_id}/open-early/"
        assert api(board_member).post(url, secure=True).status_code == 403
        opened = api(chair).post(url, secure=True)
        assert opened.status_code == 200
        body = opened.json()
        assert body["opened_early_by"] == chair.username and body["decisions_open"] is True
        assert body["state"].startswith("Open: opened early by")


def test_no_decision_without_the_quorum(item, chair, board_member, other_board_member):
    with time_machine.travel(JANUARY_5_AFTER_START, tick=False):
        send(item.meeting)
        cast_vote(item, board_member, "for")
        with pytest.raises(ReviewRefusal) as refused:
            decide(item, chair, "decline")
        assert refused.value.status_code == 409
        assert refused.value.message.startswith("No quorum: 1 of the 2 board members needed")
        page = text_of(https_client(chair).get(item.meeting.get_absolute_url()).content.decode())
        assert "Quorum: 1 of 2 board members present or voted." in page
        response = decide_by_api(chair, item)
        assert response.status_code == 409 and "No quorum" in response.json()["detail"]
        assert api(chair).get(f"/api/reviews/meetings/{item.meeting_id}/", secure=True).json()["quorum"] == {
            "present": 1,
            "required": 2,
            "members_present": [board_member.username],
        }

        # The chair marks a member present (recorded): the quorum is met.
        with pytest.raises(ReviewRefusal, match="Only the chair"):
            mark_present(item.meeting, board_member, [other_board_member])
        marked = https_client(chair).post(
            reverse("review-attendance", args=[item.meeting_id]), {"members": [other_board_member.pk]}
        )
        assert marked.status_code == 302
        row = Attendance.objects.get()
        assert (row.member, row.marked_by) == (other_board_member, chair)
        assert decide(item, chair, "decline").tally == {"for": 1, "against": 0, "abstain": 0}


def test_only_board_members_count_and_can_be_marked(item, chair, outsider, admin_user):
    with time_machine.travel(JANUARY_5_AFTER_START, tick=False):
        send(item.meeting)
        with pytest.raises(ReviewRefusal, match="Not on the review board: nora_norole") as refused:
            mark_present(item.meeting, chair, [outsider])
        assert refused.value.field == "members"
        response = api(chair).post(
            f"/api/reviews/meetings/{item.meeting_id}/attendance/",
            {"members": [chair.username, admin_user.username]},
            format="json",
            secure=True,
        )
        assert response.status_code == 400 and "Not on the review board" in response.json()["detail"]
        done = api(chair).post(
            f"/api/reviews/meetings/{item.meeting_id}/attendance/",
            {"members": [chair.username]},
            format="json",
            secure=True,
        )
        assert done.status_code == 200 and done.json()["quorum"]["present"] == 1
