"""Every API route, for every kind of caller: who gets what."""

import pytest

from experiments.models import Status
from tests.experiments.api.conftest import proposal
from tests.factories import make_experiment

ROLES = ["proposer", "approver", "signal_owner", "outsider", "anonymous"]
CALC = {
    "exposure_cap_pct": 20,
    "expected_daily_traffic": 5000,
    "variants": [{"key": "control", "weight": 50, "is_control": True}, {"key": "b", "weight": 50}],
    "metrics": [{"metric": "fcr", "role": "success", "minimum_detectable_effect": 2, "baseline_rate": 70}],
}
# The proposer owns both experiments; alex_approver is named on them. "pending" is visible to
# every signed-in user, "draft" only to its authors.
SIGNED_IN_OK = {"proposer": 200, "approver": 200, "signal_owner": 200, "outsider": 200}
AUTHORS_ONLY = {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404}
ROUTES = [
    ("list", "get", "/api/experiments/", None, SIGNED_IN_OK),
    (
        "create",
        "post",
        "/api/experiments/",
        "proposal",
        {"proposer": 201, "approver": 403, "signal_owner": 403, "outsider": 403},
    ),
    ("read pending", "get", "/api/experiments/pending/", None, SIGNED_IN_OK),
    (
        "read draft",
        "get",
        "/api/experiments/draft/",
        None,
        {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404},
    ),
    (
        "patch draft",
        "patch",
        "/api/experiments/draft/",
        {"title": "x"},
        {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404},
    ),
    (
        "put draft",
        "put",
        "/api/experiments/draft/",
        "proposal-draft",
        {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404},
    ),
    (
        "patch pending",
        "patch",
        "/api/experiments/pending/",
        {"title": "x"},
        {"proposer": 200, "approver": 403, "signal_owner": 403, "outsider": 403},
    ),
    (
        "delete",
        "delete",
        "/api/experiments/draft/",
        None,
        {"proposer": 405, "approver": 405, "signal_owner": 405, "outsider": 405},
    ),
    (
        "submit draft",
        "post",
        "/api/experiments/draft/transition/",
        {"action": "submit"},
        {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404},
    ),
    (
        "approve pending",
        "post",
        "/api/experiments/pending/transition/",
        {"action": "approve"},
        {"proposer": 403, "approver": 200, "signal_owner": 403, "outsider": 403},
    ),
    (
        "withdraw pending",
        "post",
        "/api/experiments/pending/transition/",
        {"action": "withdraw"},
        {"proposer": 200, "approver": 403, "signal_owner": 403, "outsider": 403},
    ),
    ("events pending", "get", "/api/experiments/pending/events/", None, SIGNED_IN_OK),
    (
        "events draft",
        "get",
        "/api/experiments/draft/events/",
        None,
        {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404},
    ),
    ("plan pending", "get", "/api/experiments/pending/plan/", None, SIGNED_IN_OK),
    (
        "plan draft",
        "get",
        "/api/experiments/draft/plan/",
        None,
        {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404},
    ),
    ("policy pending", "get", "/api/experiments/pending/policy/", None, SIGNED_IN_OK),
    (
        "policy draft",
        "get",
        "/api/experiments/draft/policy/",
        None,
        {"proposer": 200, "approver": 404, "signal_owner": 404, "outsider": 404},
    ),
    ("calculator", "post", "/api/calculator/", CALC, SIGNED_IN_OK),
    ("metrics", "get", "/api/metrics/", None, SIGNED_IN_OK),
    ("metric", "get", "/api/metrics/fcr/", None, SIGNED_IN_OK),
    ("metric write", "post", "/api/metrics/", {"key": "x", "name": "X"}, dict.fromkeys(SIGNED_IN_OK, 405)),
    ("touchpoints", "get", "/api/touchpoints/", None, SIGNED_IN_OK),
    ("touchpoint", "get", "/api/touchpoints/chat/", None, SIGNED_IN_OK),
    ("touchpoint write", "patch", "/api/touchpoints/chat/", {"name": "X"}, dict.fromkeys(SIGNED_IN_OK, 405)),
    ("segments", "get", "/api/segments/", None, SIGNED_IN_OK),
    ("segment", "get", "/api/segments/business/", None, SIGNED_IN_OK),
    ("sensitive categories", "get", "/api/sensitive-categories/", None, SIGNED_IN_OK),
    ("sensitive category", "get", "/api/sensitive-categories/uses-ai/", None, SIGNED_IN_OK),
    ("guardrail policy", "get", "/api/guardrail-policy/", None, SIGNED_IN_OK),
    (
        "guardrail policy write",
        "put",
        "/api/guardrail-policy/",
        {"max_duration_days": 365},
        dict.fromkeys(SIGNED_IN_OK, 405),
    ),
    ("policy", "get", "/api/policy/", None, SIGNED_IN_OK),
    ("policy write", "post", "/api/policy/", {"max_duration_days": 365}, dict.fromkeys(SIGNED_IN_OK, 405)),
    ("checks pending", "get", "/api/experiments/pending/checks/", None, SIGNED_IN_OK),
    ("checks draft", "get", "/api/experiments/draft/checks/", None, AUTHORS_ONLY),
    ("segments pending", "get", "/api/experiments/pending/segments/", None, SIGNED_IN_OK),
    ("segments draft", "get", "/api/experiments/draft/segments/", None, AUTHORS_ONLY),
    ("assignment pending", "get", "/api/experiments/pending/assignment/?unit=u1", None, SIGNED_IN_OK),
    ("assignment draft", "get", "/api/experiments/draft/assignment/?unit=u1", None, AUTHORS_ONLY),
    # Counted assignments take a service key: a person's sign-in is refused whoever it is.
    (
        "assignments draft",
        "post",
        "/api/assignments/",
        {"experiment": "draft", "units": [{"unit": "u1"}]},
        dict.fromkeys(SIGNED_IN_OK, 403),
    ),
    # The SDK's doors take a service key too (tests/experiments/live/test_sdk_api.py: keys and scope).
    ("sdk config", "get", "/api/sdk/config/", None, dict.fromkeys(SIGNED_IN_OK, 403)),
    (
        "sdk exposures",
        "post",
        "/api/sdk/exposures/",
        {"exposures": [{"experiment": "pending", "unit": "u1"}]},
        dict.fromkeys(SIGNED_IN_OK, 403),
    ),
    ("verdict pending", "get", "/api/experiments/pending/verdict/", None, SIGNED_IN_OK),
    ("verdict draft", "get", "/api/experiments/draft/verdict/", None, AUTHORS_ONLY),
    ("overrides pending", "get", "/api/experiments/pending/overrides/", None, SIGNED_IN_OK),
    ("overrides draft", "get", "/api/experiments/draft/overrides/", None, AUTHORS_ONLY),
    # Authors and signal owners may file one; with no check that stopped it there is nothing to override.
    (
        "file override pending",
        "post",
        "/api/experiments/pending/overrides/",
        {"outcome": "won", "reason": "x"},
        {"proposer": 409, "approver": 403, "signal_owner": 409, "outsider": 403},
    ),
    ("agree override", "post", "/api/experiments/pending/overrides/1/agree/", {}, dict.fromkeys(SIGNED_IN_OK, 404)),
    (
        "decline override",
        "post",
        "/api/experiments/pending/overrides/1/decline/",
        {"reason": "x"},
        dict.fromkeys(SIGNED_IN_OK, 404),
    ),
    # Rollouts: authors (and admins) only, and only a won experiment (pending is not: 409).
    ("rollout pending", "get", "/api/experiments/pending/rollout/", None, SIGNED_IN_OK),
    ("rollout draft", "get", "/api/experiments/draft/rollout/", None, AUTHORS_ONLY),
    (
        "roll out pending",
        "post",
        "/api/experiments/pending/rollout/",
        {},
        {"proposer": 409, "approver": 403, "signal_owner": 403, "outsider": 403},
    ),
    (
        "revert rollout pending",
        "post",
        "/api/experiments/pending/rollout/revert/",
        {},
        {"proposer": 409, "approver": 403, "signal_owner": 403, "outsider": 403},
    ),
    # Lessons: anyone who sees it reads it; its authors write it, once it has ended (pending has not: 409).
    ("lesson pending", "get", "/api/experiments/pending/lesson/", None, SIGNED_IN_OK),
    ("lesson draft", "get", "/api/experiments/draft/lesson/", None, AUTHORS_ONLY),
    (
        "write lesson pending",
        "put",
        "/api/experiments/pending/lesson/",
        {"lesson": "x"},
        {"proposer": 409, "approver": 403, "signal_owner": 403, "outsider": 403},
    ),
    # Service keys: anyone lists their own; only an experiment's authors make one for it.
    ("service keys", "get", "/api/service-keys/", None, SIGNED_IN_OK),
    (
        "service key for pending",
        "post",
        "/api/service-keys/",
        {"name": "x", "experiments": ["pending"], "actions": ["assign"]},
        {"proposer": 201, "approver": 403, "signal_owner": 403, "outsider": 403},
    ),
    ("service key revoke", "post", "/api/service-keys/nokey/revoke/", None, dict.fromkeys(SIGNED_IN_OK, 404)),
    ("api root", "get", "/api/", None, SIGNED_IN_OK),
    ("schema", "get", "/api/schema/", None, SIGNED_IN_OK),
]
CASES = [
    pytest.param(method, path, body, role, expected.get(role), id=f"{name}-{role}")
    for name, method, path, body, expected in ROUTES
    for role in ROLES
]


