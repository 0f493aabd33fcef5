"""Who may send data: the experiment's authors, signal owners and superusers; others get a row error."""
import json
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.tokens import issue
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    frozen,  # noqa: F401 (fixture)
    outcome,
    running_experiment,
    send,
    stored_counts,
)

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
    response = APIClient().post("/api/outcomes/", {"rows": [outcome(experiment)]}, format="json", secure=True, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code in (401, 403)
    assert stored_counts() == (0, 0, 0)


def test_a_browser_session_needs_the_csrf_token(experiment, proposer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(proposer)
    body = json.dumps({"rows": [outcome(experiment)]})
    response = client.generic("POST", "/api/outcomes/", body, content_type="application/json", secure=True, HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)


def test_a_token_client_sends_without_csrf(experiment, signal_owner):
    _row, token = issue(signal_owner)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = json.dumps({"rows": [outcome(experiment)]})
    response = client.generic("POST", "/api/outcomes/", body, content_type="application/json", secure=True, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.json()


def test_an_allowed_row_and_a_refused_row_refuse_the_batch(frozen, proposer, approver, signal_owner, outsider):
    mine = running_experiment(outsider, approver, key="outsiders-own")
    theirs = running_experiment(proposer, approver, key="not-theirs")
    response = send(api_client(outsider), "/api/outcomes/", [outcome(mine), outcome(theirs)])
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "experiment")
    assert stored_counts() == (0, 0, 0)
