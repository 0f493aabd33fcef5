"""The upload page streams the file to a temporary file and refuses one over INGEST_MAX_BODY_BYTES
while reading it (experiments.inputs.uploads); a request declaring more than that is refused
before any of it is read."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import override_settings

from experiments.inputs.uploads import BoundedUploadHandler
from experiments.models import IngestBatch
from tests.experiments.live.test_ingestion_scenario import (
    outcome,
    running_experiment,
    stored_counts,
)
from tests.experiments.live.test_upload_page import outcomes_csv, page_text, upload
from tests.experiments.web import https_client


@pytest.fixture
def experiment(request, proposer, approver):
    request.getfixturevalue("frozen")
    return running_experiment(proposer, approver)


@override_settings(INGEST_MAX_BODY_BYTES=4096)
def test_a_file_over_the_limit_is_dropped_while_streaming_and_the_page_says_so(experiment, proposer):
    received = []
    real = BoundedUploadHandler.receive_data_chunk

    def counting(handler, raw_data, start):
        received.append(len(raw_data))
        return real(handler, raw_data, start)

    big = "unit,arm,metric,value,time\n" + "u1,control,fcr,1,2026-03-06T10:00:00Z\n" * 750  # 30 KB: < form overhead
    with mock.patch.object(BoundedUploadHandler, "receive_data_chunk", counting):
        response = upload(https_client(proposer), experiment, big)
    assert response.status_code == 413
    assert "larger than 4,096 bytes, the most one upload may be" in page_text(response.content.decode())
    assert sum(received[:-1]) <= 4096  # stopped at the first chunk past the limit
    assert not IngestBatch.objects.exists() and stored_counts() == (0, 0, 0)


@override_settings(INGEST_MAX_BODY_BYTES=4096)
def test_a_request_declaring_more_than_the_limit_is_not_read_at_all(experiment, proposer):
    big = "unit,arm,metric,value,time\n" + "u1,control,fcr,1,2026-03-06T10:00:00Z\n" * 5000  # ~200 KB
    with mock.patch.object(BoundedUploadHandler, "receive_data_chunk") as receive:
        response = upload(https_client(proposer), experiment, big)
    assert response.status_code == 413
    receive.assert_not_called()
    assert not IngestBatch.objects.exists()


def test_files_go_to_a_temporary_file_never_memory(experiment, proposer):
    seen = []
    real = TemporaryFileUploadHandler.new_file

    def spy(handler, *args, **kwargs):
        seen.append(type(handler))
        return real(handler, *args, **kwargs)

    rows = [outcome(experiment)]
    with mock.patch.object(TemporaryFileUploadHandler, "new_file", spy):
        response = upload(https_client(proposer), experiment, outcomes_csv(experiment, rows))
    assert response.status_code == 200
    assert seen == [BoundedUploadHandler]
    assert stored_counts()[0] == 1


def test_nul_in_a_form_field_of_the_upload_page_is_refused_naming_it(experiment, proposer):
    data = {"kind": "outcomes\x00", "idempotency_key": "k1", "file": SimpleUploadedFile("a.csv", b"unit\n")}
    response = https_client(proposer).post(f"/experiments/{experiment.key}/data/", data)
    assert response.status_code == 400
    assert "kind" in page_text(response.content.decode())
    assert not IngestBatch.objects.exists()


def test_nul_in_a_cell_of_an_uploaded_file_is_a_row_error(experiment, proposer):
    rows = [outcome(experiment)]
    rows[0]["unit"] = "u\x001"
    response = upload(https_client(proposer), experiment, outcomes_csv(experiment, rows))
    assert response.status_code == 400
    assert "Must not contain NUL characters" in page_text(response.content.decode())
