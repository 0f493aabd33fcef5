"""JSON and CSV bodies meet the same rules and give the same answers; unreadable bodies are refused whole."""

import datetime as dt
import uuid

import pytest
from django.test import override_settings

from experiments.models import DailyStat, IngestBatch, Observation
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    outcome,
    running_experiment,
    send,
    stored_counts,
    to_csv,
    unit_in,
)


def post_raw(client, path, body, content_type="text/csv", key=None):
    return client.generic(
        "POST", path, body, content_type=content_type, secure=True, HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex
    )


def stats_snapshot():
    return sorted(
        DailyStat.objects.values_list(
            "variant__key",
            "metric__key",
            "day",
            "n",
            "total",
            "total_sq",
            "promoters",
            "detractors",
            "last_observed_at",
        )
    )


def good_outcomes(experiment):
    return [
        outcome(experiment, "control", "fcr", 1, time="2026-03-06T10:00:00Z"),
        outcome(experiment, "short", "csat", 4.5, time="2026-03-07T10:00:00+02:00"),
        outcome(experiment, "short", "nps", 9, time="2026-03-08T23:30:00Z"),
    ]


@pytest.mark.parametrize("as_csv", [False, True], ids=["json", "csv"])
def test_json_and_csv_write_the_same_rows_and_sums(frozen, proposer, approver, as_csv):
    experiment = running_experiment(proposer, approver)
    response = send(api_client(proposer), "/api/outcomes/", good_outcomes(experiment), as_csv=as_csv)
    assert response.status_code == 201, response.json()
    assert response.json()["experiments"] == {"chat-greeting": {"rows": 3, "arms": {"control": 1, "short": 2}}}
    assert sorted(Observation.objects.values_list("metric__key", "value")) == [
        ("csat", 4.5),
        ("fcr", 1.0),
        ("nps", 9.0),
    ]
    assert [row[:8] for row in stats_snapshot()] == [
        ("control", "fcr", dt.date(2026, 3, 6), 1, 1.0, 1.0, 0, 0),
        ("short", "csat", dt.date(2026, 3, 7), 1, 4.5, 20.25, 0, 0),
        ("short", "nps", dt.date(2026, 3, 8), 1, 9.0, 81.0, 1, 0),
    ]


