"""The review agenda's "What we learned": the month's losses and stops with their lessons (or
flagged when a check ended one and nobody wrote it); the minutes keep it."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from cadence.reviews.agenda import build_agenda
from cadence.reviews.occurrences import ensure_meeting, next_start
from experiments import lessons, lifecycle
from tests.cadence.reviews.helpers import ended, make_series
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def test_a_lost_experiment_is_listed_under_what_we_learned_with_its_lesson(
    chair, board_member, proposer, approver, signal_owner
):
    series = make_series(chair, board_member)
    meeting = ensure_meeting(series, next_start(series, dt.datetime(2026, 3, 4, tzinfo=dt.UTC)))  # 7 April
    with time_machine.travel("2026-03-20 09:00Z", tick=False):
        lost = ended(
            proposer,
            approver,
            proposer,
            outcome="lost",
            title="Delivery window by SMS",
            lesson="Customers ignore texts sent before eight.",
        )
        ended(proposer, approver, signal_owner, title="A win is not a lesson row")
        by_check = make_experiment(proposer, approver, status="running", title="IVR shortcut")
        lifecycle.transition(by_check, "stop", None, reason="The escalation rate crossed its margin.")
    with time_machine.travel("2026-04-04 08:00Z", tick=False):
        build_agenda(meeting)
    meeting.refresh_from_db()
    rows = {row["key"]: row for row in meeting.summary["learned"]}
    assert set(rows) == {lost.key, by_check.key}
    assert (rows[lost.key]["ending"], rows[lost.key]["learned"], rows[lost.key]["missing"]) == (
        "lost",
        "Customers ignore texts sent before eight.",
        False,
    )
    assert (rows[by_check.key]["ending"], rows[by_check.key]["missing"]) == ("stopped", True)

    client = https_client(chair)
    page = text_of(client.get(meeting.get_absolute_url()).content.decode())
    assert "What we learned" in page and "Customers ignore texts sent before eight." in page
    assert "Lesson missing" in page
    markdown = client.get(reverse("review-minutes-md", args=[meeting.pk])).content.decode()
    assert "## What we learned" in markdown and "Customers ignore texts sent before eight." in markdown
    assert f"{by_check.key}: IVR shortcut (stopped) — lesson missing" in markdown
    printable = text_of(client.get(reverse("review-minutes", args=[meeting.pk])).content.decode())
    assert "Customers ignore texts sent before eight." in printable

    # The owner adds the missing lesson; building the agenda again refreshes what the minutes keep.
    lessons.update(by_check, proposer, learned="Callers with other questions press 1 too.")
    with time_machine.travel("2026-04-05 08:00Z", tick=False):
        build_agenda(meeting)
    meeting.refresh_from_db()
    rows = {row["key"]: row for row in meeting.summary["learned"]}
    assert rows[by_check.key]["learned"] == "Callers with other questions press 1 too."
    assert not rows[by_check.key]["missing"]


def test_declining_a_win_keeps_the_boards_lesson_and_a_promote_takes_none(
    chair, board_member, proposer, approver, signal_owner, standards_keeper
):
    from django.utils import timezone

    from cadence.reviews.decisions import ReviewRefusal, decide
    from tests.cadence.reviews.helpers import in_session, send

    series = make_series(chair, board_member, quorum=1)
    meeting = ensure_meeting(series, timezone.now() + dt.timedelta(days=3))
    ended(proposer, approver, signal_owner, lesson="")
    build_agenda(meeting)
    item = in_session(send(meeting)).items.get()
    with pytest.raises(ReviewRefusal) as refused:
        decide(item, chair, "promote", statement="Greet briefly.", keeper=standards_keeper, lesson="Short wins.")
    assert refused.value.field == "lesson"
    decide(item, chair, "decline", note="Too small a sample.", lesson="A two-week win in December is seasonal.")
    assert item.experiment.lesson.learned == "A two-week win in December is seasonal."
    assert item.experiment.lesson.recorded_by == chair


def test_the_decision_form_and_api_take_the_lesson(chair, board_member, proposer, approver, signal_owner):
    from django.utils import timezone

    from tests.cadence.reviews.helpers import in_session, send
    from tests.experiments.api.conftest import HttpsAPIClient

    series = make_series(chair, board_member, quorum=1)
    meeting = ensure_meeting(series, timezone.now() + dt.timedelta(days=3))
    ended(proposer, approver, signal_owner, lesson="")
    build_agenda(meeting)
    item = in_session(send(meeting)).items.get()
    page = https_client(chair).get(meeting.get_absolute_url()).content.decode()
    assert f'name="item{item.pk}-lesson"' in page
    client = HttpsAPIClient()
    client.force_login(chair)
    response = client.post(
        f"/api/reviews/items/{item.pk}/decision/",
        {"decision": "rerun", "lesson": "Phone callers differ."},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert item.experiment.lesson.learned == "Phone callers differ."
