"""Every door that creates or changes a contract refuses the same policy problem, named the same way.

The problem used is the never-test list's: the Store touchpoint is closed to experiments. Each door
gets an experiment in the state that door needs; the area is added at the moment the policy
changes (before the door is tried), and the door must refuse with the same field and message and
change nothing. Lives with the approvals tests: amendments and restarts are approvals' doors.
"""

import datetime as dt

import pytest
from django.urls import reverse

from approvals import services
from approvals.models import ApprovalRequest
from cadence.reviews.rerun import copy_as_draft
from experiments import lifecycle
from experiments.lifecycle import transition
from experiments.models import Experiment, NeverTestArea, Status, Touchpoint
from tests.approvals.web import api_client, messages_of, open_request, web_decide
from tests.experiments.web import form_data_of, https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

WHY = "Store staff hand out the printed terms; every customer gets the same."
PROBLEM = {"field": "touchpoints", "message": f"“Store counters” is never experimented on: {WHY}"}


def close_the_store():
    area = NeverTestArea.objects.create(name="Store counters", why=WHY)
    area.touchpoints.set(Touchpoint.objects.filter(key="store"))


def approved(owner, approver, **fields):
    experiment = make_experiment(owner, approver, **fields)
    transition(experiment, "submit", owner)
    web_decide(approver, open_request(experiment), "approve")
    experiment.refresh_from_db()
    assert experiment.status == Status.APPROVED
    return experiment


def stopped(owner, approver):
    experiment = approved(owner, approver, touchpoints=("chat", "store"))
    transition(experiment, "start", owner)
    transition(experiment, "stop", owner, reason="The complaint rate jumped", lesson="We learned what the data showed.")
    return experiment


def raised(call) -> list[dict]:
    with pytest.raises(lifecycle.PolicyViolation) as refused:
        call()
    return refused.value.problems


def refused_json(response) -> list[dict]:
    assert response.status_code == 400, response.content
    return response.json()["problems"]


def page_messages(response) -> list[dict]:
    # Pages report each problem as a message (the form also shows it next to its field).
    return [{"field": "touchpoints", "message": m} for m in messages_of(response)]


# --- the doors: each sets up its experiment, changes the policy, knocks, returns what it said --


def web_submit(owner, approver):
    experiment = make_experiment(owner, approver, touchpoints=("chat", "store"))
    close_the_store()
    url = reverse("experiment-transition", kwargs={"key": experiment.key})
    return experiment, lambda: page_messages(https_client(owner).post(url, {"action": "submit"}, follow=True))


def api_submit(owner, approver):
    experiment = make_experiment(owner, approver, touchpoints=("chat", "store"))
    close_the_store()
    return experiment, lambda: refused_json(
        api_client(owner).post(f"/api/experiments/{experiment.key}/transition/", {"action": "submit"}, format="json")
    )


def web_edit_of_pending(owner, approver):
    experiment = make_experiment(owner, approver)
    transition(experiment, "submit", owner)
    close_the_store()
    store = Touchpoint.objects.get(key="store")
    data = form_data_of(experiment)
    data["touchpoints"] = [*data["touchpoints"], str(store.pk)]

    def knock():
        response = https_client(owner).post(reverse("experiment-edit", kwargs={"key": experiment.key}), data)
        assert response.status_code == 200  # the form again, nothing saved
        return [{"field": p["field"], "message": p["message"]} for p in response.context["problems"]]

    return experiment, knock


def web_edit_of_approved(owner, approver):
    experiment = approved(owner, approver)
    close_the_store()
    store = Touchpoint.objects.get(key="store")
    data = form_data_of(experiment)
    data["touchpoints"] = [*data["touchpoints"], str(store.pk)]

    def knock():
        response = https_client(owner).post(reverse("experiment-edit", kwargs={"key": experiment.key}), data)
        assert response.status_code == 200  # the form again, nothing saved
        return [{"field": p["field"], "message": p["message"]} for p in response.context["problems"]]

    return experiment, knock


def api_edit_of_pending(owner, approver):
    experiment = make_experiment(owner, approver)
    transition(experiment, "submit", owner)
    close_the_store()
    url = f"/api/experiments/{experiment.key}/"
    return experiment, lambda: refused_json(
        api_client(owner).patch(url, {"touchpoints": ["chat", "store"]}, format="json")
    )


def amendment_service(owner, approver):
    experiment = approved(owner, approver)
    close_the_store()
    changes = {"touchpoints": ["chat", "store"]}
    return experiment, lambda: raised(lambda: services.request_amendment(experiment, owner, changes))


def amendment_page(owner, approver):
    experiment = approved(owner, approver)
    close_the_store()
    url = reverse("approvals-amend", kwargs={"key": experiment.key})
    client = https_client(owner)
    page = client.get(url)
    form = page.context["form"]
    data = {
        "touchpoints": ["chat", "store"],
        "segments": form.initial["segments"],
        "exposure_cap_pct": form.initial["exposure_cap_pct"],
        "planned_start": form.initial["planned_start"],
        "planned_end": form.initial["planned_end"],
        "reason": "Reach store customers too",
        "step": "submit",
        "metrics-MIN_NUM_FORMS": "0",
        "metrics-MAX_NUM_FORMS": "1000",
    }
    page_metrics = page.context["metrics"]
    data["metrics-TOTAL_FORMS"] = data["metrics-INITIAL_FORMS"] = str(len(page_metrics.initial))
    for i, row in enumerate(page_metrics.initial):
        data.update({f"metrics-{i}-{k}": v for k, v in row.items() if v is not None})
    return experiment, lambda: page_messages(client.post(url, data, follow=True))