def test_json_and_csv_refuse_the_same_rows_with_the_same_report(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    rows = good_outcomes(experiment) + [outcome(experiment, "short", "csat", 7), outcome(experiment, "long", unit="u1")]
    from_json = send(client, "/api/outcomes/", rows).json()
    from_csv = send(client, "/api/outcomes/", rows, as_csv=True).json()
    # CSV adds the file line (header is line 1); everything else is the same.
    assert [{k: v for k, v in e.items() if k != "line"} for e in from_csv["errors"]] == from_json["errors"]
    assert [e["line"] for e in from_csv["errors"]] == [e["row"] + 1 for e in from_json["errors"]]
    assert [(e["row"], e["field"]) for e in from_json["errors"]] == [(4, "value"), (5, "arm")]
    assert stored_counts() == (0, 0, 0)


def test_daily_figures_as_csv_with_empty_cells_for_unused_sums(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [
        figure(experiment, "control", "fcr", n=812, successes=571),
        figure(experiment, "short", "csat", n=240, sum=1002, sum_sq=4380),
    ]
    columns = ["experiment", "arm", "metric", "day", "n", "successes", "sum", "sum_sq", "promoters", "detractors"]
    response = send(api_client(proposer), "/api/daily-figures/", rows, as_csv=True, columns=columns)
    assert response.status_code == 201, response.json()
    assert sorted(DailyStat.objects.values_list("metric__key", "n", "total")) == [
        ("csat", 240, 1002.0),
        ("fcr", 812, 571.0),
    ]


def test_csv_errors_name_the_file_line(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    unit = unit_in(experiment, "control")
    body = (
        "experiment,unit,arm,metric,value,time\r\n"
        f"chat-greeting,{unit},control,fcr,1,2026-03-06T10:00:00Z\r\n"
        "\r\n"  # a blank line is skipped, not a row
        f'chat-greeting,"{unit}",control,"fcr",2,2026-03-06T11:00:00Z\r\n'
        f"chat-greeting,{unit},control,fcr,1\r\n"
    )
    body = post_raw(api_client(proposer), "/api/outcomes/", body).json()
    assert body["errors"] == [
        {
            "row": 2,
            "line": 4,
            "field": "value",
            "message": "First-contact resolution is a rate: each unit's value is 0 or 1, not 2.",
        },
        {"row": 3, "line": 5, "field": None, "message": "This line has 5 values; the header has 6 columns."},
    ]


def test_csv_header_problems_are_reported_before_any_row(frozen, proposer, approver):
    response = post_raw(
        api_client(proposer), "/api/outcomes/", "experiment,unit,arm,metric,valeu,when\nx,1,control,fcr,1,now\n"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The header row does not match the template; nothing was written."
    assert {(e["line"], e["field"]) for e in body["errors"]} == {(1, "valeu"), (1, "when"), (1, "value"), (1, "time")}
    assert IngestBatch.objects.get().status_code == 400  # recorded: a retry gets the same answer


def test_csv_from_excel_with_a_byte_order_mark_and_upper_case_header(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [outcome(experiment)]
    body = "\ufeff" + to_csv(rows).replace("experiment,unit,arm", "Experiment,Unit,ARM")
    response = post_raw(api_client(proposer), "/api/outcomes/", body.encode("utf-8"))
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    "body, content_type, status, words",
    [
        ("experiment;unit;arm;metric;value;time\n", "text/csv", 400, "separate columns with commas"),
        ("", "text/csv", 400, "The file is empty"),
        ("experiment,unit,arm,metric,value,time\n", "text/csv", 400, "The batch has no rows"),
        (b"experiment,unit\n\xff\xfe", "text/csv", 400, "not UTF-8"),
        ('{"rows": [', "application/json", 400, "not valid JSON"),
        # NaN and Infinity are not JSON: refused whole, as everywhere else in the API (STRICT_JSON).
        ('{"rows": [{"value": NaN}]}', "application/json", 400, "NaN and Infinity are not JSON numbers"),
        ('{"rows": [{"value": -Infinity}]}', "application/json", 400, "not valid JSON"),
        ('[{"experiment": "x"}]', "application/json", 400, "a JSON object with the rows in a list"),
        ('{"rows": {"a": 1}}', "application/json", 400, '"rows" must be a list'),
        ('{"rows": [], "extra": 1}', "application/json", 400, "Unknown top-level field 'extra'"),
        ('{"rows": []}', "application/json", 400, "The batch has no rows"),
        ("experiment=x", "application/x-www-form-urlencoded", 415, "Send rows as application/json"),
    ],
)
def test_unreadable_bodies_are_refused_whole(frozen, proposer, body, content_type, status, words):
    response = post_raw(api_client(proposer), "/api/outcomes/", body, content_type=content_type)
    assert response.status_code == status
    assert words in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)


@override_settings(INGEST_MAX_BODY_BYTES=2048)
def test_a_body_over_the_size_limit_is_not_read(frozen, proposer):
    response = post_raw(api_client(proposer), "/api/outcomes/", "x" * 4096)
    assert response.status_code == 413
    assert "4,096 bytes; the most this address takes is 2,048" in response.json()["detail"]
    assert not IngestBatch.objects.exists()


def test_a_body_above_djangos_form_limit_is_still_read(frozen, proposer, approver, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # the API reads its own body, up to INGEST_MAX_BODY_BYTES
    experiment = running_experiment(proposer, approver)
    units = [unit_in(experiment, "control", i * 3) for i in range(40)]
    rows = [outcome(experiment, unit=unit) for unit in dict.fromkeys(units)]
    response = send(api_client(proposer), "/api/outcomes/", rows)
    assert response.status_code == 201, response.json()
    assert Observation.objects.count() == len(rows)


def test_the_api_docs_describe_both_endpoints_with_their_header_and_formats(proposer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(proposer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json", secure=True).json()
    for path in ("/api/outcomes/", "/api/daily-figures/"):
        post = schema["paths"][path]["post"]
        [header] = [p for p in post["parameters"] if p["in"] == "header"]
        assert (header["name"], header["required"]) == ("Idempotency-Key", True)
        assert {"application/json", "text/csv"} <= set(post["requestBody"]["content"])
        assert {"201", "400", "409", "413", "415", "422"} <= set(post["responses"])
    daily = schema["paths"]["/api/daily-figures/"]["post"]["description"]
    assert "Binary metrics add `successes`" in daily and "NPS metrics add `promoters`" in daily


def test_an_api_csv_without_the_experiment_column_is_refused_at_the_header(frozen, proposer):
    body = post_raw(
        api_client(proposer), "/api/outcomes/", "unit,arm,metric,value,time\nu1,control,fcr,1,2026-03-06T10:00:00Z\n"
    ).json()
    assert body["errors"] == [
        {"row": None, "line": 1, "field": "experiment", "message": "This column is missing from the header row."}
    ]
