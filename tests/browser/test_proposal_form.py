"""The proposal form in a browser: the short path for a simple binary experiment, removable rows,
the key made from the title, the co-author search; and its height, which the short path must keep
at most half of what the single long page was (4,133 px at 1366x900)."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from experiments.keys import key_from_title
from experiments.models import Experiment, Status
from tests.browser.conftest import ARTIFACTS
from tests.browser.languages import english_left, in_both_languages, speaks, words
from tests.browser.proposal_steps import fill_metric_row, step
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
# Half the single page's height before the steps (issue 16): 4,133 px desktop, 6,859 px phone.
MOST_DESKTOP, MOST_PHONE = 2066, 3429


ENGLISH = words("en")


def signed_in_page(chromium, live_server, user, viewport, say=ENGLISH):
    context = chromium.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/?next=/experiments/new/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.get_by_role("heading", name=say("Propose an experiment"))).to_be_visible()
    return page


def page_height(page):
    return page.evaluate("document.documentElement.scrollHeight")


def short_path(page, approver, shots="", say=ENGLISH, whole_page_in=None):
    """Fill in a one-success, one-guardrail binary experiment step by step; the page's height at
    each step, as the proposer sees it (and a screenshot of each step when `shots` names them).
    whole_page_in="id": each step must show nothing still in English."""
    today = timezone.localdate()
    heights = {}

    def measure(step_name):
        heights[step_name] = page_height(page)
        # No sideways scrolling at any step, on a phone least of all.
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], step_name
        if whole_page_in == "id":
            assert english_left(page) == [], step_name
        if shots:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"proposal-form-{shots}-{step_name}.png"), full_page=True)
            # A full-page screenshot resizes the viewport; Chrome then scrolls the focused field
            # back into view at the next layout (as for a phone's keyboard), under the next click.
            page.evaluate("document.activeElement && document.activeElement.blur()")

    page.fill("#id_title", "Shorter email receipts")
    page.fill("#id_hypothesis_change", "cut the receipt email to the order lines")
    page.fill("#id_hypothesis_audience", "customers who buy online")
    page.fill("#id_hypothesis_effect", "first-contact resolution rises by 3 points")
    page.fill("#id_hypothesis_rationale", "customers find the order number at once")
    measure("basics")
    page.locator("#step-basics").get_by_role("button", name=say("Next"), exact=True).click()
    page.get_by_label("Email", exact=True).check()
    page.fill("#id_exposure_cap_pct", "20")
    measure("scope")
    page.locator("#step-scope").get_by_role("button", name=say("Next"), exact=True).click()
    fill_metric_row(page, 0, "First-contact resolution", "success", effect=3, baseline_rate=70)
    fill_metric_row(page, 1, "Complaint rate", "guardrail", margin=1, baseline_rate=3)
    measure("metrics")
    page.locator("#step-metrics").get_by_role("button", name=say("Next"), exact=True).click()
    page.fill("#id_planned_start", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_planned_end", (today + dt.timedelta(days=35)).isoformat())
    page.fill("#id_expected_daily_traffic", "5000")
    page.select_option("#id_approver", label=approver.get_full_name())
    expect(page.locator("#calculator")).to_contain_text(
        say("The planned duration is long enough to detect the effects.")
    )
    measure("plan")
    if shots:
        (ARTIFACTS / f"proposal-form-{shots}-heights.json").write_text(json.dumps(heights))
    return heights


@in_both_languages
def test_a_simple_binary_experiment_through_the_short_path(
    chromium, live_server, seeded_catalogues, proposer, approver, language
):
    speaks(language, proposer)
    say = words(language)
    page = signed_in_page(chromium, live_server, proposer, DESKTOP, say)
    expect(page.locator("html")).to_have_attribute("lang", language)
    # Only the first step shows; the suggested variants wait folded in the metrics step.
    expect(page.locator("#step-basics")).to_be_visible()
    expect(page.locator("#step-scope")).to_be_hidden()

    heights = short_path(page, approver, shots=f"desktop-{language}", say=say, whole_page_in=language)
    # A binary success row asks for the effect and the rate, nothing else.
    step(page, "metrics")
    row = page.locator("#field-metrics-0")
    expect(row.locator("#id_metrics-0-minimum_detectable_effect")).to_be_visible()
    expect(row.locator("#id_metrics-0-baseline_rate")).to_be_visible()
    for hidden in ("non_inferiority_margin", "baseline_mean", "baseline_sd"):
        expect(row.locator(f"#id_metrics-0-{hidden}")).to_be_hidden()
    expect(page.locator("#id_metrics-1-minimum_detectable_effect")).to_be_hidden()
    expect(page.locator("#id_metrics-1-non_inferiority_margin")).to_be_visible()
    step(page, "plan")
    # The plan is computed at the capped exposure and says so.
    expect(page.locator("#calculator")).to_contain_text(say("Planned at the exposure cap of %(pct)s%%.", pct=20))
    assert max(heights.values()) <= MOST_DESKTOP, heights

    page.get_by_role("button", name=say("Save and submit for approval")).click()
    expect(page.locator(".message-success")).to_have_text(
        say("Submitted for approval. %(approver)s will be asked to decide.", approver=approver.get_full_name())
    )
    # The experiment's page says where it stands, in the proposer's language.
    expect(page.locator(".banner .badge")).to_have_text(say("Pending approval"))
    experiment = Experiment.objects.get(key="shorter-email-receipts")
    assert experiment.status == Status.PENDING_APPROVAL
    assert [(m.metric.key, m.role) for m in experiment.metrics.order_by("pk")] == [
        ("fcr", "success"),
        ("complaint-rate", "guardrail"),
    ]
    assert sorted(experiment.variants.values_list("key", "is_control")) == [("control", True), ("treatment", False)]
    page.context.close()


@in_both_languages
def test_the_short_path_on_a_phone_is_at_most_half_as_tall(
    chromium, live_server, seeded_catalogues, proposer, approver, language
):
    speaks(language, proposer)
    say = words(language)
    page = signed_in_page(chromium, live_server, proposer, PHONE, say)
    heights = short_path(page, approver, shots=f"phone-{language}", say=say)
    assert max(heights.values()) <= MOST_PHONE, heights
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()


def test_a_row_is_removed_and_not_saved(chromium, live_server, seeded_catalogues, proposer, approver):
    page = signed_in_page(chromium, live_server, proposer, DESKTOP)
    page.fill("#id_title", "Remove a row")
    for name in ("change", "audience", "effect", "rationale"):
        page.fill(f"#id_hypothesis_{name}", "something")
    step(page, "scope")
    page.get_by_label("Email", exact=True).check()
    page.fill("#id_exposure_cap_pct", "20")
    step(page, "metrics")
    fill_metric_row(page, 0, "First-contact resolution", "success", effect=3, baseline_rate=70)
    fill_metric_row(page, 1, "Escalation rate", "guardrail", margin=1, baseline_rate=8)
    fill_metric_row(page, 2, "Complaint rate", "guardrail", margin=1, baseline_rate=3)
    # Remove a filled row: it disappears, and the server ignores it.
    page.locator("#field-metrics-1").get_by_role("button", name="Remove").click()
    expect(page.locator("#field-metrics-1")).to_be_hidden()
    assert page.is_checked("#id_metrics-1-DELETE")
    step(page, "plan")
    today = timezone.localdate()
    page.fill("#id_planned_start", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_planned_end", (today + dt.timedelta(days=35)).isoformat())
    page.select_option("#id_approver", label=approver.get_full_name())
    page.click("#step-plan button:has-text('Save draft')")
    expect(page.locator(".message-success")).to_contain_text("Draft saved.")
    experiment = Experiment.objects.get(key="remove-a-row")
    assert list(experiment.metrics.order_by("pk").values_list("metric__key", flat=True)) == ["fcr", "complaint-rate"]

    # A saved row removed on the edit page is deleted.
    page.goto(f"/experiments/{experiment.key}/edit/")
    step(page, "metrics")
    page.locator("#field-metrics-0").get_by_role("button", name="Remove").click()
    page.click("#step-metrics button:has-text('Save and finish later')")
    expect(page.locator(".message-success")).to_contain_text("Draft saved.")
    assert list(experiment.metrics.values_list("metric__key", flat=True)) == ["complaint-rate"]
    page.context.close()


def test_the_key_is_made_from_the_title_until_the_proposer_types_one(
    chromium, live_server, seeded_catalogues, proposer, approver, other_approver
):
    page = signed_in_page(chromium, live_server, proposer, DESKTOP)
    title = "Café receipts: déjà vu for the 2nd time, shorter and friendlier"
    page.fill("#id_title", title)
    # The browser's key is the server's (experiments.keys), cut at a word boundary.
    assert page.input_value("#id_key") == key_from_title(title) == "cafe-receipts-deja-vu-for-the-2nd-time"
    page.fill("#id_key", "my-own-key")
    page.fill("#id_title", "Another title")
    assert page.input_value("#id_key") == "my-own-key"
    page.fill("#id_key", "")
    page.fill("#id_title", "Another title")
    assert page.input_value("#id_key") == "another-title"

    # The co-authors' list has a search box.
    step(page, "plan")
    search = page.get_by_placeholder("Search people by name")
    search.fill("olga")
    options = page.locator("#id_co_authors option")
    visible = [o for o in options.all() if o.evaluate("o => !o.hidden")]
    assert [o.inner_text() for o in visible] == [other_approver.get_full_name()]
    page.context.close()


def test_without_javascript_every_step_shows_and_the_form_still_saves(
    chromium, live_server, seeded_catalogues, proposer, approver
):
    context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/?next=/experiments/new/")
    page.fill("#id_username", proposer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    for name in ("basics", "scope", "metrics", "plan"):
        expect(page.locator(f"#step-{name}")).to_be_visible()
    expect(page.locator("[data-stepper]")).to_be_hidden()
    expect(page.get_by_role("button", name="Add a metric")).to_be_hidden()
    # Every planning field shows; the server keeps those the row's kind and role need.
    page.fill("#id_title", "Without scripts")
    for name in ("change", "audience", "effect", "rationale"):
        page.fill(f"#id_hypothesis_{name}", "something")
    page.get_by_label("Email", exact=True).check()
    page.fill("#id_exposure_cap_pct", "20")
    page.select_option("#id_metrics-0-metric", label="First-contact resolution")
    page.select_option("#id_metrics-0-role", value="success")
    page.fill("#id_metrics-0-minimum_detectable_effect", "3")
    page.fill("#id_metrics-0-baseline_rate", "70")
    page.fill("#id_metrics-0-baseline_mean", "12")  # not a binary metric's: dropped
    page.check("#id_metrics-1-DELETE")  # the second row's "Remove this row" box
    today = timezone.localdate()
    page.fill("#id_planned_start", (today + dt.timedelta(days=1)).isoformat())
    page.fill("#id_planned_end", (today + dt.timedelta(days=35)).isoformat())
    page.click("#step-plan button:has-text('Save draft')")
    expect(page.locator(".message-success")).to_contain_text("Draft saved.")
    experiment = Experiment.objects.get(key="without-scripts")  # the key made from the title
    metric = experiment.metrics.get()
    assert (metric.metric.key, metric.baseline_rate, metric.baseline_mean) == ("fcr", 70, None)
    context.close()


@in_both_languages
def test_an_empty_proposal_gets_the_one_error_summary_whose_links_open_each_step(
    chromium, live_server, seeded_catalogues, proposer, language
):
    """Saved with nothing filled in: the site's one error summary, first and focused; each line
    names its field and opens the step holding it."""
    speaks(language, proposer)
    say = words(language)
    page = signed_in_page(chromium, live_server, proposer, DESKTOP, say)
    page.locator("#step-basics").get_by_role("button", name=say("Save and finish later")).click()
    summary = page.locator(".error-summary")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(say("There is a problem"))
    required = say("This field is required.")
    expect(summary.get_by_role("link", name=f"{say('Title')}: {required}")).to_be_visible()
    assert not Experiment.objects.exists()
    summary.get_by_role("link", name=f"{say('Touchpoints')}: {required}").click()
    expect(page.locator("#step-scope")).to_be_visible()
    expect(page.locator("#step-basics")).to_be_hidden()
    summary.get_by_role("link", name=f"{say('Planned start')}: {required}").click()
    expect(page.locator("#step-plan")).to_be_visible()
    expect(page.locator("#field-planned_start .field-error")).to_contain_text(required)
    page.context.close()
