"""A person switches Pagar to Bahasa Indonesia on their settings page (with Jakarta time), sees the
pages in Indonesian, and switches back; the settings page fits a phone."""

import pytest
from playwright.sync_api import expect

from experiments.models import Status
from tests.browser.conftest import ARTIFACTS
from tests.browser.languages import english_left, words
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
    settings_form = page.locator("main")
    settings_form.get_by_label("Language", exact=True).select_option("id")
    settings_form.get_by_label("Time zone").select_option("Asia/Jakarta")
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
    page.locator("main").get_by_label("Bahasa", exact=True).select_option("en")
    page.get_by_role("button", name="Simpan pengaturan").click()
    expect(page.get_by_role("heading", name="Your settings")).to_be_visible()
    _screenshot(page, "settings-en-desktop")


def test_the_header_switch_turns_the_page_indonesian_and_remembers_it(seeded_catalogues, browser_for, proposer):
    """The EN / ID buttons in the header: the same page comes back in the other language, and the
    person's saved language follows, so the next page is Indonesian too."""
    page = browser_for(proposer)
    page.goto("/experiments/")
    page.get_by_role("form", name="Language").get_by_role("button", name="ID").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eksperimen")
    # The whole page, header and footer too: nothing left that the catalogue says in Indonesian.
    say = words("id")
    menu = page.get_by_role("navigation", name=say("Main menu"))
    for item in ("Dashboard", "Experiments", "Waiting for me", "Ideas", "Reviews", "Standards", "Calendar"):
        expect(menu.get_by_role("link", name=say(item), exact=True)).to_be_visible()
    expect(page.locator(".site-footer")).to_contain_text(say("Guardrail policy"))
    assert english_left(page) == []
    page.goto("/ideas/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    assert english_left(page) == []
    _screenshot(page, "header-switch-id-desktop")
    page.get_by_role("form", name="Bahasa").get_by_role("button", name="EN").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
