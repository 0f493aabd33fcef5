"""The upload page: who sees it, the forms and templates, the report or summary after a post."""

import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from experiments.models import IngestBatch, Observation
from tests.experiments.live.test_ingestion_scenario import (
    figure,
    outcome,
    running_experiment,
    send,
    api_client,
    stored_counts,
    to_csv,
)
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment


@pytest.fixture
def experiment(frozen, proposer, approver):
    return running_experiment(proposer, approver)


def page_text(html: str) -> str:
    return html_lib.unescape(text_of(html))


def page_url(experiment):
    return reverse("experiment-data", kwargs={"key": experiment.key})


def upload(client, experiment, csv_text, kind="outcomes", key="form-key-1", name="outcomes.csv"):
    data = {
        "kind": kind,
        "idempotency_key": key,
        "file": SimpleUploadedFile(name, csv_text.encode(), content_type="text/csv"),
    }
    return client.post(page_url(experiment), data)


def outcomes_csv(experiment, rows):
    """CSV as a team would write it on this page: no experiment column."""
    return to_csv(rows, columns=["unit", "arm", "metric", "value", "time"])


@pytest.mark.parametrize("role", ["proposer", "co_author", "signal_owner", "admin_user"])
def test_senders_see_two_upload_forms_with_their_own_keys(request, experiment, co_author, role):
    experiment.co_authors.add(co_author)
    response = https_client(request.getfixturevalue(role)).get(page_url(experiment))
    assert response.status_code == 200
    html = response.content.decode()
    text = page_text(html)
    assert "Accepting data dated 5 Mar 2026 (the day it started running) through 31 Mar 2026" in text
    assert html.count('enctype="multipart/form-data"') == 2
    assert re.findall(r'name="kind" value="(\w+)"', html) == ["outcomes", "daily"]
    keys = re.findall(r'name="idempotency_key" value="(\w+)"', html)
    assert len(keys) == 2 and len(set(keys)) == 2
    assert html.count("<progress") == 2
    assert "/data/template-outcomes.csv" in html and "/data/template-daily.csv" in html
    assert 'src="/static/js/upload.js"' in html
    assert "csrfmiddlewaretoken" in html
    # The reference the file needs: arm and metric keys, per-unit values, daily columns.
    assert (
        "First-contact resolution" in text
        and "0 or 1" in text
        and "1 to 5 points" in text
        and "whole number 0–10" in text
    )
    assert "n, promoters, detractors, sum, sum_sq" in text
    # A fresh page, a fresh key: reloading never reuses a key.
    again = re.findall(
        r'name="idempotency_key" value="(\w+)"',
        https_client(request.getfixturevalue(role)).get(page_url(experiment)).content.decode(),
    )
    assert not set(again) & set(keys)


@pytest.mark.parametrize("role", ["approver", "standards_keeper", "board_member", "outsider"])
def test_others_are_refused(request, experiment, role):
    response = https_client(request.getfixturevalue(role)).get(page_url(experiment))
    assert response.status_code == 403
    assert "Only this experiment's authors, signal owners and administrators may send data" in page_text(
        response.content.decode()
    )
    assert (
        https_client(request.getfixturevalue(role)).get(page_url(experiment) + "template-outcomes.csv").status_code
        == 403
    )


def test_a_draft_the_user_cannot_see_is_not_found(frozen, proposer, approver, signal_owner):
    draft = make_experiment(proposer, approver, key="private-draft")
    assert https_client(signal_owner).get(page_url(draft)).status_code == 404


def test_signed_out_visitors_go_to_the_login_page(experiment):
    response = https_client().get(page_url(experiment))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_experiment_not_yet_running_shows_why_and_no_forms(frozen, proposer, approver):
    approved = running_experiment(proposer, approver, key="soon", status="approved")
    html = https_client(proposer).get(page_url(approved)).content.decode()
    assert "This experiment is approved: it accepts data only while running, stopped or completed." in page_text(html)
    assert "multipart/form-data" not in html


