"""A person switches Pagar to Bahasa Indonesia on their settings page (with Jakarta time), sees the
pages in Indonesian, and switches back; the settings page fits a phone."""

import pytest
from playwright.sync_api import expect

from experiments.models import Status
from tests.browser.conftest import ARTIFACTS
from tests.factories import make_experiment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_switch_to_bahasa_indonesia_and_back(seeded_catalogues, browser_for, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.APPROVED)
    page = browser_for(proposer)
    page.goto("/accounts/settings/")
    expect(page.get_by_role("heading", name="Your settings")).to_be_visible()
    page.get_by_label("Language").select_option("id")
    page.get_by_label("Time zone").select_option("Asia/Jakarta")
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_role("heading", name="Pengaturan Anda")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("Pengaturan Anda disimpan.")
    expect(page.locator("main")).to_contain_text("(Asia/Jakarta)")
    _screenshot(page, "settings-id-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _screenshot(page, "settings-id-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(experiment.get_absolute_url())
    expect(page.get_by_role("heading", name="Hipotesis")).to_be_visible()
    expect(page.locator(".banner")).to_contain_text("Disetujui")

    page.goto("/accounts/settings/")
    page.get_by_label("Bahasa", exact=True).select_option("en")
    page.get_by_role("button", name="Simpan pengaturan").click()
    expect(page.get_by_role("heading", name="Your settings")).to_be_visible()
    _screenshot(page, "settings-en-desktop")
