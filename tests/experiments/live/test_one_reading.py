"""Issue 13, "Done means": a stopped experiment reads the same way in every place.

The monitoring slot stops an experiment whose escalation rate rose; then each surface is
rendered (the experiment page's banner, table, chart and history, the signal owners' digest, the
stop emails, the review's evidence and the API's checks) and each must show the same change with
the same sign, the same figures and the same interval at the same level.
"""

import datetime as dt
import json
import re

import pytest
from django.template.loader import render_to_string

from approvals.digest import changes_between, compose
from cadence.standards.evidence import evidence_snapshot
from experiments.live.monitoring import run_check
from experiments.models import Status
from experiments.stats.wording import MINUS, metric_reading
from mailing.models import Outbox
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.live.test_monitoring import on
from tests.experiments.live.test_monitoring_data import quiet, started, write_rates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

D0 = dt.date(2026, 3, 2)
ESCALATIONS_UP = {("escalation-rate", "short"): 0.16}  # escalations from 8 % to 16 %


@pytest.fixture
def stopped(proposer, approver, signal_owner):
    experiment = started(proposer, approver, on=D0, days=28)
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, ESCALATIONS_UP)
    look_date = D0 + dt.timedelta(days=3)
    with on(look_date):
        check = run_check(experiment.pk, look_date)
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED and (check.action, check.outcome) == ("stop", "lost")
    return experiment, check


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.approvals  # the digest, emails and review evidence come from approvals and cadence
def test_every_surface_reads_the_stopped_experiment_the_same_way(stopped, signal_owner):
    experiment, check = stopped
    harmed = next(m for m in check.result["metrics"] if m["metric"] == "escalation-rate")
    reading = metric_reading(harmed)
    # The one reading: escalations rose, which is worse; the harm test's interval, named 98 %.
    assert reading.change == pytest.approx(8.0) and reading.meaning == "worse" and reading.level == 0.98
    low, high = reading.interval
    assert 0 < low < reading.change < high
    assert reading.change_text == "+8 points"
    interval = reading.interval_text  # "+a to +b points"
    assert interval.startswith("+") and MINUS not in interval
    said = f"escalation rate 8 points higher: clearly worse than control (98% interval {interval})"
    assert said in check.sentence
    flipped = f"{MINUS}8 points"  # the old table's sign: never shown anywhere

    # The experiment page: banner, results table, chart data and history.
    client = HttpsAPIClient()
    client.force_login(signal_owner)
    html = client.get(experiment.get_absolute_url()).content.decode()
    page = text_of(html)
    assert said in page  # banner and history carry the check's sentence
    row = re.search(r'<tr class="metric-row[^"]*" data-metric="escalation-rate".*?</tr>', html, re.S).group(0)
    row_text = text_of(row)
    assert "+8 points" in row_text and "8 points higher: worse" in row_text
    assert f"98% {interval}" in row_text
    assert "8%" in row_text and "16%" in row_text  # each arm's rate
    assert "Must not be worse than +1 point to ship" in row_text  # no "margin" jargon
    assert flipped not in page
    charts = json.loads(re.search(r'<script id="check-charts" type="application/json">(.*?)</script>', html, re.S)[1])
    chart = next(c for c in charts if c["metric"] == "escalation-rate")
    assert chart["estimate"][-1] == reading.change
    assert (chart["low"][-1], chart["high"][-1]) == reading.interval
    assert chart["margin"] == 1.0 and "lower is better" in chart["axis"]

    # The digest a signal owner gets.
    _subject, body = compose(changes_between(check.created_at - dt.timedelta(days=1), check.created_at), None, None)
    assert said in body and flipped not in body

    # The stop emails.
    emails = [row.payload["body"] for row in Outbox.objects.filter(kind=Outbox.Kind.EMAIL)]
    assert emails and all(said in text for text in emails if "stopped" in text)
    assert any(said in text for text in emails)

    # The review's evidence.
    evidence = evidence_snapshot(experiment)
    kept = next(m for m in evidence["guardrails"] if m["metric"] == "escalation-rate")
    assert (kept["change"], kept["change_text"], kept["interval_text"]) == (reading.change, "+8 points", interval)
    assert kept["level_text"] == "98%" and said in evidence["sentence"]
    shown = text_of(render_to_string("standards/_evidence.html", {"evidence": evidence}))
    assert "+8 points" in shown and f"98% {interval}" in shown and flipped not in shown

    # The API's checks.
    (api_check,) = client.get(f"/api/experiments/{experiment.key}/checks/").json()
    api_reading = next(r for r in api_check["readings"] if r["metric"] == "escalation-rate")
    assert api_reading["change"] == reading.change and api_reading["interval"] == list(reading.interval)
    assert api_reading["interval_level"] == 0.98 and api_reading["meaning"] == "worse"
    assert api_reading["interval_text"] == f"98% interval {interval}" and said in api_check["sentence"]