@pytest.mark.parametrize(
    "kind, header",
    [
        ("outcomes", "experiment,unit,arm,metric,value,time"),
        ("daily", "experiment,arm,metric,day,n,successes,sum,sum_sq,promoters,detractors"),
    ],
)
def test_csv_templates_download_with_the_header_row(experiment, proposer, kind, header):
    response = https_client(proposer).get(
        reverse("experiment-data-template", kwargs={"key": experiment.key, "kind": kind})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="chat-greeting-{kind}-template.csv"'
    assert response.content.decode() == header + "\r\n"


def test_an_unknown_template_is_not_found(experiment, proposer):
    assert https_client(proposer).get(page_url(experiment) + "template-other.csv").status_code == 404


def test_a_good_file_is_written_and_summarised_per_arm(experiment, proposer):
    rows = [outcome(experiment, "control"), outcome(experiment, "short"), outcome(experiment, "short", "csat", 4)]
    response = upload(https_client(proposer), experiment, outcomes_csv(experiment, rows))
    assert response.status_code == 200
    text = page_text(response.content.decode())
    assert "Accepted: 3 rows written" in text
    assert "Current greeting control 1" in text and "One-sentence greeting short 2" in text
    assert Observation.objects.count() == 3
    batch = IngestBatch.objects.get()
    assert (batch.source, batch.kind, batch.accepted, batch.idempotency_key) == (
        "upload",
        "outcomes",
        True,
        "form-key-1",
    )


def test_a_bad_file_gets_the_report_and_nothing_is_written(experiment, proposer):
    rows = [
        outcome(experiment, "control"),
        outcome(experiment, "short", "csat", 7),
        outcome(experiment, "long", unit="u1"),
    ]
    response = upload(https_client(proposer), experiment, outcomes_csv(experiment, rows))
    assert response.status_code == 400
    html = response.content.decode()
    text = page_text(html)
    assert "Refused: nothing was written" in text
    assert "2 errors in 3 rows; nothing was written" in text
    table = page_text(html[html.index("error-table") : html.index("</table>", html.index("error-table"))])
    assert "2 3 value Customer satisfaction (CSAT) takes values from 1 to 5 points; 7 is outside." in table
    assert "3 4 arm Unknown arm 'long'" in table
    assert stored_counts() == (0, 0, 0)


def test_a_file_naming_another_experiment_is_refused(experiment, proposer, approver):
    other = running_experiment(proposer, approver, key="other-one")
    rows = [outcome(other)]
    response = upload(https_client(proposer), experiment, to_csv(rows))
    assert response.status_code == 400
    assert "This page takes rows for 'chat-greeting' only; this row names 'other-one'." in page_text(
        response.content.decode()
    )
    assert stored_counts() == (0, 0, 0)


def test_daily_figures_by_upload(experiment, proposer):
    rows = [
        figure(experiment, "control", "fcr", n=50, successes=20),
        figure(experiment, "short", "fcr", n=48, successes=25),
    ]
    csv_text = to_csv(rows, columns=["arm", "metric", "day", "n", "successes"])
    response = upload(https_client(proposer), experiment, csv_text, kind="daily", name="daily.csv")
    assert response.status_code == 200
    assert "Accepted: 2 rows written" in page_text(response.content.decode())


def test_a_double_submit_writes_once_and_says_so(experiment, proposer):
    client = https_client(proposer)
    csv_text = outcomes_csv(experiment, [outcome(experiment)])
    assert upload(client, experiment, csv_text).status_code == 200
    second = upload(client, experiment, csv_text)
    assert second.status_code == 200
    assert "This file had already been sent with this form: nothing was written twice." in page_text(
        second.content.decode()
    )
    assert Observation.objects.count() == 1
    assert IngestBatch.objects.count() == 1


def test_the_same_form_key_with_another_file_asks_to_choose_again(experiment, proposer):
    client = https_client(proposer)
    upload(client, experiment, outcomes_csv(experiment, [outcome(experiment)]))
    response = upload(client, experiment, outcomes_csv(experiment, [outcome(experiment, "short")]))
    assert response.status_code == 400
    assert "This form was already used to send a different file" in page_text(response.content.decode())
    assert Observation.objects.count() == 1


@pytest.mark.parametrize(
    "data, with_file, words",
    [
        ({"kind": "outcomes", "idempotency_key": "k"}, False, "Choose a CSV file to upload."),
        ({"kind": "other", "idempotency_key": "k"}, True, "Choose which form to use"),
        ({"kind": "outcomes"}, True, "The form lost its upload key"),
    ],
)
def test_incomplete_posts_say_what_is_missing(experiment, proposer, data, with_file, words):
    if with_file:
        data = dict(data, file=SimpleUploadedFile("x.csv", b"unit,arm,metric,value,time\n", content_type="text/csv"))
    response = https_client(proposer).post(page_url(experiment), data)
    assert response.status_code == 400
    assert words in page_text(response.content.decode())
    assert not IngestBatch.objects.exists()


def test_a_header_problem_is_reported_as_a_table_row(experiment, proposer):
    response = upload(
        https_client(proposer), experiment, "unit,arm,metric,valu,time\nu1,control,fcr,1,2026-03-06T10:00:00Z\n"
    )
    text = page_text(response.content.decode())
    assert "The header row does not match the template" in text
    assert "header 1 valu Unknown column" in text
    # Recorded against this experiment, so it shows among its recent batches.
    assert "Per-unit outcomes via upload page 0 refused" in text


def test_the_page_needs_the_csrf_token(experiment, proposer):
    client = https_client(proposer, enforce_csrf_checks=True)
    response = upload(client, experiment, outcomes_csv(experiment, [outcome(experiment)]))
    assert response.status_code == 403
    assert stored_counts() == (0, 0, 0)


def test_recent_batches_show_who_sent_what_for_this_experiment_only(experiment, proposer, approver, signal_owner):
    other = running_experiment(proposer, approver, key="other-one")
    send(
        api_client(signal_owner), "/api/outcomes/", [outcome(experiment), outcome(experiment, "short"), outcome(other)]
    )
    send(api_client(proposer), "/api/outcomes/", [outcome(experiment, "short", "csat", 9)])
    send(api_client(proposer), "/api/outcomes/", [outcome(other, "short")])
    html = https_client(proposer).get(page_url(experiment)).content.decode()
    start = html.index('id="recent-batches"')
    section = page_text(html[start : html.index("</section>", start)])
    rows = [row.strip() for row in section.split("10 Mar 2026 12:00")[1:]]
    assert rows == [
        "Priya Proposer Per-unit outcomes via api 1 refused 1 error",
        "Sam Signal Per-unit outcomes via api 2 accepted",
    ]
