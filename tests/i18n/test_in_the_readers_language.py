"""What Pagar writes to one person is in that person's language: the ideas slot's agenda email and
the promotion review's invitation (each recipient's PersonSettings language), a CSV export's header
row, and the messages of a refused upload or API batch (which still name the field)."""

import csv
import html
import io
import json
import uuid

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import preferences
from approvals.models import Decision
from approvals.services import decide
from cadence.ideas.agenda import build_agenda, next_meeting
from cadence.ideas.notices import send_agenda as send_slot_agenda
from cadence.reviews.agenda import build_agenda as build_review_agenda
from cadence.reviews.occurrences import ensure_meeting, next_start
from cadence.reviews.sending import send_agenda as send_review_agenda
from experiments import roles
from tests.cadence.ideas.builders import make_idea
from tests.cadence.ideas.builders import make_series as make_slot_series
from tests.cadence.reviews.helpers import make_series as make_review_series
from tests.experiments.live.test_ingestion_scenario import NOW, outcome, running_experiment, to_csv
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment, make_service_key, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader_in_indonesian(indonesian):
    person = make_user("ida_indonesia", roles.PROPOSER, roles.APPROVER, roles.BOARD, roles.STANDARDS_KEEPER)
    preferences.save_language(person, "id")
    return person


@pytest.fixture
def reader_in_english(db):
    person = make_user("eve_english", roles.PROPOSER, roles.APPROVER, roles.BOARD)
    preferences.save_language(person, "en")
    return person


def _mail_to(person):
    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    return message


def test_each_participant_gets_the_slot_agenda_in_their_own_language(
    reader_in_indonesian, reader_in_english, django_capture_on_commit_callbacks
):
    series = make_slot_series(reader_in_indonesian, reader_in_english)
    make_idea(reader_in_english, "Panggilan balik")  # data: the same in both emails
    meeting = next_meeting(series)
    build_agenda(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_slot_agenda(meeting)
    indonesian, english = _mail_to(reader_in_indonesian), _mail_to(reader_in_english)
    assert "Agenda sesi ide" in indonesian.subject and "Ideas slot agenda" in english.subject
    assert "Halaman rapat:" in indonesian.body and "Meeting page:" not in indonesian.body
    assert "Meeting page:" in english.body and "Panggilan balik" in indonesian.body
    assert "Baru sejak sesi terakhir" in indonesian.body or "Skor tertinggi" in indonesian.body
    # The invitation's calendar speaks the reader's language too.
    ((_name, calendar, _type),) = indonesian.attachments
    assert "Sesi ide" in (calendar.decode() if isinstance(calendar, bytes) else calendar)


def test_each_attendee_gets_the_review_invitation_in_their_own_language(
    reader_in_indonesian, reader_in_english, django_capture_on_commit_callbacks
):
    series = make_review_series(reader_in_indonesian, reader_in_english)
    meeting = ensure_meeting(series, next_start(series, timezone.now()))
    build_review_agenda(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_review_agenda(meeting)
    indonesian, english = _mail_to(reader_in_indonesian), _mail_to(reader_in_english)
    assert indonesian.subject.startswith("[Pagar] Agenda dan undangan")
    assert english.subject.startswith("[Pagar] Agenda and invitation")
    assert "Berikan suara di sini:" in indonesian.body and "Vote here:" not in indonesian.body
    assert "Tidak ada yang perlu diputuskan bulan ini." in indonesian.body
    assert "Nothing to decide this month." in english.body


def test_a_csv_export_by_an_indonesian_person_has_indonesian_headers(reader_in_indonesian, reader_in_english):
    experiment = make_experiment(reader_in_english, reader_in_indonesian, status="pending_approval")
    decide(experiment, reader_in_indonesian, "request_changes", "Tambahkan segmennya.")
    assert Decision.objects.count() == 1
    url = reverse("approvals-decisions-csv")
    indonesian = https_client(reader_in_indonesian).get(url).content.decode()
    header, row = list(csv.reader(io.StringIO(indonesian)))
    assert header[:3] == ["eksperimen", "judul", "permintaan"] and header[-1] == "diputuskan_pada"
    assert row[0] == experiment.key and row[-3] == "request_changes"  # the data as stored
    reader_in_english.groups.add(*reader_in_indonesian.groups.all())
    english = https_client(reader_in_english).get(url).content.decode()
    assert english.splitlines()[0].startswith("experiment,title,request,")


@pytest.fixture
def running(reader_in_indonesian, reader_in_english, time_machine):
    time_machine.move_to(NOW, tick=False)
    return running_experiment(reader_in_indonesian, reader_in_english)


def test_an_upload_refused_for_an_indonesian_person_says_why_in_indonesian_and_names_the_field(
    reader_in_indonesian, running
):
    rows = [outcome(running) | {"arm": "long"}]
    data = {
        "kind": "outcomes",
        "idempotency_key": "form-key-id",
        "file": io.BytesIO(to_csv(rows, columns=["unit", "arm", "metric", "value", "time"]).encode()),
    }
    data["file"].name = "outcomes.csv"
    page = https_client(reader_in_indonesian).post(reverse("experiment-data", kwargs={"key": running.key}), data)
    assert page.status_code == 400
    text = html.unescape(text_of(page.content.decode()))
    assert "arm" in text and "Kelompok 'long' tidak dikenal; kelompok eksperimen ini adalah control, short" in text
    assert "Unknown arm" not in text


def test_an_api_batch_in_indonesian_is_refused_in_indonesian_naming_each_field(reader_in_indonesian, running):
    _, secret = make_service_key(reader_in_indonesian, None, actions=("send_data",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}", HTTP_ACCEPT_LANGUAGE="id")
    rows = [outcome(running) | {"arm": "long", "value": "banyak"}]
    answer = client.generic(
        "POST",
        "/api/outcomes/",
        json.dumps({"rows": rows}),
        content_type="application/json",
        secure=True,
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert answer.status_code == 400
    body = answer.json()
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert messages["arm"].startswith("Kelompok 'long' tidak dikenal")
    assert messages["value"] == "Harus berupa angka, yang diterima 'banyak'."
    assert "tidak ada yang ditulis" in body["detail"]
    # The same batch in English says it in English.
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}", HTTP_ACCEPT_LANGUAGE="en")
    with time_machine.travel(NOW, tick=False):
        english = client.generic(
            "POST",
            "/api/outcomes/",
            json.dumps({"rows": rows}),
            content_type="application/json",
            secure=True,
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        ).json()
    assert {e["field"]: e["message"] for e in english["errors"]}["value"] == "Must be a number, got 'banyak'."


def test_a_person_with_an_api_token_reads_the_api_in_their_saved_language(reader_in_indonesian):
    from accounts import tokens

    _row, raw = tokens.issue(reader_in_indonesian)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}", HTTP_ACCEPT_LANGUAGE="en")
    answer = client.post("/api/experiments/", {"title": "Uji", "metrics": []}, format="json", secure=True)
    assert answer.status_code == 400 and answer["Content-Language"] == "id"
    problems = {p["field"]: p["message"] for p in answer.json()["problems"]}
    assert problems["metrics"] == "Tambahkan setidaknya satu metrik: metrik keberhasilan yang memutuskan eksperimen."
