"""The one input-cleaning layer (experiments.inputs, installed in settings.MIDDLEWARE): every door
refuses NUL bytes, control characters, deep nesting and oversize bodies with a 400 (413) naming
the field, before a view, a parser or the database sees them. Each case was a 500 on PostgreSQL
(run these with DATABASE_URL=postgres://... too)."""

import json
from unittest import mock

import pytest
from django.test import override_settings

from cadence.ideas.models import Idea
from experiments.models import Experiment, Status
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client, proposal_data
from tests.factories import make_experiment, make_service_key

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000


def api(user):
    client = HttpsAPIClient()
    client.force_authenticate(user)
    return client


def keyed(user):
    """A machine's client: data in takes a service key, not a person."""
    _, secret = make_service_key(user)
    client = HttpsAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}")
    return client


def problem_fields(response) -> list[str]:
    return [problem["field"] for problem in response.json()["problems"]]


# --- NUL bytes, field by field ----------------------------------------------------------------


IDEA = {
    "title": "Callback instead of queueing",
    "pain_point": "waiting_time",
    "touchpoint": "phone",
    "hypothesis": "offer a callback after five minutes",
    "expected_effect": "CES falls by 0.2",
}


@pytest.mark.parametrize("field", ["title", "hypothesis", "expected_effect", "touchpoint"])
def test_nul_in_an_idea_is_refused_by_the_api_naming_the_field(outsider, field):
    response = api(outsider).post("/api/ideas/", {**IDEA, field: "with\x00nul"}, format="json")
    assert response.status_code == 400
    assert problem_fields(response) == [field]
    assert "NUL" in response.json()["detail"]
    assert not Idea.objects.exists()


def test_nul_in_the_idea_form_is_refused_naming_the_field(outsider):
    response = https_client(outsider).post("/ideas/new/", {"title": "Call\x00back", "pain_point": "waiting_time"})
    assert response.status_code == 400
    assert "title" in response.content.decode() and "NUL" in response.content.decode()
    assert not Idea.objects.exists()


@pytest.mark.parametrize("field", ["approver", "co_authors", "title"])
def test_nul_in_the_proposal_form_is_refused_naming_the_field(proposer, approver, co_author, field):
    data = proposal_data(approver)
    data[field] = {"approver": f"{approver.pk}\x00", "co_authors": [f"{co_author.pk}\x00"], "title": "Short\x00"}[field]
    response = https_client(proposer).post("/experiments/new/", data)
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not Experiment.objects.exists()


@pytest.mark.parametrize("field, value", [("approver", "someone\x00"), ("co_authors", ["a\x00b"]), ("title", "x\x00")])
def test_nul_in_a_proposal_by_the_api_is_refused_naming_the_field(proposer, field, value):
    response = api(proposer).post("/api/experiments/", {"key": "nul-test", field: value}, format="json")
    assert response.status_code == 400
    assert problem_fields(response) == [field if field != "co_authors" else "co_authors[0]"]
    assert not Experiment.objects.exists()


@pytest.mark.parametrize("path", ["/api/experiments/?q=%00", "/experiments/?q=%00", "/api/ideas/?q=a%00b"])
def test_nul_in_a_search_is_refused_naming_q(outsider, path):
    client = api(outsider) if path.startswith("/api/") else https_client(outsider)
    response = client.get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert problem_fields(response) == ["q"]


def test_nul_in_the_assignment_experiment_key_is_refused(outsider):
    body = {"experiment": "live\x00", "units": [{"unit": "u1"}]}
    response = api(outsider).post("/api/assignments/", body, format="json")
    assert response.status_code == 400
    assert problem_fields(response) == ["experiment"]


def test_nul_in_a_unit_of_the_assignment_batch_names_its_place(outsider):
    body = {"experiment": "live", "units": [{"unit": "u1"}, {"unit": "u\x002"}]}
    response = api(outsider).post("/api/assignments/", body, format="json")
    assert response.status_code == 400
    assert problem_fields(response) == ["units[1].unit"]


def test_control_characters_are_refused_but_tabs_and_line_breaks_in_free_text_are_kept(outsider):
    refused = api(outsider).post("/api/ideas/", {**IDEA, "hypothesis": "bell\x07"}, format="json")
    assert refused.status_code == 400 and problem_fields(refused) == ["hypothesis"]
    assert "U+0007" in refused.json()["problems"][0]["message"]
    kept = api(outsider).post("/api/ideas/", {**IDEA, "hypothesis": "first line\r\n\tsecond line"}, format="json")
    assert kept.status_code == 201, kept.json()
    assert Idea.objects.get().hypothesis == "first line\r\n\tsecond line"


# --- deep nesting ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/experiments/", "/api/assignments/", "/api/ideas/", "/api/outcomes/"])
def test_a_thousand_nested_brackets_are_refused_before_any_parser_recurses(proposer, path):
    client = keyed(proposer) if path == "/api/outcomes/" else api(proposer)
    response = client.generic("POST", path, DEEP, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep-1")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"] or "JSON object" in response.json()["detail"]


def test_nesting_inside_a_field_names_the_field(proposer):
    body = '{"key": "deep", "title": ' + "[" * 40 + "]" * 40 + "}"
    response = api(proposer).generic("POST", "/api/experiments/", body, content_type="application/json")
    assert response.status_code == 400
    assert problem_fields(response) == ["title"]
    assert "more than 32 levels" in response.json()["detail"]


# --- size, before anything reads the body ---------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_an_oversize_json_body_is_refused_413_before_it_is_parsed(proposer):
    body = json.dumps({"key": "big", "title": "x" * 10_000})
    with mock.patch("rest_framework.parsers.JSONParser.parse") as parse:
        response = api(proposer).generic("POST", "/api/experiments/", body, content_type="application/json")
    assert response.status_code == 413
    assert "the most this address takes is 4,096" in response.json()["detail"]
    parse.assert_not_called()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
def test_an_oversize_form_is_refused_413_before_it_is_parsed(proposer):
    with mock.patch("django.http.request.HttpRequest._load_post_and_files") as load:
        response = https_client(proposer).post("/ideas/new/", {"title": "x" * 10_000})
    assert response.status_code == 413
    load.assert_not_called()


# --- OPTIONS ----------------------------------------------------------------------------------


@pytest.mark.approvals
@pytest.mark.parametrize("action", ["restart", "amendments", "decisions"])
def test_options_on_the_experiment_approvals_actions_answers_200(proposer, approver, action):
    experiment = make_experiment(proposer, approver, key="optioned", status=Status.RUNNING)
    response = api(proposer).options(f"/api/approvals/experiments/{experiment.key}/{action}/")
    assert response.status_code == 200
    assert response.json()["name"]


def test_a_lone_surrogate_is_refused_naming_the_field(outsider):
    body = json.dumps({**IDEA, "title": "half \ud800 a character"})  # json.dumps writes it as \ud800
    response = api(outsider).generic("POST", "/api/ideas/", body, content_type="application/json")
    assert response.status_code == 400 and problem_fields(response) == ["title"]
    assert not Idea.objects.exists()


def test_deep_nesting_is_refused_even_in_a_body_that_is_not_strict_json(proposer):
    body = '{"key": NaN, "title": ' + "[" * 1000 + "]" * 1000 + "}"
    response = api(proposer).generic("POST", "/api/experiments/", body, content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels" in response.json()["detail"]
