"""An approver follows the link in the email straight to the decision, and decides there."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import make_experiment
from tests.mailing.links import action_link, mails_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_link_in_the_approvers_email_opens_the_decision(
    seeded_catalogues, browser_for, proposer, approver, live_server, settings, screenshot
):
    settings.SITE_URL = live_server.url  # as the demo does: the links point at the running site
    experiment = make_experiment(proposer, approver, title="Shorter chat greeting")
    owner = browser_for(proposer)
    owner.goto(experiment.get_absolute_url())
    owner.click("button:has-text('Submit for approval')")
    expect(owner.locator(".banner .badge")).to_have_text("Pending approval")

    [email] = mails_to(mail.outbox, approver)
    link = action_link(email)
    assert link.startswith(live_server.url + "/experiments/")

    page = browser_for(approver)
    page.goto(link)
    request = experiment.approval_requests.get()
    card = page.locator(f"#approval-request-{request.pk}")
    expect(card).to_be_visible()
    expect(card.get_by_role("button", name="Approve")).to_be_visible()
    screenshot("email-link-lands-on-the-decision")
    card.get_by_role("button", name="Approve").click()
    expect(page.locator(".banner .badge")).to_have_text("Approved")
