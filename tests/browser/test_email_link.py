"""An approver follows the link in the email straight to the decision, and decides there: in
English and in Bahasa Indonesia, the email and the page in the approver's own language."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.languages import in_both_languages, speaks, words
from tests.factories import make_experiment
from tests.mailing.links import action_link, mails_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@in_both_languages
def test_the_link_in_the_approvers_email_opens_the_decision(
    seeded_catalogues, browser_for, proposer, approver, live_server, settings, language
):
    settings.SITE_URL = live_server.url  # as the demo does: the links point at the running site
    speaks(language, approver)
    say = words(language)
    experiment = make_experiment(proposer, approver, title="Shorter chat greeting")
    owner = browser_for(proposer)
    owner.goto(experiment.get_absolute_url())
    owner.click("button:has-text('Submit for approval')")
    expect(owner.locator(".banner .badge")).to_have_text("Pending approval")

    [email] = mails_to(mail.outbox, approver)
    assert "Shorter chat greeting" in email.subject
    next_step = say("Read the proposal, then approve it, reject it or ask for changes.")
    assert f"{say('What to do next:')} {next_step}" in email.body
    link = action_link(email)
    assert link.startswith(live_server.url + "/experiments/")

    page = browser_for(approver)
    page.goto(link)
    expect(page.locator("html")).to_have_attribute("lang", language)
    request = experiment.approval_requests.get()
    card = page.locator(f"#approval-request-{request.pk}")
    expect(card).to_be_visible()
    expect(card).to_be_in_viewport()  # the link lands on the decision, not the top of the page
    approve = card.get_by_role("button", name=say("Approve"), exact=True)
    expect(approve).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"email-link-lands-on-the-decision-{language}.png"))
    approve.click()
    expect(page.locator(".banner .badge")).to_have_text(say("Approved"))
