"""Per-person language and time zone: the settings page, the middleware and the language switch."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import preferences
from accounts.models import PersonSettings
from tests.experiments.web import HttpsClient, https_client

pytestmark = pytest.mark.django_db


def test_accept_language_id_gets_indonesian_when_signed_out():
    page = HttpsClient().get(reverse("login"), HTTP_ACCEPT_LANGUAGE="id")
    assert page["Content-Language"] == "id"
    assert HttpsClient().get(reverse("login"))["Content-Language"] == "en"


def test_the_language_cookie_wins_over_the_browser_when_signed_out():
    client = HttpsClient()
    client.cookies["django_language"] = "id"
    assert client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "id"


def test_a_persons_saved_language_wins_over_cookie_and_browser(proposer):
    preferences.save_language(proposer, "id")
    client = https_client(proposer)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:settings"), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "id"
    assert "Pengaturan Anda" in page.content.decode()


def test_without_a_saved_language_the_browser_decides(proposer):
    page = https_client(proposer).get(reverse("accounts:settings"), HTTP_ACCEPT_LANGUAGE="id")
    assert page["Content-Language"] == "id"


def test_the_settings_page_saves_language_and_time_zone(proposer):
    client = https_client(proposer)
    page = client.post(reverse("accounts:settings"), {"language": "id", "time_zone": "Asia/Jakarta"})
    assert page.status_code == 302 and page.cookies["django_language"].value == "id"
    row = PersonSettings.objects.get(user=proposer)
    assert (row.language, row.time_zone) == ("id", "Asia/Jakarta")
    assert "Pengaturan Anda disimpan." in client.get(page["Location"]).content.decode()


def test_the_settings_page_refuses_an_unknown_zone_or_language(proposer):
    page = https_client(proposer).post(reverse("accounts:settings"), {"language": "xx", "time_zone": "Mars/Base"})
    assert page.status_code == 200
    assert set(page.context["form"].errors) == {"language", "time_zone"}
    assert not PersonSettings.objects.exists()


def test_the_settings_page_needs_a_sign_in():
    page = HttpsClient().get(reverse("accounts:settings"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))


def test_the_persons_time_zone_and_formats_apply_to_their_pages(proposer):
    client = https_client(proposer)
    with time_machine.travel(dt.datetime(2026, 12, 4, 1, 30, tzinfo=dt.UTC), tick=False):
        assert "4 Dec 2026 01:30 (UTC)" in client.get(reverse("accounts:settings")).content.decode()
        preferences.save(proposer, language="id", time_zone="Asia/Jakarta")
        assert "4 Des 2026 08.30 (Asia/Jakarta)" in client.get(reverse("accounts:settings")).content.decode()
    # The zone was the request's only: nothing is left active for the next one.
    assert timezone.get_current_timezone_name() == "UTC"


def test_set_language_saves_a_signed_in_persons_language_and_sets_the_cookie(proposer):
    client = https_client(proposer)
    page = client.post(reverse("set_language"), {"language": "id", "next": "/experiments/"})
    assert page.status_code == 302 and page["Location"] == "/experiments/"
    assert page.cookies["django_language"].value == "id"
    assert PersonSettings.objects.get(user=proposer).language == "id"


def test_set_language_ignores_a_next_on_another_site():
    page = HttpsClient().post(reverse("set_language"), {"language": "id", "next": "https://evil.example/"})
    assert page.status_code == 302 and "evil.example" not in page["Location"]
    assert page.cookies["django_language"].value == "id"


def test_set_language_does_not_save_a_language_pagar_does_not_offer(proposer):
    https_client(proposer).post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert not PersonSettings.objects.exists()


def test_set_language_needs_post():
    assert HttpsClient().get(reverse("set_language")).status_code == 405


def test_pages_know_the_language_they_are_in(proposer):
    preferences.save_language(proposer, "id")
    page = https_client(proposer).get(reverse("accounts:settings"))
    assert page.context["LANGUAGE_CODE"] == "id"
    assert [code for code, _name in page.context["LANGUAGES"]] == ["en", "id"]
