"""Data in is bounded: a body is size-checked before it is read and counted while it is, rows are
parsed one at a time (memory does not grow with junk), and every field meets the one input rule
(experiments.inputs.cleaning) with the refusal naming the row and field. Unit ids are cleaned by
the one clean_unit_id(), so the unit assigned is the unit whose outcome is accepted."""

import io
import json
import tracemalloc
import uuid
from unittest import mock

import pytest
from django.test import override_settings
from django.utils.http import urlencode

from experiments.inputs import bounded_body
from experiments.live import assignment_buffer
from experiments.live.units import BadUnitId, clean_unit_id
from experiments.models import AssignedUnit, IngestBatch, Observation
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    outcome,
    running_experiment,
    send,
    stored_counts,
    unit_in,
)
from tests.factories import make_service_key


pytestmark = pytest.mark.usefixtures("frozen")


def post_raw(client, body, content_type="application/json", key=None, path="/api/outcomes/"):
    return client.generic(
        "POST", path, body, content_type=content_type, secure=True, HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex
    )


# --- size: refused before reading, counted while reading ---------------------------------------


@override_settings(INGEST_MAX_BODY_BYTES=2048)
@pytest.mark.parametrize("path", ["/api/outcomes/", "/api/daily-figures/"])
def test_an_oversize_body_is_refused_413_before_it_is_read_or_parsed(proposer, path):
    with mock.patch("experiments.live.api_ingestion.parse_body") as parse:
        response = post_raw(api_client(proposer), "x" * 4096, content_type="text/csv", path=path)
    assert response.status_code == 413
    assert response.json()["problems"] == [{"field": "body", "message": response.json()["detail"]}]
    parse.assert_not_called()
    assert not IngestBatch.objects.exists()  # not recorded: the key stays free for the split batches


class _Unsized:
    """A request whose body arrives without a Content-Length, in chunks, and counts what is read."""

    def __init__(self, size):
        self.META = {}
        self.stream = io.BytesIO(b"x" * size)
        self.read_bytes = 0

    def read(self, size):
        chunk = self.stream.read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_the_counting_reader_stops_at_the_limit_when_the_length_is_not_told():
    request = _Unsized(10 * bounded_body.CHUNK_BYTES)
    with bounded_body.spooled(request, 2 * bounded_body.CHUNK_BYTES) as body:
        assert "more than 131,072 bytes" in body.too_large
    assert request.read_bytes <= 3 * bounded_body.CHUNK_BYTES


def test_a_body_within_the_limit_is_spooled_whole_with_its_fingerprint():
    request = _Unsized(3 * bounded_body.CHUNK_BYTES + 5)
    with bounded_body.spooled(request, 4 * bounded_body.CHUNK_BYTES) as body:
        assert not body.too_large and body.size == 3 * bounded_body.CHUNK_BYTES + 5
        assert body.file.read() == b"x" * body.size
        assert body.sha256 == __import__("hashlib").sha256(b"x" * body.size).hexdigest()


# --- streaming: junk costs what one row costs --------------------------------------------------


def _peak_bytes_of(client, body, content_type):
    post_raw(client, b"experiment,unit\n", content_type="text/csv")  # imports and first queries: not the body's cost
    tracemalloc.start()
    try:
        response = post_raw(client, body, content_type=content_type)
        return response, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_junk_json_body_is_refused_for_its_row_count_without_keeping_its_rows(proposer):
    count = 200_000
    body = b'{"rows":[' + b"1," * (count - 1) + b"1]}"  # 400 KB; parsed whole it took ~350 bytes a row
    response, peak = _peak_bytes_of(api_client(proposer), body, "application/json")
    assert response.status_code == 413
    assert "at most 50,000 rows; this one has 200,000" in response.json()["detail"]
    assert peak < 8 * 1024 * 1024, f"{peak:,} bytes for a {len(body):,}-byte body"


def test_a_csv_of_empty_lines_costs_no_more_than_one_line(proposer):
    body = b"experiment,unit,arm,metric,value,time\n" + b"\n" * 400_000
    response, peak = _peak_bytes_of(api_client(proposer), body, "text/csv")
    assert response.status_code == 400 and response.json()["detail"] == "The batch has no rows."
    assert peak < 8 * 1024 * 1024, f"{peak:,} bytes for a {len(body):,}-byte body"


