"""Per-unit outcomes: each rule refuses the whole batch, names the row and field, writes nothing."""

import datetime as dt
import json
import uuid

import pytest
from django.test import override_settings

from experiments.live.hashing import arm_for
from experiments.models import IngestBatch, Observation
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    outcome,
    running_experiment,
    send,
    stored_counts,
    unit_in,
)
from tests.factories import make_experiment

RULES = [
    # (what, changes to the second row, field named, words in the message)
    (
        "unknown experiment",
        {"experiment": "no-such-experiment"},
        "experiment",
        "No experiment with key 'no-such-experiment'",
    ),
    ("missing experiment", {"experiment": None}, "experiment", "Required"),
    ("unknown arm", {"arm": "long"}, "arm", "Unknown arm 'long'; this experiment's arms are control, short"),
    ("metric not on the experiment", {"metric": "churn"}, "metric", "Unknown metric 'churn'"),
    ("text for a number", {"value": "yes"}, "value", "Must be a number, got 'yes'"),
    ("infinity as text", {"value": "inf"}, "value", "finite number"),
    ("a boolean", {"value": True}, "value", "Must be a number"),
    ("binary value other than 0/1", {"value": 0.5}, "value", "each unit's value is 0 or 1, not 0.5"),
    ("NPS score with a fraction", {"metric": "nps", "value": 7.5}, "value", "whole number from 0 to 10"),
    ("NPS score above 10", {"metric": "nps", "value": 11}, "value", "whole number from 0 to 10"),
    ("CSAT 7 on a 1-5 scale", {"metric": "csat", "value": 7}, "value", "takes values from 1 to 5 points; 7 is outside"),
    ("CSAT 0 on a 1-5 scale", {"metric": "csat", "value": 0}, "value", "from 1 to 5"),
    (
        "time before the start day",
        {"time": "2026-03-04T23:59:00Z"},
        "time",
        "before the experiment started running (5 Mar 2026)",
    ),
    ("time in the future", {"time": "2026-03-10T12:00:01Z"}, "time", "is in the future"),
    ("time without an offset", {"time": "2026-03-06T10:00:00"}, "time", "Needs a UTC offset or Z"),
    ("time that is not a time", {"time": "yesterday"}, "time", "Must be an ISO 8601 time"),
    ("time as a number", {"time": 1772791200}, "time", "Must be an ISO 8601 time"),
    ("missing unit", {"unit": ""}, "unit", "Required"),
    ("unit too long", {"unit": "u" * 201}, "unit", "At most 200 characters"),
    ("unknown field", {"vaule": 1}, "vaule", "Unknown field"),
]


@pytest.mark.parametrize("what, change, field, words", RULES, ids=[r[0] for r in RULES])
def test_one_bad_row_refuses_the_batch_and_writes_nothing(frozen, proposer, approver, what, change, field, words):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    assert send(client, "/api/outcomes/", [outcome(experiment)]).status_code == 201  # something stored already
    before = stored_counts()

    bad = outcome(experiment, "short", "fcr", 1, time="2026-03-07T08:00:00Z")
    bad.update(change)
    bad = {k: v for k, v in bad.items() if v is not None}
    rows = [
        outcome(experiment, "short", time="2026-03-06T09:00:00Z"),
        bad,
        outcome(experiment, "control", time="2026-03-08T09:00:00Z"),
    ]
    response = send(client, "/api/outcomes/", rows)

    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["error_count"] == 1, body
    [error] = body["errors"]
    assert (error["row"], error["field"]) == (2, field)
    assert words in error["message"]
    assert "nothing was written" in body["detail"]
    assert stored_counts() == before
    assert IngestBatch.objects.filter(accepted=False, status_code=400).count() == 1


def test_an_experiment_that_is_not_accepting_data(frozen, proposer, approver):
    approved = running_experiment(proposer, approver, key="not-yet", status="approved")
    response = send(api_client(proposer), "/api/outcomes/", [outcome(approved)])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "experiment"
    assert "approved; it accepts data only while running, stopped or completed" in error["message"]
    assert stored_counts() == (0, 0, 0)


@pytest.mark.parametrize("status", ["stopped", "completed"])
def test_stopped_and_completed_experiments_still_take_their_late_data(frozen, proposer, approver, status):
    experiment = running_experiment(proposer, approver, status=status)
    assert send(api_client(proposer), "/api/outcomes/", [outcome(experiment)]).status_code == 201


def test_a_time_after_the_planned_end(time_machine, proposer, approver):
    time_machine.move_to(dt.datetime(2026, 4, 2, 12, tzinfo=dt.UTC), tick=False)
    experiment = running_experiment(proposer, approver, status="completed")
    rows = [outcome(experiment, time="2026-03-31T23:59:59Z"), outcome(experiment, time="2026-04-01T00:00:00Z")]
    response = send(api_client(proposer), "/api/outcomes/", rows)
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "time")
    assert "after the experiment's planned end (31 Mar 2026)" in error["message"]


@override_settings(TIME_ZONE="Europe/Amsterdam")
def test_the_window_follows_the_time_zone_of_the_site(frozen, proposer, approver):
    # Started 5 March 09:30 UTC = 10:30 in Amsterdam: from 5 March 00:00 local, i.e. 4 March 23:00 UTC.
    experiment = running_experiment(proposer, approver)
    rows = [outcome(experiment, time="2026-03-04T23:00:00Z"), outcome(experiment, "short", time="2026-03-04T22:59:59Z")]
    response = send(api_client(proposer), "/api/outcomes/", rows)
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "time")


