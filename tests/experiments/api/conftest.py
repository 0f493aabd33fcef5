"""API clients and a complete, policy-compliant proposal payload."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient


class HttpsAPIClient(APIClient):
    """Production redirects plain HTTP to HTTPS; talk HTTPS as a real client would."""

    def generic(self, method, path, data="", content_type="application/octet-stream", secure=True, **extra):
        return super().generic(method, path, data, content_type, secure=secure, **extra)


@pytest.fixture
def anonymous():
    return HttpsAPIClient()


@pytest.fixture
def api_as():
    """api_as(user): a client signed in with a session, as the browser is."""

    def signed_in(user, **kwargs):
        client = HttpsAPIClient(**kwargs)
        client.force_login(user)
        return client

    return signed_in


def proposal(**overrides):
    today = timezone.localdate()
    payload = {
        "key": "chat-greeting",
        "title": "Shorter chat greeting",
        "hypothesis_change": "shorten the chat greeting to one sentence",
        "hypothesis_audience": "customers who open chat from the help centre",
        "hypothesis_effect": "first-contact resolution rises by 2 points",
        "hypothesis_rationale": "agents reach the question sooner",
        "team": "Customer care",
        "co_authors": [],
        "touchpoints": ["chat"],
        "segments": ["new-customers"],
        "exposure_cap_pct": 20,
        "sensitive_categories": ["personal-data"],
        "planned_start": (today + dt.timedelta(days=1)).isoformat(),
        "planned_end": (today + dt.timedelta(days=28)).isoformat(),
        "min_runtime_days": 7,
        "approver": "alex_approver",
        "alpha": 0.05,
        "power": 0.8,
        "expected_daily_traffic": 5000,
        "variants": [
            {"key": "control", "name": "Current greeting", "is_control": True, "weight": 50},
            {"key": "short", "name": "One-sentence greeting", "is_control": False, "weight": 50},
        ],
        "metrics": [
            {
                "metric": "fcr",
                "role": "success",
                "effect_unit": "absolute",
                "minimum_detectable_effect": 2,
                "baseline_rate": 70,
            },
            {"metric": "complaint-rate", "role": "guardrail", "non_inferiority_margin": 0.5, "baseline_rate": 3},
            {"metric": "escalation-rate", "role": "guardrail", "non_inferiority_margin": 1.0, "baseline_rate": 8},
        ],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def payload():
    return proposal
