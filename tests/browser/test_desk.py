"""The approver's desk in the browser: a resubmission is approved from “Waiting for me” with its
diff beside what the approver asked for, and its too-short plan acknowledged explicitly."""

import pytest
from playwright.sync_api import expect

from experiments.models import Status
from tests.approvals.desk_world import REQUESTED, resubmitted
from tests.browser.conftest import ARTIFACTS
from tests.browser.languages import english_left, in_both_languages, speaks, words
from tests.browser.proposal_steps import step
from tests.factories import make_experiment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def test_approve_a_resubmission_from_the_desk(seeded_catalogues, browser_for, proposer, approver):
    experiment = resubmitted(proposer, approver, expected_daily_traffic=2000)
    page = browser_for(approver)

    def screenshot(name):  # of this person's page (the screenshot fixture shoots its own)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Waiting for me").click()
    card = page.locator(".request-card")
    expect(card).to_have_count(1)

    # What to decide leads; the resubmission's diff sits beside the approver's own request.
    expect(card.locator(".desk-lead")).to_contain_text("minimum detectable effect 2")
    expect(card.locator(".plan-verdict").first).to_contain_text("Too short: needs")
    changed = card.locator(".desk-resubmission")
    expect(changed).to_contain_text("Changed since the last decision")
    expect(changed.locator(".diff-before")).to_contain_text("Shorter chat greeting, first try")
    expect(changed.locator(".diff-after")).to_contain_text("Shorter chat greeting, second try")
    expect(changed.locator(".desk-earlier-request")).to_contain_text(REQUESTED)
    approve = card.get_by_role("button", name="Approve")
    lead_box, approve_box = card.locator(".desk-lead").bounding_box(), approve.bounding_box()
    assert lead_box["y"] < approve_box["y"]  # the evidence before the button
    screenshot("desk-resubmission-desktop")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("desk-resubmission-phone")
    page.set_viewport_size(DESKTOP)

    # Approving without the acknowledgement is refused, with the error on the checkbox.
    approve.click()
    box = page.get_by_label("I approve knowing the plan's verdict")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".acknowledge-plan .field-error")).to_contain_text("Acknowledge the plan's verdict")
    screenshot("desk-acknowledgement-refused")
    box.check()
    page.locator(".request-card").get_by_role("button", name="Approve").click()
    expect(page.locator(".message-success")).to_contain_text("It is now approved.")
    expect(page.get_by_text("Nothing waits for your decision.")).to_be_visible()
    expect(page.locator(".recently-decided")).to_contain_text("Shorter chat greeting, second try")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    experiment.refresh_from_db()
    assert experiment.status == Status.APPROVED

    page.goto(experiment.get_absolute_url())
    expect(page.locator("#approval-decided")).to_contain_text("Decided on")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    screenshot("desk-decided-detail")


@in_both_languages
def test_changes_asked_for_then_resubmitted_and_approved_from_the_desk(
    seeded_catalogues, browser_for, proposer, approver, language
):
    """The whole round in the browser, in each language: the proposer submits, the approver asks
    for changes from the desk, the proposer edits and resubmits, the approver's card shows what
    changed beside their own request, and the approval takes it off the desk naming who decided."""
    speaks(language, proposer, approver)
    say = words(language)
    experiment = make_experiment(proposer, approver, title="Shorter chat greeting, first try")
    owner = browser_for(proposer)
    owner.goto(experiment.get_absolute_url())
    expect(owner.locator("html")).to_have_attribute("lang", language)
    owner.get_by_role("button", name=say("Submit for approval")).click()
    badge = owner.locator(".banner .badge")
    expect(badge).to_have_text(say("Pending approval"))

    desk = browser_for(approver)
    waiting = desk.get_by_role("link", name=say("Waiting for me"))
    waiting.click()
    card = desk.locator(".request-card")
    expect(card).to_have_count(1)
    card.locator("summary", has_text=say("Request changes…")).click()
    card.get_by_label(say("What should change")).fill(REQUESTED)
    card.get_by_role("button", name=say("Request changes"), exact=True).click()
    expect(desk.locator(".message-success")).to_contain_text(say("It goes back to the owner for changes."))

    owner.reload()
    expect(badge).to_have_text(say("Changes requested"))
    owner.get_by_role("button", name=say("Edit proposal")).click()
    expect(owner.locator("main")).to_contain_text(REQUESTED)  # the request stands above the form
    owner.fill("#id_title", "Shorter chat greeting, second try")
    step(owner, "plan")
    owner.get_by_role("button", name=say("Save and submit for approval")).click()
    expect(owner.locator(".message-success")).to_have_text(
        say("Submitted for approval. %(approver)s will be asked to decide.", approver=approver.get_full_name())
    )

    waiting.click()
    card = desk.locator(".request-card")
    expect(card).to_have_count(1)
    expect(card.locator(".chip-kind", has_text=say("Resubmitted"))).to_be_visible()
    changed = card.locator(".desk-resubmission")
    expect(changed).to_contain_text(say("Changed since the last decision"))
    expect(changed.locator(".diff-before")).to_contain_text("Shorter chat greeting, first try")
    expect(changed.locator(".diff-after")).to_contain_text("Shorter chat greeting, second try")
    earlier = changed.locator(".desk-earlier-request")
    expect(earlier).to_contain_text(say("What you asked for"))
    expect(earlier).to_contain_text(REQUESTED)
    if language == "id":
        # The diff's row names, the request's states and the slots still needed: all Indonesian.
        assert english_left(desk) == []
    shoot(desk, f"desk-resubmission-{language}-desktop", DESKTOP)
    shoot(desk, f"desk-resubmission-{language}-phone", PHONE)
    desk.set_viewport_size(DESKTOP)

    card.get_by_role("button", name=say("Approve"), exact=True).click()
    expect(desk.locator(".message-success")).to_contain_text(say("It is now approved."))
    expect(desk.get_by_text(say("Nothing waits for your decision."))).to_be_visible()
    expect(desk.locator(".request-card")).to_have_count(0)
    expect(waiting.locator(".nav-count")).to_have_count(0)
    decided = desk.locator(".recently-decided")
    expect(decided).to_contain_text("Shorter chat greeting, second try")
    expect(decided).to_contain_text(approver.get_full_name())  # who decided

    owner.reload()
    expect(badge).to_have_text(say("Approved"))
    expect(owner.locator("#approval-decided")).to_contain_text(approver.get_full_name())


def shoot(page, name, viewport):
    """A full-page screenshot at this size; on a phone the page must not scroll sideways."""
    page.set_viewport_size(viewport)
    if viewport == PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
