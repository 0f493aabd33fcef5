"""One refusal shape for every API error, and an OpenAPI document that says which errors each
operation gives (experiments.api.exceptions, experiments.api.schema_hooks)."""

import pytest
from django.test import override_settings

from experiments.api.exceptions import problems_of
from tests.factories import make_experiment, refusal_fields

pytestmark = pytest.mark.django_db

REFUSAL_KEYS = {"detail", "code", "problems"}


def assert_refusal(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == REFUSAL_KEYS, body
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    for problem in body["problems"]:
        assert set(problem) == {"field", "message"}
    return body


def test_nested_field_errors_flatten_to_dotted_fields():
    detail = {
        "title": ["Required."],
        "metrics": [{}, {"effect": ["Too small."], "role": ["Pick one."]}],
        "non_field_errors": ["Whole thing."],
    }
    assert problems_of(detail) == [
        {"field": "title", "message": "Required."},
        {"field": "metrics.1.effect", "message": "Too small."},
        {"field": "metrics.1.role", "message": "Pick one."},
        {"field": None, "message": "Whole thing."},
    ]


def test_validation_error_400(api_as, proposer, payload):
    response = api_as(proposer).post("/api/experiments/", payload(title="", metrics=[{"metric": "fcr"}]), format="json")
    assert_refusal(response, 400, "invalid")
    fields = refusal_fields(response)
    assert "title" in fields
    assert any(field.startswith("metrics.0.") for field in fields if field), fields


def test_unreadable_json_400(api_as, proposer):
    response = api_as(proposer).post("/api/calculator/", "{not json", content_type="application/json")
    assert_refusal(response, 400, "parse_error")


def test_multipart_without_boundary_400_not_500(api_as, proposer):
    response = api_as(proposer).post("/api/ideas/", b"--x\r\n", content_type="multipart/form-data")
    assert_refusal(response, 400, "invalid")
    assert refusal_fields(response) == {"body"}


def test_form_body_415(api_as, proposer):
    response = api_as(proposer).post("/api/calculator/", "alpha=0.05", content_type="application/x-www-form-urlencoded")
    assert_refusal(response, 415, "unsupported_media_type")


def test_not_authenticated_401(anonymous):
    response = anonymous.get("/api/experiments/")
    assert_refusal(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_bad_token_401(anonymous):
    response = anonymous.get("/api/experiments/", HTTP_AUTHORIZATION="Token not-a-token")
    assert_refusal(response, 401, "authentication_failed")


def test_permission_denied_403(api_as, outsider):
    response = api_as(outsider).post("/api/experiments/", {}, format="json")
    assert_refusal(response, 403, "permission_denied")


def test_domain_refusal_403_keeps_its_problems(api_as, proposer):
    experiment = make_experiment(proposer, status="pending_approval")
    response = api_as(proposer).post(
        f"/api/experiments/{experiment.key}/transition/", {"action": "approve"}, format="json"
    )
    body = assert_refusal(response, 403, "permission_denied")
    assert "approve" in body["detail"]


def test_not_found_404(api_as, proposer):
    assert_refusal(api_as(proposer).get("/api/experiments/no-such-thing/"), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/no-such-endpoint/", "/api/experiments/x/y/z/", "/api/nothing"])
def test_unknown_api_paths_are_a_json_404(api_as, proposer, path):
    assert_refusal(api_as(proposer).get(path), 404, "not_found")
    assert_refusal(api_as(proposer).post(path, {}, format="json"), 404, "not_found")


def test_unknown_api_paths_are_a_json_404_signed_out(anonymous):
    assert_refusal(anonymous.get("/api/no-such-endpoint/"), 404, "not_found")


def test_method_not_allowed_405(api_as, proposer):
    response = api_as(proposer).delete("/api/calculator/")
    assert_refusal(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]


def test_not_acceptable_406(api_as, proposer):
    response = api_as(proposer).get("/api/metrics/", HTTP_ACCEPT="application/x-nothing")
    assert response.status_code == 406
    assert set(response.json()) == REFUSAL_KEYS


def test_conflict_409(api_as, proposer):
    experiment = make_experiment(proposer, status="running")
    response = api_as(proposer).post(
        f"/api/experiments/{experiment.key}/transition/", {"action": "submit"}, format="json"
    )
    assert_refusal(response, 409, "illegal_move")


def test_too_large_413(api_as, proposer):
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        response = api_as(proposer).post("/api/calculator/", {"padding": "x" * 500}, format="json")
    assert_refusal(response, 413, "too_large")


def test_throttled_429(anonymous, monkeypatch):
    from accounts.api.views import LoginRateThrottle

    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "1/min"})
    anonymous.post("/api/token/", {"username": "x", "password": "y"}, format="json")
    response = anonymous.post("/api/token/", {"username": "x", "password": "y"}, format="json")
    assert_refusal(response, 429, "throttled")
    assert "Retry-After" in response


@pytest.mark.parametrize("page", ["0", "-1", "two"])
def test_page_numbers_are_whole_numbers_from_1(api_as, proposer, page):
    response = api_as(proposer).get(f"/api/metrics/?page={page}")
    assert_refusal(response, 400, "invalid")
    assert refusal_fields(response) == {"page"}


def test_page_size_is_a_whole_number_from_1(api_as, proposer):
    response = api_as(proposer).get("/api/metrics/?page_size=0")
    assert refusal_fields(response) == {"page_size"}
    assert api_as(proposer).get("/api/metrics/?page_size=1000").status_code == 200


def test_a_page_past_the_end_is_a_404_refusal(api_as, proposer):
    assert_refusal(api_as(proposer).get("/api/metrics/?page=999"), 404, "not_found")


def test_notifications_unread_takes_true_or_false(api_as, proposer):
    assert api_as(proposer).get("/api/approvals/notifications/?unread=true").status_code == 200
    assert api_as(proposer).get("/api/approvals/notifications/?unread=false").status_code == 200
    assert refusal_fields(api_as(proposer).get("/api/approvals/notifications/?unread=null")) == {"unread"}


def test_unknown_override_is_a_404_refusal(api_as, proposer):
    experiment = make_experiment(proposer, status="running")
    response = api_as(proposer).post(
        f"/api/experiments/{experiment.key}/overrides/999/decline/", {"reason": "no"}, format="json"
    )
    assert_refusal(response, 404, "not_found")


def test_idea_comments_are_a_list_and_a_new_one_is_201(api_as, proposer):
    idea = api_as(proposer).post(
        "/api/ideas/",
        {
            "title": "Shorter hold music",
            "pain_point": "waiting_time",
            "touchpoint": "chat",
            "hypothesis": "shorter hold music keeps callers",
            "expected_effect": "fewer hang-ups",
        },
        format="json",
    )
    assert idea.status_code == 201, idea.content
    assert idea.json()["experiment"] is None
    url = f"/api/ideas/{idea.json()['id']}/comments/"
    assert api_as(proposer).get(url).json() == []
    created = api_as(proposer).post(url, {"body": "Good one"}, format="json")
    assert created.status_code == 201
    assert [c["body"] for c in api_as(proposer).get(url).json()] == ["Good one"]


@pytest.fixture
def schema(api_as, outsider):
    response = api_as(outsider).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_documents_its_errors_as_refusals(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        where = f"{method.upper()} {path}"
        if path != "/api/token/":
            assert {"401", "403"} <= set(responses), where
        else:
            assert "401" not in responses, "the token exchange asks for no sign-in"
        if method in ("post", "put", "patch"):
            assert {"400", "413", "415"} <= set(responses), where
        if "{" in path:
            assert {"400", "404"} <= set(responses), where
        for status, response in responses.items():
            if status.startswith("4"):
                assert response.get("content"), (where, status)
                for media in response["content"].values():
                    ref = media["schema"].get("$ref", "")
                    assert ref.endswith(("/Refusal", "/Refused")), (where, status, media)


def test_refusal_schema_is_the_handlers_shape(schema):
    refusal = schema["components"]["schemas"]["Refusal"]
    assert set(refusal["required"]) == REFUSAL_KEYS
    problem = schema["components"]["schemas"]["RefusalProblem"]
    assert problem["properties"]["field"]["nullable"] is True


def test_nullable_relations_are_documented_nullable(schema):
    components = schema["components"]["schemas"]
    assert components["Idea"]["properties"]["experiment"]["nullable"] is True
    assert components["ReviewDecision"]["properties"]["standard"]["nullable"] is True
    assert components["ReviewDecision"]["properties"]["rerun"]["nullable"] is True
    outcome = components["Experiment"]["properties"]["outcome"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in outcome["oneOf"]


def test_throttled_operations_document_429(schema):
    assert "429" in schema["paths"]["/api/token/"]["post"]["responses"]
    assert "429" in schema["paths"]["/api/assignments/"]["post"]["responses"]


@pytest.mark.parametrize(
    "change",
    [
        {"metrics": [{"metric": "fcr"}]},
        {"metrics": [{"role": "success"}]},
        {"metrics": [1]},
        {"variants": [{"key": "control"}]},
        {"variants": ["control"]},
        {"metrics": {"0": {"metric": "fcr"}}},
        {"touchpoints": {}},
        {"title": 5},
        {"approver": ""},
    ],
)
def test_a_patch_with_incomplete_or_mistyped_rows_is_a_400(api_as, proposer, approver, change):
    draft = make_experiment(proposer, approver, status="draft")
    response = api_as(proposer).patch(f"/api/experiments/{draft.key}/", change, format="json")
    assert_refusal(response, 400, "invalid")
    assert {name.split(".")[0] for name in refusal_fields(response) if name} == set(change)


@pytest.mark.parametrize(
    "url",
    [
        "/api/experiments/?status=",
        "/api/approvals/requests/?kind=",
        "/api/standards/?status=",
        "/api/approvals/decisions/?verdict=",
    ],
)
def test_an_empty_choice_filter_is_refused_as_not_among_the_choices(api_as, proposer, url):
    response = api_as(proposer).get(url)
    if response.status_code != 403:  # the decisions list is for standards keepers
        assert_refusal(response, 400, "invalid")
        assert refusal_fields(response) == {url.split("?")[1].rstrip("=")}


def test_the_approval_request_discussion_documents_no_filters(schema):
    assert schema["paths"]["/api/approvals/requests/{id}/comments/"]["get"].get("parameters", [])[0]["in"] == "path"
    assert not [
        p for p in schema["paths"]["/api/approvals/requests/{id}/comments/"]["get"]["parameters"] if p["in"] == "query"
    ]