def test_a_row_nested_too_deep_refuses_the_body(proposer, approver):
    experiment = running_experiment(proposer, approver)
    row = json.dumps(outcome(experiment))[:-1] + ', "extra": ' + "[" * 40 + "]" * 40 + "}"
    response = post_raw(api_client(proposer), '{"rows": [' + row + "]}")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)


def test_rows_stay_numbered_and_the_batch_atomic_when_streamed(proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [outcome(experiment, time=f"2026-03-06T10:00:{i:02d}Z") for i in range(5)]
    rows[3]["value"] = 7
    response = send(api_client(proposer), "/api/outcomes/", rows)
    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(4, "value")]
    assert response.json()["rows_received"] == 5
    assert stored_counts() == (0, 0, 0)


# --- NUL and control characters: a row error naming the field, stored answer intact ----------


@pytest.mark.parametrize("field", ["experiment", "unit", "arm", "metric", "time"])
@pytest.mark.parametrize("as_csv", [False, True], ids=["json", "csv"])
def test_nul_in_a_row_is_a_row_error_naming_the_field(proposer, approver, field, as_csv):
    experiment = running_experiment(proposer, approver)
    bad = outcome(experiment)
    bad[field] = bad[field][:2] + "\x00" + bad[field][2:]
    client = api_client(proposer)
    key = uuid.uuid4().hex
    rows = [outcome(experiment, time="2026-03-06T09:00:00Z"), bad]
    response = send(client, "/api/outcomes/", rows, key=key, as_csv=as_csv)
    assert response.status_code == 400, response.json()
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, field)]
    assert "NUL" in response.json()["errors"][0]["message"]
    # The refusal was stored (PostgreSQL's JSON cannot hold NUL): a retry gets the same answer.
    again = send(client, "/api/outcomes/", rows, key=key, as_csv=as_csv)
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert again.json() == response.json()
    assert stored_counts() == (0, 0, 0)


def test_a_control_character_in_a_csv_header_is_named_without_storing_it(proposer):
    response = post_raw(api_client(proposer), "experiment,unit,arm,metric,value,ti\x00me\n", content_type="text/csv")
    assert response.status_code == 400
    fields = [error["field"] for error in response.json()["errors"]]
    assert "ti\\x00me" in fields and "time" in fields


def test_nul_in_the_idempotency_key_is_refused_naming_the_header(proposer, approver):
    experiment = running_experiment(proposer, approver)
    response = send(api_client(proposer), "/api/outcomes/", [outcome(experiment)], key="batch\x001")
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    assert not IngestBatch.objects.exists()


# --- one clean_unit_id() ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, cleaned",
    [
        (" u1 ", "u1"),
        ("u1", "u1"),
        (12345, "12345"),
        ("\tu1\n", "u1"),
        ("u\t1", None),
        ("  ", None),
        ("", None),
        (None, None),
        (True, None),
        ("a\x00b", None),
        ("x" * 200, "x" * 200),
        ("x" * 201, None),
        (" " + "x" * 200 + " ", "x" * 200),
    ],
)
def test_clean_unit_id(value, cleaned):
    if cleaned is None:
        with pytest.raises(BadUnitId):
            clean_unit_id(value)
    else:
        assert clean_unit_id(value) == cleaned


def test_a_unit_assigned_with_spaces_has_its_outcome_accepted_for_the_same_arm(proposer, approver):
    experiment = running_experiment(proposer, approver)
    experiment.touchpoints.clear()
    experiment.segments.clear()
    unit = unit_in(experiment, "short")
    client = api_client(proposer)
    _, secret = make_service_key(proposer, [experiment])  # assigning (counted) and sending data
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}")
    spaced = f"  {unit} "
    url = f"/api/experiments/{experiment.key}/assignment/?{urlencode({'unit': spaced})}"
    answer = client.get(url, secure=True).json()
    assert (answer["unit"], answer["variant"], answer["enrolled"]) == (unit, "short", True)
    batch = client.post(
        "/api/assignments/", {"experiment": experiment.key, "units": [{"unit": spaced}]}, format="json", secure=True
    ).json()
    assert (batch[0]["unit"], batch[0]["variant"]) == (unit, "short")

    response = send(client, "/api/outcomes/", [outcome(experiment, "short", unit=spaced)])
    assert response.status_code == 201, response.json()
    assert Observation.objects.get().unit_id == unit
    assignment_buffer.flush_assignments()
    assert list(AssignedUnit.objects.values_list("unit_id", flat=True)) == [unit]
