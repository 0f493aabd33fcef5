from django.core.management import call_command

from experiments.models import Experiment, ExperimentEvent, Status


def test_demo_data_covers_the_lifecycle_and_is_idempotent(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    statuses = set(Experiment.objects.values_list("status", flat=True))
    assert {Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED, Status.RUNNING, Status.STOPPED,
            Status.CONCLUDED, Status.REJECTED, Status.CHANGES_REQUESTED} <= statuses
    events = ExperimentEvent.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert ExperimentEvent.objects.count() == events
    assert Experiment.objects.count() == 8
    # Every demo experiment got there through the lifecycle: its last event says where it is.
    for exp in Experiment.objects.all():
        assert exp.events.order_by("-created_at", "-pk").first().to_status == exp.status
