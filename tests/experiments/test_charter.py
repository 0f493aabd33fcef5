"""The touchpoint charter's duties restrict who may act on a touchpoint's experiments; without
entries, the global role groups hold as before. Page and API both ask experiments.charter."""

import pytest
from django.urls import reverse

from approvals.access import amend_refusal, restart_refusal
from experiments import access, charter, lifecycle, roles
from experiments.models import CharterDuty, Duty, ExperimentResponseOwner, Metric, Status, Touchpoint
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client
from tests.factories import make_experiment, make_user


def name(user, duty, touchpoint, metric=None):
    return CharterDuty.objects.create(
        user=user,
        duty=duty,
        touchpoint=Touchpoint.objects.get(key=touchpoint),
        metric=Metric.objects.get(key=metric) if metric else None,
    )


@pytest.fixture
def chat_signal(db):
    user = make_user("cara_chat_signal", roles.SIGNAL_OWNER)
    name(user, Duty.SIGNAL_OWNER, "chat")
    return user


@pytest.fixture
def phone_signal(db):
    user = make_user("pete_phone_signal", roles.SIGNAL_OWNER)
    name(user, Duty.SIGNAL_OWNER, "phone")
    return user


def api_stop(user, experiment):
    client = HttpsAPIClient()
    client.force_login(user)
    body = {
        "action": "stop",
        "reason": "Complaints are climbing.",
        "lesson": "Complaints climb when the change reaches callers.",
    }
    return client.post(f"/api/experiments/{experiment.key}/transition/", body, format="json")


def page_stop(user, experiment):
    url = reverse("experiment-transition", kwargs={"key": experiment.key})
    return https_client(user).post(
        url,
        {"action": "stop", "reason": "Complaints are climbing.", "lesson": "Complaints climb when it reaches callers."},
    )


def test_without_a_charter_the_global_signal_owners_stop_anything(proposer, signal_owner):
    experiment = make_experiment(proposer, status=Status.RUNNING, touchpoints=("phone",))
    assert charter.is_signal_owner(signal_owner, experiment)
    assert api_stop(signal_owner, experiment).status_code == 200
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED


def test_signal_owner_of_another_touchpoint_cannot_stop_it_by_api(proposer, chat_signal, phone_signal):
    experiment = make_experiment(proposer, status=Status.RUNNING, touchpoints=("phone",))
    response = api_stop(chat_signal, experiment)
    assert response.status_code == 403, response.json()
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    assert api_stop(phone_signal, experiment).status_code == 200
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED


def test_signal_owner_of_another_touchpoint_cannot_stop_it_on_the_page(proposer, chat_signal, phone_signal):
    experiment = make_experiment(proposer, status=Status.RUNNING, touchpoints=("phone",))
    page = https_client(chat_signal).get(experiment.get_absolute_url())
    assert 'value="stop"' not in page.content.decode()
    page_stop(chat_signal, experiment)
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    assert 'value="stop"' in https_client(phone_signal).get(experiment.get_absolute_url()).content.decode()
    page_stop(phone_signal, experiment)
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED


def test_a_global_signal_owner_not_named_loses_the_chartered_touchpoint(proposer, signal_owner, chat_signal):
    experiment = make_experiment(proposer, status=Status.STOPPED, touchpoints=("chat",))
    assert not lifecycle.may_perform(signal_owner, experiment, "conclude")
    assert lifecycle.may_perform(chat_signal, experiment, "conclude")
    assert restart_refusal(signal_owner, experiment) is not None
    assert restart_refusal(chat_signal, experiment) is None
    assert not access.may_file_override(signal_owner, experiment)
    assert access.may_file_override(chat_signal, experiment)


def test_a_metric_signal_owner_owns_only_experiments_using_that_metric(proposer, signal_owner):
    refunds = make_user("rita_refunds")
    name(refunds, Duty.SIGNAL_OWNER, "chat", metric="refund-rate")
    uses_fcr = make_experiment(proposer, status=Status.RUNNING)
    # Nobody owns fcr/complaints on chat by name: the global group still does.
    assert not charter.is_signal_owner(refunds, uses_fcr)
    assert charter.is_signal_owner(signal_owner, uses_fcr)
    name(refunds, Duty.SIGNAL_OWNER, "chat", metric="complaint-rate")
    assert charter.is_signal_owner(refunds, uses_fcr)
    assert not charter.is_signal_owner(signal_owner, uses_fcr)
    assert charter.signal_owners_of(uses_fcr) == [refunds]


def test_operators_send_data_and_stop_only_their_touchpoint(proposer):
    operator = make_user("otto_operator")
    name(operator, Duty.OPERATE, "chat")
    on_chat = make_experiment(proposer, status=Status.RUNNING)
    on_phone = make_experiment(proposer, status=Status.RUNNING, touchpoints=("phone",))
    assert access.may_send_data(operator, on_chat)
    assert not access.may_send_data(operator, on_phone)
    assert api_stop(operator, on_phone).status_code == 403
    assert api_stop(operator, on_chat).status_code == 200


def test_builders_start_only_their_touchpoint(proposer):
    builder = make_user("bea_builder")
    name(builder, Duty.BUILD, "chat")
    assert lifecycle.may_perform(builder, make_experiment(proposer, status=Status.APPROVED), "start")
    on_phone = make_experiment(proposer, status=Status.APPROVED, touchpoints=("phone",))
    assert not lifecycle.may_perform(builder, on_phone, "start")


def test_a_chartered_touchpoint_takes_proposals_from_its_designers_only(proposer, approver):
    designer = make_user("dina_designer")
    name(designer, Duty.DESIGN, "chat")
    assert access.can_propose(designer)
    draft = make_experiment(proposer, approver)
    with pytest.raises(lifecycle.NotPermitted, match="Only the designers named in the charter may propose on Chat"):
        lifecycle.transition(draft, "submit", proposer)
    assert make_experiment(designer, approver).pk  # a draft is theirs to write
    mine = make_experiment(designer, approver)
    lifecycle.transition(mine, "submit", designer)
    mine.refresh_from_db()
    assert mine.status == Status.PENDING_APPROVAL


def test_a_submit_refused_by_the_charter_is_a_403_naming_the_touchpoint(proposer, approver):
    name(make_user("dina_designer"), Duty.DESIGN, "chat")
    draft = make_experiment(proposer, approver)
    client = HttpsAPIClient()
    client.force_login(proposer)
    response = client.post(f"/api/experiments/{draft.key}/transition/", {"action": "submit"}, format="json")
    assert response.status_code == 403
    assert "Chat" in response.json()["detail"]


def test_updaters_named_restrict_amendments(proposer, co_author):
    experiment = make_experiment(proposer, status=Status.RUNNING)
    experiment.co_authors.add(co_author)
    assert amend_refusal(co_author, experiment) is None
    name(proposer, Duty.UPDATE, "chat")
    assert amend_refusal(proposer, experiment) is None
    refusal = amend_refusal(co_author, experiment)
    assert refusal is not None and "updaters named" in refusal.message


def test_the_response_owner_is_the_experiments_own_else_the_touchpoints(proposer):
    experiment = make_experiment(proposer, status=Status.RUNNING)
    assert charter.response_owner_of(experiment) is None
    ruth = make_user("ruth_responder")
    name(ruth, Duty.RESPONSE_OWNER, "chat")
    assert charter.response_owner_of(experiment) == ruth
    other = make_user("oscar_override")
    ExperimentResponseOwner.objects.create(experiment=experiment, user=other)
    experiment.refresh_from_db()
    assert charter.response_owner_of(experiment) == other
