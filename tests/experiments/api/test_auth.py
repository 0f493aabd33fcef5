"""Token and session authentication."""

from accounts.models import ApiToken
from tests.factories import PASSWORD


def test_token_for_username_and_password_then_use_it(anonymous, proposer, approver):
    response = anonymous.post("/api/token/", {"username": "priya_proposer", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get().user == proposer and response.json()["expires_at"]

    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.get("/api/experiments/").status_code == 200
    # Token clients write without CSRF (no cookie to ride on).
    calc = {
        "exposure_cap_pct": 20,
        "variants": [{"key": "control", "weight": 1, "is_control": True}, {"key": "b", "weight": 1}],
        "metrics": [{"metric": "fcr", "role": "success", "minimum_detectable_effect": 2, "baseline_rate": 70}],
    }
    assert anonymous.post("/api/calculator/", calc, format="json").status_code == 200


def test_wrong_password_gets_no_token(anonymous, proposer):
    response = anonymous.post("/api/token/", {"username": "priya_proposer", "password": "guess"}, format="json")
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_unknown_token_is_refused(anonymous, proposer):
    anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anonymous.get("/api/experiments/")
    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Invalid token."


def test_inactive_user_cannot_use_the_api(api_as, proposer):
    client = api_as(proposer)
    proposer.is_active = False
    proposer.save(update_fields=["is_active"])
    assert client.get("/api/experiments/").status_code in (401, 403)
