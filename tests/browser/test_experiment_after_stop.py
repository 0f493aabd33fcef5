"""After a check stops an experiment, its page says so first and shows why: banner, metric
table, one drawn chart per metric; the dashboard shows it with a red light. Screenshots at a
desktop and a phone width (test-artifacts/)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from experiments.models import Status
from tests.experiments.live.checks_factory import guardrail_drift, record_looks
from tests.factories import PASSWORD, make_experiment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Non-blank pixels of a canvas (alpha > 0): a drawn chart has thousands, an empty canvas none.
PAINTED_PIXELS = """id => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
  return painted;
}"""


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.get_by_role("link", name="Dashboard")).to_be_visible()


@pytest.fixture
def stopped(seeded_catalogues, proposer, approver):
    """Running for 11 days; the complaint rate drifts up in the treatment until a check stops it."""
    today = timezone.localdate()
    experiment = make_experiment(
        proposer,
        approver,
        status=Status.RUNNING,
        title="Shorter chat greeting",
        planned_start=today - dt.timedelta(days=11),
        planned_end=today + dt.timedelta(days=16),
    )
    checks = record_looks(experiment, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED and checks[-1].action == "stop"
    return experiment, checks


def watch_console(page):
    """The console messages seen: a script or style the site's own Content-Security-Policy
    (config/settings.py, no unsafe-inline) blocks shows up here."""
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def charts_are_drawn(page, checks):
    canvases = page.locator("#check-charts-section canvas")
    expect(canvases).to_have_count(len(checks[-1].result["metrics"]))
    for canvas_id in canvases.evaluate_all("nodes => nodes.map(n => n.id)"):
        expect(page.locator(f"#{canvas_id}")).to_have_attribute("data-drawn", "true")
        assert page.evaluate("id => Boolean(Chart.getChart(document.getElementById(id)))", canvas_id)
        assert page.evaluate(PAINTED_PIXELS, canvas_id) > 2000, f"{canvas_id} is blank"


def test_the_page_says_it_stopped_and_why(page, stopped, signal_owner, screenshot):
    experiment, checks = stopped
    stop = checks[-1]
    sign_in(page, signal_owner)
    console = watch_console(page)
    response = page.goto(experiment.get_absolute_url())
    assert "script-src 'self'" in response.headers["content-security-policy"]

    banner = page.locator(".banner")
    expect(banner.locator(".badge")).to_have_text("Stopped")
    expect(banner.locator(".decision-headline")).to_have_text(f"Stopped automatically on {stop.created_at:%-d %b %Y}")
    expect(banner.locator(".decision-sentence")).to_have_text(stop.sentence)
    expect(banner).to_contain_text("points higher: clearly worse than control")
    expect(banner).to_contain_text("rolled back")

    rows = page.locator("#metric-results tbody tr")
    expect(rows).to_have_count(3)
    complaint = page.locator('#metric-results tr[data-metric="complaint-rate"]')
    expect(complaint).to_contain_text("Clearly worse: stop")
    expect(complaint).to_contain_text("Must not be worse than +0.5 points to ship")

    charts_are_drawn(page, checks)
    assert not [m for m in console if "Content Security Policy" in m], console
    expect(page.locator("#data-freshness")).to_contain_text("Data through")
    expect(page.locator("#check-history tr.history-row")).to_have_count(len(checks))
    expect(page.locator("#check-history tbody tr").first).to_contain_text("Stop (harm)")
    screenshot("experiment-after-stop-1280")

    page.set_viewport_size(PHONE)
    page.reload()
    charts_are_drawn(page, checks)
    # Nothing runs off the side of a phone: the page is no wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("experiment-after-stop-390")


def test_the_dashboard_shows_it_red(page, stopped, proposer, approver, signal_owner, screenshot):
    experiment, _ = stopped
    today = timezone.localdate()
    healthy = make_experiment(
        proposer,
        approver,
        status=Status.RUNNING,
        title="Warmer email sign-off",
        planned_start=today - dt.timedelta(days=4),
        planned_end=today + dt.timedelta(days=23),
    )
    record_looks(healthy, days=4)
    waiting = make_experiment(
        proposer,
        approver,
        status=Status.RUNNING,
        title="Callback offer in the phone queue",
        planned_start=today,
        planned_end=today + dt.timedelta(days=27),
    )
    sign_in(page, signal_owner)
    page.set_viewport_size(DESKTOP)
    page.goto("/")
    board = page.locator("#live-experiments")
    expect(board.locator("tr.running-row")).to_have_count(3)
    expect(board.locator(f'tr[data-key="{experiment.key}"]')).to_have_attribute("data-light", "red")
    expect(board.locator(f'tr[data-key="{healthy.key}"]')).to_have_attribute("data-light", "green")
    expect(board.locator(f'tr[data-key="{waiting.key}"]')).to_have_attribute("data-light", "amber")
    expect(board.locator("tr.running-row").first).to_contain_text("Stopped")
    screenshot("dashboard-running-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("dashboard-running-390")
