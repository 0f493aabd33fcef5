"""A signal owner opens a running experiment and reads its results: each arm's value with its
units, the change and the relative change with their interval and interval bar, what it takes
to win or ship, the sample-ratio line, the segment breakdown (exploration); then the printable
summary. Screenshots in test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from experiments.live.presentation import metric_rows
from experiments.models import Segment, SegmentDailyStat, Status
from tests.browser.test_experiment_after_stop import charts_are_drawn, sign_in, watch_console
from tests.experiments.live.checks_factory import clear_win, record_looks
from tests.factories import make_experiment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(seeded_catalogues, proposer, approver):
    """Six days in; first-contact resolution up 4 points in the treatment, no decision yet."""
    today = timezone.localdate()
    experiment = make_experiment(
        proposer,
        approver,
        status=Status.RUNNING,
        title="Shorter chat greeting",
        planned_start=today - dt.timedelta(days=6),
        planned_end=today + dt.timedelta(days=21),
    )
    checks = record_looks(experiment, days=6, rates=clear_win("fcr", lift=4.0))
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    # Part of yesterday's units came with a segment: seniors resolved at 60% vs 75%, business alike.
    seniors, business = Segment.objects.get(key="seniors"), Segment.objects.get(key="business")
    variants = {v.key: v for v in experiment.variants.all()}
    fcr = experiment.metrics.get(metric__key="fcr").metric
    for segment, (control, treatment) in ((seniors, (120, 150)), (business, (140, 141))):
        for arm, successes in (("control", control), ("short", treatment)):
            SegmentDailyStat.objects.create(
                experiment=experiment,
                variant=variants[arm],
                metric=fcr,
                segment=segment,
                day=today - dt.timedelta(days=1),
                n=200,
                total=successes,
                total_sq=successes,
                updated_at=timezone.now(),
            )
    return experiment, checks


def test_a_signal_owner_reads_the_results_table(page, running, signal_owner, screenshot):
    experiment, checks = running
    sign_in(page, signal_owner)
    console = watch_console(page)
    page.goto(experiment.get_absolute_url())

    # The figures the presenter makes of the latest check (about 70% vs 74%: whole units per day).
    names = {v.key: v.name for v in experiment.variants.all()}
    row = next(r for r in metric_rows(checks[-1], names, "control") if r.metric == "fcr")
    assert row.reading.change == pytest.approx(4.0, abs=0.05) and row.reading.meaning == "better"
    fcr = page.locator('#metric-results tr[data-metric="fcr"]')
    expect(fcr.locator(".arm-value").first).to_contain_text(row.control_value_text)
    expect(fcr.locator(".arm-value").nth(1)).to_contain_text(row.treatment_value_text)
    expect(fcr.locator(".effect-change")).to_have_text(row.estimate_text)
    expect(fcr.locator(".relative-change")).to_contain_text(row.relative_text)
    expect(fcr.locator(".effect-meaning")).to_have_text(row.meaning_text)
    expect(fcr.locator(".effect-interval")).to_contain_text(row.interval_text)
    expect(fcr.locator(".interval-level")).to_have_text("90%")
    expect(fcr.locator("svg.interval-bar")).to_be_visible()
    expect(fcr).to_contain_text("to call it a win")
    expect(page.locator("#sample-ratio")).to_contain_text("matches the plan")
    expect(page.locator("#metric-results")).not_to_contain_text("Margin")
    segments = page.locator("#segments")
    expect(segments).to_contain_text("Exploration: segments (not used to stop)")
    expect(segments).to_contain_text("Holm")
    seniors = segments.locator("tr", has_text="Customers 65+")
    expect(seniors).to_contain_text("60%")
    expect(seniors).to_contain_text("75%")
    expect(seniors).to_contain_text("+15 points: better")
    charts_are_drawn(page, checks)
    assert not [m for m in console if "Content Security Policy" in m], console
    screenshot("results-table-1280")

    page.get_by_role("link", name="Printable summary").click()
    expect(page.locator("#summary-decision")).to_be_visible()
    expect(page.locator('#metric-results tr[data-metric="fcr"] .effect-change')).to_have_text(row.estimate_text)
    charts_are_drawn(page, checks)
    page.emulate_media(media="print")
    screenshot("results-summary-print")
