"""The doors of issue 10, each tried through code, the API and the page: refused with a message
naming the rule, and nothing changes.

Door 1 (an amendment outside the policy) has its own table of every contract door
(test_contract_doors.py); door 5 (a meeting's decisions before its time) is walked per entry point
in tests/cadence/reviews/test_meeting_time.py. This table holds the others.
"""

import html

import pytest
from django.urls import reverse

from approvals.models import ApprovalRequest, Decision
from cadence.standards.models import Standard
from experiments import lifecycle
from experiments.models import Experiment, Status
from tests.approvals.web import api_client
from tests.cadence.reviews.helpers import ended
from tests.experiments.verdict_scenarios import harm_stopped
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

pytestmark = [pytest.mark.django_db, pytest.mark.approvals]

ENTRY_POINTS = ["code", "api", "page"]


def attempt(entry, user, experiment, action, **fields):
    """Make `action` through one entry point; returns (refusal message or None, status code)."""
    if entry == "code":
        try:
            lifecycle.transition(experiment, action, user, **fields)
        except lifecycle.TransitionError as refused:
            return refused.message, refused.status_code
        return None, 200
    if entry == "api":
        response = api_client(user).post(
            f"/api/experiments/{experiment.key}/transition/", {"action": action, **fields}, format="json"
        )
        body = response.json()
        return (body.get("detail") if response.status_code >= 400 else None), response.status_code
    url = reverse("experiment-transition", kwargs={"key": experiment.key})
    response = https_client(user).post(url, {"action": action, **fields}, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    return (errors[0] if errors else None), response.status_code


# --- door 2: a person's verdict over the checks' record -----------------------------------------


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_harm_stop_is_not_concluded_as_won(entry, proposer, approver):
    experiment, stop = harm_stopped(proposer, approver)
    message, status = attempt(entry, proposer, experiment, "conclude", outcome="won", reason="We liked it.")
    assert status in (409, 200) and message and "stopped" in message.lower()
    fresh = Experiment.objects.get(pk=experiment.pk)
    assert (fresh.status, fresh.outcome) == (Status.STOPPED, "")
    message, _ = attempt(
        entry,
        proposer,
        experiment,
        "conclude",
        outcome="lost",
        reason="The checks were right.",
        lesson="Harm shows early.",
    )
    assert message is None and Experiment.objects.get(pk=experiment.pk).outcome == "lost"


# --- door 3: promotion outside the monthly review ----------------------------------------------------


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("who", ["standards_keeper", "board_member", "admin_user"])
def test_promotion_is_only_the_reviews(entry, who, request, proposer, approver, signal_owner):
    won = ended(proposer, approver, signal_owner)
    message, status = attempt(entry, request.getfixturevalue(who), won, "promote")
    assert html.unescape(message) == lifecycle.SYSTEM_ONLY_MESSAGES["promote"]
    assert status in (403, 200)
    assert Experiment.objects.get(pk=won.pk).status == Status.CONCLUDED and not Standard.objects.exists()


def test_even_the_scheduler_promotes_only_with_the_reviews_decision(proposer, approver, signal_owner):
    won = ended(proposer, approver, signal_owner)
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.transition(won, "promote", None)
    assert Experiment.objects.get(pk=won.pk).status == Status.CONCLUDED


# --- door 4: approval without recorded decisions -------------------------------------------------------


def pending(proposer, approver):
    experiment = make_experiment(proposer, approver)
    lifecycle.transition(experiment, "submit", proposer)
    return experiment


def test_the_move_itself_refuses_an_approval_nobody_recorded(proposer, approver):
    """make_move is what the approvals app calls once a vote is recorded; called bare it refuses."""
    experiment = pending(proposer, approver)
    with pytest.raises(lifecycle.IllegalMove, match="still needed: Named approver"):
        lifecycle.make_move(experiment, "approve", approver)
    assert Experiment.objects.get(pk=experiment.pk).status == Status.PENDING_APPROVAL


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_every_approval_is_a_recorded_decision(entry, proposer, approver):
    experiment = pending(proposer, approver)
    message, _ = attempt(entry, approver, experiment, "approve")
    assert message is None
    decision = Decision.objects.get(request__experiment=experiment)
    assert (decision.approver, decision.verdict) == (approver, "approve")
    assert Experiment.objects.get(pk=experiment.pk).status == Status.APPROVED


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_the_author_cannot_approve_at_any_door(entry, proposer, approver):
    experiment = pending(proposer, approver)
    message, _ = attempt(entry, proposer, experiment, "approve")
    assert html.unescape(message) == lifecycle.SELF_DECISION_MESSAGES["approve"]
    assert not Decision.objects.exists()


# --- door 6: editing a submitted experiment -------------------------------------------------------------


def edit(entry, user, experiment, title):
    if entry == "api":
        return (
            api_client(user).patch(f"/api/experiments/{experiment.key}/", {"title": title}, format="json").status_code
        )
    from tests.experiments.web import form_data_of

    url = reverse("experiment-edit", kwargs={"key": experiment.key})
    return https_client(user).post(url, form_data_of(experiment, title=title)).status_code


@pytest.mark.parametrize("entry", ["api", "page"])
@pytest.mark.parametrize("status", [Status.PENDING_APPROVAL, Status.APPROVED])
def test_an_edit_after_submitting_withdraws_the_approvals_and_asks_again_on_the_diff(
    entry, status, proposer, approver, other_approver
):
    experiment = pending(proposer, approver)
    if status == Status.APPROVED:
        lifecycle.transition(experiment, "approve", approver)
    assert edit(entry, proposer, experiment, "A clearer title") in (200, 302)
    fresh = Experiment.objects.get(pk=experiment.pk)
    assert (fresh.status, fresh.title) == (Status.PENDING_APPROVAL, "A clearer title")
    waiting = ApprovalRequest.objects.get(experiment=experiment, status=ApprovalRequest.State.OPEN)
    assert waiting.base_snapshot is not None and waiting.decisions.count() == 0
    shown = html.unescape(text_of(https_client(approver).get(experiment.get_absolute_url()).content.decode()))
    assert "A clearer title" in shown and experiment.title in shown  # the diff: before and after


@pytest.mark.parametrize("entry", ["api", "page"])
def test_a_running_experiment_is_changed_only_by_amendment(entry, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    assert edit(entry, proposer, experiment, "Sneaky") == 403
    assert Experiment.objects.get(pk=experiment.pk).title != "Sneaky"
