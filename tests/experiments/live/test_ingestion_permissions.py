"""Who may send data: the experiment's authors, signal owners and superusers; others get a row error."""

import json
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.tokens import issue
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    outcome,
    running_experiment,
    send,
    stored_counts,
)
from tests.factories import make_service_key

ALLOWED = ["proposer", "co_author", "signal_owner", "admin_user"]
REFUSED = ["approver", "other_approver", "standards_keeper", "board_member", "outsider"]


@pytest.fixture
def experiment(frozen, proposer, co_author, approver):
    experiment = running_experiment(proposer, approver)
    experiment.co_authors.add(co_author)
    return experiment


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize("path", ["/api/outcomes/", "/api/daily-figures/"])
def test_authors_signal_owners_and_superusers_may_send(request, experiment, role, path):
    user = request.getfixturevalue(role)
    rows = [outcome(experiment)] if path == "/api/outcomes/" else [figure(experiment, n=3, successes=1)]
    response = send(api_client(user), path, rows)
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("role", REFUSED)
@pytest.mark.parametrize("path", ["/api/outcomes/", "/api/daily-figures/"])
def test_everyone_else_gets_a_row_error_and_nothing_is_written(request, experiment, role, path):
    user = request.getfixturevalue(role)
    rows = [outcome(experiment)] if path == "/api/outcomes/" else [figure(experiment, n=3, successes=1)]
    response = send(api_client(user), path, rows)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (1, "experiment")
    assert "You may not send data for this experiment" in error["message"]
    assert stored_counts() == (0, 0, 0)


def test_strangers_are_not_let_in(experiment):
    response = APIClient().post(
        "/api/outcomes/", {"rows": [outcome(experiment)]}, format="json", secure=True, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code in (401, 403)
    assert stored_counts() == (0, 0, 0)


def test_a_browser_session_needs_the_csrf_token(experiment, proposer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(proposer)
    body = json.dumps({"rows": [outcome(experiment)]})
    response = client.generic(
        "POST", "/api/outcomes/", body, content_type="application/json", secure=True, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)


@pytest.mark.parametrize("path", ["/api/outcomes/", "/api/daily-figures/"])
def test_a_persons_token_is_refused_saying_a_service_key_is_needed(experiment, signal_owner, path):
    _row, token = issue(signal_owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    rows = [outcome(experiment)] if path == "/api/outcomes/" else [figure(experiment, n=3, successes=1)]
    response = send(client, path, rows)
    assert response.status_code == 403
    assert "takes a service key" in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)


def test_a_service_key_sends_without_csrf(experiment, signal_owner):
    _, secret = make_service_key(signal_owner, [experiment], actions=("send_data",))
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_X_PAGAR_KEY=secret)
    body = json.dumps({"rows": [outcome(experiment)]})
    response = client.generic(
        "POST",
        "/api/outcomes/",
        body,
        content_type="application/json",
        secure=True,
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert response.status_code == 201, response.json()


def test_an_experiment_outside_the_keys_scope_is_403_naming_the_scope(experiment, proposer, approver):
    other = running_experiment(proposer, approver, key="other-test")
    _, secret = make_service_key(proposer, [experiment], actions=("send_data",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}")
    response = send(client, "/api/outcomes/", [outcome(experiment), outcome(other)])
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Experiment 'other-test' is outside this service key's scope (experiments chat-greeting; actions: send data)."
    )
    assert stored_counts() == (0, 0, 0)


def test_a_key_that_may_only_assign_may_not_send_data(experiment, proposer):
    _, secret = make_service_key(proposer, [experiment], actions=("assign",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}")
    response = send(client, "/api/outcomes/", [outcome(experiment)])
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This service key may not send data; its scope is experiments chat-greeting; actions: assign."
    )
    assert stored_counts() == (0, 0, 0)


def test_an_allowed_row_and_a_refused_row_refuse_the_batch(frozen, proposer, approver, signal_owner, outsider):
    mine = running_experiment(outsider, approver, key="outsiders-own")
    theirs = running_experiment(proposer, approver, key="not-theirs")
    response = send(api_client(outsider), "/api/outcomes/", [outcome(mine), outcome(theirs)])
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "experiment")
    assert stored_counts() == (0, 0, 0)