def amendment_api(owner, approver):
    experiment = approved(owner, approver)
    close_the_store()
    return experiment, lambda: refused_json(
        api_client(owner).post(
            f"/api/approvals/experiments/{experiment.key}/amendments/",
            {"touchpoints": ["chat", "store"], "reason": "Reach store customers too"},
            format="json",
        )
    )


def restart_service(owner, approver):
    experiment = stopped(owner, approver)
    close_the_store()
    return experiment, lambda: raised(lambda: services.request_restart(experiment, owner, "A data error"))


def restart_page(owner, approver):
    experiment = stopped(owner, approver)
    close_the_store()
    url = reverse("approvals-request-restart", kwargs={"key": experiment.key})
    return experiment, lambda: page_messages(https_client(owner).post(url, {"reason": "A data error"}, follow=True))


def restart_api(owner, approver):
    experiment = stopped(owner, approver)
    close_the_store()
    return experiment, lambda: refused_json(
        api_client(owner).post(
            f"/api/approvals/experiments/{experiment.key}/restart/", {"reason": "A data error"}, format="json"
        )
    )


def rerun_draft_then_submit(owner, approver):
    original = make_experiment(owner, approver, touchpoints=("chat", "store"), status=Status.CONCLUDED)
    close_the_store()
    draft = copy_as_draft(original, owner)
    return draft, lambda: raised(lambda: transition(draft, "submit", owner))


DOORS = [
    web_submit,
    api_submit,
    web_edit_of_pending,
    web_edit_of_approved,
    api_edit_of_pending,
    amendment_service,
    amendment_page,
    amendment_api,
    restart_service,
    restart_page,
    restart_api,
    rerun_draft_then_submit,
]


def state_of(experiment) -> tuple:
    experiment = Experiment.objects.get(pk=experiment.pk)
    requests = sorted(experiment.approval_requests.values_list("pk", "status"))
    return experiment.status, sorted(experiment.touchpoints.values_list("key", flat=True)), requests


@pytest.mark.parametrize("door", DOORS, ids=[d.__name__ for d in DOORS])
def test_every_door_refuses_the_same_problem_and_changes_nothing(door, proposer, approver):
    experiment, knock = door(proposer, approver)
    before = state_of(experiment)
    assert PROBLEM in knock()
    assert state_of(experiment) == before


# --- the reproduced door of issue 10: an amendment to 100%, 414 days and no mandatory guardrail --


def test_the_amendment_of_issue_10_is_refused_naming_each_field(proposer, approver):
    experiment = approved(proposer, approver)
    transition(experiment, "start", proposer)
    start = experiment.planned_start
    changes = {
        "exposure_cap_pct": 100,
        "planned_end": (start + dt.timedelta(days=413)).isoformat(),
        "metrics": [
            {"metric": "fcr", "role": "success", "minimum_detectable_effect": 2.0, "baseline_rate": 70.0},
            {"metric": "escalation-rate", "role": "guardrail", "non_inferiority_margin": 1.0, "baseline_rate": 8.0},
        ],
    }
    problems = raised(lambda: services.request_amendment(experiment, proposer, changes, reason="Go big"))
    assert problems == [
        {
            "field": "metrics",
            "message": "Complaint rate is a mandatory guardrail for the guardrail policy; add it as a guardrail.",
        },
        {"field": "planned_end", "message": "The planned duration is 414 days; the policy allows at most 60."},
        {"field": "exposure_cap_pct", "message": "Exposure cap 100% is above the policy maximum of 50%."},
    ]
    assert not experiment.approval_requests.filter(kind=ApprovalRequest.Kind.AMENDMENT).exists()


def test_a_running_experiment_whose_start_passed_may_still_be_amended(proposer, approver, time_machine):
    experiment = approved(proposer, approver)
    transition(experiment, "start", proposer)
    time_machine.move_to(experiment.planned_start + dt.timedelta(days=5), tick=False)
    request = services.request_amendment(experiment, proposer, {"exposure_cap_pct": "30"}, reason="More power")
    assert request.kind == ApprovalRequest.Kind.AMENDMENT


def test_an_amendment_may_not_move_the_start_into_the_past(proposer, approver, time_machine):
    experiment = approved(proposer, approver)
    time_machine.move_to(experiment.planned_start + dt.timedelta(days=5), tick=False)
    yesterday = (experiment.planned_start + dt.timedelta(days=4)).isoformat()
    problems = raised(lambda: services.request_amendment(experiment, proposer, {"planned_start": yesterday}))
    assert [p["field"] for p in problems] == ["planned_start"]


def test_the_rerun_draft_is_made_inside_todays_policy(proposer, approver):
    original = make_experiment(proposer, approver, status=Status.CONCLUDED, exposure_cap_pct=80)
    Experiment.objects.filter(pk=original.pk).update(
        planned_start=original.planned_start.replace(year=original.planned_start.year - 1),
        min_runtime_days=90,
    )
    original.refresh_from_db()  # ran a year ago for 393 days at 80%, under an older policy
    draft = copy_as_draft(original, proposer)
    assert draft.status == Status.DRAFT
    assert draft.exposure_cap_pct == 50 and draft.duration_days == 60 and draft.min_runtime_days == 60
    transition(draft, "submit", proposer)  # nothing left for the owner to fix
    assert draft.status == Status.PENDING_APPROVAL
