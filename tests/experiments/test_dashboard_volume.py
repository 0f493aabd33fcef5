"""The dashboard at volume: each section and the running board show their first rows with the
total and a link to the rest, in a number of queries that does not grow with the experiments."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experiments.models import Status
from experiments.views import dashboard
from tests.experiments.live.checks_factory import error_check
from tests.experiments.web import https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def few_rows(monkeypatch):
    monkeypatch.setattr(dashboard, "BOARD_ROWS", 3)
    monkeypatch.setattr(dashboard, "SECTION_ROWS", 2)


def _running(owner, approver, count, *, failing=False):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for _ in range(count):
        experiment = make_experiment(owner, approver, status=Status.RUNNING)
        if failing:
            error_check(experiment, yesterday)


def _get(user):
    with CaptureQueriesContext(connection) as queries:
        response = https_client(user).get(reverse("dashboard"))
    assert response.status_code == 200
    return response, len(queries)


def test_the_board_shows_problems_first_and_counts_them_all(proposer, approver):
    _running(proposer, approver, 3)
    _running(proposer, approver, 1, failing=True)
    response, _ = _get(proposer)
    board = response.context["running_board"]
    assert response.context["running_count"] == 4 and len(board) == 3
    assert board[0].light.colour != "green"  # the failing check's experiment leads
    page = response.content.decode()
    assert "The first 3 of 4, problems first." in page
    assert "All running and stopped experiments in the list" in page


def test_a_section_shows_its_newest_rows_and_links_to_all(proposer, approver):
    _running(proposer, approver, 3)
    response, _ = _get(proposer)
    [running] = [s for s in response.context["sections"] if s["id"] == "running"]
    assert (running["count"], len(running["rows"])) == (3, 2)
    assert f"owner={proposer.username}" in running["list_url"] and "status=running" in running["list_url"]
    assert "The 2 changed most recently of 3." in response.content.decode()


def test_the_dashboard_s_queries_do_not_grow_with_the_experiments(proposer, approver):
    _running(proposer, approver, 4, failing=True)
    _, few = _get(proposer)
    _running(proposer, approver, 20, failing=True)
    _, many = _get(proposer)
    assert many == few
