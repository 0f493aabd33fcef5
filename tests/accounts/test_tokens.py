"""API tokens expire, die with a password change, and their owner lists and revokes them."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings

from accounts import tokens
from accounts.models import ApiToken
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-long-passphrase-42"


def _with_token(raw):
    client = HttpsAPIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


def test_only_a_digest_is_stored_and_use_is_recorded(proposer):
    token, raw = tokens.issue(proposer, "nightly export")
    assert raw not in (token.digest, token.prefix) and token.prefix == raw[:8]
    assert _with_token(raw).get("/api/experiments/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_expires(proposer):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _row, raw = tokens.issue(proposer)
    with time_machine.travel(start + dt.timedelta(days=settings.API_TOKEN_DAYS) - dt.timedelta(minutes=1), tick=False):
        assert _with_token(raw).get("/api/experiments/").status_code == 200
    with time_machine.travel(start + dt.timedelta(days=settings.API_TOKEN_DAYS), tick=False):
        response = _with_token(raw).get("/api/experiments/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_revoked_token_gets_401(proposer):
    token, raw = tokens.issue(proposer)
    tokens.revoke(token)
    response = _with_token(raw).get("/api/experiments/")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_password_change_on_the_page_revokes_every_token(proposer, approver):
    _mine, raw = tokens.issue(proposer)
    _theirs, other = tokens.issue(approver)
    page = https_client(proposer)
    response = page.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/done/"
    assert _with_token(raw).get("/api/experiments/").status_code == 401
    assert _with_token(other).get("/api/experiments/").status_code == 200  # someone else's stays
    assert "revoked" in page.get("/accounts/password/change/done/").content.decode()


def test_a_password_set_anywhere_revokes_but_a_rehash_of_the_same_one_does_not(proposer):
    _row, raw = tokens.issue(proposer)
    proposer.set_password(PASSWORD)  # what a login does when the hasher's parameters change
    proposer.save()
    assert _with_token(raw).get("/api/experiments/").status_code == 200
    proposer.set_password(NEW_PASSWORD)  # the admin, manage.py changepassword
    proposer.save()
    assert _with_token(raw).get("/api/experiments/").status_code == 401


def test_the_owner_lists_and_revokes_their_tokens_over_the_api(proposer, approver):
    mine, _raw = tokens.issue(proposer, "script")
    theirs, _ = tokens.issue(approver)
    client = HttpsAPIClient()
    client.force_login(proposer)  # signed in on the site, as the browser is
    listed = client.get("/api/tokens/").json()
    assert [(t["id"], t["name"], t["status"]) for t in listed] == [(mine.pk, "script", "active")]
    assert "digest" not in listed[0] and "token" not in listed[0]
    assert client.delete(f"/api/tokens/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/tokens/{mine.pk}/").status_code == 204
    assert client.get("/api/tokens/").json()[0]["status"] == "revoked"
    created = client.post("/api/tokens/", {"name": "laptop"}, format="json")
    assert created.status_code == 201
    assert _with_token(created.json()["token"]).get("/api/experiments/").status_code == 200


def test_a_token_cannot_mint_a_token(proposer):
    _row, raw = tokens.issue(proposer)
    response = _with_token(raw).post("/api/tokens/", {"name": "forever"}, format="json")
    assert response.status_code == 403 and "cannot create tokens" in response.json()["detail"]
    assert ApiToken.objects.count() == 1


def test_the_tokens_page_shows_a_new_token_once_lists_and_revokes(proposer, approver):
    theirs, _ = tokens.issue(approver, "not yours")
    page = https_client(proposer)
    created = page.post("/accounts/tokens/", {"name": "nightly export"})
    html = created.content.decode()
    token = ApiToken.objects.get(user=proposer)
    raw = html.split('<code class="new-token">')[1].split("</code>")[0]
    assert tokens.digest_of(raw) == token.digest and created["Cache-Control"] == "no-store"
    listing = page.get("/accounts/tokens/").content.decode()
    assert "nightly export" in listing and raw not in listing and "not yours" not in listing
    assert page.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert page.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert _with_token(raw).get("/api/experiments/").status_code == 401
    assert "Revoked" in page.get("/accounts/tokens/").content.decode()


def test_the_user_menu_links_tokens_and_password(proposer):
    html = https_client(proposer).get("/").content.decode()
    assert 'href="/accounts/tokens/"' in html and 'href="/accounts/password/change/"' in html
