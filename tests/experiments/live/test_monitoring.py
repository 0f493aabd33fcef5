"""One look of the monitoring slot on constructed daily data: the decision, its record and its act."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from approvals.models import Notification
from experiments.live import monitoring
from experiments.live.monitoring import awaiting_promotion, run_check
from experiments.models import Check, Experiment, Status
from tests.experiments.live.test_monitoring_data import assign, quiet, started, write_day, write_rates  # noqa: F401
from tests.factories import make_experiment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

D0 = dt.date(2026, 3, 2)
HARMFUL = {("complaint-rate", "short"): 0.10}  # complaints from 3 % to 10 %: far beyond the margin
WINNING = {("fcr", "short"): 0.76, ("complaint-rate", "short"): 0.02, ("escalation-rate", "short"): 0.06}


def on(day: dt.date, hour: int = 6, minute: int = 5):
    """Freeze the clock on `day` at the given local time (the slot runs at 06:00)."""
    return time_machine.travel(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))), tick=False)


@pytest.fixture
def experiment(proposer, co_author, approver, signal_owner):
    experiment = started(proposer, approver, on=D0, days=28)
    experiment.co_authors.add(co_author)
    return experiment


def involved_usernames():
    return ["alex_approver", "colin_coauthor", "priya_proposer", "sam_signal"]


@pytest.mark.approvals
def test_a_harmful_guardrail_stops_it_with_event_check_and_notifications(experiment):
    look_date = D0 + dt.timedelta(days=3)
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    with on(look_date):
        check = run_check(experiment.pk, look_date)

    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED
    assert experiment.next_check_at is None
    assert (check.action, check.outcome, check.trigger) == ("stop", "lost", "schedule")
    assert check.sentence.startswith("Stop and roll back: complaint rate 7 points higher: clearly worse than control")
    assert check.result["action"] == "stop" and check.result["sentence"] == check.sentence
    harmed = next(m for m in check.result["metrics"] if m["metric"] == "complaint-rate")
    assert harmed["status"] == "harm" and harmed["n_treatment"] == 3000
    assert check.units == {"control": 3000, "short": 3000}
    assert check.information_fraction == pytest.approx(
        6000 / monitoring.build_look(experiment, look_date).design.planned_units
    )
    assert check.data_through == timezone.make_aware(dt.datetime(2026, 3, 3, 12, 0))
    assert (check.days_elapsed, check.final, check.look) == (3, False, 1)

    stop = experiment.events.get(action="stop")
    assert stop.actor is None and stop.reason == check.sentence
    notes = Notification.objects.filter(kind=Notification.Kind.STOPPED)
    assert sorted(notes.values_list("user__username", flat=True)) == involved_usernames()
    assert all(check.sentence in note.message for note in notes)


def test_a_sample_ratio_mismatch_stops_it_as_invalid(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, {})
    assign(experiment, D0 + dt.timedelta(days=2), control=600, short=0)  # the treatment stopped enrolling
    with on(D0 + dt.timedelta(days=3)):
        check = run_check(experiment.pk, D0 + dt.timedelta(days=3))

    assert (check.action, check.outcome) == ("stop", "invalid")
    assert check.sentence.startswith("Stop (invalid):")
    assert check.units == {"control": 3600, "short": 3000}
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED
    assert experiment.events.get(action="stop").reason == check.sentence


@pytest.mark.approvals
def test_a_clear_win_after_the_minimum_runtime_concludes_it_as_won(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=2), 8000, WINNING)
    look_date = D0 + dt.timedelta(days=8)
    with on(look_date):
        check = run_check(experiment.pk, look_date)

    assert (check.action, check.outcome) == ("conclude", "won")
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome, experiment.next_check_at) == (Status.CONCLUDED, "won", None)
    assert list(experiment.events.filter(actor=None).values_list("action", flat=True)) == [
        "start",
        "complete",
        "conclude",
    ]
    assert experiment.events.get(action="conclude").reason == check.sentence
    notes = Notification.objects.filter(kind=Notification.Kind.CONCLUDED)
    assert sorted(notes.values_list("user__username", flat=True)) == involved_usernames()
    assert list(awaiting_promotion()) == [experiment]


def test_the_same_win_before_the_minimum_runtime_continues_to_the_next_slot(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=2), 8000, WINNING)
    look_date = D0 + dt.timedelta(days=4)
    with on(look_date):
        check = run_check(experiment.pk, look_date)

    assert check.action == "continue"
    assert "minimum runtime of 7 days has not passed yet (day 4)" in check.sentence
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    assert experiment.next_check_at == timezone.make_aware(dt.datetime(2026, 3, 7, 6, 0))
    assert not Notification.objects.filter(kind__in=["stopped", "concluded"]).exists()


def test_the_final_look_concludes_without_an_effect(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=2), 3000, {})
    with on(experiment.planned_end):
        check = run_check(experiment.pk, experiment.planned_end)

    assert (check.action, check.outcome, check.final) == ("conclude", "inconclusive", True)
    assert check.sentence.startswith("Conclude (no effect shown): the planned maximum was reached.")
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome) == (Status.CONCLUDED, "inconclusive")
    assert list(awaiting_promotion()) == []


def test_no_data_yet_continues_saying_so(experiment):
    with on(D0):
        check = run_check(experiment.pk, D0)

    assert check.action == "continue"
    assert check.sentence == "Continue: not enough data yet — each arm needs at least 10 units and control has 0."
    assert (check.units, check.data_through) == ({"control": 0, "short": 0}, None)
    experiment.refresh_from_db()
    assert experiment.next_check_at == timezone.make_aware(dt.datetime(2026, 3, 3, 6, 0))


@pytest.mark.approvals
def test_bad_data_is_recorded_as_an_error_and_signal_owners_are_told(experiment):
    write_rates(experiment, D0, 100, {})
    assign(experiment, D0 + dt.timedelta(days=1), control=10, short=10)
    write_day(experiment, D0 + dt.timedelta(days=1), "short", "fcr", 10, 60)  # 60 successes among 10 units
    with on(D0 + dt.timedelta(days=1)):
        check = run_check(experiment.pk, D0 + dt.timedelta(days=1))

    assert check.action == "error"
    assert check.sentence.startswith(
        "Could not check: metrics[fcr].short.successes: cannot exceed the number of units (130 > 110)."
    )
    assert check.result["field"] == "metrics[fcr].short.successes"
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    assert experiment.next_check_at == timezone.make_aware(dt.datetime(2026, 3, 4, 6, 0))
    notes = Notification.objects.filter(experiment=experiment, kind=Notification.Kind.CHECK_FAILED)
    assert list(notes.values_list("user__username", flat=True)) == ["sam_signal"]
    assert check.sentence in notes.get().message


def test_each_look_passes_the_earlier_fractions_on(experiment):
    write_rates(experiment, D0, 2000, {})
    with on(D0 + dt.timedelta(days=1)):
        first = run_check(experiment.pk, D0 + dt.timedelta(days=1))
    write_rates(experiment, D0 + dt.timedelta(days=1), 2000, {})
    with on(D0 + dt.timedelta(days=2)):
        second = run_check(experiment.pk, D0 + dt.timedelta(days=2))

    assert (first.look, second.look) == (1, 2)
    assert second.information_fraction == pytest.approx(2 * first.information_fraction)
    # the second boundary is the one of a two-look design: lower than a first look at the same fraction
    assert second.result["metrics"][0]["boundary"] < first.result["metrics"][0]["boundary"]


# --- exactly once --------------------------------------------------------------------------------


@pytest.mark.approvals
def test_running_the_same_look_twice_gives_one_check_and_one_stop(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    with on(D0 + dt.timedelta(days=3)):
        first = run_check(experiment.pk, D0 + dt.timedelta(days=3))
        again = run_check(experiment.pk, D0 + dt.timedelta(days=3))

    assert again.pk == first.pk
    assert Check.objects.count() == 1
    assert experiment.events.filter(action="stop").count() == 1
    assert Notification.objects.filter(kind="stopped", user__username="sam_signal").count() == 1


def test_a_stopped_experiment_is_not_checked_again_on_a_later_day(experiment):
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    with on(D0 + dt.timedelta(days=4)):
        run_check(experiment.pk, D0 + dt.timedelta(days=3))
        assert run_check(experiment.pk, D0 + dt.timedelta(days=4)) is None
    assert Check.objects.count() == 1


def test_a_stale_look_older_than_the_latest_is_not_taken(experiment):
    with on(D0 + dt.timedelta(days=5)):
        run_check(experiment.pk, D0 + dt.timedelta(days=5))
        assert run_check(experiment.pk, D0 + dt.timedelta(days=4)) is None
    assert list(Check.objects.values_list("look_date", flat=True)) == [D0 + dt.timedelta(days=5)]


def test_a_look_in_the_future_is_refused(experiment):
    with on(D0), pytest.raises(ValueError, match="look_date"):
        run_check(experiment.pk, D0 + dt.timedelta(days=1))


def test_an_experiment_that_is_not_running_is_left_alone(proposer, approver):
    approved = make_experiment(
        proposer, approver, status=Status.APPROVED, planned_start=D0, planned_end=D0 + dt.timedelta(days=9)
    )
    with on(D0):
        assert run_check(approved.pk, D0) is None
    assert not Check.objects.exists()
    assert Experiment.objects.get(pk=approved.pk).status == Status.APPROVED


def test_a_task_for_an_experiment_deleted_since_is_a_no_op(db):
    with on(D0):
        assert run_check(987654, D0) is None


def test_the_retried_task_records_one_check_and_one_stop(experiment):
    from experiments.tasks import check_experiment

    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, HARMFUL)
    with on(D0 + dt.timedelta(days=3)):
        first = check_experiment.apply(args=(experiment.pk, "2026-03-05"))
        retried = check_experiment.apply(args=(experiment.pk, "2026-03-05"))

    assert first.successful() and retried.successful()
    assert first.result == retried.result == Check.objects.get().pk
    assert experiment.events.filter(action="stop").count() == 1


def test_awaiting_promotion_lists_concluded_wins_not_yet_promoted(proposer, approver):
    won = make_experiment(proposer, approver, status=Status.CONCLUDED)
    Experiment.objects.filter(pk=won.pk).update(outcome="won")
    lost = make_experiment(proposer, approver, status=Status.CONCLUDED)
    Experiment.objects.filter(pk=lost.pk).update(outcome="lost")
    promoted = make_experiment(proposer, approver, status=Status.PROMOTED)
    Experiment.objects.filter(pk=promoted.pk).update(outcome="won")

    assert list(awaiting_promotion()) == [won]


def test_a_check_that_could_not_decide_can_be_taken_again_the_same_day(proposer, approver):
    """The data are fixed after an error: the operator checks again and gets a real decision."""
    from unittest import mock

    from experiments.live import monitoring
    from experiments.stats.inputs import StatsInputError

    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    today = timezone.localdate()
    with mock.patch.object(monitoring, "build_look", side_effect=StatsInputError("metrics[fcr]", "bad sums")):
        failed = monitoring.run_check(experiment.pk, today)
    assert failed.action == Check.Action.ERROR

    again = monitoring.run_check(experiment.pk, today)
    assert again.pk != failed.pk and again.action == Check.Action.CONTINUE
    assert monitoring.run_check(experiment.pk, today).pk == again.pk  # and then the look is taken
    assert list(experiment.checks.values_list("action", flat=True).order_by("pk")) == ["error", "continue"]
