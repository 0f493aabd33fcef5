"""The results table to take away: CSV and the one-page printable summary, same figures as the page."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from experiments.models import Status
from experiments.stats.wording import metric_reading
from experiments.views.results_export import CSV_HEADER
from tests.experiments.live.checks_factory import guardrail_drift, record_looks
from tests.experiments.test_views_live_pages import executable_inline_scripts
from tests.experiments.web import https_client  # noqa: F401
from tests.factories import make_experiment

START = dt.date(2026, 11, 10)


@pytest.fixture
def stopped(proposer, approver):
    experiment = make_experiment(
        proposer, approver, status=Status.RUNNING, planned_start=START, planned_end=START + dt.timedelta(days=27)
    )
    checks = record_looks(experiment, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED
    return experiment, checks[-1]


def test_the_results_csv_has_the_pages_figures(stopped, signal_owner):
    experiment, stop = stopped
    response = https_client(signal_owner).get(reverse("experiment-results-csv", args=[experiment.key]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert f'filename="{experiment.key}-results.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["metric"] for r in rows] == ["First-contact resolution", "Complaint rate", "Escalation rate"]
    complaint = rows[1]
    stored = next(m for m in stop.result["metrics"] if m["metric"] == "complaint-rate")
    reading = metric_reading(stored)
    assert float(complaint["change"]) == reading.change > 0  # treatment minus control: a rise
    assert (float(complaint["interval_low"]), float(complaint["interval_high"])) == reading.interval
    assert (complaint["interval_level"], complaint["meaning"], complaint["unit"]) == ("0.98", "worse", "points")
    assert complaint["decision"] == "Clearly worse: stop"
    assert complaint["what_it_takes"].startswith("Must not be worse than +0.5 points to ship")
    assert float(complaint["control_value"]) == stored["control_value"]
    assert complaint["look_date"] == stop.look_date.isoformat()


def test_the_printable_summary_has_the_decision_table_and_charts(stopped, signal_owner):
    experiment, stop = stopped
    response = https_client(signal_owner).get(reverse("experiment-results-summary", args=[experiment.key]))
    assert response.status_code == 200
    html = response.content.decode()
    assert stop.sentence in html
    assert html.count('class="metric-row') == 3 and html.count("<canvas") == 3
    assert "data-print" in html and "js/print.js" in html
    assert executable_inline_scripts(html) == []
    # The experiment page links to both.
    page = https_client(signal_owner).get(experiment.get_absolute_url()).content.decode()
    assert reverse("experiment-results-summary", args=[experiment.key]) in page
    assert reverse("experiment-results-csv", args=[experiment.key]) in page


def test_no_results_no_summary_and_an_empty_csv(proposer, approver):
    draft = make_experiment(proposer, approver)
    client = https_client(proposer)
    assert client.get(reverse("experiment-results-summary", args=[draft.key])).status_code == 404
    text = client.get(reverse("experiment-results-csv", args=[draft.key])).content.decode()
    assert text.splitlines() == [",".join(str(name) for name in CSV_HEADER)]
