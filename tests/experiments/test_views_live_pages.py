"""The experiment page and the dashboard once experiments run and are checked."""

import datetime as dt
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from experiments import lifecycle
from experiments.models import Status
from tests.experiments.live.checks_factory import guardrail_drift, record_looks
from tests.experiments.web import https_client, text_of
from tests.factories import make_experiment

START = dt.date(2026, 11, 10)
UTC = dt.UTC
ROLES = ["proposer", "approver", "signal_owner", "standards_keeper", "board_member", "outsider", "admin_user"]


def running_experiment(owner, approver, start=START, **kw):
    kw.setdefault("expected_daily_traffic", 5000)  # the drift below stops it on the day the tests name
    return make_experiment(
        owner, approver, status=Status.RUNNING, planned_start=start, planned_end=start + dt.timedelta(days=27), **kw
    )


def drift(experiment):
    checks = record_looks(experiment, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED
    return checks


def html_of(user, experiment):
    response = https_client(user).get(experiment.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def executable_inline_scripts(html):
    """<script> elements with code in the page itself (the site loads code from files only)."""
    return [
        tag
        for tag in re.findall(r"<script\b[^>]*>", html)
        if "src=" not in tag and 'type="application/json"' not in tag
    ]


@pytest.mark.parametrize("role", ROLES)
def test_after_an_automatic_stop_every_signed_in_user_sees_why(role, request, proposer, approver, time_machine):
    experiment = running_experiment(proposer, approver)
    checks = drift(experiment)
    stop = checks[-1]
    time_machine.move_to(stop.created_at + dt.timedelta(hours=3), tick=False)
    html = html_of(request.getfixturevalue(role), experiment)
    text = text_of(html)

    # The decision first: the banner says stopped, when, why and what it means.
    assert f"Stopped automatically on {stop.created_at:%-d %b %Y}" in text
    assert stop.sentence in text and "so the change was rolled back" in text
    # Then the evidence, in order: metrics, charts, data freshness, history; then the proposal.
    order = [
        html.index(marker)
        for marker in (
            'class="banner',
            'id="metric-results"',
            'id="check-charts-section"',
            'id="data-freshness"',
            'id="check-history"',
            "<h2>Hypothesis</h2>",
        )
    ]
    assert order == sorted(order)
    assert html.count('class="metric-row') == 3
    assert "Clearly worse: stop" in text
    # The charts' figures are the checks', handed to the script as data, not code.
    charts = json.loads(
        re.search(r'<script id="check-charts" type="application/json">(.*?)</script>', html, re.S).group(1)
    )
    assert [c["metric"] for c in charts] == ["fcr", "complaint-rate", "escalation-rate"]
    complaint = charts[1]
    assert complaint["estimate"] == [
        next(m["change"] for m in c.result["metrics"] if m["metric"] == "complaint-rate") for c in checks
    ]
    assert complaint["margin"] == 0.5  # complaints: at most 0.5 points higher
    assert html.count("<canvas") == 3
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/check_charts.js" in html
    assert executable_inline_scripts(html) == []
    assert html.count('class="history-row"') == len(checks)


def test_running_page_shows_progress_freshness_and_history(proposer, approver, signal_owner, time_machine):
    experiment = running_experiment(proposer, approver)
    checks = record_looks(experiment, days=9)
    experiment.next_check_at = dt.datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    experiment.save(update_fields=["next_check_at"])
    time_machine.move_to(dt.datetime(2026, 11, 19, 9, 0, tzinfo=UTC), tick=False)
    html = html_of(signal_owner, experiment)
    text = text_of(html)
    assert "Running — day 10 of 28, next check 20 Nov 2026 06:00" in text
    assert checks[-1].sentence in text
    assert "Data through 18 Nov 2026 23:30, last received 9" in text  # hours ago
    assert "checks are judging old data" not in text
    # Newest first; the seven newest in view, the rest folded away.
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', html)
    history = [c.look_date.isoformat() for c in reversed(checks)]
    assert dates[: len(history)] == history
    assert "2 earlier checks" in text


def test_stale_data_is_flagged_on_the_page(proposer, approver, signal_owner, time_machine):
    experiment = running_experiment(proposer, approver)
    record_looks(experiment, days=3)
    time_machine.move_to(dt.datetime(2026, 11, 19, 9, 0, tzinfo=UTC), tick=False)
    text = text_of(html_of(signal_owner, experiment))
    assert "The newest data is 6 days old: the checks are judging old data." in text  # text_of folds the no-break space


def test_running_without_data_or_checks_says_so(proposer, approver, outsider, time_machine):
    experiment = running_experiment(proposer, approver)
    time_machine.move_to(dt.datetime(2026, 11, 11, 9, 0, tzinfo=UTC), tick=False)
    html = html_of(outsider, experiment)
    text = text_of(html)
    assert "Running — day 2 of 28" in text and "No check has run yet." in text
    assert "No data has arrived yet: the checks have nothing to judge." in text
    assert "No check has produced results yet." in text
    assert 'id="check-charts"' not in html and "chart.umd.min.js" not in html


def test_pages_of_experiments_never_run_stay_as_they_were(proposer, approver, outsider):
    approved = make_experiment(proposer, approver, status=Status.APPROVED)
    html = html_of(outsider, approved)
    assert "Approved. It starts on" in text_of(html)
    for live_marker in ('id="metric-results"', 'id="data-freshness"', 'id="check-history"', "chart.umd.min.js"):
        assert live_marker not in html


def test_drafts_stay_private(proposer, approver, outsider, signal_owner):
    draft = make_experiment(proposer, approver)
    assert https_client(outsider).get(draft.get_absolute_url()).status_code == 404
    assert https_client(signal_owner).get(draft.get_absolute_url()).status_code == 404
    assert 'id="metric-results"' not in html_of(proposer, draft)
    assert https_client().get(draft.get_absolute_url()).status_code == 302  # to the login page


def test_page_queries_do_not_grow_with_the_looks(proposer, approver, signal_owner):
    few, many = running_experiment(proposer, approver), running_experiment(proposer, approver)
    record_looks(few, days=2)
    record_looks(many, days=20)
    client = https_client(signal_owner)

    def queries(experiment):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(experiment.get_absolute_url()).status_code == 200
        return len(captured)

    assert queries(many) == queries(few)


# --- the dashboard ----------------------------------------------------------------------------


def board_of(user):
    response = https_client(user).get(reverse("dashboard"))
    assert response.status_code == 200
    return response


def test_dashboard_lights(proposer, approver, co_author, outsider, time_machine):
    stopped = running_experiment(proposer, approver, title="Stopped by the checks")
    drift(stopped)  # stopped on 21 Nov
    healthy = running_experiment(co_author, approver, title="Healthy")
    record_looks(healthy, days=12)  # data through 21 Nov
    quiet = running_experiment(proposer, approver, title="Data stopped coming")
    record_looks(quiet, days=3)  # data through 12 Nov
    running_experiment(proposer, approver, start=dt.date(2026, 11, 21), title="No data yet")
    long_ago = running_experiment(proposer, approver, start=dt.date(2026, 10, 1), title="Stopped weeks ago")
    drift(long_ago)
    by_hand = running_experiment(proposer, approver, title="Stopped by its owner")
    record_looks(by_hand, days=3)
    lifecycle.transition(by_hand, "stop", proposer, reason="Wrong audience", lesson="We learned what the data showed.")
    make_experiment(proposer, approver, status=Status.APPROVED, title="Not started")

    time_machine.move_to(dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC), tick=False)
    response = board_of(outsider)  # running experiments are visible to every signed-in user
    rows = response.context["running_board"]
    lights = [(row.experiment.title, row.light.colour) for row in rows]
    assert lights[0] == ("Stopped by the checks", "red")  # problems first
    assert sorted(lights[1:3]) == [("Data stopped coming", "amber"), ("No data yet", "amber")]
    assert lights[3] == ("Healthy", "green")
    assert len(lights) == 4
    html = response.content.decode()
    text = text_of(html)
    assert 'data-light="red"' in html and html.index('id="live-experiments"') < html.index('id="drafts"')
    assert "No new data for 1 week" in text
    assert "15 days left" in text  # Healthy ends 7 Dec
    assert "Stopped 21 Nov 2026" in text


def test_dashboard_without_running_experiments(proposer):
    response = board_of(proposer)
    assert response.context["running_board"] == []
    assert "No experiment is running" in text_of(response.content.decode())
    # The rest of the dashboard is as it was.
    assert {s["id"] for s in response.context["sections"]} == {"drafts", "submitted", "running"}


def test_dashboard_queries_do_not_grow_with_running_experiments(proposer, approver, signal_owner):
    def queries():
        client = https_client(signal_owner)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(captured)

    record_looks(running_experiment(proposer, approver), days=2)
    one = queries()
    for _ in range(4):
        record_looks(running_experiment(proposer, approver), days=2)
    assert queries() == one


def test_the_page_links_to_the_upload_page_for_those_who_may_send_data(proposer, approver, signal_owner, outsider):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    upload = reverse("experiment-data", kwargs={"key": experiment.key})
    page = reverse("experiment-detail", kwargs={"key": experiment.key})
    for user, sees in ((proposer, True), (signal_owner, True), (approver, False), (outsider, False)):
        assert (upload in https_client(user).get(page).content.decode()) == sees, user
    pending = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    assert (
        "Send data"
        not in https_client(proposer).get(reverse("experiment-detail", kwargs={"key": pending.key})).content.decode()
    )
