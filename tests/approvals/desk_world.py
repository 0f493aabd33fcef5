"""A page of requests that carries every kind of evidence: overlaps, standards in force, a bias
note, a resubmission after changes were requested, and a plan too short for its effects."""

import datetime as dt

from approvals import services
from cadence.standards.models import Standard
from experiments.lifecycle import transition
from experiments.models import Status, Touchpoint
from tests.factories import make_experiment

REQUESTED = "Measure escalations as a guardrail with a 1 point margin, please."


def chat_standard(owner) -> Standard:
    standard = Standard.objects.create(
        statement="Greet chat customers in one sentence.",
        owner=owner,
        effective_date=dt.date(2026, 1, 5),
        rereview_date=dt.date(2027, 1, 5),
    )
    standard.touchpoints.set(Touchpoint.objects.filter(key="chat"))
    return standard


def resubmitted(proposer, approver, **fields):
    """Changes requested by `approver`, then the owner edits the title and resubmits."""
    experiment = make_experiment(proposer, approver, title="Shorter chat greeting, first try", **fields)
    transition(experiment, "submit", proposer)
    services.decide(experiment, approver, "request_changes", REQUESTED)
    experiment.refresh_from_db()
    experiment.title = "Shorter chat greeting, second try"
    experiment.save(update_fields=["title"])
    transition(experiment, "submit", proposer)
    return experiment


def busy_page(proposer, approver, standards_keeper, count: int):
    """`count` proposals waiting for `approver`, each with overlaps, a standard in force, and
    (every other one) an AI bias note; one resubmitted; one too short to detect its effects."""
    chat_standard(standards_keeper)
    for _ in range(3):
        make_experiment(proposer, approver, status=Status.APPROVED)
    submitted = [resubmitted(proposer, approver)]
    for n in range(count - 1):
        fields = {"bias_note": "Checked for language bias."} if n % 2 else {}
        if n == 0:
            fields["expected_daily_traffic"] = 2000  # the plan needs far more days than planned
        experiment = make_experiment(proposer, approver, **fields)
        transition(experiment, "submit", proposer)
        submitted.append(experiment)
    return submitted
