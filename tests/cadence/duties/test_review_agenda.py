"""Open responses go on the monthly review's agenda: its page, its minutes and the agenda sent."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cadence.duties.models import ResponseItem
from cadence.reviews.agenda import build_agenda
from cadence.reviews.occurrences import ensure_meeting
from cadence.reviews.sending import agenda_text
from tests.cadence.duties.test_responses import stop_by_check
from tests.cadence.reviews.helpers import make_series
from tests.experiments.web import https_client, text_of
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.approvals]


def test_the_agenda_lists_the_open_responses_and_not_the_closed(experiment, responder):
    chair = make_user("carla_chair", "board")
    stop_by_check(experiment)
    meeting = ensure_meeting(make_series(chair), timezone.now() + dt.timedelta(days=2))
    build_agenda(meeting)
    meeting.refresh_from_db()
    [listed] = meeting.summary["open_responses"]
    assert (listed["experiment"], listed["owner"], listed["kind"]) == (
        experiment.key,
        "Rosa Responder",
        "Stopped by a check",
    )
    assert f"Stopped by a check: {experiment.title} ({experiment.key}), Rosa Responder" in agenda_text(meeting)
    page = text_of(https_client(chair).get(reverse("review-meeting", args=[meeting.pk])).content.decode())
    assert "Open responses" in page and experiment.title in page

    ResponseItem.objects.update(state=ResponseItem.State.CLOSED)
    build_agenda(meeting)  # building again refreshes the summary
    meeting.refresh_from_db()
    assert meeting.summary["open_responses"] == []
    assert "Open responses" not in agenda_text(meeting)
