"""A proposer logs in, proposes an experiment through the form, finds it listed, and submits it."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from experiments.models import Experiment, Status
from tests.browser.proposal_steps import fill_metric_row, open_variants, step
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_propose_list_and_submit(seeded_catalogues, page, screenshot, proposer, approver):
    today = timezone.localdate()

    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    page.fill("#id_username", proposer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.get_by_role("heading", name="Your experiments")).to_be_visible()

    page.get_by_role("link", name="Propose", exact=True).click()
    expect(page.get_by_role("heading", name="Propose an experiment")).to_be_visible()
    page.fill("#id_title", "Shorter chat greeting")
    page.fill("#id_key", "chat-short-greeting")
    page.fill("#id_hypothesis_change", "shorten the chat greeting to one sentence")
    page.fill("#id_hypothesis_audience", "customers who open chat from the help centre")
    page.fill("#id_hypothesis_effect", "first-contact resolution rises by 2 points")
    page.fill("#id_hypothesis_rationale", "agents reach the question sooner")
    step(page, "scope")
    page.get_by_label("Chat", exact=True).check()
    page.fill("#id_exposure_cap_pct", "40")

    step(page, "metrics")
    open_variants(page)
    page.fill("#id_variants-0-key", "control")
    page.fill("#id_variants-0-name", "Current greeting")
    page.check("#id_variants-0-is_control")
    page.fill("#id_variants-1-key", "short")
    page.fill("#id_variants-1-name", "One-sentence greeting")

    fill_metric_row(page, 0, "First-contact resolution", "success", effect=2, baseline_rate=70)
    fill_metric_row(page, 1, "Complaint rate", "guardrail", margin=0.5, baseline_rate=3)
    fill_metric_row(page, 2, "Escalation rate", "guardrail", margin=1, baseline_rate=8)
    # A fourth row through the add-row button, then left blank: blank rows are ignored.
    page.click("button:has-text('Add a metric')")
    expect(page.locator("#id_metrics-3-metric")).to_be_visible()
    assert page.input_value("#id_metrics-TOTAL_FORMS") == "4"

    step(page, "plan")
    page.fill("#id_planned_start", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_planned_end", (today + dt.timedelta(days=7)).isoformat())
    page.fill("#id_expected_daily_traffic", "5000")
    page.select_option("#id_approver", label=approver.get_full_name())

    # The calculator answers from the API: a week is too short for these effects.
    calculator = page.locator("#calculator")
    expect(calculator).to_contain_text("days needed", timeout=15_000)
    expect(calculator).to_contain_text("too short")
    screenshot("propose-calculator-too-short")
    page.fill("#id_planned_end", (today + dt.timedelta(days=35)).isoformat())
    expect(calculator).to_contain_text("long enough", timeout=15_000)
    screenshot("propose-form-filled")

    page.click("button:has-text('Save draft')")
    expect(page.locator(".message-success")).to_contain_text("Draft saved.")
    experiment = Experiment.objects.get(key="chat-short-greeting")
    assert experiment.status == Status.DRAFT and experiment.metrics.count() == 3

    page.get_by_role("link", name="Experiments", exact=True).click()
    expect(page.get_by_role("link", name="Shorter chat greeting")).to_be_visible()
    screenshot("experiment-list")
    page.get_by_role("link", name="Shorter chat greeting").click()
    expect(page.locator(".banner")).to_contain_text("Draft")
    screenshot("detail-draft")

    page.click("button:has-text('Submit for approval')")
    expect(page.locator(".banner .badge")).to_have_text("Pending approval")
    expect(page.locator(".timeline")).to_contain_text("moved it from draft to pending approval")
    screenshot("detail-pending")
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL


def test_the_calculator_plans_fewer_units_with_cuped(seeded_catalogues, page, proposer, approver):
    """A mean success metric with an expected correlation of 0.5 with its pre-period values: the
    plan needs about 1 - 0.5² = 75% of the units, and says so."""
    today = timezone.localdate()
    page.goto("/accounts/login/?next=/experiments/new/")
    page.fill("#id_username", proposer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    step(page, "scope")
    page.fill("#id_exposure_cap_pct", "40")
    step(page, "metrics")
    open_variants(page)
    page.fill("#id_variants-0-key", "control")
    page.check("#id_variants-0-is_control")
    page.fill("#id_variants-1-key", "short")
    page.select_option("#id_metrics-0-metric", label="First response time")
    page.select_option("#id_metrics-0-role", value="success")
    page.fill("#id_metrics-0-minimum_detectable_effect", "0.1")
    page.fill("#id_metrics-0-baseline_mean", "6")
    page.fill("#id_metrics-0-baseline_sd", "4")
    fill_metric_row(page, 1, "Complaint rate", "guardrail", margin=2, baseline_rate=3)
    step(page, "plan")
    page.fill("#id_planned_start", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_planned_end", (today + dt.timedelta(days=30)).isoformat())
    page.fill("#id_expected_daily_traffic", "50000")
    calculator = page.locator("#calculator")
    expect(calculator).to_contain_text("days needed", timeout=15_000)
    without = int(calculator.locator(".stat-value").first.inner_text().replace(",", ""))
    calculator.locator(".cuped-setting summary").click()
    page.fill("#expected-correlation", "0.5")
    expect(calculator.locator(".cuped-plan")).to_contain_text("instead of", timeout=15_000)
    with_cuped = int(calculator.locator(".stat-value").first.inner_text().replace(",", ""))
    assert f"{without:,}" in calculator.locator(".cuped-plan").inner_text()
    assert 0.7 < with_cuped / without < 0.8
