"""No brake on password guessing, reproduced: 40 wrong passwords then the right one. Now refused."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings

from accounts.models import ApiToken
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _token(client, password, username="priya_proposer"):
    return client.post("/api/token/", {"username": username, "password": password}, format="json")


def _login(client, password, username="priya_proposer"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_the_41st_api_try_is_refused_even_with_the_right_password_until_the_cool_off_ends(proposer):
    client = HttpsAPIClient()
    statuses = []
    with time_machine.travel(START, tick=False) as clock:
        for i in range(40):  # one try every 3 seconds: slower than the per-address rate limit
            statuses.append(_token(client, f"guess-{i}").status_code)
            clock.shift(3)
        assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
        assert statuses[-1] == 429
        refused = _token(client, PASSWORD)  # at 09:02
        assert refused.status_code == 429 and not ApiToken.objects.exists()
        assert "Too many failed log-ins" in refused.json()["detail"]
        assert "Try again after 09:17 (in 15 minutes)" in refused.json()["detail"]
        assert refused["Retry-After"] == "900"
        clock.shift(dt.timedelta(minutes=14))
        assert _token(client, PASSWORD).status_code == 429  # not yet; and that try starts the cool-off again
        clock.shift(dt.timedelta(minutes=16))
        assert _token(client, PASSWORD).status_code == 200


def test_the_41st_page_try_is_refused_even_with_the_right_password_until_the_cool_off_ends(proposer):
    browser = https_client()
    with time_machine.travel(START, tick=False):
        for i in range(40):
            _login(browser, f"guess-{i}")
        refused = _login(browser, PASSWORD)
        assert refused.status_code == 429
        assert "Try again after 09:15" in refused.content.decode()
        assert "_auth_user_id" not in browser.session
    with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
        assert _login(browser, PASSWORD).status_code == 302
        assert browser.session["_auth_user_id"] == str(proposer.pk)


def test_one_address_trying_many_accounts_is_locked_out(proposer, approver):
    client = HttpsAPIClient()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _token(client, "guess", username=f"someone-{i}")
    assert _token(client, PASSWORD, username="alex_approver").status_code == 429


def test_one_account_tried_from_many_addresses_is_locked_out(proposer):
    for i in range(settings.AXES_FAILURE_LIMIT):
        HttpsAPIClient(REMOTE_ADDR=f"10.0.0.{i}").post(
            "/api/token/", {"username": "priya_proposer", "password": "guess"}, format="json"
        )
    assert _token(HttpsAPIClient(REMOTE_ADDR="10.0.1.1"), PASSWORD).status_code == 429


def test_an_admin_unlocks_in_the_admin(proposer, admin_user):
    client = HttpsAPIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(client, "guess")
    assert _token(client, PASSWORD).status_code == 429
    admin = https_client(admin_user)
    assert admin.get("/admin/axes/accessattempt/").status_code == 200
    ids = list(AccessAttempt.objects.values_list("pk", flat=True))
    admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert _token(client, PASSWORD).status_code == 200


def test_the_token_exchange_is_rate_limited_per_address(proposer):
    client = HttpsAPIClient()
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    with time_machine.travel(START, tick=False):
        for _ in range(rate):
            assert _token(client, PASSWORD).status_code == 200  # successes reset the lock-out, not the rate
        assert _token(client, PASSWORD).status_code == 429
