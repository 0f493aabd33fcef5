"""The action buttons: POST /experiments/<key>/transition/ goes through lifecycle.transition."""

from django.urls import reverse

from experiments.models import Status
from tests.experiments.web import https_client, text_of  # noqa: F401
from tests.factories import make_experiment


def url(experiment):
    return reverse("experiment-transition", kwargs={"key": experiment.key})


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_named_approver_approves(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    response = https_client(approver).post(url(experiment), {"action": "approve"}, follow=True)
    experiment.refresh_from_db()
    assert experiment.status == Status.APPROVED
    event = experiment.events.last()
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "approve",
        approver,
        Status.PENDING_APPROVAL,
        Status.APPROVED,
    )
    assert response.redirect_chain[-1][0] == experiment.get_absolute_url()
    assert any("approved" in m for m in messages_of(response))


def test_the_owner_cannot_approve_and_nothing_changes(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    events_before = experiment.events.count()
    response = https_client(proposer).post(url(experiment), {"action": "approve"}, follow=True)
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL
    assert experiment.events.count() == events_before
    assert "You cannot approve an experiment you own or co-author." in messages_of(response)
    assert "You cannot approve an experiment you own or co-author." in text_of(response.content.decode())


def test_a_move_that_needs_a_reason_is_refused_without_one(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    client = https_client(approver)
    response = client.post(url(experiment), {"action": "reject", "reason": "  "}, follow=True)
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL
    assert "Reject needs a reason." in messages_of(response)
    client.post(url(experiment), {"action": "reject", "reason": "Overlaps the chat redesign."})
    experiment.refresh_from_db()
    assert experiment.status == Status.REJECTED
    assert experiment.events.last().reason == "Overlaps the chat redesign."


def test_conclude_takes_the_outcome_from_the_select(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED)
    https_client(proposer).post(url(experiment), {"action": "conclude", "outcome": "won", "reason": ""})
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome) == (Status.CONCLUDED, "won")


def test_submit_refused_by_policy_lists_each_problem(proposer, approver):
    experiment = make_experiment(proposer, approver, exposure_cap_pct=90)
    response = https_client(proposer).post(url(experiment), {"action": "submit"}, follow=True)
    experiment.refresh_from_db()
    assert experiment.status == Status.DRAFT
    messages = messages_of(response)
    assert "The proposal breaks the guardrail policy: fix the fields listed." in messages
    assert any("above the policy maximum of 50%" in m for m in messages)


def test_submit_from_the_detail_page(proposer, approver):
    experiment = make_experiment(proposer, approver)
    https_client(proposer).post(url(experiment), {"action": "submit"})
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL


def test_get_is_not_allowed(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    assert https_client(approver).get(url(experiment), {"action": "approve"}).status_code == 405
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL


def test_someone_elses_draft_is_not_found(proposer, approver, co_author):
    experiment = make_experiment(proposer, approver)
    assert https_client(co_author).post(url(experiment), {"action": "withdraw"}).status_code == 404
    experiment.refresh_from_db()
    assert experiment.status == Status.DRAFT


def test_anonymous_posts_go_to_login(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    response = https_client().post(url(experiment), {"action": "approve"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_csrf_is_enforced_on_actions(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    response = https_client(approver, enforce_csrf_checks=True).post(url(experiment), {"action": "approve"})
    assert response.status_code == 403
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL
