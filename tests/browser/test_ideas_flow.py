"""An idea goes from the backlog through the weekly slot to a draft experiment, in the browser."""

from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from cadence.ideas.models import Idea, IdeaStatus
from experiments.models import Status
from tests.cadence.ideas.builders import make_series
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.get_by_role("link", name="Ideas", exact=True)).to_be_visible()


def log_out(page):
    page.click("details.user-menu summary")  # the user menu holds Log out
    page.click("button:has-text('Log out')")
    expect(page.locator("details.user-menu")).to_have_count(0)  # signed out before the next goto


def test_submit_rate_and_propose_in_the_slot(seeded_catalogues, page, screenshot, proposer, approver):
    # Transactional tests flush the database: seed the ICE scoring model again, as migrate does.
    import_module("cadence.ideas.migrations.0002_seed_scoring_models").seed(apps, None)
    facilitator = make_user("fay_facilitator")
    make_series(facilitator, proposer, approver)

    log_in(page, approver)
    page.get_by_role("link", name="Ideas", exact=True).click()
    page.get_by_role("link", name="Submit an idea").first.click()
    page.fill("#id_title", "Offer a callback instead of queueing")
    page.select_option("#id_pain_point", label="Waiting time")
    page.select_option("#id_touchpoint", label="Phone")
    page.fill("#id_hypothesis", "Offer a callback slot once the wait passes five minutes.")
    page.fill("#id_expected_effect", "Customer effort score falls by 0.2 points")
    page.click("button:has-text('Submit idea')")
    expect(page.get_by_role("heading", name="Offer a callback instead of queueing")).to_be_visible()

    page.fill("#id_impact", "8")
    page.fill("#id_confidence", "6")
    page.fill("#id_ease", "7")
    page.click("button:has-text('Save my rating')")
    expect(page.locator(".idea-score-box .stat-value")).to_have_text("7.0")
    page.click("button:has-text('Vote')")
    page.fill("#id_body", "Callers on the billing line ask for this every week.")
    page.click("button:has-text('Add comment')")
    expect(page.locator(".comment")).to_contain_text("every week")
    screenshot("ideas-idea")
    page.get_by_role("link", name="Backlog").click()
    expect(page.locator(".idea-table")).to_contain_text("Offer a callback instead of queueing")
    screenshot("ideas-backlog")
    log_out(page)

    log_in(page, facilitator)
    page.goto("/ideas/slot/")
    page.click("button:has-text('Open the next meeting')")
    # The slot meets later this week: its facilitator opens it early to decide now (recorded).
    page.get_by_role("button", name="Open the meeting early").click()
    expect(page.locator(".meeting-state-line")).to_contain_text("opened early by")
    item = page.locator("article.agenda-item", has_text="Offer a callback instead of queueing")
    expect(item).to_contain_text("New since the last slot")
    item.get_by_label("Turn into a proposal").check()
    item.locator("select[name$='-owner']").select_option(label=proposer.get_full_name())
    item.get_by_role("button", name="Record decision").click()
    expect(page.locator(".message-success")).to_contain_text("is now the draft")
    page.fill("#id_follow_ups", "Priya adds the metrics and sends it for approval by Friday.")
    screenshot("ideas-meeting")
    page.click("button:has-text('Close the meeting and send the minutes')")
    expect(page.locator("#minutes")).to_contain_text("Priya adds the metrics")

    idea = Idea.objects.get()
    assert idea.status == IdeaStatus.PROPOSED
    assert (idea.experiment.status, idea.experiment.owner) == (Status.DRAFT, proposer)
    assert idea.score == pytest.approx(7.0)
