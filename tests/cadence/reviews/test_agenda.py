"""Agenda building with frozen time: what is in, what is not; idempotent; the summary."""

import datetime as dt

import pytest
import time_machine

from cadence.reviews.agenda import build_agenda
from cadence.reviews.models import AgendaItem, ReviewMeeting
from cadence.reviews.occurrences import ensure_meeting, next_start
from cadence.standards.models import Standard
from tests.cadence.reviews.helpers import ended, make_series, promote_through_review

pytestmark = pytest.mark.django_db


def test_first_tuesday_rule_in_the_series_time_zone(chair):
    series = make_series(chair)
    with time_machine.travel("2026-03-04 12:00Z", tick=False):
        start = next_start(series, dt.datetime.now(dt.UTC))
    assert start.isoformat() == "2026-04-07T10:00:00+02:00"  # summer time in Amsterdam


def test_agenda_holds_won_since_last_review_due_and_contradicted_standards_only(
    chair, board_member, proposer, approver, signal_owner, standards_keeper
):
    series = make_series(chair, board_member)
    with time_machine.travel("2026-02-10 09:00Z", tick=False):
        before_last = ended(proposer, approver, signal_owner, title="Won before the last review")
        stale = promote_through_review(before_last, chair, standards_keeper)
    last = ensure_meeting(series, next_start(series, dt.datetime(2026, 3, 1, tzinfo=dt.UTC)))  # 3 March
    with time_machine.travel("2026-03-20 09:00Z", tick=False):
        won = ended(proposer, approver, signal_owner, title="Won this month")
        lost = ended(proposer, approver, signal_owner, outcome="lost", title="Lost this month", touchpoints=("phone",))
        already = ended(proposer, approver, signal_owner, title="Won and promoted", touchpoints=("email",))
        promote_through_review(already, chair, standards_keeper, statement="Email briefly.")
        contradicting = ended(proposer, approver, signal_owner, outcome="lost", title="Later loss on chat")
    # stale's re-review comes due before April's meeting
    Standard.objects.filter(pk=stale.pk).update(rereview_date=dt.date(2026, 4, 1))
    meeting = ensure_meeting(series, next_start(series, dt.datetime(2026, 3, 4, tzinfo=dt.UTC)))  # 7 April
    assert meeting.starts_at.date() == dt.date(2026, 4, 7)

    with time_machine.travel("2026-04-04 08:00Z", tick=False):
        build_agenda(meeting)
    items = list(meeting.items.all())
    experiments_on = {i.experiment for i in items if i.experiment}
    assert experiments_on == {won}
    assert lost not in experiments_on and already not in experiments_on and before_last not in experiments_on
    assert contradicting not in experiments_on
    standard_item = next(i for i in items if i.standard)
    assert standard_item.standard == stale
    assert sorted(standard_item.reasons) == ["contradicted", "rereview_due"]
    won_item = next(i for i in items if i.experiment)
    assert won_item.evidence["checks_count"] == 1
    assert won_item.evidence["metrics"][0]["interval"] == [0.9, 3.9]
    assert won_item.evidence["guardrails"][0]["label"] == "Complaint rate"
    meeting.refresh_from_db()
    assert meeting.since == last.starts_at
    summary = meeting.summary
    assert (summary["run"], summary["won"], summary["lost"]) == (4, 2, 2)
    assert summary["stopped"] == 0
    # Built again: nothing duplicated.
    with time_machine.travel("2026-04-05 08:00Z", tick=False):
        build_agenda(meeting)
    assert AgendaItem.objects.filter(meeting=meeting).count() == 2


def test_a_won_experiment_after_the_meeting_waits_for_the_next_one(chair, proposer, approver, signal_owner):
    series = make_series(chair)
    meeting = ensure_meeting(series, next_start(series, dt.datetime(2026, 3, 4, tzinfo=dt.UTC)))
    with time_machine.travel("2026-04-08 09:00Z", tick=False):
        ended(proposer, approver, signal_owner)
    build_agenda(meeting)
    assert not meeting.items.exists()
    assert ReviewMeeting.objects.count() == 1


def test_first_meeting_takes_every_won_experiment_awaiting_promotion(chair, proposer, approver, signal_owner):
    series = make_series(chair)
    with time_machine.travel("2025-06-01 09:00Z", tick=False):
        old = ended(proposer, approver, signal_owner)
    meeting = ensure_meeting(series, next_start(series, dt.datetime(2026, 3, 4, tzinfo=dt.UTC)))
    build_agenda(meeting)
    assert [i.experiment for i in meeting.items.all()] == [old]
