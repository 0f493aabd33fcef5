"""The review board's members are told when there is something to vote on, with a link to the vote."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from approvals.models import Notification
from cadence.reviews.agenda import build_agenda
from cadence.reviews.occurrences import ensure_meeting
from tests.cadence.reviews.conftest import chair  # noqa: F401
from tests.cadence.reviews.helpers import ended, make_series, send
from tests.experiments.web import https_client
from tests.mailing.links import mails_to, open_link

pytestmark = pytest.mark.django_db


def test_every_voter_is_told_what_to_vote_on_and_the_invitation_links_to_the_vote(
    chair,  # noqa: F811
    board_member,
    proposer,
    approver,
    signal_owner,
    django_capture_on_commit_callbacks,
):
    meeting = ensure_meeting(make_series(chair, board_member, quorum=2), timezone.now() + dt.timedelta(days=3))
    ended(proposer, approver, signal_owner)
    build_agenda(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        send(meeting)
    for voter in (chair, board_member):
        [notice] = Notification.objects.filter(user=voter, kind="review_agenda")
        assert "1 item to vote on" in notice.message and "What to do next:" in notice.message
        assert notice.link == meeting.get_absolute_url()
        [invitation] = mails_to(mail.outbox, voter)  # one email each: the invitation, with the .ics
        [link] = [line.split(": ", 1)[1] for line in invitation.body.splitlines() if line.startswith("Vote here: ")]
        page = open_link(https_client(voter), link)
        assert page.status_code == 200 and page.resolver_match.url_name == "review-meeting"
