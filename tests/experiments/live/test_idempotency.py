"""Idempotency-Key: a retry returns the first answer and writes nothing; a key is one body forever."""

import json

import pytest

from experiments.live import idempotency
from experiments.live.ingestion import ingest_outcomes
from experiments.models import IngestBatch, Observation
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    outcome,
    running_experiment,
    send,
    stored_counts,
)
from tests.factories import make_user


def post(client, path, body, key, content_type="application/json"):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.generic("POST", path, body, content_type=content_type, secure=True, **headers)


@pytest.mark.parametrize("key", [None, "", "   "], ids=["absent", "empty", "blank"])
def test_the_key_is_required_and_named(frozen, proposer, approver, key):
    experiment = running_experiment(proposer, approver)
    response = post(api_client(proposer), "/api/outcomes/", json.dumps({"rows": [outcome(experiment)]}), key)
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    assert "The Idempotency-Key header is required" in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)
    assert not IngestBatch.objects.exists()


def test_a_key_longer_than_the_record_holds_is_refused(frozen, proposer):
    response = post(api_client(proposer), "/api/outcomes/", "{}", "k" * 201)
    assert response.status_code == 400
    assert "at most 200 characters" in response.json()["detail"]


def test_a_replay_returns_the_first_answer_and_writes_nothing(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    body = json.dumps({"rows": [outcome(experiment), outcome(experiment, "short")]})
    first = post(client, "/api/outcomes/", body, "batch-1")
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    after_first = stored_counts()

    again = post(client, "/api/outcomes/", body, "batch-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert stored_counts() == after_first
    assert IngestBatch.objects.count() == 1


def test_a_refused_batch_is_recorded_and_replayed_as_refused(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    body = json.dumps({"rows": [outcome(experiment, "short", "csat", 7)]})
    first = post(client, "/api/outcomes/", body, "bad-batch")
    assert first.status_code == 400
    batch = IngestBatch.objects.get()
    # The record keeps the batch's report; the API answers it as a refusal (code and problems added).
    refusal = {key: value for key, value in first.json().items() if key not in ("code", "problems")}
    assert (batch.accepted, batch.status_code, batch.row_count, batch.response) == (False, 400, 1, refusal)
    assert not Observation.objects.exists()

    again = post(client, "/api/outcomes/", body, "bad-batch")
    assert (again.status_code, again["Idempotent-Replayed"]) == (400, "true")
    assert again.json() == first.json()
    # The fixed batch is new data: it takes a new key.
    fixed = json.dumps({"rows": [outcome(experiment, "short", "csat", 4)]})
    assert post(client, "/api/outcomes/", fixed, "bad-batch").status_code == 422
    assert post(client, "/api/outcomes/", fixed, "fixed-batch").status_code == 201


def test_the_same_key_with_another_body_is_refused_naming_the_header(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    assert post(client, "/api/outcomes/", json.dumps({"rows": [outcome(experiment)]}), "k1").status_code == 201
    before = stored_counts()
    response = post(client, "/api/outcomes/", json.dumps({"rows": [outcome(experiment, "short")]}), "k1")
    assert response.status_code == 422
    assert response.json()["field"] == "Idempotency-Key"
    assert "already used for a different batch" in response.json()["detail"]
    assert stored_counts() == before


def test_the_same_key_and_body_on_the_other_endpoint_is_another_batch(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    body = json.dumps({"rows": [figure(experiment, n=5, successes=1)]})
    assert post(client, "/api/daily-figures/", body, "k1").status_code == 201
    assert post(client, "/api/outcomes/", body, "k1").status_code == 422


def test_the_same_rows_as_json_and_as_csv_are_different_bodies(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    rows = [outcome(experiment)]
    assert send(client, "/api/outcomes/", rows, key="k1").status_code == 201
    assert send(client, "/api/outcomes/", rows, key="k1", as_csv=True).status_code == 422


def test_keys_belong_to_their_user(frozen, proposer, co_author, approver):
    experiment = running_experiment(proposer, approver)
    experiment.co_authors.add(co_author)
    assert send(api_client(proposer), "/api/outcomes/", [outcome(experiment)], key="shared-key").status_code == 201
    # Another user's identical key is their own batch (here: the same rows, so duplicates).
    response = send(api_client(co_author), "/api/outcomes/", [outcome(experiment)], key="shared-key")
    assert response.status_code == 400
    assert "Already recorded" in response.json()["errors"][0]["message"]
    assert IngestBatch.objects.filter(idempotency_key="shared-key").count() == 2


def test_an_unreadable_body_is_recorded_too(frozen, proposer):
    client = api_client(proposer)
    first = post(client, "/api/outcomes/", '{"rows": [', "broken")
    again = post(client, "/api/outcomes/", '{"rows": [', "broken")
    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert IngestBatch.objects.get().accepted is False


def test_python_callers_get_the_same_protection(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [outcome(experiment)]
    sha = idempotency.body_sha256(json.dumps(rows).encode())
    first = ingest_outcomes(proposer, rows, "script-1", sha)
    again = ingest_outcomes(proposer, rows, "script-1", sha)
    assert (first.status, first.replayed, again.status, again.replayed) == (201, False, 201, True)
    assert again.payload == first.payload
    assert Observation.objects.count() == 1
    other = ingest_outcomes(proposer, [outcome(experiment, "short")], "script-1", "another-sha")
    assert other.status == 422


def test_keys_of_other_users_do_not_leak(frozen, proposer, approver):
    stranger = make_user("stan_stranger", "signal_owner")
    experiment = running_experiment(proposer, approver)
    send(api_client(proposer), "/api/outcomes/", [outcome(experiment)], key="k1")
    # The stranger's own key "k1" is free for them; their refusal says nothing of the other batch.
    response = send(api_client(stranger), "/api/outcomes/", [outcome(experiment, "short")], key="k1")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
