"""The experiments list (plain, filtered, searched) and the standards catalogue make the same
number of queries with 10 experiments or standards as with 1,000."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadence.standards.models import Standard
from experiments.models import Check, Experiment, Status, Touchpoint
from tests.experiments.volume import copies
from tests.experiments.web import https_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def _queries(user, url) -> int:
    client = https_client(user)
    assert client.get(url).status_code == 200  # warm: the session and the caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _experiments(proposer, approver, per_kind: int) -> None:
    template = make_experiment(proposer, approver, status=Status.RUNNING, touchpoints=("chat", "phone"))
    copies(template, per_kind, status=Status.RUNNING, action=Check.Action.CONTINUE, fresh=True)
    copies(template, per_kind, status=Status.STOPPED, action=Check.Action.STOP)
    copies(template, per_kind, status=Status.PENDING_APPROVAL, action=None)
    copies(template, per_kind, status=Status.DRAFT, action=None)
    through = Experiment.touchpoints.through
    phone = Touchpoint.objects.get(key="phone")
    through.objects.bulk_create(
        [
            through(experiment_id=pk, touchpoint_id=phone.pk)
            for pk in Experiment.objects.exclude(touchpoints=phone).values_list("pk", flat=True)
        ]
    )


@pytest.mark.parametrize(
    "query", ["", "?status=running&touchpoint=phone", "?q=greeting", "?status=running&status=stopped&page=2"]
)
def test_the_experiments_list_s_queries_are_flat_from_10_to_1000(proposer, approver, query):
    _experiments(proposer, approver, 2)
    assert Experiment.objects.count() == 9
    few = _queries(proposer, reverse("experiment-list") + query.replace("page=2", "page=1"))
    _experiments(proposer, approver, 250)
    assert Experiment.objects.count() == 1_010
    assert _queries(proposer, reverse("experiment-list") + query) == few


def _standards(owner, count: int) -> None:
    today = dt.date.today()
    made = Standard.objects.bulk_create(
        Standard(
            statement=f"Serve customers with practice {i} on this touchpoint.",
            owner=owner,
            effective_date=today - dt.timedelta(days=i % 300),
            rereview_date=today + dt.timedelta(days=30 + i % 300),
        )
        for i in range(count)
    )
    touchpoints = list(Touchpoint.objects.all())
    through = Standard.touchpoints.through
    through.objects.bulk_create(
        through(standard_id=s.pk, touchpoint_id=touchpoints[i % len(touchpoints)].pk) for i, s in enumerate(made)
    )


@pytest.mark.parametrize("query", ["", "?touchpoint=chat", "?q=practice"])
def test_the_standards_page_s_queries_are_flat_from_10_to_1000(standards_keeper, query):
    _standards(standards_keeper, 10)
    few = _queries(standards_keeper, reverse("standard-list") + query)
    _standards(standards_keeper, 990)
    assert Standard.objects.count() == 1_000
    assert _queries(standards_keeper, reverse("standard-list") + query) == few


# The experiment's page reads the experiment's scope, authors, metrics and charter once for all its
# panels (measured: 44 queries here; 55 on the bench's stopped experiment, 75 before); the bound
# leaves room for the nav, not for a query per row.
DETAIL_MOST = 46


def test_the_experiment_page_s_queries_are_flat_from_10_to_1000(proposer, approver, signal_owner):
    _experiments(proposer, approver, 2)
    [page] = Experiment.objects.filter(key__startswith="exp-").exclude(key__contains="-running-").order_by("pk")[:1]
    few = _queries(signal_owner, page.get_absolute_url())
    assert few <= DETAIL_MOST
    _experiments(proposer, approver, 250)
    assert Experiment.objects.count() == 1_010
    assert _queries(signal_owner, page.get_absolute_url()) == few
