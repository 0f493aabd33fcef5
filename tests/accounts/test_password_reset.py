"""Self-service password reset by email, end to end: ask, read the email, follow the link, set, log in."""

import re

import pytest
from django.core import mail

from accounts import tokens
from tests.experiments.web import https_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-new-long-passphrase-42"


def test_the_reset_link_in_the_email_sets_a_new_password(proposer):
    _row, raw = tokens.issue(proposer)
    browser = https_client()
    assert 'href="/accounts/password/reset/"' in browser.get("/accounts/login/").content.decode()
    asked = browser.post("/accounts/password/reset/", {"email": "priya_proposer@example.test"})
    assert asked.status_code == 302 and asked["Location"] == "/accounts/password/reset/sent/"

    (email,) = mail.outbox
    assert email.to == ["priya_proposer@example.test"] and email.subject == "[Pagar] Reset your password"
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", email.body).group(1)
    form_page = browser.get(link, follow=True)  # Django swaps the token in the URL for one in the session
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    done = browser.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"

    assert browser.post("/accounts/login/", {"username": "priya_proposer", "password": PASSWORD}).status_code == 200
    assert browser.post("/accounts/login/", {"username": "priya_proposer", "password": NEW_PASSWORD}).status_code == 302
    assert tokens.find(raw).status() == "revoked"
    # The link works once.
    assert "has been used or has expired" in https_client().get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(proposer):
    asked = https_client().post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert asked["Location"] == "/accounts/password/reset/sent/" and mail.outbox == []


def test_the_pages_use_the_site_layout(proposer):
    for url in ("/accounts/password/reset/", "/accounts/password/reset/sent/", "/accounts/password/reset/done/"):
        html = https_client().get(url).content.decode()
        assert 'class="login-card"' in html and "pico.min.css" in html, url
    assert 'class="login-card"' in https_client(proposer).get("/accounts/password/change/").content.decode()