@pytest.fixture
def callers(api_as, anonymous, proposer, approver, signal_owner, outsider):
    make_experiment(proposer, approver, key="pending", status=Status.PENDING_APPROVAL)
    make_experiment(proposer, approver, key="draft")
    users = {"proposer": proposer, "approver": approver, "signal_owner": signal_owner, "outsider": outsider}
    clients = {role: api_as(user) for role, user in users.items()}
    clients["anonymous"] = anonymous
    return clients


@pytest.mark.parametrize("method, path, body, role, expected", CASES)
def test_route_answers_each_caller(callers, method, path, body, role, expected):
    if body == "proposal":
        body = proposal(key="new-one")
    elif body == "proposal-draft":
        body = proposal(key="draft")
    response = getattr(callers[role], method)(path, body, format="json", HTTP_ACCEPT="application/json")
    if role == "anonymous":
        assert response.status_code in (401, 403)
        assert response.json()["detail"] == "Authentication credentials were not provided."
    else:
        assert response.status_code == expected, response.content[:300]


def test_every_api_route_is_in_the_sweep():
    """A new route must be added to ROUTES (and so to this permission sweep)."""
    from django.urls import get_resolver

    api = get_resolver().url_patterns
    api_patterns = next(p for p in api if str(p.pattern) == "api/").url_patterns
    names = set()

    def walk(patterns):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns)
            elif p.name:
                names.add(p.name)

    walk(api_patterns)
    # See test_auth.py, test_schema.py, tests/accounts/test_tokens.py (each person sees only their
    # own tokens) and tests/experiments/live/test_ingestion_permissions.py (who may send data
    # depends on the experiment's status and the caller's part in it).
    covered_elsewhere = {
        "api-token",
        "api-token-list",
        "api-token-detail",
        "api-docs",
        "api-redoc",
        "api-outcomes",
        "api-daily-figures",
    }
    swept = {
        "api-root",
        "api-experiment-list",
        "api-experiment-detail",
        "api-experiment-transition",
        "api-experiment-events",
        "api-experiment-plan",
        "api-experiment-policy",
        "api-calculator",
        "api-metric-list",
        "api-metric-detail",
        "api-touchpoint-list",
        "api-touchpoint-detail",
        "api-segment-list",
        "api-segment-detail",
        "api-sensitive-category-list",
        "api-sensitive-category-detail",
        "api-guardrail-policy",
        "api-policy",
        "api-schema",
        "api-assignment",
        "api-assignments",
        "api-experiment-checks",
        "api-experiment-segments",
        "api-experiment-verdict",
        "api-experiment-overrides",
        "api-experiment-agree-override",
        "api-experiment-decline-override",
        "api-experiment-rollout",
        "api-experiment-revert-rollout",
        "api-experiment-lesson",
        "api-service-keys",
        "api-service-key-revoke",
        "api-sdk-config",
        "api-sdk-exposures",
    }
    assert names == swept | covered_elsewhere
