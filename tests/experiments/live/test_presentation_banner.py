"""The decision banner: the latest check's sentence and what it means, per case."""

import datetime as dt

import pytest
import time_machine

from experiments import lifecycle
from experiments.live import presentation
from experiments.models import Check, Status
from tests.experiments.live.checks_factory import clear_win, error_check, guardrail_drift, record_looks
from tests.factories import make_experiment

START = dt.date(2026, 11, 10)
UTC = dt.UTC
NINTH_DAY = dt.datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.fixture
def running(proposer, approver):
    return make_experiment(
        proposer, approver, status=Status.RUNNING, planned_start=START, planned_end=START + dt.timedelta(days=27)
    )


def fresh_at(now):
    return presentation.freshness(now - dt.timedelta(hours=8), now - dt.timedelta(hours=7), now=now, running=True)


def test_running_before_the_first_check(running):
    running.next_check_at = dt.datetime(2026, 11, 19, 6, 0, tzinfo=UTC)
    banner = presentation.banner(running, [], now=NINTH_DAY, fresh=fresh_at(NINTH_DAY))
    assert banner.headline == "Running — day 9 of 28, next check 19 Nov 2026 06:00"
    assert banner.sentence == "No check has run yet."
    assert banner.tone == "info" and "stops it by itself" in banner.meaning


def test_running_and_continuing(running):
    checks = record_looks(running, days=8)
    running.next_check_at = dt.datetime(2026, 11, 19, 6, 0, tzinfo=UTC)
    banner = presentation.banner(running, checks, now=NINTH_DAY, fresh=fresh_at(NINTH_DAY))
    assert banner.headline == "Running — day 9 of 28, next check 19 Nov 2026 06:00"
    assert banner.sentence == checks[-1].sentence and banner.sentence.startswith("Continue")
    assert (banner.tone, banner.meaning) == ("ok", presentation.CONTINUE_MEANING)
    assert banner.check == checks[-1]


def test_running_on_stale_data_says_so_first(running):
    checks = record_looks(running, days=5)
    late = checks[-1].data_through + dt.timedelta(days=3)
    fresh = presentation.freshness(checks[-1].data_through, checks[-1].data_through, now=late, running=True)
    banner = presentation.banner(running, checks, now=late, fresh=fresh)
    assert banner.tone == "warn"
    assert banner.meaning.startswith("The newest data is 3\xa0days old")
    assert banner.sentence == checks[-1].sentence
    assert "next check not scheduled yet" in banner.headline


def test_running_after_a_check_that_could_not_decide(running):
    checks = record_looks(running, days=3)
    failed = error_check(running, checks[-1].look_date + dt.timedelta(days=1))
    banner = presentation.banner(running, checks + [failed], now=NINTH_DAY, fresh=fresh_at(NINTH_DAY))
    # Recorded on an earlier day: the same failure is recorded once, so every check since failed that way.
    since = presentation.on_day(failed.look_date)
    assert banner.headline == (
        f"Running — day 9 of 28: the last check could not decide (failing the same way since {since})"
    )
    assert banner.sentence == failed.sentence
    assert banner.tone == "warn" and banner.meaning.startswith("Nothing was changed.")


def test_stopped_automatically(running):
    checks = record_looks(running, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    running.refresh_from_db()
    stop = checks[-1]
    event = running.events.get(to_status=Status.STOPPED)
    assert running.status == Status.STOPPED and event.actor is None
    banner = presentation.banner(running, checks, now=stop.created_at + dt.timedelta(days=1), stop_event=event)
    assert banner.headline == f"Stopped automatically on {stop.created_at:%-d %b %Y}"
    assert banner.sentence == stop.sentence
    assert banner.sentence.startswith("Stop and roll back: complaint rate ")
    assert "points higher: clearly worse than control (98% interval +" in banner.sentence
    assert banner.tone == "bad" and "rolled back" in banner.meaning and "request a restart" in banner.meaning


def test_running_again_after_a_restart(running):
    checks = record_looks(running, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    running.status = Status.RUNNING  # what an approved restart does (approvals app); no check since
    now = checks[-1].created_at + dt.timedelta(days=1)
    banner = presentation.banner(running, checks, now=now, fresh=fresh_at(now))
    assert banner.headline.startswith("Running — day ")
    assert banner.sentence == f"Restarted after the check of {checks[-1].look_date:%-d %b %Y}: {checks[-1].sentence}"
    assert banner.tone == "info" and "approved restart" in banner.meaning
    lamp = presentation.light(running, checks[-1], fresh_at(now))
    assert (lamp.colour, lamp.reason) == ("green", "Restarted, next check pending")


def test_stopped_by_a_person_quotes_their_reason(running, proposer):
    checks = record_looks(running, days=4)
    with time_machine.travel(dt.datetime(2026, 11, 15, 10, 0, tzinfo=UTC), tick=False):
        event = lifecycle.transition(
            running, "stop", proposer, reason="The chat tool had an outage", lesson="We learned what the data showed."
        )
    banner = presentation.banner(running, checks, now=NINTH_DAY, stop_event=event)
    assert banner.headline == "Stopped by Priya Proposer on 15 Nov 2026"
    assert banner.sentence == "“The chat tool had an outage”"
    assert banner.meaning == f"Data collection has ended. The last check (14 Nov 2026) said: {checks[-1].sentence}"


def test_stopped_for_invalid_data_says_what_to_fix(running):
    running.status = Status.STOPPED  # as the slot leaves it (not saved: the banner reads the object)
    check = Check(
        action="stop",
        outcome="invalid",
        look_date=dt.date(2026, 11, 14),
        created_at=dt.datetime(2026, 11, 14, 6, tzinfo=UTC),
        sentence="Stop (invalid): the arms received 5,400 and 4,600 units where equal shares were planned.",
    )
    banner = presentation.banner(running, [check], now=NINTH_DAY)
    assert banner.headline == "Stopped automatically on 14 Nov 2026"
    assert banner.meaning.startswith("The arms did not receive their planned shares of units")


def test_concluded_by_the_checks(running):
    checks = record_looks(running, days=28, rates=clear_win("fcr", lift=4.0))
    running.refresh_from_db()
    last = checks[-1]
    assert (running.status, running.outcome, last.action) == (Status.CONCLUDED, "won", "conclude")
    banner = presentation.banner(running, checks, now=NINTH_DAY + dt.timedelta(days=30))
    assert banner.headline == f"The checks concluded it on {last.look_date:%-d %b %Y}: won"
    assert banner.sentence == last.sentence and banner.sentence.startswith("Conclude (won)")
    assert banner.tone == "done" and "can be shipped" in banner.meaning


def test_concluded_by_hand_after_the_checks(running, proposer):
    checks = record_looks(running, days=4)
    lifecycle.transition(running, "complete", proposer)
    lifecycle.transition(
        running, "conclude", proposer, outcome="inconclusive", lesson="We learned what the data showed."
    )
    banner = presentation.banner(running, checks, now=NINTH_DAY)
    assert banner.headline == "Concluded (inconclusive) — last check on 14 Nov 2026"
    assert banner.sentence == checks[-1].sentence


def test_nothing_to_say_before_it_ever_ran(proposer, approver):
    approved = make_experiment(proposer, approver, status=Status.APPROVED)
    assert presentation.banner(approved, [], now=NINTH_DAY) is None
    assert presentation.live_page(approved, now=NINTH_DAY) is None
