"""The dashboard at volume: each section and the running board show their first rows with the
total and a link to the rest (the board's own paginated page), in a number of queries that does
not grow with the experiments: the same from 10 to 1,000."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experiments.models import Check, Experiment, Status
from experiments.views import dashboard
from tests.experiments.live.checks_factory import error_check
from tests.experiments.volume import copies
from tests.experiments.web import https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_rows(monkeypatch):
    monkeypatch.setattr(dashboard, "BOARD_ROWS", 3)
    monkeypatch.setattr(dashboard, "SECTION_ROWS", 2)


def _running(owner, approver, count, *, failing=False):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for _ in range(count):
        experiment = make_experiment(owner, approver, status=Status.RUNNING)
        if failing:
            error_check(experiment, yesterday)


def _get(user, url=None):
    with CaptureQueriesContext(connection) as queries:
        response = https_client(user).get(url or reverse("dashboard"))
    assert response.status_code == 200
    return response, len(queries)


def test_the_board_shows_problems_first_and_counts_them_all(proposer, approver, few_rows):
    _running(proposer, approver, 3)
    _running(proposer, approver, 1, failing=True)
    response, _ = _get(proposer)
    board = response.context["running_board"]
    assert response.context["running_count"] == 4 and len(board) == 3
    assert board[0].light.colour != "green"  # the failing check's experiment leads
    page = response.content.decode()
    assert "The first 3 of 4, problems first." in page
    assert f'href="{reverse("running-board")}"' in page


def test_a_section_shows_its_newest_rows_and_links_to_all(proposer, approver, few_rows):
    _running(proposer, approver, 3)
    response, _ = _get(proposer)
    [running] = [s for s in response.context["sections"] if s["id"] == "running"]
    assert (running["count"], len(running["rows"])) == (3, 2)
    assert f"owner={proposer.username}" in running["list_url"] and "status=running" in running["list_url"]
    assert "The 2 changed most recently of 3." in response.content.decode()


def _mixed(proposer, approver, per_kind: int) -> None:
    """Running ones green (fresh data, checks say continue), failing, and without data or checks
    (amber, as `template`); stopped by a check (red); drafts (not on the board)."""
    template = make_experiment(proposer, approver, status=Status.RUNNING)
    copies(template, per_kind, status=Status.RUNNING, action=Check.Action.CONTINUE, fresh=True)
    copies(template, per_kind, status=Status.RUNNING, action=Check.Action.ERROR)
    copies(template, per_kind, status=Status.RUNNING, action=None)
    copies(template, per_kind, status=Status.STOPPED, action=Check.Action.STOP)
    copies(template, per_kind, status=Status.DRAFT, action=None)


@pytest.mark.parametrize("url_name", ["dashboard", "running-board"])
def test_the_board_s_queries_are_flat_from_10_to_1000_experiments(proposer, approver, url_name):
    _mixed(proposer, approver, 2)
    assert Experiment.objects.count() == 11
    _, few = _get(proposer, reverse(url_name))
    _mixed(proposer, approver, 200)
    assert Experiment.objects.count() == 1_012
    response, many = _get(proposer, reverse(url_name))
    assert many == few
    assert len(response.context["running_board"]) == (dashboard.BOARD_ROWS if url_name == "dashboard" else 50)


def test_the_full_board_pages_through_every_row_problems_first(proposer, approver, outsider):
    _mixed(proposer, approver, 30)  # 121 on the board: 30 stopped, 61 amber, 30 green
    seen = []
    for number in (1, 2, 3):
        response, _ = _get(outsider, f"{reverse('running-board')}?page={number}")
        seen += [(row.experiment.pk, row.light.colour) for row in response.context["running_board"]]
    assert len(seen) == len({pk for pk, _ in seen}) == 121
    colours = [colour for _, colour in seen]
    assert colours == ["red"] * 30 + ["amber"] * 61 + ["green"] * 30
    assert "Page 3 of 3" in response.content.decode()


def test_the_full_board_shows_only_what_the_person_may_see(client, proposer, approver, outsider):
    assert client.get(reverse("running-board"), secure=True).status_code == 302  # signed in only
    draft = make_experiment(proposer, approver, status=Status.DRAFT)
    response, _ = _get(outsider, reverse("running-board"))
    assert draft.key not in response.content.decode()
