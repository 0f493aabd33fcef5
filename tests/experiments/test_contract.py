"""The one contract check on contract dicts (experiments.contract), and what it tells the form,
the policy page and the policy API. The rules shared with blocking_problems are in test_policy.py."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from experiments.contract import added_approvals, contract_of, contract_problems, limit_problems, policy_summary
from experiments.models import GuardrailPolicy, NeverTestArea, Touchpoint
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

TODAY = dt.date(2030, 3, 10)


@pytest.fixture
def contract(proposer, approver):
    """A compliant proposal's contract, starting tomorrow (TODAY is passed to the check)."""
    experiment = make_experiment(
        proposer, approver, planned_start=TODAY + dt.timedelta(days=1), planned_end=TODAY + dt.timedelta(days=28)
    )
    return contract_of(experiment) | {"_authors": experiment.authors()}


def check(contract, **kw):
    authors = contract.get("_authors")
    return contract_problems(contract, authors=authors, today=TODAY, **kw)


def fields(problems):
    return [p["field"] for p in problems]


def test_a_compliant_contract_has_no_problems(contract):
    assert check(contract) == []


@pytest.mark.parametrize(
    "change, field",
    [
        ({"metrics": []}, "metrics"),
        ({"touchpoints": []}, "touchpoints"),
        ({"exposure_cap_pct": "50.01"}, "exposure_cap_pct"),
        ({"planned_end": (TODAY + dt.timedelta(days=61)).isoformat()}, "planned_end"),
        ({"planned_start": (TODAY - dt.timedelta(days=1)).isoformat()}, "planned_start"),
        ({"min_runtime_days": 29}, "min_runtime_days"),
        ({"approver": None}, "approver"),
        ({"approver": "nobody-by-that-name"}, "approver"),
        ({"variants": [{"key": "control", "is_control": True, "weight": 50}]}, "variants"),
    ],
)
def test_each_rule_names_its_field(contract, change, field):
    assert field in fields(check(contract | change))


def test_the_minimum_runtime_may_equal_the_duration(contract):
    assert check(contract | {"min_runtime_days": 28}) == []
    assert check(contract | {"min_runtime_days": 29}) == [
        {
            "field": "min_runtime_days",
            "message": "The minimum runtime (29 days) is longer than the planned duration (28 days).",
        }
    ]


def test_an_author_may_not_approve(contract, approver):
    assert fields(check(contract | {"_authors": {approver.pk}})) == ["approver"]


def test_a_start_already_agreed_may_have_passed_a_new_one_may_not(contract):
    started = contract | {"planned_start": (TODAY - dt.timedelta(days=5)).isoformat()}
    assert check(started, base=started) == []
    moved = started | {"planned_start": (TODAY - dt.timedelta(days=3)).isoformat()}
    assert fields(check(moved, base=started)) == ["planned_start"]


def test_a_mandatory_guardrail_of_a_touchpoint_follows_the_contracts_touchpoints(contract):
    billing = contract | {"touchpoints": ["billing", "chat"]}
    assert check(billing) == [
        {
            "field": "metrics",
            "message": "Refund rate is a mandatory guardrail for the Billing touchpoint; add it as a guardrail.",
        }
    ]


def test_a_tighter_policy_passed_in_is_the_one_applied(contract):
    policy = GuardrailPolicy.current()
    policy.max_exposure_pct = 10
    assert fields(check(contract, policy=policy)) == ["exposure_cap_pct"]


# --- the never-test list -------------------------------------------------------------------------


def test_the_seeded_never_test_list_refuses_legal_terms(contract):
    assert NeverTestArea.objects.filter(is_active=True).count() >= 2
    legal = contract | {"title": "Shorter Terms and Conditions page"}
    assert check(legal) == [
        {
            "field": "title",
            "message": "“terms and conditions” falls under “Legal terms and notices”, which is never experimented on: "
            "Every customer is owed the same legally reviewed wording; a change goes through Legal, not an experiment.",
        }
    ]


def test_a_keyword_counts_as_a_whole_word_only(contract):
    assert check(contract | {"title": "Emergency contact shortcut"})[0]["field"] == "title"
    assert check(contract | {"title": "Emergencyish banner"}) == []


def test_keywords_in_the_hypothesis_are_found_too(contract):
    hypothesis = "If we reword the product recall email for everyone, then fewer calls, because clearer."
    assert fields(check(contract | {"hypothesis": hypothesis})) == ["hypothesis"]