def test_without_a_start_event_data_counts_from_the_planned_start(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver, started=None)
    response = send(api_client(proposer), "/api/outcomes/", [outcome(experiment, time="2026-03-05T00:00:00Z")])
    assert response.status_code == 201


def test_a_unit_in_the_wrong_arm(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    unit = unit_in(experiment, "control")
    response = send(api_client(proposer), "/api/outcomes/", [outcome(experiment, "short", unit=unit)])
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (1, "arm")
    assert error["message"] == f"Unit '{unit}' is assigned to arm 'control', not 'short'."
    assert stored_counts() == (0, 0, 0)


def test_a_unit_outside_the_exposure_cap_is_not_enrolled(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver, cap=20)
    outside = unit_in(experiment, None, exposed=False)
    response = send(
        api_client(proposer),
        "/api/outcomes/",
        [outcome(experiment, unit=unit_in(experiment, "control")), outcome(experiment, unit=outside)],
    )
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "unit")
    assert "is not enrolled: it falls outside the exposure cap of 20%" in error["message"]


def test_numeric_unit_ids_in_json_are_the_same_units_as_text(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    weights = [(v.key, v.weight) for v in experiment.variants.all()]
    number = next(i for i in range(1000) if arm_for(experiment.key, weights, str(i)) == "control")
    response = send(api_client(proposer), "/api/outcomes/", [outcome(experiment, "control", unit=number)])
    assert response.status_code == 201, response.json()
    assert Observation.objects.get().unit_id == str(number)


def test_duplicates_within_the_batch(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    row = outcome(experiment)
    same_moment_other_offset = dict(row, time="2026-03-06T11:00:00+01:00")
    response = send(
        api_client(proposer), "/api/outcomes/", [row, outcome(experiment, "short"), same_moment_other_offset]
    )
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (3, "time")
    assert "Duplicate of row 1" in error["message"]
    assert stored_counts() == (0, 0, 0)


def test_duplicates_of_rows_already_stored(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    row = outcome(experiment)
    assert send(client, "/api/outcomes/", [row]).status_code == 201
    before = stored_counts()
    response = send(client, "/api/outcomes/", [outcome(experiment, "short"), row])
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "time")
    assert "Already recorded" in error["message"]
    assert stored_counts() == before
    # The same unit and metric at another time is a new outcome.
    assert send(client, "/api/outcomes/", [dict(row, time="2026-03-06T10:00:01Z")]).status_code == 201


def test_every_error_is_counted_and_the_first_thousand_listed(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [outcome(experiment, unit=f"x{i}", arm="long") for i in range(1200)]
    body = send(api_client(proposer), "/api/outcomes/", rows).json()
    assert body["error_count"] == 1200
    assert len(body["errors"]) == 1000
    assert [e["row"] for e in body["errors"][:3]] == [1, 2, 3]
    assert "The first 1,000 are listed" in body["detail"]


def test_several_errors_in_one_row_are_all_reported(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    row = outcome(experiment, value="high", time="soon")
    body = send(api_client(proposer), "/api/outcomes/", [row]).json()
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(1, "value"), (1, "time")}


@override_settings(INGEST_MAX_ROWS=5)
def test_too_many_rows_is_refused_whole(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [outcome(experiment, unit=unit) for unit in [unit_in(experiment, "control", i * 50) for i in range(6)]]
    response = send(api_client(proposer), "/api/outcomes/", rows)
    assert response.status_code == 413
    assert "at most 5 rows; this one has 6" in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)
    assert IngestBatch.objects.get().status_code == 413


def test_rows_for_two_experiments_in_one_batch(frozen, proposer, approver):
    first = running_experiment(proposer, approver, key="first")
    second = running_experiment(proposer, approver, key="second")
    response = send(api_client(proposer), "/api/outcomes/", [outcome(first), outcome(second, "short"), outcome(second)])
    assert response.status_code == 201
    assert response.json()["experiments"] == {
        "first": {"rows": 1, "arms": {"control": 1, "short": 0}},
        "second": {"rows": 2, "arms": {"control": 1, "short": 1}},
    }


def test_a_draft_someone_else_owns_is_unknown(frozen, proposer, approver, signal_owner):
    hidden = make_experiment(proposer, approver, key="secret-draft")
    response = send(
        api_client(signal_owner),
        "/api/outcomes/",
        [
            {
                "experiment": hidden.key,
                "unit": "u1",
                "arm": "control",
                "metric": "fcr",
                "value": 1,
                "time": "2026-03-06T10:00:00Z",
            }
        ],
    )
    [error] = response.json()["errors"]
    assert error == {
        "row": 1,
        "field": "experiment",
        "message": "No experiment with key 'secret-draft' that you may see.",
    }


def test_a_row_that_is_not_an_object(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    body = json.dumps({"rows": [outcome(experiment), ["chat-greeting", "u1"]]})
    response = client.generic(
        "POST",
        "/api/outcomes/",
        body,
        content_type="application/json",
        secure=True,
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, None)
    assert "must be an object" in error["message"]


def test_a_refused_batch_also_lists_its_rows_already_stored(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    row = outcome(experiment)
    assert send(client, "/api/outcomes/", [row]).status_code == 201
    body = send(client, "/api/outcomes/", [outcome(experiment, "short", "csat", 9), row]).json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(1, "value"), (2, "time")]
    assert "Already recorded" in body["errors"][1]["message"]
