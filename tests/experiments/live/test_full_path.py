"""The whole live path through what users and services call: approve, start, assign, send harmful
data, the check stops it, assignment answers control at once, everyone involved is told."""

import io
import datetime as dt
import random
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from approvals.models import Notification
from experiments.live.assignment import clear_caches
from experiments.live.assignment_buffer import flush_assignments
from experiments.models import AssignmentCount, Check, Status
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_client():
    from accounts.tokens import issue
    from tests.experiments.api.conftest import HttpsAPIClient

    def client_for(user):
        """A service calling with its token, as the assignment and data clients do."""
        client = HttpsAPIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue(user)[1]}")
        return client

    return client_for


@pytest.mark.approvals
def test_harmful_data_stops_the_experiment_and_assignment_falls_back_to_control(
    token_client, proposer, approver, signal_owner, capsys
):
    clear_caches()
    experiment = make_experiment(proposer, approver, exposure_cap_pct=50, planned_start=timezone.localdate())
    # A plan of a few thousand units, so this test's 3,000 are a good share of it: harm tests spend
    # little of their error early (O'Brien-Fleming), and are meant to.
    experiment.metrics.filter(metric__key="fcr").update(minimum_detectable_effect=8)
    experiment.metrics.filter(role="guardrail").update(non_inferiority_margin=4)
    owner, decider = token_client(proposer), token_client(approver)
    # The owner's service key for the service that serves arms and sends outcomes back.
    service = keyed_client(proposer, [experiment])

    assert (
        owner.post(f"/api/experiments/{experiment.key}/transition/", {"action": "submit"}, format="json").status_code
        == 200
    )
    assert (
        decider.post(f"/api/experiments/{experiment.key}/transition/", {"action": "approve"}, format="json").json()[
            "status"
        ]
        == "approved"
    )

    # The daily slot (run by an operator here) starts it on its planned start date.
    call_command("run_checks", stdout=io.StringIO())
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING

    # A service asks which arm each customer gets.
    units = [{"unit": f"customer-{i}", "touchpoint": "chat"} for i in range(6000)]
    arms = {}
    for start in range(0, len(units), 1000):
        answer = service.post(
            "/api/assignments/", {"experiment": experiment.key, "units": units[start : start + 1000]}, format="json"
        )
        assert answer.status_code == 200, answer.content[:300]
        arms.update({a["unit"]: a["variant"] for a in answer.json() if a["enrolled"]})
    assert 2500 < len(arms) < 3500  # about half: the 50% exposure cap
    flush_assignments()
    counted = dict(AssignmentCount.objects.filter(experiment=experiment).values_list("variant__key", "count"))
    assert sum(counted.values()) == len(arms)

    # Their outcomes come back: the treatment escalates four times as often.
    rng = random.Random(7)
    now = timezone.now()
    rows = [
        {
            "experiment": experiment.key,
            "unit": unit,
            "arm": arm,
            "metric": "escalation-rate",
            "value": int(rng.random() < (0.40 if arm == "short" else 0.10)),
            "time": (now - dt.timedelta(minutes=1)).isoformat(),
        }
        for unit, arm in arms.items()
    ]
    sent = service.post("/api/outcomes/", {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert sent.status_code == 201, sent.content[:500]

    # The next day's slot checks it (today's look was taken when it started, with no data yet).
    capsys.readouterr()
    with time_machine.travel(now + dt.timedelta(days=1), tick=True):
        call_command("run_checks", "--experiment", experiment.key)
    assert "stop" in capsys.readouterr().out.lower()

    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED
    check = experiment.checks.order_by("look_date").last()
    assert check.action == Check.Action.STOP and "escalation rate" in check.sentence
    stop = experiment.events.get(action="stop")
    assert stop.actor is None and stop.reason == check.sentence

    # The fence closes at once: the next call answers control, not enrolled.
    treated = next(unit for unit, arm in arms.items() if arm == "short")
    answer = service.get(
        f"/api/experiments/{experiment.key}/assignment/", {"unit": treated, "touchpoint": "chat"}
    ).json()
    assert (answer["enrolled"], answer["variant"], answer["reason"]) == (False, "control", "not_running")

    # Owner, approver and signal owner are told why; the API shows the check record.
    told = set(
        Notification.objects.filter(experiment=experiment, kind=Notification.Kind.STOPPED).values_list(
            "user__username", flat=True
        )
    )
    assert {proposer.username, approver.username, signal_owner.username} <= told
    checks = owner.get(f"/api/experiments/{experiment.key}/checks/").json()
    assert [c["action"] for c in checks] == ["stop", "continue"]
    harmed = [m for m in checks[0]["result"]["metrics"] if m["status"] == "harm"]
    assert [m["label"] for m in harmed] == ["escalation rate"]