def test_an_area_with_touchpoints_and_keywords_applies_only_on_those_touchpoints(contract):
    # Seeded: debt collection notices are closed on billing, email and SMS only.
    words = contract | {"title": "Friendlier debt collection wording"}
    assert check(words) == []
    assert "title" in fields(check(words | {"touchpoints": ["chat", "email"]}))


def test_an_area_with_only_touchpoints_closes_the_touchpoint(contract):
    area = NeverTestArea.objects.create(name="Store counters", why="Printed terms only.")
    area.touchpoints.set(Touchpoint.objects.filter(key="store"))
    assert check(contract | {"touchpoints": ["chat", "store"]}) == [
        {"field": "touchpoints", "message": "“Store counters” is never experimented on: Printed terms only."}
    ]
    area.is_active = False
    area.save()
    assert check(contract | {"touchpoints": ["chat", "store"]}) == []


# --- information, limits and the policy said once ------------------------------------------------


def test_sensitive_categories_add_approvals_as_information_not_problems(contract):
    flagged = contract | {"sensitive_categories": ["personal-data"]}
    assert check(flagged) == []
    assert added_approvals(flagged) == [
        {"category": "personal-data", "message": "Uses personal data adds a standards keeper's approval."}
    ]


def test_the_limits_alone_check_a_proposal_still_being_written(db):
    start = TODAY + dt.timedelta(days=1)
    partial = {"planned_start": start, "planned_end": start + dt.timedelta(days=70), "exposure_cap_pct": 80}
    assert fields(limit_problems(partial, today=TODAY)) == ["planned_end", "exposure_cap_pct"]


def test_the_summary_is_the_policy_in_force(db):
    policy = GuardrailPolicy.current()
    policy.max_duration_days = 45
    policy.save()
    summary = policy_summary()
    assert summary["max_duration_days"] == 45 and summary["max_exposure_pct"] == "50"
    assert [m["key"] for m in summary["mandatory_guardrails"]] == ["complaint-rate"]
    chat = next(t for t in summary["touchpoints"] if t["key"] == "chat")
    assert [m["key"] for m in chat["mandatory_guardrails"]] == ["escalation-rate"]
    assert {a["name"] for a in summary["never_test"]} >= {"Legal terms and notices", "Safety and emergency messages"}
    assert any("45 days" in rule for rule in summary["rules"])


def test_the_policy_page_is_readable_by_anyone_signed_in(outsider):
    assert https_client().get(reverse("policy")).status_code == 302  # to the login page
    page = text_of(https_client(outsider).get(reverse("policy")).content.decode())
    assert "At most 60 days from planned start to planned end." in page
    assert "At most 50% of eligible traffic exposed." in page
    assert "Legal terms and notices" in page and "Uses AI" in page and "Escalation rate" in page


def test_the_policy_api_says_the_same(outsider):
    client = HttpsAPIClient()
    client.force_login(outsider)
    body = client.get("/api/policy/").json()
    assert body == json.loads(json.dumps(policy_summary()))
    assert "/api/policy/" in client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()


def test_the_form_shows_the_limits_next_to_the_fields(proposer):
    page = https_client(proposer).get(reverse("experiment-create")).content.decode()
    assert 'id="limit-exposure"' in page and "Policy maximum: 50%." in page
    assert "Policy maximum: 60 days from start to end." in page
    assert "Uses AI adds a standards keeper's approval." in text_of(page).replace("&#x27;", "'")
    assert "Legal terms and notices" in page


def test_the_calculator_plans_at_the_capped_exposure(proposer):
    client = HttpsAPIClient()
    client.force_login(proposer)
    start = dt.date.today() + dt.timedelta(days=1)
    payload = {
        "alpha": 0.05,
        "power": 0.8,
        "expected_daily_traffic": 5000,
        "exposure_cap_pct": 80,
        "planned_start": start.isoformat(),
        "planned_end": (start + dt.timedelta(days=27)).isoformat(),
        "variants": [
            {"key": "control", "weight": 50, "is_control": True},
            {"key": "short", "weight": 50, "is_control": False},
        ],
        "metrics": [
            {
                "metric": "fcr",
                "role": "success",
                "effect_unit": "absolute",
                "minimum_detectable_effect": 2,
                "baseline_rate": 70,
            }
        ],
    }
    capped = client.post(reverse("api-calculator"), payload, format="json").json()
    at_max = client.post(reverse("api-calculator"), payload | {"exposure_cap_pct": 50}, format="json").json()
    assert capped["planned_exposure_pct"] == "50"
    assert capped["daily_units"] == at_max["daily_units"] == 2500
    assert [p["field"] for p in capped["policy_problems"]] == ["exposure_cap_pct"]
    assert at_max["policy_problems"] == []
