import io
import pytest
from django.core.management import call_command

from experiments.models import Experiment, ExperimentEvent, Status


@pytest.mark.approvals
def test_demo_data_covers_the_lifecycle_and_is_idempotent(db):
    call_command("seed_demo", stdout=io.StringIO())
    statuses = set(Experiment.objects.values_list("status", flat=True))
    assert {
        Status.DRAFT,
        Status.PENDING_APPROVAL,
        Status.APPROVED,
        Status.RUNNING,
        Status.STOPPED,
        Status.CONCLUDED,
        Status.REJECTED,
        Status.CHANGES_REQUESTED,
    } <= statuses
    events = ExperimentEvent.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert ExperimentEvent.objects.count() == events
    assert Experiment.objects.count() == 8
    # Every demo experiment got there through the lifecycle: its last event says where it is.
    for exp in Experiment.objects.all():
        assert exp.events.order_by("-created_at", "-pk").first().to_status == exp.status


@pytest.mark.approvals
def test_the_demo_shows_a_running_experiment_with_checks_and_one_the_checks_stopped(db):
    from experiments.models import Check

    call_command("seed_demo", stdout=io.StringIO())
    running = Experiment.objects.get(key="delivery-eta-sms")
    assert running.status == Status.RUNNING
    assert running.checks.count() >= 10 and set(running.checks.values_list("action", flat=True)) == {
        Check.Action.CONTINUE
    }
    assert running.daily_stats.exists() and running.next_check_at is not None

    stopped = Experiment.objects.get(key="ivr-shortcut")
    last = stopped.checks.order_by("look_date").last()
    assert (stopped.status, last.action) == (Status.STOPPED, Check.Action.STOP)
    stop = stopped.events.get(action="stop")
    assert stop.actor is None and "escalation rate" in stop.reason


@pytest.mark.approvals
def test_the_demo_sets_up_the_cadence(db):
    from cadence.ideas.models import Idea, SlotMeeting
    from cadence.reviews.models import ReviewMeeting

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    assert Idea.objects.count() == 4 and Idea.objects.filter(score__isnull=False).count() == 3
    slot = SlotMeeting.objects.get()
    assert slot.series.facilitator.username == "omar"
    review = ReviewMeeting.objects.get()
    # The experiment the demo concluded as won waits for the board.
    assert list(review.items.values_list("experiment__key", flat=True)) == ["returns-label-in-app"]


@pytest.mark.approvals
def test_the_demo_history_stays_in_the_inbox_and_sends_no_email(db):
    from approvals.models import Notification
    from mailing.models import Outbox

    call_command("seed_demo", stdout=io.StringIO())
    assert Notification.objects.filter(user__username="alex").exists()
    assert not Outbox.objects.exists()


@pytest.mark.approvals
def test_the_demo_ships_its_won_experiment_and_the_assignment_api_serves_the_winner(db):
    from experiments.live.assignment import assign
    from experiments.models import Rollout

    call_command("seed_demo", stdout=io.StringIO())
    won = Experiment.objects.get(key="returns-label-in-app")
    rollout = Rollout.objects.get(experiment=won, reverted_at__isnull=True)
    assert (won.status, won.outcome, rollout.variant.key) == (Status.CONCLUDED, "won", "treatment")
    assert won.events.filter(action="rolled_out", actor=won.owner).exists()
    answer = assign(won.key, "customer-1", touchpoint="app")
    assert (answer.variant, answer.reason) == ("treatment", "rolled_out")


@pytest.mark.approvals
def test_the_demo_has_a_response_open_for_the_stopped_experiment_and_gaps_on_the_roles_page(db):
    from cadence.duties.models import ResponseItem
    from cadence.duties.roles_page import GAP_NO_RESPONSE_OWNER, touchpoint_roles

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
    item = ResponseItem.objects.get()
    found = (item.experiment.key, item.owner.username, item.state, item.kind)
    assert found == ("ivr-shortcut", "omar", "open", "stopped")
    gaps = {row.touchpoint.key for row in touchpoint_roles() if GAP_NO_RESPONSE_OWNER in row.gaps}
    assert "phone" not in gaps and "chat" not in gaps and "delivery" in gaps


@pytest.mark.approvals
def test_the_demo_catalogue_shows_lessons_of_its_endings(db):
    from experiments import lessons

    call_command("seed_demo", stdout=io.StringIO())
    stopped = Experiment.objects.get(key="ivr-shortcut")
    assert "escalate" in stopped.lesson.learned and stopped.lesson.recorded_by.username == "omar"
    assert not lessons.lesson_missing(stopped)
    assert Experiment.objects.get(key="returns-label-in-app").lesson.learned.startswith("Customers finish a return")
