"""A signal owner uploads a CSV on the data page: the progress bar fills, a bad file gets the
row-by-row report, a good one the summary per arm; the same forms work without JavaScript."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from experiments.models import DailyStat, IngestBatch, Observation
from tests.experiments.live.test_ingestion_scenario import outcome, running_experiment, to_csv, units_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLUMNS = ["unit", "arm", "metric", "value", "time"]


@pytest.fixture
def experiment(seeded_catalogues, proposer, approver):
    today = timezone.localdate()
    return running_experiment(
        proposer,
        approver,
        key="chat-greeting",
        started=timezone.now() - dt.timedelta(days=3),
        planned_start=today - dt.timedelta(days=3),
        planned_end=today + dt.timedelta(days=25),
    )


def good_file(experiment, per_arm=600) -> bytes:
    yesterday = (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0)
    rows = []
    for arm in ("control", "short"):
        for i, unit in enumerate(units_in(experiment, arm, per_arm)):
            when = (yesterday - dt.timedelta(minutes=i)).isoformat().replace("+00:00", "Z")
            rows.append(outcome(experiment, arm, "fcr", i % 3 == 0, time=when, unit=unit))
    return to_csv([dict(r, value=int(r["value"])) for r in rows], COLUMNS).encode()


def bad_file(experiment) -> bytes:
    yesterday = (timezone.now() - dt.timedelta(days=1)).replace(microsecond=0).isoformat()
    rows = [
        outcome(experiment, "control", "fcr", 1, time=yesterday),
        outcome(experiment, "short", "csat", 7, time=yesterday),
        outcome(experiment, "long", "fcr", 1, time=yesterday, unit="u1"),
        outcome(experiment, "control", "fcr", 1, time="2026-13-01T10:00:00Z"),
    ]
    return to_csv(rows, COLUMNS).encode()


def log_in(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    expect(page.get_by_role("heading", name="Your experiments")).to_be_visible()


def progress_complete(page, kind):
    page.wait_for_function(
        """kind => {
            const bar = document.getElementById('file-' + kind).form.querySelector('progress');
            return !bar.hidden && bar.max > 0 && bar.value === bar.max;
        }""",
        arg=kind,
    )


def test_upload_a_bad_file_then_a_good_one(experiment, page, screenshot, signal_owner):
    log_in(page, signal_owner)
    page.goto(f"/experiments/{experiment.key}/data/")
    expect(page.get_by_role("heading", name="Send data: Shorter chat greeting", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name="Download the CSV template")).to_have_count(2)
    screenshot("upload-page")
    page.evaluate("window.stillTheSamePage = true")

    page.set_input_files(
        "#file-outcomes", files=[{"name": "outcomes-bad.csv", "mimeType": "text/csv", "buffer": bad_file(experiment)}]
    )
    page.locator("#upload-outcomes-heading ~ form button[type=submit]").click()
    progress_complete(page, "outcomes")
    expect(page.get_by_role("heading", name="Refused: nothing was written")).to_be_visible()
    report = page.locator("#upload-result table")
    expect(report.locator("tbody tr")).to_have_count(3)
    expect(report.locator("tbody tr").nth(0)).to_contain_text("value")
    expect(report.locator("tbody tr").nth(0)).to_contain_text("takes values from 1 to 5 points; 7 is outside")
    expect(report.locator("tbody tr").nth(1)).to_contain_text("Unknown arm 'long'")
    expect(report.locator("tbody tr").nth(2)).to_contain_text("Must be an ISO 8601 time")
    expect(page.locator("#upload-outcomes-heading ~ form .upload-status")).to_have_text(
        "Uploaded and checked: see the report."
    )
    expect(page.locator("#recent-batches")).to_contain_text("refused")
    assert page.evaluate("window.stillTheSamePage") is True  # XHR, no page load
    assert Observation.objects.count() == 0
    screenshot("upload-refused")

    page.set_input_files(
        "#file-outcomes", files=[{"name": "outcomes.csv", "mimeType": "text/csv", "buffer": good_file(experiment)}]
    )
    # Choosing a file resets the bar; it fills again as this one goes up.
    expect(page.locator("#upload-outcomes-heading ~ form progress")).to_be_hidden()
    page.locator("#upload-outcomes-heading ~ form button[type=submit]").click()
    progress_complete(page, "outcomes")
    expect(page.get_by_role("heading", name="Accepted: 1,200 rows written")).to_be_visible()
    per_arm = page.locator("#upload-result table.per-arm tbody tr")
    expect(per_arm.nth(0)).to_contain_text("600")
    expect(per_arm.nth(1)).to_contain_text("600")
    expect(page.locator("#recent-batches tbody tr")).to_have_count(2)
    expect(page.locator("#recent-batches tbody tr").first).to_contain_text("accepted")
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot("upload-accepted")

    assert Observation.objects.count() == 1200
    assert sum(DailyStat.objects.values_list("n", flat=True)) == 1200
    assert list(IngestBatch.objects.values_list("source", "accepted")) == [("upload", True), ("upload", False)]

    # Submitting the same chosen file again (a double submit) writes nothing more.
    page.locator("#upload-outcomes-heading ~ form button[type=submit]").click()
    expect(page.locator("#upload-result")).to_contain_text("nothing was written twice")
    assert Observation.objects.count() == 1200


def test_the_page_works_without_javascript(experiment, chromium, live_server, signal_owner):
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, signal_owner)
        page.goto(f"/experiments/{experiment.key}/data/")
        page.set_input_files(
            "#file-outcomes",
            files=[{"name": "outcomes.csv", "mimeType": "text/csv", "buffer": good_file(experiment, per_arm=20)}],
        )
        page.locator("#upload-outcomes-heading ~ form button[type=submit]").click()
        expect(page.get_by_role("heading", name="Accepted: 40 rows written")).to_be_visible()
        expect(page.locator("#upload-outcomes-heading ~ form progress")).to_be_hidden()
        assert Observation.objects.count() == 40
    finally:
        context.close()


def test_the_page_on_a_phone(experiment, chromium, live_server, signal_owner):
    from tests.browser.conftest import ARTIFACTS

    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, signal_owner)
        page.goto(f"/experiments/{experiment.key}/data/")
        page.set_input_files(
            "#file-outcomes",
            files=[{"name": "outcomes-bad.csv", "mimeType": "text/csv", "buffer": bad_file(experiment)}],
        )
        page.locator("#upload-outcomes-heading ~ form button[type=submit]").click()
        expect(page.get_by_role("heading", name="Refused: nothing was written")).to_be_visible()
        # Nothing wider than the screen: the report scrolls inside its own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "upload-phone.png"), full_page=True)
    finally:
        context.close()


def test_a_file_over_the_limit_is_refused_before_it_is_sent(experiment, page, signal_owner, settings):
    settings.INGEST_MAX_BODY_BYTES = 4096  # the page reads it when rendered; the server refuses the same
    log_in(page, signal_owner)
    page.goto(f"/experiments/{experiment.key}/data/")
    sent = []
    page.on("request", lambda request: sent.append(request.url) if request.method == "POST" else None)
    big = {"name": "big.csv", "mimeType": "text/csv", "buffer": good_file(experiment)}
    page.set_input_files("#file-outcomes", files=[big])
    page.locator("#upload-outcomes-heading ~ form button[type=submit]").click()
    status = page.locator("#upload-outcomes-heading ~ form .upload-status")
    expect(status).to_contain_text("larger than 4,096 bytes")
    assert sent == []
    assert not IngestBatch.objects.exists()
