"""The experiment list's result and health columns, and its outcome filter (page and API)."""

import datetime as dt
import re

from django.urls import reverse

from experiments.models import Status
from tests.experiments.live.checks_factory import guardrail_drift, record_looks
from tests.experiments.web import https_client  # noqa: F401
from tests.factories import make_experiment

LIST = reverse("experiment-list")
START = dt.date(2026, 11, 10)


def row_of(html: str, key: str) -> str:
    return re.search(rf"<tr>(?:(?!</tr>).)*?{key}</small>.*?</tr>", html, re.S).group(0)


def test_the_list_shows_each_result_and_health(proposer, approver):
    make_experiment(proposer, approver, key="a-won", status=Status.CONCLUDED, outcome="won")
    stopped = make_experiment(
        proposer,
        approver,
        key="a-stopped",
        status=Status.RUNNING,
        planned_start=START,
        planned_end=START + dt.timedelta(days=27),
    )
    record_looks(stopped, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    make_experiment(proposer, approver, key="a-draft")
    html = https_client(proposer).get(LIST).content.decode()
    assert "Result</th>" in html and "Health</th>" in html
    assert "Won" in row_of(html, "a-won")
    stopped_row = row_of(html, "a-stopped")
    assert "Stopped: clearly worse" in stopped_row and 'data-light="red"' in stopped_row
    assert "light-red" in stopped_row and "By a check" in stopped_row
    assert "—" in row_of(html, "a-draft")


def test_filter_by_outcome_on_the_page_and_in_the_api(proposer, approver):
    make_experiment(proposer, approver, key="a-won", status=Status.CONCLUDED, outcome="won")
    make_experiment(proposer, approver, key="a-lost", status=Status.CONCLUDED, outcome="lost")
    make_experiment(proposer, approver, key="a-running", status=Status.RUNNING)
    client = https_client(proposer)

    page = client.get(LIST, {"outcome": ["won", "lost"]})
    assert {e.key for e in page.context["page"].object_list} == {"a-won", "a-lost"}
    page = client.get(LIST, {"outcome": "none"})
    assert {e.key for e in page.context["page"].object_list} == {"a-running"}

    api = client.get("/api/experiments/", {"outcome": "won"})
    assert api.status_code == 200 and [e["key"] for e in api.json()["results"]] == ["a-won"]
    # Strict, as every API choice filter: a value not among the choices is refused, not ignored.
    assert client.get("/api/experiments/", {"outcome": "maybe"}).status_code == 400
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    (param,) = [p for p in schema["paths"]["/api/experiments/"]["get"]["parameters"] if p["name"] == "outcome"]
    assert set(param["schema"]["items"]["enum"]) == {"won", "lost", "inconclusive", "invalid", "none"}


def test_the_api_gives_each_experiments_result_and_health(proposer, approver):
    make_experiment(proposer, approver, key="a-won", status=Status.CONCLUDED, outcome="won")
    stopped = make_experiment(
        proposer,
        approver,
        key="a-stopped",
        status=Status.RUNNING,
        planned_start=START,
        planned_end=START + dt.timedelta(days=27),
    )
    record_looks(stopped, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    client = https_client(proposer)
    listed = {e["key"]: e["result"] for e in client.get("/api/experiments/").json()["results"]}
    assert listed["a-won"] == {"text": "Won", "tone": "ok", "health": None}
    assert listed["a-stopped"]["text"] == "Stopped: clearly worse"
    assert listed["a-stopped"]["health"] == {"colour": "red", "label": "Stopped", "reason": "By a check"}
    one = client.get("/api/experiments/a-stopped/").json()["result"]
    assert one == listed["a-stopped"]
