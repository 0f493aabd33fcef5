"""The owner submits; the approver decides from “Waiting for me”; the owner sees the outcome."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_experiment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted(seeded_catalogues, browser_for, proposer, approver):
    """The owner submits a draft from its page; returns the owner's page and the experiment."""
    experiment = make_experiment(proposer, approver, title="Shorter chat greeting")
    owner = browser_for(proposer)
    owner.goto(experiment.get_absolute_url())
    owner.click("button:has-text('Submit for approval')")
    expect(owner.locator(".banner .badge")).to_have_text("Pending approval")
    expect(owner.locator(".approval-open")).to_contain_text("Still needed: Named approver")
    return owner, experiment


def open_inbox(page):
    link = page.get_by_role("link", name="Waiting for me")
    expect(link.locator(".nav-count")).to_have_text("1")
    link.click()
    card = page.locator(".request-card")
    expect(card).to_have_count(1)
    return card


def test_approve_from_the_inbox(submitted, browser_for, approver, screenshot):
    owner, experiment = submitted
    page = browser_for(approver)
    card = open_inbox(page)
    expect(card).to_contain_text(experiment.hypothesis_sentence)
    expect(card).not_to_contain_text("days needed")  # the evidence in full is fetched when opened
    card.get_by_text("The evidence in full: plan, overlaps, standards").click()
    expect(card).to_contain_text("days needed")
    expect(card.locator(".standards-in-force")).to_be_visible()
    screenshot("approval-inbox")
    card.get_by_placeholder("Comment (optional)").fill("Safe at 20%")
    card.get_by_role("button", name="Approve").click()
    expect(page.locator(".message-success")).to_contain_text(
        "You approved the proposal for “Shorter chat greeting”. It is now approved."
    )
    expect(page.get_by_text("Nothing waits for your decision.")).to_be_visible()
    expect(page.get_by_role("link", name="Waiting for me").locator(".nav-count")).to_have_count(0)

    owner.reload()
    expect(owner.locator(".banner .badge")).to_have_text("Approved")
    expect(owner.locator("#decisions")).to_contain_text("approved the proposal")
    expect(owner.locator("#decisions")).to_contain_text("“Safe at 20%”")
    expect(owner.get_by_role("link", name="Notifications").locator(".nav-count")).to_have_text("1")
    screenshot("approval-owner-sees-approved")


def test_reject_from_the_inbox_needs_a_reason(submitted, browser_for, approver):
    owner, _ = submitted
    page = browser_for(approver)
    card = open_inbox(page)
    card.locator("summary", has_text="Reject").click()
    card.get_by_label("Reason").fill("Clashes with the peak-season freeze")
    card.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("It is now rejected.")

    owner.reload()
    expect(owner.locator(".banner .badge")).to_have_text("Rejected")
    expect(owner.locator("#decisions")).to_contain_text("“Clashes with the peak-season freeze”")


def test_request_changes_sends_it_back_to_the_owner(submitted, browser_for, approver, screenshot):
    owner, _ = submitted
    page = browser_for(approver)
    card = open_inbox(page)
    card.locator("summary", has_text="Request changes").click()
    card.get_by_label("What should change").fill("Name the segment you mean")
    card.get_by_role("button", name="Request changes", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("It goes back to the owner for changes.")

    owner.reload()
    expect(owner.locator(".banner .badge")).to_have_text("Changes requested")
    expect(owner.locator("#decisions")).to_contain_text("requested changes on the proposal")
    expect(owner.locator("#decisions")).to_contain_text("“Name the segment you mean”")
    expect(owner.get_by_role("button", name="Edit proposal")).to_be_visible()
    screenshot("approval-owner-sees-changes-requested")
