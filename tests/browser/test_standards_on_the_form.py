"""Proposing on a touchpoint with a standard shows it (live, as the scope and metrics are chosen);
the proposer says the proposal re-tests it; the approver sees the standard and the re-test too."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadence.standards.models import Citation
from experiments.models import Experiment, Status
from tests.browser.conftest import ARTIFACTS
from tests.browser.proposal_steps import fill_metric_row, open_variants, step
from tests.factories import make_experiment


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chat_standard(seeded_catalogues, proposer, approver, standards_keeper, board_member):
    from cadence.standards.services import create_from_experiment

    source = make_experiment(proposer, approver, status="concluded", outcome="won", key="greeting-proven")
    return create_from_experiment(
        source, statement="Greet chat customers in one sentence.", owner=standards_keeper, actor=board_member
    )


def test_proposing_on_a_touchpoint_with_a_standard_shows_it_and_the_approver_sees_it(
    chat_standard, browser_for, proposer, approver
):
    today = timezone.localdate()
    page = browser_for(proposer)
    page.goto("/experiments/new/")
    step(page, "scope")
    panel = page.locator("#standards-in-force")
    expect(panel).to_contain_text("No standard in force")

    page.get_by_label("Chat", exact=True).check()
    expect(panel).to_contain_text(chat_standard.statement)
    expect(panel.get_by_role("link", name=f"{chat_standard.code} {chat_standard.statement}")).to_have_attribute(
        "href", chat_standard.get_absolute_url()
    )
    expect(panel).to_contain_text("A loss or a stop of this proposal would contradict it.")
    step(page, "metrics")
    fill_metric_row(page, 0, "First-contact resolution", "success", effect=2, baseline_rate=70)
    step(page, "scope")
    expect(panel).to_contain_text("may re-test it")
    panel.get_by_label("This proposal re-tests it").check()

    step(page, "basics")
    page.fill("#id_title", "One-line greeting, again")
    page.fill("#id_key", "greeting-again")
    page.fill("#id_hypothesis_change", "shorten the chat greeting to one line")
    page.fill("#id_hypothesis_audience", "all chat customers")
    page.fill("#id_hypothesis_effect", "first-contact resolution rises by 2 points")
    page.fill("#id_hypothesis_rationale", "the standard may no longer hold since the bot answers first")
    step(page, "scope")
    page.fill("#id_exposure_cap_pct", "20")
    step(page, "metrics")
    open_variants(page)
    page.fill("#id_variants-0-key", "control")
    page.fill("#id_variants-0-name", "Current greeting")
    page.check("#id_variants-0-is_control")
    page.fill("#id_variants-1-key", "short")
    page.fill("#id_variants-1-name", "One-line greeting")
    fill_metric_row(page, 1, "Complaint rate", "guardrail", margin=0.5, baseline_rate=3)
    fill_metric_row(page, 2, "Escalation rate", "guardrail", margin=1, baseline_rate=8)
    step(page, "plan")
    page.fill("#id_planned_start", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_planned_end", (today + dt.timedelta(days=35)).isoformat())
    page.fill("#id_expected_daily_traffic", "5000")
    page.select_option("#id_approver", label=approver.get_full_name())
    shot(page, "standards-on-the-form")
    page.click("button:has-text('Save and submit for approval')")
    expect(page.locator(".message-success")).to_contain_text("Submitted for approval")
    experiment = Experiment.objects.get(key="greeting-again")
    assert experiment.status == Status.PENDING_APPROVAL
    assert Citation.objects.filter(experiment=experiment, standard=chat_standard, kind="retests").exists()
    expect(page.locator("#standards-in-force")).to_contain_text("re-tests it (declared by its authors)")

    inbox = browser_for(approver)
    inbox.get_by_role("link", name="Waiting for me").click()
    card = inbox.locator(".request-card")
    card.get_by_text("The evidence in full: plan, overlaps, standards").click()  # fetched when opened
    expect(card).to_contain_text(chat_standard.statement)
    expect(card).to_contain_text("This proposal re-tests it (declared by its authors).")
    shot(inbox, "standards-on-the-approvers-card")
    # The card's lead names the standards touched by code; the full list waits in the evidence below.
    card.get_by_role("link", name=chat_standard.code, exact=True).click()
    expect(inbox.locator("#citing-experiments")).to_contain_text("greeting-again")
