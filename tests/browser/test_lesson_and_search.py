"""The owner concludes a lost experiment: the form asks what we learned and refuses without it;
then a colleague finds it from the header's search box by a word of its lesson, with its outcome."""

import pytest
from playwright.sync_api import expect

from experiments.models import Status
from tests.factories import make_experiment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_conclude_lost_with_a_lesson_then_find_it_by_search(
    seeded_catalogues, browser_for, proposer, approver, outsider
):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED, title="Delivery window by SMS")
    page = browser_for(proposer)
    page.goto(experiment.get_absolute_url())
    page.locator("summary", has_text="Conclude").click()
    form = page.locator("form.action-form").filter(has=page.locator("input[name=action][value=conclude]"))
    form.locator("select[name=outcome]").select_option("lost")
    form.get_by_role("button", name="Conclude").click()
    expect(page.locator("body")).to_contain_text("Say what we learned from this experiment.")
    experiment.refresh_from_db()
    assert experiment.status == Status.COMPLETED

    page.locator("summary", has_text="Conclude").click()
    form.locator("select[name=outcome]").select_option("lost")
    form.get_by_label("What we learned").fill("Customers ignore texts sent before breakfast.")
    form.get_by_label("What we would do differently (optional)").fill("Send it the evening before.")
    form.get_by_role("button", name="Conclude").click()
    expect(page.locator("#lesson")).to_contain_text("Customers ignore texts sent before breakfast.")
    expect(page.locator("#lesson")).to_contain_text("Send it the evening before.")

    colleague = browser_for(outsider)
    colleague.get_by_role("searchbox", name="Search everything").fill("breakfast")
    colleague.keyboard.press("Enter")
    expect(colleague.get_by_role("heading", name="1 result for “breakfast”")).to_be_visible()
    hit = colleague.locator(".search-hit").first
    expect(hit).to_contain_text("Delivery window by SMS")
    expect(hit).to_contain_text("Lost")
    expect(hit).to_contain_text("Customers ignore texts sent before breakfast.")
    hit.get_by_role("link", name="Delivery window by SMS").click()
    expect(colleague).to_have_url(experiment.get_absolute_url())
